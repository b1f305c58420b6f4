package quiz

import (
	"context"
	"errors"
	"partyquiz/questions"
	"time"
)

// AnswerResult is what recording an answer did.
type AnswerResult struct {
	Attempt  *Attempt
	Index    int
	Item     *Item
	Response Response
	Closed   bool    // the answer finished the attempt (or time had run out)
	Expired  bool    // time had run out: the answer was not recorded
	Earned   []Entry // ledger entries the answer earned
	Left     bool    // the question left the mistake book
}

// Answer records the member's answer to item idx of an attempt: options
// chosen (choice questions) or text typed (fill-in). Exactly one answer
// per item is ever recorded: a second one for the same item — a double
// tap, a redelivered update — gets a Conflict error and changes nothing;
// so does a forged or stale button (another member's attempt, an item
// that is not the current one, a closed attempt). key, if not empty,
// names what delivered the answer (a typed message): an answer whose key
// is already in the attempt is a redelivery, refused as answered, so a
// message delivered twice cannot answer the next question too.
func (s *Service) Answer(ctx context.Context, id int64, attempt uint64, idx int, choice []int, text, key string) (*AnswerResult, error) {
	now := s.now()
	tree := s.Tree()
	var res *AnswerResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = nil
		a, err := ownAttempt(tx, id, attempt)
		if err != nil {
			return err
		}
		if idx < 0 || idx >= len(a.Items) {
			return Errorf(Invalid, ReasonNotCurrent)
		}
		if a.Responses[idx].Done {
			return Errorf(Conflict, ReasonAnswered)
		}
		if key != "" {
			for _, r := range a.Responses {
				if r.Key == key {
					return Errorf(Conflict, ReasonAnswered)
				}
			}
		}
		if a.Closed {
			return Errorf(Conflict, ReasonClosed)
		}
		if a.Expired(now) {
			r, err := s.close(tx, tree, a, now)
			if err != nil {
				return err
			}
			r.Expired = true
			res = r
			return nil
		}
		if idx != a.Current() {
			return Errorf(Conflict, ReasonNotCurrent)
		}
		it := &a.Items[idx]
		r := Response{Done: true, At: now, Seconds: now.Sub(a.ShownAt(idx)).Seconds(), Key: key}
		if it.Type == questions.Fill {
			if questions.Normalize(text) == "" {
				return Errorf(Invalid, ReasonEmptyAnswer)
			}
			r.Text = text
		} else {
			c, err := checkChoice(it, choice)
			if err != nil {
				return err
			}
			r.Choice = c
		}
		Grade(it, &r, s.Rules.PartialCredit)
		a.Responses[idx] = r
		res = &AnswerResult{Attempt: a, Index: idx, Item: it, Response: r}

		// Item statistics describe study and tests: practising the
		// mistake book, where members see questions again and again, is
		// left out of them — from /mistakes, or mixed into a month's
		// study as 错题重练.
		if a.Kind != Practice && !it.Mistake {
			stat := ItemStats{Answers: 1}
			if r.Right {
				stat.Right = 1
			}
			for _, n := range tree.Lineage(a.Branch) {
				if err := tx.AddItemStats(n, it.StatKey(), stat); err != nil {
					return err
				}
			}
		}
		left, err := s.updateMistakes(tx, a, it, r, now)
		if err != nil {
			return err
		}
		res.Left = left
		if a.Complete() {
			cr, err := s.close(tx, tree, a, now)
			if err != nil {
				return err
			}
			res.Closed, res.Earned = true, cr.Earned
			return nil
		}
		return tx.PutAttempt(a)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func checkChoice(it *Item, choice []int) ([]int, error) {
	if len(choice) == 0 {
		return nil, Errorf(Invalid, ReasonEmptyAnswer)
	}
	seen := map[int]bool{}
	var out []int
	for _, c := range choice {
		if c < 0 || c >= len(it.Options) {
			return nil, Errorf(Invalid, ReasonBadChoice)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if it.Type != questions.Multiple && len(out) != 1 {
		return nil, Errorf(Invalid, ReasonBadChoice)
	}
	sortInts(out)
	return out, nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// updateMistakes keeps the mistake book: a miss goes in (or back to box
// 0); a right answer to a question in the book moves it up, or out.
func (s *Service) updateMistakes(tx Tx, a *Attempt, it *Item, r Response, now time.Time) (bool, error) {
	m, err := tx.Mistake(a.User, it.Key())
	if err != nil {
		return false, err
	}
	if !r.Right {
		if m == nil {
			m = &Mistake{User: a.User, Key: it.Key(), Added: now}
		}
		m.Item = *it
		m.Item.Mistake = false
		notBefore := time.Time{}
		if a.Kind == Test {
			// Hidden until nobody may take this test any more; due no
			// sooner than its window closes.
			m.Test, notBefore = a.Period, a.Until
		}
		m.Miss(now, notBefore)
		return false, tx.PutMistake(m)
	}
	// Only a review of a due mistake moves it up a box: practising early
	// is allowed but promotes nothing, and a test shows no answers.
	if m == nil || a.Kind == Test || !m.IsDue(now) {
		return false, nil
	}
	if hidden, err := s.revealer(tx).hidden(m, now); err != nil || hidden {
		return false, err
	}
	if m.Hit(now) {
		return true, tx.DeleteMistake(a.User, it.Key())
	}
	return false, tx.PutMistake(m)
}

// ownAttempt loads an attempt that must be the user's: a forged button
// naming another member's attempt gets Forbidden, an unknown one NotFound.
func ownAttempt(tx Tx, id int64, attempt uint64) (*Attempt, error) {
	a, err := tx.Attempt(attempt)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotFound, ReasonNotCurrent)
	}
	if err != nil {
		return nil, err
	}
	if a.User != id {
		return nil, Errorf(Forbidden, ReasonNotYours)
	}
	return a, nil
}

// Attempt returns one of the user's attempts.
func (s *Service) Attempt(ctx context.Context, id int64, attempt uint64) (*Attempt, error) {
	var out *Attempt
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := ownAttempt(tx, id, attempt)
		if err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
