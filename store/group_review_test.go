package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestGroupCommitReviewMixed: behind a commit in flight, a batch of
// updates — one failing after a write, one panicking, the rest good — and
// MaxBatchSize 4: the good ones commit (in batches of at most 4), the
// failing one's write is gone and its caller alone gets its error, the
// panic reaches its own caller, and nothing hangs.
func TestGroupCommitReviewMixed(t *testing.T) {
	db := openBolt(t)
	g := &groupCommit{db: db, max: 4}
	release, first := commitInFlight(g, put("first"))
	var wg sync.WaitGroup
	boom := errors.New("boom")
	const n = 10
	errs := make([]error, n)
	panicked := make([]any, n)
	var mu sync.Mutex
	txs := map[int]bool{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { panicked[i] = recover() }()
			errs[i] = g.update(func(tx *bolt.Tx) error {
				if err := put(fmt.Sprint("k", i))(tx); err != nil {
					return err
				}
				switch i {
				case 3:
					return boom
				case 6:
					panic("bad")
				}
				mu.Lock()
				txs[tx.ID()] = true
				mu.Unlock()
				return nil
			})
		}(i)
	}
	waitQueued(g, n)
	close(release)
	<-first
	wg.Wait()
	_ = db.View(func(tx *bolt.Tx) error {
		for i := 0; i < n; i++ {
			kept := tx.Bucket([]byte("b")).Get([]byte(fmt.Sprint("k", i))) != nil
			switch i {
			case 3:
				if errs[i] != boom || kept {
					t.Errorf("failing update: error %v, write kept %v", errs[i], kept)
				}
			case 6:
				if panicked[i] != "bad" || kept {
					t.Errorf("panicking update: recovered %v, write kept %v", panicked[i], kept)
				}
			default:
				if errs[i] != nil || panicked[i] != nil || !kept {
					t.Errorf("update %d: error %v, panic %v, kept %v", i, errs[i], panicked[i], kept)
				}
			}
		}
		return nil
	})
	if len(txs) > 8 {
		t.Errorf("8 good updates in %d transactions", len(txs))
	}
	// The committer finds the queue empty and stops a moment after the
	// last caller got its answer.
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		busy := g.busy
		g.mu.Unlock()
		if !busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the committer is still marked running with nothing queued")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommitReviewClosed: updates queued while the file is closed
// under a commit in flight are committed (before the close took the file)
// or get bbolt's not-open error; none hangs.
func TestGroupCommitReviewClosed(t *testing.T) {
	db := openBolt(t)
	g := &groupCommit{db: db, max: 1000}
	release, first := commitInFlight(g, nil)
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = g.update(put("x")) }(i)
	}
	waitQueued(g, len(errs))
	closed := make(chan error)
	go func() { closed <- db.Close() }()
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	<-first // committed before the close took the file
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, bolt.ErrDatabaseNotOpen) {
			t.Errorf("update %d after Close: %v", i, err)
		}
	}
}
