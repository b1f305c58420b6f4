package quiz

import (
	"context"
	"partyquiz/questions"
	"time"
)

// StudySession is a member's study for a month.
type StudySession struct {
	Period  Period
	Attempt *Attempt
	Lesson  *questions.MonthPlan
	Done    bool // the month's study was already finished
}

// StartStudy returns this month's study for the member, creating it on the
// first call: K questions from the month's banks plus due mistakes. Later
// calls return the same attempt.
func (s *Service) StartStudy(ctx context.Context, id int64) (*StudySession, error) {
	now := s.now()
	month := s.Cal.Month(now)
	return s.startStudy(ctx, id, month, month.End, false)
}

func (s *Service) startStudy(ctx context.Context, id int64, month Period, until time.Time, makeup bool) (*StudySession, error) {
	now := s.now()
	sess := &StudySession{Period: month, Lesson: s.Lesson(month)}
	pool := s.pool(s.monthBanks(month))
	err := s.Store.Update(ctx, func(tx Tx) error {
		// Update may run this more than once: start from nothing each time.
		sess.Attempt, sess.Done = nil, false
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		prog, err := tx.Progress(id, month.Key())
		if err != nil {
			return err
		}
		sess.Done = prog.StudyDone
		atts, err := tx.Attempts(id, Study, month.Key())
		if err != nil {
			return err
		}
		for _, a := range atts {
			if !a.Closed || a.Complete() {
				sess.Attempt = a // resume the open one, or show the finished one
			}
		}
		if sess.Attempt != nil && (!sess.Attempt.Closed || sess.Done) {
			return nil
		}
		if sess.Done {
			return nil
		}
		if len(pool) == 0 {
			return Errorf(Unavailable, ReasonNoQuestions)
		}
		salt, err := tx.Salt()
		if err != nil {
			return err
		}
		n := len(atts) + 1
		items := Draw(DrawSeed(salt, id, Study, month.Key(), n), pool, s.Rules.StudyQuestions, nil)
		due, err := s.dueMistakes(tx, id, now, s.Rules.StudyMistakes, items)
		if err != nil {
			return err
		}
		items = append(items, due...)
		a := &Attempt{User: id, Kind: Study, Period: month.Key(), N: n, Branch: u.Branch,
			Items: items, Responses: make([]Response, len(items)), Started: now, Until: until, Makeup: makeup}
		if err := tx.CreateAttempt(a); err != nil {
			return err
		}
		sess.Attempt = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// dueMistakes returns up to n due questions of the mistake book that are
// not among items nor copies of them (nor of a test someone may still
// take), as items marked Mistake.
func (s *Service) dueMistakes(tx Tx, id int64, now time.Time, n int, items []Item) ([]Item, error) {
	if n <= 0 {
		return nil, nil
	}
	ms, err := s.visibleMistakes(tx, id, now)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{} // the month's questions, and their copies in other banks
	for _, it := range items {
		have[it.Key()] = true
		have[it.DupKey()] = true
	}
	var out []Item
	for _, m := range ms {
		if len(out) == n {
			break
		}
		if m.IsDue(now) && !have[m.Key] && !have[m.Item.DupKey()] {
			it := m.Item
			it.Mistake = true
			out = append(out, it)
		}
	}
	return out, nil
}
