// Command partyquiz-load is partyquiz's load and fault harness. It runs
// the real partyquiz binary against the fake Bot API server
// (bot/telegramtest, pacing off) over loopback, with N simulated members
// who each study this month and take this quarter's test at once, and
// prints answers and actions per second, update-to-reply latency, Bot API
// calls, CPU and peak memory per answer, and an exactly-once check of the
// store (`partyquiz check`, plus what this run's members saw accepted).
//
//	go run ./cmd/partyquiz-load -members 1000           the bot under load
//	go run ./cmd/partyquiz-load -members 200 -compare   the bot against the protocol floor
//	go run ./cmd/partyquiz-load -kill 10 | -outage 30s | -diskfull
//
// The protocol floor (-floor, floor.go) is a minimal bot on the same
// client library that serves the same members the same way — concurrent
// across chats, in order within one — with no storage and no logic: what a
// bot cannot do faster on this protocol. -compare runs floor and bot in
// turns and prints both and their ratio. See BENCHMARKS.md and
// RELIABILITY.md for the figures and the commands that made them.
//
// It is not part of the product: it mounts filesystems, sends SIGKILL and
// builds the bot with the go command (or takes it with -bin).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// floorCommand runs this program as the floor bot (the harness starts it
// in a process of its own, as it does the real bot).
const floorCommand = "floor-bot"

// run dispatches and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && args[0] == floorCommand {
		return runFloorBot(ctx, args[1:], stderr)
	}
	return runLoad(ctx, args, stdout, stderr)
}
