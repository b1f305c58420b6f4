package bot

import (
	"context"
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
// at a time — fewer than the connections the transport keeps, so none is
// dialled only to be closed — and every one of them is made.
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
	for api.inFlight.Load() < maxInFlight && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for any call beyond the bound to start
	if got := api.most.Load(); got != maxInFlight {
		t.Errorf("%d calls in flight at most, want %d", got, maxInFlight)
	}
	close(api.release)
	done.Wait()
	s.Close(time.Minute)
	if got := api.made.Load(); got != chats+presses {
		t.Errorf("%d calls made, want %d", got, chats+presses)
	}
	if got := api.most.Load(); got > maxInFlight {
		t.Errorf("%d calls in flight at most, want ≤ %d", got, maxInFlight)
	}
}
