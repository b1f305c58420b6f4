package bot

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// countingAPI counts the calls it is asked to make, by kind.
type countingAPI struct {
	mu    sync.Mutex
	polls int
	other int
}

func (a *countingAPI) Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := c.(tgbotapi.SendPollConfig); ok {
		a.polls++
	} else {
		a.other++
	}
	return &tgbotapi.APIResponse{Ok: true, Result: []byte(`{}`)}, nil
}

// TestStepDoesNotAskTwice: a step of a contest works from the contest as
// it was read, and the run's own state as it is when the step looks. When
// the send's callback recorded the question's poll in between (the read
// has no poll, the run says it posted one), the step must not post the
// question again — it did, and a member's votes went to a poll the bot
// no longer counted (TestContestThirtyMembers failed now and then under
// load, with question 10 posted twice).
func TestStepDoesNotAskTwice(t *testing.T) {
	api := &countingAPI{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	b := &Bot{log: log, send: NewSender(api, Pace{}, log, NewMetrics(), nil),
		svc: quiz.NewService(nil, quiz.Calendar{Loc: time.UTC}, quiz.DefaultRules(), func() time.Time { return now }, nil, &quiz.Content{})}
	item := quiz.Item{Type: questions.Single, Text: "“三会一课”中的“一课”是指什么？", Options: []string{"党课", "团课", "业务课"}, Answer: []int{0}}
	c := &quiz.Contest{ID: 1, Chat: -100, Phase: quiz.PhaseAsking, Current: 0, Items: []quiz.Item{item},
		Setup: quiz.ContestSetup{Seconds: 20}, Asked: []quiz.AskedQuestion{{}}}

	run := &contestRun{id: 1, wake: make(chan struct{}, 1), sending: -1, posted: map[int]bool{0: true}, failed: map[int]int{}}
	if err := b.stepContest(context.Background(), run, c); err != nil {
		t.Fatal(err)
	}
	// Not posted by this process: asked (after a restart, say).
	fresh := &contestRun{id: 1, wake: make(chan struct{}, 1), sending: -1, posted: map[int]bool{}, failed: map[int]int{}}
	if err := b.stepContest(context.Background(), fresh, c); err != nil {
		t.Fatal(err)
	}
	b.send.Close(time.Minute)
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.polls != 1 {
		t.Errorf("%d polls sent, want 1: the one of the run that had not posted it", api.polls)
	}
}

// TestPollOpened: a question's clock starts at its poll message's date,
// as the poll's open_period does — not when Telegram's answer reached the
// bot, which under load came seconds later, so that members' votes were
// refused as closed while the bot still gave them time
// (TestContestThirtyMembers failed now and then: "poll … is closed").
func TestPollOpened(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 7, 500_000_000, time.UTC)
	asked := now.Add(-6 * time.Second) // when the step asked for the poll
	sec := now.Truncate(time.Second)
	for _, c := range []struct {
		date        int
		asked, want time.Time
	}{
		{int(now.Unix()) - 5, asked, sec.Add(-5 * time.Second)},                     // the answer came 5 s late
		{int(now.Unix()), asked, sec},                                               // at once (whole seconds)
		{int(now.Unix()) - 5, now.Add(-2 * time.Second), now.Add(-2 * time.Second)}, // Telegram's clock 3 s behind ours
		{0, asked, now},                                     // no date
		{int(now.Unix()) + 30, asked, now},                  // a clock far ahead of ours
		{int(now.Add(-2 * time.Minute).Unix()), asked, now}, // or far behind
	} {
		if got := pollOpened(tgbotapi.Message{Date: c.date}, c.asked, now); !got.Equal(c.want) {
			t.Errorf("date %d, asked %v: opened %v, want %v", c.date, c.asked, got, c.want)
		}
	}
}
