package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/quiz"
	"partyquiz/store"
)

// crashEnv names the file the child of TestCrash works on.
const crashEnv = "PARTYQUIZ_CRASH_CHILD"

// TestCrash kills a process that is recording answers, at random moments,
// many times over, and checks after every kill that the file opens, that
// every answer the process was told is recorded is there exactly once, and
// that ledgers, progress and totals agree. PARTYQUIZ_CRASH_ROUNDS sets
// the number of kills (20; 5 with -short).
func TestCrash(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	if s := os.Getenv("PARTYQUIZ_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PARTYQUIZ_CRASH_ROUNDS=%q: %v", s, err)
		}
		rounds = n
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "crash.db")
	reported := map[answerRef]bool{}
	ev := &eventLog{changes: map[string]bool{}, sent: map[string]int{}}
	for round := 0; round < rounds; round++ {
		n := runAndKill(t, path, rng, reported, ev)
		total := verifyFile(t, path, reported)
		verifyEvents(t, path, ev)
		t.Logf("round %d: %d answers reported, %d reported in all, %d recorded; %d changes with an event, %d events sent",
			round, n, len(reported), total, len(ev.changes), len(ev.sent))
		if t.Failed() {
			return
		}
	}
	// After the last kill, a run sends what is left; then every event of
	// every change was sent, once but for a kill between a send and its
	// record.
	drainEvents(t, path, ev)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for ref := range ev.changes {
		if st, _ := db.EventState(context.Background(), ref); st != "sent" || ev.sent[ref] == 0 {
			t.Errorf("the event of change %s: %q, sent %d times", ref, st, ev.sent[ref])
		}
	}
	dups := 0
	for ref, n := range ev.sent {
		if n > 1 {
			dups++
			if !ev.lastOfRun[ref] {
				t.Errorf("event %s sent %d times, and not the one in flight when a run was killed", ref, n)
			}
		}
	}
	t.Logf("%d events of %d changes, %d sent again after a kill between its send and its record", len(ev.sent), len(ev.changes), dups)
}

// eventLog is what the children of TestCrash said about events: the
// changes they made that must be told (by the ref of their event), and
// every event they sent, with how many times.
type eventLog struct {
	changes   map[string]bool
	sent      map[string]int
	lastOfRun map[string]bool // the last event a killed run sent (it may not have recorded it)
}

// verifyEvents checks, after a kill, that every change reported has its
// event in the outbox (pending or sent), and every event sent is one of a
// change that happened.
func verifyEvents(t *testing.T, path string, ev *eventLog) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("open after a crash: %v", err)
	}
	defer db.Close()
	ctx := context.Background()
	for ref := range ev.changes {
		if st, err := db.EventState(ctx, ref); err != nil || (st != "pending" && st != "sent") {
			t.Errorf("change %s was made but its event is %q (%v)", ref, st, err)
		}
	}
	for ref := range ev.sent {
		if !ev.changes[ref] {
			// A change whose report was cut by the kill: it must be there,
			// sent — or still pending if it is the one a killed run sent
			// last and had not recorded yet (the sender reports a send
			// before its record; with commits at once it can even get
			// there before the change's own report).
			st, _ := db.EventState(ctx, ref)
			if st != "sent" && !(st == "pending" && ev.lastOfRun[ref]) {
				t.Errorf("event %s was sent but is %q", ref, st)
			}
		}
	}
}

type answerRef struct {
	Attempt uint64
	Index   int
}

// runAndKill runs the child until it has reported some answers and a
// random time more has passed, kills it, and adds what it reported.
func runAndKill(t *testing.T, path string, rng *rand.Rand, reported map[answerRef]bool, ev *eventLog) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	var got []answerRef
	lastSent := ""
	done := make(chan error, 1)
	go func() {
		r := bufio.NewReader(out)
		var once sync.Once
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				// A line cut short by the kill was never reported whole.
				once.Do(func() { close(first) })
				if errors.Is(err, io.EOF) {
					err = nil
				}
				done <- err
				return
			}
			if c, ok := strings.CutPrefix(line, "changed "); ok {
				ev.changes[strings.TrimSpace(c)] = true
				continue
			}
			if c, ok := strings.CutPrefix(line, "sent "); ok {
				lastSent = strings.TrimSpace(c)
				ev.sent[lastSent]++
				continue
			}
			var ref answerRef
			if _, err := fmt.Sscanf(line, "answered %d %d\n", &ref.Attempt, &ref.Index); err != nil {
				continue // the test framework's own output
			}
			got = append(got, ref)
			once.Do(func() { close(first) })
		}
	}()
	select {
	case <-first:
	case <-time.After(20 * time.Second):
	}
	time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	if lastSent != "" {
		if ev.lastOfRun == nil {
			ev.lastOfRun = map[string]bool{}
		}
		ev.lastOfRun[lastSent] = true
	}
	if len(got) == 0 {
		t.Fatalf("the child reported no answers (%v):\n%s", werr, stderr.String())
	}
	for _, ref := range got {
		reported[ref] = true
	}
	return len(got)
}

// drainEvents runs a child that only sends what is left in the outbox.
func drainEvents(t *testing.T, path string, ev *eventLog) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, crashEnv+"_DRAIN=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the last run: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if c, ok := strings.CutPrefix(line, "sent "); ok {
			ev.sent[strings.TrimSpace(c)]++
		}
	}
	if !strings.Contains(string(out), "drained") {
		t.Fatalf("the last run did not send everything:\n%s", out)
	}
}

// verifyFile opens the file after a crash and checks it; it returns the
// number of answers recorded.
func verifyFile(t *testing.T, path string, reported map[answerRef]bool) int {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("open after a crash: %v", err)
	}
	defer db.Close()
	tree := testContent(t).Tree
	total := 0
	view(t, db, func(tx quiz.Tx) error {
		for ref := range reported {
			a, err := tx.Attempt(ref.Attempt)
			if err != nil {
				t.Errorf("reported answer %v: %v", ref, err)
				continue
			}
			if !a.Responses[ref.Index].Done {
				t.Errorf("reported answer %v is not recorded", ref)
			}
		}
		done := map[string]int64{}    // month StudyDone by node
		tested := map[string]int64{}  // quarter tests by node
		scores := map[string]int64{}  // quarter score sum by node
		points := map[string]int64{}  // year points by node
		members := map[string]int64{} // members by node
		var responses int64           // Done responses of every attempt
		err := tx.ForEachUser(func(u *quiz.User) error {
			if !u.IsMember() {
				return nil
			}
			entries, err := tx.Entries(u.ID)
			if err != nil {
				return err
			}
			var sum quiz.Points
			refs := map[string]bool{}
			for _, e := range entries {
				if refs[e.Ref] {
					t.Errorf("user %d: ref %s twice", u.ID, e.Ref)
				}
				refs[e.Ref] = true
				sum += e.Amount
			}
			year, _ := tx.Progress(u.ID, "2026")
			half, _ := tx.Progress(u.ID, "2026-H2")
			if year.Points != sum || half.Points != sum {
				t.Errorf("user %d: ledger sums to %v, year progress %v, half %v", u.ID, sum, year.Points, half.Points)
			}
			month, _ := tx.Progress(u.ID, "2026-12")
			quarter, _ := tx.Progress(u.ID, "2026-Q4")
			if month.StudyDone != (year.MonthsDone == 1) {
				t.Errorf("user %d: month %+v but year %+v", u.ID, month, year)
			}
			studies, err := tx.Attempts(u.ID, quiz.Study, "2026-12")
			if err != nil {
				return err
			}
			tests, err := tx.Attempts(u.ID, quiz.Test, "2026-Q4")
			if err != nil {
				return err
			}
			for _, a := range append(studies, tests...) {
				responses += int64(a.Answered())
				if a.Kind == quiz.Study && a.Complete() != month.StudyDone {
					t.Errorf("user %d: study attempt complete %v, month done %v", u.ID, a.Complete(), month.StudyDone)
				}
				if a.Kind == quiz.Test && a.Complete() != quarter.Tested {
					t.Errorf("user %d: test attempt complete %v, quarter tested %v", u.ID, a.Complete(), quarter.Tested)
				}
			}
			for _, n := range tree.Lineage(u.Branch) {
				members[n]++
				points[n] += int64(year.Points)
				if month.StudyDone {
					done[n]++
				}
				if quarter.Tested {
					tested[n]++
					scores[n] += int64(quarter.TestScore)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, node := range tree.Nodes() {
			n := node.ID
			c, _ := tx.MemberCount(n)
			m, _ := tx.NodeStats(n, "2026-12")
			q, _ := tx.NodeStats(n, "2026-Q4")
			y, _ := tx.NodeStats(n, "2026")
			if c != members[n] || m.StudyDone != done[n] || q.TestTaken != tested[n] || q.ScoreSum != scores[n] ||
				int64(y.PointSum) != points[n] || y.StudyDone != done[n] || y.TestTaken != tested[n] {
				t.Errorf("node %s: count %d month %+v quarter %+v year %+v; members say count %d done %d tested %d scores %d points %d",
					n, c, m, q, y, members[n], done[n], tested[n], scores[n], points[n])
			}
		}
		var counted int64
		if err := tx.NodeItems("city", func(_ string, s quiz.ItemStats) error { counted += s.Answers; return nil }); err != nil {
			return err
		}
		if counted != responses {
			t.Errorf("%d answers counted in item stats, %d recorded in attempts", counted, responses)
		}
		total = int(responses)
		return nil
	})
	return total
}

// TestCrashChild is the process TestCrash kills: it records answers of
// many members through quiz.Service, on 32 goroutines, and prints a
// line for every answer Answer has returned nil for.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrash")
	}
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, db)
	ctx := context.Background()
	branches := []string{"b1", "b2", "b3"}
	codes := map[string]string{}
	for _, b := range branches {
		inv, err := f.Svc.CreateInvite(ctx, f.Admin, b, quiz.RoleMember, 0)
		if err != nil {
			t.Fatal(err)
		}
		codes[b] = inv.Code
	}
	var out sync.Mutex
	report := func(a *quiz.Attempt, i int) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(os.Stdout, "answered %d %d\n", a.ID, i)
	}
	answer := func(a *quiz.Attempt) error {
		for i := a.Current(); i < len(a.Items); i++ {
			choice, text := rightAnswer(&a.Items[i])
			if (a.User+int64(i))%3 == 0 {
				choice, text = wrongAnswer(&a.Items[i])
			}
			if _, err := f.Svc.Answer(ctx, a.User, a.ID, i, choice, text, ""); err != nil {
				return fmt.Errorf("answer %d of %d: %w", i, a.ID, err)
			}
			report(a, i)
		}
		return nil
	}
	// Changes that must be told — a correction, a make-up, a flag for the
	// admin — each reported once its Update returned; and a sender that
	// prints each event it "sends" before recording it, as the bot's does.
	changed := func(ref string) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(os.Stdout, "changed %s\n", ref)
	}
	tell := func(id int64, a *quiz.Attempt) error {
		switch id % 3 {
		case 0:
			ref := fmt.Sprintf("c%d", id)
			if _, err := f.Svc.Correct(ctx, f.Admin, id, quiz.PointsOf(1), "竞赛获奖", ref); err != nil {
				return err
			}
			changed(fmt.Sprintf("fix:%d:%s", id, ref))
		case 1:
			ref := fmt.Sprintf("g%d", id)
			_, _, err := f.Svc.GrantMakeup(ctx, f.Admin, id, quiz.Test, "2026-Q4", 3, "生病", ref)
			if quiz.ErrorReason(err) == quiz.ReasonNothingToGrant || quiz.ErrorReason(err) == quiz.ReasonMakeupOpen {
				return nil
			}
			if err != nil {
				return err
			}
			changed(fmt.Sprintf("makeup:%d:%s", id, ref))
		default:
			fl, err := f.Svc.Flag(ctx, id, a.ID, 0, "这道题有问题")
			if err != nil {
				return err
			}
			changed(fmt.Sprintf("flag:%d:%d", fl.Seq, adminID))
		}
		return nil
	}
	go func() { // the sender
		for {
			es, err := db.Pending(ctx, 0, 50)
			if err != nil {
				t.Error(err)
				return
			}
			for _, e := range es {
				out.Lock()
				fmt.Fprintf(os.Stdout, "sent %s\n", e.Ref)
				out.Unlock()
				if err := db.Done(ctx, e.Seq, ""); err != nil {
					t.Error(err)
					return
				}
			}
			if len(es) == 0 {
				select {
				case <-db.Emitted():
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
	}()
	if os.Getenv(crashEnv+"_DRAIN") != "" {
		// Only send what is left, then say so.
		for {
			if n, _ := db.PendingCount(ctx); n == 0 {
				fmt.Fprintln(os.Stdout, "drained")
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	const workers = 32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := int64(10000 + w); ; id += workers {
				var done bool
				err := db.View(ctx, func(tx quiz.Tx) error {
					m, _ := tx.Progress(id, "2026-12")
					q, _ := tx.Progress(id, "2026-Q4")
					done = m.StudyDone && q.Tested
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if done {
					continue
				}
				if _, _, err := f.Svc.Join(ctx, id, codes[branches[id%3]], "党员"); err != nil {
					t.Error(err)
					return
				}
				sess, err := f.Svc.StartStudy(ctx, id)
				if err == nil && !sess.Done {
					err = answer(sess.Attempt)
				}
				if err == nil && sess.Attempt != nil {
					err = tell(id, sess.Attempt)
				}
				if err != nil {
					t.Error(err)
					return
				}
				a, err := f.Svc.StartTest(ctx, id)
				if quiz.ErrorCode(err) == quiz.Conflict {
					continue // taken already
				}
				if err == nil {
					err = answer(a)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
