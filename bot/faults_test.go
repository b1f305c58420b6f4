package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
)

// TestTooManyRequestsStorm: Telegram answers 429 to every message for a
// while during a test; the bot waits retry_after and sends again: every
// answer is recorded once and every reply arrives once, in order.
func TestTooManyRequestsStorm(t *testing.T) {
	t.Parallel() // long, mostly waiting: beside the other long ones
	e := newEnv(t, withServer(telegramtest.Options{}), withPace(bot.Pace{}))
	u := e.member(1001, "周八", "qingshan")
	rec := e.record(u)
	e.startTest(u)
	a := e.openAttempt(1001)
	e.srv.Throttle(3*time.Second, 1)
	for i := 0; i < 8; i++ {
		e.answerCurrent(u, true)
	}
	e.waitAfter(u, 0, "第 9/20 题")
	if e.srv.TooManyRequests() == 0 {
		t.Fatal("the storm produced no 429")
	}
	if n := e.countDone(1001, a.ID); n != 8 {
		t.Errorf("%d answers recorded, want 8", n)
	}
	e.settle()
	checkOnce(t, rec, 9)
}

// TestBotAPIOutage: the Bot API is down for 30 seconds (by its clock)
// while a member answers; nothing is lost or doubled once it is back.
func TestBotAPIOutage(t *testing.T) {
	t.Parallel() // long, mostly waiting: beside the other long ones
	fake := telegramtest.NewManualClock(time.Now())
	e := newEnv(t, withServer(telegramtest.Options{DisablePacing: true, Clock: fake}))
	u := e.member(1001, "吴九", "qingshan")
	rec := e.record(u)
	e.startTest(u)
	a := e.openAttempt(1001)
	e.answerCurrent(u, true)
	q2 := e.questionMessage(u, 1)
	e.settle()
	e.srv.Outage(30*time.Second, telegramtest.OutageBadGateway)
	// During the outage the member presses; the update waits at Telegram.
	if _, err := u.PressOn(q2.ID, q2.Buttons[0][0].Text); err != nil {
		t.Fatal(err)
	}
	// A long poll that was already open may still deliver the press; its
	// replies then wait out the outage. Either way nothing is lost.
	time.Sleep(2 * time.Second)
	fake.Advance(30 * time.Second)
	e.waitAfter(u, 0, "第 3/20 题")
	if n := e.countDone(1001, a.ID); n != 2 {
		t.Errorf("%d answers after the outage, want 2", n)
	}
	// The answer's reply and the next question arrive once each.
	e.settle()
	checkOnce(t, rec, 3)
	e.answerCurrent(u, true)
	if n := e.countDone(1001, a.ID); n != 3 {
		t.Errorf("%d answers, want 3", n)
	}
}

// checkOnce checks that questions 1…n of the test were each shown once:
// sent as a message or edited into one (a test's question message becomes
// the next question), never twice.
func checkOnce(t *testing.T, rec *recorder, n int) {
	t.Helper()
	count := func() map[int]int {
		seen := map[int]int{}
		for _, m := range rec.shown() {
			if len(m.Buttons) == 0 || !isAnswerData(m.Buttons[0][0].Data) {
				continue
			}
			for i := 1; i <= n; i++ {
				if strings.Contains(m.Text, "第 "+strconv.Itoa(i)+"/20 题") {
					seen[i]++
				}
			}
		}
		return seen
	}
	// The recorder reads the member's event stream on its own: the last
	// question, already on the member's screen, may not have reached it.
	seen := count()
	for deadline := time.Now().Add(10 * time.Second); seen[n] == 0 && time.Now().Before(deadline); seen = count() {
		time.Sleep(10 * time.Millisecond)
	}
	for i := 1; i <= n; i++ {
		if seen[i] != 1 {
			t.Errorf("question %d shown %d times", i, seen[i])
		}
	}
}

// TestStormHoldsCallsTogether: during a 429 storm the calls waiting for 50
// chats are held back together — one probe per retry_after — instead of
// each retrying on its own and meeting the limit again in bursts; every
// message arrives once the storm ends.
func TestStormHoldsCallsTogether(t *testing.T) {
	t.Parallel() // long, mostly waiting: beside the other long ones
	e := newEnv(t, withServer(telegramtest.Options{DisablePacing: true}), withPace(bot.Pace{}))
	var users []*telegramtest.User
	for i := 0; i < 50; i++ {
		u := e.srv.NewUser(int64(5000+i), "群众")
		u.SendText("/start")
		users = append(users, u)
	}
	for _, u := range users {
		e.waitAfter(u, 0, "您好")
	}
	e.settle()
	e.srv.ResetStats()
	e.srv.Throttle(6*time.Second, 2)
	seqs := map[int64]int64{}
	for _, u := range users {
		seqs[u.ID()] = u.Seq()
		u.SendText("/help")
	}
	for _, u := range users {
		e.waitAfter(u, seqs[u.ID()], "邀请链接")
	}
	// The first calls of the storm meet it at once (up to one per chat);
	// after that, about one probe per 2 s instead of 50.
	if n := e.srv.TooManyRequests(); n > 100 { // each on its own: about 170
		t.Errorf("%d 429s for 50 chats in a 6 s storm: the calls retried each on its own", n)
	}
	t.Logf("%d 429s", e.srv.TooManyRequests())
}
