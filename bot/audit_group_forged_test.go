package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// TestAuditForgedPressInGroup (audit of issue 12, "forged callback data in
// the group"; PRODUCT.md: "a forged or stale button press changing
// anything"). The only button the bot puts in a group is 我要参加 (cj:…),
// but the router hands a group's callback to every callback route, with
// the group as r.Chat. A member who sends "ts:<quarter>" (the test's
// start button, whose data is just the quarter's key) on the contest's
// call to join, in the group, makes the bot start their quarterly test in
// the group: it strips the call to join of its 我要参加 button for
// everyone and posts the member's first test question in the group.
func TestAuditForgedPressInGroup(t *testing.T) {
	e := newEnv(t, contestServer(false))
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	other := e.member(102, "李四", "niumaoping")
	e.clock.Set(at(2026, 12, 10, 10, 0)) // the fourth quarter's test window is open
	g := e.groupOf(-1001000000077, "太平镇党员群", sec, a, other)
	e.bind(g, sec)
	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "开始报名", "主持台")
	lobby := e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("我要参加") })
	before := len(g.Messages())

	quarter := e.svc.Cal.Quarter(e.svc.Now()).Key()
	n := len(a.Answers())
	if _, err := g.PressData(a, lobby.ID, "ts:"+quarter); err != nil {
		t.Fatal(err)
	}
	e.eventually("the forged press answered", func() bool { return len(a.Answers()) > n })
	e.settle()
	time.Sleep(300 * time.Millisecond)

	for _, m := range g.Messages() {
		if m.ID == lobby.ID && !m.HasButton("我要参加") {
			t.Errorf("a member's forged press in the group took 我要参加 off the call to join: buttons %+v", m.Buttons)
		}
	}
	for _, m := range g.Messages()[before:] {
		if m.FromBot && m.Poll == nil && !strings.Contains(m.Text, "有奖知识问答") {
			t.Errorf("a member's forged press in the group made the bot post there: %q (buttons %+v)", m.Text, m.Buttons)
		}
	}
	if c := e.activeContest(g.ID()); c.Phase != quiz.PhaseLobby {
		t.Logf("contest phase %v", c.Phase)
	}
	// Another member can still join.
	if _, err := g.PressOn(other, lobby.ID, "我要参加"); err != nil {
		t.Errorf("李四 cannot join any more: %v", err)
	}
}

// TestAuditForgedJoinFromElsewhere (audit of issue 12, forged callback
// data): 我要参加 is cj:<contest>:<team>, and contest ids are small
// sequential numbers; JoinContest never checks that the press came from
// the contest's group. Someone who is not in the group, pressing forged
// "cj:<id>:0" on any bot message in their private chat, becomes a player
// of that group's contest (and is listed on its leaderboard).
func TestAuditForgedJoinFromElsewhere(t *testing.T) {
	e := newEnv(t, contestServer(false))
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	outsider := e.member(102, "李四", "laowaping") // not in the group
	g := e.groupOf(-1001000000078, "太平镇党员群", sec, a)
	e.bind(g, sec)
	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "开始报名", "主持台")
	e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("我要参加") })
	c := e.activeContest(g.ID())

	msg := outsider.Last()
	n := len(outsider.Answers())
	if _, err := outsider.PressData(msg.ID, "cj:"+strconv.FormatUint(c.ID, 36)+":0"); err != nil {
		t.Fatal(err)
	}
	e.eventually("the forged press answered", func() bool { return len(outsider.Answers()) > n })
	e.settle()
	ps, err := e.svc.ContestPlayers(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.User == outsider.ID() {
			t.Errorf("a forged 我要参加 pressed in a private chat, outside the group, made %d a player of the group's contest: %+v", p.User, p)
		}
	}
}
