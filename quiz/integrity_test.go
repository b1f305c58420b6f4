package quiz_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// viewer returns who id is.
func (f *fixture) viewer(t *testing.T, id int64) quiz.Viewer {
	t.Helper()
	v, err := f.svc.Viewer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// secretary makes id secretary of node.
func (f *fixture) secretary(t *testing.T, id int64, node string) quiz.Viewer {
	t.Helper()
	ctx := context.Background()
	inv, err := f.svc.CreateInvite(ctx, f.viewer(t, 1), node, quiz.RoleSecretary, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Join(ctx, id, inv.Code, "书记"); err != nil {
		t.Fatal(err)
	}
	return f.viewer(t, id)
}

// study finishes id's study of this month, every answer right.
func (f *fixture) study(t *testing.T, id int64) {
	t.Helper()
	ctx := context.Background()
	sess, err := f.svc.StartStudy(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a := sess.Attempt
	for i := a.Current(); i < len(a.Items); i++ {
		f.now = f.now.Add(10 * time.Second)
		it := a.Items[i]
		var choice []int
		text := ""
		if it.Type == questions.Fill {
			text = it.Accepted[0]
		} else {
			choice = it.Answer
		}
		if _, err := f.svc.Answer(ctx, id, a.ID, i, choice, text, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// checkTotals fails the test if any node's totals are not the sum of its
// members' records.
func (f *fixture) checkTotals(t *testing.T) {
	t.Helper()
	ms, err := f.svc.CheckTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if i == 10 {
			t.Errorf("… and %d more", len(ms)-10)
			break
		}
		t.Errorf("%s %s: stored %+v, the members' records say %+v", m.Node, m.Period, m.Stored, m.Want)
	}
}

// TestGrantMakeupRules: a make-up is for a begun period that ended after
// the member joined, by a manager of the member's branch, once per ref.
func TestGrantMakeupRules(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	ctx := context.Background()
	f.now = time.Date(2026, 9, 5, 10, 0, 0, 0, f.now.Location())
	f.join(t, 1001, "qingshan")
	here := f.secretary(t, 2001, "dasha")
	there := f.secretary(t, 2002, "taiping")
	member := f.viewer(t, 1001)
	f.now = time.Date(2026, 10, 12, 10, 0, 0, 0, f.now.Location())

	for _, tt := range []struct {
		name   string
		v      quiz.Viewer
		kind   quiz.Kind
		period string
		days   int
		want   string // error reason, "" for a grant
	}{
		{"another node's secretary", there, quiz.Test, "2026-Q3", 7, quiz.ReasonNotInScope},
		{"a member", member, quiz.Test, "2026-Q3", 7, quiz.ReasonNotInScope},
		{"a future quarter", here, quiz.Test, "2030-Q1", 7, quiz.ReasonBadMakeup},
		{"a test whose window has not opened", here, quiz.Test, "2026-Q4", 7, quiz.ReasonBadMakeup},
		{"a month before joining", here, quiz.Study, "2026-08", 7, quiz.ReasonBadMakeup},
		{"a month for a test", here, quiz.Test, "2026-09", 7, quiz.ReasonBadMakeup},
		{"an unknown kind", here, quiz.Practice, "2026-09", 7, quiz.ReasonBadMakeup},
		{"days not offered", here, quiz.Study, "2026-09", 10, quiz.ReasonBadMakeup},
		{"negative days", here, quiz.Study, "2026-09", -5, quiz.ReasonBadMakeup},
		{"the month they joined", here, quiz.Study, "2026-09", 7, ""},
		{"the quarter's test", here, quiz.Test, "2026-Q3", 3, ""},
		{"the current month", here, quiz.Study, "2026-10", 3, ""},
	} {
		_, granted, err := f.svc.GrantMakeup(ctx, tt.v, 1001, tt.kind, tt.period, tt.days, "生病", "ref-"+tt.name)
		if got := quiz.ErrorReason(err); got != tt.want || (err == nil) != granted {
			t.Errorf("%s: granted %v, %v; want %q", tt.name, granted, err, tt.want)
		}
	}
	// The same ref again grants nothing new; another ref while it is open
	// is refused.
	g, granted, err := f.svc.GrantMakeup(ctx, here, 1001, quiz.Study, "2026-09", 14, "生病", "ref-the month they joined")
	if err != nil || granted || !g.Until.Equal(f.now.AddDate(0, 0, 7)) {
		t.Errorf("the same press again: %+v, granted %v, %v", g, granted, err)
	}
	if _, _, err := f.svc.GrantMakeup(ctx, here, 1001, quiz.Study, "2026-09", 7, "生病", "another"); quiz.ErrorReason(err) != quiz.ReasonMakeupOpen {
		t.Errorf("a second make-up while one is open: %v", err)
	}
	if gs, _ := f.svc.ActiveGrants(ctx, 1001); len(gs) != 3 {
		t.Errorf("%d make-ups, want 3: %+v", len(gs), gs)
	}
	// What is done needs none.
	f.study(t, 1001)
	if err := f.svc.CheckMakeup(ctx, here, 1001, quiz.Study, "2026-10"); quiz.ErrorReason(err) != quiz.ReasonNothingToGrant && quiz.ErrorReason(err) != quiz.ReasonMakeupOpen {
		t.Errorf("a make-up of a finished month: %v", err)
	}
}

// TestCorrectAndRevoke: a correction is booked once per ref by a manager
// of the member, with who and why; an invite is revoked once, only by
// someone who may make it.
func TestCorrectAndRevoke(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	ctx := context.Background()
	f.join(t, 1001, "qingshan")
	here := f.secretary(t, 2001, "qingshan")
	there := f.secretary(t, 2002, "niumaoping")
	if _, err := f.svc.Correct(ctx, there, 1001, quiz.PointsOf(2), "竞赛获奖", "r1"); quiz.ErrorReason(err) != quiz.ReasonNotInScope {
		t.Errorf("a correction by another branch's secretary: %v", err)
	}
	for _, bad := range []quiz.Points{0, quiz.PointsOf(101), quiz.PointsOf(-101)} {
		if _, err := f.svc.Correct(ctx, here, 1001, bad, "原因", "r0"); quiz.ErrorReason(err) != quiz.ReasonBadAmount {
			t.Errorf("a correction of %v: %v", bad, err)
		}
	}
	for i := 0; i < 2; i++ {
		e, err := f.svc.Correct(ctx, here, 1001, quiz.PointsOf(2), "竞赛获奖", "r1")
		if err != nil || e.By != 2001 || e.Rule != quiz.RuleCorrection {
			t.Fatalf("correction: %+v, %v", e, err)
		}
	}
	if got := f.ledgerTotal(t, 1001); got != quiz.PointsOf(2) {
		t.Errorf("ledger after one correction sent twice: %v", got)
	}
	f.checkTotals(t)

	inv, err := f.svc.CreateInvite(ctx, here, "qingshan", quiz.RoleMember, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeInvite(ctx, there, inv.Code); quiz.ErrorReason(err) != quiz.ReasonNotInScope {
		t.Errorf("revoked by another branch's secretary: %v", err)
	}
	if err := f.svc.RevokeInvite(ctx, here, inv.Code); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeInvite(ctx, here, inv.Code); quiz.ErrorReason(err) != quiz.ReasonInviteRevoked {
		t.Errorf("revoked twice: %v", err)
	}
	if _, _, err := f.svc.Join(ctx, 1009, inv.Code, "张三"); quiz.ErrorReason(err) != quiz.ReasonInviteExpired {
		t.Errorf("joined with a revoked invite: %v", err)
	}
	// The revoker sees the invite as it now stands; others do not see it.
	if got, err := f.svc.Invite(ctx, here, inv.Code); err != nil || !got.Revoked || got.Node != "qingshan" {
		t.Errorf("Invite for its maker: %+v, %v", got, err)
	}
	if _, err := f.svc.Invite(ctx, there, inv.Code); quiz.ErrorReason(err) != quiz.ReasonNotInScope {
		t.Errorf("Invite for another branch's secretary: %v", err)
	}
	if _, err := f.svc.Invite(ctx, here, "NoSuchCode"); quiz.ErrorReason(err) != quiz.ReasonInviteUnknown {
		t.Errorf("Invite of an unknown code: %v", err)
	}
}

// TestMoveKeepsTotals: a move is refused until confirmed; after it every
// node's totals are the sum of its members' records, the old branch owes
// and holds nothing of the member, the new one all.
func TestMoveKeepsTotals(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	ctx := context.Background()
	f.now = time.Date(2026, 10, 8, 10, 0, 0, 0, f.now.Location())
	f.join(t, 1001, "niumaoping")
	f.join(t, 1002, "niumaoping")
	f.study(t, 1001)
	f.now = time.Date(2026, 12, 3, 10, 0, 0, 0, f.now.Location())
	f.take(t, 1001, 14)
	inv, err := f.svc.CreateInvite(ctx, f.viewer(t, 1), "qingshan", quiz.RoleMember, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Join(ctx, 1001, inv.Code, ""); quiz.ErrorReason(err) != quiz.ReasonMoveAsk {
		t.Fatalf("a move without asking: %v", err)
	}
	res, err := f.svc.Move(ctx, 1001, inv.Code)
	if err != nil || res.From != "niumaoping" || res.User.Branch != "qingshan" {
		t.Fatalf("move: %+v, %v", res, err)
	}
	f.checkTotals(t)
	for _, p := range []string{"2026-10", "2026-Q4", "2026-H2", "2026"} {
		if st := f.nodeStats(t, "niumaoping", p); st.StudyDone != 0 || st.TestTaken != 0 || st.PointSum != 0 {
			t.Errorf("niumaoping %s still holds the member's work: %+v", p, st)
		}
	}
	if st := f.nodeStats(t, "qingshan", "2026-10"); st.StudyDone != 1 || st.Joined != 1 {
		t.Errorf("qingshan's October: %+v", st)
	}
	// Under taiping, moved out; under city, unchanged.
	if st := f.nodeStats(t, "city", "2026-H2"); st.StudyDone != 1 || st.TestTaken != 1 || st.Joined != 2 {
		t.Errorf("the city's half year: %+v", st)
	}
	// The rates add up: the old branch owes for one member, the new for one.
	v := f.viewer(t, 1)
	for node, want := range map[string]string{"niumaoping": "0/1", "qingshan": "1/1"} {
		rep, err := f.svc.NodeReport(ctx, v, node)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%d/%d", rep.Test.Stats.TestTaken, rep.Test.TestDue); got != want {
			t.Errorf("%s test taken/owed %s, want %s", node, got, want)
		}
	}
}

// TestTreeChangeKeepsTotals: an organisation tree that moves a branch to
// another township keeps every total the sum of the members' records —
// the old township loses the branch's work, the new one gains it.
func TestTreeChangeKeepsTotals(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	ctx := context.Background()
	f.join(t, 1001, "qingshan")
	f.join(t, 1002, "niumaoping")
	f.study(t, 1001)
	f.take(t, 1001, 16)
	f.checkTotals(t)
	data, err := os.ReadFile("../questions/builtin/org.toml")
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(data), "id = \"qingshan\"\nname = \"青山村党支部\"\nparent = \"dasha\"", "id = \"qingshan\"\nname = \"青山村党支部\"\nparent = \"taiping\"", 1)
	if moved == string(data) {
		t.Fatal("the org file has changed: fix the test")
	}
	admin := f.viewer(t, 1)
	d, err := f.svc.Prepare(ctx, admin, "org.toml", []byte(moved))
	if err != nil || len(d.Problems) > 0 {
		t.Fatalf("prepare: %v %v", err, d.Problems)
	}
	if _, err := f.svc.Publish(ctx, admin, d); err != nil {
		t.Fatal(err)
	}
	f.checkTotals(t)
	if st := f.nodeStats(t, "dasha", "2026-Q4"); st.TestTaken != 0 {
		t.Errorf("dasha keeps the moved branch's test: %+v", st)
	}
	if st := f.nodeStats(t, "taiping", "2026-Q4"); st.TestTaken != 1 {
		t.Errorf("taiping lacks the moved branch's test: %+v", st)
	}
	if w, err := f.svc.Weak(ctx, admin, "dasha", 100); err != nil || len(w) != 0 {
		t.Errorf("dasha's item statistics keep the moved branch's answers: %d, %v", len(w), err)
	}
}

// TestNoCopyInOneMonth: a due mistake mixed into a month's study is never
// a copy (another bank's) of a question the month already draws.
func TestNoCopyInOneMonth(t *testing.T) {
	var a, b strings.Builder
	for _, w := range []*strings.Builder{&a, &b} {
		id := "bank-a"
		if w == &b {
			id = "bank-b"
		}
		fmt.Fprintf(w, "id = %q\ntitle = \"题库\"\nsource = \"测试\"\n", id)
		for i := 0; i < 12; i++ {
			fmt.Fprintf(w, "\n[[question]]\nid = \"%d\"\ntype = \"单选\"\ntext = \"第%d题：“三会一课”中的“一课”指的是什么？\"\noptions = [\"党课\", \"形势政策课\"]\nanswer = \"A\"\nexplanation = \"一课即党课。\"\n", i, i)
		}
	}
	plan := "title = \"计划\"\n\n[[month]]\nmonth = 11\ntitle = \"十一月\"\nlesson = \"学习\"\nbanks = [\"bank-a\"]\n\n[[month]]\nmonth = 12\ntitle = \"十二月\"\nlesson = \"学习\"\nbanks = [\"bank-b\"]\n"
	set := questions.LoadFS(fstest.MapFS{
		"bank-a.toml": {Data: []byte(a.String())}, "bank-b.toml": {Data: []byte(b.String())}, "plan.toml": {Data: []byte(plan)},
	})
	if set.Catalog == nil {
		t.Fatalf("the test's banks: %v", set.Problems)
	}
	f := newFixture(t, quiz.DefaultRules())
	f.svc.SetContent(&quiz.Content{Catalog: set.Catalog, Tree: f.svc.Tree()})
	ctx := context.Background()
	f.now = time.Date(2026, 11, 5, 10, 0, 0, 0, f.now.Location())
	f.join(t, 1001, "qingshan")
	// November: every answer wrong, ten mistakes.
	sess, err := f.svc.StartStudy(ctx, 1001)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sess.Attempt.Items {
		f.now = f.now.Add(10 * time.Second)
		it := sess.Attempt.Items[i]
		if _, err := f.svc.Answer(ctx, 1001, sess.Attempt.ID, i, []int{(it.Answer[0] + 1) % 2}, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	// December draws the copies; the due mistakes are the same questions.
	f.now = time.Date(2026, 12, 5, 10, 0, 0, 0, f.now.Location())
	dec, err := f.svc.StartStudy(ctx, 1001)
	if err != nil {
		t.Fatal(err)
	}
	stems := map[string]string{}
	for _, it := range dec.Attempt.Items {
		if prev, dup := stems[it.Text]; dup {
			t.Fatalf("December asks %s and %s, copies of one question", prev, it.Key())
		}
		stems[it.Text] = it.Key()
	}
}
