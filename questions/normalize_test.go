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

// TestNormalizeKeepsQuantities: normalising folds width, spaces and
// sentence punctuation, never a mark that changes a number or a quantity
// (issue 9, item 8). The answers are real ones: 党费 rates and bands from
// the 2008 规定 on party dues, and statistics.
func TestNormalizeKeepsQuantities(t *testing.T) {
	same := []struct{ a, b string }{
		{"0.5%", "０．５％"},        // full-width digits, point and percent
		{"1.5%", " 1.5 % "},     // spaces
		{"1.5%", "1.5%。"},       // a full stop after the answer
		{"2%", "2％"},            // full-width percent
		{"3000元以下", "3000 元以下"}, // 月收入 3000 元以下
		{"3000元以下", "3000元以下。"},
		{"按月交纳党费的0.5%", "按月交纳党费的 0.5%，"},
		{"-5", "−5"},   // minus sign U+2212
		{"-5", "－5"},   // full-width hyphen-minus
		{"1:2", "1：2"}, // full-width colon
		{"8:30", "8：30"},
		{"1/3", "1／3"}, // full-width slash
		{"1,2", "1，2"}, // a list of numbers, ASCII or Chinese comma
		{"1,2", "1、2"},
		{"5‰", "5 ‰"},
		{"20℃", "20 ℃"},
		{"p<0.05", "P < 0.05"},
		{"同比增长12.5%", "同比增长 12.5%！"},
		{"party", "party..."}, // sentence dots are still dropped
		{"第3.5节", "第 3.5 节"},
	}
	for _, tt := range same {
		if questions.Normalize(tt.a) != questions.Normalize(tt.b) {
			t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q: want equal", tt.a, questions.Normalize(tt.a), tt.b, questions.Normalize(tt.b))
		}
	}
	different := []struct{ a, b string }{
		{"1.5", "15"},  // decimal point
		{"0.5%", "5%"}, // 党费 rates
		{"1.5%", "15%"},
		{"0.5%", "0.5"}, // percent
		{"10%", "10"},
		{"1%", "1"},
		{"2%", "2"},
		{"5‰", "5"}, // per mille
		{"5‰", "5%"},
		{"-5", "5"},       // negative
		{"−3.2%", "3.2%"}, // 同比下降
		{"1:2", "12"},     // ratio
		{"8:30", "830"},   // time
		{"1/3", "13"},     // fraction
		{"1/4", "14"},
		{"2021-2025", "20212025"}, // a range of years
		{"3~5", "35"},
		{"1,2", "12"}, // a list of numbers
		{"5+2", "52"},
		{"1+1=2", "1+12"},
		{"p<0.05", "p>0.05"},
		{"p<0.05", "p005"},
		{"20℃", "20"}, // units
		{"30°", "30"},
		{"2×3", "23"},
		{"6÷2", "62"},
		{"3000元以下", "3000元以上"},
		{"平均数85.5", "平均数855"},
		{"标准差0.25", "标准差025"},
		{".5", "5"},
	}
	for _, tt := range different {
		if questions.Normalize(tt.a) == questions.Normalize(tt.b) {
			t.Errorf("Normalize(%q) == Normalize(%q) == %q: want different", tt.a, tt.b, questions.Normalize(tt.a))
		}
	}
}

// TestOptionsWithQuantitiesDiffer: options that differ only by a decimal
// point or a percent sign are different options, not duplicates.
func TestOptionsWithQuantitiesDiffer(t *testing.T) {
	bank := `id = "dangfei"
title = "党费"

[[question]]
id = "1"
type = "单选"
text = "月收入 3000 元以下（含 3000 元）的党员，每月交纳党费的比例是多少？"
options = ["0.5%", "5%", "1.5%", "15%"]
answer = "A"
explanation = "月工资收入 3000 元以下（含 3000 元）者，交纳月工资收入的 0.5%。"

[[question]]
id = "2"
type = "填空"
text = "月收入 3000 元以上至 5000 元（含 5000 元）者，交纳月收入的____。"
answer = "1%"
explanation = "3000 元以上至 5000 元（含 5000 元）者，交纳 1%。"
`
	f := questions.ParseFile("dangfei.toml", []byte(bank))
	if len(f.Problems) > 0 {
		t.Fatalf("refused: %v", f.Problems)
	}
	q := f.Bank.Question("2")
	for typed, want := range map[string]bool{"1%": true, "1 %": true, "１％": true, "1": false, "1.0%": false, "10%": false, "0.1%": false} {
		if got := q.MatchFill(typed); got != want {
			t.Errorf("MatchFill(%q) = %v, want %v", typed, got, want)
		}
	}
}
