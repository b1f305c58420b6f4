package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partyquiz/quiz"
	"partyquiz/store"
)

// checkedStore records a little of everything the engine books — months
// done (one member twice, in two branches), tests (one right, one run out
// of time), a perfect score, a correction, practice of the mistake book —
// and returns a consistent copy of the file and what to check it with.
func checkedStore(t *testing.T) (string, store.CheckSpec) {
	t.Helper()
	f := newFixture(t, MustOpen(t))
	ctx := context.Background()
	f.join(t, 1001, "b1")
	f.join(t, 1002, "b2")
	f.join(t, 1003, "b3")
	study := func(id int64, right func(int) bool) {
		t.Helper()
		sess, err := f.Svc.StartStudy(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.answerAll(t, sess.Attempt, right)
	}
	study(1001, func(i int) bool { return i != 0 })
	study(1002, nil)
	a, err := f.Svc.StartTest(ctx, 1001)
	if err != nil {
		t.Fatal(err)
	}
	f.answerAll(t, a, nil) // 100: perfect
	// 1002 moves to another branch (confirmed), then starts a test and
	// runs out of time.
	inv, err := f.Svc.CreateInvite(ctx, f.Admin, "b3", quiz.RoleMember, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.Move(ctx, 1002, inv.Code); err != nil {
		t.Fatal(err)
	}
	b, err := f.Svc.StartTest(ctx, 1002)
	if err != nil {
		t.Fatal(err)
	}
	choice, text := wrongAnswer(&b.Items[0])
	if _, err := f.Svc.Answer(ctx, 1002, b.ID, 0, choice, text, ""); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(31 * time.Minute)
	if closed, err := f.Svc.CloseExpired(ctx, 10); err != nil || len(closed) != 1 {
		t.Fatalf("CloseExpired = %v, %v", closed, err)
	}
	if _, err := f.Svc.Correct(ctx, f.Admin, 1003, quiz.PointsOf(3), "参加联学", "c1"); err != nil {
		t.Fatal(err)
	}
	p, err := f.Svc.StartPractice(ctx, 1001)
	if err != nil {
		t.Fatal(err)
	}
	f.answerAll(t, p, nil)

	path := filepath.Join(t.TempDir(), "copy.db")
	if err := f.DB.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	return path, store.CheckSpec{Cal: f.Svc.Cal, Rules: f.Svc.Rules, Tree: f.Tree}
}

func checkFile(t *testing.T, path string, spec store.CheckSpec) *store.CheckReport {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := store.Check(context.Background(), db, spec)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return rep
}

// TestCheckClean: a store the engine wrote passes, and the check saw
// every record.
func TestCheckClean(t *testing.T) {
	path, spec := checkedStore(t)
	rep := checkFile(t, path, spec)
	if !rep.OK() {
		t.Fatalf("problems in a clean store:\n%s", strings.Join(rep.Problems, "\n"))
	}
	// 3 users; 2 studies, 2 tests and a practice; 5+5 study answers, 6
	// test answers and 1 of the timed-out test, plus the practice's one
	// mistake; ledger: 2 months, 1 test score, 1 perfect, 1 test score of
	// 0, 1 correction.
	if rep.Users != 3 || rep.Attempts != 5 || rep.Answers != 5+5+6+1+1 || rep.Entries != 6 {
		t.Errorf("report = %+v; want 3 users, 5 attempts, 18 answers, 6 entries", rep)
	}
	if rep.NodeTotals == 0 || rep.ItemTotals == 0 {
		t.Errorf("report = %+v; want node totals and question statistics compared", rep)
	}
}

// TestCheckFindsCorruption: each kind of damage to a copy of a good store
// is found, by the record it touched.
func TestCheckFindsCorruption(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx quiz.Tx) error
		want   string
	}{
		{"half-year points off the ledger", func(tx quiz.Tx) error {
			p, err := tx.Progress(1001, "2026-H2")
			if err != nil {
				return err
			}
			p.Points += quiz.PointsOf(1)
			return tx.PutProgress(1001, "2026-H2", p)
		}, "user 1001 2026-H2: progress has"},
		{"a month paid that nobody finished", func(tx quiz.Tx) error {
			_, err := tx.AddEntry(&quiz.Entry{User: 1003, Ref: "month:2026-11", Rule: quiz.RuleMonthDone,
				Amount: quiz.PointsOf(5), Period: "2026-11"})
			return err
		}, `user 1003: ledger entry "month:2026-11" (5 points) was not earned`},
		{"a test counted twice in a branch's totals", func(tx quiz.Tx) error {
			return tx.AddNodeStats("b1", "2026-Q4", quiz.NodeStats{TestTaken: 1, ScoreSum: 100, Passed: 1})
		}, "node b1 2026-Q4: totals"},
		{"a month done without its attempt", func(tx quiz.Tx) error {
			p, err := tx.Progress(1003, "2026-12")
			if err != nil {
				return err
			}
			p.StudyDone = true
			return tx.PutProgress(1003, "2026-12", p)
		}, "user 1003 month 2026-12: progress says study done, but there is no study attempt"},
		{"an answer counted twice in a question's statistics", func(tx quiz.Tx) error {
			var key string
			if err := tx.NodeItems("city", func(k string, _ quiz.ItemStats) error {
				key = k
				return nil
			}); err != nil {
				return err
			}
			return tx.AddItemStats("city", key, quiz.ItemStats{Answers: 1})
		}, "node city question"},
		{"a test score changed after the fact", func(tx quiz.Tx) error {
			p, err := tx.Progress(1001, "2026-Q4")
			if err != nil {
				return err
			}
			p.TestScore = 90
			return tx.PutProgress(1001, "2026-Q4", p)
		}, "user 1001 quarter 2026-Q4: progress says tested true, score 90"},
	}
	path, spec := checkedStore(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			copyPath := filepath.Join(t.TempDir(), "damaged.db")
			if err := db.BackupFile(copyPath); err != nil {
				t.Fatal(err)
			}
			db.Close()
			damaged, err := store.Open(copyPath, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			update(t, damaged, tc.damage)
			damaged.Close()

			rep := checkFile(t, copyPath, spec)
			found := false
			for _, p := range rep.Problems {
				found = found || strings.Contains(p, tc.want)
			}
			if !found {
				t.Errorf("problems:\n%s\nwant one containing %q", strings.Join(rep.Problems, "\n"), tc.want)
			}
		})
	}
}
