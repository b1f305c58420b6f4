package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/quiz"
	"partyquiz/store"
)

// TestLongEventInParts: an event longer than one message is sent whole, in
// parts, in order; after a crash that had sent the first part, only the
// others are sent.
func TestLongEventInParts(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	var lines []string
	for i := 0; i < 900; i++ {
		lines = append(lines, "第"+strings.Repeat("行", 5)+"——"+stems[i%10])
	}
	long := strings.Join(lines, "\n") + "\n【完】" // about 9,000 characters: three messages
	ctx := context.Background()
	if _, err := e.db.Enqueue(ctx, []quiz.Event{{Ref: "long:1", Chat: 1001, Text: "【一】\n" + long}}); err != nil {
		t.Fatal(err)
	}
	e.bot.RunRounds(ctx) // wakes the sender
	e.eventually("the long event to be sent", func() bool { st, _ := e.db.EventState(ctx, "long:1"); return st == "sent" })
	parts := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "行行行行行") {
			parts++
		}
	}
	if parts < 3 {
		t.Fatalf("a 9,000-character event arrived in %d messages", parts)
	}

	// A crash after its first part: the restart sends the rest only.
	e.stop()
	e.db2(func() {
		if _, err := e.db.Enqueue(ctx, []quiz.Event{{Ref: "long:2", Chat: 1001, Text: "【二】\n" + long}}); err != nil {
			t.Fatal(err)
		}
		es, err := e.db.Pending(ctx, 0, 0)
		if err != nil || len(es) != 1 {
			t.Fatalf("pending: %v %v", es, err)
		}
		if err := e.db.PartSent(ctx, es[0].Seq, 1); err != nil {
			t.Fatal(err)
		}
	})
	seq := u.Seq()
	e.start()
	e.eventually("the rest to be sent", func() bool { st, _ := e.db.EventState(ctx, "long:2"); return st == "sent" })
	for _, m := range u.Messages() {
		if m.Seq > seq && strings.Contains(m.Text, "【二】") {
			t.Errorf("the part sent before the crash was sent again")
		}
	}
	if !strings.Contains(after(u, seq), "【完】") {
		t.Errorf("the last part did not arrive after the restart")
	}
	n := 0
	for _, m := range u.Messages() {
		if m.Seq > seq && strings.Contains(m.Text, "行行行行行") {
			n++
		}
	}
	if n != parts-1 {
		t.Errorf("after the restart %d messages, want the %d parts not sent before", n, parts-1)
	}
}

// db2 opens the store alone (the bot stopped) for fn.
func (e *env) db2(fn func()) {
	e.t.Helper()
	db, err := store.Open(e.path, store.Options{NoSync: true})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	fn()
	if err := db.Close(); err != nil {
		e.t.Fatal(err)
	}
}

// TestRoundsAfterDowntime: the bot was down across the quarter's end while
// a member's test was still open; the close round first closes and scores
// it, so the member is told their score, not that they missed the test.
func TestRoundsAfterDowntime(t *testing.T) {
	e := newEnv(t, withRules(func(r *quiz.Rules) { r.RemindDays = 0 }))
	e.clock.Set(at(2026, 12, 31, 23, 40))
	u := e.member(1001, "党员甲", "qingshan")
	a, err := e.svc.StartTest(context.Background(), 1001)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ { // half of it, right
		e.clock.Advance(time.Second)
		choice, text := answerFor(&a.Items[i], true)
		if _, err := e.svc.Answer(context.Background(), 1001, a.ID, i, choice, text, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.stop()
	// Back on New Year's morning: time ran out at midnight, unseen.
	e.clock.Set(at(2027, 1, 1, 10, 0))
	e.sweep = time.Hour // the sweeper does not get there first
	e.start()
	e.bot.RunRounds(context.Background())
	m := e.waitAfter(u, 0, "2026年第四季度测试已结束")
	if !strings.Contains(m.Text, "您的得分 50 分") {
		t.Errorf("after downtime the member was told: %s", m.Text)
	}
	e.waitAfter(u, 0, "测试时间到，已自动交卷")
}

// TestAutomaticReminders: three days before a month ends, the members who
// have not finished get one reminder each and their secretary a summary;
// running the round again sends nothing more.
func TestAutomaticReminders(t *testing.T) {
	e := newEnv(t)
	a := e.member(1001, "党员甲", "qingshan")
	b := e.member(1002, "党员乙", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.engineStudy(1001, true, 10*time.Second)
	e.clock.Set(at(2026, 11, 28, 9, 5))
	for i := 0; i < 2; i++ {
		e.bot.RunRounds(context.Background())
	}
	e.waitAfter(b, 0, "学习提醒")
	r := e.waitAfter(sec, 0, "自动提醒")
	if !strings.Contains(r.Text, "1 名党员尚未完成") || !strings.Contains(r.Text, "已提醒 1 人") {
		t.Errorf("the secretary's summary: %s", r.Text)
	}
	e.settle()
	time.Sleep(100 * time.Millisecond)
	if n := count(a, "学习提醒"); n != 0 {
		t.Errorf("a member who finished was reminded")
	}
	if n := count(b, "学习提醒"); n != 1 {
		t.Errorf("reminded %d times, want once", n)
	}
}

// TestSlowChatBlocksNobody: while an admin's upload is being downloaded
// (slowly), a member who writes after it began is answered before the
// download ends; and an update the last run held but did not handle (a
// crash) is handled after the restart.
func TestSlowChatBlocksNobody(t *testing.T) {
	t.Parallel() // long, mostly waiting: beside the other long ones
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	u := e.member(1001, "党员甲", "qingshan")
	e.srv.SetLatency("getFile", 8*time.Second)
	admin.SendDocument("test-bank.toml", "text/plain", []byte(goodBank))
	time.Sleep(time.Second) // the admin's update is taken and its file asked for
	seq := u.Seq()
	u.SendText("/help")
	e.waitAfter(u, seq, "党员可以使用")
	if count(admin, "确认发布吗") != 0 {
		t.Error("the member was answered only after the admin's slow upload")
	}
	e.waitAfter(admin, 0, "确认发布吗")
	e.srv.SetLatency("getFile", 0)

	// An update held (and confirmed to Telegram) but not handled when the
	// bot died is handled after the restart.
	e.stop()
	e.db2(func() {
		up := fmt.Sprintf(`{"update_id":999999,"message":{"message_id":77,"date":%d,"chat":{"id":1001,"type":"private"},"from":{"id":1001,"is_bot":false,"first_name":"甲"},"text":"/me","entities":[{"type":"bot_command","offset":0,"length":3}]}}`, time.Now().Unix())
		if err := e.db.Hold(context.Background(), map[int][]byte{999999: []byte(up)}, nil); err != nil {
			t.Fatal(err)
		}
	})
	seq = u.Seq()
	e.start()
	e.waitAfter(u, seq, "学习情况")
}

// TestTimeUpToldOnce: a member who answers after their test's time ran
// out (before the sweeper got there) is told once that it was handed in,
// with the score — by the engine's event, not again by the reply.
func TestTimeUpToldOnce(t *testing.T) {
	e := newEnv(t, func(e *env) { e.sweep = time.Hour })
	u := e.member(1001, "党员甲", "qingshan")
	e.startTest(u)
	e.answerCurrent(u, true)
	e.clock.Advance(31 * time.Minute)
	q := e.questionMessage(u, 1)
	if _, err := u.PressOn(q.ID, q.Buttons[0][0].Text); err != nil {
		t.Fatal(err)
	}
	e.waitAfter(u, 0, "测试时间到，已自动交卷")
	e.settle()
	time.Sleep(200 * time.Millisecond)
	if n := count(u, "测试时间到，已自动交卷"); n != 1 {
		t.Errorf("told %d times that time ran out, want once", n)
	}
	if !e.waitToast(u, "测试时间已到") {
		t.Errorf("the late press got no word: %v\n%s", u.Toasts(), transcript(u))
	}
}

// failingInbox refuses to hold while failing is set, as a full disk does.
type failingInbox struct {
	bot.Inbox
	failing atomic.Bool
	refused atomic.Int64
}

func (f *failingInbox) Hold(ctx context.Context, updates map[int][]byte, handled []int) error {
	if f.failing.Load() {
		f.refused.Add(1)
		return errors.New("inbox: no space left on device")
	}
	return f.Inbox.Hold(ctx, updates, handled)
}

// TestOffsetWaitsForTheInbox: while the inbox cannot hold updates, the bot
// still answers (handling does not wait for it) but confirms nothing to
// Telegram, which keeps the updates; once the inbox holds again they are
// confirmed, and the ones Telegram delivered again meanwhile were not
// handled twice (issue 10: the offset moves only up to what is durable).
func TestOffsetWaitsForTheInbox(t *testing.T) {
	in := &failingInbox{}
	e := newEnv(t, func(e *env) { e.inbox = func(db bot.Inbox) bot.Inbox { in.Inbox = db; return in } })
	u := e.member(1001, "党员甲", "qingshan")
	e.settle()
	in.failing.Store(true)
	seq := u.Seq()
	u.SendText("/help")
	u.SendText("/me")
	e.waitAfter(u, seq, "党员可以使用")
	e.waitAfter(u, seq, "学习情况")
	e.eventually("the bot to try holding again", func() bool { return in.refused.Load() >= 3 })
	if n := e.srv.PendingUpdates(); n != 2 {
		t.Errorf("%d updates left with Telegram while the inbox refused, want the 2 sent", n)
	}
	in.failing.Store(false)
	e.eventually("the updates to be confirmed", func() bool { return e.srv.PendingUpdates() == 0 })
	e.settle()
	if n := count(u, "党员可以使用"); n != 1 {
		t.Errorf("/help answered %d times, want once", n)
	}
	if n := count(u, "学习情况"); n != 1 {
		t.Errorf("/me answered %d times, want once", n)
	}
}
