package bot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestFloodHoldScopes: a 429's retry_after holds back the calls it
// concerns together (issue 10) — one private chat when that chat was just
// sent to several times (its own limit), one group for a group's limit,
// and the whole bot otherwise; after a hold of the whole bot one call goes
// first and the rest wait for it. "Held" is a wait that cannot finish
// before its context does (the clock is frozen inside an hour's hold), not
// a measured time.
func TestFloodHoldScopes(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f := newFloodHold()
	f.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	held := func(chat int64) bool {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		probe, err := f.wait(ctx, chat)
		if err == nil && probe {
			f.settle(chat, probe, 0)
		}
		return errors.Is(err, context.DeadlineExceeded)
	}

	// A private chat's own limit: sent to three times within the second.
	for i := 0; i < perChatSends; i++ {
		f.settle(1, false, 0)
	}
	f.settle(1, false, time.Hour)
	if !held(1) || held(2) {
		t.Fatalf("a chat's own 429: chat 1 held %v (want true), chat 2 held %v (want false)", held(1), held(2))
	}
	// A group's limit holds that group only.
	f.settle(-100, false, time.Hour)
	if !held(-100) || held(2) {
		t.Fatalf("a group's 429: the group held %v, chat 2 held %v", held(-100), held(2))
	}
	// A 429 to a chat barely sent to is the bot's limit: everyone waits.
	f.settle(3, false, 30*time.Second)
	if !held(2) || !held(4) {
		t.Fatal("the global 429 did not hold other chats")
	}
	advance(31 * time.Second)
	probe, err := f.wait(context.Background(), 2)
	if err != nil || !probe {
		t.Fatalf("after the global hold the first call is not the probe: %v %v", probe, err)
	}
	if !held(4) {
		t.Error("a second call went before the probe settled")
	}
	f.settle(2, true, 0)
	if held(4) {
		t.Error("the probe went through but other calls still wait")
	}
	// The chat's and the group's own holds outlast the global one.
	if !held(1) || !held(-100) {
		t.Error("a chat's own hold ended with the global one")
	}
	advance(time.Hour)
	if held(1) || held(-100) {
		t.Error("a chat's hold did not end after its retry_after")
	}
}
