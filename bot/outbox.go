package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// Outbox keeps the engine's events — rounds, reminders, make-ups, flags
// for the admins, a test whose time ran out — until they are sent, across
// restarts. The engine writes them with the change they report; the bot
// only sends them. Package store implements it.
type Outbox interface {
	// Pending returns up to n pending events with Seq > after, oldest
	// first.
	Pending(ctx context.Context, after uint64, n int) ([]quiz.Event, error)
	// PartSent records that the first parts messages of an event were
	// sent, so that a restart carries on with the next.
	PartSent(ctx context.Context, seq uint64, parts int) error
	// Done removes an event sent (failure "") or failed for good.
	Done(ctx context.Context, seq uint64, failure string) error
	PendingCount(ctx context.Context) (int, error)
	// Emitted is signalled after a change that emitted events is on disk.
	Emitted() <-chan struct{}
}

func (b *Bot) wakeOutbox() {
	select {
	case b.outboxWake <- struct{}{}:
	default:
	}
}

// deliver sends the outbox: each pending event is worded (notify.go) and
// handed to the sender (paced, in order per chat), a long one in several
// messages, each recorded once Telegram took it; the event is marked done
// after its last, or failed for good (a user who blocked the bot). An
// event handed over but not yet confirmed when the program stops stays
// pending and its unsent parts are sent after the restart: a message can
// reach a user twice only through a crash in the instant between
// Telegram's answer and the record of it.
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
			es, err := b.outbox.Pending(ctx, after, 500-busy)
			if err != nil && ctx.Err() == nil {
				b.log.Error("reading the outbox", "err", err)
			}
			for _, e := range es {
				after = e.Seq
				parts, err := b.render(ctx, e)
				if code := quiz.ErrorCode(err); code != "" && code != quiz.Internal {
					// It cannot be told (a secretary no longer of that node).
					if err := b.outbox.Done(ctx, e.Seq, err.Error()); err != nil {
						b.log.Error("recording an event that cannot be told", "ref", e.Ref, "err", err)
					}
					continue
				}
				if err != nil {
					if ctx.Err() == nil {
						b.log.Error("wording an event; it will be tried again", "ref", e.Ref, "err", err)
					}
					continue
				}
				mu.Lock()
				inflight[e.Seq] = true
				mu.Unlock()
				b.sendParts(e, parts, e.Parts, func() {
					mu.Lock()
					delete(inflight, e.Seq)
					mu.Unlock()
				})
			}
			if c, err := b.outbox.PendingCount(ctx); err == nil {
				b.metrics.SetOutbox(c)
			}
			if len(es) == 0 {
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
		case <-b.outbox.Emitted():
		case <-tick.C:
		}
	}
}

// sendParts hands the sender an event's messages from part from on, all at
// once, so that they reach the chat one after the other: no other notice's
// part falls between them, and the chat's next notice (handed over later)
// comes after its last. Each part Telegram took is recorded, and the event
// is marked done after its last; settled is called when the event is done,
// failed, or left for the next run (the parts after one not sent are not
// sent).
func (b *Bot) sendParts(e quiz.Event, parts []string, from int, settled func()) {
	if from >= len(parts) {
		if err := b.outbox.Done(context.Background(), e.Seq, ""); err != nil {
			b.log.Error("recording a sent event", "ref", e.Ref, "err", err)
		}
		settled()
		return
	}
	cs := make([]tgbotapi.Chattable, 0, len(parts)-from)
	for _, p := range parts[from:] {
		m := tgbotapi.NewMessage(e.Chat, p)
		m.ParseMode = tgbotapi.ModeHTML
		m.DisableWebPagePreview = true
		cs = append(cs, m)
	}
	b.send.EnqueueGroup(e.Chat, cs, func(i int, _ *tgbotapi.APIResponse, err error) bool {
		i += from
		switch {
		case err == nil:
		case errors.Is(err, errSenderClosed), errors.Is(err, context.Canceled):
			settled() // not sent: stays pending for the next run
			return false
		default:
			if derr := b.outbox.Done(context.Background(), e.Seq, err.Error()); derr != nil {
				b.log.Error("recording a failed event", "ref", e.Ref, "err", derr)
			}
			settled()
			return false
		}
		if i+1 == len(parts) {
			if err := b.outbox.Done(context.Background(), e.Seq, ""); err != nil {
				b.log.Error("recording a sent event", "ref", e.Ref, "err", err)
			}
			settled()
			return true
		}
		if err := b.outbox.PartSent(context.Background(), e.Seq, i+1); err != nil {
			b.log.Error("recording a sent part", "ref", e.Ref, "err", err)
			settled() // the next run sends on from the last part recorded
			return false
		}
		return true
	})
}

// --- rounds -----------------------------------------------------------------

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

// roundRetry is when a failed round is tried again.
type roundRetry struct {
	fails int
	next  time.Time
}

// Back-off of a failed round: 30 s, doubling, at most an hour.
const (
	roundBackoff    = 30 * time.Second
	roundBackoffMax = time.Hour
)

// RunRounds runs every due round the engine has not run (quiz.RunRound).
// One that fails is logged, counted in /metrics and tried again after a
// back-off, without holding up the rounds after it. A round interrupted (a
// crash half-way) runs again: the engine skips the events it emitted, so
// everyone is told once.
func (b *Bot) RunRounds(ctx context.Context) {
	rs, err := b.svc.DueRounds(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("reading the rounds", "err", err)
		}
		return
	}
	now := time.Now()
	b.roundsMu.Lock()
	defer b.roundsMu.Unlock()
	for _, r := range rs {
		if ctx.Err() != nil {
			return
		}
		if retry, ok := b.roundRetries[r.Key]; ok && now.Before(retry.next) {
			continue
		}
		if err := b.svc.RunRound(ctx, r); err != nil {
			if ctx.Err() != nil {
				return
			}
			retry := b.roundRetries[r.Key]
			wait := min(roundBackoff<<min(retry.fails, 10), roundBackoffMax)
			retry.fails++
			retry.next = now.Add(wait)
			b.roundRetries[r.Key] = retry
			b.metrics.roundFailed(len(b.roundRetries))
			b.log.Error("round failed; it will be tried again", "round", r.Key, "in", wait, "err", err)
			continue
		}
		delete(b.roundRetries, r.Key)
		b.metrics.setRetrying(len(b.roundRetries))
		b.log.Info("round done", "round", r.Key)
	}
	b.wakeOutbox()
}
