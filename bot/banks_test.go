package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
)

// upload sends a file as the admin and returns the bot's answer that
// contains want.
func (e *env) upload(admin *telegramtest.User, name, data, want string) telegramtest.Message {
	e.t.Helper()
	seq := admin.Seq()
	admin.SendDocument(name, "text/plain", []byte(data))
	return e.waitAfter(admin, seq, want)
}

// document presses label and returns the document the bot sends.
func (e *env) document(u *telegramtest.User, label string) telegramtest.Message {
	e.t.Helper()
	seq := u.Seq()
	if _, err := u.Press(label); err != nil {
		e.t.Fatalf("press %q: %v\n%s", label, err, transcript(u))
	}
	m, err := u.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return m.Document != nil })
	if err != nil {
		e.t.Fatalf("no document after %q: %v\n%s", label, err, transcript(u))
	}
	return m
}

// bankWith is goodBank with n more single-choice questions, ids x1…xn.
func bankWith(n int) string {
	var b strings.Builder
	b.WriteString(goodBank)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\n[[question]]\nid = \"x%d\"\ntype = \"单选\"\ntext = \"第%d道补充题：党支部每月相对固定一天开展什么活动？\"\noptions = [\"主题党日\", \"联欢会\"]\nanswer = \"A\"\nexplanation = \"主题党日。\"\n", i, i)
	}
	return b.String()
}

// TestUploadSummaryNamesQuestions: an upload's summary names the
// questions it adds, changes and removes — id and the first words of the
// stem — up to 30 of them, with the rest counted.
func TestUploadSummaryNamesQuestions(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	e.upload(admin, "test-bank.toml", goodBank, "确认发布吗")
	e.press(admin, "发布", "第 1 版")

	v2 := strings.Replace(goodBank, "一课即党课。", "“一课”即按时上好党课。", 1)
	v2 = strings.Replace(v2, "id = \"2\"", "id = \"3\"", 1)
	m := e.upload(admin, "test-bank.toml", v2, "确认发布吗")
	for _, want := range []string{
		"新增 1 题，修改 1 题，删除 1 题",
		"新增：\n· 3 党小组会属于“三会”。",
		"修改：\n· 1 “三会一课”中的“一课”指的是什么？",
		"删除：\n· 2 党小组会属于“三会”。",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "党员做过") || strings.Contains(m.Text, "党员已经做过") {
		t.Errorf("questions nobody was asked are said to be asked:\n%s", m.Text)
	}
	e.press(admin, "取消", "已取消")

	// 35 added: 30 named, 5 counted; a long stem is cut.
	m = e.upload(admin, "test-bank.toml", bankWith(35), "确认发布吗")
	if n := strings.Count(m.Text, "\n· "); n != 30 {
		t.Errorf("%d questions named, want 30:\n%s", n, m.Text)
	}
	for _, want := range []string{"新增 35 题", "· x30 第30道补充题：党支部每月相对固定一天开展什么…", "……另有 5 题没有列出"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "x31") {
		t.Errorf("the 31st question is named:\n%s", m.Text)
	}
	e.press(admin, "发布", "第 2 版")
}

// TestUploadRemovesAskedQuestions: an upload that removes questions
// members were asked says so before 发布 — how many of them, the answers
// recorded to them, the open attempts that hold them — and that their
// attempts keep what they were asked; 发布 is not asked again because a
// member answered meanwhile; after it, the member's open study goes on
// with the questions it was drawn with.
func TestUploadRemovesAskedQuestions(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	u := e.member(1001, "党员甲", "qingshan")
	e.send(u, "/study", "第 1/10 题")
	e.answerCurrent(u, true)
	a := e.openAttempt(1001)
	bankID := a.Items[0].Bank
	if a.Items[5].Bank != bankID {
		t.Fatalf("November's study draws from more than one bank: %s, %s", bankID, a.Items[5].Bank)
	}
	drawn := map[string]bool{}
	for _, it := range a.Items {
		drawn[it.QID] = true
	}
	bank := e.svc.Content().Catalog.Bank(bankID)
	never := ""
	for _, q := range bank.Questions {
		if !drawn[q.ID] {
			never = q.ID
			break
		}
	}
	// Removed: the question answered, one drawn but not answered yet, one
	// nobody was asked.
	removed := map[string]bool{a.Items[0].QID: true, a.Items[5].QID: true, never: true}
	next := *bank
	next.Questions = nil
	for _, q := range bank.Questions {
		if !removed[q.ID] {
			next.Questions = append(next.Questions, q)
		}
	}
	file := string(questions.EncodeBank(&next, ""))

	m := e.upload(admin, bankID+".toml", file, "确认发布吗")
	want := "要删除的 3 题中，有 2 题党员已经做过（已作答 1 次，1 份进行中的答题含有这些题，仍按原题作答）。他们的答题记录保留当时的题目"
	if !strings.Contains(m.Text, want) {
		t.Errorf("the summary lacks %q:\n%s", want, m.Text)
	}
	for id := range removed {
		line := "· " + id + " " + truncateRunes(strings.Join(strings.Fields(bank.Question(id).Text), " "), 24)
		asked := id != never
		i := strings.Index(m.Text, line)
		if i < 0 {
			t.Errorf("removed question %s is not named:\n%s", id, m.Text)
			continue
		}
		rest := m.Text[i+len(line):]
		if end := strings.Index(rest, "\n"); end >= 0 {
			rest = rest[:end]
		}
		if got := strings.Contains(rest, "党员做过"); got != asked {
			t.Errorf("question %s marked as asked: %v, want %v (%q)", id, got, asked, rest)
		}
	}

	// The member answers on (the removed question 6 among them): the
	// figures move, what publishing changes does not.
	for i := 1; i <= 5; i++ {
		e.answerCurrent(u, true)
	}
	e.press(admin, "发布", "✅ 已发布")
	if e.svc.Content().Catalog.Bank(bankID).Question(a.Items[0].QID) != nil {
		t.Fatal("the question was not removed")
	}
	for i := 6; i < 10; i++ {
		e.answerCurrent(u, true)
	}
	e.waitAfter(u, 0, "本月学习完成")
	done := e.attempt(1001, a.ID)
	if !done.Closed || done.Items[0].QID != a.Items[0].QID || done.Items[5].Text != a.Items[5].Text || done.Right != 10 {
		t.Errorf("the study after the removal: closed %v, right %d, items %s %s", done.Closed, done.Right, done.Items[0].QID, done.Items[5].QID)
	}

	// Now that the study is closed, the same warning counts past answers only.
	again := *bank
	again.Questions = append([]*questions.Question(nil), next.Questions...)
	again.Questions = again.Questions[1:]
	gone := next.Questions[0].ID
	m = e.upload(admin, bankID+".toml", string(questions.EncodeBank(&again, "")), "确认发布吗")
	if drawn[gone] {
		if !strings.Contains(m.Text, "有 1 题党员已经做过（已作答 1 次）") {
			t.Errorf("a question answered in a closed study:\n%s", m.Text)
		}
	} else if strings.Contains(m.Text, "党员已经做过") {
		t.Errorf("a question nobody was asked:\n%s", m.Text)
	}
}

// truncateRunes is the bot's cut of a long stem: n-1 characters and "…".
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// TestTitleOnlyChanges: a plan whose only change is its title, or the
// banks of a quarter's test, and a bank whose only change is its title,
// can be published; before, each was refused as no change.
func TestTitleOnlyChanges(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	plan, ok := questions.BuiltinFile("plan.toml")
	if !ok {
		t.Fatal("no built-in plan")
	}
	retitled := strings.Replace(string(plan), `title = "党员年度学习计划"`, `title = "2027年党员学习计划"`, 1)
	e.upload(admin, "plan.toml", retitled, "名称由「党员年度学习计划」改为「2027年党员学习计划」")
	e.press(admin, "发布", "第 1 版")
	if got := e.svc.Content().Catalog.Plan.Title; got != "2027年党员学习计划" {
		t.Fatalf("plan title %q", got)
	}
	quarter := retitled + "\n[[quarter]]\nquarter = 4\nbanks = [\"sanhui-yike\"]\n"
	e.upload(admin, "plan.toml", quarter, "季度测试的题库有变动：第四季度")
	e.press(admin, "发布", "第 2 版")

	e.upload(admin, "test-bank.toml", goodBank, "确认发布吗")
	e.press(admin, "发布", "第 1 版")
	m := e.upload(admin, "test-bank.toml", strings.Replace(goodBank, `title = "测试题库"`, `title = "三会一课测试"`, 1), "确认发布吗")
	if !strings.Contains(m.Text, "名称由「测试题库」改为「三会一课测试」") {
		t.Errorf("summary: %s", m.Text)
	}
	e.press(admin, "发布", "第 2 版")
}

// TestBankVersions: a bank's card lists its versions — who, when, what
// changed — sends the current file back, and rolls back to an earlier
// version through the same 发布 confirmation, as a new version; a roll
// back's button is stale once another is offered, and one whose summary
// changed is shown again.
func TestBankVersions(t *testing.T) {
	e := newEnv(t, func(e *env) { e.admins = []int64{adminID, 2} })
	admin := e.srv.NewUser(adminID, "组织部")
	clerk := e.member(2, "李干事", "qingshan")

	v2 := strings.Replace(goodBank, "一课即党课。", "“一课”即按时上好党课。", 1)
	v2 = strings.Replace(v2, "id = \"2\"", "id = \"3\"", 1)
	v3 := strings.Replace(v2, "党课", "专题党课", 1)
	e.upload(admin, "test-bank.toml", goodBank, "确认发布吗")
	e.press(admin, "发布", "第 1 版")
	e.clock.Advance(time.Hour)
	e.upload(admin, "test-bank.toml", v2, "确认发布吗")
	e.press(admin, "发布", "第 2 版")
	e.clock.Advance(time.Hour)
	e.upload(clerk, "test-bank.toml", v3, "确认发布吗")
	e.press(clerk, "发布", "第 3 版")

	e.send(admin, "/banks", "已发布的题库")
	card := e.press(admin, "📄 测试题库", "版本记录")
	for _, want := range []string{
		"现在：第 3 版",
		"版本记录（共 3 版，新的在前）",
		"· 第 3 版 · 11月10日 12",
		"李干事 · 新增 0 题，修改 1 题，删除 0 题",
		"· 第 2 版 · 11月10日 11",
		"管理员（用户 ID 1） · 新增 1 题，修改 1 题，删除 1 题",
		"· 第 1 版 · 11月10日 10",
		"管理员（用户 ID 1） · 新题库",
	} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("the card lacks %q:\n%s", want, card.Text)
		}
	}
	if card.HasButton("↩️ 回滚到第 3 版") || !card.HasButton("↩️ 回滚到第 2 版") || !card.HasButton("↩️ 回滚到第 1 版") {
		t.Errorf("roll-back buttons: %v", card.Buttons)
	}

	// The current file, exactly as it was published.
	doc := e.document(admin, "⬇️ .toml 文件")
	if doc.Document.Name != "test-bank.toml" || string(doc.Document.Data) != v3 || !strings.Contains(doc.Caption, "题库「测试题库」现在发布的文件") {
		t.Errorf("file %q, caption %q, data:\n%s", doc.Document.Name, doc.Caption, doc.Document.Data)
	}
	// Sent back unchanged, it changes nothing.
	e.upload(admin, doc.Document.Name, string(doc.Document.Data), "完全相同")

	// Roll back to version 1: the summary, 发布, a fourth version.
	m := e.press(admin, "↩️ 回滚到第 1 版", "确认发布吗")
	for _, want := range []string{"回滚到第 1 版", "新增 1 题，修改 1 题，删除 1 题", "新增：\n· 2 党小组会属于", "删除：\n· 3 党小组会属于"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the roll back's summary lacks %q:\n%s", want, m.Text)
		}
	}
	if e.svc.Content().Catalog.Bank("test-bank").Question("3") == nil {
		t.Fatal("the roll back changed the bank before 发布")
	}
	e.press(admin, "发布", "已回滚：第 1 版的内容已作为第 4 版发布")
	live := e.svc.Content().Catalog.Bank("test-bank")
	first := questions.ParseFile("v1.toml", []byte(goodBank)).Bank
	if len(live.Questions) != len(first.Questions) {
		t.Fatalf("after the roll back: %d questions", len(live.Questions))
	}
	for i, q := range first.Questions {
		if live.Questions[i].ID != q.ID || live.Questions[i].Hash() != q.Hash() {
			t.Errorf("question %s is not version 1's", q.ID)
		}
	}
	e.send(admin, "/banks", "已发布的题库")
	card = e.press(admin, "📄 测试题库", "版本记录")
	if !strings.Contains(card.Text, "· 第 4 版 · ") || !strings.Contains(card.Text, "回滚到第 1 版：新增 1 题，修改 1 题，删除 1 题") {
		t.Errorf("the card after the roll back:\n%s", card.Text)
	}
	// Version 1 is what is published now: nothing to roll back.
	e.press(admin, "↩️ 回滚到第 1 版", "第 1 版和现在发布的内容完全相同，无需回滚")

	// Two roll backs offered: the first one's 发布 is stale.
	older := e.press(admin, "↩️ 回滚到第 3 版", "确认发布吗")
	e.press(admin, "↩️ 回滚到第 2 版", "确认发布吗")
	seq := admin.Seq()
	if _, err := admin.PressOn(older.ID, "发布"); err != nil {
		t.Fatal(err)
	}
	e.waitAfter(admin, seq, "失效")
	if e.svc.Content().Catalog.Bank("test-bank").Question("3") != nil {
		t.Fatal("a stale roll back was published")
	}

	// Published meanwhile: 发布 shows what the roll back changes now.
	ctx := context.Background()
	v, _ := e.svc.Viewer(ctx, adminID)
	d, err := e.svc.Prepare(ctx, v, "test-bank.toml", []byte(bankWith(1)))
	if err != nil || len(d.Problems) > 0 {
		t.Fatal(err, d.Problems)
	}
	if _, err := e.svc.Publish(ctx, v, d); err != nil {
		t.Fatal(err)
	}
	m = e.press(admin, "发布", "已发布的内容有了变化")
	if !strings.Contains(m.Text, "· x1 第1道补充题") {
		t.Errorf("the roll back shown again:\n%s", m.Text)
	}
	e.press(admin, "发布", "已回滚：第 2 版的内容已作为第 6 版发布")
}

// TestRestoreBuiltin: a built-in bank changed in chat can be restored to
// what is built into the program, through the same summary and 发布, as
// the next version (issue 14: before, its card had no way back once a
// version was published in chat).
func TestRestoreBuiltin(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	builtin, ok := questions.BuiltinFile("sanhui-yike.toml")
	if !ok {
		t.Fatal("no built-in sanhui-yike.toml")
	}
	orig := questions.ParseFile("sanhui-yike.toml", builtin).Bank
	// The same bank with its first question's stem changed.
	q := orig.Questions[0]
	edited := strings.Replace(string(builtin), q.Text, q.Text+"（修订）", 1)
	if edited == string(builtin) {
		t.Fatal("setup: the stem is not in the file as written")
	}
	e.send(admin, "/banks", "已发布的题库")
	card := e.press(admin, "📄 "+orig.Title, "内置")
	if card.HasButton("↩️ 恢复内置版本") {
		t.Errorf("a bank still as built in offers to restore it: %v", card.Buttons)
	}
	e.upload(admin, "sanhui-yike.toml", edited, "确认发布吗")
	e.press(admin, "发布", "第 1 版")
	if got := e.svc.Content().Catalog.Bank(orig.ID).Question(q.ID).Text; got == q.Text {
		t.Fatal("setup: the edit was not published")
	}

	e.send(admin, "/banks", "已发布的题库")
	e.press(admin, "📄 "+orig.Title, "版本记录")
	m := e.press(admin, "↩️ 恢复内置版本", "确认发布吗")
	for _, want := range []string{"恢复内置版本", "修改 1 题"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the restore's summary lacks %q:\n%s", want, m.Text)
		}
	}
	e.press(admin, "发布", "已恢复：程序自带的内容已作为第 2 版发布")
	live := e.svc.Content().Catalog.Bank(orig.ID)
	if len(live.Questions) != len(orig.Questions) {
		t.Fatalf("after restoring: %d questions, built in %d", len(live.Questions), len(orig.Questions))
	}
	for i, bq := range orig.Questions {
		if live.Questions[i].ID != bq.ID || live.Questions[i].Hash() != bq.Hash() {
			t.Errorf("question %s is not the built-in one", bq.ID)
		}
	}
	e.send(admin, "/banks", "已发布的题库")
	card = e.press(admin, "📄 "+orig.Title, "版本记录")
	if !strings.Contains(card.Text, "恢复内置版本：新增 0 题，修改 1 题，删除 0 题") {
		t.Errorf("the card after restoring:\n%s", card.Text)
	}
	e.press(admin, "↩️ 恢复内置版本", "和程序自带的版本完全相同，无需恢复")

	// Forged: a bank that is not built in has nothing to restore.
	seq := admin.Seq()
	if _, err := admin.PressData(card.ID, "bk:r:b:builtin:no-such-bank"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if s := after(admin, seq); strings.Contains(s, "确认发布吗") {
		t.Errorf("a forged restore offered to publish: %s", s)
	}
}

// fromFolder runs the bot on the banks and tree of a folder on the
// server holding files (name → content), as [questions] dir does.
func fromFolder(t *testing.T, files map[string]string) envOption {
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(e *env) {
		e.catalog = func(t *testing.T) *questions.Catalog {
			s := questions.Load(dir)
			if s.Catalog == nil {
				t.Fatal(s.Problems)
			}
			return s.Catalog
		}
	}
}

// TestBanksOrigin: /banks says 内置 only for what is built into the
// program — banks and a tree read from a folder on the server say so —
// and sends the format guide as a document, not a path in the source.
func TestBanksOrigin(t *testing.T) {
	org, _ := questions.BuiltinFile("org.toml")
	e := newEnv(t, fromFolder(t, map[string]string{"test-bank.toml": goodBank, "org.toml": string(org)}))
	admin := e.srv.NewUser(adminID, "组织部")
	m := e.send(admin, "/banks", "已发布的题库")
	for _, want := range []string{"测试题库（test-bank）：2 题 · 服务器上的文件 test-bank.toml", "组织架构：16 个组织，服务器上的文件 org.toml"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("/banks lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "内置") || strings.Contains(m.Text, "questions/README.md") {
		t.Errorf("/banks:\n%s", m.Text)
	}
	card := e.press(admin, "📄 测试题库", "还没有在聊天里发布过新版本")
	if !strings.Contains(card.Text, "现在：服务器上的文件 test-bank.toml") {
		t.Errorf("card:\n%s", card.Text)
	}
	// A bank from the folder is sent as TOML that reads back the same.
	doc := e.document(admin, "⬇️ .toml 文件")
	back := questions.ParseFile(doc.Document.Name, doc.Document.Data)
	if len(back.Problems) > 0 || back.Bank == nil || back.Bank.ID != "test-bank" || len(back.Bank.Questions) != 2 {
		t.Fatalf("the file sent back: %v", back.Problems)
	}
	e.upload(admin, doc.Document.Name, string(doc.Document.Data), "完全相同")

	// The format guide: questions/README.md, built into the program.
	e.send(admin, "/banks", "已发布的题库")
	guide := e.document(admin, "📖 格式说明")
	readme, err := os.ReadFile("../questions/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if guide.Document.Name != "题库格式说明.txt" || string(guide.Document.Data) != string(readme) || !strings.Contains(guide.Caption, "写法") {
		t.Errorf("guide %q (%d bytes), caption %q", guide.Document.Name, len(guide.Document.Data), guide.Caption)
	}

	// With the built-in banks, they are 内置; the built-in plan's file is
	// sent as it is written.
	b := newEnv(t)
	admin = b.srv.NewUser(adminID, "组织部")
	m = b.send(admin, "/banks", "已发布的题库")
	if !strings.Contains(m.Text, "三会一课与主题党日（sanhui-yike）：27 题 · 内置") || !strings.Contains(m.Text, "组织架构：16 个组织，内置") {
		t.Errorf("/banks with the built-in banks:\n%s", m.Text)
	}
	b.press(admin, "🗓 学习计划", "现在：内置")
	plan := b.document(admin, "⬇️ .toml 文件")
	if want, _ := questions.BuiltinFile("plan.toml"); plan.Document.Name != "plan.toml" || string(plan.Document.Data) != string(want) {
		t.Errorf("plan file %q", plan.Document.Name)
	}
}
