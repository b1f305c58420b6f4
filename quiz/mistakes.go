package quiz

import (
	"context"
	"errors"
	"sort"
	"time"
)

// LeitnerDays are the intervals of the mistake book's boxes: a missed
// question comes back after 1 day (box 0), then 3, 7, 14 and 30 days as it
// is answered right; answered right in the last box, it leaves the book.
var LeitnerDays = []int{1, 3, 7, 14, 30}

// Mistake is one question in a member's mistake book (错题本).
type Mistake struct {
	User   int64
	Key    string // "bank/id"
	Item   Item   // the question as it was missed
	Box    int    // 0 … len(LeitnerDays)-1
	Due    time.Time
	Misses int
	Added  time.Time
	// Test is the quarter of the last test in which the question was
	// missed, if any: until that test can no longer be taken (its window
	// and every make-up of it closed) the question is hidden from the
	// member — neither practised nor counted — so that no answer leaks.
	Test string
}

// Miss puts the question (back) into box 0, due a day later — or, for a
// test question, not before the test window closes, so that the book
// never shows an answer while others may still take the test.
func (m *Mistake) Miss(now, notBefore time.Time) {
	m.Box = 0
	m.Misses++
	m.Due = now.Add(24 * time.Hour * time.Duration(LeitnerDays[0]))
	if m.Due.Before(notBefore) {
		m.Due = notBefore
	}
}

// Hit records a right answer: the question moves up a box and comes back
// after that box's interval. It returns true when the question leaves the
// book (answered right in the last box).
func (m *Mistake) Hit(now time.Time) (leaves bool) {
	if m.Box >= len(LeitnerDays)-1 {
		return true
	}
	m.Box++
	m.Due = now.Add(24 * time.Hour * time.Duration(LeitnerDays[m.Box]))
	return false
}

// IsDue reports whether the question is due at now.
func (m *Mistake) IsDue(now time.Time) bool { return !now.Before(m.Due) }

// PracticeSize is how many questions one practice of the mistake book asks.
const PracticeSize = 10

// StartPractice returns a practice of the mistake book (错题本): the open
// one, or a new one of up to PracticeSize questions, due ones first, then
// the soonest due, so that a member can practise any time (practising a
// question before it is due does not move it up a box). Questions of a
// test that someone may still take are not in it.
func (s *Service) StartPractice(ctx context.Context, id int64) (*Attempt, error) {
	now := s.now()
	var out *Attempt
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		ids, err := tx.UserAttempts(id, Practice)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			last, err := tx.Attempt(ids[len(ids)-1])
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if last != nil && !last.Closed {
				out = last
				return nil
			}
		}
		ms, err := s.visibleMistakes(tx, id, now)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return Errorf(NotFound, ReasonNoMistakes)
		}
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Due.Before(ms[j].Due) })
		var items []Item
		for _, m := range ms {
			if len(items) == PracticeSize {
				break
			}
			it := m.Item
			it.Mistake = true
			items = append(items, it)
		}
		a := &Attempt{User: id, Kind: Practice, N: len(ids) + 1, Branch: u.Branch, Items: items,
			Responses: make([]Response, len(items)), Started: now}
		if err := tx.CreateAttempt(a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// visibleMistakes returns the questions of a member's mistake book that
// may be shown at now: all but those of a test someone may still take.
func (s *Service) visibleMistakes(tx Tx, id int64, now time.Time) ([]*Mistake, error) {
	ms, err := tx.Mistakes(id)
	if err != nil {
		return nil, err
	}
	rv := s.revealer(tx)
	out := ms[:0]
	for _, m := range ms {
		hidden, err := rv.hidden(m, now)
		if err != nil {
			return nil, err
		}
		if !hidden {
			out = append(out, m)
		}
	}
	return out, nil
}

// Book is where a member's mistake book stands.
type Book struct {
	Count     int       // questions that can be practised now
	Due       int       // of them, due for review now
	NextDue   time.Time // when the next one not yet due comes due (zero: none)
	Waiting   int       // questions of a test someone may still take
	WaitUntil time.Time // when the first of those comes (the test closes)
}

// MistakeBook says where the member's mistake book stands.
func (s *Service) MistakeBook(ctx context.Context, id int64) (Book, error) {
	var b Book
	err := s.Store.View(ctx, func(tx Tx) error {
		if _, err := member(tx, id); err != nil {
			return err
		}
		var err error
		b, err = s.mistakeBook(tx, id, s.now())
		return err
	})
	return b, err
}

func (s *Service) mistakeBook(tx Tx, id int64, now time.Time) (Book, error) {
	var b Book
	ms, err := tx.Mistakes(id)
	if err != nil {
		return b, err
	}
	rv := s.revealer(tx)
	for _, m := range ms {
		if m.Test != "" {
			at, err := rv.at(m.Test)
			if err != nil {
				return b, err
			}
			if now.Before(at) {
				b.Waiting++
				if b.WaitUntil.IsZero() || at.Before(b.WaitUntil) {
					b.WaitUntil = at
				}
				continue
			}
		}
		b.Count++
		switch {
		case m.IsDue(now):
			b.Due++
		case b.NextDue.IsZero() || m.Due.Before(b.NextDue):
			b.NextDue = m.Due
		}
	}
	return b, nil
}

// ClosePractice ends an open practice early (a member who leaves with
// /cancel); nothing is booked for practice.
func (s *Service) ClosePractice(ctx context.Context, id int64, attempt uint64) error {
	now := s.now()
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.Attempt(attempt)
		if err != nil {
			return err
		}
		if a.User != id || a.Kind != Practice || a.Closed {
			return nil
		}
		a.Closed, a.ClosedAt = true, now
		a.Score, a.Right = a.Tally()
		return tx.PutAttempt(a)
	})
}
