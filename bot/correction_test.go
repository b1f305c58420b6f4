package bot_test

import (
	"strings"
	"testing"

	"partyquiz/quiz"
)

// corrections counts a member's manual corrections in the ledger.
func (e *env) corrections(id int64) []quiz.Entry {
	var out []quiz.Entry
	for _, en := range e.ledger(id) {
		if en.Rule == quiz.RuleCorrection {
			out = append(out, en)
		}
	}
	return out
}

// TestCorrectionConfirmed: a point correction shows who, how many and why
// and is booked only on 确认调整 — once, however often it is pressed; the
// member is told, with the reason; 取消 books nothing.
func TestCorrectionConfirmed(t *testing.T) {
	e := newEnv(t)
	m := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "王书记", "qingshan")

	e.memberCard(sec, "党员甲")
	e.press(sec, "调整积分", "为 党员甲 调整的分数和原因")
	e.send(sec, "+200 太多", "格式不对")
	ask := e.send(sec, "+2 参加党史知识竞赛获奖", "请确认积分调整")
	for _, want := range []string{"党员甲", "青山村党支部", "+2", "参加党史知识竞赛获奖"} {
		if !strings.Contains(ask.Text, want) {
			t.Errorf("the confirmation lacks %q: %s", want, ask.Text)
		}
	}
	if n := len(e.corrections(1001)); n != 0 {
		t.Fatalf("booked before 确认调整: %d", n)
	}
	e.press(sec, "确认调整", "已为 党员甲 调整积分 +2")
	// A second press on the same confirmation books nothing more.
	before := len(sec.Answers())
	if _, err := sec.PressData(ask.ID, ask.Buttons[0][0].Data); err != nil {
		t.Fatal(err)
	}
	e.eventually("the second press answered", func() bool { return len(sec.Answers()) > before })
	e.settle()
	if got := e.corrections(1001); len(got) != 1 || got[0].Amount != quiz.PointsOf(2) || got[0].By != 2001 {
		t.Fatalf("corrections: %+v", got)
	}
	notice := e.waitAfter(m, 0, "积分调整")
	for _, want := range []string{"+2", "参加党史知识竞赛获奖", "王书记"} {
		if !strings.Contains(notice.Text, want) {
			t.Errorf("the member's notice lacks %q: %s", want, notice.Text)
		}
	}
	e.settle()
	if n := count(m, "积分调整"); n != 1 {
		t.Errorf("the member was told %d times", n)
	}

	// 取消 books nothing.
	e.memberCard(sec, "党员甲")
	e.press(sec, "调整积分", "调整的分数和原因")
	e.send(sec, "-1 重复计分更正", "请确认积分调整")
	e.press(sec, "取消", "积分没有变化")
	e.settle()
	if n := len(e.corrections(1001)); n != 1 {
		t.Errorf("取消 booked a correction: %d", n)
	}
}
