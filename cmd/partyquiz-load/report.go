package main

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// --- the report ---------------------------------------------------------------

// setupMethods are calls made once at a start, not in answer to members.
var setupMethods = map[string]bool{"getMe": true, "getUpdates": true, "setWebhook": true, "deleteWebhook": true,
	"getWebhookInfo": true, "setMyCommands": true}

// answerCalls is the Bot API calls made in answer to the members (every
// method but getUpdates and the start's), by method, and their total.
func answerCalls(calls map[string]int) (map[string]int, int) {
	out, n := map[string]int{}, 0
	for k, v := range calls {
		if !setupMethods[k] {
			out[k] = v
			n += v
		}
	}
	return out, n
}

func (r *loadRun) report(res *loadResult) {
	secs := res.Elapsed.Seconds()
	rate := float64(res.Answers) / secs
	who := "bot"
	if res.Floor {
		who = "floor"
	}
	r.printf("  answers accepted: %d in %.1fs = %.0f answers/s; actions (texts and presses): %d = %.0f actions/s (%d of %d members finished)\n",
		res.Answers, secs, rate, res.Actions, float64(res.Actions)/secs, res.Finished, r.o.Members)
	l := res.Latency
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	r.printf("  update-to-reply latency: p50 %s, p90 %s, p99 %s, max %s (%d samples)\n",
		ms(quantile(l, 0.5)), ms(quantile(l, 0.9)), ms(quantile(l, 0.99)), ms(quantile(l, 1)), len(l))
	if w := res.Waits; len(w) > 0 {
		r.printf("  updates waiting at Telegram for the %s to take them: p50 %s, p99 %s (%d updates)\n", who, ms(quantile(w, 0.5)), ms(quantile(w, 0.99)), len(w))
	}
	r.printf("  %s peak memory (VmHWM): %.0f MB\n", who, float64(res.PeakKB)/1024)
	if res.Answers > 0 {
		r.printf("  CPU during the run: %s %.1fs (%.0fµs an answer), load process with the fake server %.1fs (%.0fµs an answer); %.2f of %d cores busy\n",
			who, res.BotCPU.Seconds(), float64(res.BotCPU.Microseconds())/float64(res.Answers),
			res.LoadCPU.Seconds(), float64(res.LoadCPU.Microseconds())/float64(res.Answers),
			(res.BotCPU+res.LoadCPU).Seconds()/res.Elapsed.Seconds(), runtime.NumCPU())
	}
	if by, n := answerCalls(res.Calls); n > 0 && res.Answers > 0 {
		var parts []string
		for _, k := range sortedKeys(by) {
			parts = append(parts, fmt.Sprintf("%s %d", k, by[k]))
		}
		replies := ""
		if res.Replies > 0 {
			replies = fmt.Sprintf("; %d of them carried in webhook responses", res.Replies)
		}
		r.printf("  Bot API calls in answer: %d = %.2f an answer, %.2f an action (%s)%s; %d getUpdates\n",
			n, float64(n)/float64(res.Answers), float64(n)/float64(max(res.Actions, 1)), strings.Join(parts, ", "), replies, res.Calls["getUpdates"])
	}
	if r.o.SlowChat > 0 {
		var ds []string
		for _, d := range res.SlowUploads {
			ds = append(ds, d.Round(100*time.Millisecond).String())
		}
		r.printf("  slow chat: an admin's %d uploads, each downloaded in %s, answered after %s\n", len(res.SlowUploads), r.o.SlowChat, strings.Join(ds, ", "))
	}
	if r.o.Kills > 0 || r.o.Outage > 0 || r.o.DiskFull {
		var faults []string
		if r.o.Kills > 0 {
			faults = append(faults, fmt.Sprintf("%d of %d kills", res.Kills, r.o.Kills))
		}
		if r.o.Outage > 0 {
			faults = append(faults, fmt.Sprintf("a %s Bot API outage", r.o.Outage))
		}
		if r.o.DiskFull {
			faults = append(faults, fmt.Sprintf("a full disk for %s (%s)", r.o.FullFor, res.DiskHow))
		}
		r.printf("  faults: %s; members sent /study or /test again %d times and saw %d storage-full notices\n",
			strings.Join(faults, ", "), res.Resends, res.Full)
	}
	if res.Floor {
		if r.o.Durable {
			r.printf("  exactly-once check: none (the durable floor keeps the updates, not what they mean)\n")
		} else {
			r.printf("  exactly-once check: none (the floor stores nothing)\n")
		}
		return
	}
	var calls, tooMany float64
	for k, v := range res.Metrics {
		if strings.HasPrefix(k, "partyquiz_telegram_calls_total") {
			calls += v
		}
		if k == "partyquiz_telegram_429_total" {
			tooMany = v
		}
	}
	r.printf("  last bot process: %.0f updates handled, %.0f Bot API calls, %.0f 429s, send queue %.0f at the end\n",
		res.Metrics["partyquiz_updates_handled_total"], calls, tooMany, res.Metrics["partyquiz_send_queue"])
	if h := handleQuantiles(res.Metrics); h != "" {
		r.printf("  bot handling time per update (its histogram): %s\n", h)
	}
	if s := stageQuantiles(res.Metrics); s != "" {
		r.printf("  bot stages, p50 / p99 (its histograms): %s\n", s)
	}
	c := res.Check
	if c.OK() {
		r.printf("  exactly-once check: OK: %d members, %d studies and %d tests complete, %d responses = %d answers accepted; partyquiz check:\n",
			c.Members, c.Studies, c.Tests, c.Responses, res.Answers)
	} else {
		r.printf("  exactly-once check: FAILED (%d problems):\n", len(c.Problems))
		for _, p := range c.Problems {
			r.printf("    %s\n", p)
		}
	}
	for _, line := range strings.Split(c.Product, "\n") {
		r.printf("    | %s\n", line)
	}
}

// handleQuantiles reads p50 and p99 of the bot's handling time off its
// histogram (as "≤ bucket bound").
func handleQuantiles(metrics map[string]float64) string {
	at, total := histogram(metrics, `partyquiz_handle_seconds_bucket{le="`)
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("p50 %s, p99 %s (%.0f updates)", at(0.5), at(0.99), total)
}

// stageNames are the bot's stages (partyquiz_stage_seconds), in the order
// an update meets them, with the words the report uses.
var stageNames = [][2]string{{"poll_hold", "poll held"}, {"queued", "queued for its chat"},
	{"commit", "a store commit"}, {"send_queue", "a reply queued"}, {"call", "a Bot API call"}}

// stageQuantiles reads p50 and p99 of each of the bot's stages off its
// histograms, those it saw at least once.
func stageQuantiles(metrics map[string]float64) string {
	var parts []string
	for _, s := range stageNames {
		at, total := histogram(metrics, `partyquiz_stage_seconds_bucket{stage="`+s[0]+`",le="`)
		if total > 0 {
			parts = append(parts, fmt.Sprintf("%s %s / %s", s[1], at(0.5), at(0.99)))
		}
	}
	return strings.Join(parts, "; ")
}

// histogram reads a Prometheus histogram's buckets (the series starting
// with prefix, then the bound) and returns its quantiles as "≤ bound" and
// its count.
func histogram(metrics map[string]float64, prefix string) (at func(q float64) string, total float64) {
	type bucket struct {
		le    float64
		count float64
	}
	var bs []bucket
	for k, v := range metrics {
		le, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		le = strings.TrimSuffix(le, `"}`)
		f, err := strconv.ParseFloat(le, 64)
		if le == "+Inf" {
			f, err = 1e9, nil
		}
		if err == nil {
			bs = append(bs, bucket{f, v})
		}
	}
	if len(bs) == 0 {
		return nil, 0
	}
	slices.SortFunc(bs, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
	total = bs[len(bs)-1].count
	return func(q float64) string {
		for _, b := range bs {
			if b.count >= q*total {
				if b.le >= 1e9 {
					return "> 5s"
				}
				return fmt.Sprintf("≤ %gms", b.le*1000)
			}
		}
		return "?"
	}, total
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
