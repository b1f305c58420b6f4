package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"partyquiz/quiz"
	"partyquiz/store"
)

func TestNewFileHasCurrentVersion(t *testing.T) {
	db := MustOpen(t)
	v, err := db.Version()
	if err != nil || v != store.SchemaVersion() || v != 2 {
		t.Fatalf("Version() = %d, %v; want %d", v, err, store.SchemaVersion())
	}
}

func TestMigrateVersion0File(t *testing.T) {
	// A version 0 file: buckets of the first layout with data, and no
	// recorded version.
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("users"))
		if err != nil {
			return err
		}
		return b.Put([]byte{0, 0, 0, 0, 0, 0, 0, 42}, []byte(`{"n":"老党员","b":"b1"}`))
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpenPath(t, path)
	if v, _ := db.Version(); v != store.SchemaVersion() {
		t.Fatalf("version after migration = %d, want %d", v, store.SchemaVersion())
	}
	view(t, db, func(tx quiz.Tx) error {
		u, err := tx.User(42)
		if err != nil || u.Name != "老党员" {
			t.Errorf("user 42 after migration = %+v, %v", u, err)
		}
		if s, err := tx.Salt(); err != nil || s == "" {
			t.Errorf("salt after migration = %q, %v", s, err)
		}
		return nil
	})
	// Every bucket works.
	update(t, db, func(tx quiz.Tx) error { return tx.PutGrant(quiz.Grant{User: 42, Kind: quiz.Study, Period: "2026-01"}) })
}

func TestMigrateToNewerVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := mustOpenPath(t, path)
	update(t, db, func(tx quiz.Tx) error {
		return tx.PutInvite(&quiz.Invite{Code: "abc", Node: "b1", Role: quiz.RoleMember})
	})
	db.Close()

	// The next version of a future program: a step that fails leaves the
	// file at the current version with nothing of the step applied.
	cur := uint64(store.SchemaVersion())
	boom := errors.New("boom")
	restore := store.SetMigrations(append(store.Migrations(), func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte("meta")).Put([]byte("half-done"), []byte("x")); err != nil {
			return err
		}
		return boom
	}))
	_, err := store.Open(path, store.Options{})
	restore()
	if !errors.Is(err, boom) {
		t.Fatalf("open with a failing migration: %v, want boom", err)
	}
	checkRaw(t, path, func(tx *bolt.Tx) {
		if v := tx.Bucket([]byte("meta")).Get([]byte("version")); !bytes.Equal(v, binary.BigEndian.AppendUint64(nil, cur)) {
			t.Errorf("version after a failed migration = %x, want %d", v, cur)
		}
		if tx.Bucket([]byte("meta")).Get([]byte("half-done")) != nil {
			t.Error("a failed migration left a write behind")
		}
	})

	// A step that works runs once.
	runs := 0
	restore = store.SetMigrations(append(store.Migrations(), func(tx *bolt.Tx) error {
		runs++
		b, err := tx.CreateBucket([]byte("future"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}))
	for i := 0; i < 2; i++ {
		db, err := store.Open(path, store.Options{})
		if err != nil {
			restore()
			t.Fatal(err)
		}
		if v, _ := db.Version(); v != int(cur)+1 {
			t.Errorf("version = %d, want %d", v, cur+1)
		}
		view(t, db, func(tx quiz.Tx) error {
			if _, err := tx.Invite("abc"); err != nil {
				t.Errorf("invite lost in migration: %v", err)
			}
			return nil
		})
		db.Close()
	}
	restore()
	if runs != 1 {
		t.Errorf("migration step ran %d times, want 1", runs)
	}

	// This program refuses the file a newer one wrote.
	if db, err := store.Open(path, store.Options{}); err == nil {
		db.Close()
		t.Fatal("opened a file of a newer schema version")
	}
}

func checkRaw(t *testing.T, path string, fn func(*bolt.Tx)) {
	t.Helper()
	raw, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.View(func(tx *bolt.Tx) error { fn(tx); return nil })
}

func TestOpenLockedFileTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	mustOpenPath(t, path)
	_, err := store.Open(path, store.Options{Timeout: 50 * time.Millisecond})
	if err == nil {
		t.Fatal("opened a file another DB holds")
	}
}

func TestMapErrorDiskFull(t *testing.T) {
	cause := fmt.Errorf("commit: %w", &fs.PathError{Op: "write", Path: "/data/quiz.db", Err: syscall.ENOSPC})
	err := store.MapError(cause)
	if quiz.ErrorCode(err) != quiz.Unavailable || quiz.ErrorReason(err) != quiz.ReasonStorageFull {
		t.Errorf("code %q reason %q, want unavailable storage_full", quiz.ErrorCode(err), quiz.ErrorReason(err))
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Error("the cause is not wrapped")
	}
	other := errors.New("other")
	if store.MapError(other) != other {
		t.Error("another error changed")
	}
}

// TestStorageFull fills a file capped by MaxSize: the Update that does not
// fit fails with storage_full and leaves nothing, the others are kept,
// and a small write still fits.
func TestStorageFull(t *testing.T) {
	db := MustOpen(t, store.Options{MaxSize: 1 << 20, MaxBatchDelay: time.Millisecond})
	ctx := context.Background()
	big := bytes.Repeat([]byte("党"), 3000)
	var full error
	n := 0
	for ; n < 1000; n++ {
		err := db.Update(ctx, func(tx quiz.Tx) error {
			if err := tx.PutInvite(&quiz.Invite{Code: fmt.Sprint("c", n), Node: string(big)}); err != nil {
				return err
			}
			return tx.AddMemberCount("city", 1)
		})
		if err != nil {
			full = err
			break
		}
	}
	if full == nil {
		t.Fatal("1000 writes of 9 KB fitted in 1 MB")
	}
	if quiz.ErrorCode(full) != quiz.Unavailable || quiz.ErrorReason(full) != quiz.ReasonStorageFull {
		t.Fatalf("error %v: code %q reason %q, want unavailable storage_full", full, quiz.ErrorCode(full), quiz.ErrorReason(full))
	}
	if !errors.Is(full, berrors.ErrMaxSizeReached) {
		t.Errorf("error %v does not wrap its cause", full)
	}
	view(t, db, func(tx quiz.Tx) error {
		if c, _ := tx.MemberCount("city"); c != int64(n) {
			t.Errorf("count = %d, want %d (the failed update left a write)", c, n)
		}
		if _, err := tx.Invite(fmt.Sprint("c", n)); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("the invite that did not fit: %v, want ErrNotFound", err)
		}
		if _, err := tx.Invite(fmt.Sprint("c", n-1)); err != nil {
			t.Errorf("the last invite that fitted: %v", err)
		}
		return nil
	})
	// A small write still fits in the pages earlier commits freed.
	update(t, db, func(tx quiz.Tx) error { return tx.AddMemberCount("city", 1) })
}

// TestBatchAtomicity runs many Updates at once: those whose fn fails after
// writing leave nothing behind and get their own error; the others are
// all kept.
func TestBatchAtomicity(t *testing.T) {
	db := MustOpen(t, store.Options{MaxBatchDelay: 20 * time.Millisecond})
	ctx := context.Background()
	const n = 60
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Update(ctx, func(tx quiz.Tx) error {
				if err := tx.AddMemberCount("city", 1); err != nil {
					return err
				}
				if err := tx.PutUser(&quiz.User{ID: int64(i + 1), Name: "x", Branch: "b1"}); err != nil {
					return err
				}
				if _, err := tx.AddEntry(&quiz.Entry{User: int64(i + 1), Ref: "r", Amount: 1, Period: "2026-12"}); err != nil {
					return err
				}
				if i%3 == 0 {
					return fmt.Errorf("fn %d failed", i)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if i%3 == 0 {
			if err == nil || err.Error() != fmt.Sprintf("fn %d failed", i) {
				t.Errorf("update %d: %v, want its own error", i, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
		ok++
	}
	view(t, db, func(tx quiz.Tx) error {
		if c, _ := tx.MemberCount("city"); c != int64(ok) {
			t.Errorf("count = %d, want %d", c, ok)
		}
		ms, _ := tx.Members("b1")
		if len(ms) != ok {
			t.Errorf("%d members, want %d", len(ms), ok)
		}
		for i := 0; i < n; i++ {
			_, err := tx.User(int64(i + 1))
			es, _ := tx.Entries(int64(i + 1))
			if i%3 == 0 && (err == nil || len(es) != 0) {
				t.Errorf("failed update %d left user or ledger behind", i)
			}
			if i%3 != 0 && (err != nil || len(es) != 1) {
				t.Errorf("update %d: user %v, %d entries", i, err, len(es))
			}
		}
		return nil
	})
}

// TestOpenHeldFile: a file another process holds is ErrInUse (and bbolt's
// timeout), said in one sentence that names the file once.
func TestOpenHeldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "held.db")
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = store.Open(path, store.Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, store.ErrInUse) || !errors.Is(err, berrors.ErrTimeout) {
		t.Fatalf("a held file: %v", err)
	}
	if msg := err.Error(); strings.Count(msg, path) != 1 || strings.Contains(msg, "open store") {
		t.Errorf("the error says %q", msg)
	}
}
