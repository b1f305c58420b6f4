package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// groupCommit runs concurrent Updates' functions in one bbolt transaction,
// as bbolt's Batch does, but without waiting for company: when no commit
// is in flight an Update commits at once, and the Updates that arrive
// while one is in flight all share the next. Under load batches grow by
// themselves; at rest nobody waits for a timer (bbolt's MaxBatchDelay put
// 2 ms before every member's reply).
//
// As in bbolt's Batch, a function that fails rolls the batch back and runs
// again alone, in its caller's goroutine, for its own error; the others
// run again together, so a function may run more than once.
type groupCommit struct {
	db  *bolt.DB
	max int // the most functions one commit takes

	mu    sync.Mutex
	queue []*groupCall
	busy  bool // a committer goroutine is running

	observe atomic.Pointer[func(time.Duration)] // told each commit's time (ObserveCommits)
}

type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// errAlone tells a caller to run its function in a transaction of its own.
var errAlone = errors.New("store: run alone")

// update runs fn in a shared read-write transaction and returns once it is
// committed (or fn's own error).
func (g *groupCommit) update(fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if !g.busy {
		g.busy = true
		go g.commit()
	}
	g.mu.Unlock()
	if err := <-c.done; err != errAlone {
		return err
	}
	return g.db.Update(fn)
}

// commit commits what is queued, batch after batch, until nothing is.
func (g *groupCommit) commit() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), g.max)
		if n == 0 {
			g.busy = false
			g.queue = nil
			g.mu.Unlock()
			return
		}
		calls := append([]*groupCall(nil), g.queue[:n]...)
		g.queue = g.queue[n:]
		g.mu.Unlock()
		for len(calls) > 0 {
			failed := -1
			start := time.Now()
			err := g.db.Update(func(tx *bolt.Tx) error {
				for i, c := range calls {
					if err := safely(c.fn, tx); err != nil {
						failed = i
						return err
					}
				}
				return nil
			})
			if f := g.observe.Load(); f != nil {
				(*f)(time.Since(start))
			}
			if failed < 0 {
				for _, c := range calls {
					c.done <- err
				}
				break
			}
			calls[failed].done <- errAlone
			calls = append(calls[:failed], calls[failed+1:]...)
		}
	}
}

// safely runs fn, turning a panic into an error (the function then runs
// again alone, where the panic is its caller's).
func safely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in an update: %v", p)
		}
	}()
	return fn(tx)
}

// ObserveCommits has f told how long each shared commit took — its
// Updates' functions, the page writes and both fsyncs — for the bot's
// metrics. It does nothing when Updates go through bbolt's Batch
// (Options.MaxBatchDelay).
func (db *DB) ObserveCommits(f func(time.Duration)) {
	if db.group != nil {
		db.group.observe.Store(&f)
	}
}
