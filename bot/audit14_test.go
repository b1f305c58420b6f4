package bot_test

import (
	"strings"
	"testing"
)

// Audit of issue 14 ("a period not yet open reads 未开始, never 未参加"):
// the sibling of /me on a secretary's member card. In January the first
// quarter's test has not opened, yet the card says 本季度测试：未参加.
func TestAuditMemberCardNotYetOpen(t *testing.T) {
	e := newEnv(t)
	e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.clock.Set(at(2027, 1, 10, 10, 0))
	e.send(sec, "/branch", "青山村党支部")
	e.press(sec, "管理党员（补学补考、调整积分）", "请选择党员")
	card := e.press(sec, "党员甲", "本季度测试")
	line := lineWith(card.Text, "本季度测试")
	if strings.Contains(line, "未参加") || !strings.Contains(line, "未开始") {
		t.Errorf("January's member card, the quarter's test not yet open: %q", line)
	}
}
