package bot_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// TestMemberJourney: invite → name → study → test → score → /me →
// review after the window, the way a member does it.
func TestMemberJourney(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")

	// The admin makes an invite link for a branch with the buttons.
	e.send(admin, "/invite", "请选择要邀请党员加入的党支部")
	e.press(admin, "📂 第一片区", "太平镇党委")
	e.press(admin, "📂 太平镇党委", "牛卯坪村党支部")
	link := e.press(admin, "牛卯坪村党支部", "https://t.me/")
	code := link.Text[strings.Index(link.Text, "start=")+len("start="):]
	code = strings.Fields(code)[0]

	u := e.srv.NewUser(1001, "张三")
	e.send(u, "/start "+code, "请发送您的真实姓名")
	e.send(u, "<b>张三</b>", "姓名只能包含汉字或字母")
	joined := e.send(u, "张三", "您已加入")
	if !strings.Contains(joined.Text, "牛卯坪村党支部") {
		t.Errorf("joined message: %q", joined.Text)
	}

	// 每月一学: the lesson, then ten questions with feedback.
	e.send(u, "/study", "第 1/10 题")
	if _, err := u.Wait(e.ctx(), func(m telegramtest.Message) bool { return strings.Contains(m.Text, "有效衔接与乡村振兴") }); err != nil {
		t.Errorf("November's lesson not shown: %v", err)
	}
	for i := 0; i < 10; i++ {
		e.answerCurrent(u, i%3 != 0)
	}
	done := e.waitAfter(u, 0, "本月学习完成")
	if !strings.Contains(done.Text, "答对 6/10 题") || !strings.Contains(done.Text, "+5") {
		t.Errorf("study result: %q", done.Text)
	}
	// Feedback shows the right answer and the explanation.
	fb, _ := u.Wait(e.ctx(), func(m telegramtest.Message) bool { return strings.Contains(m.Text, "回答错误") })
	if !strings.Contains(fb.Text, "正确答案") || !strings.Contains(fb.Text, "解析") || len(fb.Buttons) != 1 || fb.Buttons[0][0].Text != "答题纠错" {
		t.Errorf("feedback: %q %v", fb.Text, fb.Buttons)
	}
	e.send(u, "/study", "本月学习已完成")

	// Outside the window, /test says when it opens.
	e.send(u, "/test", "12月1日 至 12月31日")

	// 季度一测 in December: twenty questions, no feedback, the score.
	e.clock.Set(at(2026, 12, 5, 20, 0))
	e.send(u, "/test", "开始测试")
	e.press(u, "开始测试", "第 1/20 题")
	q1, _ := u.Wait(e.ctx(), func(m telegramtest.Message) bool { return strings.Contains(m.Text, "第 1/20 题") })
	if !strings.Contains(q1.Text, "剩余 30 分钟") {
		t.Errorf("time left not shown: %q", q1.Text)
	}
	for i := 0; i < 20; i++ {
		e.clock.Advance(20 * time.Second)
		e.answerCurrent(u, i < 17)
	}
	result := e.waitAfter(u, 0, "测试已交卷")
	if !strings.Contains(result.Text, "得分：85 分") && !strings.Contains(result.Text, "85") {
		t.Errorf("result: %q", result.Text)
	}
	for _, m := range u.Messages() {
		if regexp.MustCompile(`第 \d+/20 题`).MatchString(m.Text) && (strings.Contains(m.Text, "回答") || strings.Contains(m.Text, "解析") || strings.Contains(m.Text, "正确答案")) {
			t.Fatalf("a test question showed feedback during the window: %q", m.Text)
		}
	}
	e.send(u, "/test", "本季度测试已完成")

	// The record.
	me := e.send(u, "/me", "学习情况")
	for _, want := range []string{"张三", "11月 ✅", "85 分", "星级", "积分明细", "第 1 名"} {
		if !strings.Contains(me.Text, want) {
			t.Errorf("/me lacks %q:\n%s", want, me.Text)
		}
	}
	// Points: 5 for the month, 8.5 for the test.
	var total quiz.Points
	for _, en := range e.ledger(1001) {
		total += en.Amount
	}
	if total != quiz.PointsOf(13.5) {
		t.Errorf("ledger total %v, want 13.5", total)
	}

	// Answers stay hidden until the window closes.
	e.send(u, "/review", "测试结束后才能查看")
	e.clock.Set(at(2027, 1, 1, 9, 0))
	e.send(u, "/review", "请选择要查看的测试")
	rv := e.press(u, "2026年第四季度 · 85 分", "测试回顾")
	if !strings.Contains(rv.Text, "正确答案") || !strings.Contains(rv.Text, "解析") {
		t.Errorf("review: %q", rv.Text)
	}
}
