package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// TestUpgradeFileOfOlderCode opens a store written by the code of commit
// 742118f (testdata/v1-742118f: made by its gen.go with that commit's
// quiz and store), before the outbox, publications and flags buckets and
// before responses kept what delivered them: six members of two branches
// of the built-in tree on 10 November 2026; 1001–1004 finished the month,
// 1005 answered 5 of 10; 1001–1003 finished the quarter's test, 1004
// answered 8 of 20; 1006 has a make-up for October; chat 1005 has a
// dialog. This program opens it, migrates it, reads all of it, and the
// members carry on where they were.
func TestUpgradeFileOfOlderCode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	data, err := os.ReadFile("testdata/v1-742118f/v1-742118f.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	checkRaw(t, path, func(tx *bolt.Tx) {
		if tx.Bucket([]byte("outbox")) != nil || tx.Bucket([]byte("publications")) != nil {
			t.Error("the fixture is not from before the outbox and publications")
		}
	})
	db := mustOpenPath(t, path, store.Options{})
	if v, err := db.Version(); err != nil || v != store.SchemaVersion() {
		t.Fatalf("version %d, %v; want %d", v, err, store.SchemaVersion())
	}

	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := quiz.NewCalendar("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 11, 10, 10, 15, 0, 0, cal.Loc)} // the fixture ends at 10:13
	rules := quiz.DefaultRules()
	rules.TestWindow = quiz.WholeQuarter
	svc := quiz.NewService(db, cal, rules, clk.Now, []int64{adminID}, &quiz.Content{Catalog: cat, Tree: tree})
	ctx := context.Background()

	// The engine's upgrade counts when everyone joined; then every total
	// is the sum of the members' records, and the make-ups are indexed.
	if err := svc.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.Upgrade(ctx); err != nil { // once only
		t.Fatal(err)
	}
	if ms, err := svc.CheckTotals(ctx); err != nil || len(ms) != 0 {
		t.Errorf("totals after the upgrade: %v, %+v", err, ms)
	}
	view(t, db, func(tx quiz.Tx) error {
		until, err := tx.MakeupUntil(quiz.Study)
		if err != nil || until["2026-10"].IsZero() {
			t.Errorf("October's make-up is not indexed: %v, %v", until, err)
		}
		return nil
	})

	// What was there reads back.
	for id, want := range map[int64]string{1001: "张三", 1004: "赵六", 1006: "周八"} {
		rec, err := svc.Me(ctx, id)
		if err != nil || rec.User.Name != want {
			t.Fatalf("member %d: %v, %v; want %s", id, rec, err, want)
		}
	}
	rec, _ := svc.Me(ctx, 1001)
	var nov quiz.MonthStatus
	for _, m := range rec.Months {
		if m.Period.Key() == "2026-11" {
			nov = m
		}
	}
	if !nov.Done || len(rec.Entries) != 2 {
		t.Errorf("1001's record: November %+v, %d ledger entries; want done and 2 (month, test)", nov, len(rec.Entries))
	}
	if grants, err := svc.ActiveGrants(ctx, 1006); err != nil || len(grants) != 1 || grants[0].Period != "2026-10" {
		t.Errorf("1006's make-up: %+v, %v", grants, err)
	}
	if d, err := db.GetDialog(ctx, 1005); err != nil || len(d) == 0 {
		t.Errorf("1005's dialog: %q, %v", d, err)
	}

	// New buckets work in the migrated file.
	if n, err := db.PendingCount(ctx); err != nil || n != 0 {
		t.Errorf("outbox after migration: %d, %v", n, err)
	}
	if added, err := db.Enqueue(ctx, []quiz.Event{{Ref: "upgrade:1", Chat: 1001, Text: "通知"}}); err != nil || added != 1 {
		t.Errorf("enqueue after migration: %d, %v", added, err)
	}
	if pubs, err := svc.Published(ctx); err != nil || len(pubs) != 0 {
		t.Errorf("publications after migration: %v, %v", pubs, err)
	}

	// Members carry on: 1005 finishes the month, 1004 the test (a
	// typed answer now keeps its message).
	answerRest := func(id int64, a *quiz.Attempt) *quiz.AnswerResult {
		t.Helper()
		var last *quiz.AnswerResult
		for j := a.Current(); j < len(a.Items); j++ {
			it := &a.Items[j]
			var choice []int
			text, key := "", ""
			if it.Type == questions.Fill {
				text, key = it.Accepted[0], "m"+string(rune('a'+j))
			} else {
				choice = it.Answer
			}
			clk.Add(5 * time.Second)
			res, err := svc.Answer(ctx, id, a.ID, j, choice, text, key)
			if err != nil {
				t.Fatalf("member %d item %d: %v", id, j, err)
			}
			last = res
		}
		return last
	}
	sess, err := svc.StartStudy(ctx, 1005)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Attempt.Answered() != 5 {
		t.Fatalf("1005's study: %d answered, want 5", sess.Attempt.Answered())
	}
	if res := answerRest(1005, sess.Attempt); !res.Closed || len(res.Earned) != 1 {
		t.Errorf("1005's month: closed %v, earned %v", res.Closed, res.Earned)
	}
	info, err := svc.TestStatus(ctx, 1004)
	if err != nil || len(info.Attempts) != 1 || info.Attempts[0].Answered() != 8 {
		t.Fatalf("1004's test: %+v, %v", info, err)
	}
	if res := answerRest(1004, info.Attempts[0]); !res.Closed || res.Attempt.Score == 0 {
		t.Errorf("1004's test: closed %v, score %d", res.Closed, res.Attempt.Score)
	}

	// Totals still agree with the records: five months and four tests
	// under the root; each ledger adds up to its progress.
	month, quarter, year := cal.Month(clk.Now()), cal.Quarter(clk.Now()), cal.Year(clk.Now())
	view(t, db, func(tx quiz.Tx) error {
		m, _ := tx.NodeStats(tree.Root(), month.Key())
		q, _ := tx.NodeStats(tree.Root(), quarter.Key())
		if m.StudyDone != 5 || q.TestTaken != 4 {
			t.Errorf("root totals: %d months, %d tests; want 5 and 4", m.StudyDone, q.TestTaken)
		}
		y, _ := tx.NodeStats(tree.Root(), year.Key())
		var points quiz.Points
		for id := int64(1001); id <= 1006; id++ {
			es, err := tx.Entries(id)
			if err != nil {
				return err
			}
			var sum quiz.Points
			for _, e := range es {
				sum += e.Amount
			}
			p, _ := tx.Progress(id, year.Key())
			if p.Points != sum {
				t.Errorf("member %d: year progress %v, ledger %v", id, p.Points, sum)
			}
			points += sum
		}
		if y.PointSum != points {
			t.Errorf("root year points %v, the ledgers %v", y.PointSum, points)
		}
		return nil
	})
	if ms, err := svc.CheckTotals(ctx); err != nil || len(ms) != 0 {
		t.Errorf("totals after carrying on: %v, %+v", err, ms)
	}
}
