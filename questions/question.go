package questions

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Type is the kind of a question, as written in a bank file.
type Type string

// The four question types.
const (
	Single    Type = "单选" // one right option
	Multiple  Type = "多选" // two or more right options, chosen as toggles
	TrueFalse Type = "判断" // right or wrong: options 对 and 错
	Fill      Type = "填空" // answered by typing
)

// Types lists the question types in the order reports show them.
var Types = []Type{Single, Multiple, TrueFalse, Fill}

// TrueFalseOptions are the two options of every 判断 question: index 0 is
// 对 (the statement is right), index 1 is 错.
var TrueFalseOptions = []string{"对", "错"}

// Limits a question must respect so that it fits Telegram when sent.
//
// Options are lines of the question's message and buttons carry only their
// letters, so an option is limited only by the whole message: a question
// with its options, answer, explanation and source must fit MessageLimit
// less MessageReserve.
const (
	MessageLimit   = 4096 // characters in one Telegram message
	MessageReserve = 300  // room the bot keeps for headers, progress and time left
	MaxOptionRunes = 100  // one option of a Telegram poll (sendPoll): banks' options are not held to it
	MaxOptions     = 8    // options A to H
	MaxAnswerRunes = 100  // one accepted fill-in answer (of one blank)
	MaxIDLen       = 32   // bank and question ids: A-Z a-z 0-9 _ -
	MaxTitleRunes  = 60   // a bank's title, shown in lists and buttons
)

// Difficulty grades a question: 0 when the author did not say.
type Difficulty int

// Difficulties.
const (
	Easy   Difficulty = 1 // 易
	Medium Difficulty = 2 // 中
	Hard   Difficulty = 3 // 难
)

// String returns 易, 中 or 难 (empty when unknown).
func (d Difficulty) String() string {
	switch d {
	case Easy:
		return "易"
	case Medium:
		return "中"
	case Hard:
		return "难"
	}
	return ""
}

// Question is one question of a bank.
//
// Choice questions (单选, 多选) and 判断 are answered by choosing options:
// Answer holds the indexes of the right options in Options (for 判断,
// Options is TrueFalseOptions). 填空 is answered by typing: Accepted holds
// the accepted answers as written, compared with Normalize; a 填空 with
// several blanks holds each accepted answer as its blanks joined by
// BlankSep ("支部党员大会|支部委员会|党小组会").
//
// Explanation may be empty: feedback then shows the right option's text.
// KeepOrder (shuffle = false in the file) keeps the options in the order
// they were written, for options that refer to others ("以上都是").
type Question struct {
	ID          string
	Type        Type
	Text        string
	Options     []string
	Answer      []int
	Accepted    []string
	Explanation string
	Source      string
	Topic       string
	Difficulty  Difficulty
	KeepOrder   bool

	key string // DupKey, computed when the question is read
}

// IsChoice reports whether the question is answered by choosing options.
func (q *Question) IsChoice() bool { return q.Type != Fill }

// Letter returns the label of option i: A, B, C, …
func Letter(i int) string { return string(rune('A' + i)) }

// AnswerText is the right answer as a member reads it: "B", "ACD", "对",
// or the first accepted fill-in answer.
func (q *Question) AnswerText() string {
	switch q.Type {
	case TrueFalse:
		if len(q.Answer) == 1 {
			return TrueFalseOptions[q.Answer[0]]
		}
	case Fill:
		if bs := q.Blanks(); len(bs) > 1 {
			parts := make([]string, len(bs))
			for i, b := range bs {
				parts[i] = strings.Join(b, " / ")
			}
			return strings.Join(parts, "；")
		}
		return strings.Join(q.Accepted, " / ")
	}
	var b strings.Builder
	for _, i := range q.Answer {
		b.WriteString(Letter(i))
	}
	return b.String()
}

// MatchFill reports whether a typed answer is one of the accepted ones. The
// blanks of a 填空 with several are typed in order, separated by spaces or
// punctuation (，、；|), or run together.
func (q *Question) MatchFill(typed string) bool {
	got := Normalize(typed)
	if got == "" {
		return false
	}
	for _, a := range q.Accepted {
		if strings.Contains(a, BlankSep) {
			if matchBlanks(typed, got, strings.Split(a, BlankSep)) {
				return true
			}
			continue
		}
		if Normalize(a) == got {
			return true
		}
	}
	return false
}

// Hash identifies the content of a question: two versions of a question
// with the same id and the same hash ask and grade the same thing.
func (q *Question) Hash() string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(string(q.Type))
	w(q.Text)
	for _, o := range q.Options {
		w(o)
	}
	w(q.AnswerText())
	w(q.Explanation)
	w(q.Source)
	w(q.Topic)
	w(q.Difficulty.String())
	if q.KeepOrder { // written only when set: older hashes stay as they were
		w("keep-order")
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Bank is one question bank (套): the contents of one file.
type Bank struct {
	ID        string
	Title     string
	Topic     string // default topic of its questions
	Source    string // default source of its questions
	File      string // where it was read from
	Builtin   bool   // built into the program (Builtin), not read from a folder or uploaded
	Questions []*Question

	// place gives, for Questions[i], where it was written (file, sheet,
	// line or row, in a Problem without a message) and how problems name
	// it ("第 3 题：", or "" in a spreadsheet, whose row says it); nil for
	// a bank not read from a file.
	place func(i int) (at Problem, where string)
}

// placeOf is place(i), or the bank's file.
func (b *Bank) placeOf(i int) (Problem, string) {
	if b.place == nil {
		return Problem{File: b.File}, ""
	}
	return b.place(i)
}

// Question returns the question with the given id, or nil.
func (b *Bank) Question(id string) *Question {
	for _, q := range b.Questions {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// CountByType returns how many questions of each type the bank holds.
func (b *Bank) CountByType() map[Type]int {
	m := map[Type]int{}
	for _, q := range b.Questions {
		m[q.Type]++
	}
	return m
}
