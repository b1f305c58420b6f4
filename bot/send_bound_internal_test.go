package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// gateAPI holds every call until release is closed, counting the calls in
// flight and the most there ever were.
type gateAPI struct {
	release  chan struct{}
	inFlight atomic.Int32
	most     atomic.Int32
	made     atomic.Int32
}

func (a *gateAPI) Request(tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	n := a.inFlight.Add(1)
	for {
		m := a.most.Load()
		if n <= m || a.most.CompareAndSwap(m, n) {
			break
		}
	}
	<-a.release
	a.inFlight.Add(-1)
	a.made.Add(1)
	return &tgbotapi.APIResponse{Ok: true}, nil
}

// TestSenderBoundsCallsInFlight: replies to 300 chats and 40 presses'
// answers at once, pacing off (a load test), are made at most maxInFlight
// + maxDirect at a time — fewer than the connections the transport keeps,
// so none is dialled only to be closed — and every one of them is made.
func TestSenderBoundsCallsInFlight(t *testing.T) {
	api := &gateAPI{release: make(chan struct{})}
	s := NewSender(api, Pace{}, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(), nil)
	const chats, presses = 300, 40
	var done sync.WaitGroup
	for c := range chats {
		done.Add(1)
		s.Enqueue(int64(1000+c), tgbotapi.NewMessage(int64(1000+c), "下一题"), func(_ *tgbotapi.APIResponse, err error) {
			if err != nil {
				t.Errorf("chat %d: %v", 1000+c, err)
			}
			done.Done()
		})
	}
	for p := range presses {
		done.Add(1)
		go func() {
			defer done.Done()
			if _, err := s.Call(context.Background(), tgbotapi.NewCallback("q"+id36(uint64(p)), ""), 1); err != nil {
				t.Errorf("press %d: %v", p, err)
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for api.inFlight.Load() < maxInFlight+maxDirect && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for any call beyond the bound to start
	if got := api.most.Load(); got != maxInFlight+maxDirect {
		t.Errorf("%d calls in flight at most, want %d", got, maxInFlight+maxDirect)
	}
	close(api.release)
	done.Wait()
	s.Close(time.Minute)
	if got := api.made.Load(); got != chats+presses {
		t.Errorf("%d calls made, want %d", got, chats+presses)
	}
	if got := api.most.Load(); got > maxInFlight+maxDirect {
		t.Errorf("%d calls in flight at most, want ≤ %d", got, maxInFlight+maxDirect)
	}
}

// stuckSends holds every sendMessage until release is closed; every other
// call answers at once.
type stuckSends struct {
	release  chan struct{}
	inFlight chan struct{}
}

func (a *stuckSends) Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	if _, ok := c.(tgbotapi.MessageConfig); ok {
		a.inFlight <- struct{}{}
		<-a.release
	}
	return &tgbotapi.APIResponse{Ok: true, Result: json.RawMessage("true")}, nil
}

// TestCallNotStarvedBySlowSends: Telegram is slow (sendMessage calls
// hang, as when the Bot API degrades) and every queued call's slot is
// taken; a press's answerCallbackQuery (router.go: Call with a 10 s
// context) still goes out at once, on a slot of its own (found by a
// review: with one pool of slots it waited for the stuck sends and timed
// out).
func TestCallNotStarvedBySlowSends(t *testing.T) {
	api := &stuckSends{release: make(chan struct{}), inFlight: make(chan struct{}, 1000)}
	s := NewSender(api, DefaultPace, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(), nil)
	s.pace.Global = 0 // the global pace only delays filling the slots; the test is about the slots
	s.global = nil
	defer func() { close(api.release); s.Close(time.Minute) }()
	for c := range maxInFlight {
		s.Enqueue(int64(1000+c), tgbotapi.NewMessage(int64(1000+c), "下一题"), nil)
	}
	for range maxInFlight {
		<-api.inFlight
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := s.Call(ctx, tgbotapi.NewCallback("q1", ""), 3); err != nil {
		t.Errorf("answerCallbackQuery while %d sends hang: %v", maxInFlight, err)
	}
}
