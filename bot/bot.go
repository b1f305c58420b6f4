package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// Dialogs keeps each chat's open dialog (waiting for a name, an attempt
// in progress, an upload awaiting confirmation), so that a restart does
// not lose where a user was. Package store implements it.
type Dialogs interface {
	GetDialog(ctx context.Context, chat int64) ([]byte, error)
	PutDialog(ctx context.Context, chat int64, data []byte) error
	DeleteDialog(ctx context.Context, chat int64) error
}

// Options configure a Bot.
type Options struct {
	Token        string
	APIEndpoint  string // with two %s: token and method
	FileEndpoint string // with two %s: token and file path
	Service      *quiz.Service
	Dialogs      Dialogs
	Outbox       Outbox
	Inbox        Inbox // holds updates until handled (polling): nil confirms a batch only once it is handled
	Log          *slog.Logger
	Metrics      *Metrics
	Pace         Pace
	PollTimeout  int           // seconds of a long poll (0–50)
	SweepEvery   time.Duration // how often expired tests are closed; default 15 s
	Extra        []Route       // routes added by the secretary and admin flows
	// Webhook, if set, takes updates by webhook (see Webhook) instead of
	// long polling.
	Webhook *Webhook
	// DashboardURL, if set, is the https address of the dashboard (package
	// bot/webapp): /branch, /start and /help give secretaries and admins a
	// web_app button that opens it.
	DashboardURL string
}

// Bot is the Telegram side of partyquiz: it takes updates, routes them to
// handlers that call the engine, and sends Chinese replies.
type Bot struct {
	opts       Options
	api        *tgbotapi.BotAPI // sending, files
	poller     *tgbotapi.BotAPI // long polls, on a client that shutdown can interrupt
	pollClient *http.Client     // that client (getUpdates in direct.go)
	svc        *quiz.Service
	dialogs    Dialogs
	outbox     Outbox
	inbox      Inbox
	send       *Sender
	log        *slog.Logger
	metrics    *Metrics
	username   atomic.Pointer[string]
	ready      chan struct{} // closed once connected
	routes     []Route

	outboxWake chan struct{}

	roundsMu     sync.Mutex
	roundRetries map[string]roundRetry // failed rounds, by key
	fullLogged   atomic.Int64          // when "the store is full" was last logged (unix nanoseconds)
	pollCtx      context.Context
	pollCancel   context.CancelFunc
	inflight     sync.WaitGroup

	contests contestRunner // the live contests in progress (contest_run.go)
}

// New builds a bot. It makes no network call: Run does.
func New(o Options) (*Bot, error) {
	if o.Service == nil || o.Dialogs == nil || o.Outbox == nil {
		return nil, errors.New("bot: a service, a dialog store and an outbox are required")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.SweepEvery == 0 {
		o.SweepEvery = 15 * time.Second
	}
	if o.PollTimeout < 0 || o.PollTimeout > 50 {
		return nil, fmt.Errorf("bot: poll timeout %d is not between 0 and 50", o.PollTimeout)
	}
	b := &Bot{opts: o, svc: o.Service, dialogs: o.Dialogs, outbox: o.Outbox, inbox: o.Inbox, log: o.Log, metrics: o.Metrics,
		ready: make(chan struct{}), outboxWake: make(chan struct{}, 1), roundRetries: map[string]roundRetry{}}
	b.pollCtx, b.pollCancel = context.WithCancel(context.Background())
	// tgbotapi's constructor calls getMe and gives up at once if Telegram
	// is down; build the clients by hand and call getMe with retries in Run.
	transport := newTransport()
	client := &http.Client{Timeout: 60 * time.Second, Transport: transport}
	b.api = &tgbotapi.BotAPI{Token: o.Token, Buffer: 100, Client: client}
	b.api.SetAPIEndpoint(o.APIEndpoint)
	b.pollClient = &http.Client{Timeout: time.Duration(o.PollTimeout+15) * time.Second,
		Transport: ctxTransport{ctx: b.pollCtx, base: transport}}
	b.poller = &tgbotapi.BotAPI{Token: o.Token, Buffer: 100, Client: b.pollClient}
	b.poller.SetAPIEndpoint(o.APIEndpoint)
	b.send = NewSender(&directAPI{client: client, endpoint: o.APIEndpoint, token: o.Token, fallback: b.api},
		o.Pace, o.Log, o.Metrics, b.markUnreachable)
	b.routes = append(append(append(memberRoutes(), SecretaryRoutes()...), ContestRoutes()...), o.Extra...)
	return b, nil
}

// newTransport is the bot's own HTTP transport. http.DefaultTransport
// keeps 2 idle connections per host: with replies to hundreds of chats in
// flight, every call beyond those dialled a new connection (with the real
// Telegram, a TLS handshake), and that was most of the bot's CPU under
// load (BENCHMARKS.md, "Load").
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return t
}

// ctxTransport attaches a context to every request so that shutdown can
// interrupt a long poll (tgbotapi's requests carry no context).
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(r.WithContext(t.ctx))
}

// Username is the bot's username, known once Run has called getMe.
func (b *Bot) Username() string {
	if p := b.username.Load(); p != nil {
		return *p
	}
	return ""
}

// Ready is closed once the bot has connected and handles updates.
func (b *Bot) Ready() <-chan struct{} { return b.ready }

// Sender returns the bot's outgoing queue (for rounds and reminders).
func (b *Bot) Sender() *Sender { return b.send }

// Service returns the engine the bot serves.
func (b *Bot) Service() *quiz.Service { return b.svc }

// Run connects (retrying while Telegram is unreachable), sets the command
// menu, and handles updates until ctx is done; then it stops taking
// updates, finishes the ones in flight, confirms them to Telegram, sends
// what is queued (for a few seconds at most) and returns nil.
func (b *Bot) Run(ctx context.Context) error {
	// Webhook or long polling: the webhook listens before anything else
	// (a busy address is an error at once) and is set after connecting;
	// polling first deletes any webhook (a switch back from webhook mode).
	take := b.poll
	var h *hook
	if b.opts.Webhook != nil {
		var err error
		if h, err = b.listenWebhook(); err != nil {
			return err
		}
		take = h.serve
	}
	if err := b.connect(ctx); err != nil {
		if h != nil {
			h.close()
		}
		return err
	}
	if h != nil {
		if err := h.set(ctx); err != nil {
			h.close()
			return err
		}
	} else {
		b.deleteWebhook(ctx)
	}
	go func() { <-ctx.Done(); b.pollCancel() }()

	var loops sync.WaitGroup
	for _, loop := range []func(context.Context){b.sweep, b.deliver, b.schedule, b.resumeContests} {
		loops.Add(1)
		go func() { defer loops.Done(); loop(ctx) }()
	}

	err := take(ctx)
	loops.Wait()
	b.send.Close(5 * time.Second)
	return err
}

// connect calls getMe until it answers, then sets the command menu.
func (b *Bot) connect(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		me, err := b.api.GetMe()
		if err == nil {
			name := me.UserName
			b.username.Store(&name)
			b.api.Self, b.poller.Self = me, me
			break
		}
		var te *tgbotapi.Error
		if errors.As(err, &te) && te.Code == 401 {
			return errors.New("telegram rejected the bot token (401 Unauthorized): check telegram.token")
		}
		wait, _ := retryAfter(err, attempt)
		b.log.Warn("telegram unreachable, retrying", "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	if _, err := b.send.Call(ctx, tgbotapi.NewSetMyCommands(menu(Member)...), 5); err != nil {
		b.log.Warn("could not set the command menu", "err", err)
	}
	for _, id := range b.svc.AdminIDs() {
		b.setMenu(ctx, id, Admin)
	}
	close(b.ready)
	return nil
}

// menu is the command menu of a role: its commands and every lesser role's.
func menu(role Role) []tgbotapi.BotCommand {
	var cmds []tgbotapi.BotCommand
	for _, c := range commandMenu {
		if c.role <= role {
			cmds = append(cmds, tgbotapi.BotCommand{Command: c.cmd, Description: c.desc})
		}
	}
	return cmds
}

// setMenu gives one private chat the menu of a role (a secretary, an
// admin). Telegram refuses it for a user who never started the bot; they
// get it when they do.
func (b *Bot) setMenu(ctx context.Context, chat int64, role Role) {
	c := tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(chat), menu(role)...)
	if _, err := b.send.Call(ctx, c, 2); err != nil {
		b.log.Debug("no menu for a chat yet", "chat", chat, "err", err)
	}
}

// poll is the update loop. With an inbox, an update is held (durably)
// and confirmed to Telegram at once, then handled by its chat's worker:
// updates of one chat in order, different chats at the same time, and a
// slow one holds up nobody; at start the updates the last run held but did
// not handle are handled first. Without an inbox, an update is confirmed
// only once every update of its batch has been handled.
func (b *Bot) poll(ctx context.Context) error {
	var d *dispatcher
	if b.inbox != nil {
		d = newDispatcher(b, ctx)
		if err := b.resumeHeld(ctx, d); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read the updates held by the last run: %w", err)
		}
	}
	pollURL := fmt.Sprintf(b.opts.APIEndpoint, b.opts.Token, "getUpdates")
	offset := 0
	for attempt := 0; ; {
		if d != nil {
			d.room(ctx)
		}
		if ctx.Err() != nil {
			if d != nil {
				d.drain(10 * time.Second)
				if err := b.inbox.Hold(context.Background(), nil, d.takeHandled()); err != nil {
					b.log.Warn("could not record the last updates handled; they will be handled again (harmlessly)", "err", err)
				}
			}
			b.confirm(offset)
			return nil
		}
		updates, raws, err := getUpdates(b.pollClient, pollURL, offset, 100, b.opts.PollTimeout, updateKinds)
		if err == nil && d != nil && len(updates) > 0 {
			got := time.Now()
			err = b.hold(ctx, d, updates, raws)
			b.metrics.Stage(StagePollHold, time.Since(got))
		}
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			b.metrics.call("getUpdates", err)
			var te *tgbotapi.Error
			if errors.As(err, &te) && te.Code == 409 {
				b.log.Error("another bot instance or a webhook is using this token", "err", te.Message)
				if _, derr := b.send.Call(ctx, tgbotapi.DeleteWebhookConfig{}, 1); derr != nil {
					b.log.Warn("deleteWebhook failed", "err", derr)
				}
			}
			wait, _ := retryAfter(err, attempt)
			if errors.As(err, &te) && te.Code == 409 {
				wait = 5 * time.Second
			}
			attempt++
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			continue
		}
		attempt = 0
		switch {
		case d == nil:
			b.HandleBatch(ctx, updates)
		case len(updates) == 0:
			// Quiet: forget what was handled meanwhile.
			if h := d.takeHandled(); len(h) > 0 {
				if err := b.inbox.Hold(ctx, nil, h); err != nil {
					b.log.Warn("could not record the updates handled; they may be handled again (harmlessly)", "err", err)
				}
			}
		}
		if n := len(updates); n > 0 {
			if d != nil {
				d.forget(offset) // the poll just made asked from offset
			}
			offset = updates[n-1].UpdateID + 1
		}
	}
}

// confirm tells Telegram the updates before offset are handled, so that
// they are not delivered again after a clean shutdown.
func (b *Bot) confirm(offset int) {
	if offset == 0 {
		return
	}
	c := &tgbotapi.BotAPI{Token: b.api.Token, Buffer: 1, Client: &http.Client{Timeout: 5 * time.Second}}
	c.SetAPIEndpoint(b.opts.APIEndpoint)
	if _, err := c.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 1, Timeout: 0}); err != nil {
		b.log.Warn("could not confirm the last updates; they will be handled again (harmlessly) after restart", "err", err)
	}
}

// HandleBatch handles updates — in order within a chat, chats in parallel
// — and returns when all are handled.
func (b *Bot) HandleBatch(ctx context.Context, updates []tgbotapi.Update) {
	byChat := map[int64][]tgbotapi.Update{}
	var order []int64
	for _, u := range updates {
		c := chatOf(u)
		if _, ok := byChat[c]; !ok {
			order = append(order, c)
		}
		byChat[c] = append(byChat[c], u)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 128)
	for _, c := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(list []tgbotapi.Update) {
			defer func() { <-sem; wg.Done() }()
			for _, u := range list {
				b.HandleUpdate(context.WithoutCancel(ctx), u)
			}
		}(byChat[c])
	}
	wg.Wait()
}

// chatOf returns the chat an update belongs to (0 for none).
func chatOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// markUnreachable records that a private chat answered 403.
func (b *Bot) markUnreachable(chat int64) {
	if chat <= 0 {
		return
	}
	if err := b.svc.SetReachable(context.Background(), chat, false); err != nil {
		b.log.Warn("could not mark a user unreachable", "user", chat, "err", err)
	}
}

// sweep closes tests whose time has run out.
func (b *Bot) sweep(ctx context.Context) {
	t := time.NewTicker(b.opts.SweepEvery)
	defer t.Stop()
	for {
		b.SweepNow(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SweepNow closes expired attempts once (the engine tells the members
// whose test's time ran out).
func (b *Bot) SweepNow(ctx context.Context) {
	for {
		closed, err := b.svc.CloseExpired(ctx, 200)
		if err != nil {
			b.log.Error("closing expired attempts", "err", err)
			return
		}
		if len(closed) < 200 {
			return
		}
	}
}

// --- dialogs ----------------------------------------------------------

// dialog is what a chat is in the middle of.
type dialog struct {
	Mode    string `json:"m"`
	Code    string `json:"c,omitempty"` // invite code while asking for the name
	Attempt uint64 `json:"a,omitempty"` // attempt in progress
	Data    string `json:"d,omitempty"` // a mode's own state (e.g. an upload's file id)
}

// Dialog modes.
const (
	modeName    = "name"
	modeAttempt = "attempt"
)

func (b *Bot) loadDialog(ctx context.Context, chat int64) (*dialog, error) {
	data, err := b.dialogs.GetDialog(ctx, chat)
	if err != nil || data == nil {
		return nil, err
	}
	var d dialog
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, nil // an unreadable dialog is as good as none
	}
	return &d, nil
}

func (b *Bot) saveDialog(ctx context.Context, chat int64, d *dialog) error {
	if d == nil {
		return b.dialogs.DeleteDialog(ctx, chat)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return b.dialogs.PutDialog(ctx, chat, data)
}
