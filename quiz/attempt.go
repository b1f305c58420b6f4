package quiz

import (
	"math"
	"sort"
	"time"

	"partyquiz/questions"
)

// Kind is what an attempt is for.
type Kind string

// Attempt kinds.
const (
	Study    Kind = "study"    // 每月一学: a month's practice, immediate feedback
	Test     Kind = "test"     // 季度一测: a quarter's test, scored at the end
	Practice Kind = "practice" // 错题本: practising the mistake book
)

// Item is one question as it was asked in an attempt: a snapshot, so that
// old results and reviews stay right after a bank changes. Options are in
// the order the member saw them, and Answer indexes that order.
type Item struct {
	Bank        string
	QID         string
	Hash        string
	Type        questions.Type
	Text        string
	Options     []string
	Answer      []int
	Accepted    []string
	Explanation string
	Source      string
	Mistake     bool // drawn from the member's mistake book
}

// Key identifies the question across attempts: "bank/id".
func (it *Item) Key() string { return it.Bank + "/" + it.QID }

// StatKey identifies the version of the question item statistics are kept
// for: a corrected question starts afresh.
func (it *Item) StatKey() string { return it.Key() + "@" + it.Hash }

// DupKey identifies the question for finding copies of it in other banks
// (questions.Question.DupKey): its kind, stem and options in any order.
func (it *Item) DupKey() string {
	q := questions.Question{Type: it.Type, Text: it.Text, Options: it.Options}
	return "dup:" + q.DupKey()
}

// AnswerText is the right answer as a member reads it.
func (it *Item) AnswerText() string {
	q := questions.Question{Type: it.Type, Options: it.Options, Answer: it.Answer, Accepted: it.Accepted}
	return q.AnswerText()
}

// Response is a member's answer to one item.
type Response struct {
	Done    bool      `json:"d,omitempty"`
	Choice  []int     `json:"c,omitempty"` // chosen options, ascending
	Text    string    `json:"t,omitempty"` // typed fill-in answer
	Right   bool      `json:"r,omitempty"`
	Credit  float64   `json:"p,omitempty"` // 0–1; partial credit for multiple choice when configured
	At      time.Time `json:"a,omitempty"`
	Seconds float64   `json:"s,omitempty"` // time since the question was shown
	Key     string    `json:"k,omitempty"` // what delivered the answer (a message), so a redelivery is known
}

// Attempt is one sitting: a month's study, a quarter's test, or a
// practice of the mistake book.
type Attempt struct {
	ID        uint64
	User      int64
	Kind      Kind
	Period    string // month key for study, quarter key for tests, "" for practice
	N         int    // 1 for the first attempt of this kind and period
	Branch    string // the member's branch when the attempt began
	Items     []Item
	Responses []Response
	Started   time.Time
	Deadline  time.Time // tests: when time runs out; zero otherwise
	Until     time.Time // answers after this instant do not count (period end or make-up end)
	Closed    bool
	ClosedAt  time.Time
	Score     int // 0–100, set when closed
	Right     int // items answered right
	Flagged   bool
	Makeup    bool
}

// Answered returns how many items have a response.
func (a *Attempt) Answered() int {
	n := 0
	for _, r := range a.Responses {
		if r.Done {
			n++
		}
	}
	return n
}

// Current returns the index of the first unanswered item, or len(Items)
// when all are answered.
func (a *Attempt) Current() int {
	for i, r := range a.Responses {
		if !r.Done {
			return i
		}
	}
	return len(a.Items)
}

// Complete reports whether every item is answered.
func (a *Attempt) Complete() bool { return a.Current() == len(a.Items) }

// ShownAt is when item i was put in front of the member: the previous
// answer, or the start of the attempt.
func (a *Attempt) ShownAt(i int) time.Time {
	t := a.Started
	for j := 0; j < i && j < len(a.Responses); j++ {
		if a.Responses[j].Done && a.Responses[j].At.After(t) {
			t = a.Responses[j].At
		}
	}
	return t
}

// Expired reports whether answers are no longer accepted at now.
func (a *Attempt) Expired(now time.Time) bool {
	if !a.Deadline.IsZero() && !now.Before(a.Deadline) {
		return true
	}
	return !a.Until.IsZero() && !now.Before(a.Until)
}

// Grade marks a response to an item: right or wrong, and its credit.
// Multiple choice is all-or-nothing unless partial is set; then a choice
// that includes a wrong option earns nothing and one missing right options
// earns the share it found.
func Grade(it *Item, r *Response, partial bool) {
	r.Right, r.Credit = false, 0
	switch it.Type {
	case questions.Fill:
		q := questions.Question{Type: it.Type, Accepted: it.Accepted}
		r.Right = q.MatchFill(r.Text)
	default:
		r.Right = equalInts(r.Choice, it.Answer)
		if !r.Right && partial && it.Type == questions.Multiple {
			found := 0
			for _, c := range r.Choice {
				if !containsInt(it.Answer, c) {
					found = 0
					break
				}
				found++
			}
			r.Credit = float64(found) / float64(len(it.Answer))
		}
	}
	if r.Right {
		r.Credit = 1
	}
}

// Tally returns the 0–100 score of the attempt's responses (unanswered
// items count as wrong) and the number answered right.
func (a *Attempt) Tally() (score, right int) {
	if len(a.Items) == 0 {
		return 0, 0
	}
	var credit float64
	for _, r := range a.Responses {
		if r.Done {
			credit += r.Credit
			if r.Right {
				right++
			}
		}
	}
	return int(math.Round(100 * credit / float64(len(a.Items)))), right
}

// TooFast reports whether the answers came implausibly fast: the median
// time per answered item is under minSeconds, over at least five answers.
func (a *Attempt) TooFast(minSeconds float64) bool {
	var secs []float64
	for _, r := range a.Responses {
		if r.Done {
			secs = append(secs, r.Seconds)
		}
	}
	if len(secs) < 5 || minSeconds <= 0 {
		return false
	}
	sort.Float64s(secs)
	m := secs[len(secs)/2]
	if len(secs)%2 == 0 {
		m = (secs[len(secs)/2-1] + secs[len(secs)/2]) / 2
	}
	return m < minSeconds
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}
