package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func openBolt(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	return db
}

func put(key string) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put([]byte(key), []byte("v")) }
}

// commitInFlight starts an Update on g whose commit stays in flight until
// release is closed (then it runs then, if set), and returns once that
// commit is running; done yields the Update's result.
func commitInFlight(g *groupCommit, then func(*bolt.Tx) error) (release chan struct{}, done <-chan error) {
	release, inside, result := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		result <- g.update(func(tx *bolt.Tx) error {
			close(inside)
			<-release
			if then == nil {
				return nil
			}
			return then(tx)
		})
	}()
	<-inside
	return release, result
}

// waitQueued waits until n Updates are queued behind the commit in flight.
func waitQueued(g *groupCommit, n int) {
	for {
		g.mu.Lock()
		q := len(g.queue)
		g.mu.Unlock()
		if q == n {
			return
		}
	}
}

// TestGroupCommitShares: Updates that arrive while a commit is in flight
// share the next transaction, and every one is committed once.
func TestGroupCommitShares(t *testing.T) {
	db := openBolt(t)
	g := &groupCommit{db: db, max: 1000}
	release, first := commitInFlight(g, put("first"))
	var mu sync.Mutex
	txs := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := g.update(func(tx *bolt.Tx) error {
				mu.Lock()
				txs[tx.ID()]++
				mu.Unlock()
				return put(fmt.Sprint("k", i))(tx)
			}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	waitQueued(g, 20) // all 20 behind the first before it is let go
	close(release)
	if err := <-first; err != nil {
		t.Error(err)
	}
	wg.Wait()
	if len(txs) != 1 {
		t.Errorf("20 updates queued behind a commit took %d transactions, want 1: %v", len(txs), txs)
	}
	n := 0
	_ = db.View(func(tx *bolt.Tx) error { n = tx.Bucket([]byte("b")).Stats().KeyN; return nil })
	if n != 21 {
		t.Errorf("%d keys, want 21", n)
	}
}

// TestGroupCommitFailure: a function that fails keeps nothing and its
// caller alone gets its error; the others of its batch commit; a panic
// is its caller's.
func TestGroupCommitFailure(t *testing.T) {
	db := openBolt(t)
	g := &groupCommit{db: db, max: 1000}
	boom := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = g.update(func(tx *bolt.Tx) error {
				if err := put(fmt.Sprint("k", i))(tx); err != nil {
					return err
				}
				if i%10 == 3 {
					return boom // after writing: its write must go
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	_ = db.View(func(tx *bolt.Tx) error {
		for i, err := range errs {
			kept := tx.Bucket([]byte("b")).Get([]byte(fmt.Sprint("k", i))) != nil
			switch {
			case i%10 == 3 && (err != boom || kept):
				t.Errorf("update %d: error %v, its write kept %v", i, err, kept)
			case i%10 != 3 && (err != nil || !kept):
				t.Errorf("update %d: error %v, its write kept %v", i, err, kept)
			}
		}
		return nil
	})
	defer func() {
		if p := recover(); p != "bad" {
			t.Errorf("the panic reached the caller as %v", p)
		}
	}()
	_ = g.update(func(*bolt.Tx) error { panic("bad") })
}
