package bot_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// crashEnv names the store file of TestCrashEventsChild; crashEnv+"_API",
// "_FILE" and "_TOKEN" the fake Bot API server, "_UPTO" how many steps of
// the scenario the child may take, "_DRAIN" that it is the last run.
const crashEnv = "PARTYQUIZ_CRASH_EVENTS"

// Who the crash run is about.
const (
	crashSecQ    = 2001     // secretary of qingshan
	crashSecT    = 2002     // secretary of taiping (niumaoping and laowaping)
	crashGroup   = -1007001 // the group bound to qingshan, where the contest is
	crashFirst   = 10001    // the first member
	crashMembers = 60       // 40 join in November, 20 in December
)

var crashBranches = []string{"niumaoping", "laowaping", "qingshan"}

func crashBranch(id int64) string { return crashBranches[id%3] }

func crashName(id int64) string {
	n := id - crashFirst
	return "党员" + stems[n/10%10] + stems[n%10]
}

// consoleLine starts the host's console, which a restart sends again for a
// contest in progress (not an event).
const consoleLine = "🎛 有奖知识问答 · 主持台"

// TestCrashEvents runs the bot in a child process against the fake Bot
// API server, on one bbolt file, through a scenario that makes the engine
// emit every kind of event — secretary invites used, flags with their
// notes, corrections, reminders asked for and automatic ones with the
// secretaries' reports, a month and a test window opening, make-ups, tests
// whose time ran out (in the window and across the quarter's end), the
// window closing with each member's result and the tables, the half
// year's ranking and the year's stars, a contest's leaderboard and each
// player's result — and kills it with SIGKILL at random moments
// (PARTYQUIZ_CRASH_ROUNDS times, 20; 5 with -short), restarting it each
// time. The child's clock is the scenario's: each step sets it (late
// November 2026 to 2 January 2027) and the step reached is kept beside the
// store, so a restart carries on.
//
// Afterwards it checks that every event the outbox handed to the bot's
// sender reached its chat, each message exactly once, but for the
// messages Telegram had taken and the killed run had not yet recorded
// (counted and reported); that no message reached a member's chat that is
// not an event; and that every change that must be told was: each
// correction, make-up, flag (to every admin), secretary invite used,
// expired test, reminder, round member and table has its event, sent, and
// each member's test result says what their record says.
func TestCrashEvents(t *testing.T) {
	t.Parallel() // long, mostly waiting: beside the other long ones
	runs := 20
	if testing.Short() {
		runs = 5
	}
	if s := os.Getenv("PARTYQUIZ_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PARTYQUIZ_CRASH_ROUNDS=%q", s)
		}
		runs = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PARTYQUIZ_CRASH_SEED"); s != "" { // again the kills of a run that failed, as near as timing allows
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PARTYQUIZ_CRASH_SEED=%q", s)
		}
		seed = n
	}
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	srv, err := telegramtest.Start(telegramtest.Options{DisablePacing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	chats := []int64{adminID, crashSecQ, crashSecT}
	srv.NewUser(adminID, "组织部")
	srv.NewUser(crashSecQ, "王书记")
	srv.NewUser(crashSecT, "李书记")
	for id := int64(crashFirst); id < crashFirst+crashMembers; id++ {
		srv.NewUser(id, crashName(id))
		chats = append(chats, id)
	}
	srv.NewGroup(crashGroup, "青山学习群")
	chats = append(chats, crashGroup)
	// Everyone has written to the bot once (so it may write to them), in
	// updates confirmed here: the bot itself never sees them, and every
	// message it sends to a member is an event.
	for _, id := range chats[:len(chats)-1] {
		srv.User(id).SendText("你好")
	}
	confirmUpdates(t, srv)

	path := filepath.Join(t.TempDir(), "crash.db")
	log := &crashLog{events: map[string]*crashEvent{}, seen: map[int64]map[int]bool{}}
	steps := len(crashSteps())
	for run := 0; run < runs; run++ {
		upto := ((run+1)*steps + runs - 1) / runs
		log.run(t, srv, path, chats, upto, rng)
		if t.Failed() {
			return
		}
	}
	log.run(t, srv, path, chats, -1, rng) // the last run: to the end, then send what is left
	if t.Failed() {
		return
	}
	log.verify(t, path, srv)
}

// confirmUpdates takes and confirms every update waiting at the server.
func confirmUpdates(t *testing.T, srv *telegramtest.Server) {
	t.Helper()
	endpoint := fmt.Sprintf(srv.APIEndpoint(), srv.Token(), "getUpdates")
	offset := 0
	for {
		resp, err := http.PostForm(endpoint, url.Values{"offset": {strconv.Itoa(offset)}, "timeout": {"0"}})
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			OK     bool `json:"ok"`
			Result []struct {
				ID int `json:"update_id"`
			} `json:"result"`
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil || !r.OK {
			t.Fatalf("getUpdates: %v %+v", err, r)
		}
		if len(r.Result) == 0 {
			return
		}
		offset = r.Result[len(r.Result)-1].ID + 1
	}
}

// crashEvent is what the children said of one event: its chat and kind,
// and the text of each of its messages.
type crashEvent struct {
	chat   int64
	kind   quiz.EventKind
	parts  []string // plain text, as the server shows it
	fields string   // tested:score of a test result or a time-up
}

// crashRun is what one run did: the events' first part it was to send,
// the parts it recorded as sent, the messages that reached the server
// while it ran, and whether it was killed.
type crashRun struct {
	start    map[string]int // ref: the part its sending began with
	recorded map[string]int // ref: parts recorded as sent (len(parts) once done)
	got      map[crashKey]int
	killed   bool
	mid      bool // killed as it handed the sender an event
	from     int  // the step it began at
	step     int  // the step it reached
	sent     int
}

type crashKey struct {
	chat int64
	text string
}

// crashLog is what TestCrashEvents learned from its children.
type crashLog struct {
	events   map[string]*crashEvent
	runs     []*crashRun
	failed   []string // events recorded as failed, or that could not be worded
	reminded []string // "node unixnano" of each reminder a secretary asked for
	invites  []string // codes of the secretary invites made
	seen     map[int64]map[int]bool
	stray    []string // messages to a member's chat that are no event
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// plain is a message's HTML as the fake server shows it.
func plain(s string) string {
	return strings.TrimSpace(html.UnescapeString(tagRe.ReplaceAllString(s, "")))
}

func unb64(t *testing.T, s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("a line of the child: %v", err)
	}
	return string(b)
}

// run runs the child until it has taken upto steps and a random time has
// passed, and kills it; with upto < 0 it lets it take every step and send
// everything, and waits for it to stop.
func (l *crashLog) run(t *testing.T, srv *telegramtest.Server, path string, chats []int64, upto int, rng *rand.Rand) {
	t.Helper()
	last := upto < 0
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashEventsChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, crashEnv+"_API="+srv.APIEndpoint(),
		crashEnv+"_FILE="+srv.FileEndpoint(), crashEnv+"_TOKEN="+srv.Token(), crashEnv+"_UPTO="+strconv.Itoa(upto))
	if last {
		cmd.Env = append(cmd.Env, crashEnv+"_DRAIN=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &crashRun{start: map[string]int{}, recorded: map[string]int{}, got: map[crashKey]int{}, killed: !last}
	l.runs = append(l.runs, r)
	ready := make(chan struct{})
	done := make(chan error, 1)
	drained := false
	// Half the runs are killed a random time after they start, the others
	// after a random number of events handed to the sender: in the middle
	// of sending.
	killAt := 0
	if !last && rng.IntN(2) == 0 {
		killAt = 1 + rng.IntN(60)
	}
	nth := make(chan struct{})
	events := 0
	go func() {
		br := bufio.NewReader(out)
		var once sync.Once
		defer once.Do(func() { close(ready) })
		for {
			line, err := br.ReadString('\n')
			if err != nil { // a line cut short by the kill was never said whole
				if errors.Is(err, io.EOF) {
					err = nil
				}
				done <- err
				return
			}
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			switch f[0] {
			case "ready":
				r.from, _ = strconv.Atoi(f[1])
				r.step = r.from
				once.Do(func() { close(ready) })
			case "step":
				r.step, _ = strconv.Atoi(f[1])
			case "event": // event ref chat kind start fields part…
				chat, _ := strconv.ParseInt(f[2], 10, 64)
				start, _ := strconv.Atoi(f[4])
				parts := make([]string, len(f)-6)
				for i, p := range f[6:] {
					parts[i] = plain(unb64(t, p))
				}
				e := &crashEvent{chat: chat, kind: quiz.EventKind(f[3]), parts: parts, fields: f[5]}
				if old := l.events[f[1]]; old != nil && !slices.Equal(old.parts, parts) {
					t.Errorf("event %s worded two ways:\n%q\n%q", f[1], old.parts, parts)
				}
				l.events[f[1]] = e
				if s, ok := r.start[f[1]]; !ok || start < s {
					r.start[f[1]] = start
				}
				if events++; events == killAt {
					close(nth)
				}
			case "part":
				n, _ := strconv.Atoi(f[2])
				r.recorded[f[1]] = max(r.recorded[f[1]], n)
			case "done":
				if e := l.events[f[1]]; e != nil {
					r.recorded[f[1]] = len(e.parts)
				}
			case "failed", "unworded":
				l.failed = append(l.failed, f[1]+": "+unb64(t, f[2]))
			case "reminded":
				l.reminded = append(l.reminded, f[1]+" "+f[2])
			case "invite":
				l.invites = append(l.invites, f[1])
			case "drained":
				drained = true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Error("the child did not start")
	}
	if last {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(120 * time.Second):
			t.Error("the last run did not finish")
			cmd.Process.Kill()
			<-done
		}
		if err := cmd.Wait(); err != nil || !drained {
			t.Fatalf("the last run: %v, drained %v\n%s", err, drained, stderr.String())
		}
	} else {
		wait := time.Duration(rng.IntN(900)) * time.Millisecond
		if killAt > 0 {
			wait = 2 * time.Second
		}
		select {
		case <-time.After(wait):
		case <-nth:
			r.mid = true
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if s := stderr.String(); strings.Contains(s, "--- FAIL") || strings.Contains(s, "panic:") {
			t.Fatalf("the child failed:\n%s", s)
		}
	}
	// A request the child had sent in full may still be answered.
	time.Sleep(200 * time.Millisecond)
	for _, id := range chats {
		seen := l.seen[id]
		if seen == nil {
			seen = map[int]bool{}
			l.seen[id] = seen
		}
		for _, m := range srv.Chat(id).Messages() {
			if seen[m.ID] || m.Kind != "text" {
				continue
			}
			seen[m.ID] = true
			r.got[crashKey{id, m.Text}]++
			r.sent++
		}
	}
	how := "ended"
	switch {
	case r.mid:
		how = "killed as it handed over an event"
	case r.killed:
		how = "killed"
	}
	t.Logf("run %d: steps %d to %d, %s; %d messages", len(l.runs), r.from, r.step, how, r.sent)
}

// verify makes the checks of TestCrashEvents once the last run has
// stopped.
func (l *crashLog) verify(t *testing.T, path string, srv *telegramtest.Server) {
	// A reminder (or a secretary's report of reminders) still unsent when
	// the scenario's clock passed the end of its month or test window is
	// not sent, by rule (period_over): a run killed on 28 November can come
	// back on 1 December. Any other failure is an event not told.
	expired := map[string]bool{}
	for _, f := range l.failed {
		ref, failure, _ := strings.Cut(f, ": ")
		if strings.Contains(failure, "period_over") && (strings.HasPrefix(ref, "remind:") || strings.HasPrefix(ref, "round:remind-")) {
			expired[ref] = true
			continue
		}
		t.Errorf("an event was not told: %s", f)
	}
	if len(expired) > 0 {
		t.Logf("%d reminders not sent: their period ended first", len(expired))
	}
	// Each message of each event reached its chat once, or again for a
	// message Telegram took in a run killed before it was recorded.
	pairs := map[crashKey]int{} // the messages of events, by chat and text
	kinds := map[quiz.EventKind]int{}
	optional := map[crashKey]bool{} // an expired reminder's: sent at most once, before its run was killed
	for ref, e := range l.events {
		kinds[e.kind]++
		for _, p := range e.parts {
			if expired[ref] {
				optional[crashKey{e.chat, p}] = true
				continue
			}
			pairs[crashKey{e.chat, p}]++
		}
	}
	got := map[crashKey]int{}
	allowed := map[crashKey]int{}
	inflight := make([]int, len(l.runs))
	for i, r := range l.runs {
		recorded := map[crashKey]int{}
		for ref, n := range r.recorded {
			e := l.events[ref]
			for p := r.start[ref]; p < n && p < len(e.parts); p++ {
				recorded[crashKey{e.chat, e.parts[p]}]++
			}
		}
		perChat := map[int64]int{}
		for k, n := range r.got {
			got[k] += n
			if r.killed && pairs[k] > 0 && n > recorded[k] {
				allowed[k] += n - recorded[k]
				inflight[i] += n - recorded[k]
				perChat[k.chat] += n - recorded[k]
			}
		}
		// The sender records a message before it sends the next to the
		// same chat: a kill finds at most one per chat taken by Telegram
		// and not yet recorded.
		for chat, n := range perChat {
			if n > 1 {
				t.Errorf("run %d: %d messages to chat %d taken by Telegram and not recorded when it was killed", i+1, n, chat)
			}
		}
	}
	messages, dups, runsWithDups, maxDups := 0, 0, 0, 0
	for k, want := range pairs {
		n := got[k]
		messages += n
		switch {
		case n < want:
			t.Errorf("chat %d was sent %d of %d messages %q", k.chat, n, want, short(k.text))
		case n > want+allowed[k]:
			t.Errorf("chat %d was sent %q %d times, %d messages of events; %d may be sent again after a kill", k.chat, short(k.text), n, want, allowed[k])
		}
		dups += max(0, n-want)
	}
	for i := range l.runs {
		if inflight[i] > 0 {
			runsWithDups++
			maxDups = max(maxDups, inflight[i])
		}
	}
	for k, n := range got {
		if pairs[k] > 0 {
			continue
		}
		switch {
		case optional[k] && n <= 1:
		case k.chat == crashGroup: // the contest's own messages in the group
		case k.chat == adminID && strings.HasPrefix(k.text, consoleLine): // a console sent again by a restart
		default:
			t.Errorf("chat %d was sent %d times a message that is no event: %q", k.chat, n, short(k.text))
		}
	}

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if n, err := db.PendingCount(ctx); err != nil || n != 0 {
		t.Errorf("%d events still pending (%v)", n, err)
	}
	for ref := range l.events {
		st, err := db.EventState(ctx, ref)
		switch {
		case expired[ref] && err == nil && strings.Contains(st, "period_over"):
		case err != nil || st != "sent":
			t.Errorf("event %s is %q (%v)", ref, st, err)
		}
	}

	// Every change that must be told was.
	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		t.Fatal(err)
	}
	rules := quiz.DefaultRules()
	want := map[string]string{} // ref: why
	need := func(ref, why string) {
		if _, ok := want[ref]; !ok {
			want[ref] = why
		}
	}
	type member struct {
		u       *quiz.User
		prog    map[string]quiz.Progress
		attempt []*quiz.Attempt
	}
	var members []member
	err = db.View(ctx, func(tx quiz.Tx) error {
		err := tx.ForEachUser(func(u *quiz.User) error {
			if !u.IsMember() {
				return nil
			}
			m := member{u: u}
			var err error
			if m.prog, err = tx.UserProgress(u.ID); err != nil {
				return err
			}
			for _, k := range []quiz.Kind{quiz.Study, quiz.Test} {
				ids, err := tx.UserAttempts(u.ID, k)
				if err != nil {
					return err
				}
				for _, id := range ids {
					a, err := tx.Attempt(id)
					if err != nil {
						return err
					}
					m.attempt = append(m.attempt, a)
				}
			}
			entries, err := tx.Entries(u.ID)
			if err != nil {
				return err
			}
			for _, e := range entries {
				if e.Rule == quiz.RuleCorrection {
					need(fmt.Sprintf("fix:%d:%s", u.ID, strings.TrimPrefix(e.Ref, "fix:")), "a correction")
				}
			}
			grants, err := tx.Grants(u.ID)
			if err != nil {
				return err
			}
			for _, g := range grants {
				need(fmt.Sprintf("makeup:%d:%s", u.ID, g.Ref), "a make-up")
			}
			members = append(members, m)
			return nil
		})
		if err != nil {
			return err
		}
		flags, err := tx.Flags(0)
		if err != nil {
			return err
		}
		for _, f := range flags {
			need(fmt.Sprintf("flag:%d:%d", f.Seq, adminID), "a flag")
		}
		for _, code := range l.invites {
			inv, err := tx.Invite(code)
			if err != nil {
				return err
			}
			for _, id := range inv.UsedBy {
				need(fmt.Sprintf("invite-used:%s:%d", code, id), "a secretary invite used")
			}
		}
		ids, err := tx.ChatContests(crashGroup, 0)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.Contest(id)
			if err != nil {
				return err
			}
			if c.Phase != quiz.PhaseFinished {
				continue
			}
			need(fmt.Sprintf("contest:%d:board", id), "a contest's leaderboard")
			ps, err := tx.Players(id)
			if err != nil {
				return err
			}
			for _, p := range ps {
				need(fmt.Sprintf("contest:%d:%d", id, p.User), "a contest's player")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := quiz.NewService(db, shanghai, rules, nil, []int64{adminID}, &quiz.Content{Catalog: cat, Tree: tree})
	var rounds []quiz.Round
	for _, now := range []time.Time{at(2026, 11, 28, 10, 0), at(2026, 12, 1, 10, 0), at(2026, 12, 29, 10, 0), at(2027, 1, 1, 10, 0)} {
		rounds = append(rounds, svc.Rounds(now)...)
	}
	kinds2 := map[quiz.RoundKind]bool{}
	secretaries := map[int64]string{crashSecQ: "qingshan", crashSecT: "taiping"}
	for _, r := range rounds {
		kinds2[r.Kind] = true
		var done bool
		if err := db.View(ctx, func(tx quiz.Tx) (err error) { done, err = tx.RoundDone(r.Key); return err }); err != nil || !done {
			t.Errorf("round %s did not run (%v)", r.Key, err)
			continue
		}
		_, windowEnd := rules.TestWindowOf(shanghai, r.Period)
		reminded := map[string]bool{}
		for _, m := range members {
			if !m.u.Joined.Before(r.At) {
				continue
			}
			ref := fmt.Sprintf("round:%s:%d", r.Key, m.u.ID)
			p := m.prog[r.Period.Key()]
			switch r.Kind {
			case quiz.RoundRemindStudy, quiz.RoundRemindTest:
				if (r.Kind == quiz.RoundRemindStudy && p.StudyDone) || (r.Kind == quiz.RoundRemindTest && p.Tested) {
					continue // finished by now: perhaps before the round
				}
				need(ref, "a reminder of what is not finished")
			case quiz.RoundTestClose:
				if !m.u.Joined.Before(windowEnd) {
					continue
				}
				need(ref, "a test's result")
				if e := l.events[ref]; e != nil && e.fields != fmt.Sprintf("%v:%d", p.Tested, p.TestScore) {
					t.Errorf("%s: the member was told %s, their record says %v:%d", ref, e.fields, p.Tested, p.TestScore)
				}
			default:
				need(ref, "a round's member")
			}
			if l.events[ref] != nil {
				for _, n := range tree.Lineage(m.u.Branch) {
					reminded[n] = true
				}
			}
		}
		switch r.Kind {
		case quiz.RoundTestClose, quiz.RoundHalfEnd, quiz.RoundYearEnd:
			for sec, node := range secretaries {
				need(fmt.Sprintf("round:%s:table:%d:%s", r.Key, sec, node), "a secretary's table")
			}
			need(fmt.Sprintf("round:%s:admin:%d", r.Key, adminID), "the admin's table")
		case quiz.RoundRemindStudy, quiz.RoundRemindTest:
			for sec, node := range secretaries {
				if reminded[node] {
					need(fmt.Sprintf("round:%s:table:%d:%s", r.Key, sec, node), "a secretary's report of reminders")
				}
			}
		}
	}
	for _, k := range []quiz.RoundKind{quiz.RoundMonthOpen, quiz.RoundTestOpen, quiz.RoundTestClose, quiz.RoundHalfEnd,
		quiz.RoundYearEnd, quiz.RoundRemindStudy, quiz.RoundRemindTest} {
		if !kinds2[k] {
			t.Errorf("no round %s in the scenario", k)
		}
	}
	for _, m := range members {
		for _, a := range m.attempt {
			if a.Kind == quiz.Test && a.Closed && !a.Complete() {
				need(fmt.Sprintf("timeup:%d", a.ID), "a test whose time ran out")
				if e := l.events[fmt.Sprintf("timeup:%d", a.ID)]; e != nil && e.fields != fmt.Sprintf("%v:%d", a.Score >= rules.PassMark, a.Score) {
					t.Errorf("timeup:%d: the member was told %s, the attempt scored %d", a.ID, e.fields, a.Score)
				}
			}
		}
	}
	for _, s := range l.reminded {
		f := strings.Fields(s)
		ns, _ := strconv.ParseInt(f[1], 10, 64)
		when := time.Unix(0, ns).In(shanghai.Loc)
		month := shanghai.Month(when).Key()
		for _, m := range members {
			if m.u.Joined.Before(when) && slices.Contains(tree.Lineage(m.u.Branch), f[0]) && !m.prog[month].StudyDone {
				need(fmt.Sprintf("remind:%s:%d", when.Format("2006-01-02"), m.u.ID), "a reminder a secretary asked for")
			}
		}
	}
	for ref, why := range want {
		if l.events[ref] == nil && !expired[ref] {
			t.Errorf("%s: no event %s was sent", why, ref)
		}
	}
	all := []quiz.EventKind{quiz.EventTimeUp, quiz.EventMakeup, quiz.EventCorrection, quiz.EventFlag, quiz.EventInviteUsed,
		quiz.EventReminder, quiz.EventRemindReport, quiz.EventMonthOpen, quiz.EventTestOpen, quiz.EventTestResult,
		quiz.EventTestTable, quiz.EventHalfResult, quiz.EventHalfTable, quiz.EventYearResult, quiz.EventYearTable,
		quiz.EventContestBoard, quiz.EventContestResult}
	var counts []string
	for _, k := range all {
		if kinds[k] == 0 {
			t.Errorf("no event %s in the run", k)
		}
		counts = append(counts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	killed := 0
	for _, r := range l.runs {
		if r.killed {
			killed++
		}
	}
	t.Logf("%d kills; %d events (%s); %d changes checked; %d messages of events delivered, %d of them again after a kill (in flight: taken by Telegram, not yet recorded; in %d runs, at most %d at one kill)",
		killed, len(l.events), strings.Join(counts, ", "), len(want), messages, dups, runsWithDups, maxDups)
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// --- the child ---------------------------------------------------------------

// TestCrashEventsChild is the process TestCrashEvents kills: the bot, and
// a driver taking the scenario's steps through the engine as members,
// secretaries and the admin would.
func TestCrashEventsChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashEvents")
	}
	upto, _ := strconv.Atoi(os.Getenv(crashEnv + "_UPTO"))
	steps := crashSteps()
	if upto < 0 {
		upto = len(steps)
	}
	var outMu sync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	db, err := store.Open(path, store.Options{NoSync: true}) // a killed process loses nothing of what it wrote
	if err != nil {
		t.Fatal(err)
	}
	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		t.Fatal(err)
	}
	step := readStep(t, path)
	clk := &clock{t: steps[min(step, len(steps)-1)].at}
	svc := quiz.NewService(db, shanghai, quiz.DefaultRules(), clk.Now, []int64{adminID}, &quiz.Content{Catalog: cat, Tree: tree})
	ob := &tellingOutbox{db: db, say: say, refs: map[uint64]string{}}
	b, err := bot.New(bot.Options{
		Token: os.Getenv(crashEnv + "_TOKEN"), APIEndpoint: os.Getenv(crashEnv + "_API"), FileEndpoint: os.Getenv(crashEnv + "_FILE"),
		Service: svc, Dialogs: db, Outbox: ob, Inbox: db,
		Log:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Metrics: bot.NewMetrics(), PollTimeout: 1, SweepEvery: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ob.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- b.Run(ctx) }()
	select {
	case <-b.Ready():
	case err := <-ran:
		t.Fatalf("the bot stopped: %v", err)
	}
	say("ready %d", step)
	d := &crashDriver{t: t, ctx: ctx, svc: svc, db: db, bot: b, clock: clk, say: say, codes: map[string]string{}}
	for ; step < upto; step++ {
		clk.Set(steps[step].at)
		if err := steps[step].do(d); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		writeStep(t, path, step+1)
		say("step %d", step+1)
	}
	if os.Getenv(crashEnv+"_DRAIN") == "" {
		time.Sleep(3 * time.Minute) // until killed
		t.Fatal("not killed")
	}
	idle := 0
	for deadline := time.Now().Add(60 * time.Second); idle < 5; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the outbox was not sent")
		}
		if n, err := db.PendingCount(ctx); err == nil && n == 0 && b.Sender().Idle() {
			idle++
		} else {
			idle = 0
		}
	}
	say("drained")
	cancel()
	if err := <-ran; err != nil {
		t.Error(err)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
}

func readStep(t *testing.T, path string) int {
	b, err := os.ReadFile(path + ".step")
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writeStep keeps the step reached; a kill before it is written takes the
// step again (every step may be taken again).
func writeStep(t *testing.T, path string, n int) {
	if err := os.WriteFile(path+".step.new", []byte(strconv.Itoa(n)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".step.new", path+".step"); err != nil {
		t.Fatal(err)
	}
}

// tellingOutbox is the store's outbox that says on stdout what it hands
// to the bot's sender — each event with the messages it is worded as — and
// what the sender records. It changes nothing.
type tellingOutbox struct {
	db  *store.DB
	bot *bot.Bot
	say func(string, ...any)

	mu   sync.Mutex
	refs map[uint64]string
}

func (o *tellingOutbox) Pending(ctx context.Context, after uint64, n int) ([]quiz.Event, error) {
	es, err := o.db.Pending(ctx, after, n)
	for _, e := range es {
		o.mu.Lock()
		o.refs[e.Seq] = e.Ref
		o.mu.Unlock()
		parts, err := o.bot.RenderEvent(ctx, e)
		if err != nil {
			o.say("unworded %s %s", e.Ref, base64.StdEncoding.EncodeToString([]byte(err.Error())))
			continue
		}
		fields := "-"
		switch e.Kind {
		case quiz.EventTestResult:
			fields = fmt.Sprintf("%v:%d", e.Tested, e.Score)
		case quiz.EventTimeUp:
			fields = fmt.Sprintf("%v:%d", e.Passed, e.Score)
		}
		var line strings.Builder
		fmt.Fprintf(&line, "event %s %d %s %d %s", e.Ref, e.Chat, e.Kind, e.Parts, fields)
		for _, p := range parts {
			line.WriteString(" " + base64.StdEncoding.EncodeToString([]byte(p)))
		}
		o.say("%s", line.String())
	}
	return es, err
}

func (o *tellingOutbox) ref(seq uint64) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refs[seq]
}

func (o *tellingOutbox) PartSent(ctx context.Context, seq uint64, parts int) error {
	err := o.db.PartSent(ctx, seq, parts)
	if err == nil {
		o.say("part %s %d", o.ref(seq), parts)
	}
	return err
}

func (o *tellingOutbox) Done(ctx context.Context, seq uint64, failure string) error {
	err := o.db.Done(ctx, seq, failure)
	if err == nil && failure == "" {
		o.say("done %s", o.ref(seq))
	} else if err == nil {
		o.say("failed %s %s", o.ref(seq), base64.StdEncoding.EncodeToString([]byte(failure)))
	}
	return err
}

func (o *tellingOutbox) PendingCount(ctx context.Context) (int, error) { return o.db.PendingCount(ctx) }

func (o *tellingOutbox) Emitted() <-chan struct{} { return o.db.Emitted() }

// crashDriver takes the scenario's steps.
type crashDriver struct {
	t     *testing.T
	ctx   context.Context
	svc   *quiz.Service
	db    *store.DB
	bot   *bot.Bot
	clock *clock
	say   func(string, ...any)
	codes map[string]string // member invites by node, made in this run
}

type crashStep struct {
	at time.Time
	do func(d *crashDriver) error
}

// each calls fn for each member id in [from, to) that keep keeps (all
// when nil).
func (d *crashDriver) each(from, to int64, keep func(id int64) bool, fn func(id int64) error) error {
	for id := from; id < to; id++ {
		if keep == nil || keep(id) {
			if err := fn(id); err != nil {
				return fmt.Errorf("member %d: %w", id, err)
			}
		}
	}
	return nil
}

func (d *crashDriver) viewer(id int64) quiz.Viewer {
	v, err := d.svc.Viewer(d.ctx, id)
	if err != nil {
		d.t.Fatal(err)
	}
	return v
}

func (d *crashDriver) join(id int64) error {
	node := crashBranch(id)
	code := d.codes[node]
	if code == "" {
		inv, err := d.svc.CreateInvite(d.ctx, d.viewer(adminID), node, quiz.RoleMember, 0)
		if err != nil {
			return err
		}
		code, d.codes[node] = inv.Code, inv.Code
	}
	_, _, err := d.svc.Join(d.ctx, id, code, crashName(id))
	return err
}

// secretary makes id secretary of node through an invite of the admin's
// (who is told it was used), once.
func (d *crashDriver) secretary(id int64, name, node string) error {
	if v := d.viewer(id); v.User != nil && slices.Contains(v.User.Secretary, node) {
		return nil
	}
	inv, err := d.svc.CreateInvite(d.ctx, d.viewer(adminID), node, quiz.RoleSecretary, 0)
	if err != nil {
		return err
	}
	d.say("invite %s", inv.Code)
	_, _, err = d.svc.Join(d.ctx, id, inv.Code, name)
	return err
}

// answer answers a's items from where it is up to n, right but for every
// third.
func (d *crashDriver) answer(a *quiz.Attempt, n int) error {
	for i := a.Current(); i < min(n, len(a.Items)); i++ {
		choice, text := answerFor(&a.Items[i], (a.User+int64(i))%3 != 0)
		if _, err := d.svc.Answer(d.ctx, a.User, a.ID, i, choice, text, ""); err != nil {
			return err
		}
	}
	return nil
}

func (d *crashDriver) study(id int64, n int) error {
	sess, err := d.svc.StartStudy(d.ctx, id)
	if err != nil || sess.Done || sess.Attempt == nil || sess.Attempt.Closed {
		return err
	}
	return d.answer(sess.Attempt, n)
}

// test starts (or resumes) the member's test and answers n items; a test
// they may not take (taken, time ran out) is left.
func (d *crashDriver) test(id int64, n int) error {
	a, err := d.svc.StartTest(d.ctx, id)
	if c := quiz.ErrorCode(err); c == quiz.Conflict || c == quiz.Forbidden {
		return nil
	}
	if err != nil || a.Closed {
		return err
	}
	return d.answer(a, n)
}

func (d *crashDriver) correct(by, member int64, amount float64, reason, ref string) error {
	_, err := d.svc.Correct(d.ctx, d.viewer(by), member, quiz.PointsOf(amount), reason, ref)
	return err
}

// makeup grants a make-up; one that cannot be granted (nothing to make
// up, one open already) is left.
func (d *crashDriver) makeup(by, member int64, kind quiz.Kind, period, ref string) error {
	_, _, err := d.svc.GrantMakeup(d.ctx, d.viewer(by), member, kind, period, 3, "因病请假", ref)
	if r := quiz.ErrorReason(err); r == quiz.ReasonNothingToGrant || r == quiz.ReasonMakeupOpen {
		return nil
	}
	return err
}

// flag flags the first item of the member's attempt of a kind, with a
// note of their own.
func (d *crashDriver) flag(id int64, kind quiz.Kind, note string) error {
	var last uint64
	if err := d.db.View(d.ctx, func(tx quiz.Tx) error {
		ids, err := tx.UserAttempts(id, kind)
		if len(ids) > 0 {
			last = ids[len(ids)-1]
		}
		return err
	}); err != nil || last == 0 {
		return err
	}
	_, err := d.svc.Flag(d.ctx, id, last, 0, note)
	return err
}

func (d *crashDriver) rounds() error {
	d.bot.RunRounds(d.ctx)
	rs, err := d.svc.DueRounds(d.ctx)
	if err == nil && len(rs) > 0 {
		err = fmt.Errorf("rounds not done: %v", rs[0].Key)
	}
	return err
}

// contest binds the group to qingshan, has six of its members join a
// contest there and finishes it (a contest made by a run killed before
// finishing it is finished instead).
func (d *crashDriver) contest() error {
	admin := d.viewer(adminID)
	if _, err := d.svc.BindGroup(d.ctx, admin, crashGroup, "青山学习群", "qingshan"); err != nil {
		return err
	}
	var id uint64
	var past []uint64
	if err := d.db.View(d.ctx, func(tx quiz.Tx) (err error) {
		if id, err = tx.ChatContest(crashGroup); errors.Is(err, quiz.ErrNotFound) {
			err = nil
		}
		if err == nil {
			past, err = tx.ChatContests(crashGroup, 0)
		}
		return err
	}); err != nil {
		return err
	}
	if id == 0 && len(past) > 0 {
		return nil // finished by an earlier run
	}
	if id == 0 {
		c, err := d.svc.CreateContest(d.ctx, admin, quiz.ContestSetup{Chat: crashGroup, Source: quiz.FromBanks,
			Banks: []string{d.svc.Content().Catalog.Banks[0].ID}, Questions: 3, Seconds: quiz.MinContestSeconds, Teams: quiz.NoTeams})
		if err != nil {
			return err
		}
		id = c.ID
	}
	if err := d.each(crashFirst, crashFirst+18, func(id int64) bool { return crashBranch(id) == "qingshan" }, func(uid int64) error {
		_, _, err := d.svc.JoinContest(d.ctx, id, uid, crashName(uid), 0)
		return err
	}); err != nil {
		return err
	}
	_, err := d.svc.FinishContest(d.ctx, id)
	return err
}

// crashSteps is the scenario: from 25 November 2026, when 40 members
// join, to 2 January 2027, after the quarter's, the half year's and the
// year's rounds.
func crashSteps() []crashStep {
	const early = crashFirst + 40 // members from early join in December
	const end = crashFirst + crashMembers
	nov25 := at(2026, 11, 25, 10, 0)
	dec1 := at(2026, 12, 1, 10, 0)
	return []crashStep{
		{nov25, func(d *crashDriver) error { // secretaries and the first members
			if err := d.secretary(crashSecQ, "王书记", "qingshan"); err != nil {
				return err
			}
			if err := d.secretary(crashSecT, "李书记", "taiping"); err != nil {
				return err
			}
			return d.each(crashFirst, early, nil, d.join)
		}},
		{nov25, func(d *crashDriver) error { // November's study: a quarter none, a quarter half
			return d.each(crashFirst, early, func(id int64) bool { return id%4 != 0 }, func(id int64) error {
				n := 10
				if id%4 == 1 {
					n = 5
				}
				return d.study(id, n)
			})
		}},
		{nov25, func(d *crashDriver) error { // flags, corrections by a secretary and by the admin
			err := d.each(crashFirst, early, func(id int64) bool { return id%5 == 2 }, func(id int64) error {
				return d.flag(id, quiz.Study, "这道题的选项有歧义，"+crashName(id)+"认为应当修改")
			})
			if err == nil {
				err = d.each(crashFirst, early, func(id int64) bool { return crashBranch(id) == "qingshan" && id%2 == 0 }, func(id int64) error {
					return d.correct(crashSecQ, id, 1, "参加志愿服务", fmt.Sprintf("nov-%d", id))
				})
			}
			if err == nil {
				err = d.each(crashFirst, crashFirst+6, nil, func(id int64) error {
					return d.correct(adminID, id, -0.5, "重复计分更正", fmt.Sprintf("adm-%d", id))
				})
			}
			return err
		}},
		{at(2026, 11, 28, 10, 0), func(d *crashDriver) error { // November's reminders; a secretary asks for more
			if err := d.rounds(); err != nil {
				return err
			}
			if _, err := d.svc.Remind(d.ctx, d.viewer(crashSecT), "taiping"); err != nil {
				return err
			}
			d.say("reminded taiping %d", d.clock.Now().UnixNano())
			return nil
		}},
		{dec1, func(d *crashDriver) error { // December's study and the test window open; make-ups of November
			if err := d.rounds(); err != nil {
				return err
			}
			return d.each(crashFirst, early, func(id int64) bool { return crashBranch(id) == "qingshan" && id%4 <= 1 }, func(id int64) error {
				return d.makeup(crashSecQ, id, quiz.Study, "2026-11", "dec-"+strconv.FormatInt(id, 10))
			})
		}},
		{dec1, func(d *crashDriver) error { // tests: most finish, a fifth give up half-way
			return d.each(crashFirst, early, func(id int64) bool { return id%5 != 4 }, func(id int64) error {
				n := 20
				if id%5 == 0 {
					n = 5
				}
				return d.test(id, n)
			})
		}},
		{at(2026, 12, 1, 11, 0), func(d *crashDriver) error { // their time ran out; make-ups of the test
			if _, err := d.svc.CloseExpired(d.ctx, 500); err != nil {
				return err
			}
			return d.each(crashFirst, early, func(id int64) bool { return id%5 == 0 }, func(id int64) error {
				return d.makeup(adminID, id, quiz.Test, "2026-Q4", "q4-"+strconv.FormatInt(id, 10))
			})
		}},
		{at(2026, 12, 10, 10, 0), func(d *crashDriver) error { // more members; December's study; corrections; flags
			err := d.each(early, end, nil, d.join)
			if err == nil {
				err = d.each(crashFirst, end, func(id int64) bool { return id%3 != 0 }, func(id int64) error { return d.study(id, 10) })
			}
			if err == nil {
				err = d.each(crashFirst, end, func(id int64) bool { return crashBranch(id) != "qingshan" && id%4 == 0 }, func(id int64) error {
					return d.correct(crashSecT, id, 2, "党课讲稿获评优秀", fmt.Sprintf("dec-%d", id))
				})
			}
			if err == nil {
				err = d.each(crashFirst, end, func(id int64) bool { return id%7 == 0 }, func(id int64) error {
					return d.flag(id, quiz.Study, "答案与教材不一致（"+crashName(id)+"）")
				})
			}
			return err
		}},
		{at(2026, 12, 29, 10, 0), func(d *crashDriver) error { return d.rounds() }}, // December's and the test's reminders
		{at(2026, 12, 31, 23, 45), func(d *crashDriver) error { // tests begun before midnight, left open
			return d.each(early, end, func(id int64) bool { return id%5 == 4 }, func(id int64) error { return d.test(id, 3) })
		}},
		{at(2027, 1, 1, 10, 0), func(d *crashDriver) error { return d.rounds() }}, // January, the quarter's results, the half year, the year
		{at(2027, 1, 2, 10, 0), func(d *crashDriver) error { // a contest; a correction and a flag of the new year
			if err := d.contest(); err != nil {
				return err
			}
			if err := d.correct(adminID, crashFirst+1, 1, "年度先进党员", "jan-1"); err != nil {
				return err
			}
			return d.flag(crashFirst+2, quiz.Test, "第一题没有正确答案")
		}},
	}
}
