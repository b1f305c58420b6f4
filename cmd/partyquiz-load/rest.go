package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"partyquiz/bot/telegramtest"
)

// runRest starts the bot on an existing store with nobody writing to it,
// waits until it takes updates and then for settle, and prints its
// resident memory: what the bot costs at rest with that store open. The
// bot opens the store as it does in production (read-write: it may record
// rounds as done), so give it a copy of a file you want to keep as it is.
func runRest(ctx context.Context, o loadOptions, path string, settle time.Duration) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "partyquiz-rest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := telegramtest.Start(telegramtest.Options{DisablePacing: true, BotUsername: "partyquiz_load_bot"})
	if err != nil {
		return err
	}
	defer srv.Close()
	r := &loadRun{o: o, dir: dir, srv: srv}
	c := botConfig{}
	c.Telegram.Token = srv.Token()
	c.Telegram.APIEndpoint = srv.APIEndpoint()
	c.Telegram.FileEndpoint = srv.FileEndpoint()
	c.Telegram.PollTimeout = 10
	c.Telegram.Mode = "polling"
	c.Store.Path = path
	c.Bot.Admins = []int64{loadAdmin}
	c.Bot.Timezone = loadZone
	c.Study.Questions, c.Test.Questions = studyQuestions, testQuestions
	c.Test.Window = "quarter"
	port, err := freePort()
	if err != nil {
		return err
	}
	c.Ops.Listen = "127.0.0.1:" + port
	r.opsURL = "http://127.0.0.1:" + port
	r.cfg = c
	if err := r.writeConfig(); err != nil {
		return err
	}
	if r.log, err = os.Create(filepath.Join(dir, "bot.log")); err != nil {
		return err
	}
	defer r.log.Close()
	fi, _ := os.Stat(path)
	t0 := time.Now()
	if err := r.startBot(ctx); err != nil {
		return err
	}
	defer r.stopBot()
	ready := time.Since(t0)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(settle):
	}
	r.mu.Lock()
	p := r.child
	r.mu.Unlock()
	st, err := procStatus(p.cmd.Process.Pid)
	if err != nil {
		return err
	}
	r.printf("partyquiz-load -rest: the bot on %s (%.1f GB), no traffic; ready in %s, then %s at rest\n",
		path, float64(fi.Size())/(1<<30), ready.Round(time.Millisecond), settle)
	abs, _ := filepath.Abs(path)
	r.printf("  resident memory: VmRSS %s (anonymous %s, file-backed %s: of it, the store file's pages %d kB), peak VmHWM %s\n",
		st["VmRSS"], st["RssAnon"], st["RssFile"], mappedKB(p.cmd.Process.Pid, abs), st["VmHWM"])
	m := r.scrapeMetrics()
	r.printf("  the bot's Go heap in use %.0f MB\n", m["go_memstats_heap_inuse_bytes"]/(1<<20))
	r.printf("  bot log:\n%s\n", indent(tail(filepath.Join(dir, "bot.log"), 8)))
	return nil
}

// procStatus reads the memory lines of /proc/<pid>/status.
func procStatus(pid int) (map[string]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && (strings.HasPrefix(k, "Vm") || strings.HasPrefix(k, "Rss")) {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out, nil
}

// mappedKB is the resident part of a process's mappings of one file
// (/proc/<pid>/smaps).
func mappedKB(pid int, path string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return -1
	}
	var kb int64
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) >= 6 && f[5] == path
		case in && len(f) >= 2 && f[0] == "Rss:":
			n, _ := strconv.ParseInt(f[1], 10, 64)
			kb += n
		}
	}
	return kb
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		io.WriteString(&b, "    | "+l+"\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
