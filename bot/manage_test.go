package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
	"partyquiz/store"
)

const goodBank = `id = "test-bank"
title = "测试题库"
source = "测试"

[[question]]
id = "1"
type = "单选"
text = "“三会一课”中的“一课”指的是什么？"
options = ["党课", "形势政策课"]
answer = "A"
explanation = "一课即党课。"

[[question]]
id = "2"
type = "判断"
text = "党小组会属于“三会”。"
answer = "对"
explanation = "党小组会是三会之一。"
`

// TestBankUpload: an admin uploads a bank, sees what it changes, and
// publishes it; bad uploads are answered with their problems and leave the
// published banks exactly as they were.
func TestBankUpload(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	before := e.svc.Content()

	bad := []struct {
		name, mime string
		data       []byte
		want       string
	}{
		{"syntax.toml", "text/plain", []byte("id = \"x\"\ntitle = “中文引号”\n"), "第 2 行：引号要用英文双引号"},
		{"letter.toml", "text/plain", []byte(strings.Replace(goodBank, `answer = "A"`, `answer = "E"`, 1)), "答案 E 没有对应的选项"},
		{"plan.toml", "text/plain", []byte("[[month]]\nmonth = 1\ntitle = \"一月\"\nlesson = \"内容\"\nbanks = [\"no-such\"]\n"), "题库 \"no-such\" 不存在"},
		{"notes.txt", "text/plain", []byte("hello"), "请发送 .toml 格式"},
		{"picture.toml", "image/png", []byte("\x89PNG"), "请发送 .toml 格式"},
		{"gbk.toml", "text/plain", []byte{0xc8, 0xfd, 0xbb, 0xe1}, "不是 UTF-8 编码"},
	}
	for _, tt := range bad {
		seq := admin.Seq()
		admin.SendDocument(tt.name, tt.mime, tt.data)
		e.waitAfter(admin, seq, tt.want)
	}
	// A 30 MB file is refused before anything is downloaded.
	seq := admin.Seq()
	admin.SendLargeDocument("big.toml", "text/plain", 30<<20)
	e.waitAfter(admin, seq, "文件太大")
	if n := e.srv.StatsFor("getFile").Calls; n != 5-1 {
		// syntax, letter, plan and gbk were downloaded; txt, picture and big were not.
		t.Errorf("getFile called %d times, want 4", n)
	}
	// A photo instead of a document.
	seq = admin.Seq()
	admin.SendPhoto("题库")
	e.waitAfter(admin, seq, "只能看懂文字")
	if e.svc.Content() != before {
		t.Fatal("a bad upload changed the published content")
	}

	// A good bank: summary, cancel, nothing changes.
	seq = admin.Seq()
	admin.SendDocument("test-bank.toml", "application/toml", []byte(goodBank))
	e.waitAfter(admin, seq, "这是一套新题库")
	e.press(admin, "取消", "已取消")
	if e.svc.Content() != before {
		t.Fatal("a cancelled upload changed the content")
	}
	// Publish.
	seq = admin.Seq()
	admin.SendDocument("test-bank.toml", "application/toml", []byte(goodBank))
	e.waitAfter(admin, seq, "确认发布吗")
	e.press(admin, "发布", "第 1 版")
	if e.svc.Content().Catalog.Bank("test-bank") == nil {
		t.Fatal("the bank was not published")
	}
	// A second version: one changed, one added, one removed.
	v2 := strings.Replace(goodBank, "一课即党课。", "“一课”即按时上好党课。", 1)
	v2 = strings.Replace(v2, "id = \"2\"", "id = \"3\"", 1)
	seq = admin.Seq()
	admin.SendDocument("test-bank.toml", "application/toml", []byte(v2))
	e.waitAfter(admin, seq, "新增 1 题，修改 1 题，删除 1 题")
	e.press(admin, "发布", "第 2 版")
	banks := e.send(admin, "/banks", "已发布的题库")
	if !strings.Contains(banks.Text, "test-bank") || !strings.Contains(banks.Text, "第 2 版") || !strings.Contains(banks.Text, "内置") {
		t.Errorf("/banks: %s", banks.Text)
	}
	// The same file again changes nothing.
	seq = admin.Seq()
	admin.SendDocument("test-bank.toml", "application/toml", []byte(v2))
	e.waitAfter(admin, seq, "完全相同")

	// Published banks survive a restart.
	e.restart()
	if e.svc == nil {
		t.Fatal("no service")
	}
}

// TestOrgUpload: a new branch can be added in chat; a branch with members
// cannot be removed.
func TestOrgUpload(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	e.member(1001, "党员甲", "qingshan")
	org := orgFile(t, e, "")
	added := org + "\n[[node]]\nid = \"xincun\"\nname = \"新村党支部\"\nparent = \"dasha\"\n"
	seq := admin.Seq()
	admin.SendDocument("org.toml", "text/plain", []byte(added))
	e.waitAfter(admin, seq, "新增 1 个")
	e.press(admin, "发布", "第 1 版")
	if e.svc.Tree().Node("xincun") == nil {
		t.Fatal("the new branch is not in the tree")
	}
	removed := strings.Replace(orgFile(t, e, "qingshan"), "", "", 1)
	seq = admin.Seq()
	admin.SendDocument("org.toml", "text/plain", []byte(removed))
	e.waitAfter(admin, seq, "还有 1 名党员，不能删除")
	if e.svc.Tree().Node("qingshan") == nil {
		t.Fatal("a branch with members was removed")
	}
}

// orgFile writes the current tree as an org file, without node skip.
func orgFile(t *testing.T, e *env, skip string) string {
	var b strings.Builder
	for _, n := range e.svc.Tree().Nodes() {
		if n.ID == skip {
			continue
		}
		fmt.Fprintf(&b, "[[node]]\nid = %q\nname = %q\n", n.ID, n.Name)
		if n.Parent != "" {
			fmt.Fprintf(&b, "parent = %q\n", n.Parent)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSecretaryFlows: a secretary invited by the admin sees the branch,
// reminds those who have not finished (once a day), exports the
// spreadsheet, reopens a missed month for a member, corrects points, and
// a member's 答题纠错 reaches the admin.
func TestSecretaryFlows(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	// They joined in October, and October went by without their study.
	e.clock.Set(at(2026, 10, 8, 10, 0))
	a := e.member(1001, "党员甲", "qingshan")
	e.member(1002, "党员乙", "qingshan")
	blocked := e.member(1003, "党员丙", "qingshan")
	e.clock.Set(at(2026, 11, 10, 10, 0))

	// The admin invites the secretary with a link.
	e.send(admin, "/invite qingshan secretary", "书记邀请链接")
	link, _ := admin.Wait(e.ctx(), func(m telegramtest.Message) bool { return strings.Contains(m.Text, "start=") })
	code := strings.Fields(link.Text[strings.Index(link.Text, "start=")+6:])[0]
	sec := e.srv.NewUser(2001, "书记")
	e.send(sec, "/start "+code, "真实姓名")
	e.send(sec, "王书记", "您已成为")

	// 党员甲 finishes the month; the others do not.
	e.send(a, "/study", "第 1/10 题")
	for i := 0; i < 10; i++ {
		e.answerCurrent(a, true)
	}
	e.waitAfter(a, 0, "本月学习完成")

	rep := e.send(sec, "/branch", "青山村党支部")
	for _, want := range []string{"已完成 1/3 人", "本月学习未完成", "党员乙", "党员丙"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("/branch lacks %q:\n%s", want, rep.Text)
		}
	}

	// Remind: two members, one of whom blocked the bot.
	blocked.Block()
	e.svc.SetReachable(context.Background(), 1003, false)
	m := e.send(sec, "/remind", "已安排提醒 1 人")
	if !strings.Contains(m.Text, "1 人已屏蔽") {
		t.Errorf("remind: %s", m.Text)
	}
	b := e.srv.User(1002)
	e.waitAfter(b, 0, "学习提醒")
	m = e.send(sec, "/remind", "今天都已经提醒过")
	if strings.Contains(m.Text, "已安排提醒 0 人") {
		t.Errorf("second remind: %s", m.Text)
	}
	e.settle()
	reminders := 0
	for _, msg := range b.Messages() {
		if strings.Contains(msg.Text, "学习提醒") {
			reminders++
		}
	}
	if reminders != 1 {
		t.Errorf("党员乙 got %d reminders, want 1", reminders)
	}

	// Export.
	seq := sec.Seq()
	sec.SendText("/export")
	doc, err := sec.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return m.Document != nil })
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Document.Data))
	if err != nil {
		t.Fatalf("the export does not open: %v", err)
	}
	rows, err := f.GetRows("党员成绩")
	if err != nil || len(rows) != 5 || rows[1][0] != "姓名" || rows[1][2] != "1月学习" {
		t.Fatalf("export rows: %v %v", rows, err)
	}
	rows = rows[1:] // under the title
	var found bool
	for _, r := range rows[1:] {
		if r[0] == "党员甲" && r[12] == "完成" {
			found = true
		}
	}
	if !found {
		t.Errorf("党员甲's November is not in the export: %v", rows)
	}
	// They joined on 8 October: September is 未加入, October 未完成, the
	// third quarter's test 未加入, the fourth's not yet open.
	for _, r := range rows[1:] {
		if r[0] == "党员乙" && (r[10] != "未加入" || r[11] != "未完成" || r[16] != "未加入" || len(r) > 17 && r[17] != "") {
			t.Errorf("党员乙's row: %q", r)
		}
	}
	if !strings.HasSuffix(doc.Document.Name, ".xlsx") {
		t.Errorf("file name %q", doc.Document.Name)
	}

	// A make-up of October for 党员乙, seven days.
	e.memberCard(sec, "党员乙")
	e.press(sec, "补学 10月", "请选择期限")
	e.press(sec, "7 天", "已为 党员乙 开放补学 10月")
	e.waitAfter(b, 0, "党支部为您开放了补学 10月")
	e.send(b, "/study", "补学机会")
	e.press(b, "补学 2026年10月", "第 1/")
	for i := 0; i < 10; i++ {
		e.answerCurrent(b, true)
	}
	var oct quiz.Progress
	e.db.View(context.Background(), func(tx quiz.Tx) error {
		oct, _ = tx.Progress(1002, "2026-10")
		return nil
	})
	if !oct.StudyDone || !oct.Makeup {
		t.Errorf("October after the make-up: %+v", oct)
	}

	// A correction with a reason, recorded with who made it.
	e.memberCard(sec, "党员甲")
	e.press(sec, "调整积分", "调整的分数和原因")
	e.send(sec, "两分", "格式不对")
	e.send(sec, "+2 参加党史知识竞赛获奖", "请确认积分调整")
	e.press(sec, "确认调整", "已为 党员甲 调整积分 +2")
	var fix *quiz.Entry
	for _, en := range e.ledger(1001) {
		if en.Rule == quiz.RuleCorrection {
			en := en
			fix = &en
		}
	}
	if fix == nil || fix.By != 2001 || fix.Amount != quiz.PointsOf(2) || !strings.Contains(fix.Note, "党史知识竞赛") {
		t.Errorf("correction: %+v", fix)
	}

	// 答题纠错 from a study feedback reaches the admin.
	e.press(a, "答题纠错", "哪里有误")
	e.send(a, "选项B也对", "已收到您的纠错反馈")
	e.waitAfter(admin, 0, "选项B也对")
}

// crashingStore fails every transaction that emits one event, the way a
// crash half-way through a round stops it (bbolt runs a failed function
// of a batch again on its own, so it fails every time).
type crashingStore struct {
	quiz.Store
	ref string
}

func (c *crashingStore) Update(ctx context.Context, fn func(quiz.Tx) error) error {
	return c.Store.Update(ctx, func(tx quiz.Tx) error { return fn(crashingTx{tx, c}) })
}

type crashingTx struct {
	quiz.Tx
	c *crashingStore
}

func (t crashingTx) Emit(e *quiz.Event) (bool, error) {
	if e.Ref == t.c.ref {
		return false, errors.New("crash")
	}
	return t.Tx.Emit(e)
}

func (e *env) roundDone(key string) bool {
	e.t.Helper()
	done := false
	if err := e.db.View(context.Background(), func(tx quiz.Tx) (err error) {
		done, err = tx.RoundDone(key)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return done
}

// TestRoundInterrupted: the test-close round stops half-way (a branch after
// the first chunk fails); the rounds after it still run; after a restart
// it runs again and every recipient is served exactly once.
func TestRoundInterrupted(t *testing.T) {
	t.Parallel() // long, mostly waiting: beside the other long ones
	e := newEnv(t, func(e *env) {
		e.engine = func(db *store.DB) quiz.Store {
			return &crashingStore{Store: db, ref: "round:test-close:2026-Q4:1002"}
		}
	})
	// 1,200 members (more than one chunk of 1,000), most through the
	// engine directly, two through Telegram so their chats can be read.
	ctx := context.Background()
	for i := 0; i < 1200; i++ {
		code := e.invite("qingshan", quiz.RoleMember)
		if _, _, err := e.svc.Join(ctx, int64(100000+i), code, "党员"); err != nil {
			t.Fatal(err)
		}
	}
	u := e.member(1001, "党员甲", "waziping")
	v := e.member(1002, "党员乙", "jingzhuyuan")
	e.startTest(u)
	for i := 0; i < 20; i++ {
		e.answerCurrent(u, true)
	}
	e.waitAfter(u, 0, "测试已交卷")

	// January 1, 09:00: the fourth quarter's test closes.
	e.clock.Set(at(2027, 1, 1, 9, 30))
	e.bot.RunRounds(ctx)
	if e.roundDone("test-close:2026-Q4") {
		t.Fatal("the round finished although it failed")
	}
	if !e.roundDone("year-end:2026") {
		t.Fatal("a failed round held up the rounds after it")
	}
	e.engine = nil
	e.restart()
	e.bot.RunRounds(ctx)
	if !e.roundDone("test-close:2026-Q4") {
		t.Fatal("the round did not finish after the restart")
	}
	e.waitAfter(u, 0, "您的得分 100 分")
	e.waitAfter(v, 0, "您没有参加本次测试")
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, _ := e.db.PendingCount(ctx)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d notices still pending", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, user := range []*telegramtest.User{u, v} {
		n := 0
		for _, m := range user.Messages() {
			if strings.Contains(m.Text, "测试已结束") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("user %d got the round %d times", user.ID(), n)
		}
	}
	for i := 0; i < 1200; i += 97 {
		st, err := e.db.EventState(ctx, fmt.Sprintf("round:test-close:2026-Q4:%d", 100000+i))
		if err != nil || st == "" {
			t.Errorf("member %d: notice state %q %v", 100000+i, st, err)
		}
	}
}

// TestInviteRevokeAndExpiry: an invite can be revoked from its message,
// and an invite with a term stops working after it.
func TestInviteRevokeAndExpiry(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	codeOf := func(m telegramtest.Message) string {
		return strings.Fields(m.Text[strings.Index(m.Text, "start=")+6:])[0]
	}
	link := e.send(admin, "/invite qingshan", "https://t.me/")
	e.press(admin, "作废此链接", "已作废")
	u := e.srv.NewUser(1001, "张三")
	e.send(u, "/start "+codeOf(link), "已失效")

	link = e.send(admin, "/invite qingshan 7", "有效期至")
	e.clock.Advance(8 * 24 * time.Hour)
	e.send(u, "/start "+codeOf(link), "已失效")
	e.send(admin, "/invite qingshan 400", "用法")
}

// TestMakeupTest: a member who missed the third quarter's test gets it
// reopened by the secretary in October and takes it then.
func TestMakeupTest(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 9, 2, 10, 0))
	u := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.clock.Set(at(2026, 10, 12, 10, 0))
	e.send(u, "/test", "测试时间是")

	e.memberCard(sec, "党员甲")
	e.press(sec, "补考 2026年第三季度", "请选择期限")
	e.press(sec, "3 天", "已为 党员甲 开放补考 2026年第三季度")
	e.waitAfter(u, 0, "党支部为您开放了补考 2026年第三季度")

	e.send(u, "/test", "补考机会")
	e.press(u, "补考 2026年第三季度", "第 1/20 题")
	for i := 0; i < 20; i++ {
		e.answerCurrent(u, true)
	}
	e.waitAfter(u, 0, "测试已交卷")
	var q3 quiz.Progress
	e.db.View(context.Background(), func(tx quiz.Tx) error {
		q3, _ = tx.Progress(1001, "2026-Q3")
		return nil
	})
	if !q3.Tested || q3.TestScore != 100 {
		t.Errorf("Q3 after the make-up: %+v", q3)
	}
	// Three days later the make-up is over.
	e.clock.Advance(4 * 24 * time.Hour)
	m := e.send(u, "/test", "测试时间是")
	if strings.Contains(m.Text, "补考") {
		t.Errorf("an expired make-up still offered: %s", m.Text)
	}
}

// TestTimeRunsOut: a test left half done is closed and scored when its
// time runs out, and the member is told, though they never came back.
func TestTimeRunsOut(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	e.startTest(u)
	a := e.openAttempt(1001)
	for i := 0; i < 3; i++ {
		e.answerCurrent(u, true)
	}
	e.clock.Advance(31 * time.Minute)
	m := e.waitAfter(u, 0, "测试时间到，已自动交卷")
	if !strings.Contains(m.Text, "得分 15 分") || !strings.Contains(m.Text, "答对 3/20 题") {
		t.Errorf("time-up message: %s", m.Text)
	}
	got := e.attempt(1001, a.ID)
	if !got.Closed || got.Score != 15 {
		t.Errorf("attempt after time ran out: closed %v score %d", got.Closed, got.Score)
	}
	// A press on the old question now changes nothing.
	q := e.questionMessage(u, 3)
	if _, err := u.PressOn(q.ID, q.Buttons[0][0].Text); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if n := e.attempt(1001, a.ID).Answered(); n != 3 {
		t.Errorf("%d answered after the close, want 3", n)
	}
}

// TestYearEndRounds: on New Year's morning members get their quarter's
// result, their half-year rank and their stars; the secretary gets the
// branch's tables and the admin the whole tree's — once each.
func TestYearEndRounds(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	e.send(admin, "/start", "欢迎") // Telegram lets a bot write only to those who wrote first
	u := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.send(u, "/study", "第 1/10 题")
	for i := 0; i < 10; i++ {
		e.answerCurrent(u, true)
	}
	e.clock.Set(at(2027, 1, 1, 9, 5))
	e.bot.RunRounds(context.Background())
	e.bot.RunRounds(context.Background()) // a second run sends nothing more
	for _, want := range []string{"2027年1月学习已开放", "2026年第四季度测试已结束", "2026年下半年半年一比", "2026年年终一评"} {
		e.waitAfter(u, 0, want)
	}
	e.waitAfter(sec, 0, "2026年第四季度测试结果 · 青山村党支部")
	e.waitAfter(sec, 0, "半年一比 · 2026年下半年")
	m := e.waitAfter(admin, 0, "年终一评 · 2026年")
	if !strings.Contains(m.Text, "全年") {
		t.Errorf("the year's final table does not say so: %s", m.Text)
	}
	e.settle()
	time.Sleep(200 * time.Millisecond)
	count := map[string]int{}
	for _, m := range u.Messages() {
		for _, k := range []string{"学习已开放", "测试已结束", "半年一比", "年终一评"} {
			if strings.Contains(m.Text, k) {
				count[k]++
			}
		}
	}
	for k, n := range count {
		if n != 1 {
			t.Errorf("%q sent %d times", k, n)
		}
	}
}

// memberCard opens a member's card the way a secretary does: /branch,
// 管理党员, the member's name.
func (e *env) memberCard(sec *telegramtest.User, name string) {
	e.t.Helper()
	e.send(sec, "/branch", "青山村党支部")
	e.press(sec, "管理党员（补学补考、调整积分）", "请选择党员")
	e.press(sec, name, "本月学习")
}
