package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// The tests of this file are issue 14's "what a newcomer hits": each
// drives the chat over the fake Bot API the way a user does and checks
// what the screen says.

// fillMember makes a member whose study has a fill-in question after the
// first (draws are random per store: of eight members one has, but for a
// chance of about 4 in a million), and answers their study through the
// chat up to it, so that a feedback with 答题纠错 is on the screen.
func (e *env) fillMember(node string) (*telegramtest.User, *quiz.Attempt) {
	e.t.Helper()
	for i := int64(0); i < 8; i++ {
		u := e.member(1001+i, "党员"+stems[i], node)
		sess, err := e.svc.StartStudy(context.Background(), u.ID())
		if err != nil {
			e.t.Fatal(err)
		}
		fill := -1
		for j := len(sess.Attempt.Items) - 1; j > 0; j-- {
			if sess.Attempt.Items[j].Type == questions.Fill {
				fill = j
			}
		}
		if fill < 0 {
			continue
		}
		e.send(u, "/study", "第 1/")
		for e.openAttempt(u.ID()).Current() < fill {
			e.answerCurrent(u, true)
		}
		return u, e.openAttempt(u.ID())
	}
	e.t.Fatal("no member with a fill-in question in their study")
	return nil, nil
}

// TestFlagKeepsTheQuestion: after 答题纠错 (/cancel, or the note sent) the
// question in progress is shown again and a typed fill-in answer counts.
func TestFlagKeepsTheQuestion(t *testing.T) {
	e := newEnv(t)
	u, a := e.fillMember("qingshan")
	idx := a.Current()
	stem := []rune(a.Items[idx].Text)[:4]
	e.settle()

	// /cancel instead of a note: the question in progress again.
	e.press(u, "答题纠错", "哪里有误")
	seq := u.Seq()
	e.send(u, "/cancel", "已退出")
	e.waitAfter(u, seq, "继续作答")
	e.waitAfter(u, seq, string(stem))
	e.settle()

	// The note: thanks, then the fill-in question again, ready for the
	// typed answer.
	e.press(u, "答题纠错", "哪里有误")
	seq = u.Seq()
	e.send(u, "选项表述不清", "已收到您的纠错反馈")
	again := e.waitAfter(u, seq, string(stem))
	if !strings.Contains(again.Text, "请直接发送您的答案") {
		t.Errorf("the question shown again does not ask for the answer: %s", again.Text)
	}
	seq = u.Seq()
	u.SendText(a.Items[idx].Accepted[0])
	e.waitAfter(u, seq, "回答正确")
	if got := e.attempt(u.ID(), a.ID); !got.Responses[idx].Done {
		t.Fatalf("the typed answer after a flag was not recorded")
	}
	if strings.Contains(after(u, seq), "请使用命令和按钮") {
		t.Errorf("the typed answer was refused:\n%s", after(u, seq))
	}
}

// TestFlagAfterTheLastQuestion: a flag on the last feedback, with nothing
// in progress, says what to do next.
func TestFlagAfterTheLastQuestion(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	e.send(u, "/study", "第 1/")
	for i := 0; i < 10; i++ {
		e.answerCurrent(u, true)
	}
	done := e.waitAfter(u, 0, "本月学习完成")
	if !strings.Contains(done.Text, "/mistakes") {
		t.Errorf("the study's end does not say what next: %s", done.Text)
	}
	e.settle()
	e.press(u, "答题纠错", "哪里有误")
	m := e.send(u, "解析有误", "已收到")
	seq := m.Seq
	e.waitAfter(u, seq-1, "发送 /study")
}

// TestNameStillWanted: a command sent while the bot asks a newcomer for
// their real name says the name is still wanted (not "您还没有加入党支部"),
// and /cancel drops the join.
func TestNameStillWanted(t *testing.T) {
	e := newEnv(t)
	u := e.srv.NewUser(1001, "新人")
	code := e.invite("qingshan", quiz.RoleMember)
	e.send(u, "/start "+code, "真实姓名")
	for _, cmd := range []string{"/study", "/help", "/me", "/start", "/branch"} {
		seq := u.Seq()
		m := e.send(u, cmd, "还差一步")
		if !strings.Contains(m.Text, "青山村党支部") || !strings.Contains(m.Text, "/cancel") {
			t.Errorf("%s: %s", cmd, m.Text)
		}
		if s := after(u, seq); strings.Contains(s, "您还没有加入党支部") || strings.Contains(s, "邀请链接") {
			t.Errorf("%s while joining told to get an invite:\n%s", cmd, s)
		}
	}
	e.send(u, "王小明", "您已加入")

	// /cancel drops the join: the newcomer is a stranger again.
	v := e.srv.NewUser(1002, "新人乙")
	e.send(v, "/start "+code, "真实姓名")
	e.send(v, "/cancel", "已放弃加入")
	e.send(v, "王小红", "您还没有加入党支部")
	if viewer, _ := e.svc.Viewer(context.Background(), 1002); viewer.User.IsMember() {
		t.Errorf("a cancelled join joined")
	}
}

// TestMeNotYetOpen: in January the first quarter's test reads 未开始 with
// the day it opens, never 未参加; in its window, 待参加 with its last day.
func TestMeNotYetOpen(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	e.clock.Set(at(2027, 1, 10, 10, 0))
	m := e.send(u, "/me", "测试成绩")
	line := lineWith(m.Text, "2027年第一季度")
	if !strings.Contains(line, "未开始") || !strings.Contains(line, "3月1日") || strings.Contains(line, "未参加") {
		t.Errorf("January's /me: %q\n%s", line, m.Text)
	}
	e.clock.Set(at(2027, 3, 10, 10, 0))
	m = e.send(u, "/me", "测试成绩")
	if line := lineWith(m.Text, "2027年第一季度"); !strings.Contains(line, "待参加") || !strings.Contains(line, "3月31日") {
		t.Errorf("March's /me: %q", line)
	}
	e.clock.Set(at(2027, 4, 2, 10, 0))
	m = e.send(u, "/me", "测试成绩")
	if line := lineWith(m.Text, "2027年第一季度"); !strings.Contains(line, "未参加") {
		t.Errorf("April's /me: %q", line)
	}
}

// TestPracticeSaysWhatNext: the end of a mistake-book round says what to
// do next.
func TestPracticeSaysWhatNext(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	e.engineStudy(1001, false, 10*time.Second) // every answer wrong: ten mistakes
	e.clock.Advance(24 * time.Hour)
	e.send(u, "/mistakes", "第 1/")
	a := e.openAttempt(1001)
	for i := 0; i < len(a.Items); i++ {
		e.answerCurrent(u, true)
	}
	done := e.waitAfter(u, 0, "本次错题练习完成")
	if !strings.Contains(done.Text, "/mistakes") && !strings.Contains(done.Text, "/me") {
		t.Errorf("the end of a round says nothing of what next: %s", done.Text)
	}
}

// TestAwaitsText: the bot says when it waits for typed text (so that
// partyquiz chat sends a typed "1" as text): a fill-in question, a real
// name, a flag's note — not a question with buttons, nor nothing at all.
func TestAwaitsText(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, a := e.fillMember("qingshan")
	if !e.bot.AwaitsText(ctx, u.ID()) {
		t.Errorf("a fill-in question in progress: not awaiting text")
	}
	e.answerCurrent(u, true)
	if b := e.attempt(u.ID(), a.ID); b.Current() < len(b.Items) && b.Items[b.Current()].Type != questions.Fill && e.bot.AwaitsText(ctx, u.ID()) {
		t.Errorf("a question with buttons: awaiting text")
	}
	e.settle()
	e.press(u, "答题纠错", "哪里有误")
	if !e.bot.AwaitsText(ctx, u.ID()) {
		t.Errorf("a flag's note: not awaiting text")
	}
	n := e.srv.NewUser(3001, "新人")
	e.send(n, "/start "+e.invite("qingshan", quiz.RoleMember), "真实姓名")
	if !e.bot.AwaitsText(ctx, n.ID()) {
		t.Errorf("a real name: not awaiting text")
	}
	if e.bot.AwaitsText(ctx, 4242) {
		t.Errorf("a chat with no dialog awaits text")
	}
}

// TestWaitingSaysTheLastDay: a test's questions wait for "12月31日 测试结束后",
// the test's last day, not the first instant after it (1月1日).
func TestWaitingSaysTheLastDay(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 12, 3, 10, 0))
	u := e.member(1001, "党员甲", "qingshan")
	e.engineTest(1001, 0)
	for _, cmd := range []string{"/mistakes", "/me"} {
		m := e.send(u, cmd, "测试结束后")
		if !strings.Contains(m.Text, "12月31日 测试结束后") || strings.Contains(m.Text, "1月1日") {
			t.Errorf("%s: %s", cmd, m.Text)
		}
	}
}
