package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"partyquiz/quiz"
)

// TestPublicationVersion: one version with its data and what it changed;
// a version published without a change (as older programs did) reads
// back without one; a missing version is ErrNotFound; the record survives
// a reopen.
func TestPublicationVersion(t *testing.T) {
	path := t.TempDir() + "/q.db"
	db := mustOpenPath(t, path)
	change := &quiz.Change{Restored: 1, Retitled: true, Added: 2, Changed: 3, Removed: 4, Months: []int{1, 11}, Quarters: []int{4}}
	update(t, db, func(tx quiz.Tx) error {
		if err := tx.Publish(&quiz.Publication{Kind: quiz.PubBank, ID: "b1", Name: "b1.toml", Data: []byte("one"), By: 7, At: t0}); err != nil {
			return err
		}
		return tx.Publish(&quiz.Publication{Kind: quiz.PubBank, ID: "b1", Name: "b1.xlsx", Data: []byte("two"), By: 8, At: t0.Add(time.Hour), Change: change})
	})
	check := func() {
		t.Helper()
		view(t, db, func(tx quiz.Tx) error {
			v1, err := tx.PublicationVersion(quiz.PubBank, "b1", 1)
			if err != nil {
				return err
			}
			if string(v1.Data) != "one" || v1.Name != "b1.toml" || v1.By != 7 || v1.Version != 1 || v1.Change != nil {
				t.Errorf("version 1 = %+v", v1)
			}
			v2, err := tx.PublicationVersion(quiz.PubBank, "b1", 2)
			if err != nil {
				return err
			}
			if string(v2.Data) != "two" || v2.By != 8 || !v2.At.Equal(t0.Add(time.Hour)) || !reflect.DeepEqual(v2.Change, change) {
				t.Errorf("version 2 = %+v (change %+v)", v2, v2.Change)
			}
			hist, err := tx.PublicationHistory(quiz.PubBank, "b1")
			if err != nil || len(hist) != 2 || hist[0].Change != nil || !reflect.DeepEqual(hist[1].Change, change) {
				t.Errorf("history = %+v, %v", hist, err)
			}
			for _, v := range []int{0, 3, -1} {
				if _, err := tx.PublicationVersion(quiz.PubBank, "b1", v); !errors.Is(err, quiz.ErrNotFound) {
					t.Errorf("version %d: %v, want ErrNotFound", v, err)
				}
			}
			if _, err := tx.PublicationVersion(quiz.PubBank, "b", 1); !errors.Is(err, quiz.ErrNotFound) {
				t.Errorf("a prefix of the id: %v, want ErrNotFound", err)
			}
			return nil
		})
	}
	check()
	db.Close()
	db = mustOpenPath(t, path)
	check()
}

// TestOpenQuestions: the open attempts that have an end, each with the
// keys of its questions; a closed one and a practice (no end) are not
// visited.
func TestOpenQuestions(t *testing.T) {
	db := MustOpen(t)
	items := testItems()
	other := items[0]
	other.Bank, other.QID = "b2", "q9"
	test := &quiz.Attempt{User: 1, Kind: quiz.Test, Period: "2026-Q4", N: 1, Branch: "x", Items: items,
		Responses: make([]quiz.Response, 2), Started: t0, Deadline: t0.Add(time.Hour)}
	study := &quiz.Attempt{User: 2, Kind: quiz.Study, Period: "2026-11", N: 1, Branch: "x", Items: []quiz.Item{other},
		Responses: make([]quiz.Response, 1), Started: t0, Until: t0.Add(24 * time.Hour)}
	closed := &quiz.Attempt{User: 3, Kind: quiz.Study, Period: "2026-11", N: 1, Branch: "x", Items: items,
		Responses: make([]quiz.Response, 2), Started: t0, Until: t0.Add(24 * time.Hour)}
	practice := &quiz.Attempt{User: 4, Kind: quiz.Practice, N: 1, Branch: "x", Items: items,
		Responses: make([]quiz.Response, 2), Started: t0}
	update(t, db, func(tx quiz.Tx) error {
		for _, a := range []*quiz.Attempt{test, study, closed, practice} {
			if err := tx.CreateAttempt(a); err != nil {
				return err
			}
		}
		closed.Closed, closed.ClosedAt = true, t0
		return tx.PutAttempt(closed)
	})
	got := map[uint64][]string{}
	view(t, db, func(tx quiz.Tx) error {
		return tx.OpenQuestions(func(id uint64, keys []string) error {
			got[id] = append([]string(nil), keys...)
			return nil
		})
	})
	want := map[uint64][]string{test.ID: {"b1/s1", "b1/f1"}, study.ID: {"b2/q9"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OpenQuestions = %v, want %v", got, want)
	}
	stop := errors.New("stop")
	n := 0
	err := db.View(t.Context(), func(tx quiz.Tx) error {
		return tx.OpenQuestions(func(uint64, []string) error { n++; return stop })
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error from fn: %v after %d calls", err, n)
	}
}

// TestBankItems: a node's item totals of one bank only — not of a bank
// whose id starts with the same letters, nor of another node.
func TestBankItems(t *testing.T) {
	db := MustOpen(t)
	update(t, db, func(tx quiz.Tx) error {
		for _, x := range []struct{ node, key string }{
			{"root", "b/1@aa"}, {"root", "b/1@bb"}, {"root", "b/2@aa"}, {"root", "b1/1@aa"}, {"root", "a/1@aa"}, {"x", "b/1@aa"},
		} {
			if err := tx.AddItemStats(x.node, x.key, quiz.ItemStats{Answers: 2, Right: 1}); err != nil {
				return err
			}
		}
		return nil
	})
	var got []string
	view(t, db, func(tx quiz.Tx) error {
		return tx.BankItems("root", "b", func(key string, s quiz.ItemStats) error {
			if s.Answers != 2 || s.Right != 1 {
				t.Errorf("%s: %+v", key, s)
			}
			got = append(got, key)
			return nil
		})
	})
	if want := []string{"b/1@aa", "b/1@bb", "b/2@aa"}; !reflect.DeepEqual(got, want) {
		t.Errorf("BankItems(root, b) = %v, want %v", got, want)
	}
}
