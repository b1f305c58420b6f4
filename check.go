package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	berrors "go.etcd.io/bbolt/errors"

	"partyquiz/quiz"
	"partyquiz/store"
)

const checkUsage = `usage: partyquiz check [-config bot.toml]

Checks the store (store.path in the configuration) of a stopped bot, read
only, after a restore or a crash: that every record agrees with the others
(attempts and their scores, progress, the point ledger, node totals,
question statistics, member counts, the outbox; see store.Check). It
changes nothing. To check a backup, point store.path at a copy of it.

Exit status: 0 when everything agrees, 1 when problems were found, 2 when
the store could not be checked (missing, held by a running bot, unreadable,
or a usage error).
`

// runCheck is `partyquiz check`.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("partyquiz check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "bot.toml", "configuration file")
	fs.Usage = func() { fmt.Fprint(stderr, checkUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	c, err := flagConfig(fs, *configPath)
	if err != nil {
		fmt.Fprintln(stderr, "partyquiz check:", err)
		return 2
	}
	start := time.Now()
	rep, err := checkStopped(context.Background(), c)
	if err != nil {
		fmt.Fprintln(stderr, "partyquiz check:", err)
		return 2
	}
	fmt.Fprintf(stdout, "partyquiz check: %s\n", c.Store.Path)
	fmt.Fprintf(stdout, "  read %d users, %d attempts with %d answers, %d ledger entries, %d progress records; compared %d node totals and %d question statistics; %d notices pending (%s)\n",
		rep.Users, rep.Attempts, rep.Answers, rep.Entries, rep.Progress, rep.NodeTotals, rep.ItemTotals, rep.Pending,
		time.Since(start).Round(time.Millisecond))
	for _, n := range rep.Notes {
		fmt.Fprintf(stdout, "  note: %s\n", n)
	}
	if rep.OK() {
		fmt.Fprintln(stdout, "  OK: every record agrees with the others")
		return 0
	}
	fmt.Fprintf(stdout, "  PROBLEMS: %d\n", len(rep.Problems)+rep.More)
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "    %s\n", p)
	}
	if rep.More > 0 {
		fmt.Fprintf(stdout, "    … and %d more\n", rep.More)
	}
	return 1
}

// checkStopped opens the store of a stopped bot read-only and checks it
// against the configured rules, calendar and tree (with what was
// published in chat laid over them, as the bot runs).
func checkStopped(ctx context.Context, c Config) (*store.CheckReport, error) {
	path := c.Store.Path
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no store at %s (store.path): %w", path, err)
	}
	content, err := loadContent(c)
	if err != nil {
		return nil, err
	}
	cal, err := quiz.NewCalendar(c.Bot.Timezone)
	if err != nil {
		return nil, err
	}
	rules, err := c.Rules()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(path, store.Options{Timeout: 2 * time.Second, ReadOnly: true})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is held by a running bot; stop it first, or check a backup copy", errStoreInUse, path)
	}
	if err != nil {
		return nil, err
	}
	defer db.Close()
	content, err = quiz.PublishedContent(ctx, db, content.Catalog, content.Tree)
	if err != nil {
		return nil, err
	}
	return store.Check(ctx, db, store.CheckSpec{Cal: cal, Rules: rules, Tree: content.Tree})
}
