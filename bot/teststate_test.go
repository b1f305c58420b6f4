package bot_test

import (
	"strings"
	"testing"
	"time"
)

// TestMemberTestStateAsMe: wherever a member's test state is shown — /me,
// a secretary's member card, /branch's list of those who have not taken
// it — it reads the same: 未开始 with the day it opens before the window,
// 待参加 with its last day while it is open, 未参加 only once it has
// closed.
func TestMemberTestStateAsMe(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	card := func() string {
		e.t.Helper()
		e.send(sec, "/branch", "青山村党支部")
		e.press(sec, "管理党员（补学补考、调整积分）", "请选择党员")
		return lineWith(e.press(sec, "党员甲", "本季度测试").Text, "本季度测试")
	}
	steps := []struct {
		name        string
		now         time.Time
		quarter     string // the quarter's line on /me
		card, me    []string
		branch      string // /branch's list, "" for none
		notOnBranch string
	}{
		{"January, before the window", at(2027, 1, 10, 10, 0), "2027年第一季度",
			[]string{"未开始", "3月1日"}, []string{"未开始", "3月1日"}, "", "测试未参加"},
		{"March, in the window", at(2027, 3, 10, 10, 0), "2027年第一季度",
			[]string{"待参加", "3月31日"}, []string{"待参加", "3月31日", "/test"}, "本季度测试待参加（1 人，3月31日 截止）：党员甲", "测试未参加"},
		{"April, the first quarter closed", at(2027, 4, 10, 10, 0), "2027年第一季度",
			[]string{"未开始", "6月1日"}, []string{"未参加"}, "", "测试未参加"},
	}
	for _, s := range steps {
		e.clock.Set(s.now)
		c := card()
		for _, want := range s.card {
			if !strings.Contains(c, want) {
				t.Errorf("%s: the member card lacks %q: %q", s.name, want, c)
			}
		}
		if strings.Contains(c, "未参加") || strings.Contains(c, "/test") {
			t.Errorf("%s: the member card says the current quarter's test was missed, or tells the secretary to send /test: %q", s.name, c)
		}
		line := lineWith(e.send(u, "/me", "测试成绩").Text, s.quarter)
		for _, want := range s.me {
			if !strings.Contains(line, want) {
				t.Errorf("%s: /me lacks %q: %q", s.name, want, line)
			}
		}
		br := e.send(sec, "/branch", "青山村党支部").Text
		if s.branch != "" && !strings.Contains(br, s.branch) {
			t.Errorf("%s: /branch lacks %q:\n%s", s.name, s.branch, br)
		}
		if strings.Contains(br, s.notOnBranch) {
			t.Errorf("%s: /branch says %q:\n%s", s.name, s.notOnBranch, br)
		}
	}
}
