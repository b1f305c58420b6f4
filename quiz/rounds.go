package quiz

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// A Round is a scheduled telling of everyone concerned: a month's study
// opening, a test window opening and closing, a half year's ranking, a
// year's stars, and the automatic reminders a few days before a month or
// a test window ends. The engine runs it (RunRound): it closes what must
// be closed first, then emits one event per member (and per secretary and
// admin for the tables), branch by branch, each with a Ref made from the
// round's Key, and marks the round done. A round run again after a crash
// half-way emits only what it had not.
type Round struct {
	Key    string // "month-open:2026-12"
	Kind   RoundKind
	Period Period
	At     time.Time // when it is due
}

// RoundKind is what a round tells.
type RoundKind string

// Round kinds.
const (
	RoundMonthOpen   RoundKind = "month-open"
	RoundTestOpen    RoundKind = "test-open"
	RoundTestClose   RoundKind = "test-close"
	RoundHalfEnd     RoundKind = "half-end"
	RoundYearEnd     RoundKind = "year-end"
	RoundRemindStudy RoundKind = "remind-study" // RemindDays before a month ends
	RoundRemindTest  RoundKind = "remind-test"  // RemindDays before a test window closes
)

// RoundCatchUp is how late a round may still run: a round missed while the
// bot was down runs when it comes back, but a new installation does not
// send last year's rounds.
const RoundCatchUp = 7 * 24 * time.Hour

// RoundHour is the hour of the day (in the configured zone) rounds are due.
const RoundHour = 9

// roundChunk is about how many members one transaction of a round serves.
const roundChunk = 1000

// dayAt is RoundHour on t's day.
func (s *Service) dayAt(t time.Time) time.Time {
	t = t.In(s.Cal.loc())
	return time.Date(t.Year(), t.Month(), t.Day(), RoundHour, 0, 0, 0, s.Cal.loc())
}

// Rounds lists the rounds due at now, oldest first (a member gets a
// quarter's result before the year's), done or not.
func (s *Service) Rounds(now time.Time) []Round {
	cal, rules := s.Cal, s.Rules
	var rs []Round
	add := func(kind RoundKind, p Period, t time.Time) {
		t = s.dayAt(t)
		if !t.After(now) && now.Sub(t) < RoundCatchUp {
			rs = append(rs, Round{Key: string(kind) + ":" + p.Key(), Kind: kind, Period: p, At: t})
		}
	}
	for _, m := range []Period{cal.Month(now), cal.Month(now).Prev(cal)} {
		add(RoundMonthOpen, m, m.Start)
		if d := rules.RemindDays; d > 0 {
			add(RoundRemindStudy, m, m.End.AddDate(0, 0, -d))
		}
	}
	for _, q := range []Period{cal.Quarter(now), cal.Quarter(now).Prev(cal)} {
		start, end := rules.TestWindowOf(cal, q)
		add(RoundTestOpen, q, start)
		add(RoundTestClose, q, end)
		if d := rules.RemindDays; d > 0 && end.AddDate(0, 0, -d).After(start) {
			add(RoundRemindTest, q, end.AddDate(0, 0, -d))
		}
	}
	h := cal.Half(now).Prev(cal)
	add(RoundHalfEnd, h, h.End)
	y := cal.Year(now).Prev(cal)
	add(RoundYearEnd, y, y.End)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].At.Before(rs[j].At) })
	return rs
}

// DueRounds returns the rounds due now that have not run, oldest first.
func (s *Service) DueRounds(ctx context.Context) ([]Round, error) {
	var out []Round
	err := s.Store.View(ctx, func(tx Tx) error {
		out = nil
		for _, r := range s.Rounds(s.now()) {
			done, err := tx.RoundDone(r.Key)
			if err != nil {
				return err
			}
			if !done {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// RunRound runs a round: for a test's close, a half year's or a year's end
// it first closes and scores every attempt whose time ran out, so that no
// member who finished is told they did not; then it emits the members'
// events branch by branch, the secretaries' and admins' tables, and marks
// the round done. An error leaves the round to run again: what it emitted
// stays, and is not emitted twice.
func (s *Service) RunRound(ctx context.Context, r Round) error {
	switch r.Kind {
	case RoundTestClose, RoundHalfEnd, RoundYearEnd:
		if err := s.closeExpiredBy(ctx, s.now()); err != nil {
			return err
		}
	case RoundRemindStudy, RoundRemindTest:
		// A reminder round caught up after the month or the test window
		// it reminds of is over (the bot was down over its day) tells no
		// one: it is marked done. One that ran in time but whose events
		// are still pending when the period ends is stopped by the
		// sender (ReminderDue).
		if !s.now().Before(s.remindEnd(r)) {
			return s.Store.Update(ctx, func(tx Tx) error { return tx.MarkRound(r.Key, s.now()) })
		}
	}
	tree := s.Tree()
	leaves := tree.Leaves(tree.Root())
	var counts map[string]int64
	if err := s.Store.View(ctx, func(tx Tx) (err error) {
		counts, err = tx.MemberCounts()
		return err
	}); err != nil {
		return err
	}
	reports := map[string][2]int{} // a node: members reminded, members not finished
	for start := 0; start < len(leaves); {
		end, n := start, int64(0)
		for end < len(leaves) && (end == start || n+counts[leaves[end]] <= roundChunk) {
			n += counts[leaves[end]]
			end++
		}
		chunk := leaves[start:end]
		local := map[string][2]int{}
		err := s.Store.Update(ctx, func(tx Tx) error {
			clear(local)
			for _, leaf := range chunk {
				if counts[leaf] == 0 {
					continue
				}
				if err := s.roundBranch(tx, r, leaf, local); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("round %s, branches %s…: %w", r.Key, chunk[0], err)
		}
		for leaf, c := range local {
			for _, node := range tree.Lineage(leaf) {
				x := reports[node]
				reports[node] = [2]int{x[0] + c[0], x[1] + c[1]}
			}
		}
		start = end
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := s.roundTables(tx, r, reports); err != nil {
			return err
		}
		return tx.MarkRound(r.Key, s.now())
	})
}

// closeExpiredBy closes every attempt whose time ran out by moment, and
// returns once the store holds none open: the sweeper may be closing some
// of them at the same time (both start when the bot comes back), so a
// pass that closed fewer than it asked for does not mean that none is
// left. Passes that close nothing while some remain (an attempt the
// engine does not see as expired) end in an error: the round is tried
// again later rather than telling members they did not take the test.
func (s *Service) closeExpiredBy(ctx context.Context, moment time.Time) error {
	for idle := 0; ; {
		var left []uint64
		if err := s.Store.View(ctx, func(tx Tx) (err error) {
			left, err = tx.Expiring(moment, 1)
			return err
		}); err != nil {
			return fmt.Errorf("expired attempts: %w", err)
		}
		if len(left) == 0 {
			return nil
		}
		closed, err := s.CloseExpired(ctx, 500)
		if err != nil {
			return fmt.Errorf("close expired attempts: %w", err)
		}
		if len(closed) > 0 {
			idle = 0
		} else if idle++; idle >= 3 {
			return fmt.Errorf("close expired attempts: attempt %d expired by %s stays open", left[0], moment.Format(time.RFC3339))
		}
	}
}

// roundBranch emits a round's events to the members of one branch, and
// counts its reminders in reports.
func (s *Service) roundBranch(tx Tx, r Round, branch string, reports map[string][2]int) error {
	now := s.now()
	users, err := tx.Members(branch)
	if err != nil {
		return err
	}
	var ranked map[int64]MemberStanding
	if r.Kind == RoundHalfEnd || r.Kind == RoundYearEnd {
		list, err := s.memberRanking(tx, branch, r.Period)
		if err != nil {
			return err
		}
		ranked = map[int64]MemberStanding{}
		for _, m := range list {
			ranked[m.User.ID] = m
		}
	}
	_, windowEnd := s.Rules.TestWindowOf(s.Cal, r.Period)
	rv := s.revealer(tx)
	for _, u := range users {
		if u.Unreachable {
			continue
		}
		e := Event{Ref: fmt.Sprintf("round:%s:%d", r.Key, u.ID), Chat: u.ID, At: now, Period: r.Period.Key()}
		switch r.Kind {
		case RoundMonthOpen:
			e.Kind = EventMonthOpen
		case RoundTestOpen:
			e.Kind, e.Until, e.Count = EventTestOpen, windowEnd, s.Rules.TestQuestions
		case RoundTestClose:
			if !u.Joined.Before(windowEnd) {
				continue // joined after the window closed: not theirs
			}
			p, err := tx.Progress(u.ID, r.Period.Key())
			if err != nil {
				return err
			}
			reveal, err := rv.at(r.Period.Key())
			if err != nil {
				return err
			}
			e.Kind, e.Tested, e.Score, e.Passed, e.Until = EventTestResult, p.Tested, p.TestScore, p.Passed, reveal
		case RoundHalfEnd:
			m, ok := ranked[u.ID]
			if !ok {
				continue // joined after the half year: not theirs
			}
			e.Kind, e.Points, e.Rank, e.Of = EventHalfResult, m.Points, m.Rank, len(ranked)
		case RoundYearEnd:
			m, ok := ranked[u.ID]
			if !ok {
				continue // joined after the year: not theirs
			}
			e.Kind, e.Points, e.Stars = EventYearResult, m.Points, m.Stars
		case RoundRemindStudy, RoundRemindTest:
			ok, err := s.reminder(tx, u, r, now, &e)
			if err != nil {
				return err
			}
			if !ok {
				continue // finished: nothing to remind
			}
			// Counted whether emitted now or by an earlier run of the
			// round cut short (Emit adds nothing then): the summary
			// tells of every reminder of the round, once.
			if _, err := tx.Emit(&e); err != nil {
				return err
			}
			c := reports[branch]
			c[0]++
			c[1]++
			reports[branch] = c
			continue
		default:
			return fmt.Errorf("round kind %q", r.Kind)
		}
		if _, err := tx.Emit(&e); err != nil {
			return err
		}
	}
	return nil
}

// reminder makes the event reminding u of what they have not finished for
// a reminder round; false when they have finished.
func (s *Service) reminder(tx Tx, u *User, r Round, now time.Time, e *Event) (bool, error) {
	e.Kind, e.Period = EventReminder, ""
	switch r.Kind {
	case RoundRemindStudy:
		p, err := tx.Progress(u.ID, r.Period.Key())
		if err != nil || p.StudyDone {
			return false, err
		}
		e.Period = r.Period.Key()
		atts, err := tx.Attempts(u.ID, Study, r.Period.Key())
		if err != nil {
			return false, err
		}
		for _, a := range atts {
			e.Right, e.Count = a.Answered(), len(a.Items)
		}
	default:
		p, err := tx.Progress(u.ID, r.Period.Key())
		if err != nil || p.Tested {
			return false, err
		}
		_, end := s.Rules.TestWindowOf(s.Cal, r.Period)
		e.Test, e.Until = r.Period.Key(), end
	}
	return true, nil
}

// remindEnd is when what a reminder round reminds of ends: its month's
// end, or its test window's close.
func (s *Service) remindEnd(r Round) time.Time {
	if r.Kind == RoundRemindTest {
		_, end := s.Rules.TestWindowOf(s.Cal, r.Period)
		return end
	}
	return r.Period.End
}

// ReminderDue returns what of a reminder, or of a reminder round's summary
// to a secretary, is still to be done at now, for the sender to check an
// event that waited in the outbox: the month of a reminder that has
// ended and the test of one whose window has closed are left out, and a
// summary of a round whose month or window is over is not to be sent. It
// returns false when nothing is left to tell; any other event is returned
// as it is, with true. A period it cannot read is kept.
func (s *Service) ReminderDue(e Event, now time.Time) (Event, bool) {
	over := func(key string, test bool) bool {
		p, err := s.Cal.Parse(key)
		if err != nil {
			return false
		}
		end := p.End
		if test {
			_, end = s.Rules.TestWindowOf(s.Cal, p)
		}
		return !now.Before(end)
	}
	switch e.Kind {
	case EventReminder:
		if e.Period != "" && over(e.Period, false) {
			e.Period, e.Right, e.Count = "", 0, 0
		}
		if e.Test != "" && over(e.Test, true) {
			e.Test, e.Until = "", time.Time{}
		}
		return e, e.Period != "" || e.Test != ""
	case EventRemindReport:
		if e.Test != "" {
			return e, !over(e.Test, true)
		}
		return e, !over(e.Period, false)
	}
	return e, true
}

// roundTables emits a round's tables: each secretary their nodes', each
// admin the whole tree's.
func (s *Service) roundTables(tx Tx, r Round, reports map[string][2]int) error {
	var kind EventKind
	switch r.Kind {
	case RoundTestClose:
		kind = EventTestTable
	case RoundHalfEnd:
		kind = EventHalfTable
	case RoundYearEnd:
		kind = EventYearTable
	case RoundRemindStudy, RoundRemindTest:
		kind = EventRemindReport
	default:
		return nil
	}
	now := s.now()
	tree := s.Tree()
	table := func(chat int64, node string, admin bool, ref string) error {
		e := Event{Ref: ref, Chat: chat, Kind: kind, At: now, Period: r.Period.Key(), Node: node, Admin: admin}
		switch kind {
		case EventTestTable:
			f, err := s.nodeFigures(tx, node, r.Period, now)
			if err != nil {
				return err
			}
			e.Figures = &f
		case EventRemindReport:
			c := reports[node]
			if c[1] == 0 {
				return nil // nobody under the node had anything left
			}
			e.Count, e.Of = c[0], c[1]
			if r.Kind == RoundRemindTest {
				e.Test = r.Period.Key()
				_, e.Until = s.Rules.TestWindowOf(s.Cal, r.Period)
			}
		}
		_, err := tx.Emit(&e)
		return err
	}
	var secs []*User
	if err := tx.ForEachUser(func(u *User) error {
		if u.IsSecretary() && !u.Unreachable {
			secs = append(secs, u)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, u := range secs {
		for _, node := range u.Secretary {
			if tree.Node(node) == nil {
				continue
			}
			if err := table(u.ID, node, false, fmt.Sprintf("round:%s:table:%d:%s", r.Key, u.ID, node)); err != nil {
				return err
			}
		}
	}
	if kind == EventRemindReport {
		return nil // admins are not sent every node's reminders
	}
	for _, id := range s.AdminIDs() {
		if err := table(id, tree.Root(), true, fmt.Sprintf("round:%s:admin:%d", r.Key, id)); err != nil {
			return err
		}
	}
	return nil
}

// RemindResult is what a reminder asked for by a secretary did.
type RemindResult struct {
	Queued      int // members reminded now
	Again       int // members reminded already today (at most once a day, whoever asks)
	Unreachable int // members who blocked the bot: tell them in person
}

// Remind reminds every member under node (one the viewer manages; "" for
// their first) who has not finished this month's study or, while its
// window is open, this quarter's test: an EventReminder each, at most one
// a day per member, in the transaction that decides who has not finished.
func (s *Service) Remind(ctx context.Context, v Viewer, node string) (RemindResult, error) {
	var res RemindResult
	node, err := s.scope(v, node)
	if err != nil {
		return res, err
	}
	now := s.now()
	tree := s.Tree()
	month, quarter := s.Cal.Month(now), s.Cal.Quarter(now)
	start, end := s.Rules.TestWindowOf(s.Cal, quarter)
	testOpen := !now.Before(start) && now.Before(end)
	day := now.In(s.Cal.loc()).Format("2006-01-02")
	for _, leaf := range tree.Leaves(node) {
		var r RemindResult
		err := s.Store.Update(ctx, func(tx Tx) error {
			r = RemindResult{}
			rows, err := s.memberRows(tx, leaf, now)
			if err != nil {
				return err
			}
			for _, row := range rows {
				study, test := !row.Month.StudyDone, testOpen && !row.Quarter.Tested
				if !study && !test {
					continue
				}
				if row.User.Unreachable {
					r.Unreachable++
					continue
				}
				e := Event{Ref: fmt.Sprintf("remind:%s:%d", day, row.User.ID), Chat: row.User.ID, Kind: EventReminder, At: now}
				if study {
					e.Period, e.Right, e.Count = month.Key(), row.Answered, row.Total
				}
				if test {
					e.Test, e.Until = quarter.Key(), end
				}
				ok, err := tx.Emit(&e)
				if err != nil {
					return err
				}
				if ok {
					r.Queued++
				} else {
					r.Again++
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Queued += r.Queued
		res.Again += r.Again
		res.Unreachable += r.Unreachable
	}
	return res, nil
}
