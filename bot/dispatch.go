package bot

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Inbox keeps the updates taken from Telegram until they are handled, so
// that an update can be confirmed to Telegram as soon as it is held: one
// slow chat (a whole tree's export, a download with retries) then holds up
// nobody else's updates, and a crash loses none. Package store implements
// it.
type Inbox interface {
	// Hold keeps updates (by update id, as received) and forgets those
	// handled since the last call, durably, before it returns.
	Hold(ctx context.Context, updates map[int][]byte, handled []int) error
	// Held returns the updates held and not yet handled.
	Held(ctx context.Context) (ids []int, updates [][]byte, err error)
}

// maxQueued is how many held updates may wait to be handled before the
// poll loop stops taking more (Telegram keeps them meanwhile).
const maxQueued = 10000

// dispatcher hands updates to one worker per chat: in order within a
// chat, chats at the same time (at most maxChats at once), and remembers
// which were handled for the next Hold.
type dispatcher struct {
	b   *Bot
	ctx context.Context
	sem chan struct{}

	mu      sync.Mutex
	cond    *sync.Cond
	queues  map[int64][]waiting
	queued  int
	handled []int
	seen    map[int]bool   // held or handled in this run: a second delivery is skipped
	unheld  map[int][]byte // taken but not held: a failed Hold's, for the next
	wg      sync.WaitGroup
}

const maxChats = 128

// waiting is an update waiting for its chat's worker, since when.
type waiting struct {
	u  tgbotapi.Update
	at time.Time
}

func newDispatcher(b *Bot, ctx context.Context) *dispatcher {
	d := &dispatcher{b: b, ctx: ctx, sem: make(chan struct{}, maxChats), queues: map[int64][]waiting{}, seen: map[int]bool{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// fresh returns the updates not seen before in this run, and of raws
// (each update's JSON, or none) the same ones.
func (d *dispatcher) fresh(updates []tgbotapi.Update, raws []json.RawMessage) ([]tgbotapi.Update, []json.RawMessage) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []tgbotapi.Update
	var outRaw []json.RawMessage
	for i, u := range updates {
		if !d.seen[u.UpdateID] {
			d.seen[u.UpdateID] = true
			out = append(out, u)
			if raws != nil {
				outRaw = append(outRaw, raws[i])
			}
		}
	}
	return out, outRaw
}

// forget drops what fresh remembers of updates before offset: Telegram
// never delivers those again once asked from offset, and a bot that runs
// for months must not remember every update it ever took.
func (d *dispatcher) forget(offset int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id := range d.seen {
		if id < offset {
			delete(d.seen, id)
		}
	}
}

// add queues updates (held already) for their chats' workers.
func (d *dispatcher) add(updates []tgbotapi.Update) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for _, u := range updates {
		c := chatOf(u)
		q, busy := d.queues[c]
		d.queues[c] = append(q, waiting{u: u, at: now})
		d.queued++
		if !busy {
			d.wg.Add(1)
			go d.work(c)
		}
	}
}

// work handles one chat's updates in order until its queue is empty.
func (d *dispatcher) work(chat int64) {
	defer d.wg.Done()
	d.sem <- struct{}{}
	defer func() { <-d.sem }()
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 {
			delete(d.queues, chat)
			d.mu.Unlock()
			return
		}
		u := q[0].u
		d.mu.Unlock()
		d.b.metrics.Stage(StageQueued, time.Since(q[0].at))
		d.b.HandleUpdate(context.WithoutCancel(d.ctx), u)
		d.mu.Lock()
		d.queues[chat] = d.queues[chat][1:]
		d.queued--
		d.handled = append(d.handled, u.UpdateID)
		d.cond.Broadcast()
		d.mu.Unlock()
	}
}

// takeHandled returns the updates handled since the last call.
func (d *dispatcher) takeHandled() []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := d.handled
	d.handled = nil
	return h
}

// room waits until fewer than maxQueued updates wait (or ctx is done).
func (d *dispatcher) room(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { d.mu.Lock(); d.cond.Broadcast(); d.mu.Unlock() })
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.queued >= maxQueued && ctx.Err() == nil {
		d.cond.Wait()
	}
}

// drain waits up to grace for the queued updates to be handled; what is
// left stays held for the next run.
func (d *dispatcher) drain(grace time.Duration) {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
	}
}

// hold queues updates for their chats' workers and makes them durable in
// the inbox, together with forgetting those handled, before it returns:
// only then may the poll loop confirm them to Telegram. Handling does not
// wait for the inbox (one fsync less before a member's reply): an update
// handled but not yet held when the bot dies was not confirmed either, so
// Telegram delivers it again, and handling the same update twice records
// it once.
func (b *Bot) hold(ctx context.Context, d *dispatcher, updates []tgbotapi.Update, raws []json.RawMessage) error {
	fresh, raws := d.fresh(updates, raws)
	held := make(map[int][]byte, len(fresh))
	for i, u := range fresh {
		held[u.UpdateID] = raws[i] // as Telegram wrote it: resumeHeld decodes it as getUpdates did
	}
	handled := d.takeHandled()
	d.add(fresh)
	d.mu.Lock()
	for id, data := range d.unheld {
		held[id] = data
	}
	d.unheld = nil
	d.mu.Unlock()
	if err := b.inbox.Hold(context.WithoutCancel(ctx), held, handled); err != nil {
		// Not confirmed: Telegram delivers these again and they are
		// skipped as seen (they are being handled); the next Hold holds
		// them (and forgets those handled by then) before any confirm.
		d.mu.Lock()
		d.handled = append(d.handled, handled...)
		d.unheld = held
		d.mu.Unlock()
		return err
	}
	return nil
}

// resumeHeld queues the updates a previous run held but did not handle.
func (b *Bot) resumeHeld(ctx context.Context, d *dispatcher) error {
	ids, data, err := b.inbox.Held(ctx)
	if err != nil {
		return err
	}
	var updates []tgbotapi.Update
	for i, raw := range data {
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			b.log.Error("an update held by the last run cannot be read; dropped", "update", ids[i], "err", err)
			d.mu.Lock()
			d.handled = append(d.handled, ids[i])
			d.mu.Unlock()
			continue
		}
		updates = append(updates, u)
	}
	sort.Slice(updates, func(i, j int) bool { return updates[i].UpdateID < updates[j].UpdateID })
	if len(updates) > 0 {
		b.log.Info("handling the updates the last run held", "updates", len(updates))
	}
	fresh, _ := d.fresh(updates, nil)
	d.add(fresh)
	return nil
}
