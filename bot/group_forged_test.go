package bot_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// TestMemberButtonForgedInGroup (issue 12, found by an audit; PRODUCT.md:
// "a forged or stale button press changing anything"). The only buttons
// the bot puts in a group are the contest's call to join (cj:…), so only
// those are matched there. A member who sends "ts:<quarter>" (the test's
// start button, whose data is just the quarter's key) on the call to join,
// in the group, is told the button is unknown: their test does not start
// in the group, the call to join keeps its 我要参加 for everyone, and the
// bot posts nothing there.
func TestMemberButtonForgedInGroup(t *testing.T) {
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
	if got := a.Answers()[n].Text; got != "无法识别这个按钮。" {
		t.Errorf("toast %q, want 无法识别这个按钮。", got)
	}

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

// TestJoinForgedFromPrivateChat (issue 12, found by an audit): 我要参加 is
// cj:<contest>:<team>, and contest ids are small sequential numbers.
// Someone who is not in the group, pressing forged "cj:<id>:0" on a bot
// message in their private chat, is told the button is unknown and does
// not become a player of that group's contest.
func TestJoinForgedFromPrivateChat(t *testing.T) {
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
	if got := outsider.Answers()[n].Text; got != "无法识别这个按钮。" {
		t.Errorf("toast %q, want 无法识别这个按钮。", got)
	}
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

// TestButtonsOutOfPlace is the permission table of buttons pressed where
// the bot never put them (issue 12; issue 9 item 12). In a group only the
// contest's call to join (cj:) is matched: every other callback prefix the
// bot has — a member's, a secretary's, an admin's, the contest console's
// — pressed there by a member, by the group's own secretary or by an
// admin is an unknown button, in a supergroup and in a basic group. cj:
// is unknown in a private chat; in a group it counts only for that
// group's own contest, only while it is not finished and only on its call
// to join. Each press is answered with its toast and nothing else: no
// message sent or edited in any chat, no test started, no dialog opened,
// no contest changed.
func TestButtonsOutOfPlace(t *testing.T) {
	e := newEnv(t, contestServer(false))
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	sec2 := e.secretary(60, "刘书记", "dasha")
	o := e.member(103, "赵五", "qingshan") // in 大沙镇's group, not in 太平镇's
	stranger := e.srv.NewUser(999, "路人")
	e.send(stranger, "/start", "您好")
	admin := e.srv.NewUser(adminID, "组织部")
	e.send(admin, "/start", "欢迎")
	e.clock.Set(at(2026, 12, 10, 10, 0)) // the fourth quarter's test window is open
	ctx := context.Background()

	g := e.groupOf(-1001000000091, "太平镇党员群", sec, a, admin) // a supergroup
	g2 := e.groupOf(-4091, "大沙镇党员群", sec2, o)               // a basic group
	if g.Type() != "supergroup" || g2.Type() != "group" {
		t.Fatalf("chat kinds %s, %s", g.Type(), g2.Type())
	}
	e.bind(g, sec)
	e.bind(g2, sec2)
	boundMsg := g.Last()   // a bot message in the group that is not a call to join
	boundMsg2 := g2.Last() // and one in the other group

	// A finished contest of this group, and one going on in the other.
	vSec, _ := e.svc.Viewer(ctx, sec.ID())
	vSec2, _ := e.svc.Viewer(ctx, sec2.ID())
	setup := quiz.ContestSetup{Source: quiz.FromMonth, Questions: 3, Seconds: 20}
	setup.Chat = g.ID()
	finished, err := e.svc.CreateContest(ctx, vSec, setup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FinishContest(ctx, finished.ID); err != nil {
		t.Fatal(err)
	}
	setup.Chat = g2.ID()
	elsewhere, err := e.svc.CreateContest(ctx, vSec2, setup)
	if err != nil {
		t.Fatal(err)
	}
	// This group's contest, opened by its secretary, calling to join.
	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "开始报名", "主持台")
	lobby := e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("我要参加") })
	here := e.activeContest(g.ID())
	e.eventually("the call to join recorded", func() bool { return e.contest(here.ID).Lobby == lobby.ID })
	e.settle()

	b36 := func(id uint64) string { return strconv.FormatUint(id, 36) }
	id, fin, other := b36(here.ID), b36(finished.ID), b36(elsewhere.ID)
	quarter := e.svc.Cal.Quarter(e.svc.Now()).Key()
	key := strconv.FormatInt(a.ID(), 36)
	inv := e.send(sec, "/invite niumaoping", "https://t.me/")
	invCode := strings.Fields(inv.Text[strings.Index(inv.Text, "start=")+6:])[0]
	e.settle()

	// Every callback prefix of the router but cj, with data shaped like
	// the real buttons'.
	private := []string{
		"a:1:0:0", "m:1:0:1", "s:1:0:1", "ts:" + quarter, "rv:1", "mk:2026-11", "mt:" + quarter,
		"rk:taiping", "yr:taiping", "iv:niumaoping:m", "mv:n",
		"br:taiping", "bm:niumaoping", "mb:" + key, "mk1:" + key + ":s:2026-11", "mk2:" + key + ":s:2026-11:7",
		"fx:" + key, "fxc:y:00000000", "fl:1:0", "pub:y:00000000", "bx:sanhui-yike", "bk:b:sanhui-yike",
		"ivx:" + invCode, "cs:go", "cb:sanhui-yike", "cc:" + id + ":start", "cc:" + id + ":stop", "cp:" + fin,
		"zz:1", "",
	}
	type press struct {
		who  *telegramtest.User
		in   *telegramtest.Group // nil: the presser's private chat
		msg  int
		data string
		want string
	}
	var table []press
	for _, d := range private {
		for _, u := range []*telegramtest.User{a, sec, admin} {
			table = append(table, press{u, g, lobby.ID, d, "无法识别这个按钮。"})
		}
		table = append(table, press{sec2, g2, boundMsg2.ID, d, "无法识别这个按钮。"})
	}
	for _, u := range []*telegramtest.User{a, o, sec, stranger, admin} {
		table = append(table, press{u, nil, u.Last().ID, "cj:" + id + ":0", "无法识别这个按钮。"})
	}
	table = append(table,
		press{a, g, lobby.ID, "cj:" + other + ":0", "无法识别这个按钮。"},   // the other group's contest
		press{o, g2, boundMsg2.ID, "cj:" + id + ":0", "无法识别这个按钮。"}, // this contest, from the other group
		press{a, g, lobby.ID, "cj:" + fin + ":0", "这场比赛已经结束了。"},    // this group's finished contest
		press{a, g, boundMsg.ID, "cj:" + id + ":0", "这个按钮已经失效了。"},  // not on the call to join
		press{a, g, lobby.ID, "cj", "无法识别这个按钮。"},
		press{a, g, lobby.ID, "cj:" + id, "无法识别这个按钮。"},
		press{a, g, lobby.ID, "cj:" + id + ":x", "无法识别这个按钮。"},
		press{a, g, lobby.ID, "cj:" + id + ":0:1", "无法识别这个按钮。"},
		press{a, g, lobby.ID, "cj:-1:0", "无法识别这个按钮。"},
		press{a, g, lobby.ID, "cj:zzzzzz:0", "无法识别这个按钮。"}, // no such contest
		// What the button is for: a member joins and scores; someone
		// who is not a member of the node plays as a guest.
		press{a, g, lobby.ID, "cj:" + id + ":0", "报名成功，祝您取得好成绩！"},
		press{stranger, g, lobby.ID, "cj:" + id + ":0", "报名成功，祝您取得好成绩！"},
	)

	watched := []*telegramtest.Chat{g.Chat, g2.Chat, a.Chat, sec.Chat, sec2.Chat, o.Chat, stranger.Chat, admin.Chat}
	ledger := len(e.ledger(a.ID()))
	for _, p := range table {
		where := p.who.Chat
		if p.in != nil {
			where = p.in.Chat
		}
		name := fmt.Sprintf("%q by %d in %s %d", p.data, p.who.ID(), where.Type(), where.ID())
		seqs := make([]int64, len(watched))
		for i, ch := range watched {
			seqs[i] = ch.Seq()
		}
		answers := len(p.who.Answers())
		updates, _, _, _ := e.metrics.Snapshot()
		var err error
		if p.in == nil {
			_, err = p.who.PressData(p.msg, p.data)
		} else {
			_, err = p.in.PressData(p.who, p.msg, p.data)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e.eventually("an answer to "+name, func() bool {
			u, _, _, _ := e.metrics.Snapshot()
			return len(p.who.Answers()) > answers && u > updates
		})
		e.settle()
		if got := p.who.Answers()[answers].Text; got != p.want {
			t.Errorf("%s: toast %q, want %q", name, got, p.want)
		}
		for i, ch := range watched {
			for _, m := range ch.Messages() {
				if m.Seq > seqs[i] {
					t.Errorf("%s: the bot sent or edited in chat %d: %q (buttons %+v)", name, ch.ID(), m.Text, m.Buttons)
				}
			}
		}
	}

	players := func(c uint64) map[int64]bool {
		ps, err := e.svc.ContestPlayers(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, p := range ps {
			out[p.User] = p.Scores
		}
		return out
	}
	if got := players(here.ID); len(got) != 2 || !got[a.ID()] || got[stranger.ID()] {
		t.Errorf("players of the group's contest (user: scores) = %v, want only 张三 scoring and the stranger as a guest", got)
	}
	if got := players(elsewhere.ID); len(got) != 0 {
		t.Errorf("players of the other group's contest = %v", got)
	}
	if got := players(finished.ID); len(got) != 0 {
		t.Errorf("players of the finished contest = %v", got)
	}
	if c := e.contest(here.ID); c.Phase != quiz.PhaseLobby || c.Paused {
		t.Errorf("the group's contest changed: phase %v, paused %v", c.Phase, c.Paused)
	}
	if c := e.contest(elsewhere.ID); c.Phase != quiz.PhaseLobby {
		t.Errorf("the other group's contest changed: phase %v", c.Phase)
	}
	if m, _ := g.Message(lobby.ID); !m.HasButton("我要参加") {
		t.Errorf("the call to join lost its button: %+v", m.Buttons)
	}
	for _, u := range []*telegramtest.User{a, sec, sec2, o, admin} {
		if open := openAttempts(t, e, u.ID()); open != 0 {
			t.Errorf("user %d has %d open attempts", u.ID(), open)
		}
		if d, _ := e.db.GetDialog(ctx, u.ID()); d != nil {
			t.Errorf("user %d has a dialog: %s", u.ID(), d)
		}
	}
	if gs := e.grants(a.ID()); len(gs) != 0 {
		t.Errorf("grants %+v", gs)
	}
	if n := len(e.ledger(a.ID())); n != ledger {
		t.Errorf("the ledger changed: %d entries, had %d", n, ledger)
	}
	if got, _, err := e.svc.PeekInvite(ctx, 4001, invCode); err != nil || got.Revoked {
		t.Errorf("the invite was revoked: %+v %v", got, err)
	}
	if n := e.metrics.Failures(); n != 0 {
		t.Errorf("%d internal errors", n)
	}
}

// openAttempts counts a user's attempts that are not closed.
func openAttempts(t *testing.T, e *env, user int64) int {
	t.Helper()
	n := 0
	for _, a := range e.attempts(user) {
		if !a.Closed {
			n++
		}
	}
	return n
}

// TestMemberCommandsInGroup: a command of the private chat sent in a
// group — a member's, a secretary's, an admin's, or one the bot does not
// know — starts nothing there: the bot answers once, in the group, that
// it is done in the private chat, and sends nothing to the sender.
func TestMemberCommandsInGroup(t *testing.T) {
	e := newEnv(t, contestServer(false))
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	admin := e.srv.NewUser(adminID, "组织部")
	e.send(admin, "/start", "欢迎")
	e.clock.Set(at(2026, 12, 10, 10, 0)) // the test window is open
	g := e.groupOf(-1001000000092, "太平镇党员群", sec, a, admin)
	e.bind(g, sec)
	code := e.invite("niumaoping", quiz.RoleMember)
	cmds := []struct {
		who  *telegramtest.User
		text string
	}{
		{a, "/study"}, {a, "/test"}, {a, "/me"}, {a, "/mistakes"}, {a, "/review"}, {a, "/year"},
		{a, "/start"}, {a, "/start " + code}, {a, "/help"}, {a, "/cancel"}, {a, "/study@" + e.bot.Username()},
		{a, "/nosuchcommand"},
		{sec, "/test"}, {sec, "/contest"}, {sec, "/invite niumaoping"}, {sec, "/branch"}, {sec, "/remind"},
		{sec, "/weak"}, {sec, "/export"},
		{admin, "/banks"}, {admin, "/study"},
	}
	for _, c := range cmds {
		seq, own := g.Seq(), c.who.Seq()
		g.SendText(c.who, c.text)
		m := e.waitChat(g.Chat, seq, "私聊", nil)
		e.settle()
		if len(m.Buttons) != 0 {
			t.Errorf("%s by %d: the pointer has buttons %+v", c.text, c.who.ID(), m.Buttons)
		}
		n := 0
		for _, m := range g.Messages() {
			if m.Seq > seq {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s by %d: %d messages in the group, want the one pointer", c.text, c.who.ID(), n)
		}
		if s := after(c.who, own); s != "" {
			t.Errorf("%s by %d in the group: sent to the private chat: %s", c.text, c.who.ID(), s)
		}
	}
	// Addressed to another bot, or not a command: no answer.
	seq := g.Seq()
	g.SendText(a, "/study@other_bot")
	g.SendText(a, "学习")
	e.settle()
	time.Sleep(200 * time.Millisecond)
	for _, m := range g.Messages() {
		if m.Seq > seq {
			t.Errorf("the bot answered chatter or another bot's command: %q", m.Text)
		}
	}
	for _, u := range []*telegramtest.User{a, sec, admin} {
		if open := openAttempts(t, e, u.ID()); open != 0 {
			t.Errorf("user %d has %d open attempts", u.ID(), open)
		}
		if d, _ := e.db.GetDialog(context.Background(), u.ID()); d != nil {
			t.Errorf("user %d has a dialog: %s", u.ID(), d)
		}
	}
	if n := e.metrics.Failures(); n != 0 {
		t.Errorf("%d internal errors", n)
	}
}
