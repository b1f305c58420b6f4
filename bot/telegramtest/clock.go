package telegramtest

import (
	"sync"
	"time"
)

// Clock tells the server what time it is. It drives message dates, the
// pacing buckets, the expiry of callback queries and outages. Long polls,
// latency injection and webhook retries always wait in real time, because
// the bot on the other end of the socket does.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to. Tests use it to make
// pacing, retry_after and callback expiry deterministic and instant.
// It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock showing start, or 2024-03-01 00:00 UTC
// if start is the zero time.
func NewManualClock(start time.Time) *ManualClock {
	if start.IsZero() {
		start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	}
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backwards if d is negative).
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
