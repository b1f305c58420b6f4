package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"partyquiz/bot/telegramtest"
)

// --- faults --------------------------------------------------------------------

// at waits until the members have had a fraction of the expected answers
// accepted; false if the run ended first.
func (r *loadRun) at(ctx context.Context, expected int64, frac float64) bool {
	for r.accepted.Load() < int64(frac*float64(expected)) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

func (r *loadRun) rand() float64 {
	r.rngMu.Lock()
	defer r.rngMu.Unlock()
	return r.rng.Float64()
}

// killer kills the bot at n random moments of the run (by answers
// accepted, between 5% and 95%) and restarts it each time.
func (r *loadRun) killer(ctx context.Context, expected int64, errs chan<- error) int {
	marks := make([]float64, r.o.Kills)
	for i := range marks {
		marks[i] = 0.05 + 0.9*r.rand()
	}
	slices.Sort(marks)
	kills := 0
	for _, f := range marks {
		if !r.at(ctx, expected, f) {
			break
		}
		if err := r.kill(ctx); err != nil {
			if ctx.Err() == nil {
				errs <- fmt.Errorf("restart after kill %d: %w", kills+1, err)
			}
			return kills
		}
		kills++
		r.printf("  kill %d: SIGKILL at %.0f%% of the answers, restarted\n", kills, 100*float64(r.accepted.Load())/float64(expected))
	}
	return kills
}

// outage makes the Bot API fail from 20% of the answers on, for
// o.Outage: 429 storms (retry_after 2) and 502 outages by turns of 5s.
func (r *loadRun) outage(ctx context.Context, expected int64) {
	if !r.at(ctx, expected, 0.2) {
		return
	}
	r.printf("  outage: from %.0f%% of the answers, %s of 429 and 502 by turns of 5s\n", 100*float64(r.accepted.Load())/float64(expected), r.o.Outage)
	end := time.Now().Add(r.o.Outage)
	for turn := 0; time.Now().Before(end); turn++ {
		d := min(5*time.Second, time.Until(end))
		if turn%2 == 0 {
			r.srv.Throttle(d, 2)
		} else {
			r.srv.Outage(d, telegramtest.OutageBadGateway)
		}
		select {
		case <-ctx.Done():
			r.srv.ClearFaults()
			return
		case <-time.After(d):
		}
	}
	r.srv.ClearFaults()
	r.srv.EndOutage()
	r.printf("  outage over; %d 429s answered\n", r.srv.TooManyRequests())
}

// profile takes a CPU profile of the bot from 10% of the answers on.
func (r *loadRun) profile(ctx context.Context, expected int64) {
	if !r.at(ctx, expected, 0.1) {
		return
	}
	secs := max(1, int(r.o.ProfileFor.Seconds()))
	c := &http.Client{Timeout: time.Duration(secs+30) * time.Second}
	resp, err := c.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", r.opsURL, secs))
	if err != nil {
		r.printf("  cpu profile: %v\n", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(r.o.Profile)
	if err != nil {
		r.printf("  cpu profile: %v\n", err)
		return
	}
	defer f.Close()
	io.Copy(f, resp.Body)
	r.printf("  cpu profile of the bot (%ds) in %s\n", secs, r.o.Profile)
}

// --- the disk ----------------------------------------------------------------

// mountSmallDisk gives dir a filesystem of its own that can be filled:
// tmpfs (root only), or else nothing, and the store's max_size stands in.
func mountSmallDisk(dir, method string) (string, func(), error) {
	if method == "auto" || method == "tmpfs" {
		err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1g,mode=0750")
		if err == nil {
			return "tmpfs", func() { syscall.Unmount(dir, 0) }, nil
		}
		if method == "tmpfs" {
			return "", nil, fmt.Errorf("mount a tmpfs for -diskfull (needs root): %w", err)
		}
	}
	if method != "auto" && method != "maxsize" {
		return "", nil, fmt.Errorf("-disk %q: use tmpfs, maxsize or auto", method)
	}
	return "maxsize", func() {}, nil
}

// fillDisk fills the store's disk at 30% of the answers, keeps it full for
// o.FullFor and frees it. With the max_size stand-in, the bot runs into
// its cap by itself; once a member has seen the notice and o.FullFor has
// passed, the bot is restarted without the cap (the operator made room).
func (r *loadRun) fillDisk(ctx context.Context, expected int64, how string, errs chan<- error) {
	if how == "maxsize" {
		r.printf("  disk full: store.max_size = %s stands in for a small disk (no tmpfs)\n", r.cfg.Store.MaxSize)
		for r.full.Load() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		r.printf("  disk full at %.0f%% of the answers\n", 100*float64(r.accepted.Load())/float64(expected))
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.o.FullFor):
		}
		r.cfg.Store.MaxSize = ""
		if err := r.writeConfig(); err != nil {
			errs <- err
			return
		}
		r.stopBot()
		if err := r.startBot(ctx); err != nil && ctx.Err() == nil {
			errs <- err
			return
		}
		r.printf("  space back: the bot restarted without the cap\n")
		return
	}
	if !r.at(ctx, expected, 0.3) {
		return
	}
	filler := filepath.Join(filepath.Dir(r.cfg.Store.Path), "filler")
	f, err := os.Create(filler)
	if err != nil {
		errs <- err
		return
	}
	n := int64(0)
	for _, size := range []int{1 << 20, 64 << 10, 4 << 10, 512} {
		buf := make([]byte, size)
		for {
			k, err := f.Write(buf)
			n += int64(k)
			if err != nil {
				break
			}
		}
	}
	f.Close()
	r.printf("  disk full at %.0f%% of the answers (a %d MB filler on a 1 GB tmpfs)\n", 100*float64(r.accepted.Load())/float64(expected), n>>20)
	select {
	case <-ctx.Done():
	case <-time.After(r.o.FullFor):
	}
	os.Remove(filler)
	r.printf("  space back after %s; %d storage-full notices so far\n", r.o.FullFor, r.full.Load())
}

// slowBank is what the slow chat's admin uploads (never published).
const slowBank = `id = "load-slow"
title = "慢速上传"
source = "负载测试"

[[question]]
id = "1"
type = "判断"
text = "党小组会属于“三会”。"
answer = "对"
explanation = "党小组会是三会之一。"
`

// slowChat is a slow chat the whole run: an admin uploads a bank, its
// download (getFile) takes o.SlowChat, and once the bot has answered
// (the summary with 发布 / 取消) uploads it again, until the run ends. It
// returns each upload's time to its answer: the members' latency beside
// it is what the slow chat must not move.
func (r *loadRun) slowChat(ctx context.Context) []time.Duration {
	r.srv.SetLatency("getFile", r.o.SlowChat)
	defer r.srv.SetLatency("getFile", 0)
	admin := r.srv.NewUser(loadAdmin, "组织部")
	var took []time.Duration
	for ctx.Err() == nil {
		seq := admin.Seq()
		t0 := time.Now()
		admin.SendDocument("load-slow.toml", "text/plain", []byte(slowBank))
		if _, err := admin.WaitAfter(ctx, seq, func(m telegramtest.Message) bool { return len(m.Buttons) > 0 }); err != nil {
			break // the run ended first
		}
		took = append(took, time.Since(t0))
	}
	return took
}
