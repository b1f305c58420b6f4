package quiz

import (
	"context"
	"time"
)

// TestInfo describes the member's test for the current quarter.
type TestInfo struct {
	Quarter     Period
	WindowStart time.Time
	WindowEnd   time.Time
	Open        bool       // the window is open now (or a make-up is)
	Attempts    []*Attempt // this quarter's attempts, by N
	Left        int        // attempts left
	Counted     Progress   // the counted result so far
}

// TestStatus says where the member stands with this quarter's test.
func (s *Service) TestStatus(ctx context.Context, id int64) (*TestInfo, error) {
	now := s.now()
	q := s.Cal.Quarter(now)
	start, end := s.Rules.TestWindowOf(s.Cal, q)
	info := &TestInfo{Quarter: q, WindowStart: start, WindowEnd: end}
	err := s.Store.View(ctx, func(tx Tx) error {
		if _, err := member(tx, id); err != nil {
			return err
		}
		var err error
		info.Attempts, err = tx.Attempts(id, Test, q.Key())
		if err != nil {
			return err
		}
		info.Counted, err = tx.Progress(id, q.Key())
		if err != nil {
			return err
		}
		if g := activeGrant(tx, id, Test, q.Key(), now); g != nil {
			info.WindowEnd = g.Until
			info.Open = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !now.Before(start) && now.Before(end) {
		info.Open = true
	}
	info.Left = s.Rules.TestAttempts - len(info.Attempts)
	for _, a := range info.Attempts {
		if !a.Closed {
			info.Left++ // the open one is still being taken
		}
	}
	return info, nil
}

// StartTest begins (or resumes) the member's test for this quarter: N
// questions by the configured mix, a time limit, inside the window.
func (s *Service) StartTest(ctx context.Context, id int64) (*Attempt, error) {
	return s.startTest(ctx, id, s.Cal.Quarter(s.now()))
}

// StartMakeupTest begins (or resumes) the test of a past quarter reopened
// for the member by a make-up.
func (s *Service) StartMakeupTest(ctx context.Context, id int64, period string) (*Attempt, error) {
	q, err := s.Cal.Parse(period)
	if err != nil || q.Kind != Quarter {
		return nil, Errorf(Invalid, ReasonBadPeriod)
	}
	return s.startTest(ctx, id, q)
}

// startTest begins or resumes the test of quarter q: inside its window, or
// under a make-up granted for it.
func (s *Service) startTest(ctx context.Context, id int64, q Period) (*Attempt, error) {
	now := s.now()
	start, end := s.Rules.TestWindowOf(s.Cal, q)
	pool := s.pool(s.Content().Catalog.Plan.QuarterBanks(q.N))
	var out *Attempt
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		until := end
		makeup := false
		if now.Before(start) || !now.Before(end) {
			g := activeGrant(tx, id, Test, q.Key(), now)
			if g == nil {
				return Errorf(Unavailable, ReasonOutsideWindow)
			}
			until, makeup = g.Until, true
		}
		atts, err := tx.Attempts(id, Test, q.Key())
		if err != nil {
			return err
		}
		for _, a := range atts {
			if !a.Closed {
				if a.Expired(now) {
					// Time ran out while the member was away: the sweeper
					// will score it; say so rather than start another.
					return Errorf(Conflict, ReasonClosed)
				}
				out = a
				return nil
			}
		}
		if len(atts) >= s.Rules.TestAttempts && !makeup {
			return Errorf(Conflict, ReasonNoAttemptsLeft)
		}
		if makeup && len(atts) >= s.Rules.TestAttempts+1 {
			return Errorf(Conflict, ReasonNoAttemptsLeft)
		}
		if len(pool) == 0 {
			return Errorf(Unavailable, ReasonNoQuestions)
		}
		salt, err := tx.Salt()
		if err != nil {
			return err
		}
		n := len(atts) + 1
		items := Draw(DrawSeed(salt, id, Test, q.Key(), n), pool, s.Rules.TestQuestions, s.Rules.TestMix)
		deadline := now.Add(s.Rules.TestDuration)
		if deadline.After(until) {
			deadline = until
		}
		a := &Attempt{User: id, Kind: Test, Period: q.Key(), N: n, Branch: u.Branch, Items: items,
			Responses: make([]Response, len(items)), Started: now, Deadline: deadline, Until: until, Makeup: makeup}
		if err := tx.CreateAttempt(a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
