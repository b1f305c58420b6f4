package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// runCompare runs the floor and the bot in turns, rounds of each (floor,
// bot, floor, bot, …: a slow spell of the shared machine falls on both),
// each pair with the same seed, and prints every run, then both side by
// side and the ratio of the bot's throughput to the floor's.
func runCompare(ctx context.Context, o loadOptions, rounds int) error {
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	out := o.Out
	var floors, bots []*loadResult
	for i := 0; i < rounds; i++ {
		for _, isFloor := range []bool{true, false} {
			ro := o
			ro.Floor = isFloor
			ro.Seed = o.Seed + uint64(i)
			ro.Quiet = true
			ro.Label = fmt.Sprintf("bot %d", i+1)
			if isFloor {
				ro.Label = fmt.Sprintf("floor %d", i+1)
				ro.Profile = ""
			}
			res, err := runLoadWith(ctx, ro)
			if err != nil {
				return fmt.Errorf("%s: %w", ro.Label, err)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if isFloor {
				floors = append(floors, res)
			} else {
				bots = append(bots, res)
			}
		}
	}

	fmt.Fprintf(out, "\ncompare: %d members, %s, think %s, %d rounds of each in turns (seeds %d…%d)\n",
		o.Members, o.Mode, o.Think, rounds, o.Seed, o.Seed+uint64(rounds-1))
	fmt.Fprintf(out, "  %-8s %10s %10s %9s %9s %13s %12s %9s %s\n", "run", "actions/s", "answers/s", "p50", "p99", "calls/answer", "CPU/answer", "peak RSS", "check")
	line := func(name string, r *loadResult) {
		secs := r.Elapsed.Seconds()
		_, calls := answerCalls(r.Calls)
		check := "—"
		if !r.Floor {
			check = "OK"
			if !r.Check.OK() {
				check = "FAILED"
			}
		}
		fmt.Fprintf(out, "  %-8s %10.0f %10.0f %9s %9s %13.2f %10.0fµs %6.0f MB %s\n", name,
			float64(r.Actions)/secs, float64(r.Answers)/secs, msText(quantile(r.Latency, 0.5)), msText(quantile(r.Latency, 0.99)),
			float64(calls)/float64(max(r.Answers, 1)), float64(r.BotCPU.Microseconds())/float64(max(r.Answers, 1)),
			float64(r.PeakKB)/1024, check)
	}
	var ratios []float64
	for i := range floors {
		line(fmt.Sprintf("floor %d", i+1), floors[i])
		line(fmt.Sprintf("bot %d", i+1), bots[i])
		ratios = append(ratios, actionRate(bots[i])/actionRate(floors[i]))
	}
	var parts []string
	for _, r := range ratios {
		parts = append(parts, fmt.Sprintf("%.2f", r))
	}
	fr, br := median(floors, actionRate), median(bots, actionRate)
	fp99, bp99 := median(floors, p99), median(bots, p99)
	fmt.Fprintf(out, "  ratio bot ÷ floor (actions/s), by round: %s; of the medians: %.2f (bot %.0f, floor %.0f actions/s)\n",
		strings.Join(parts, ", "), br/fr, br, fr)
	fmt.Fprintf(out, "  p99 of the medians: bot %s, floor %s\n", msText(time.Duration(bp99)), msText(time.Duration(fp99)))
	failed := false
	for _, b := range bots {
		failed = failed || !b.Check.OK()
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	fmt.Fprintf(out, "  goal ≥ 0.6 of the floor with every answer durable: %s; p99 no worse than the floor's: %s\n",
		verdict(br/fr >= 0.6 && !failed), verdict(bp99 <= fp99))
	if failed {
		return fmt.Errorf("the exactly-once check failed in a bot run")
	}
	return nil
}

func actionRate(r *loadResult) float64 { return float64(r.Actions) / r.Elapsed.Seconds() }

func p99(r *loadResult) float64 { return float64(quantile(r.Latency, 0.99)) }

// median of f over the runs.
func median(rs []*loadResult, f func(*loadResult) float64) float64 {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = f(r)
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

func msText(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
