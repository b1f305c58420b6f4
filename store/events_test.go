package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partyquiz/quiz"
	"partyquiz/store"
)

// TestEmitWithTheChange: an event emitted in an Update is in the outbox
// exactly when the change is: kept with it, gone with a rolled-back one,
// once per Ref, and whoever sends is woken.
func TestEmitWithTheChange(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	// A change that fails takes its event with it.
	boom := errors.New("boom")
	err := db.Update(ctx, func(tx quiz.Tx) error {
		if _, err := tx.Emit(&quiz.Event{Ref: "e:1", Chat: 1, Kind: quiz.EventMakeup}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	checkCount(t, db, 0)
	if st, _ := db.EventState(ctx, "e:1"); st != "" {
		t.Fatalf("a rolled-back event is %q", st)
	}
	// A change that commits keeps it; the same Ref again adds nothing.
	for i := 0; i < 2; i++ {
		update(t, db, func(tx quiz.Tx) error {
			if err := tx.PutUser(&quiz.User{ID: 1, Name: "甲"}); err != nil {
				return err
			}
			e := &quiz.Event{Ref: "e:1", Chat: 1, Kind: quiz.EventMakeup, Period: "2026-10", Subject: quiz.Study, Until: time.Unix(1e9, 0)}
			added, err := tx.Emit(e)
			if added != (i == 0) || (added && e.Seq == 0) {
				t.Errorf("emit %d: added %v seq %d", i, added, e.Seq)
			}
			// Twice in one transaction is once too.
			if again, _ := tx.Emit(&quiz.Event{Ref: "e:1", Chat: 1}); again {
				t.Error("the same ref emitted twice in one transaction")
			}
			return err
		})
	}
	select {
	case <-db.Emitted():
	default:
		t.Error("no signal after a change that emitted an event")
	}
	checkCount(t, db, 1)
	es, err := db.Pending(ctx, 0, 0)
	if err != nil || len(es) != 1 || es[0].Period != "2026-10" || es[0].Subject != quiz.Study || !es[0].Until.Equal(time.Unix(1e9, 0)) {
		t.Fatalf("pending: %+v, %v", es, err)
	}
	// Parts sent are kept; done removes it for good.
	if err := db.PartSent(ctx, es[0].Seq, 2); err != nil {
		t.Fatal(err)
	}
	if es, _ := db.Pending(ctx, 0, 0); es[0].Parts != 2 {
		t.Errorf("parts sent: %d, want 2", es[0].Parts)
	}
	if err := db.Done(ctx, es[0].Seq, ""); err != nil {
		t.Fatal(err)
	}
	checkCount(t, db, 0)
	update(t, db, func(tx quiz.Tx) error {
		if added, err := tx.Emit(&quiz.Event{Ref: "e:1", Chat: 1}); added || err != nil {
			t.Errorf("a sent event emitted again: %v %v", added, err)
		}
		return nil
	})
}

// TestRefusalKeepsTheBatch: a refusal (a double tap: an application error
// from a function that wrote nothing) does not roll back the changes that
// shared its commit, nor make them run again; a refusal after a write
// still undoes that write.
func TestRefusalKeepsTheBatch(t *testing.T) {
	db := MustOpen(t, store.Options{NoSync: true, MaxBatchDelay: 50 * time.Millisecond})
	ctx := context.Background()
	const writers = 20
	var runs [writers]atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	refused := make(chan error, 1)
	wg.Add(writers + 1)
	for i := 0; i < writers; i++ {
		go func(i int) {
			defer wg.Done()
			<-start
			err := db.Update(ctx, func(tx quiz.Tx) error {
				runs[i].Add(1)
				return tx.PutUser(&quiz.User{ID: int64(100 + i), Name: "乙"})
			})
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	go func() {
		defer wg.Done()
		<-start
		time.Sleep(5 * time.Millisecond) // inside the others' batch
		refused <- db.Update(ctx, func(tx quiz.Tx) error { return quiz.Errorf(quiz.Conflict, quiz.ReasonAnswered) })
	}()
	close(start)
	wg.Wait()
	if err := <-refused; quiz.ErrorReason(err) != quiz.ReasonAnswered {
		t.Fatalf("the refusal came back as %v", err)
	}
	for i := range runs {
		if n := runs[i].Load(); n != 1 {
			t.Errorf("writer %d ran %d times, want once", i, n)
		}
	}
	view(t, db, func(tx quiz.Tx) error {
		for i := 0; i < writers; i++ {
			if _, err := tx.User(int64(100 + i)); err != nil {
				t.Errorf("writer %d's change is lost: %v", i, err)
			}
		}
		return nil
	})
	// A refusal after a write keeps nothing of it.
	err := db.Update(ctx, func(tx quiz.Tx) error {
		if err := tx.PutUser(&quiz.User{ID: 9, Name: "丙"}); err != nil {
			return err
		}
		return quiz.Errorf(quiz.Conflict, quiz.ReasonAnswered)
	})
	if quiz.ErrorReason(err) != quiz.ReasonAnswered {
		t.Fatal(err)
	}
	view(t, db, func(tx quiz.Tx) error {
		if _, err := tx.User(9); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("a refused change kept its write: %v", err)
		}
		return nil
	})
}
