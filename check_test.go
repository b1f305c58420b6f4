package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"partyquiz/quiz"
	"partyquiz/store"
)

// checkFixture writes a configuration and a store in which a few members
// joined, finished this month's study and took the test, and returns the
// configuration file's path.
func checkFixture(t *testing.T) (string, Config) {
	t.Helper()
	c := restoreConfig(t)
	c.Backup.Dir = ""
	m := NewMain(io.Discard, io.Discard)
	m.Now = func() time.Time { return time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC) }
	db, svc, err := m.open(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tree := svc.Tree()
	leaves := tree.Leaves(tree.Root())
	for i := int64(0); i < 6; i++ {
		id := 5000 + i
		inv, err := svc.CreateInvite(ctx, quiz.Viewer{ID: 1, Admin: true}, leaves[int(i)%len(leaves)], quiz.RoleMember, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Join(ctx, id, inv.Code, "党员"); err != nil {
			t.Fatal(err)
		}
		sess, err := svc.StartStudy(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		test, err := svc.StartTest(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []*quiz.Attempt{sess.Attempt, test} {
			for j := range a.Items {
				choice, text := someAnswer(&a.Items[j])
				if _, err := svc.Answer(ctx, id, a.ID, j, choice, text, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bot.toml")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, c
}

// TestCheckCommand: `partyquiz check` passes a store the bot wrote (exit
// 0), finds a ledger that no longer adds up to a member's points in a
// damaged copy (exit 1, naming the member), refuses a store a running bot
// holds (exit 2), and changes nothing.
func TestCheckCommand(t *testing.T) {
	cfgPath, c := checkFixture(t)
	before, err := os.ReadFile(c.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"check", "-config", cfgPath}, nil, &out, &errb); code != 0 {
		t.Fatalf("check of a good store: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "OK: every record agrees") || !strings.Contains(out.String(), "6 users") {
		t.Errorf("report of a good store:\n%s", out.String())
	}
	if after, err := os.ReadFile(c.Store.Path); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the check changed the store file (%v)", err)
	}

	// The same store with one member's year points moved off the ledger.
	db, err := store.Open(c.Store.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	year := "2026"
	err = db.Update(context.Background(), func(tx quiz.Tx) error {
		p, err := tx.Progress(5003, year)
		if err != nil {
			return err
		}
		p.Points += quiz.PointsOf(2)
		return tx.PutProgress(5003, year, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	out.Reset()
	if code := run([]string{"check", "-config", cfgPath}, nil, &out, &errb); code != 1 {
		t.Fatalf("check of a damaged store: exit %d, want 1\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "PROBLEMS: 1") || !strings.Contains(out.String(), "user 5003 2026: progress has") {
		t.Errorf("report of a damaged store:\n%s", out.String())
	}

	// Held by a running bot: not checked.
	held, err := store.Open(c.Store.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	out.Reset()
	errb.Reset()
	if code := run([]string{"check", "-config", cfgPath}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "held by a running bot") {
		t.Errorf("check of a held store: exit %d, %q; want 2 and why", code, errb.String())
	}
}
