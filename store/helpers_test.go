package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// MustOpen opens a new store in a temporary folder, closed when the test
// ends. Without opts it syncs every commit, as the bot does, but batches
// for only a millisecond so that tests run quickly.
func MustOpen(tb testing.TB, opts ...store.Options) *store.DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "quiz.db"), opts...)
}

func mustOpenPath(tb testing.TB, path string, opts ...store.Options) *store.DB {
	tb.Helper()
	o := store.Options{} // as the bot runs: fsync, group commit
	if len(opts) > 0 {
		o = opts[0]
	}
	db, err := store.Open(path, o)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// update and view run fn in a transaction and fail the test on error.
func update(tb testing.TB, db *store.DB, fn func(quiz.Tx) error) {
	tb.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		tb.Fatalf("update: %v", err)
	}
}

func view(tb testing.TB, db *store.DB, fn func(quiz.Tx) error) {
	tb.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		tb.Fatalf("view: %v", err)
	}
}

// testBank has every question type; a test draws from all of them.
const testBank = `
id = "b1"
title = "测试题库"

[[question]]
id = "s1"
type = "单选"
text = "“三会一课”中的“一课”指的是什么？"
options = ["形势政策课", "党课", "业务培训课", "法治教育课"]
answer = "B"
explanation = "“一课”就是党课。"

[[question]]
id = "s2"
type = "单选"
text = "党支部党员大会一般多长时间召开1次？"
options = ["每月", "每季度", "每半年", "每年"]
answer = "B"
explanation = "一般每季度召开1次。"

[[question]]
id = "s3"
type = "单选"
text = "党小组会一般多长时间召开1次？"
options = ["每月", "每两个月", "每季度", "每半年"]
answer = "A"
explanation = "一般每月召开1次。"

[[question]]
id = "m1"
type = "多选"
text = "“三会”包括哪些会议？"
options = ["支部党员大会", "支部委员会会议", "党小组会", "村民代表会议"]
answer = "ABC"
explanation = "村民代表会议不属于“三会”。"

[[question]]
id = "m2"
type = "多选"
text = "“两不愁”指的是什么？"
options = ["不愁吃", "不愁穿", "不愁住", "不愁行"]
answer = "AB"
explanation = "不愁吃、不愁穿。"

[[question]]
id = "t1"
type = "判断"
text = "“季度一测”是指每个季度组织一次测试。"
answer = "对"
explanation = "每季度测试。"

[[question]]
id = "t2"
type = "判断"
text = "“1+1”支部联学不邀请群众参加。"
answer = "错"
explanation = "邀请贫困群众参加。"

[[question]]
id = "f1"
type = "填空"
text = "市委抓总、片区督导、乡级____、村级落实。"
answer = ["统筹"]
explanation = "乡级统筹。"
`

// fixture is a service over a store with a small tree and bank and a
// pinned clock.
type fixture struct {
	DB    *store.DB
	Svc   *quiz.Service
	Clock *clock
	Tree  *quiz.Tree
	Admin quiz.Viewer
}

// clock is a pinned, settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const adminID = 1

// testNodes is the organisation tree of the tests: 市委 → 2 片区 → 2 乡镇
// → 3 branches.
var testNodes = []quiz.Node{
	{ID: "city", Name: "市委"},
	{ID: "a1", Name: "第一片区", Parent: "city"},
	{ID: "a2", Name: "第二片区", Parent: "city"},
	{ID: "t1", Name: "太平镇", Parent: "a1"},
	{ID: "t2", Name: "城关镇", Parent: "a2"},
	{ID: "b1", Name: "牛卯坪村", Parent: "t1"},
	{ID: "b2", Name: "太平村", Parent: "t1"},
	{ID: "b3", Name: "东街社区", Parent: "t2"},
}

// testNow is inside the last month of a quarter, so tests may be taken.
var testNow = time.Date(2026, 12, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func testContent(tb testing.TB) *quiz.Content {
	tb.Helper()
	set := questions.NewSet([]*questions.File{questions.ParseFile("b1.toml", []byte(testBank))}, nil)
	if set.Catalog == nil {
		tb.Fatalf("test bank: %v", set.Problems)
	}
	tree, err := quiz.NewTree(testNodes)
	if err != nil {
		tb.Fatal(err)
	}
	return &quiz.Content{Catalog: set.Catalog, Tree: tree}
}

func testRules() quiz.Rules {
	r := quiz.DefaultRules()
	r.StudyQuestions = 5
	r.StudyMistakes = 0
	r.TestQuestions = 6
	r.TestMix = nil
	r.FastSeconds = 0
	return r
}

func newFixture(tb testing.TB, db *store.DB) *fixture {
	tb.Helper()
	cal, err := quiz.NewCalendar("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	c := testContent(tb)
	clk := &clock{now: testNow}
	svc := quiz.NewService(db, cal, testRules(), clk.Now, []int64{adminID}, c)
	return &fixture{DB: db, Svc: svc, Clock: clk, Tree: c.Tree, Admin: quiz.Viewer{ID: adminID, Admin: true}}
}

// join makes user id a member of branch through an invite.
func (f *fixture) join(tb testing.TB, id int64, branch string) {
	tb.Helper()
	ctx := context.Background()
	inv, err := f.Svc.CreateInvite(ctx, f.Admin, branch, quiz.RoleMember, 0)
	if err != nil {
		tb.Fatalf("invite: %v", err)
	}
	if _, _, err := f.Svc.Join(ctx, id, inv.Code, "张三"); err != nil {
		tb.Fatalf("join: %v", err)
	}
}

// rightAnswer returns the right answer to an item.
func rightAnswer(it *quiz.Item) ([]int, string) {
	if it.Type == questions.Fill {
		return nil, it.Accepted[0]
	}
	return it.Answer, ""
}

// wrongAnswer returns a wrong answer to an item.
func wrongAnswer(it *quiz.Item) ([]int, string) {
	if it.Type == questions.Fill {
		return nil, "不知道"
	}
	for i := range it.Options {
		if len(it.Answer) != 1 || it.Answer[0] != i {
			return []int{i}, ""
		}
	}
	return []int{0}, ""
}

// answerAll answers every remaining item of an attempt, right when
// right(i) says so.
func (f *fixture) answerAll(tb testing.TB, a *quiz.Attempt, right func(i int) bool) *quiz.AnswerResult {
	tb.Helper()
	var res *quiz.AnswerResult
	for i := a.Current(); i < len(a.Items); i++ {
		choice, text := rightAnswer(&a.Items[i])
		if right != nil && !right(i) {
			choice, text = wrongAnswer(&a.Items[i])
		}
		var err error
		res, err = f.Svc.Answer(context.Background(), a.User, a.ID, i, choice, text, "")
		if err != nil {
			tb.Fatalf("answer %d of attempt %d: %v", i, a.ID, err)
		}
	}
	return res
}

// storeOptions returns the default options with another batch delay.
func storeOptions(delay time.Duration) store.Options {
	return store.Options{MaxBatchDelay: delay}
}
