package bot_test

import (
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// startTest puts the clock in the test window and starts u's test.
func (e *env) startTest(u *telegramtest.User) {
	e.t.Helper()
	e.clock.Set(at(2026, 12, 5, 20, 0))
	e.send(u, "/test", "开始测试")
	e.press(u, "开始测试", "第 1/20 题")
}

// countDone counts the answered items of an attempt in the store.
func (e *env) countDone(user int64, id uint64) int {
	return e.attempt(user, id).Answered()
}

// TestRestartMidTest: the bot stops (cleanly, and again without warning
// in TestCrashMidTest in the main package) in the middle of a test; the
// member carries on where they were and every answer counts once.
func TestRestartMidTest(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "李四", "qingshan")
	e.startTest(u)
	for i := 0; i < 7; i++ {
		e.answerCurrent(u, true)
	}
	a := e.openAttempt(1001)
	e.restart()
	m := e.send(u, "/test", "继续测试")
	if !strings.Contains(m.Text, "已答 7/20 题") {
		t.Errorf("resume: %q", m.Text)
	}
	e.waitAfter(u, 0, "第 8/20 题")
	for i := 7; i < 20; i++ {
		e.answerCurrent(u, true)
	}
	e.waitAfter(u, 0, "测试已交卷")
	got := e.attempt(1001, a.ID)
	if !got.Closed || got.Answered() != 20 || got.Score != 100 {
		t.Errorf("after restart: closed %v answered %d score %d", got.Closed, got.Answered(), got.Score)
	}
	tests := 0
	for _, en := range e.ledger(1001) {
		if en.Rule == quiz.RuleTestScore {
			tests++
		}
	}
	if tests != 1 {
		t.Errorf("%d test entries in the ledger, want 1", tests)
	}
}

// TestDoubleTapAndForgery: a double-tapped button, a stale button from an
// earlier question, a forged button naming another member's attempt and
// garbage data change nothing and get a short answer.
func TestDoubleTapAndForgery(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "王五", "qingshan")
	v := e.member(1002, "赵六", "qingshan")
	// Tests start with single choice questions: buttons to press.
	e.startTest(u)
	e.startTest(v)
	a := e.openAttempt(1001)
	q1 := e.questionMessage(u, 0)
	label := q1.Buttons[0][0].Text

	// Two presses of the same button before the bot answers either.
	if _, err := u.PressOn(q1.ID, label); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressOn(q1.ID, label); err != nil {
		t.Fatal(err)
	}
	e.waitAfter(u, 0, "第 2/20 题")
	e.settle()
	if n := e.countDone(1001, a.ID); n != 1 {
		t.Fatalf("a double tap recorded %d answers", n)
	}
	if !e.waitToast(u, "这道题已经答过了") {
		t.Errorf("no toast for the second tap: %v", u.Toasts())
	}

	// The stale button of question 1 (its keyboard is gone; the data is
	// replayed as a client with an old message would).
	data := q1.Buttons[0][0].Data
	if _, err := u.PressData(q1.ID, data); err != nil {
		t.Fatal(err)
	}
	// Another member's attempt.
	b := e.openAttempt(1002)
	vq := e.questionMessage(v, 0)
	forged := vq.Buttons[0][0].Data // "a:<v's attempt>:0:0", pressed in u's chat
	q2 := e.questionMessage(u, 1)
	if _, err := u.PressData(q2.ID, forged); err != nil {
		t.Fatal(err)
	}
	// Garbage.
	for _, d := range []string{"a:zzzzzzzzzzzzzz:0:0", "a:1:999:0", "a", "x:1:2", "s:1:0:0", "m:1:0:9999"} {
		if _, err := u.PressData(q2.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	e.settle()
	time.Sleep(100 * time.Millisecond)
	if n := e.countDone(1001, a.ID); n != 1 {
		t.Errorf("forged presses changed u's attempt: %d answered", n)
	}
	if n := e.countDone(1002, b.ID); n != 0 {
		t.Errorf("u answered v's attempt: %d answered", n)
	}
	if !e.waitToast(u, "这不是您的题目") {
		t.Errorf("no toast for a forged press: %v", u.Toasts())
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(u.Answers()) < 9 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := len(u.Answers()); got < 9 {
		t.Errorf("only %d of 9 presses were answered", got)
	}
}

// waitToast waits (up to a generous deadline: toasts are answered off the
// handling path) for a toast containing want.
func (e *env) waitToast(u *telegramtest.User, want string) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !hasToast(u, want) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func hasToast(u *telegramtest.User, want string) bool {
	for _, s := range u.Toasts() {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// TestRedeliveredUpdates: Telegram delivers again what was not confirmed
// (a crash after handling, before confirming). Handling the same button
// press or the same typed answer twice records one answer, and a typed
// answer delivered again does not answer the next question.
func TestRedeliveredUpdates(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "郑十", "qingshan")
	e.startTest(u)
	a := e.openAttempt(1001)
	q1 := e.questionMessage(u, 0)

	press := tgbotapi.Update{UpdateID: 900001, CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "redelivered-1", From: &tgbotapi.User{ID: 1001, FirstName: "郑十"},
		Message: &tgbotapi.Message{MessageID: q1.ID, Chat: &tgbotapi.Chat{ID: 1001, Type: "private"}},
		Data:    q1.Buttons[0][0].Data,
	}}
	ctx := e.ctx()
	e.bot.HandleBatch(ctx, []tgbotapi.Update{press})
	e.bot.HandleBatch(ctx, []tgbotapi.Update{press})
	if n := e.countDone(1001, a.ID); n != 1 {
		t.Fatalf("a redelivered press recorded %d answers", n)
	}

	// Answer up to the first fill-in question, then deliver its typed
	// answer twice: the second must not answer the question after it.
	for e.openAttempt(1001).Items[e.openAttempt(1001).Current()].Type != questions.Fill {
		e.answerCurrent(u, true)
	}
	cur := e.openAttempt(1001)
	idx := cur.Current()
	typed := tgbotapi.Update{UpdateID: 900002, Message: &tgbotapi.Message{
		MessageID: 777777, From: &tgbotapi.User{ID: 1001, FirstName: "郑十"},
		Chat: &tgbotapi.Chat{ID: 1001, Type: "private"}, Date: int(time.Now().Unix()),
		Text: cur.Items[idx].Accepted[0],
	}}
	e.bot.HandleBatch(ctx, []tgbotapi.Update{typed})
	e.bot.HandleBatch(ctx, []tgbotapi.Update{typed})
	after := e.attempt(1001, a.ID)
	if !after.Responses[idx].Done || !after.Responses[idx].Right {
		t.Fatalf("the typed answer was not recorded: %+v", after.Responses[idx])
	}
	if idx+1 < len(after.Items) && after.Responses[idx+1].Done {
		t.Fatalf("a redelivered typed answer also answered the next question")
	}
	if got, want := after.Answered(), idx+1; got != want {
		t.Errorf("%d answered, want %d", got, want)
	}
}
