package quiz_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"partyquiz/quiz"
)

// sweepingStore runs sweep right after each View while armed: the bot's
// sweeper (bot.SweepNow) and its rounds (bot.RunRounds) start together
// when the bot comes back, and both close the oldest expired attempts.
type sweepingStore struct {
	quiz.Store
	armed atomic.Bool
	sweep func()
}

func (s *sweepingStore) View(ctx context.Context, fn func(quiz.Tx) error) error {
	err := s.Store.View(ctx, fn)
	if s.armed.Load() {
		s.sweep()
	}
	return err
}

// TestCloseRoundBesideTheSweeper: "before a test-close round computes its
// results, every attempt that expired before the round's moment is
// closed" (issue 10), even while the sweeper closes some of them at the
// same time: after the round none of 510 tests whose time ran out is
// still open, and no member who took the test is told they did not (when
// the round stopped at the first pass that closed fewer than 500, the
// sweeper's one made it leave 10 open).
func TestCloseRoundBesideTheSweeper(t *testing.T) {
	const members = 510
	rules := quiz.DefaultRules()
	rules.RemindDays = 0
	f := newFixture(t, rules) // the sweeper: the engine straight on the store
	f.now = time.Date(2026, 12, 31, 23, 40, 0, 0, f.svc.Cal.Loc)
	sweeper := f.svc
	st := &sweepingStore{Store: f.db, sweep: func() {
		if _, err := sweeper.CloseExpired(context.Background(), 1); err != nil {
			t.Error(err)
		}
	}}
	clock := func() time.Time { return f.now }
	cal, content := f.svc.Cal, f.svc.Content()
	svc := quiz.NewService(st, cal, rules, clock, []int64{1}, content)
	ctx := context.Background()
	admin, _ := svc.Viewer(ctx, 1)
	inv, err := svc.CreateInvite(ctx, admin, "qingshan", quiz.RoleMember, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < members; i++ {
		id := int64(100000 + i)
		if _, _, err := svc.Join(ctx, id, inv.Code, "党员"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.StartTest(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	// Back on New Year's morning: every test's time ran out at midnight.
	f.now = time.Date(2027, 1, 1, 10, 0, 0, 0, cal.Loc)
	var round *quiz.Round
	for _, r := range svc.Rounds(f.now) {
		if r.Kind == quiz.RoundTestClose && r.Period.Key() == "2026-Q4" {
			round = &r
		}
	}
	if round == nil {
		t.Fatal("no test-close round")
	}
	st.armed.Store(true)
	if err := svc.RunRound(ctx, *round); err != nil {
		t.Fatal(err)
	}
	st.armed.Store(false)
	var open int
	if err := f.db.View(ctx, func(tx quiz.Tx) error {
		ids, err := tx.Expiring(f.now, 0)
		open = len(ids)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	es, err := f.db.Pending(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	none := 0
	for _, e := range es {
		if e.Kind == quiz.EventTestResult && !e.Tested {
			none++
		}
	}
	if open != 0 || none != 0 {
		t.Errorf("after the close round %d expired attempts are still open, and %d of %d members who took the test were told they did not", open, none, members)
	}
}
