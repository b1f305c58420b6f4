package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"partyquiz/quiz"
	"partyquiz/store"
)

// loadCheck is the exactly-once check after a run: the product's own
// `partyquiz check` of the store (every record agrees with the others),
// and this run's expectations — every member's study and test complete,
// each item answered once, as many responses as the members saw accepted.
type loadCheck struct {
	Product            string // what partyquiz check printed
	Members            int
	Studies, Tests     int
	Responses          int
	Problems           []string
	productOK, checked bool
}

// OK reports whether the check found nothing wrong.
func (c loadCheck) OK() bool { return len(c.Problems) == 0 }

func (c *loadCheck) fail(format string, args ...any) {
	if len(c.Problems) < 50 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// checkStore runs after the bot has stopped.
func (r *loadRun) checkStore(ctx context.Context, ids []int64, seen int64) loadCheck {
	var c loadCheck
	c.checked = true
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, r.o.Bin, "check", "-config", r.cfgPath)
	cmd.Env = append(cmd.Environ(), r.o.Env...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	c.Product = strings.TrimSpace(out.String())
	var exit *exec.ExitError
	switch {
	case err == nil:
		c.productOK = true
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		c.fail("partyquiz check found problems")
	default:
		c.fail("partyquiz check did not run: %v", err)
	}

	cal, err := quiz.NewCalendar(r.cfg.Bot.Timezone)
	if err != nil {
		c.fail("calendar: %v", err)
		return c
	}
	db, err := store.Open(r.cfg.Store.Path, store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		c.fail("open the store: %v", err)
		return c
	}
	defer db.Close()
	now := time.Now()
	month, quarter := cal.Month(now).Key(), cal.Quarter(now).Key()
	c.Members = len(ids)
	err = db.View(ctx, func(tx quiz.Tx) error {
		for _, id := range ids {
			studies, err := tx.Attempts(id, quiz.Study, month)
			if err != nil {
				return err
			}
			tests, err := tx.Attempts(id, quiz.Test, quarter)
			if err != nil {
				return err
			}
			if len(studies) != 1 || len(tests) != 1 {
				c.fail("member %d: %d study attempts and %d tests, want 1 and 1", id, len(studies), len(tests))
			}
			for _, a := range append(studies, tests...) {
				done := a.Answered()
				c.Responses += done
				if !a.Closed || done != len(a.Items) {
					c.fail("member %d: %s attempt %d closed=%v with %d of %d items answered", id, a.Kind, a.ID, a.Closed, done, len(a.Items))
					continue
				}
				if a.Kind == quiz.Study {
					c.Studies++
				} else {
					c.Tests++
				}
			}
		}
		return nil
	})
	if err != nil {
		c.fail("reading the store: %v", err)
	}
	if int64(c.Responses) != seen {
		c.fail("%d responses in the store, the members saw %d answers accepted", c.Responses, seen)
	}
	return c
}
