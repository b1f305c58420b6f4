package store_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"partyquiz/quiz"
	"partyquiz/store"
)

// notices returns notices with refs prefix:from … prefix:to-1.
func notices(prefix string, from, to int) []quiz.Event {
	out := make([]quiz.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, quiz.Event{Ref: fmt.Sprintf("%s:%d", prefix, i), Chat: int64(1000 + i),
			Text: fmt.Sprintf("<b>第四季度测试</b>\n您的成绩：%d 分", i%101)})
	}
	return out
}

func enqueue(tb testing.TB, db *store.DB, ns []quiz.Event) int {
	tb.Helper()
	n, err := db.Enqueue(context.Background(), ns)
	if err != nil {
		tb.Fatalf("enqueue: %v", err)
	}
	return n
}

func pending(tb testing.TB, db *store.DB, after uint64, n int) []quiz.Event {
	tb.Helper()
	ns, err := db.Pending(context.Background(), after, n)
	if err != nil {
		tb.Fatalf("pending: %v", err)
	}
	return ns
}

func refsOf(ns []quiz.Event) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Ref)
	}
	return out
}

func checkCount(tb testing.TB, db *store.DB, want int) {
	tb.Helper()
	n, err := db.PendingCount(context.Background())
	if err != nil || n != want {
		tb.Fatalf("PendingCount = %d, %v; want %d", n, err, want)
	}
	if all := pending(tb, db, 0, 0); len(all) != want {
		tb.Fatalf("PendingCount %d, but %d notices pending", n, len(all))
	}
}

func checkState(tb testing.TB, db *store.DB, ref, want string) {
	tb.Helper()
	got, err := db.EventState(context.Background(), ref)
	if err != nil || got != want {
		tb.Fatalf("EventState(%q) = %q, %v; want %q", ref, got, err, want)
	}
}

func TestOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := mustOpenPath(t, path)
	ctx := context.Background()
	checkCount(t, db, 0)
	if n, err := db.Enqueue(ctx, nil); n != 0 || err != nil {
		t.Fatalf("Enqueue(nil) = %d, %v", n, err)
	}

	// A Ref twice in one call is queued once; Created is kept when given.
	given := time.Date(2026, 12, 1, 9, 0, 0, 5, time.FixedZone("CST", 8*3600))
	ns := []quiz.Event{
		{Ref: "remind:a", Chat: 1, Text: "提醒 a", Seq: 99},
		{Ref: "remind:b", Chat: -100200, Text: "提醒 b", At: given},
		{Ref: "remind:a", Chat: 2, Text: "again"},
		{Ref: "remind:c", Chat: 3, Text: "提醒 c"},
	}
	before := time.Now()
	if n := enqueue(t, db, ns); n != 3 {
		t.Fatalf("enqueued %d, want 3", n)
	}
	after := time.Now()
	if ns[0].Seq != 99 || !ns[0].At.IsZero() {
		t.Error("Enqueue changed the caller's notices")
	}
	got := pending(t, db, 0, 0)
	if strings.Join(refsOf(got), " ") != "remind:a remind:b remind:c" {
		t.Fatalf("pending = %v", refsOf(got))
	}
	if got[0].Chat != 1 || got[0].Text != "提醒 a" || got[1].Chat != -100200 || got[2].Text != "提醒 c" {
		t.Errorf("pending = %+v", got)
	}
	if !(got[0].Seq < got[1].Seq && got[1].Seq < got[2].Seq) || got[0].Seq == 0 {
		t.Errorf("seqs %d %d %d, want increasing from 1", got[0].Seq, got[1].Seq, got[2].Seq)
	}
	if !got[1].At.Equal(given) || got[1].At.Location() != time.UTC {
		t.Errorf("given Created came back as %v", got[1].At)
	}
	if c := got[0].At; c.Before(before) || c.After(after) {
		t.Errorf("Created = %v, want between %v and %v", c, before, after)
	}
	checkCount(t, db, 3)
	checkState(t, db, "remind:a", "pending")
	checkState(t, db, "never", "")
	checkState(t, db, "", "")

	// Done: sent, failed; again, and on a seq that never was, nothing.
	if err := db.Done(ctx, got[0].Seq, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Done(ctx, got[1].Seq, "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	checkState(t, db, "remind:a", "sent")
	checkState(t, db, "remind:b", "failed: Forbidden: bot was blocked by the user")
	checkState(t, db, "remind:c", "pending")
	checkCount(t, db, 1)
	for _, seq := range []uint64{got[0].Seq, got[1].Seq, 12345, 0, math.MaxUint64} {
		if err := db.Done(ctx, seq, "late"); err != nil {
			t.Fatalf("Done(%d) again: %v", seq, err)
		}
	}
	checkState(t, db, "remind:a", "sent")
	checkState(t, db, "remind:b", "failed: Forbidden: bot was blocked by the user")
	checkCount(t, db, 1)

	// A Ref that was sent, failed or is pending is never queued again.
	if n := enqueue(t, db, append(ns, quiz.Event{Ref: "remind:d", Chat: 4})); n != 1 {
		t.Fatalf("enqueue again: added %d, want 1 (remind:d)", n)
	}
	got = pending(t, db, 0, 0)
	if strings.Join(refsOf(got), " ") != "remind:c remind:d" || got[1].Seq <= got[0].Seq {
		t.Fatalf("pending = %+v", got)
	}
	lastSeq := got[1].Seq

	// A notice without a Ref fails the whole call.
	if n, err := db.Enqueue(ctx, []quiz.Event{{Ref: "remind:e"}, {Chat: 5}}); err == nil || n != 0 {
		t.Fatalf("Enqueue with an empty ref = %d, %v; want an error", n, err)
	}
	checkState(t, db, "remind:e", "")
	checkCount(t, db, 2)

	// Everything survives a reopen, and seqs go on growing.
	db.Close()
	db = mustOpenPath(t, path)
	checkCount(t, db, 2)
	checkState(t, db, "remind:a", "sent")
	checkState(t, db, "remind:b", "failed: Forbidden: bot was blocked by the user")
	checkState(t, db, "remind:c", "pending")
	if n := enqueue(t, db, []quiz.Event{{Ref: "remind:e", Chat: 5}}); n != 1 {
		t.Fatalf("added %d after reopen", n)
	}
	got = pending(t, db, lastSeq, 0)
	if len(got) != 1 || got[0].Ref != "remind:e" || got[0].Seq <= lastSeq {
		t.Fatalf("pending after %d = %+v", lastSeq, got)
	}
	checkCount(t, db, 3)
	if err := db.Done(ctx, got[0].Seq, ""); err != nil {
		t.Fatal(err)
	}
	checkCount(t, db, 2)
	db.Close()
	db = mustOpenPath(t, path)
	checkCount(t, db, 2)

	// A canceled context stops every method before it starts.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Enqueue(canceled, notices("x", 0, 1)); err == nil {
		t.Error("Enqueue with a canceled context: no error")
	}
	if _, err := db.Pending(canceled, 0, 1); err == nil {
		t.Error("Pending with a canceled context: no error")
	}
	if err := db.Done(canceled, 1, ""); err == nil {
		t.Error("Done with a canceled context: no error")
	}
	checkState(t, db, "x:0", "")
}

func TestOutboxPaging(t *testing.T) {
	db := MustOpen(t)
	all := notices("round:test-close:2026-Q4", 0, 23)
	if n := enqueue(t, db, all[:10]) + enqueue(t, db, all[10:]); n != 23 {
		t.Fatalf("added %d", n)
	}
	var seen []string
	var after uint64
	for {
		page := pending(t, db, after, 5)
		if len(page) == 0 {
			break
		}
		if len(page) > 5 {
			t.Fatalf("page of %d, want at most 5", len(page))
		}
		for _, n := range page {
			if n.Seq <= after {
				t.Fatalf("seq %d after %d", n.Seq, after)
			}
			after = n.Seq
			seen = append(seen, n.Ref)
		}
	}
	if strings.Join(seen, " ") != strings.Join(refsOf(all), " ") {
		t.Fatalf("paged through %v\nwant %v", seen, refsOf(all))
	}
	if got := pending(t, db, math.MaxUint64, 10); len(got) != 0 {
		t.Errorf("Pending(MaxUint64) = %v", got)
	}
	// Done notices leave gaps that paging steps over.
	first := pending(t, db, 0, 0)
	for i, n := range first {
		if i%2 == 0 {
			if err := db.Done(context.Background(), n.Seq, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	page := pending(t, db, first[2].Seq, 3)
	if len(page) != 3 || page[0].Seq != first[3].Seq || page[1].Seq != first[5].Seq || page[2].Seq != first[7].Seq {
		t.Errorf("page after %d = %v", first[2].Seq, refsOf(page))
	}
	checkCount(t, db, 11)
}

// TestOutboxCounter checks that a file without the counter, such as one
// written before the outbox existed, gets it at open: counted from what the
// outbox holds.
func TestOutboxCounter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := mustOpenPath(t, path)
	enqueue(t, db, notices("n", 0, 7))
	db.Close()

	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("outbox_pending")) })
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, path)
	checkCount(t, db, 7)
	db.Close()

	// A file of the same schema version from before the outbox: its
	// buckets are made at open.
	old := filepath.Join(t.TempDir(), "old.db")
	raw, err = bolt.Open(old, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return meta.Put([]byte("version"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, old)
	checkCount(t, db, 0)
	if n := enqueue(t, db, notices("n", 0, 2)); n != 2 {
		t.Fatalf("added %d", n)
	}
	checkCount(t, db, 2)
	update(t, db, func(tx quiz.Tx) error { return tx.Publish(&quiz.Publication{Kind: quiz.PubOrg, ID: "org"}) })
}

func TestRounds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := mustOpenPath(t, path)
	done := func(key string) bool {
		t.Helper()
		var ok bool
		view(t, db, func(tx quiz.Tx) (err error) {
			ok, err = tx.RoundDone(key)
			return err
		})
		return ok
	}
	if done("test-close:2026-Q4") || done("") {
		t.Fatal("a round is done before it was marked")
	}
	for i := 0; i < 2; i++ {
		update(t, db, func(tx quiz.Tx) error { return tx.MarkRound("test-close:2026-Q4", time.Now()) })
	}
	if !done("test-close:2026-Q4") || done("test-close:2026-Q3") || done("test-close") {
		t.Fatal("RoundDone does not match what was marked")
	}
	if err := db.Update(context.Background(), func(tx quiz.Tx) error { return tx.MarkRound("", time.Now()) }); err == nil {
		t.Error("MarkRound(\"\"): no error")
	}
	db.Close()
	db = mustOpenPath(t, path)
	if !done("test-close:2026-Q4") {
		t.Fatal("round forgotten after reopen")
	}
}

// TestOutboxRoundRerun enqueues a round of notices in chunks while a
// sender takes them out, stops half-way as a crash would, reopens the
// file and runs the whole round again with a new sender: every member's
// notice is queued, and seen by a sender, exactly once.
func TestOutboxRoundRerun(t *testing.T) {
	const members, chunk = 3000, 100
	path := filepath.Join(t.TempDir(), "q.db")
	round := notices("round:test-close:2026-Q4", 0, members)
	failed := func(ref string) bool { return strings.HasSuffix(ref, "7") } // blocked the bot

	var mu sync.Mutex
	seen := map[string]int{}
	// sender takes pages of pending notices and marks each done, many at a
	// time, until stop is closed and nothing is left.
	sender := func(db *store.DB, stop <-chan struct{}) error {
		ctx := context.Background()
		var after uint64
		for {
			stopping := false
			select {
			case <-stop:
				stopping = true
			default:
			}
			page, err := db.Pending(ctx, after, 50)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				if stopping {
					return nil
				}
				time.Sleep(time.Millisecond)
				continue
			}
			var wg sync.WaitGroup
			errs := make([]error, len(page))
			for i, n := range page {
				mu.Lock()
				seen[n.Ref]++
				mu.Unlock()
				if n.Seq <= after {
					return fmt.Errorf("seq %d after %d", n.Seq, after)
				}
				after = n.Seq
				wg.Add(1)
				go func() {
					defer wg.Done()
					reason := ""
					if failed(n.Ref) {
						reason = "blocked"
					}
					errs[i] = db.Done(ctx, n.Seq, reason)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return err
				}
			}
		}
	}
	run := func(chunks int) (added int) {
		db := mustOpenPath(t, path)
		stop := make(chan struct{})
		res := make(chan error, 1)
		go func() { res <- sender(db, stop) }()
		for i := 0; i < chunks; i++ {
			added += enqueue(t, db, round[i*chunk:(i+1)*chunk])
		}
		close(stop)
		if err := <-res; err != nil {
			t.Fatalf("sender: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return added
	}
	first := run(members / chunk / 2)
	if first != members/2 {
		t.Fatalf("first run added %d, want %d", first, members/2)
	}
	second := run(members / chunk)
	if second != members-first {
		t.Fatalf("second run added %d, want %d", second, members-first)
	}

	db := mustOpenPath(t, path)
	checkCount(t, db, 0)
	if len(seen) != members {
		t.Errorf("senders saw %d notices, want %d", len(seen), members)
	}
	for _, n := range round {
		if c := seen[n.Ref]; c != 1 {
			t.Errorf("%s seen %d times", n.Ref, c)
		}
		want := "sent"
		if failed(n.Ref) {
			want = "failed: blocked"
		}
		checkState(t, db, n.Ref, want)
	}
	if n := enqueue(t, db, round); n != 0 {
		t.Errorf("a third run added %d", n)
	}
}

// TestEnqueueOneLargeCall queues a whole city's round in a single call.
func TestEnqueueOneLargeCall(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	db := MustOpen(t)
	round := notices("round:test-close:2026-Q4", 0, n)
	if added := enqueue(t, db, round); added != n {
		t.Fatalf("added %d, want %d", added, n)
	}
	checkCount(t, db, n)
	if added := enqueue(t, db, round[n/2:]); added != 0 {
		t.Fatalf("added %d again", added)
	}
	page := pending(t, db, 0, 3)
	if strings.Join(refsOf(page), " ") != strings.Join(refsOf(round[:3]), " ") {
		t.Errorf("first pending = %v", refsOf(page))
	}
}

// BenchmarkEnqueue queues a round of 100,000 notices in chunks of 1,000,
// with fsync on, into a file that already holds a round of that size,
// and reports notices per second; one-call queues it in a single call.
func BenchmarkEnqueue(b *testing.B) {
	const members, chunk = 100_000, 1_000
	for _, c := range []struct {
		name  string
		chunk int
	}{{"chunks=1000", chunk}, {"one-call", members}} {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := MustOpen(b, store.Options{})
				prev := notices("round:test-close:2026-Q3", 0, members)
				for j := 0; j < members; j += chunk {
					enqueue(b, db, prev[j:j+chunk])
				}
				round := notices("round:test-close:2026-Q4", 0, members)
				b.StartTimer()
				start := time.Now()
				added := 0
				for j := 0; j < members; j += c.chunk {
					added += enqueue(b, db, round[j:j+c.chunk])
				}
				total += time.Since(start)
				b.StopTimer()
				if added != members {
					b.Fatalf("added %d", added)
				}
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(members)*float64(b.N)/total.Seconds(), "notices/s")
		})
	}
}
