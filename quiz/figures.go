package quiz

import (
	"math"
	"time"
)

// Figures are one node's figures for one period. Each figure has one
// definition, one label and the same value wherever it is shown — /branch,
// /rank, the rounds, the export, the dashboard — and counts a member only
// for what they could take part in: a month if they were a member before it
// ended, a test if they were a member before its window closed.
//
//	学习完成率      StudyRate  = StudyDone / StudyDue
//	参考率          TakeRate   = TestTaken / TestDue
//	参考人员平均分  TakenMean  = ScoreSum / TestTaken  (the mean of those who took it)
//	人均得分        DueMean    = ScoreSum / TestDue    (absence counts as 0: the ranking's mean)
//	及格率          PassRate   = Passed / TestDue      (absence counts as not passed)
//
// A figure whose denominator is 0 is NaN: nothing was owed, so there is
// nothing to show (never "1/0").
type Figures struct {
	Node     string
	Members  int64     // members of the node now
	Stats    NodeStats // the period's totals
	StudyDue int64     // member-months owed: each begun month × those who were members before it ended
	TestDue  int64     // member-tests owed: each opened test × those who were members before it closed
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// StudyRate is 学习完成率, 0–1 (more than 1 never: a make-up done for a
// month is counted once).
func (f Figures) StudyRate() float64 { return math.Min(1, ratio(f.Stats.StudyDone, f.StudyDue)) }

// TakeRate is 参考率, 0–1.
func (f Figures) TakeRate() float64 { return math.Min(1, ratio(f.Stats.TestTaken, f.TestDue)) }

// TakenMean is 参考人员平均分, 0–100: the mean score of those who took the
// tests.
func (f Figures) TakenMean() float64 { return ratio(f.Stats.ScoreSum, f.Stats.TestTaken) }

// DueMean is 人均得分, 0–100: the score sum over everyone who should have
// taken the tests, absence counting as 0.
func (f Figures) DueMean() float64 { return ratio(f.Stats.ScoreSum, f.TestDue) }

// PassRate is 及格率, 0–1: those who passed over those who should have
// taken the tests.
func (f Figures) PassRate() float64 { return math.Min(1, ratio(f.Stats.Passed, f.TestDue)) }

// figures computes a node's figures for period p at now from its member
// count, its totals for p and later, the members who joined after p ended
// (0 while p is not over).
func (s *Service) figures(node string, members int64, st NodeStats, p Period, now time.Time, later int64) Figures {
	f := Figures{Node: node, Members: members, Stats: st}
	owing := members - later // the members who joined before p ended
	if owing < 0 {
		owing = 0
	}
	months, tests := s.heldIn(p, now)
	switch p.Kind {
	case Month:
		// A member counted in owing joined before the month ended, so
		// owes it once it has begun.
		f.StudyDue = owing * int64(months)
	case Quarter:
		// Quarter keys count the test: owed once its window has opened.
		f.TestDue = owing * int64(tests)
	default:
		// A member who joined in month j (quarter q) of the period owes
		// the months from j (the tests from q) that have begun: summed,
		// owing × begun − Σ j. Those who joined before the period have
		// j = 0; those who joined after it are not in owing.
		f.StudyDue = max(0, owing*int64(months)-st.JoinMonths)
		f.TestDue = max(0, owing*int64(tests)-st.JoinQuarters)
	}
	return f
}

// joinStats are the counters a member who joined at t adds to the
// periods containing t: one more member joined in the month, quarter,
// half year and year, and the month's and quarter's index within the half
// and the year.
func (s *Service) joinStats(t time.Time) map[string]NodeStats { return JoinStats(s.Cal, t) }

// JoinStats are the counters a member who joined at t adds to the totals
// of the periods containing t (by period key), in calendar c.
func JoinStats(c Calendar, t time.Time) map[string]NodeStats {
	m, q, h, y := c.Month(t), c.Quarter(t), c.Half(t), c.Year(t)
	return map[string]NodeStats{
		m.Key(): {Joined: 1},
		q.Key(): {Joined: 1},
		h.Key(): {Joined: 1, JoinMonths: int64((m.N - 1) % 6), JoinQuarters: int64((q.N - 1) % 2)},
		y.Key(): {Joined: 1, JoinMonths: int64(m.N - 1), JoinQuarters: int64(q.N - 1)},
	}
}

// MemberTotals is what one member adds to the totals of every node of
// their lineage, by period key: their joining, every month finished and
// every test counted (with the half year and year containing it), and
// their points and stars of each year. The totals of a node are the sum
// of MemberTotals over its members; a move or a tree change moves a
// member's totals whole, and a check can compare the two.
func (s *Service) MemberTotals(u *User, progress map[string]Progress) map[string]NodeStats {
	out := map[string]NodeStats{}
	add := func(d NodeStats, keys ...string) {
		for _, k := range keys {
			out[k] = out[k].Add(d)
		}
	}
	if u.IsMember() {
		for k, d := range s.joinStats(u.Joined) {
			add(d, k)
		}
	}
	for key, p := range progress {
		per, err := s.Cal.Parse(key)
		if err != nil {
			continue
		}
		half, year := s.Cal.Half(per.Start).Key(), s.Cal.Year(per.Start).Key()
		switch per.Kind {
		case Month:
			if p.StudyDone {
				add(NodeStats{StudyDone: 1, Flagged: b2i(p.Flagged)}, key, half, year)
			}
		case Quarter:
			if p.Tested {
				add(NodeStats{TestTaken: 1, ScoreSum: int64(p.TestScore), Passed: b2i(p.Passed), Flagged: b2i(p.Flagged)}, key, half, year)
			}
		case Year:
			d := NodeStats{PointSum: p.Points}
			if st := Stars(p.Points, s.Rules.Stars); st > 1 {
				d.Stars[st-2] = 1
			}
			add(d, key)
		}
	}
	for k, d := range out {
		if d.IsZero() {
			delete(out, k)
		}
	}
	return out
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
