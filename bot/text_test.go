package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
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
// punctuation (，：；？！（）【】), not ASCII marks, outside HTML tags.
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
		case ',', ';', ':', '?', '!', '(', ')', '[', ']':
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
	// Every reason the engine can give, read from its source: the Reason
	// constants and any string literal passed to quiz.Errorf. A reason
	// without words reached users as 系统出了点问题 with an error logged
	// (a forged "mk:2026-13" did: bad_period had none).
	reasons := map[string]string{}
	files, err := filepath.Glob("../quiz/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("the engine's source: %v", err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if strings.HasPrefix(name.Name, "Reason") && i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							reasons[strings.Trim(lit.Value, `"`)] = fset.Position(lit.Pos()).String()
						}
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "Errorf" && len(n.Args) == 2 {
					if lit, ok := n.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						reasons[strings.Trim(lit.Value, `"`)] = fset.Position(lit.Pos()).String()
					}
				}
			}
			return true
		})
	}
	if len(reasons) < 30 {
		t.Fatalf("found only %d reasons in quiz/: %v", len(reasons), reasons)
	}
	for r, at := range reasons {
		if reasonText[r] == "" {
			t.Errorf("no words for %q (%s)", r, at)
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

// TestLongestQuestionFits: a question as long as the validator allows —
// eight long options (options are lines of the message and buttons carry
// only letters, so no option is held to a poll's 100 characters), and the
// explanation and source — fits one Telegram message when asked, when
// answered, and in the feedback; so does one without an explanation, whose
// feedback repeats the right options' text.
func TestLongestQuestionFits(t *testing.T) {
	cal, err := quiz.NewCalendar("")
	if err != nil {
		t.Fatal(err)
	}
	svc := quiz.NewService(nil, cal, quiz.DefaultRules(), time.Now, nil, nil)
	b := &Bot{svc: svc}
	for _, tt := range []struct {
		name        string
		optionRunes int
		answer      []int
		explain     bool
	}{
		{"explained", 300, []int{0, 1, 2, 3, 4, 5, 6, 7}, true},
		{"unexplained", 200, []int{0, 1}, false},
	} {
		opts := make([]string, questions.MaxOptions)
		for i := range opts {
			opts[i] = strings.Repeat("选", tt.optionRunes-1) + strconv.Itoa(i)
		}
		// Fill the budget the validator allows (checkSize) to the last character.
		budget := questions.MessageLimit - questions.MessageReserve
		for _, o := range opts {
			budget -= utf8.RuneCountInString(o) + 4
		}
		letters := ""
		for _, i := range tt.answer {
			letters += questions.Letter(i)
			if !tt.explain {
				budget -= utf8.RuneCountInString(opts[i]) + 4 // shown again as the right answer
			}
		}
		budget -= len(letters) + utf8.RuneCountInString("出处")
		text := strings.Repeat("<&", budget/4) // characters that grow when escaped
		expl := ""
		if tt.explain {
			expl = strings.Repeat("解", budget-utf8.RuneCountInString(text))
		} else {
			text += strings.Repeat("题", budget-utf8.RuneCountInString(text))
		}
		it := quiz.Item{Type: questions.Multiple, Text: text, Options: opts, Answer: tt.answer, Explanation: expl, Source: "出处"}
		q := questions.Question{Type: it.Type, Text: it.Text, Options: it.Options, Answer: it.Answer, Explanation: it.Explanation, Source: it.Source}
		if f := questions.ParseFile("x.toml", []byte(bankOf(q, letters))); len(f.Problems) > 0 {
			t.Fatalf("%s: the validator refuses the question: %v", tt.name, f.Problems)
		}
		// One character more and the validator refuses it.
		q.Text += "长"
		if f := questions.ParseFile("x.toml", []byte(bankOf(q, letters))); len(f.Problems) == 0 {
			t.Fatalf("%s: the validator accepts a question past the budget", tt.name)
		}
		a := &quiz.Attempt{Kind: quiz.Test, Period: "2026-Q4", Items: []quiz.Item{it, it}, Responses: make([]quiz.Response, 2),
			Deadline: time.Now().Add(30 * time.Minute)}
		wrong := quiz.Response{Done: true, Choice: []int{2, 3, 4, 5, 6, 7}}
		for name, s := range map[string]string{
			"asked":    b.questionText(a, 1, time.Now()),
			"feedback": b.feedbackText(a, 1, wrong),
			"answered": b.answeredTestText(a, 1, wrong),
		} {
			if n := visibleLen(s); n > maxMessage {
				t.Errorf("%s %s: %d characters, more than %d", tt.name, name, n, maxMessage)
			}
			if len(splitMessage(s)) != 1 {
				t.Errorf("%s %s: split", tt.name, name)
			}
		}
		fb := b.feedbackText(a, 1, wrong)
		if tt.explain != strings.Contains(fb, "解析") {
			t.Errorf("%s: feedback shows 解析 %v", tt.name, !tt.explain)
		}
		if !tt.explain && !strings.Contains(fb, "A. "+esc(opts[0])+"；B. "+esc(opts[1])) {
			t.Errorf("%s: feedback does not show the right options' text", tt.name)
		}
		a.Responses[1] = wrong
		review := b.reviewText(a)
		if tt.explain != strings.Contains(review, "解析：") {
			t.Errorf("%s: review shows 解析 %v", tt.name, !tt.explain)
		}
		if !tt.explain && !strings.Contains(review, "正确答案：A. "+esc(opts[0])) {
			t.Errorf("%s: review does not show the right options' text", tt.name)
		}
	}
}

// bankOf writes a bank file holding q, a multiple choice with the given
// answer letters.
func bankOf(q questions.Question, letters string) string {
	var s strings.Builder
	s.WriteString("id = \"b\"\ntitle = \"t\"\n\n[[question]]\nid = \"1\"\ntype = \"多选\"\n")
	s.WriteString("text = " + strconv.Quote(q.Text) + "\noptions = [")
	for i, o := range q.Options {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(strconv.Quote(o))
	}
	s.WriteString("]\nanswer = " + strconv.Quote(letters) + "\n")
	if q.Explanation != "" {
		s.WriteString("explanation = " + strconv.Quote(q.Explanation) + "\n")
	}
	s.WriteString("source = \"出处\"\n")
	return s.String()
}

// TestPeriodNames: periods as users read them (the engine keeps keys).
func TestPeriodNames(t *testing.T) {
	cal, _ := quiz.NewCalendar("Asia/Shanghai")
	for key, want := range map[string]string{"2026-11": "2026年11月", "2026-Q4": "2026年第四季度", "2026-H1": "2026年上半年", "2026": "2026年"} {
		p, err := cal.Parse(key)
		if err != nil {
			t.Fatal(err)
		}
		if got := PeriodName(p); got != want {
			t.Errorf("PeriodName(%s) = %q, want %q", key, got, want)
		}
	}
}

// TestBlanksPrompt: a 填空 with several blanks says how many and how to
// type them; one with a single blank asks as before.
func TestBlanksPrompt(t *testing.T) {
	cal, err := quiz.NewCalendar("")
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{svc: quiz.NewService(nil, cal, quiz.DefaultRules(), time.Now, nil, nil)}
	a := &quiz.Attempt{Kind: quiz.Study, Period: "2026-11", Items: []quiz.Item{
		{Type: questions.Fill, Text: "“三会”是____、____和____。", Accepted: []string{"支部党员大会|支部委员会|党小组会"}},
		{Type: questions.Fill, Text: "“一课”是____。", Accepted: []string{"党课", "党的课"}},
	}, Responses: make([]quiz.Response, 2)}
	if s := b.questionText(a, 0, time.Now()); !strings.Contains(s, "有 3 个空") {
		t.Errorf("three blanks: %s", s)
	}
	if s := b.questionText(a, 1, time.Now()); strings.Contains(s, "个空") || !strings.Contains(s, "请直接发送您的答案") {
		t.Errorf("one blank: %s", s)
	}
}
