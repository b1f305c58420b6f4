package telegramtest

import (
	"math"
	"time"
)

// Pace sets the flood limits the server enforces while pacing is on. Zero
// fields take the defaults, which follow Telegram's published guidance:
// about one message a second to a private chat with a short burst
// tolerated, 20 a minute to a group, 30 a second in total.
type Pace struct {
	// PrivatePerSecond is the sustained rate to one private chat (default 1).
	PrivatePerSecond float64
	// PrivateBurst is how many messages a private chat takes at once
	// before the rate applies (default 5).
	PrivateBurst int
	// GroupPerMinute is the sustained rate to one group (default 20).
	GroupPerMinute float64
	// GroupBurst is how many messages a group takes at once (default 5).
	GroupBurst int
	// GroupWindow is the most messages (edits included) one group takes in
	// any 60 seconds, whatever the burst allows (default 20).
	GroupWindow int
	// GlobalPerSecond is the sustained rate over all chats (default 30).
	GlobalPerSecond float64
	// GlobalBurst is the burst over all chats (default 30).
	GlobalBurst int
}

func (p Pace) withDefaults() Pace {
	if p.PrivatePerSecond <= 0 {
		p.PrivatePerSecond = 1
	}
	if p.PrivateBurst <= 0 {
		p.PrivateBurst = 5
	}
	if p.GroupPerMinute <= 0 {
		p.GroupPerMinute = 20
	}
	if p.GroupBurst <= 0 {
		p.GroupBurst = 5
	}
	if p.GroupWindow <= 0 {
		p.GroupWindow = 20
	}
	if p.GlobalPerSecond <= 0 {
		p.GlobalPerSecond = 30
	}
	if p.GlobalBurst <= 0 {
		p.GlobalBurst = 30
	}
	return p
}

// bucket is a token bucket. The zero value is full on first use.
type bucket struct {
	tokens float64
	last   time.Time
	primed bool
}

// wait refills the bucket to now and reports how long until a token is
// available (0 if one is).
func (b *bucket) wait(now time.Time, rate float64, burst int) time.Duration {
	capacity := float64(burst)
	if !b.primed {
		b.tokens, b.last, b.primed = capacity, now, true
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(capacity, b.tokens+dt*rate)
	}
	b.last = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

func (b *bucket) take() { b.tokens-- }

// retryAfterSeconds turns a wait into the whole seconds Telegram reports,
// never less than 1.
func retryAfterSeconds(d time.Duration) int {
	n := int(math.Ceil(d.Seconds()))
	if n < 1 {
		n = 1
	}
	return n
}

// paceLocked charges one message to chat c and the global bucket, or
// returns the 429 to answer with. Nothing is charged when it refuses.
func (s *Server) paceLocked(c *chat) *apiError {
	now := s.clock.Now()
	if now.Before(s.throttleUntil) {
		return tooManyRequests(s.throttleRetry)
	}
	if !s.pacing {
		return nil
	}
	p := s.pace
	var chatWait time.Duration
	if c.kind == "private" {
		chatWait = c.bucket.wait(now, p.PrivatePerSecond, p.PrivateBurst)
	} else {
		chatWait = c.bucket.wait(now, p.GroupPerMinute/60, p.GroupBurst)
	}
	if c.kind != "private" {
		chatWait = max(chatWait, windowWait(c, now, p.GroupWindow))
	}
	globalWait := s.global.wait(now, p.GlobalPerSecond, p.GlobalBurst)
	if w := max(chatWait, globalWait); w > 0 {
		return tooManyRequests(retryAfterSeconds(w))
	}
	c.bucket.take()
	s.global.take()
	if c.kind != "private" {
		c.window = append(c.window, now)
	}
	return nil
}
