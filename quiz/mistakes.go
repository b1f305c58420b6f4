package quiz

import "time"

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
