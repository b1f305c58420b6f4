package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// close ends an attempt and books what it earned: for a finished month
// the month's points and counts; for a test its score (counted by the
// configured policy), points and counts. A study attempt whose month is
// over unfinished is closed with nothing earned.
func (s *Service) close(tx Tx, tree *Tree, a *Attempt, now time.Time) (*AnswerResult, error) {
	res := &AnswerResult{Attempt: a, Closed: true}
	a.Closed, a.ClosedAt = true, now
	a.Score, a.Right = a.Tally()
	a.Flagged = a.TooFast(s.Rules.FastSeconds)
	if err := tx.PutAttempt(a); err != nil {
		return nil, err
	}
	// What an attempt earns is counted where its member is now (they may
	// have moved since it began), as every total is.
	branch := a.Branch
	if u, err := tx.User(a.User); err == nil && u.IsMember() {
		branch = u.Branch
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	lineage := tree.Lineage(branch)
	switch a.Kind {
	case Study:
		if !a.Complete() {
			return res, nil
		}
		earned, err := s.finishMonth(tx, lineage, a, now)
		res.Earned = earned
		return res, err
	case Test:
		earned, err := s.countTest(tx, lineage, tree.Lineage(a.Branch), a, now)
		if err != nil {
			return nil, err
		}
		res.Earned = earned
		if !a.Complete() {
			// Its time ran out: the member is told, whether or not they
			// come back.
			reveal, err := s.revealer(tx).at(a.Period)
			if err != nil {
				return nil, err
			}
			e := Event{Ref: fmt.Sprintf("timeup:%d", a.ID), Chat: a.User, Kind: EventTimeUp, At: now, Period: a.Period,
				Score: a.Score, Right: a.Right, Count: len(a.Items), Passed: a.Score >= s.Rules.PassMark, Until: reveal}
			if _, err := tx.Emit(&e); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	return res, nil
}

// finishMonth books a finished month.
func (s *Service) finishMonth(tx Tx, lineage []string, a *Attempt, now time.Time) ([]Entry, error) {
	month, err := s.Cal.Parse(a.Period)
	if err != nil {
		return nil, err
	}
	prog, err := tx.Progress(a.User, a.Period)
	if err != nil {
		return nil, err
	}
	if prog.StudyDone {
		return nil, nil
	}
	prog.StudyDone, prog.StudyAt, prog.Makeup = true, now.Unix(), a.Makeup
	prog.Flagged = a.Flagged // answered implausibly fast: the secretary's 答题过快
	if err := tx.PutProgress(a.User, a.Period, prog); err != nil {
		return nil, err
	}
	half, year := s.Cal.Half(month.Start), s.Cal.Year(month.Start)
	d := NodeStats{StudyDone: 1}
	if a.Flagged {
		d.Flagged = 1
	}
	if err := addTotals(tx, lineage, d, a.Period, half.Key(), year.Key()); err != nil {
		return nil, err
	}
	due := []Entry{{User: a.User, Ref: "month:" + a.Period, Rule: RuleMonthDone, Amount: s.Rules.Points.MonthDone,
		Period: a.Period, At: now.Unix()}}
	yp, err := tx.Progress(a.User, year.Key())
	if err != nil {
		return nil, err
	}
	yp.MonthsDone++
	if err := tx.PutProgress(a.User, year.Key(), yp); err != nil {
		return nil, err
	}
	if yp.MonthsDone == 12 {
		due = append(due, Entry{User: a.User, Ref: "year:" + year.Key(), Rule: RuleAllMonths, Amount: s.Rules.Points.AllMonths,
			Period: a.Period, At: now.Unix()})
	}
	return s.bookAll(tx, lineage, due)
}

// addTotals adds d to the totals of every node of lineage (a member's
// branch and its ancestors) for each period.
func addTotals(tx Tx, lineage []string, d NodeStats, periods ...string) error {
	for _, n := range lineage {
		for _, p := range periods {
			if err := tx.AddNodeStats(n, p, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// bookAll books entries and returns those booked now (not before).
func (s *Service) bookAll(tx Tx, lineage []string, due []Entry) ([]Entry, error) {
	var earned []Entry
	for i := range due {
		ok, err := s.book(tx, lineage, &due[i])
		if err != nil {
			return nil, err
		}
		if ok {
			earned = append(earned, due[i])
		}
	}
	return earned, nil
}

// countTest books a closed test. With several attempts the counted score
// follows the policy; points and totals move by the difference, so the
// ledger explains every change. Totals go to lineage (where the member is
// now), item statistics to answered (where the attempt was taken).
func (s *Service) countTest(tx Tx, lineage, answered []string, a *Attempt, now time.Time) ([]Entry, error) {
	quarter, err := s.Cal.Parse(a.Period)
	if err != nil {
		return nil, err
	}
	prog, err := tx.Progress(a.User, a.Period)
	if err != nil {
		return nil, err
	}
	old := prog
	prog.Attempts++
	if !prog.Tested || s.Rules.TestPolicy == Last || a.Score > prog.TestScore {
		prog.TestScore = a.Score
	}
	prog.Tested = true
	prog.Passed = prog.TestScore >= s.Rules.PassMark
	prog.Flagged = prog.Flagged || a.Flagged
	if err := tx.PutProgress(a.User, a.Period, prog); err != nil {
		return nil, err
	}

	d := NodeStats{ScoreSum: int64(prog.TestScore - old.TestScore)}
	if !old.Tested {
		d.TestTaken = 1
	}
	if prog.Passed && !old.Passed {
		d.Passed = 1
	} else if !prog.Passed && old.Passed {
		d.Passed = -1
	}
	if prog.Flagged && !old.Flagged {
		d.Flagged = 1 // a member-test flagged once, however many attempts
	}
	half, year := s.Cal.Half(quarter.Start), s.Cal.Year(quarter.Start)
	if err := addTotals(tx, lineage, d, a.Period, half.Key(), year.Key()); err != nil {
		return nil, err
	}
	for _, n := range answered {
		for i := range a.Items {
			it := &a.Items[i]
			st := ItemStats{}
			b := Band(a.Score)
			st.TestN[b] = 1
			if a.Responses[i].Right {
				st.TestRight[b] = 1
			}
			if err := tx.AddItemStats(n, it.StatKey(), st); err != nil {
				return nil, err
			}
		}
	}

	var due []Entry
	pts := s.Rules.Points.TestPoints(prog.TestScore) - s.Rules.Points.TestPoints(old.TestScore)
	if !old.Tested || pts != 0 {
		e := Entry{User: a.User, Ref: fmt.Sprintf("test:%s#%d", a.Period, a.N), Rule: RuleTestScore, Amount: pts,
			Period: a.Period, Score: prog.TestScore, Try: a.N, At: now.Unix()}
		if old.Tested {
			e.From = old.TestScore
		}
		due = append(due, e)
	}
	if prog.TestScore == 100 && old.TestScore != 100 {
		due = append(due, Entry{User: a.User, Ref: "perfect:" + a.Period, Rule: RulePerfect, Amount: s.Rules.Points.Perfect,
			Period: a.Period, Score: 100, At: now.Unix()})
	}
	return s.bookAll(tx, lineage, due)
}

// book appends a ledger entry and adds its amount to the member's half
// year and year totals, and to the year's point sum and star counts of
// every node in lineage. It returns false when the entry was booked before.
func (s *Service) book(tx Tx, lineage []string, e *Entry) (bool, error) {
	if e.Amount == 0 && e.Rule != RuleTestScore {
		return false, nil
	}
	ok, err := tx.AddEntry(e)
	if err != nil || !ok {
		return false, err
	}
	p, err := s.Cal.Parse(e.Period)
	if err != nil {
		return false, err
	}
	year := s.Cal.Year(p.Start).Key()
	for _, k := range []string{s.Cal.Half(p.Start).Key(), year} {
		prog, err := tx.Progress(e.User, k)
		if err != nil {
			return false, err
		}
		before := prog.Points
		prog.Points += e.Amount
		if err := tx.PutProgress(e.User, k, prog); err != nil {
			return false, err
		}
		if k != year {
			continue
		}
		d := NodeStats{PointSum: e.Amount}
		if from, to := Stars(before, s.Rules.Stars), Stars(prog.Points, s.Rules.Stars); from != to {
			if from > 1 {
				d.Stars[from-2]--
			}
			if to > 1 {
				d.Stars[to-2]++
			}
		}
		if err := addTotals(tx, lineage, d, year); err != nil {
			return false, err
		}
	}
	return true, nil
}

// MaxCorrection bounds one manual correction.
const MaxCorrection = 100

// Correct books a manual point correction for a member the viewer
// manages: an entry of its own in the ledger, with who made it and why.
// ref makes it idempotent (the bot uses the id of the dialog that asked).
func (s *Service) Correct(ctx context.Context, v Viewer, member int64, amount Points, reason, ref string) (*Entry, error) {
	if amount == 0 || amount > PointsOf(MaxCorrection) || amount < -PointsOf(MaxCorrection) {
		return nil, Errorf(Invalid, ReasonBadAmount)
	}
	if reason == "" {
		return nil, Errorf(Invalid, ReasonNoReason)
	}
	now := s.now()
	tree := s.Tree()
	var out *Entry
	err := s.Store.Update(ctx, func(tx Tx) error {
		u, err := managedMember(tx, tree, v, member)
		if err != nil {
			return err
		}
		e := &Entry{User: member, Ref: "fix:" + ref, Rule: RuleCorrection, Amount: amount,
			Period: s.Cal.Month(now).Key(), Note: reason, At: now.Unix(), By: v.ID}
		booked, err := s.book(tx, tree.Lineage(u.Branch), e)
		if err != nil {
			return err
		}
		if booked {
			// The member is told, with the reason.
			by := ""
			if v.User != nil {
				by = v.User.Name
			}
			// Admin: made by the organisation department (an admin not
			// acting as a secretary).
			ev := Event{Ref: fmt.Sprintf("fix:%d:%s", member, ref), Chat: member, Kind: EventCorrection, At: now,
				Points: amount, Note: reason, User: v.ID, Name: by, Admin: v.Admin && !v.User.IsSecretary()}
			if _, err := tx.Emit(&ev); err != nil {
				return err
			}
		}
		out = e
		return nil
	})
	return out, err
}
