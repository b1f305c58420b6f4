package questions_test

import (
	"testing"

	"partyquiz/questions"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ a, b string }{
		{"两不愁三保障", "两不愁,三保障"},      // ASCII comma
		{"两不愁三保障", "两不愁\uff0c三保障"}, // Chinese comma
		{"两不愁三保障", "两不愁、三保障。"},
		{"两不愁三保障", " 两不愁 三保障 "},
		{"“三会一课”", "三会一课"},
		{"《中国共产党章程》", "中国共产党章程"},
		{"1年", "１年"},   // full-width digit
		{"ABC", "ａｂｃ"}, // full-width letters, case
		{"5+2", "5+2"}, // full-width plus
		{"一超两不愁三保障", "一超·两不愁·三保障"}, // middle dot
		{"三个100%", "三个100%"},       // full-width percent
		{"党课", "党课\u200b"},         // zero-width space
		{"不忘初心牢记使命", "不忘初心\uff0c牢记使命\uff01"},
		{"不忘初心牢记使命", "不忘初心, 牢记使命!"},
		{"Party", "party..."},
		{"组织联建", "组织联建\uff1b"},
		{"组织联建", "(组织联建);"},
		{"组织联建", "\uff08组织联建\uff09"},
	}
	for _, tt := range tests {
		if questions.Normalize(tt.a) != questions.Normalize(tt.b) {
			t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q: want equal", tt.a, questions.Normalize(tt.a), tt.b, questions.Normalize(tt.b))
		}
	}
	different := []struct{ a, b string }{
		{"两不愁三保障", "两不愁四保障"},
		{"一年", "二年"},
		{"1年", "一年"}, // different characters are different answers: banks list both
		{"党课", "党棵"},
	}
	for _, tt := range different {
		if questions.Normalize(tt.a) == questions.Normalize(tt.b) {
			t.Errorf("Normalize(%q) == Normalize(%q): want different", tt.a, tt.b)
		}
	}
}

func TestMatchFill(t *testing.T) {
	q := &questions.Question{Type: questions.Fill, Accepted: []string{"两不愁三保障", "两不愁、三保障"}}
	for _, in := range []string{"两不愁三保障", "两不愁,三保障", "两不愁\uff0c三保障", "两不愁 三保障。"} {
		if !q.MatchFill(in) {
			t.Errorf("MatchFill(%q) = false, want true", in)
		}
	}
	for _, in := range []string{"", "  ", "。", "两不愁", "三保障两不愁"} {
		if q.MatchFill(in) {
			t.Errorf("MatchFill(%q) = true, want false", in)
		}
	}
}
