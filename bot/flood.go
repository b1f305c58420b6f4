package bot

import (
	"context"
	"sync"
	"time"
)

// floodHold is how the sender lives with Telegram's 429s together rather
// than call by call: a 429's retry_after holds back every call it concerns
// at once — the whole bot for the global flood limit, one chat for its own
// limit (a group's, or a private chat sent to within the last second) —
// and when a hold of the whole bot ends, one call goes first as a probe
// and the others follow only once it went through. Without it every
// pending call waited and retried on its own, and came back in bursts that
// met the limit again.
type floodHold struct {
	mu       sync.Mutex
	global   time.Time             // the whole bot waits until then
	chats    map[int64]time.Time   // one chat waits until then
	lastSent map[int64][]time.Time // when each chat was sent to, within the last second
	probing  bool                  // a probe after a global hold is in flight
	probed   bool                  // a global hold ended and no probe has gone through since
	wake     chan struct{}         // closed when a probe settles
	now      func() time.Time
}

func newFloodHold() *floodHold {
	return &floodHold{chats: map[int64]time.Time{}, lastSent: map[int64][]time.Time{}, wake: make(chan struct{}), now: time.Now}
}

// A 429 to a private chat sent to perChatSends times within perChatWindow
// is the chat's own limit (about one a second, short bursts tolerated);
// otherwise the bot's.
const (
	perChatWindow = time.Second
	perChatSends  = 3
)

// recent returns chat's sends within the window at now.
func (f *floodHold) recent(chat int64, now time.Time) []time.Time {
	ts := f.lastSent[chat]
	for len(ts) > 0 && now.Sub(ts[0]) >= perChatWindow {
		ts = ts[1:]
	}
	if len(ts) == 0 {
		delete(f.lastSent, chat)
		return nil
	}
	f.lastSent[chat] = ts
	return ts
}

// wait blocks until chat may be sent to; probe is true when this call is
// the one that tries first after a hold of the whole bot (its caller
// reports back with settle).
func (f *floodHold) wait(ctx context.Context, chat int64) (probe bool, err error) {
	for {
		f.mu.Lock()
		now := f.now()
		until := f.global
		if c := f.chats[chat]; c.After(until) {
			until = c
		}
		if now.Before(until) {
			f.mu.Unlock()
			if err := sleep(ctx, until.Sub(now)); err != nil {
				return false, err
			}
			continue
		}
		if f.probing {
			wake := f.wake
			f.mu.Unlock()
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-wake:
			}
			continue
		}
		probe := f.probed
		if probe {
			f.probing = true
		}
		f.mu.Unlock()
		return probe, nil
	}
}

// settle records a call's outcome: sent, or refused with a 429 holding for
// retry (0: not a 429).
func (f *floodHold) settle(chat int64, probe bool, retry time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if retry > 0 {
		if chat < 0 || len(f.recent(chat, now)) >= perChatSends {
			if u := now.Add(retry); u.After(f.chats[chat]) {
				f.chats[chat] = u
			}
		} else if u := now.Add(retry); u.After(f.global) {
			f.global = u
			f.probed = true
		}
	} else {
		f.lastSent[chat] = append(f.recent(chat, now), now)
		if len(f.lastSent) > 10000 { // forget chats not sent to lately
			for c := range f.lastSent {
				f.recent(c, now)
			}
		}
		if probe {
			f.probed = false
		}
		delete(f.chats, chat)
	}
	if probe {
		f.probing = false
		close(f.wake)
		f.wake = make(chan struct{})
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
