package bot_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
	"partyquiz/store"
)

// contestServer runs the fake Bot API on the engine's clock, so that a
// poll's open_period, a 429 storm and message dates move with the
// contest's own schedule.
func contestServer(pacing bool) envOption {
	return func(e *env) {
		withServer(telegramtest.Options{Clock: e.clock, DisablePacing: !pacing})(e)
	}
}

// waitChat waits for a bot message in ch changed after seq that contains
// want and satisfies ok (nil: any).
func (e *env) waitChat(ch *telegramtest.Chat, seq int64, want string, ok func(telegramtest.Message) bool) telegramtest.Message {
	e.t.Helper()
	m, err := ch.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool {
		text := m.Text
		if m.Poll != nil {
			text = m.Poll.Question
		}
		return strings.Contains(text, want) && (ok == nil || ok(m))
	})
	if err != nil {
		var b strings.Builder
		for _, m := range ch.Messages() {
			b.WriteString(m.Text)
			if m.Poll != nil {
				b.WriteString("[poll] " + m.Poll.Question)
			}
			b.WriteString("\n")
		}
		e.t.Fatalf("waiting for %q in chat %d: %v\nchat so far:\n%s", want, ch.ID(), err, b.String())
	}
	if m.Poll == nil {
		checkClean(e.t, m)
	}
	return m
}

// groupOf makes a group with the given members in it.
func (e *env) groupOf(id int64, title string, members ...*telegramtest.User) *telegramtest.Group {
	g := e.srv.NewGroup(id, title)
	g.Join(members...)
	return g
}

// bind binds g as sec (a secretary) and waits for the bot's answer.
func (e *env) bind(g *telegramtest.Group, sec *telegramtest.User) {
	e.t.Helper()
	seq := g.Seq()
	g.SendText(sec, "/bind")
	e.waitChat(g.Chat, seq, "本群已绑定", nil)
}

// activeContest returns the contest in progress in chat.
func (e *env) activeContest(chat int64) *quiz.Contest {
	e.t.Helper()
	var out *quiz.Contest
	e.eventually("a contest in progress", func() bool {
		cs, err := e.svc.ActiveContests(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, c := range cs {
			if c.Chat == chat {
				out = c
			}
		}
		return out != nil
	})
	return out
}

// contest reads a contest.
func (e *env) contest(id uint64) *quiz.Contest {
	e.t.Helper()
	c, err := e.svc.Contest(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// answersOf waits until contest id has n answers recorded for question q
// and returns all its answers.
func (e *env) answersOf(id uint64, q, n int) []quiz.ContestAnswer {
	e.t.Helper()
	var all []quiz.ContestAnswer
	e.eventually("answers recorded", func() bool {
		var err error
		all, err = e.svc.ContestAnswersOf(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		k := 0
		for _, a := range all {
			if a.Q == q {
				k++
			}
		}
		return k >= n
	})
	return all
}

// pollOf waits for question q's poll in the group (the newest poll asking it).
func (e *env) pollOf(g *telegramtest.Group, q, n int) telegramtest.Message {
	e.t.Helper()
	return e.pollAfter(g, q, n, 0)
}

// pollAfter waits for a poll asking question q in a message after msg.
func (e *env) pollAfter(g *telegramtest.Group, q, n, msg int) telegramtest.Message {
	e.t.Helper()
	head := "第 " + strconv.Itoa(q+1) + "/" + strconv.Itoa(n) + " 题"
	m := e.waitChat(g.Chat, 0, head, func(m telegramtest.Message) bool { return m.Poll != nil && !m.Poll.Closed && m.ID > msg })
	// The poll's clock starts when the bot has recorded it.
	e.eventually("the poll recorded", func() bool {
		for _, c := range e.activeContests() {
			if c.Chat == g.ID() && len(c.Asked) > q {
				for _, p := range c.Asked[q].Polls {
					if p.Msg == m.ID {
						return true
					}
				}
			}
		}
		return false
	})
	return m
}

func (e *env) activeContests() []*quiz.Contest {
	cs, err := e.svc.ActiveContests(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// wrong is a wrong option of item it.
func wrong(it quiz.Item) int {
	for i := range it.Options {
		right := false
		for _, a := range it.Answer {
			right = right || a == i
		}
		if !right {
			return i
		}
	}
	return 0
}

// TestContestInAGroup: a secretary binds the group, prepares a contest of
// three questions in private and runs it; members join and answer; the
// group sees each question as a poll, one result after each, and the
// leaderboard once; each player gets their own result in private; points
// are booked once, members only.
func TestContestInAGroup(t *testing.T) {
	e := newEnv(t, contestServer(false))
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	b := e.member(102, "李四", "laowaping")
	guest := e.srv.NewUser(999, "村民老刘")
	guest.SendText("/start")
	g := e.groupOf(-1001000000001, "太平镇党员群", sec, a, b, guest)
	e.bind(g, sec)

	// /rank in the group: the town's figures, nobody's score.
	seq := g.Seq()
	g.SendText(a, "/rank")
	e.waitChat(g.Chat, seq, "太平镇党委", nil)
	// Any other command there points to the private chat.
	seq = g.Seq()
	g.SendText(a, "/me")
	e.waitChat(g.Chat, seq, "私聊", nil)

	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "5 题", "题数：5 题")
	e.press(sec, "10 秒", "每题：10 秒")
	m := e.press(sec, "按下级组织", "分队：按下级组织")
	if !strings.Contains(m.Text, "太平镇党员群") {
		t.Errorf("setup card: %q", m.Text)
	}
	e.press(sec, "开始报名", "主持台")
	lobby := e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("我要参加") })
	if _, err := g.PressOn(a, lobby.ID, "我要参加"); err != nil {
		t.Fatal(err)
	}
	e.eventually("the join toast", func() bool {
		return len(a.Toasts()) > 0 && strings.Contains(a.Toasts()[len(a.Toasts())-1], "牛卯坪")
	})
	c := e.activeContest(g.ID())
	if len(c.Items) != 5 || c.Setup.Seconds != 10 || c.Setup.Teams != quiz.TeamsByNode {
		t.Fatalf("contest = %+v", c.Setup)
	}

	e.clock.Advance(time.Minute)
	for q := 0; q < 5; q++ {
		poll := e.pollOf(g, q, 5)
		it := c.Items[q]
		if poll.Poll.IsAnonymous || poll.Poll.OpenPeriod != 10 {
			t.Errorf("poll %d = %+v", q+1, poll.Poll)
		}
		e.clock.Advance(2 * time.Second)
		if err := g.Vote(a, poll.ID, it.Answer...); err != nil { // 张三 always right, fast
			t.Fatal(err)
		}
		e.answersOf(c.ID, q, 1)
		e.clock.Advance(2 * time.Second)
		bChoice := []int{wrong(it)}
		if q%2 == 0 {
			bChoice = it.Answer
		}
		if err := g.Vote(b, poll.ID, bChoice...); err != nil {
			t.Fatal(err)
		}
		if err := g.Vote(guest, poll.ID, it.Answer...); err != nil {
			t.Fatal(err)
		}
		if err := g.VoteAnonymousAdmin(poll.ID, it.Answer[0]); err != nil {
			t.Fatal(err)
		}
		e.answersOf(c.ID, q, 3)
		seq := g.Seq()
		e.clock.Advance(7 * time.Second) // 11 s: past the 10 s and the grace
		res := e.waitChat(g.Chat, seq, "第 "+strconv.Itoa(q+1)+" 题答案", nil)
		if !strings.Contains(res.Text, "张三") || !strings.Contains(res.Text, "共 3 人作答") {
			t.Errorf("result %d: %q", q+1, res.Text)
		}
		e.clock.Advance(5 * time.Second)
	}
	board := e.waitChat(g.Chat, 0, "最终成绩", nil)
	if !strings.Contains(board.Text, "🥇 张三") || !strings.Contains(board.Text, "团队成绩") || !strings.Contains(board.Text, "村民老刘") {
		t.Errorf("board: %q", board.Text)
	}
	mine := e.waitAfter(a, 0, "您答对 5/5 题")
	if !strings.Contains(mine.Text, "第 1 名") || !strings.Contains(mine.Text, "获得积分 4 分") {
		t.Errorf("张三's result: %q", mine.Text)
	}
	gm := e.waitAfter(guest, 0, "不计积分")
	if !strings.Contains(gm.Text, "您答对 5/5 题") {
		t.Errorf("guest's result: %q", gm.Text)
	}
	e.settle()
	// Exactly one leaderboard; one result after each question; no message per answer.
	boards, results := 0, 0
	for _, m := range g.Messages() {
		if strings.Contains(m.Text, "最终成绩") {
			boards++
		}
		if strings.Contains(m.Text, "题答案") {
			results++
		}
	}
	if boards != 1 || results != 5 {
		t.Errorf("%d boards and %d results in the group", boards, results)
	}
	pts := 0
	for _, en := range e.ledger(101) {
		if en.Rule == quiz.RuleContest {
			pts++
			if en.Amount != quiz.PointsOf(4) {
				t.Errorf("张三's entry %+v", en)
			}
		}
	}
	if pts != 1 {
		t.Errorf("张三 has %d contest entries", pts)
	}
	if len(e.ledger(999)) != 0 {
		t.Error("a guest got points")
	}
	// The secretary sends the results again from the setup card.
	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "往期成绩", "选择要把成绩重新发到群里的比赛")
	seq = g.Seq()
	m = sec.Last()
	if _, err := sec.PressOn(m.ID, m.Buttons[0][0].Text); err != nil {
		t.Fatal(err)
	}
	again := e.waitChat(g.Chat, seq, "往期成绩", nil)
	if !strings.Contains(again.Text, "🥇 张三") {
		t.Errorf("results sent again: %q", again.Text)
	}
	// The export has the contest points in a column of their own.
	seq = sec.Seq()
	sec.SendText("/export")
	doc, err := sec.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return m.Document != nil })
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Document.Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("党员成绩")
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[1], "其中竞赛积分") // row 1 is the title, row 2 the header
	found := false
	for _, r := range rows[2:] {
		if r[0] == "张三" && col >= 0 && col < len(r) && r[col] == "4" {
			found = true
		}
	}
	if !found {
		t.Errorf("张三's contest points are not in the export: %v", rows)
	}
}

// TestGroupCommandsOnlyForManagers: /bind by a member is refused and binds
// nothing; /rank in an unbound group says so.
func TestGroupCommandsOnlyForManagers(t *testing.T) {
	e := newEnv(t)
	a := e.member(101, "张三", "niumaoping")
	g := e.groupOf(-1001000000002, "群", a)
	seq := g.Seq()
	g.SendText(a, "/bind")
	e.waitChat(g.Chat, seq, "只有党组织书记或管理员", nil)
	seq = g.Seq()
	g.SendText(a, "/rank")
	e.waitChat(g.Chat, seq, "还没有绑定", nil)
	if _, err := e.svc.Bound(context.Background(), g.ID()); quiz.ErrorReason(err) != quiz.ReasonNotBound {
		t.Errorf("bound after a member's /bind: %v", err)
	}
}

// TestContestConsole: the host's buttons. Teams picked in the group; start
// now; reveal early (the poll is stopped); pause (nothing moves on) and
// next; after a restart, end with the results so far.
func TestContestConsole(t *testing.T) {
	e := newEnv(t, contestServer(false))
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	b := e.member(102, "李四", "laowaping")
	g := e.groupOf(-1001000000003, "太平镇党员群", sec, a, b)
	e.bind(g, sec)
	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "5 题", "题数：5 题")
	e.press(sec, "两队", "分队：两队")
	e.press(sec, "开始报名", "主持台")
	lobby := e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("加入蓝队") })
	if _, err := g.PressOn(a, lobby.ID, "加入蓝队"); err != nil {
		t.Fatal(err)
	}
	e.eventually("the team toast", func() bool { ts := a.Toasts(); return len(ts) > 0 && strings.Contains(ts[len(ts)-1], "蓝队") })
	c := e.activeContest(g.ID())

	e.press(sec, "立即开始", "主持台")
	poll := e.pollOf(g, 0, 5)
	if err := g.Vote(a, poll.ID, c.Items[0].Answer...); err != nil {
		t.Fatal(err)
	}
	e.answersOf(c.ID, 0, 1)
	seq := g.Seq()
	if _, err := sec.Press("公布答案"); err != nil {
		t.Fatal(err)
	}
	e.waitChat(g.Chat, seq, "第 1 题答案", nil)
	e.eventually("the poll stopped", func() bool { m, _ := g.Message(poll.ID); return m.Poll.Closed })
	if err := g.Vote(b, poll.ID, c.Items[0].Answer...); err == nil {
		t.Error("a vote after the reveal was taken")
	}

	e.press(sec, "暂停", "继续")
	e.clock.Advance(time.Minute)
	time.Sleep(time.Second)
	if m := g.Last(); m.Poll != nil {
		t.Fatalf("a question went out while paused: %+v", m.Poll)
	}
	if _, err := sec.Press("下一题"); err != nil {
		t.Fatal(err)
	}
	poll = e.pollOf(g, 1, 5)
	if err := g.Vote(b, poll.ID, c.Items[1].Answer...); err != nil {
		t.Fatal(err)
	}
	e.answersOf(c.ID, 1, 1)

	e.restart()
	e.waitAfter(sec, 0, "机器人重启过")
	seq = g.Seq()
	if _, err := sec.Press("结束并公布成绩"); err != nil {
		t.Fatal(err)
	}
	board := e.waitChat(g.Chat, seq, "最终成绩", nil)
	if !strings.Contains(board.Text, "提前结束") || !strings.Contains(board.Text, "共 2 题") || !strings.Contains(board.Text, "蓝队") {
		t.Errorf("board: %q", board.Text)
	}
	e.waitAfter(b, 0, "您答对 1/2 题")
	if got := e.contest(c.ID); got.Phase != quiz.PhaseFinished || !got.Stopped {
		t.Errorf("contest = %+v", got)
	}
}

// refusingStore fails every Update while on is set, as a store in trouble
// does; reads go through.
type refusingStore struct {
	quiz.Store
	on *atomic.Bool
}

func (r refusingStore) Update(ctx context.Context, fn func(quiz.Tx) error) error {
	if r.on.Load() {
		return quiz.Errorf(quiz.Internal, "refused")
	}
	return r.Store.Update(ctx, fn)
}

// TestResumeSurvivesAFailedInterrupt: a bot that starts with a contest in
// progress and cannot mark it interrupted (its store refuses, or the
// contest ended meanwhile) logs it and goes on. It crashed: the error's
// log line read the id of the nil contest Interrupt returned (found by
// the crash test of every event kind).
func TestResumeSurvivesAFailedInterrupt(t *testing.T) {
	var refusing atomic.Bool
	e := newEnv(t, contestServer(false), func(e *env) {
		e.engine = func(db *store.DB) quiz.Store { return refusingStore{Store: db, on: &refusing} }
	})
	sec := e.secretary(50, "王书记", "taiping")
	a := e.member(101, "张三", "niumaoping")
	g := e.groupOf(-1001000000001, "太平镇党员群", sec, a)
	e.bind(g, sec)
	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "开始报名", "主持台")
	e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("我要参加") })

	e.stop()
	refusing.Store(true)
	e.start()
	e.send(a, "/help", "党员可以使用") // the bot runs
	select {
	case err := <-e.done:
		t.Fatalf("the bot stopped: %v", err)
	default:
	}
	refusing.Store(false)
}
