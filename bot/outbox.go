package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// Outbox keeps notices owed to chats — rounds, reminders, flags for the
// admins — until they are sent, across restarts. A notice whose Ref was
// ever queued is never queued again. Package store implements it.
type Outbox interface {
	Enqueue(ctx context.Context, ns []quiz.Notice) (int, error)
	Pending(ctx context.Context, after uint64, n int) ([]quiz.Notice, error)
	Done(ctx context.Context, seq uint64, failure string) error
	PendingCount(ctx context.Context) (int, error)
	RoundDone(ctx context.Context, key string) (bool, error)
	MarkRound(ctx context.Context, key string) error
}

// notify queues notices and returns how many were new.
func (b *Bot) notify(ctx context.Context, ns []quiz.Notice) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	now := b.svc.Now()
	for i := range ns {
		if ns[i].Created.IsZero() {
			ns[i].Created = now
		}
	}
	n, err := b.outbox.Enqueue(ctx, ns)
	if err == nil {
		b.wakeOutbox()
	}
	return n, err
}

func (b *Bot) wakeOutbox() {
	select {
	case b.outboxWake <- struct{}{}:
	default:
	}
}

// deliver sends the outbox: each pending notice is handed to the sender
// (paced, in order per chat) and marked done once Telegram took it, or
// failed for good (a user who blocked the bot). A notice handed over but
// not yet confirmed when the program stops stays pending and is sent after
// the restart: the only way a notice can reach a user twice is a crash in
// the instant between Telegram's answer and the record of it.
func (b *Bot) deliver(ctx context.Context) {
	var mu sync.Mutex
	inflight := map[uint64]bool{}
	var after uint64
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		mu.Lock()
		busy := len(inflight)
		mu.Unlock()
		if busy < 500 {
			ns, err := b.outbox.Pending(ctx, after, 500-busy)
			if err != nil && ctx.Err() == nil {
				b.log.Error("reading the outbox", "err", err)
			}
			for _, n := range ns {
				after = n.Seq
				mu.Lock()
				inflight[n.Seq] = true
				mu.Unlock()
				n := n
				m := tgbotapi.NewMessage(n.Chat, firstPart(n.Text))
				m.ParseMode = tgbotapi.ModeHTML
				m.DisableWebPagePreview = true
				b.send.Enqueue(n.Chat, m, func(_ *tgbotapi.APIResponse, err error) {
					defer func() {
						mu.Lock()
						delete(inflight, n.Seq)
						mu.Unlock()
					}()
					failure := ""
					switch {
					case err == nil:
					case errors.Is(err, errSenderClosed), errors.Is(err, context.Canceled):
						return // not sent: stays pending for the next run
					default:
						failure = err.Error()
					}
					if derr := b.outbox.Done(context.Background(), n.Seq, failure); derr != nil {
						b.log.Error("recording a sent notice", "seq", n.Seq, "err", derr)
					}
				})
			}
			if c, err := b.outbox.PendingCount(ctx); err == nil {
				b.metrics.SetOutbox(c)
			}
			if len(ns) == 0 {
				mu.Lock()
				if len(inflight) == 0 {
					after = 0 // everything handed over was settled: look again from the start
				}
				mu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-b.outboxWake:
		case <-tick.C:
		}
	}
}

// --- rounds -----------------------------------------------------------------

// round is one scheduled send: when it is due and what it sends.
type round struct {
	key  string // "month-open:2026-12"
	at   time.Time
	kind string
	p    quiz.Period
}

// roundCatchUp is how late a round may still be sent: a round missed while
// the bot was down is sent when it comes back, but a new installation does
// not send last year's rounds.
const roundCatchUp = 7 * 24 * time.Hour

// RoundHour is the hour of the day (in the configured zone) rounds go out.
const RoundHour = 9

// dueRounds lists the rounds due at now, oldest first: a month's study
// opening, a test window opening and closing, a half year's and a year's
// end.
func (b *Bot) dueRounds(now time.Time) []round {
	cal := b.svc.Cal
	rules := b.svc.Rules
	at := func(t time.Time) time.Time {
		t = t.In(cal.Loc)
		return time.Date(t.Year(), t.Month(), t.Day(), RoundHour, 0, 0, 0, cal.Loc)
	}
	var rs []round
	add := func(kind string, p quiz.Period, t time.Time) {
		if !t.After(now) && now.Sub(t) < roundCatchUp {
			rs = append(rs, round{key: kind + ":" + p.Key(), at: t, kind: kind, p: p})
		}
	}
	for _, m := range []quiz.Period{cal.Month(now), cal.Month(now).Prev(cal)} {
		add("month-open", m, at(m.Start))
	}
	for _, q := range []quiz.Period{cal.Quarter(now), cal.Quarter(now).Prev(cal)} {
		start, end := rules.TestWindowOf(cal, q)
		add("test-open", q, at(start))
		add("test-close", q, at(end))
	}
	h := cal.Half(now).Prev(cal)
	add("half-end", h, at(h.End))
	y := cal.Year(now).Prev(cal)
	add("year-end", y, at(y.End))
	// Oldest first, so a member gets a quarter's result before the year's.
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].at.Before(rs[j-1].at); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	return rs
}

// schedule runs the rounds that are due, now and every half minute.
func (b *Bot) schedule(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		b.RunRounds(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunRounds sends every due round not yet sent. A round interrupted (a
// crash half-way) runs again from the start: the outbox skips the notices
// already queued, so everyone is served once.
func (b *Bot) RunRounds(ctx context.Context) {
	for _, r := range b.dueRounds(b.svc.Now()) {
		done, err := b.outbox.RoundDone(ctx, r.key)
		if err != nil || done {
			continue
		}
		if err := b.runRound(ctx, r); err != nil {
			if ctx.Err() == nil {
				b.log.Error("round failed; it will be tried again", "round", r.key, "err", err)
			}
			return
		}
		if err := b.outbox.MarkRound(ctx, r.key); err != nil {
			b.log.Error("recording a round", "round", r.key, "err", err)
			return
		}
		b.log.Info("round queued", "round", r.key)
	}
}

// runRound queues a round's notices, branch by branch.
func (b *Bot) runRound(ctx context.Context, r round) error {
	tree := b.svc.Tree()
	var batch []quiz.Notice
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := b.notify(ctx, batch)
		batch = batch[:0]
		return err
	}
	add := func(chat int64, text string) error {
		batch = append(batch, quiz.Notice{Ref: fmt.Sprintf("round:%s:%d", r.key, chat), Chat: chat, Text: text})
		if len(batch) >= 1000 {
			return flush()
		}
		return nil
	}
	// Members, their own result.
	for _, leaf := range tree.Leaves(tree.Root()) {
		rows, err := b.svc.Results(ctx, leaf, r.p)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if row.User.Unreachable || !b.owed(r, row.User) {
				continue
			}
			if text := b.memberRoundText(r, row); text != "" {
				if err := add(row.User.ID, text); err != nil {
					return err
				}
			}
		}
	}
	// Secretaries their node's table, admins the whole tree.
	if r.kind == "test-close" || r.kind == "half-end" || r.kind == "year-end" {
		secs, err := b.svc.Secretaries(ctx)
		if err != nil {
			return err
		}
		for _, u := range secs {
			if u.Unreachable {
				continue
			}
			v := quiz.Viewer{ID: u.ID, User: u}
			for _, node := range u.Secretary {
				text, err := b.tableRoundText(ctx, r, v, node)
				if err != nil {
					return err
				}
				if err := add(u.ID, text); err != nil {
					return err
				}
			}
		}
		for _, id := range b.svc.AdminIDs() {
			v := quiz.Viewer{ID: id, Admin: true}
			text, err := b.tableRoundText(ctx, r, v, tree.Root())
			if err != nil {
				return err
			}
			batch = append(batch, quiz.Notice{Ref: fmt.Sprintf("round:%s:admin:%d", r.key, id), Chat: id, Text: text})
		}
	}
	return flush()
}

// owed reports whether a round's period concerns a member: a test's result
// is not told to someone who joined after its window closed.
func (b *Bot) owed(r round, u *quiz.User) bool {
	if r.kind != "test-close" {
		return true
	}
	_, end := b.svc.Rules.TestWindowOf(b.svc.Cal, r.p)
	return u.Joined.Before(end)
}

// memberRoundText is what a round tells one member ("" for nothing).
func (b *Bot) memberRoundText(r round, row quiz.ResultRow) string {
	rules := b.svc.Rules
	switch r.kind {
	case "month-open":
		title := ""
		if l := b.svc.Lesson(r.p); l != nil {
			title = esc(l.Title)
		}
		return fmt.Sprintf(txtRoundMonth, r.p, title)
	case "test-open":
		_, end := rules.TestWindowOf(b.svc.Cal, r.p)
		return fmt.Sprintf(txtRoundTestOpen, r.p, b.lastDay(end), rules.TestQuestions, int(rules.TestDuration.Minutes()))
	case "test-close":
		if !row.Progress.Tested {
			return fmt.Sprintf(txtRoundTestNone, r.p)
		}
		return fmt.Sprintf(txtRoundTestMine, r.p, row.Progress.TestScore, b.passText(row.Progress.TestScore))
	case "half-end":
		return fmt.Sprintf(txtRoundHalfMine, r.p, row.Progress.Points, row.Of, row.Rank)
	case "year-end":
		return fmt.Sprintf(txtRoundYearMine, r.p, row.Progress.Points, row.Stars, starsText(row.Stars))
	}
	return ""
}

// tableRoundText is a round's table for a secretary's node or an admin.
func (b *Bot) tableRoundText(ctx context.Context, r round, v quiz.Viewer, node string) (string, error) {
	switch r.kind {
	case "test-close":
		f, err := b.svc.PeriodFigures(ctx, v, node, r.p)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(txtRoundTestNode, r.p, esc(b.svc.Tree().Name(node)), f.Stats.TestTaken, f.TestDue,
			meanNum(f.TakenMean()), meanNum(f.DueMean()), ratePct(f.PassRate())), nil
	case "half-end":
		s, err := b.svc.StandingsOf(ctx, v, node, r.p)
		if err != nil {
			return "", err
		}
		text, _ := b.rankText(s)
		return text, nil
	case "year-end":
		y, err := b.svc.YearOf(ctx, v, node, r.p)
		if err != nil {
			return "", err
		}
		text, _ := b.yearText(y)
		return text, nil
	}
	return "", nil
}
