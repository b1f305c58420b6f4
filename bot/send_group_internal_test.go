package bot

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// recordingAPI records the texts of the messages it is asked to send and
// refuses, with a 400, those in refuse.
type recordingAPI struct {
	mu     sync.Mutex
	sent   []string
	refuse map[string]bool
}

func (a *recordingAPI) Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	m := c.(tgbotapi.MessageConfig)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent = append(a.sent, m.Text)
	if a.refuse[m.Text] {
		return nil, &tgbotapi.Error{Code: 400, Message: "Bad Request: can't parse entities"}
	}
	return &tgbotapi.APIResponse{Ok: true}, nil
}

// TestSenderGroup: the calls of a group (a long notice's parts) are made
// one after the other, after what was queued for the chat before and
// before what is queued after; once one is refused the rest are not made,
// and done is called for each call made and no other.
func TestSenderGroup(t *testing.T) {
	api := &recordingAPI{refuse: map[string]bool{"A2": true}}
	s := NewSender(api, Pace{}, slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(), nil)
	msg := func(text string) tgbotapi.Chattable { return tgbotapi.NewMessage(7, text) }
	var mu sync.Mutex
	var reported []int
	s.Enqueue(7, msg("before"), nil)
	s.EnqueueGroup(7, []tgbotapi.Chattable{msg("A1"), msg("A2"), msg("A3")}, func(i int, _ *tgbotapi.APIResponse, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, i)
		return true
	})
	s.EnqueueGroup(7, []tgbotapi.Chattable{msg("B1"), msg("B2")}, func(int, *tgbotapi.APIResponse, error) bool { return true })
	s.Enqueue(7, msg("after"), nil)
	s.Close(time.Minute)
	api.mu.Lock()
	got := append([]string(nil), api.sent...)
	api.mu.Unlock()
	want := []string{"before", "A1", "A2", "B1", "B2", "after"}
	if len(got) != len(want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sent %q, want %q", got, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 2 || reported[0] != 0 || reported[1] != 1 {
		t.Errorf("done was called for parts %v, want [0 1]", reported)
	}
}
