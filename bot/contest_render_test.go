package bot

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// TestQuestionMessages: every question goes out within Telegram's poll
// limits — a quiz poll for single choice and true/false, a poll with
// several answers for multiple choice, the stem first as a message when
// it does not fit the poll, an explanation cut to 200 characters and 2
// line feeds.
func TestQuestionMessages(t *testing.T) {
	b := &Bot{}
	long := strings.Repeat("党", 320)
	// A stem that fills the poll's 300 characters with its head, and one
	// character more.
	full := strings.Repeat("党", 300-utf8.RuneCountInString(fmt.Sprintf(txtPollHead, 1, 3, questions.Single)))
	tests := []struct {
		name     string
		it       quiz.Item
		stem     bool
		quiz     bool
		multi    bool
		letters  bool
		wantInQ  string
		wantExpl string
	}{
		{name: "single", it: quiz.Item{Type: questions.Single, Text: "“一课”是指？", Options: []string{"党课", "团课"}, Answer: []int{0},
			Explanation: "按期上好党课。"}, quiz: true, letters: true, wantInQ: "第 1/3 题【单选】“一课”是指？", wantExpl: "按期上好党课。"},
		{name: "true or false", it: quiz.Item{Type: questions.TrueFalse, Text: "每月一学。", Options: questions.TrueFalseOptions, Answer: []int{1}},
			quiz: true, wantInQ: "【判断】"},
		{name: "multiple", it: quiz.Item{Type: questions.Multiple, Text: "两不愁是？", Options: []string{"吃", "穿", "玩"}, Answer: []int{0, 1}},
			multi: true, letters: true, wantInQ: "（多选）"},
		{name: "long stem", it: quiz.Item{Type: questions.Single, Text: long, Options: []string{"甲", "乙"}, Answer: []int{1}},
			stem: true, quiz: true, letters: true, wantInQ: "题目见上一条消息"},
		{name: "stem at the poll's limit", it: quiz.Item{Type: questions.Single, Text: full, Options: []string{"甲", "乙"}, Answer: []int{1}},
			quiz: true, letters: true, wantInQ: "【单选】党党"},
		{name: "stem one past the poll's limit", it: quiz.Item{Type: questions.Single, Text: full + "党", Options: []string{"甲", "乙"}, Answer: []int{1}},
			stem: true, quiz: true, letters: true, wantInQ: "【单选】：题目见上一条消息"},
		{name: "long options keep no letters", it: quiz.Item{Type: questions.Single, Text: "问", Options: []string{strings.Repeat("长", 99), "短"}, Answer: []int{1}},
			quiz: true},
		{name: "long explanation", it: quiz.Item{Type: questions.Single, Text: "问", Options: []string{"甲", "乙"}, Answer: []int{0},
			Explanation: "一\n二\n三\n四\n" + strings.Repeat("解", 300)}, quiz: true, letters: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &quiz.Contest{Chat: -100, Setup: quiz.ContestSetup{Seconds: 20}, Items: []quiz.Item{tt.it, tt.it, tt.it}}
			stem, p := b.questionMessages(c, 0)
			if (stem != nil) != tt.stem {
				t.Errorf("stem message: %v, want %v", stem != nil, tt.stem)
			}
			if stem != nil && !strings.Contains(stem.Text, "党党党") {
				t.Errorf("stem = %q", stem.Text)
			}
			if n := utf8.RuneCountInString(p.Question); n < 1 || n > 300 || !strings.Contains(p.Question, tt.wantInQ) {
				t.Errorf("question (%d) = %q", n, p.Question)
			}
			for _, s := range []string{p.Question, p.Explanation} {
				if bad := typographyProblem(s); bad != "" {
					t.Errorf("the poll: %s", bad)
				}
			}
			if stem != nil {
				if bad := typographyProblem(stem.Text); bad != "" {
					t.Errorf("the stem: %s", bad)
				}
			}
			if p.IsAnonymous || p.OpenPeriod != 20 {
				t.Errorf("anonymous %v, open period %d", p.IsAnonymous, p.OpenPeriod)
			}
			if (p.Type == "quiz") != tt.quiz || p.AllowsMultipleAnswers != tt.multi {
				t.Errorf("type %q, multiple %v", p.Type, p.AllowsMultipleAnswers)
			}
			if tt.quiz && int(p.CorrectOptionID) != tt.it.Answer[0] {
				t.Errorf("correct option %d", p.CorrectOptionID)
			}
			if len(p.Options) != len(tt.it.Options) {
				t.Fatalf("options %v", p.Options)
			}
			for i, o := range p.Options {
				if n := utf8.RuneCountInString(o); n < 1 || n > 100 {
					t.Errorf("option %d has %d characters", i, n)
				}
				if got := strings.HasPrefix(o, questions.Letter(i)+". "); got != tt.letters {
					t.Errorf("option %q: letters %v, want %v", o, got, tt.letters)
				}
			}
			if n := utf8.RuneCountInString(p.Explanation); n > 200 || strings.Count(p.Explanation, "\n") > 2 {
				t.Errorf("explanation (%d) = %q", n, p.Explanation)
			}
			if tt.wantExpl != "" && p.Explanation != tt.wantExpl {
				t.Errorf("explanation = %q", p.Explanation)
			}
		})
	}
}
