package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"partyquiz/quiz"
)

// pubName is "kind/id v" of a publication.
func pubName(p quiz.Publication) string { return fmt.Sprintf("%s/%s v%d", p.Kind, p.ID, p.Version) }

func TestPublications(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := mustOpenPath(t, path)
	publish := func(kind, id, name, data string) *quiz.Publication {
		t.Helper()
		p := &quiz.Publication{Kind: kind, ID: id, Name: name, Data: []byte(data), By: 7, At: t0}
		update(t, db, func(tx quiz.Tx) error { return tx.Publish(p) })
		return p
	}
	// Versions count per kind and id; "b" is a prefix of "b1" and must not
	// be confused with it.
	steps := []struct{ kind, id string }{
		{quiz.PubBank, "b1"}, {quiz.PubBank, "b1"}, {quiz.PubPlan, "plan"}, {quiz.PubBank, "b2"},
		{quiz.PubBank, "b1"}, {quiz.PubOrg, "org"}, {quiz.PubBank, "b"}, {quiz.PubPlan, "plan"},
	}
	want := []int{1, 2, 1, 1, 3, 1, 1, 2}
	for i, s := range steps {
		p := publish(s.kind, s.id, fmt.Sprintf("%s-%d.toml", s.id, i), fmt.Sprintf("data %d", i))
		if p.Version != want[i] {
			t.Errorf("publish %d (%s/%s): version %d, want %d", i, s.kind, s.id, p.Version, want[i])
		}
	}
	check := func() {
		t.Helper()
		view(t, db, func(tx quiz.Tx) error {
			latest, err := tx.Publications()
			if err != nil {
				return err
			}
			var names []string
			for _, p := range latest {
				names = append(names, pubName(p))
			}
			wantNames := []string{"bank/b v1", "bank/b1 v3", "bank/b2 v1", "org/org v1", "plan/plan v2"}
			if !reflect.DeepEqual(names, wantNames) {
				t.Fatalf("Publications = %v, want %v", names, wantNames)
			}
			b1 := latest[1]
			if string(b1.Data) != "data 4" || b1.Name != "b1-4.toml" || b1.By != 7 || !b1.At.Equal(t0) ||
				b1.At.Location() != time.UTC {
				t.Errorf("latest b1 = %+v", b1)
			}
			if string(latest[4].Data) != "data 7" {
				t.Errorf("latest plan data = %q, want data 7", latest[4].Data)
			}
			latest[1].Data[0] = 'X' // a copy
			again, _ := tx.Publications()
			if string(again[1].Data) != "data 4" {
				t.Error("Publications returned data shared with the store")
			}

			hist, err := tx.PublicationHistory(quiz.PubBank, "b1")
			if err != nil {
				return err
			}
			if len(hist) != 3 {
				t.Fatalf("history of b1 = %+v, want 3 versions", hist)
			}
			for i, p := range hist {
				wantName := []string{"b1-0.toml", "b1-1.toml", "b1-4.toml"}[i]
				if p.Version != i+1 || p.Kind != quiz.PubBank || p.ID != "b1" || p.Name != wantName || p.Data != nil ||
					p.By != 7 || !p.At.Equal(t0) {
					t.Errorf("history of b1 [%d] = %+v", i, p)
				}
			}
			if h, err := tx.PublicationHistory(quiz.PubBank, "nope"); len(h) != 0 || err != nil {
				t.Errorf("history of an unpublished bank = %v, %v; want none", h, err)
			}
			if _, err := tx.PublicationHistory("bank\x00b1", "x"); err == nil {
				t.Error("history of a kind with 0x00: no error")
			}
			return nil
		})
	}
	check()
	db.Close()
	db = mustOpenPath(t, path)
	check()

	// Numbering goes on after a reopen; a failed Update uses no version.
	boom := errors.New("boom")
	err := db.Update(context.Background(), func(tx quiz.Tx) error {
		if err := tx.Publish(&quiz.Publication{Kind: quiz.PubBank, ID: "b1", Data: []byte("lost")}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing update: %v", err)
	}
	if p := publish(quiz.PubBank, "b1", "b1-again.toml", "data again"); p.Version != 4 {
		t.Errorf("version after reopen and a failed update = %d, want 4", p.Version)
	}

	// The store keeps its own copy of Data, even when the caller changes
	// it before the commit.
	data := []byte("first")
	update(t, db, func(tx quiz.Tx) error {
		copy(data, "first")
		if err := tx.Publish(&quiz.Publication{Kind: quiz.PubOrg, ID: "org", Data: data}); err != nil {
			return err
		}
		copy(data, "XXXXX")
		return nil
	})
	latestOrg := func() quiz.Publication {
		t.Helper()
		var org quiz.Publication
		view(t, db, func(tx quiz.Tx) error {
			latest, err := tx.Publications()
			if len(latest) != 5 {
				t.Fatalf("Publications: %d, %v", len(latest), err)
			}
			org = latest[3]
			return err
		})
		return org
	}
	if org := latestOrg(); pubName(org) != "org/org v2" || string(org.Data) != "first" {
		t.Errorf("latest org = %s with %q, want v2 with first", pubName(org), org.Data)
	}
	// Two versions in one transaction; empty data round-trips.
	update(t, db, func(tx quiz.Tx) error {
		p := &quiz.Publication{Kind: quiz.PubOrg, ID: "org", Data: []byte("third")}
		q := &quiz.Publication{Kind: quiz.PubOrg, ID: "org"}
		if err := tx.Publish(p); err != nil {
			return err
		}
		if err := tx.Publish(q); err != nil {
			return err
		}
		if p.Version != 3 || q.Version != 4 {
			t.Errorf("two publishes in one transaction: versions %d and %d, want 3 and 4", p.Version, q.Version)
		}
		return nil
	})
	if org := latestOrg(); pubName(org) != "org/org v4" || len(org.Data) != 0 {
		t.Errorf("latest org = %s with %q, want v4 with no data", pubName(org), org.Data)
	}

	for _, bad := range []quiz.Publication{{Kind: "", ID: "x"}, {Kind: "bank", ID: ""}, {Kind: "bank", ID: "a\x00b"}} {
		err := db.Update(context.Background(), func(tx quiz.Tx) error { return tx.Publish(&bad) })
		if err == nil {
			t.Errorf("Publish(%q, %q): no error", bad.Kind, bad.ID)
		}
	}
}

func TestClearMemberCounts(t *testing.T) {
	db := MustOpen(t)
	update(t, db, func(tx quiz.Tx) error {
		for i := 0; i < 500; i++ {
			if err := tx.AddMemberCount(fmt.Sprintf("n%03d", i), int64(i+1)); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, db, func(tx quiz.Tx) error {
		if err := tx.ClearMemberCounts(); err != nil {
			return err
		}
		if n, err := tx.MemberCount("n007"); n != 0 || err != nil {
			t.Errorf("MemberCount after clear = %d, %v", n, err)
		}
		// Counting again in the same transaction works.
		return tx.AddMemberCount("city", 3)
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.MemberCounts()
		if want := map[string]int64{"city": 3}; !reflect.DeepEqual(got, want) || err != nil {
			t.Errorf("MemberCounts after clear = %v, %v; want %v", got, err, want)
		}
		return nil
	})
	// Clearing an empty bucket, and twice in a row, is fine.
	update(t, db, func(tx quiz.Tx) error {
		if err := tx.ClearMemberCounts(); err != nil {
			return err
		}
		return tx.ClearMemberCounts()
	})
	view(t, db, func(tx quiz.Tx) error {
		if got, _ := tx.MemberCounts(); len(got) != 0 {
			t.Errorf("MemberCounts = %v, want none", got)
		}
		return nil
	})
}

func TestFlags(t *testing.T) {
	db := MustOpen(t)
	view(t, db, func(tx quiz.Tx) error {
		if fs, err := tx.Flags(10); len(fs) != 0 || err != nil {
			t.Errorf("Flags of an empty store = %v, %v", fs, err)
		}
		return nil
	})
	var added []quiz.Flag
	for i := 0; i < 5; i++ {
		f := &quiz.Flag{User: int64(100 + i), Key: fmt.Sprintf("b1/s%d", i), Hash: "h", Text: "题目", Note: fmt.Sprintf("答案错了 %d", i),
			Attempt: uint64(i), At: t0.Add(time.Duration(i) * time.Minute)}
		update(t, db, func(tx quiz.Tx) error { return tx.AddFlag(f) })
		if f.Seq != uint64(i+1) {
			t.Errorf("flag %d: seq %d, want %d", i, f.Seq, i+1)
		}
		added = append(added, *f)
	}
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Flags(3)
		if err != nil {
			return err
		}
		want := []quiz.Flag{added[4], added[3], added[2]}
		if len(got) != 3 {
			t.Fatalf("Flags(3) = %+v", got)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Seq != w.Seq || g.User != w.User || g.Key != w.Key || g.Hash != w.Hash || g.Text != w.Text ||
				g.Note != w.Note || g.Attempt != w.Attempt || !g.At.Equal(w.At) {
				t.Errorf("Flags(3)[%d] = %+v, want %+v", i, g, w)
			}
		}
		all, _ := tx.Flags(0)
		many, _ := tx.Flags(100)
		if len(all) != 5 || len(many) != 5 || all[4].Seq != 1 {
			t.Errorf("Flags(0) and Flags(100): %d and %d flags, want 5", len(all), len(many))
		}
		return nil
	})
	if err := db.Update(context.Background(), func(tx quiz.Tx) error { return tx.AddFlag(&quiz.Flag{User: 1}) }); err == nil {
		t.Error("AddFlag without a key: no error")
	}
}
