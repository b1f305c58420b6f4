package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partyquiz/quiz"
	"partyquiz/store"
)

// TestBackupWhileWriting takes a backup while members keep answering:
// the backup opens, and every answer recorded before it began is in it.
func TestBackupWhileWriting(t *testing.T) {
	db := MustOpen(t)
	f := newFixture(t, db)
	ctx := context.Background()
	for i := int64(0); i < 12; i++ {
		f.join(t, 5000+i, []string{"b1", "b2", "b3"}[i%3])
	}
	var mu sync.Mutex
	var recorded []answerRef
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := int64(0); i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := 5000 + i
			var atts []*quiz.Attempt
			sess, err := f.Svc.StartStudy(ctx, id)
			if err != nil {
				t.Error(err)
				return
			}
			atts = append(atts, sess.Attempt)
			test, err := f.Svc.StartTest(ctx, id)
			if err != nil {
				t.Error(err)
				return
			}
			atts = append(atts, test)
			for _, a := range atts {
				for j := range a.Items {
					if stop.Load() {
						return
					}
					choice, text := rightAnswer(&a.Items[j])
					if _, err := f.Svc.Answer(ctx, id, a.ID, j, choice, text, ""); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					recorded = append(recorded, answerRef{a.ID, j})
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(30 * time.Millisecond)
	mu.Lock()
	before := append([]answerRef(nil), recorded...)
	mu.Unlock()
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := db.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	if len(before) == 0 {
		t.Log("no answer was recorded before the backup began")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("backup folder holds %d files, want 1", len(entries))
	}
	b, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	view(t, b, func(tx quiz.Tx) error {
		for _, ref := range before {
			a, err := tx.Attempt(ref.Attempt)
			if err != nil {
				t.Errorf("answer %v: %v", ref, err)
				continue
			}
			if !a.Responses[ref.Index].Done {
				t.Errorf("answer %v recorded before the backup is not in it", ref)
			}
		}
		return nil
	})
	t.Logf("%d answers before the backup, %d in all", len(before), len(recorded))
}

// TestReadOnlyBackup: a stopped bot's file, even one written by an older
// version, is backed up as it is: opened read-only, never migrated.
func TestReadOnlyBackup(t *testing.T) {
	src := filepath.Join("testdata", "v1-742118f", "v1-742118f.db")
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := db.BackupFile(dest); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx quiz.Tx) error { return tx.PutUser(&quiz.User{ID: 1, Name: "x"}) }); err == nil {
		t.Error("a write through a read-only store succeeded")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, orig) {
		t.Error("opening read-only changed the file")
	}
	// The copy opens (and migrates) like any store.
	c, err := store.Open(dest, store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	c.Close()
}
