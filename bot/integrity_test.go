package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// The tests of this file are the specification of "fair and exact"
// (issue 9): no answer of a test leaks while someone may still take it,
// the mistake book is really spaced, every figure has one definition and
// counts a member only for what they could take part in, a move keeps
// every count adding up, and no button does what its presser may not.

// engineStudy finishes the member's study of this month through the
// engine, each answer secs after the last; right picks right answers.
func (e *env) engineStudy(id int64, right bool, secs time.Duration) {
	e.t.Helper()
	ctx := context.Background()
	sess, err := e.svc.StartStudy(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.engineAnswerAll(id, sess.Attempt, func(int) bool { return right }, secs)
}

// engineTest takes this quarter's test through the engine, the first
// nRight questions right and the rest wrong, 10 s an answer.
func (e *env) engineTest(id int64, nRight int) *quiz.Attempt {
	e.t.Helper()
	a, err := e.svc.StartTest(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.engineAnswerAll(id, a, func(i int) bool { return i < nRight }, 10*time.Second)
}

// engineAnswerAll answers every open item of an attempt.
func (e *env) engineAnswerAll(id int64, a *quiz.Attempt, right func(int) bool, secs time.Duration) *quiz.Attempt {
	e.t.Helper()
	ctx := context.Background()
	for i := a.Current(); i < len(a.Items); i++ {
		e.clock.Advance(secs)
		choice, text := answerFor(&a.Items[i], right(i))
		res, err := e.svc.Answer(ctx, id, a.ID, i, choice, text, "")
		if err != nil {
			e.t.Fatalf("answer %d: %v", i, err)
		}
		a = res.Attempt
	}
	return a
}

// answerFor is a right or a wrong answer to an item.
func answerFor(it *quiz.Item, right bool) ([]int, string) {
	switch {
	case it.Type == questions.Fill && right:
		return nil, it.Accepted[0]
	case it.Type == questions.Fill:
		return nil, "不知道"
	case right:
		return it.Answer, ""
	case it.Type == questions.Multiple:
		return []int{(it.Answer[0] + 1) % len(it.Options)}, ""
	}
	return []int{(it.Answer[0] + 1) % len(it.Options)}, ""
}

// stems name members in tests (a real name has no digits).
var stems = []string{"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"}

// after returns the bot's messages to u after seq, joined.
func after(u *telegramtest.User, seq int64) string {
	var b strings.Builder
	for _, m := range u.Messages() {
		if m.Seq > seq {
			b.WriteString(m.Text + "\n")
		}
	}
	return b.String()
}

// TestMistakesWaitForTheTestToClose: a test's questions enter the mistake
// book, and its answers reach /review, only once the window and every
// make-up granted for that test have closed.
func TestMistakesWaitForTheTestToClose(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 12, 3, 10, 0)) // the fourth quarter's window is December
	u := e.member(1001, "党员甲", "qingshan")
	e.member(1002, "党员乙", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	a := e.engineTest(1001, 0) // every answer wrong
	texts := map[string]bool{}
	for _, it := range a.Items {
		texts[it.Text] = true
	}
	showsTest := func(s string) bool {
		for line := range strings.SplitSeq(s, "\n") {
			for text := range texts {
				if strings.Contains(line, text) {
					return true
				}
			}
		}
		return false
	}

	seq := u.Seq()
	m := e.send(u, "/mistakes", "错题")
	e.settle()
	if showsTest(after(u, seq)) {
		t.Fatalf("/mistakes shows a question of the open test:\n%s", after(u, seq))
	}
	if !strings.Contains(m.Text, "测试结束后") {
		t.Errorf("/mistakes does not say when the test's questions come: %s", m.Text)
	}

	// The window closes; 党员乙 missed the test and gets a make-up.
	e.clock.Set(at(2027, 1, 2, 10, 0))
	e.memberCard(sec, "党员乙")
	e.press(sec, "补考 2026年第四季度", "请选择期限")
	e.press(sec, "7 天", "已为 党员乙 开放补考")
	seq = u.Seq()
	e.send(u, "/mistakes", "错题")
	e.settle()
	if showsTest(after(u, seq)) {
		t.Fatalf("/mistakes shows the test while a make-up is open:\n%s", after(u, seq))
	}
	rv := e.send(u, "/review", "测试")
	if strings.Contains(rv.Text, "请选择要查看的测试") {
		t.Fatalf("/review opens the test while a make-up is open: %s", rv.Text)
	}

	// The make-up is over: the questions come back, answers and all.
	e.clock.Set(at(2027, 1, 10, 10, 0))
	seq = u.Seq()
	e.send(u, "/mistakes", "第 1/")
	if !showsTest(after(u, seq)) {
		t.Errorf("after the make-up the test's questions are not in the book:\n%s", after(u, seq))
	}
	e.send(u, "/cancel", "退出")
	e.send(u, "/review", "请选择要查看的测试")
}

// TestWeakHidesTheOpenTest: while the test's window is open, /weak shows
// its questions without their answers — to a secretary who takes the test
// too, and to the admins; mistake-book practice does not count in the
// item statistics.
func TestWeakHidesTheOpenTest(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 12, 3, 10, 0))
	for i := int64(0); i < 10; i++ {
		e.member(1001+i, "党员"+stems[i], "qingshan")
	}
	// The secretary is a member of the branch too, and takes the test.
	sec := e.secretary(2001, "书记", "qingshan")
	e.send(sec, "/start "+e.invite("qingshan", quiz.RoleMember), "您已加入")
	admin := e.srv.NewUser(adminID, "组织部")
	for _, id := range []int64{2001, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010} {
		e.engineTest(id, 0)
	}
	for _, u := range []*telegramtest.User{sec, admin} {
		m := e.send(u, "/weak qingshan", "错得最多")
		if strings.Contains(m.Text, "正确答案") {
			t.Errorf("/weak shows answers of the open test:\n%s", m.Text)
		}
		if !strings.Contains(m.Text, "测试结束后") {
			t.Errorf("/weak does not say the answers come after the test:\n%s", m.Text)
		}
	}
	e.clock.Set(at(2027, 1, 2, 10, 0))
	m := e.send(sec, "/weak qingshan", "错得最多")
	if !strings.Contains(m.Text, "正确答案") {
		t.Errorf("/weak after the window closed shows no answers:\n%s", m.Text)
	}

	// Practice of the mistake book is not counted in the item statistics.
	before := e.itemAnswers("qingshan")
	p, err := e.svc.StartPractice(context.Background(), 1001)
	if err != nil {
		t.Fatal(err)
	}
	e.engineAnswerAll(1001, p, func(int) bool { return true }, 10*time.Second)
	if got := e.itemAnswers("qingshan"); got != before {
		t.Errorf("practice counted in item statistics: %d answers, was %d", got, before)
	}
}

// itemAnswers sums the answers of every question counted at node.
func (e *env) itemAnswers(node string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.View(context.Background(), func(tx quiz.Tx) error {
		return tx.NodeItems(node, func(_ string, s quiz.ItemStats) error {
			n += s.Answers
			return nil
		})
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestMistakesAreSpaced: practising the book five times in a minute does
// not empty it; only a review of a due mistake moves it up a box, and
// /mistakes says how many are due and when the next come.
func TestMistakesAreSpaced(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	e.engineStudy(1001, false, 10*time.Second) // ten mistakes, due tomorrow
	e.clock.Advance(25 * time.Hour)
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		p, err := e.svc.StartPractice(ctx, 1001)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		e.engineAnswerAll(1001, p, func(int) bool { return true }, 5*time.Second)
	}
	var book []*quiz.Mistake
	e.db.View(ctx, func(tx quiz.Tx) error {
		book, _ = tx.Mistakes(1001)
		return nil
	})
	if len(book) != 10 {
		t.Fatalf("%d mistakes left after five quick rounds, want 10", len(book))
	}
	for _, m := range book {
		if m.Box != 1 {
			t.Errorf("%s in box %d after one due review, want 1", m.Key, m.Box)
		}
	}
	// A wrong answer early still moves a question down.
	p, err := e.svc.StartPractice(ctx, 1001)
	if err != nil {
		t.Fatal(err)
	}
	e.engineAnswerAll(1001, p, func(i int) bool { return i != 0 }, 5*time.Second)
	e.db.View(ctx, func(tx quiz.Tx) error {
		book, _ = tx.Mistakes(1001)
		return nil
	})
	down := 0
	for _, m := range book {
		if m.Box == 0 {
			down++
		}
	}
	if down != 1 {
		t.Errorf("%d questions back in box 0 after one wrong answer, want 1", down)
	}
	m := e.send(u, "/mistakes", "错题本")
	if !strings.Contains(m.Text, "现在到期 0 道") || !strings.Contains(m.Text, "11月12日") {
		t.Errorf("/mistakes does not say what is due and when the next come: %s", m.Text)
	}
}

// TestLateJoinersCountFromTheirMonth: members who joined on 8 October
// owe October and November's study, not the whole half year, and no test
// whose window closed before they joined.
func TestLateJoinersCountFromTheirMonth(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	e.clock.Set(at(2026, 10, 8, 10, 0))
	for i := int64(0); i < 3; i++ {
		e.member(1001+i, "党员"+stems[i], "qingshan")
	}
	e.clock.Set(at(2026, 10, 20, 10, 0))
	for i := int64(0); i < 3; i++ {
		e.engineStudy(1001+i, true, 10*time.Second)
	}
	e.clock.Set(at(2026, 11, 10, 10, 0))
	// Three of six member-months owed are done: 50 %; the third quarter's
	// test closed before they joined.
	m := e.send(admin, "/rank dasha", "下级组织排名")
	row := lineWith(m.Text, "青山村")
	if !strings.Contains(row, "学习 50.0%") || !strings.Contains(row, "尚未测试") {
		t.Errorf("青山村's standing counts months they could not take part in: %q\n%s", row, m.Text)
	}
}

// lineWith returns the first line of s that contains sub.
func lineWith(s, sub string) string {
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, sub) {
			return line
		}
	}
	return ""
}

// TestOneMeanPerLabel: the mean of those who took a test and the mean
// over everyone who should have are two figures with two labels, the
// same in /branch and in the test-close round; a member who joined after
// the window closed is not counted for it.
func TestOneMeanPerLabel(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 12, 3, 10, 0))
	for i := int64(0); i < 3; i++ {
		e.member(1001+i, "党员"+stems[i], "qingshan")
	}
	sec := e.secretary(2001, "书记", "qingshan")
	e.engineTest(1001, 13) // 65 of 100
	for _, m := range []telegramtest.Message{e.send(sec, "/branch", "青山村党支部")} {
		for _, want := range []string{"参考 1/3 人", "参考人员平均分 65.0", "人均得分 21.7", "及格率 33.3%"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("/branch lacks %q:\n%s", want, m.Text)
			}
		}
	}
	// Someone joins after the window closed, before the round.
	e.clock.Set(at(2027, 1, 1, 8, 0))
	e.member(1009, "新党员", "qingshan")
	e.clock.Set(at(2027, 1, 1, 9, 5))
	e.bot.RunRounds(context.Background())
	m := e.waitAfter(sec, 0, "2026年第四季度测试结果")
	for _, want := range []string{"参考 1/3 人", "参考人员平均分 65.0", "人均得分 21.7", "及格率 33.3%"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the test-close round lacks %q:\n%s", want, m.Text)
		}
	}
	// The newcomer is not told they missed a test they could not take.
	e.waitAfter(e.srv.User(1002), 0, "您没有参加本次测试")
	e.settle()
	if n := count(e.srv.User(1009), "测试已结束"); n != 0 {
		t.Errorf("a member who joined after the window closed was told the test's result")
	}
}

// TestRankLeavesOutEmptyBranches: in /rank a node without members is
// listed as not ranked, after those ranked, and does not share first place
// with a branch whose members did nothing; a member's own branch is
// placed among the ranked only; /branch says 暂无党员, not "0/0".
func TestRankLeavesOutEmptyBranches(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	u := e.member(1001, "党员甲", "qingshan")
	m := e.send(admin, "/rank", "下级组织排名")
	if !strings.Contains(m.Text, "第二片区：暂无党员，不参加排名") || strings.Contains(m.Text, "1. 第二片区") {
		t.Errorf("/rank ranks a node without members:\n%s", m.Text)
	}
	if !strings.Contains(m.Text, "1. 青山村党支部") || !strings.Contains(m.Text, "个党支部暂无党员或暂无可比数据，不参加排名") ||
		strings.Contains(m.Text, "1. 老洼坪村党支部") {
		t.Errorf("/rank's branches:\n%s", m.Text)
	}
	br := e.send(admin, "/branch", "下级组织")
	if !strings.Contains(br.Text, "第二片区：暂无党员") || strings.Contains(br.Text, "0/0") {
		t.Errorf("/branch shows a node without members as counts:\n%s", br.Text)
	}
	mine := e.send(u, "/rank", "半年一比")
	if !strings.Contains(mine.Text, "在同级 1 个组织中排第 1 名") {
		t.Errorf("a member's /rank counts the empty branches beside theirs:\n%s", mine.Text)
	}
}

// TestMoveAsksAndKeepsCounts: a member of 牛卯坪 who opens 老洼坪's
// invite is asked first; after the move every count adds up, and the
// month's study is counted where the member is now.
func TestMoveAsksAndKeepsCounts(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "niumaoping")
	e.member(1002, "党员乙", "laowaping")
	sec := e.secretary(2001, "书记", "taiping")
	e.engineStudy(1001, true, 10*time.Second)
	code := e.invite("laowaping", quiz.RoleMember)
	m := e.send(u, "/start "+code, "老洼坪")
	if !m.HasButton("确认转入") {
		t.Fatalf("a move is not confirmed first: %s %v", m.Text, m.ButtonTexts())
	}
	if v, _ := e.svc.Viewer(context.Background(), 1001); v.User.Branch != "niumaoping" {
		t.Fatalf("moved before confirming: %s", v.User.Branch)
	}
	e.press(u, "确认转入", "老洼坪村党支部")
	rep := e.send(sec, "/branch", "太平镇党委")
	if l := lineWith(rep.Text, "牛卯坪"); !strings.Contains(l, "牛卯坪村党支部：暂无党员") {
		t.Errorf("牛卯坪 after the move: %q", l)
	}
	if l := lineWith(rep.Text, "老洼坪"); !strings.HasPrefix(strings.TrimSpace(l), "老洼坪村党支部：1/2") {
		t.Errorf("老洼坪 after the move: %q\n%s", l, rep.Text)
	}
	lw := e.send(sec, "/branch laowaping", "老洼坪村党支部")
	if !strings.Contains(lw.Text, "已完成 1/2 人") {
		t.Errorf("老洼坪's own report: %s", lw.Text)
	}
}

// TestFastStudyIsFlagged: study answered implausibly fast reaches the
// secretary's 答题过快 list.
func TestFastStudyIsFlagged(t *testing.T) {
	e := newEnv(t)
	e.member(1001, "快手", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.engineStudy(1001, true, 0)
	m := e.send(sec, "/branch qingshan", "青山村党支部")
	if !strings.Contains(m.Text, "答题过快") || !strings.Contains(lineWith(m.Text, "答题过快"), "快手") {
		t.Errorf("fast study not flagged:\n%s", m.Text)
	}
}

// TestStalePublishButton: 发布 under an earlier upload's summary does not
// publish a later upload.
func TestStalePublishButton(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	bankB := strings.ReplaceAll(goodBank, "test-bank", "bank-b")
	seq := admin.Seq()
	admin.SendDocument("test-bank.toml", "text/plain", []byte(goodBank))
	first := e.waitAfter(admin, seq, "确认发布吗")
	seq = admin.Seq()
	admin.SendDocument("bank-b.toml", "text/plain", []byte(bankB))
	e.waitAfter(admin, seq, "确认发布吗")
	seq = admin.Seq()
	if _, err := admin.PressOn(first.ID, "发布"); err != nil {
		t.Fatal(err)
	}
	e.waitAfter(admin, seq, "失效")
	e.settle()
	if e.svc.Content().Catalog.Bank("bank-b") != nil {
		t.Fatal("the first upload's 发布 published the second upload")
	}
}

// grants returns a member's make-ups.
func (e *env) grants(id int64) []quiz.Grant {
	e.t.Helper()
	var gs []quiz.Grant
	if err := e.db.View(context.Background(), func(tx quiz.Tx) error {
		var err error
		gs, err = tx.Grants(id)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return gs
}

// count returns how many of u's messages contain sub.
func count(u *telegramtest.User, sub string) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, sub) {
			n++
		}
	}
	return n
}

// TestMakeupButtons: a make-up is granted for a missed past or current
// period after the member joined, by a secretary whose scope holds the
// member, once per press; forged presses grant nothing and say why.
func TestMakeupButtons(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 9, 2, 10, 0))
	u := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.clock.Set(at(2026, 10, 12, 10, 0))
	e.memberCard(sec, "党员甲")
	picker := e.press(sec, "补考 2026年第三季度", "请选择期限")

	// A double tap on the picker grants once and tells the member once.
	for i := 0; i < 2; i++ {
		if _, err := sec.PressOn(picker.ID, "7 天"); err != nil {
			t.Fatal(err)
		}
	}
	e.waitAfter(u, 0, "党支部为您开放了补考 2026年第三季度")
	e.settle()
	// Another length on the same picker, replayed after its buttons went.
	if _, err := sec.PressData(picker.ID, strings.Replace(picker.Buttons[0][0].Data, ":3", ":14", 1)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	time.Sleep(100 * time.Millisecond)
	if gs := e.grants(1001); len(gs) != 1 {
		t.Fatalf("%d grants after a double tap, want 1: %+v", len(gs), gs)
	}
	if n := count(u, "为您开放了"); n != 1 {
		t.Errorf("the member was told %d times, want 1", n)
	}

	// Forged data from the secretary in scope: a future quarter, a month
	// before the member joined, a kind that is not s or t, garbage days.
	key := strconv.FormatInt(1001, 36)
	for _, d := range []string{
		"mk2:" + key + ":t:2030-Q1:7",
		"mk2:" + key + ":s:2026-08:7",
		"mk2:" + key + ":x:2026-10:7",
		"mk2:" + key + ":s:2026-10:999",
		"mk2:" + key + ":s:2026-10:-5",
		"mk2:" + key + ":s:2026-10:10",
		"mk1:" + key + ":t:2030-Q1",
		"mk1:" + key + ":s:2026-08",
	} {
		seq := sec.Seq()
		before := len(sec.Answers())
		if _, err := sec.PressData(picker.ID, d); err != nil {
			t.Fatal(err)
		}
		e.eventually("the press of "+d+" to be answered", func() bool { return len(sec.Answers()) > before })
		if a := sec.Answers()[len(sec.Answers())-1]; a.Text == "" {
			t.Errorf("%s: refused without saying why", d)
		}
		e.settle()
		if s := after(sec, seq); strings.Contains(s, "请选择期限") || strings.Contains(s, "已为") {
			t.Errorf("%s: acted on a forged press: %s", d, s)
		}
	}
	if gs := e.grants(1001); len(gs) != 1 {
		t.Errorf("forged presses granted: %+v", gs)
	}
	if n := e.metrics.Failures(); n != 0 {
		t.Errorf("%d internal errors from forged presses", n)
	}
}

// TestSecretaryInviteOnce: a secretary invite makes one secretary; a
// forwarded copy is refused, and the admin is told who used it.
func TestSecretaryInviteOnce(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	e.send(admin, "/start", "欢迎")
	link := e.send(admin, "/invite qingshan secretary", "书记邀请链接")
	code := strings.Fields(link.Text[strings.Index(link.Text, "start=")+6:])[0]
	a := e.srv.NewUser(2001, "甲")
	e.send(a, "/start "+code, "真实姓名")
	e.send(a, "王书记", "您已成为")
	e.waitAfter(admin, 0, "王书记 成为")
	b := e.srv.NewUser(2002, "乙")
	e.send(b, "/start "+code, "已经被使用")
	if v, _ := e.svc.Viewer(context.Background(), 2002); v.User.IsSecretary() {
		t.Fatal("a forwarded secretary link made a second secretary")
	}
	// The one who used it may open it again harmlessly; a member link
	// serves a whole branch.
	e.send(a, "/start "+code, "您已成为")
	m := e.invite("qingshan", quiz.RoleMember)
	for i, id := range []int64{3001, 3002} {
		u := e.srv.NewUser(id, "党员"+stems[i])
		e.send(u, "/start "+m, "真实姓名")
		e.send(u, "党员"+stems[i], "您已加入")
	}
}

// TestManagerButtonsForged: every manager button pressed with forged or
// stale data by a member, a stranger or a secretary of another node
// changes nothing, shows nothing of the node, and says why; a second 作废
// on a revoked invite calls no Bot API method but the press's answer.
func TestManagerButtonsForged(t *testing.T) {
	e := newEnv(t)
	target := e.member(1001, "党员甲", "qingshan")
	_ = target
	secHere := e.secretary(2001, "书记甲", "qingshan")
	member := e.member(1002, "党员乙", "niumaoping")
	secThere := e.secretary(2002, "书记乙", "taiping")
	stranger := e.srv.NewUser(3001, "路人")
	e.send(stranger, "/start", "您好")
	admin := e.srv.NewUser(adminID, "组织部")
	e.send(admin, "/start", "欢迎")
	inv := e.send(secHere, "/invite qingshan", "https://t.me/")
	invCode := strings.Fields(inv.Text[strings.Index(inv.Text, "start=")+6:])[0]
	key := strconv.FormatInt(1001, 36)
	ledger := len(e.ledger(1001))
	// A contest of 青山村's group, prepared by its secretary.
	ctx := context.Background()
	group := e.srv.NewGroup(-100123, "青山村党员群")
	vHere, _ := e.svc.Viewer(ctx, 2001)
	if _, err := e.svc.BindGroup(ctx, vHere, group.ID(), "青山村党员群", "qingshan"); err != nil {
		t.Fatal(err)
	}
	contest, err := e.svc.CreateContest(ctx, vHere, quiz.ContestSetup{Chat: group.ID(), Source: quiz.FromMonth, Questions: 3, Seconds: 20})
	if err != nil {
		t.Fatal(err)
	}
	cid := strconv.FormatUint(contest.ID, 36)
	data := []string{
		"br:qingshan", "bm:qingshan", "mb:" + key, "mk1:" + key + ":s:2026-11",
		"mk2:" + key + ":s:2026-11:7", "fx:" + key, "ivx:" + invCode, "pub:y:00000000",
		"rk:qingshan", "yr:qingshan", "iv:qingshan:m", "bx:sanhui-yike", "fxc:y:00000000",
		"cc:" + cid + ":start", "cc:" + cid + ":stop", "cp:" + cid, "cs:go", "cb:sanhui-yike",
	}
	for _, u := range []*telegramtest.User{member, stranger, secThere} {
		msg := u.Messages()[len(u.Messages())-1]
		for _, d := range data {
			seq := u.Seq()
			before := len(u.Answers())
			if _, err := u.PressData(msg.ID, d); err != nil {
				t.Fatal(err)
			}
			e.eventually("an answer to "+d, func() bool { return len(u.Answers()) > before })
			if a := u.Answers()[len(u.Answers())-1]; a.Text == "" {
				t.Errorf("user %d %s: refused with an empty toast", u.ID(), d)
			}
			e.settle()
			if s := after(u, seq); strings.Contains(s, "党员甲") || strings.Contains(s, "青山村") {
				t.Errorf("user %d %s: shown the node: %s", u.ID(), d, s)
			}
		}
	}
	if gs := e.grants(1001); len(gs) != 0 {
		t.Errorf("forged presses granted %+v", gs)
	}
	if c, err := e.svc.Contest(ctx, contest.ID); err != nil || c.Phase != contest.Phase {
		t.Errorf("forged presses changed the contest: %+v, %v", c, err)
	}
	if n := len(group.Messages()); n != 0 {
		t.Errorf("forged presses posted %d messages in the group", n)
	}
	if n := len(e.ledger(1001)); n != ledger {
		t.Errorf("forged presses changed the ledger")
	}
	if got, _, err := e.svc.PeekInvite(context.Background(), 4001, invCode); err != nil || got.Revoked {
		t.Errorf("a forged 作废 revoked the invite: %+v %v", got, err)
	}
	if d, _ := e.db.GetDialog(context.Background(), member.ID()); d != nil {
		t.Errorf("a forged 调整积分 opened a dialog: %s", d)
	}

	// 作废 twice: the second press only answers.
	e.press(secHere, "作废此链接", "已作废")
	e.settle()
	calls := func() int {
		n := 0
		for m, st := range e.srv.Stats() {
			if m != "answerCallbackQuery" && m != "getUpdates" {
				n += st.Calls
			}
		}
		return n
	}
	before, answered := calls(), len(secHere.Answers())
	if _, err := secHere.PressData(inv.ID, "ivx:"+invCode); err != nil {
		t.Fatal(err)
	}
	e.eventually("the second 作废 to be answered", func() bool { return len(secHere.Answers()) > answered })
	e.settle()
	time.Sleep(100 * time.Millisecond)
	if n := calls() - before; n != 0 {
		t.Errorf("a second 作废 made %d Bot API calls besides its answer", n)
	}
	if n := count(secHere, "已作废"); n != 1 {
		t.Errorf("已作废 said %d times, want 1", n)
	}
	if n := e.metrics.Failures(); n != 0 {
		t.Errorf("%d internal errors", n)
	}
}
