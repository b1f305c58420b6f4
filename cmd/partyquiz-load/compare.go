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
// side and the ratio of the bot's throughput to the floor's. With against
// (another partyquiz binary: a lever's "before"), each round runs it too,
// after the bot, and its ratio is printed beside.
func runCompare(ctx context.Context, o loadOptions, rounds int, against string) error {
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	out := o.Out
	type kind struct {
		name    string
		floor   bool
		durable bool
		bin     string
		runs    []*loadResult
	}
	kinds := []*kind{{name: "floor", floor: true}}
	if o.Durable {
		kinds = append(kinds, &kind{name: "durable", floor: true, durable: true})
	}
	kinds = append(kinds, &kind{name: "bot", bin: o.Bin})
	if against != "" {
		kinds = append(kinds, &kind{name: "before", bin: against})
	}
	for i := 0; i < rounds; i++ {
		for _, k := range kinds {
			ro := o
			ro.Floor, ro.Durable, ro.Bin = k.floor, k.durable, k.bin
			ro.Seed = o.Seed + uint64(i)
			ro.Quiet = true
			ro.Label = fmt.Sprintf("%s %d", k.name, i+1)
			if k.floor {
				ro.Profile = ""
			}
			res, err := runLoadWith(ctx, ro)
			if err != nil {
				return fmt.Errorf("%s: %w", ro.Label, err)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			k.runs = append(k.runs, res)
		}
	}

	fmt.Fprintf(out, "\ncompare: %d members, %s, think %s, %d rounds of each in turns (seeds %d…%d)\n",
		o.Members, o.Mode, o.Think, rounds, o.Seed, o.Seed+uint64(rounds-1))
	if against != "" {
		fmt.Fprintf(out, "  bot: %s; before: %s\n", o.Bin, against)
	}
	fmt.Fprintf(out, "  %-9s %10s %10s %9s %9s %13s %12s %9s %s\n", "run", "actions/s", "answers/s", "p50", "p99", "calls/answer", "CPU/answer", "peak RSS", "check")
	line := func(name string, r *loadResult) {
		secs := r.Elapsed.Seconds()
		_, calls := answerCalls(r.Calls)
		calls -= r.Replies // made by the bot; those in webhook responses cost it no round trip
		check := "—"
		if !r.Floor {
			check = "OK"
			if !r.Check.OK() {
				check = "FAILED"
			}
		}
		fmt.Fprintf(out, "  %-9s %10.0f %10.0f %9s %9s %13.2f %10.0fµs %6.0f MB %s\n", name,
			float64(r.Actions)/secs, float64(r.Answers)/secs, msText(quantile(r.Latency, 0.5)), msText(quantile(r.Latency, 0.99)),
			float64(calls)/float64(max(r.Answers, 1)), float64(r.BotCPU.Microseconds())/float64(max(r.Answers, 1)),
			float64(r.PeakKB)/1024, check)
	}
	for i := 0; i < rounds; i++ {
		for _, k := range kinds {
			line(fmt.Sprintf("%s %d", k.name, i+1), k.runs[i])
		}
	}
	floors := kinds[0].runs
	fr, fp99 := median(floors, actionRate), median(floors, p99)
	failed := false
	for _, k := range kinds[1:] {
		var parts []string
		for i, r := range k.runs {
			parts = append(parts, fmt.Sprintf("%.2f", actionRate(r)/actionRate(floors[i])))
			failed = failed || !r.Check.OK()
		}
		br, bp99 := median(k.runs, actionRate), median(k.runs, p99)
		fmt.Fprintf(out, "  ratio %s ÷ floor (actions/s), by round: %s; of the medians: %.2f (%s %.0f, floor %.0f actions/s); CPU an answer %.0fµs\n",
			k.name, strings.Join(parts, ", "), br/fr, k.name, br, fr, median(k.runs, cpuPerAnswer))
		fmt.Fprintf(out, "  p99 of the medians: %s %s, floor %s\n", k.name, msText(time.Duration(bp99)), msText(time.Duration(fp99)))
	}
	var bots []*loadResult
	durableP99 := -1.0
	for _, k := range kinds {
		switch k.name {
		case "bot":
			bots = k.runs
		case "durable":
			durableP99 = median(k.runs, p99)
		}
	}
	br, bp99 := median(bots, actionRate), median(bots, p99)
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	fmt.Fprintf(out, "  goal ≥ 0.6 of the floor with every answer durable: %s; p99 no worse than the floor's: %s",
		verdict(br/fr >= 0.6 && !failed), verdict(bp99 <= fp99))
	if durableP99 >= 0 {
		fmt.Fprintf(out, "; than the durable floor's: %s (the durable floor's p99 no worse than the floor's: %s)", verdict(bp99 <= durableP99), verdict(durableP99 <= fp99))
	}
	fmt.Fprintln(out)
	if failed {
		return fmt.Errorf("the exactly-once check failed in a bot run")
	}
	return nil
}

func cpuPerAnswer(r *loadResult) float64 {
	return float64(r.BotCPU.Microseconds()) / float64(max(r.Answers, 1))
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
