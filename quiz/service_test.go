package quiz_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// fixture is the engine over a real store file, with a pinned clock.
type fixture struct {
	svc *quiz.Service
	db  *store.DB
	now time.Time
}

func newFixture(t *testing.T, rules quiz.Rules) *fixture {
	t.Helper()
	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cal := shanghai(t)
	f := &fixture{db: db, now: time.Date(2026, 12, 3, 10, 0, 0, 0, cal.Loc)}
	f.svc = quiz.NewService(db, cal, rules, func() time.Time { return f.now }, []int64{1}, &quiz.Content{Catalog: cat, Tree: tree})
	return f
}

// join makes user id a member of branch.
func (f *fixture) join(t *testing.T, id int64, branch string) {
	t.Helper()
	ctx := context.Background()
	admin, _ := f.svc.Viewer(ctx, 1)
	inv, err := f.svc.CreateInvite(ctx, admin, branch, quiz.RoleMember, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Join(ctx, id, inv.Code, "党员"); err != nil {
		t.Fatal(err)
	}
}

// take takes a test answering the first right items right and the rest
// wrong, and returns the closed attempt.
func (f *fixture) take(t *testing.T, id int64, right int) *quiz.Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := f.svc.StartTest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Items {
		f.now = f.now.Add(10 * time.Second)
		it := a.Items[i]
		var choice []int
		text := ""
		switch {
		case it.Type == questions.Fill && i < right:
			text = it.Accepted[0]
		case it.Type == questions.Fill:
			text = "错误的答案"
		case i < right:
			choice = it.Answer
		default:
			choice = []int{(it.Answer[0] + 1) % len(it.Options)}
			if it.Type == questions.Multiple {
				choice = []int{it.Answer[0]} // one right option of several: wrong
			}
		}
		res, err := f.svc.Answer(ctx, id, a.ID, i, choice, text, "")
		if err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		a = res.Attempt
	}
	if !a.Closed {
		t.Fatal("the test did not close")
	}
	return a
}

func (f *fixture) progress(t *testing.T, id int64, period string) quiz.Progress {
	t.Helper()
	var p quiz.Progress
	if err := f.db.View(context.Background(), func(tx quiz.Tx) error {
		var err error
		p, err = tx.Progress(id, period)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) nodeStats(t *testing.T, node, period string) quiz.NodeStats {
	t.Helper()
	var s quiz.NodeStats
	if err := f.db.View(context.Background(), func(tx quiz.Tx) error {
		var err error
		s, err = tx.NodeStats(node, period)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) ledgerTotal(t *testing.T, id int64) quiz.Points {
	t.Helper()
	var total quiz.Points
	if err := f.db.View(context.Background(), func(tx quiz.Tx) error {
		es, err := tx.Entries(id)
		for _, e := range es {
			total += e.Amount
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return total
}

// TestAttemptPolicies: with two attempts a quarter, the best (or the
// last) score counts; points and totals move by the difference, and the
// ledger explains every change.
func TestAttemptPolicies(t *testing.T) {
	tests := []struct {
		policy       quiz.Policy
		first, again int // items right of 20
		want         int
		passed       int64
	}{
		{quiz.Best, 8, 16, 80, 1},
		{quiz.Best, 16, 8, 80, 1},
		{quiz.Last, 16, 8, 40, 0},
		{quiz.Last, 8, 20, 100, 1},
	}
	for _, tt := range tests {
		rules := quiz.DefaultRules()
		rules.TestAttempts, rules.TestPolicy = 2, tt.policy
		f := newFixture(t, rules)
		f.join(t, 1001, "qingshan")
		a := f.take(t, 1001, tt.first)
		b := f.take(t, 1001, tt.again)
		if a.Score != tt.first*5 || b.Score != tt.again*5 {
			t.Fatalf("%s: scores %d %d", tt.policy, a.Score, b.Score)
		}
		if _, err := f.svc.StartTest(context.Background(), 1001); quiz.ErrorReason(err) != quiz.ReasonNoAttemptsLeft {
			t.Errorf("%s: a third attempt: %v", tt.policy, err)
		}
		p := f.progress(t, 1001, "2026-Q4")
		if p.TestScore != tt.want || p.Attempts != 2 || !p.Tested {
			t.Errorf("%s %d→%d: progress %+v, want score %d", tt.policy, tt.first, tt.again, p, tt.want)
		}
		for _, node := range []string{"qingshan", "dasha", "area1", "city"} {
			for _, period := range []string{"2026-Q4", "2026-H2", "2026"} {
				st := f.nodeStats(t, node, period)
				if st.TestTaken != 1 || st.ScoreSum != int64(tt.want) || st.Passed != tt.passed {
					t.Errorf("%s %d→%d: %s %s stats %+v", tt.policy, tt.first, tt.again, node, period, st)
				}
			}
		}
		want := rules.Points.TestPoints(tt.want)
		if tt.want == 100 {
			want += rules.Points.Perfect
		}
		if got := f.ledgerTotal(t, 1001); got != want {
			t.Errorf("%s %d→%d: ledger %v, want %v", tt.policy, tt.first, tt.again, got, want)
		}
		if got := f.progress(t, 1001, "2026").Points; got != want {
			t.Errorf("%s: year points %v, want %v", tt.policy, got, want)
		}
	}
}

// TestPartialCredit: with partial credit a multiple choice missing a right
// option earns the share it found; one with a wrong option earns nothing.
func TestPartialCredit(t *testing.T) {
	it := &quiz.Item{Type: questions.Multiple, Options: []string{"a", "b", "c", "d"}, Answer: []int{0, 1, 2, 3}}
	half := quiz.Response{Choice: []int{0, 1}}
	quiz.Grade(it, &half, true)
	if half.Credit != 0.5 || half.Right {
		t.Errorf("half: %+v", half)
	}
	a := &quiz.Attempt{Items: []quiz.Item{*it, *it}, Responses: []quiz.Response{half, {Done: true, Right: true, Credit: 1}}}
	a.Responses[0].Done = true
	if score, right := a.Tally(); score != 75 || right != 1 {
		t.Errorf("tally %d %d, want 75 1", score, right)
	}
}

// TestMeSinceJoining: a member's record starts with the month they joined;
// the months before are not shown as missed.
func TestMeSinceJoining(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	f.now = time.Date(2026, 11, 10, 10, 0, 0, 0, f.now.Location())
	f.join(t, 1001, "qingshan")
	f.now = time.Date(2026, 12, 3, 10, 0, 0, 0, f.now.Location())
	rec, err := f.svc.Me(context.Background(), 1001)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Months) != 2 || rec.Months[0].Period.Key() != "2026-11" || rec.Months[1].Period.Key() != "2026-12" {
		t.Errorf("months: %v", rec.Months)
	}
	if len(rec.Tests) != 1 || rec.Tests[0].Quarter.Key() != "2026-Q4" {
		t.Errorf("tests: %v", rec.Tests)
	}
}
