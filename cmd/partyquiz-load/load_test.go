package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the partyquiz binary: the
// load tests start it as the bot, with PARTYQUIZ_TEST_AS_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("PARTYQUIZ_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// smallLoad runs `partyquiz load` in-process at small scale, the bot being
// this test binary in a process of its own.
func smallLoad(t *testing.T, o loadOptions) (*loadResult, string) {
	t.Helper()
	var out syncBuffer
	o.Exe = []string{os.Args[0]}
	o.Env = []string{"PARTYQUIZ_TEST_AS_MAIN=1"}
	o.Out = &out
	o.Quiet = true
	o.Dir = t.TempDir()
	o.Patience = 3 * time.Second
	o.Timeout = 2 * time.Minute
	o.Seed = 6
	res, err := runLoadWith(context.Background(), o)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	return res, out.String()
}

// TestLoadWithKill: 20 members study and take the test through the real
// bot while it is killed once with SIGKILL and restarted; every answer is
// in the store once, and the totals agree.
func TestLoadWithKill(t *testing.T) {
	res, out := smallLoad(t, loadOptions{Members: 20, Mode: "polling", Kills: 1})
	if !res.Check.OK() || res.Kills != 1 || res.Finished != 20 || res.Answers != 20*30 {
		t.Errorf("kills %d, finished %d, answers %d, check %v\n%s", res.Kills, res.Finished, res.Answers, res.Check.Problems, out)
	}
	for _, want := range []string{"answers/s", "p99", "VmHWM", "exactly-once check: OK"} {
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
