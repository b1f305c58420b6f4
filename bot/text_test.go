package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// TestChinesePunctuation: every Chinese text a user reads uses Chinese
// punctuation (，：；？！（）), not ASCII marks, outside HTML tags.
func TestChinesePunctuation(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "text.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		lit, ok := node.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		// Chinese texts, and format strings that only join them ("%s：%s").
		if err != nil || (!strings.ContainsFunc(s, isHan) && !strings.Contains(s, "%s")) {
			return true
		}
		n++
		if bad := asciiPunct(s); bad != "" {
			t.Errorf("%s: ASCII %q in Chinese text %q", fset.Position(lit.Pos()), bad, s)
		}
		return true
	})
	if n < 100 {
		t.Fatalf("only %d Chinese texts found in text.go", n)
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// asciiPunct returns the first ASCII mark that should be Chinese.
func asciiPunct(s string) string {
	in := false
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '<':
			in = true
		case '>':
			in = false
		case ',', ';', ':', '?', '!', '(', ')':
			if in || (i+2 < len(rs) && r == ':' && rs[i+1] == '/' && rs[i+2] == '/') {
				continue
			}
			// A clock time's colon is ASCII: "%02d:%02d", "18:05".
			if r == ':' && i > 0 && i+1 < len(rs) && (rs[i-1] == 'd' || unicode.IsDigit(rs[i-1])) &&
				(rs[i+1] == '%' || unicode.IsDigit(rs[i+1])) {
				continue
			}
			return string(r)
		}
	}
	return ""
}

// TestReasonsWorded: every reason the engine gives has words.
func TestReasonsWorded(t *testing.T) {
	for _, r := range []string{"not_member", "no_questions", "outside_window", "no_attempts", "closed",
		"answered", "not_current", "not_yours", "bad_choice", "empty_answer", "review_later",
		"invite_unknown", "invite_expired", "bad_name", "node_unknown", "not_in_scope", "storage_full",
		"not_leaf", "no_mistakes"} {
		if reasonText[r] == "" {
			t.Errorf("no words for %q", r)
		}
	}
}

// TestSplitMessage: long texts split at lines, each part within the limit.
func TestSplitMessage(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		b.WriteString("<b>第" + strconv.Itoa(i) + "行</b>" + strings.Repeat("字", 30) + "\n")
	}
	parts := splitMessage(b.String())
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	total := 0
	for _, p := range parts {
		if visibleLen(p) > maxMessage {
			t.Errorf("a part of %d characters", visibleLen(p))
		}
		if strings.Count(p, "<b>") != strings.Count(p, "</b>") {
			t.Errorf("a split broke a tag")
		}
		total += strings.Count(p, "\n") + 1
	}
	if total != 300 {
		t.Errorf("%d lines after splitting, want 300", total)
	}
	if got := splitMessage("短"); len(got) != 1 || got[0] != "短" {
		t.Errorf("short text: %v", got)
	}
}

// TestLongestQuestionFits: a question as long as the validator allows,
// with eight options, explanation and source, fits one Telegram message
// when asked and when answered.
func TestLongestQuestionFits(t *testing.T) {
	cal, err := quiz.NewCalendar("")
	if err != nil {
		t.Fatal(err)
	}
	svc := quiz.NewService(nil, cal, quiz.DefaultRules(), time.Now, nil, nil)
	b := &Bot{svc: svc}
	opts := make([]string, questions.MaxOptions)
	for i := range opts {
		opts[i] = strings.Repeat("选", questions.MaxOptionRunes-1) + strconv.Itoa(i)
	}
	// Fill the budget the validator allows (checkSize) to the last character.
	budget := questions.MessageLimit - questions.MessageReserve
	for _, o := range opts {
		budget -= utf8.RuneCountInString(o) + 4
	}
	budget -= len("ABCDEFGH")
	text := strings.Repeat("<&", budget/4) // characters that grow when escaped
	expl := strings.Repeat("解", budget-utf8.RuneCountInString(text)-utf8.RuneCountInString("出处"))
	it := quiz.Item{Type: questions.Multiple, Text: text, Options: opts, Answer: []int{0, 1, 2, 3, 4, 5, 6, 7}, Explanation: expl, Source: "出处"}
	q := questions.Question{Type: it.Type, Text: it.Text, Options: it.Options, Answer: it.Answer, Explanation: it.Explanation, Source: it.Source}
	if f := questions.ParseFile("x.toml", []byte(bankOf(q))); len(f.Problems) > 0 {
		t.Fatalf("the validator refuses the question: %v", f.Problems)
	}
	a := &quiz.Attempt{Kind: quiz.Test, Period: "2026-Q4", Items: []quiz.Item{it, it}, Responses: make([]quiz.Response, 2),
		Deadline: time.Now().Add(30 * time.Minute)}
	r := quiz.Response{Done: true, Choice: []int{0, 1, 2, 3, 4, 5, 6, 7}}
	for name, s := range map[string]string{
		"asked":    b.questionText(a, 1, time.Now()),
		"feedback": b.feedbackText(a, 1, r),
		"answered": b.answeredTestText(a, 1, r),
	} {
		if n := visibleLen(s); n > maxMessage {
			t.Errorf("%s: %d characters, more than %d", name, n, maxMessage)
		}
		if len(splitMessage(s)) != 1 {
			t.Errorf("%s: split", name)
		}
	}
}

// bankOf writes a bank file holding q.
func bankOf(q questions.Question) string {
	var s strings.Builder
	s.WriteString("id = \"b\"\ntitle = \"t\"\n\n[[question]]\nid = \"1\"\ntype = \"多选\"\n")
	s.WriteString("text = " + strconv.Quote(q.Text) + "\noptions = [")
	for i, o := range q.Options {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(strconv.Quote(o))
	}
	s.WriteString("]\nanswer = \"ABCDEFGH\"\nexplanation = " + strconv.Quote(q.Explanation) + "\nsource = \"出处\"\n")
	return s.String()
}
