package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// raceEnabled is set when the tests run with the race detector
// (race_test.go); the bot is then built with it too.
var raceEnabled bool

// TestMain lets the test binary stand in for partyquiz-load, so that runs
// can start the floor bot from it (PARTYQUIZ_LOAD_AS_MAIN=1).
func TestMain(m *testing.M) {
	if os.Getenv("PARTYQUIZ_LOAD_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the partyquiz binary the tests run, built once.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  string
}

// partyquizBin builds the product binary of this module (as the command
// does without -bin) once for all the tests.
func partyquizBin(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "partyquiz-load-test-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "partyquiz")
		args := []string{"build"}
		if raceEnabled {
			args = append(args, "-race")
		}
		var out bytes.Buffer
		cmd := exec.Command("go", append(args, "-o", built.path, "partyquiz")...)
		cmd.Stdout, cmd.Stderr = &out, &out
		built.err = cmd.Run()
		built.out = out.String()
	})
	if built.err != nil {
		t.Fatalf("build partyquiz: %v\n%s", built.err, built.out)
	}
	return built.path
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// small is a run at small scale: the real bot, and the floor from this
// test binary.
func small(t *testing.T, o loadOptions) (loadOptions, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	o.Bin = partyquizBin(t)
	o.Self = []string{os.Args[0]}
	o.Env = []string{"PARTYQUIZ_LOAD_AS_MAIN=1"}
	o.Out = out
	o.Quiet = true
	o.Dir = t.TempDir()
	o.Patience = 3 * time.Second
	o.Timeout = 2 * time.Minute
	o.Seed = 6
	return o, out
}

func smallLoad(t *testing.T, o loadOptions) (*loadResult, string) {
	t.Helper()
	o, out := small(t, o)
	res, err := runLoadWith(context.Background(), o)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	return res, out.String()
}

// TestLoadWithKill: 20 members study and take the test through the real
// bot while it is killed once with SIGKILL and restarted; every answer is
// in the store once, and partyquiz check finds every record agreeing.
func TestLoadWithKill(t *testing.T) {
	res, out := smallLoad(t, loadOptions{Members: 20, Mode: "polling", Kills: 1})
	if !res.Check.OK() || res.Kills != 1 || res.Finished != 20 || res.Answers != 20*30 {
		t.Errorf("kills %d, finished %d, answers %d, check %v\n%s", res.Kills, res.Finished, res.Answers, res.Check.Problems, out)
	}
	for _, want := range []string{"answers/s", "actions/s", "p99", "VmHWM", "Bot API calls in answer", "exactly-once check: OK", "OK: every record agrees"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the report:\n%s", want, out)
		}
	}
}

// TestLoadWebhook: the same by webhook, with a short Bot API outage.
func TestLoadWebhook(t *testing.T) {
	res, out := smallLoad(t, loadOptions{Members: 10, Mode: "webhook", Outage: 2 * time.Second})
	if !res.Check.OK() || res.Finished != 10 {
		t.Errorf("finished %d, check %v\n%s", res.Finished, res.Check.Problems, out)
	}
}

// TestLoadSlowChat: with an admin's uploads downloading slowly the whole
// run, the members still all finish, and each upload is answered only
// after its slow download (so the slow chat was really there).
func TestLoadSlowChat(t *testing.T) {
	res, out := smallLoad(t, loadOptions{Members: 10, Mode: "polling", Think: 150 * time.Millisecond, SlowChat: 2 * time.Second})
	if !res.Check.OK() || res.Finished != 10 {
		t.Errorf("finished %d, check %v\n%s", res.Finished, res.Check.Problems, out)
	}
	if len(res.SlowUploads) == 0 {
		t.Fatalf("no upload answered during the run\n%s", out)
	}
	for _, d := range res.SlowUploads {
		if d < 2*time.Second {
			t.Errorf("an upload answered after %s, before its 2s download could end", d)
		}
	}
	if !strings.Contains(out, "slow chat: an admin's") {
		t.Errorf("no slow chat in the report:\n%s", out)
	}
}

// TestFloor: the protocol floor serves the same members' script — join,
// name, study, test — to the end, with two calls at most per action and
// no store.
func TestFloor(t *testing.T) {
	o, out := small(t, loadOptions{Members: 10, Mode: "polling", Floor: true, Join: true})
	res, err := runLoadWith(context.Background(), o)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	_, calls := answerCalls(res.Calls)
	if res.Finished != 10 || res.Answers != 10*30 || calls == 0 || calls > 2*int(res.Actions) {
		t.Errorf("finished %d, answers %d, %d calls for %d actions\n%s", res.Finished, res.Answers, calls, res.Actions, out.String())
	}
	if _, err := os.Stat(filepath.Join(o.Dir, "data", "partyquiz.db")); err == nil {
		t.Error("the floor left a store")
	}
}

// TestDurableFloor: the durable floor serves the same script to the end,
// in both modes, and its log holds every update the members sent it but
// the toggles' presses, which change nothing a bot must keep.
func TestDurableFloor(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			o, out := small(t, loadOptions{Members: 10, Mode: mode, Floor: true, Durable: true, Join: true})
			res, err := runLoadWith(context.Background(), o)
			if err != nil {
				t.Fatalf("load: %v\n%s", err, out.String())
			}
			if res.Finished != 10 || res.Answers != 10*30 {
				t.Fatalf("finished %d, answers %d\n%s", res.Finished, res.Answers, out.String())
			}
			data, err := os.ReadFile(filepath.Join(o.Dir, "data", "floor.log"))
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(data)) != syncLogSize {
				t.Errorf("the log is %d bytes, want the %d written full of zeros at the start", len(data), syncLogSize)
			}
			data, _, _ = bytes.Cut(data, []byte{0})
			toggles := 0
			for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
				var u struct {
					CallbackQuery *struct {
						Data string `json:"data"`
					} `json:"callback_query"`
				}
				if err := json.Unmarshal(line, &u); err != nil {
					t.Fatalf("a line of the log is not an update: %v: %q", err, line)
				}
				if u.CallbackQuery != nil && strings.HasPrefix(u.CallbackQuery.Data, "m:") {
					toggles++
				}
			}
			lines := int64(bytes.Count(data, []byte("\n")))
			pressed := int64(res.Calls["editMessageReplyMarkup"]) // the floor answers each toggle with one
			switch {
			case pressed == 0:
				t.Errorf("the members pressed no toggle: the test proves nothing about them")
			case toggles != 0 || lines+pressed != res.Actions:
				// Each action is one update, each toggle answered once (an
				// update confirmed late comes again, and is answered again).
				t.Errorf("%d updates in the log (%d toggles); the members made %d actions, %d of them toggles", lines, toggles, res.Actions, pressed)
			}
			if !strings.Contains(out.String(), "the durable floor (every update but a toggle's in an fdatasync'ed log") {
				t.Errorf("the run does not say it is the durable floor:\n%s", out.String())
			}
		})
	}
}

// TestCompareWebhook: -compare runs the floor, the durable floor and the
// bot in turns by webhook, members joining in chat, and prints them and
// their ratios; the bot's store passes the check.
func TestCompareWebhook(t *testing.T) {
	o, out := small(t, loadOptions{Members: 8, Mode: "webhook", Join: true, Durable: true})
	o.Dir = ""
	if err := runCompare(context.Background(), o, 1, o.Bin); err != nil {
		t.Fatalf("compare: %v\n%s", err, out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "[floor 1] partyquiz-load:") && !strings.Contains(line, "the protocol floor (no storage)"),
			strings.HasPrefix(line, "[durable 1] partyquiz-load:") && !strings.Contains(line, "the durable floor (every update"):
			t.Errorf("a run is not of its kind: %s", line)
		}
	}
	for _, want := range []string{"[floor 1] partyquiz-load:", "[durable 1] partyquiz-load:", "ratio durable ÷ floor", "than the durable floor's: ", "[bot 1]", "[before 1]", "ratio bot ÷ floor", "ratio before ÷ floor", "exactly-once check: OK", "goal ≥ 0.6 of the floor"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the output:\n%s", want, out.String())
		}
	}
}
