package quiz_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"partyquiz/quiz"
)

// TestNoReminderRoundAfterThePeriodEnded: the automatic reminders are "a
// configurable number of days before a month ends or a test window
// closes" (issue 10). A bot that was down over the reminder's day and
// comes back within RoundCatchUp (7 days) after the month or window has
// already ended tells nobody to finish a month, or take a test, that is
// over — neither the members nor the secretaries — and the round is done:
// it is not due again.
func TestNoReminderRoundAfterThePeriodEnded(t *testing.T) {
	for _, c := range []struct {
		name        string
		join, back  [3]int // year, month, day (10:00)
		study, test string // the reminder that must not be sent
	}{
		{"month", [3]int{2026, 11, 20}, [3]int{2026, 12, 2}, "2026-11", ""},
		{"test window", [3]int{2026, 9, 20}, [3]int{2026, 10, 2}, "", "2026-Q3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, quiz.DefaultRules())
			loc := f.now.Location()
			f.now = time.Date(c.join[0], time.Month(c.join[1]), c.join[2], 10, 0, 0, 0, loc)
			f.join(t, 1001, "qingshan")
			// Down from before the reminder's day until after the period ended.
			f.now = time.Date(c.back[0], time.Month(c.back[1]), c.back[2], 10, 0, 0, 0, loc)
			ctx := context.Background()
			rs, err := f.svc.DueRounds(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ran := false
			for _, r := range rs {
				if err := f.svc.RunRound(ctx, r); err != nil {
					t.Fatalf("round %s: %v", r.Key, err)
				}
				ran = ran || r.Kind == quiz.RoundRemindStudy || r.Kind == quiz.RoundRemindTest
			}
			if !ran {
				t.Fatal("no reminder round was due: the test shows nothing")
			}
			if rs, err := f.svc.DueRounds(ctx); err != nil || len(rs) != 0 {
				t.Errorf("rounds still due after running them: %v, %v", rs, err)
			}
			es, err := f.db.Pending(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if e.Kind != quiz.EventReminder && e.Kind != quiz.EventRemindReport {
					continue
				}
				if (c.study != "" && e.Period == c.study) || (c.test != "" && e.Test == c.test) {
					t.Errorf("on %s, after it ended, %s was reminded of %s%s (%s)", f.now.Format("2006-01-02"), e.Kind, e.Period, e.Test, e.Ref)
				}
			}
		})
	}
}

// TestReminderDue: a reminder still waiting in the outbox when what it
// reminds of is over tells only what is left, or is not sent; so is a
// secretary's summary of a reminder round whose month or window is over.
func TestReminderDue(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, f.now.Location()) // Q4's window (December) open
	until := time.Date(2027, 1, 1, 0, 0, 0, 0, f.now.Location())
	for _, c := range []struct {
		name         string
		in           quiz.Event
		due          bool
		period, test string // what is left
	}{
		{"a month over", quiz.Event{Kind: quiz.EventReminder, Period: "2026-11", Right: 3, Count: 10}, false, "", ""},
		{"this month", quiz.Event{Kind: quiz.EventReminder, Period: "2026-12"}, true, "2026-12", ""},
		{"a month over, a test open", quiz.Event{Kind: quiz.EventReminder, Period: "2026-11", Test: "2026-Q4", Until: until}, true, "", "2026-Q4"},
		{"a window closed", quiz.Event{Kind: quiz.EventReminder, Test: "2026-Q3", Until: time.Date(2026, 10, 1, 0, 0, 0, 0, f.now.Location())}, false, "", ""},
		{"the summary of a month over", quiz.Event{Kind: quiz.EventRemindReport, Period: "2026-11", Count: 1, Of: 1}, false, "2026-11", ""},
		{"the summary of an open window", quiz.Event{Kind: quiz.EventRemindReport, Period: "2026-Q4", Test: "2026-Q4", Until: until}, true, "2026-Q4", "2026-Q4"},
		{"the summary of a closed window", quiz.Event{Kind: quiz.EventRemindReport, Period: "2026-Q3", Test: "2026-Q3"}, false, "2026-Q3", "2026-Q3"},
		{"not a reminder", quiz.Event{Kind: quiz.EventMonthOpen, Period: "2026-11"}, true, "2026-11", ""},
	} {
		got, due := f.svc.ReminderDue(c.in, now)
		if due != c.due {
			t.Errorf("%s: due %v, want %v", c.name, due, c.due)
		}
		if due && (got.Period != c.period || got.Test != c.test) {
			t.Errorf("%s: left %q %q, want %q %q", c.name, got.Period, got.Test, c.period, c.test)
		}
		if due && got.Period == "" && (got.Right != 0 || got.Count != 0) {
			t.Errorf("%s: the month's progress (%d of %d) is kept without its month", c.name, got.Right, got.Count)
		}
	}
}

// failingStore fails the n-th Update from now (1 = the next), once: a
// crash between a round's transactions.
type failingStore struct {
	quiz.Store
	n atomic.Int32
}

func (s *failingStore) Update(ctx context.Context, fn func(quiz.Tx) error) error {
	if s.n.Add(-1) == 0 {
		return errors.New("crash")
	}
	return s.Store.Update(ctx, fn)
}

// TestResumedReminderRoundSummary: the automatic reminders are
// "resumable, and the secretary a summary" (issue 10). A reminder round
// interrupted after its members' reminders were written and before the
// secretary's summary, when it runs again, queues no second reminder and
// one summary that counts the reminder the first run queued (it used to
// count only what the re-run emitted itself: "0 reminded").
func TestResumedReminderRoundSummary(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	loc := f.now.Location()
	f.now = time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	f.join(t, 1001, "qingshan") // does not study
	ctx := context.Background()
	admin, _ := f.svc.Viewer(ctx, 1)
	inv, err := f.svc.CreateInvite(ctx, admin, "qingshan", quiz.RoleSecretary, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Join(ctx, 2001, inv.Code, "书记"); err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 11, 28, 9, 5, 0, 0, loc)
	var round *quiz.Round
	for _, r := range f.svc.Rounds(f.now) {
		if r.Kind == quiz.RoundRemindStudy && r.Period.Key() == "2026-11" {
			round = &r
		}
	}
	if round == nil {
		t.Fatal("no reminder round")
	}
	st := &failingStore{Store: f.db}
	svc := quiz.NewService(st, f.svc.Cal, f.svc.Rules, func() time.Time { return f.now }, []int64{1}, f.svc.Content())
	st.n.Store(2) // the members' transaction commits, the summary's fails
	if err := svc.RunRound(ctx, *round); err == nil {
		t.Fatal("the interrupted round did not fail")
	}
	if err := svc.RunRound(ctx, *round); err != nil {
		t.Fatal(err)
	}
	es, err := f.db.Pending(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	reminded, summaries := 0, 0
	for _, e := range es {
		switch {
		case e.Kind == quiz.EventReminder && e.Chat == 1001:
			reminded++
		case e.Kind == quiz.EventRemindReport && e.Chat == 2001:
			summaries++
			if e.Count != reminded || e.Of != 1 {
				t.Errorf("after the round resumed, the secretary's summary says %d of %d not finished were reminded; %d reminder(s) were queued", e.Count, e.Of, reminded)
			}
		}
	}
	if reminded != 1 || summaries != 1 {
		t.Errorf("%d reminders, %d summaries; want 1 and 1", reminded, summaries)
	}
}
