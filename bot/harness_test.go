package bot_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// clock is the engine's clock in tests: it stands still unless moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a running bot against a fake Bot API server, with a real bbolt
// file, the built-in banks and org tree, and a pinned clock.
type env struct {
	t       *testing.T
	srv     *telegramtest.Server
	clock   *clock
	cal     quiz.Calendar
	path    string
	rules   quiz.Rules
	admins  []int64
	pace    bot.Pace
	outbox  func(*store.DB) bot.Outbox    // wraps the store's outbox (fault injection)
	engine  func(*store.DB) quiz.Store    // wraps the store the engine runs on (fault injection)
	dialogs func(bot.Dialogs) bot.Dialogs // wraps the store's dialogs (fault injection)
	inbox   func(bot.Inbox) bot.Inbox     // wraps the store's inbox (fault injection)
	webhook bool                          // take updates by webhook instead of polling
	sweep   time.Duration
	noStart bool   // newEnv leaves starting to the test
	url     string // the running bot's webhook URL, if any

	catalog func(*testing.T) *questions.Catalog // the banks the bot starts with (nil: the built-in ones)

	db      *store.DB
	svc     *quiz.Service
	bot     *bot.Bot
	metrics *bot.Metrics
	cancel  context.CancelFunc
	done    chan error
}

const adminID = 1

// shanghai is the calendar of the tests.
var shanghai, _ = quiz.NewCalendar("Asia/Shanghai")

// at returns a time in Shanghai.
func at(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, shanghai.Loc)
}

type envOption func(*env)

func withServer(o telegramtest.Options) envOption {
	return func(e *env) {
		srv, err := telegramtest.Start(o)
		if err != nil {
			e.t.Fatal(err)
		}
		e.srv = srv
	}
}

func withRules(f func(*quiz.Rules)) envOption { return func(e *env) { f(&e.rules) } }

func withPace(p bot.Pace) envOption { return func(e *env) { e.pace = p } }

// notStarted leaves starting the bot (in a mode of the test's choice) to
// the test.
func notStarted(e *env) { e.noStart = true }

// newEnv starts a bot on 10 November 2026, 10:00 in Shanghai.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: at(2026, 11, 10, 10, 0)}, cal: shanghai,
		path: filepath.Join(t.TempDir(), "partyquiz.db"), rules: quiz.DefaultRules(), admins: []int64{adminID},
		sweep: 100 * time.Millisecond}
	for _, o := range opts {
		o(e)
	}
	if e.srv == nil {
		withServer(telegramtest.Options{DisablePacing: true})(e)
	}
	t.Cleanup(func() {
		e.stop()
		e.srv.Close()
	})
	if !e.noStart {
		e.start()
	}
	return e
}

// startIn starts the bot by webhook or by long polling.
func (e *env) startIn(webhook bool) {
	e.t.Helper()
	e.webhook = webhook
	e.start()
}

// start opens the store and runs a bot over it.
func (e *env) start() {
	e.t.Helper()
	db, err := store.Open(e.path, store.Options{NoSync: true})
	if err != nil {
		e.t.Fatal(err)
	}
	cat, err := questions.Builtin()
	if err != nil {
		e.t.Fatal(err)
	}
	if e.catalog != nil {
		cat = e.catalog(e.t)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	var st quiz.Store = db
	if e.engine != nil {
		st = e.engine(db)
	}
	e.svc = quiz.NewService(st, e.cal, e.rules, e.clock.Now, e.admins, &quiz.Content{Catalog: cat, Tree: tree})
	e.metrics = bot.NewMetrics()
	var dialogs bot.Dialogs = db
	if e.dialogs != nil {
		dialogs = e.dialogs(db)
	}
	var inbox bot.Inbox = db
	if e.inbox != nil {
		inbox = e.inbox(db)
	}
	o := bot.Options{
		Token: e.srv.Token(), APIEndpoint: e.srv.APIEndpoint(), FileEndpoint: e.srv.FileEndpoint(),
		Service: e.svc, Dialogs: dialogs, Outbox: e.outboxOf(db), Inbox: inbox, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: e.metrics, Pace: e.pace, PollTimeout: 1, SweepEvery: e.sweep,
	}
	e.url = ""
	if e.webhook {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			e.t.Fatal(err)
		}
		e.url = "http://" + ln.Addr().String() + "/telegram"
		o.Webhook = &bot.Webhook{URL: e.url, Listener: ln, Secret: hookSecret}
	}
	b, err := bot.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.done = make(chan error, 1)
	go func() { e.done <- b.Run(ctx) }()
	select {
	case <-b.Ready():
	case err := <-e.done:
		e.t.Fatalf("the bot stopped: %v", err)
	case <-time.After(10 * time.Second):
		e.t.Fatal("the bot did not connect")
	}
	// The mode is in place once Telegram says so (polling deletes any webhook).
	e.eventually("the webhook to be set or deleted", func() bool { return e.srv.WebhookInfo().URL == e.url })
}

func (e *env) outboxOf(db *store.DB) bot.Outbox {
	if e.outbox != nil {
		return e.outbox(db)
	}
	return db
}

// eventually waits (generously: the machine is shared) for cond.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop shuts the bot down cleanly and closes the store.
func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("bot stopped with %v", err)
		}
	case <-time.After(20 * time.Second):
		e.t.Error("the bot did not stop")
	}
	e.cancel = nil
	if err := e.db.Close(); err != nil {
		e.t.Error(err)
	}
}

// restart stops the bot and starts a new one on the same file.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// send sends text as the user and returns the first bot message after
// it that contains want.
func (e *env) send(u *telegramtest.User, text, want string) telegramtest.Message {
	e.t.Helper()
	seq := u.Seq()
	u.SendText(text)
	return e.waitAfter(u, seq, want)
}

// waitAfter waits for a bot message changed after seq containing want.
func (e *env) waitAfter(u *telegramtest.User, seq int64, want string) telegramtest.Message {
	e.t.Helper()
	m, err := u.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return strings.Contains(m.Text, want) })
	if err != nil {
		e.t.Fatalf("waiting for %q: %v\nchat so far:\n%s", want, err, transcript(u))
	}
	checkClean(e.t, m)
	return m
}

// press presses a button of the newest message that has it and returns
// the first bot message changed afterwards that contains want.
func (e *env) press(u *telegramtest.User, label, want string) telegramtest.Message {
	e.t.Helper()
	seq := u.Seq()
	if _, err := u.Press(label); err != nil {
		e.t.Fatalf("press %q: %v\nchat so far:\n%s", label, err, transcript(u))
	}
	return e.waitAfter(u, seq, want)
}

// transcript is a chat as text, for failure messages.
func transcript(u *telegramtest.User) string {
	var b strings.Builder
	for _, m := range u.History() {
		who := "user"
		if m.FromBot {
			who = "bot"
		}
		b.WriteString("[" + who + "] " + m.Text + m.Kind + "\n")
		for _, row := range m.Buttons {
			for _, btn := range row {
				b.WriteString("  [" + btn.Text + "]")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// rawValue matches what must never reach a user: Go values and errors.
var rawValue = regexp.MustCompile(`(?i)(<nil>|%!|\bnil\b|\berror\b|panic|goroutine|quiz (invalid|internal|conflict|forbidden|not_found|unavailable)|\{[a-z]+:|0x[0-9a-f]{6,}|map\[|\[\]string)`)

// checkClean fails the test if a message shows a raw Go value or error.
func checkClean(t *testing.T, m telegramtest.Message) {
	t.Helper()
	if m.Text == "" && m.Document == nil {
		t.Errorf("an empty message: %+v", m)
	}
	if rawValue.MatchString(m.Text) {
		t.Errorf("a raw value in a message: %q", m.Text)
	}
	for _, s := range []string{m.Text, m.Caption} {
		if p := bot.TypographyProblem(s); p != "" {
			t.Errorf("typography: %s\nin %q", p, s)
		}
	}
}

// invite makes an invite code as the admin.
func (e *env) invite(node string, role quiz.Role) string {
	e.t.Helper()
	v, err := e.svc.Viewer(context.Background(), adminID)
	if err != nil {
		e.t.Fatal(err)
	}
	inv, err := e.svc.CreateInvite(context.Background(), v, node, role, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return inv.Code
}

// secretary makes a Telegram user secretary of node through an invite.
func (e *env) secretary(id int64, name, node string) *telegramtest.User {
	e.t.Helper()
	u := e.srv.User(id)
	if u == nil {
		u = e.srv.NewUser(id, name)
	}
	code := e.invite(node, quiz.RoleSecretary)
	seq := u.Seq()
	u.SendText("/start " + code)
	m := e.waitAfter(u, seq, "")
	if strings.Contains(m.Text, "真实姓名") {
		e.send(u, name, "书记")
	}
	return u
}

// member makes a Telegram user join node through an invite link, the way
// a member does.
func (e *env) member(id int64, name, node string) *telegramtest.User {
	e.t.Helper()
	u := e.srv.NewUser(id, name)
	code := e.invite(node, quiz.RoleMember)
	e.send(u, "/start "+code, "真实姓名")
	e.send(u, name, "您已加入")
	return u
}

// answerCurrent answers the question on the newest message with buttons,
// or by typing for a fill-in question, and returns the message that
// follows it (feedback, next question or result). right picks the right
// answer when the test knows it (from the store).
func (e *env) answerCurrent(u *telegramtest.User, right bool) {
	e.t.Helper()
	a := e.openAttempt(u.ID())
	idx := a.Current()
	it := a.Items[idx]
	seq := u.Seq()
	switch it.Type {
	case questions.Fill:
		text := "不知道"
		if right {
			text = it.Accepted[0]
		}
		u.SendText(text)
	case questions.Multiple:
		choice := []int{0, 1}
		if right {
			choice = it.Answer
		}
		msg := e.questionMessage(u, idx)
		for _, c := range choice {
			label := "☐ " + questions.Letter(c)
			s := u.Seq()
			if _, err := u.PressOn(msg.ID, label); err != nil {
				e.t.Fatalf("press %q: %v\n%s", label, err, transcript(u))
			}
			checked := "☑ " + questions.Letter(c)
			m, err := u.WaitAfter(e.ctx(), s, func(m telegramtest.Message) bool { return m.ID == msg.ID && m.HasButton(checked) })
			if err != nil {
				e.t.Fatalf("toggle %q not shown: %v\n%s", label, err, transcript(u))
			}
			msg = m
		}
		if _, err := u.PressOn(msg.ID, "提交"); err != nil {
			e.t.Fatalf("submit: %v", err)
		}
	default:
		opt := 0
		if right {
			opt = it.Answer[0]
		} else if len(it.Answer) > 0 && it.Answer[0] == 0 {
			opt = 1
		}
		label := questions.Letter(opt)
		if it.Type == questions.TrueFalse {
			label = it.Options[opt]
		}
		msg := e.questionMessage(u, idx)
		if _, err := u.PressOn(msg.ID, label); err != nil {
			e.t.Fatalf("press %q: %v\n%s", label, err, transcript(u))
		}
	}
	// The answer is recorded before any reply: wait for the store, then
	// for the reply that follows.
	deadline := time.Now().Add(20 * time.Second)
	for {
		b := e.attempt(u.ID(), a.ID)
		if b.Responses[idx].Done {
			break
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("answer to item %d not recorded\n%s", idx, transcript(u))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := u.WaitAfter(e.ctx(), seq, nil); err != nil {
		e.t.Fatalf("no reply after answering: %v", err)
	}
}

// questionMessage finds the bot message that asks item idx ("第 n/N 题").
func (e *env) questionMessage(u *telegramtest.User, idx int) telegramtest.Message {
	e.t.Helper()
	want := "第 " + strconv.Itoa(idx+1) + "/"
	m, err := u.Wait(e.ctx(), func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, want) && len(m.Buttons) > 0 && isAnswerData(m.Buttons[0][0].Data)
	})
	if err != nil {
		e.t.Fatalf("question %d not shown: %v\n%s", idx+1, err, transcript(u))
	}
	return m
}

// openAttempt returns the user's open attempt (the one in their dialog).
func (e *env) openAttempt(user int64) *quiz.Attempt {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out *quiz.Attempt
		for _, a := range e.attempts(user) {
			if !a.Closed {
				out = a
			}
		}
		if out != nil {
			return out
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("user %d has no open attempt", user)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// attempts returns every attempt of a user: study, tests, practice.
func (e *env) attempts(user int64) []*quiz.Attempt {
	e.t.Helper()
	var out []*quiz.Attempt
	if err := e.db.View(context.Background(), func(tx quiz.Tx) error {
		for _, k := range []quiz.Kind{quiz.Study, quiz.Test, quiz.Practice} {
			ids, err := tx.UserAttempts(user, k)
			if err != nil {
				return err
			}
			for _, id := range ids {
				a, err := tx.Attempt(id)
				if err != nil {
					return err
				}
				out = append(out, a)
			}
		}
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) attempt(user int64, id uint64) *quiz.Attempt {
	e.t.Helper()
	a, err := e.svc.Attempt(context.Background(), user, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// ledger returns a user's ledger.
func (e *env) ledger(user int64) []quiz.Entry {
	e.t.Helper()
	var out []quiz.Entry
	if err := e.db.View(context.Background(), func(tx quiz.Tx) error {
		var err error
		out, err = tx.Entries(user)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// settle waits until the bot has nothing left to send.
func (e *env) settle() {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !e.bot.Sender().Idle() {
		if time.Now().After(deadline) {
			e.t.Fatal("the bot kept sending")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// isAnswerData reports whether a button answers a question (rather than,
// say, reporting one as wrong).
func isAnswerData(d string) bool {
	return strings.HasPrefix(d, "a:") || strings.HasPrefix(d, "m:") || strings.HasPrefix(d, "s:")
}

// recorder keeps every bot message of a chat as it was shown: each send
// and each edit, in order.
type recorder struct {
	mu   sync.Mutex
	msgs []telegramtest.Message
}

// record starts keeping what u is shown.
func (e *env) record(u *telegramtest.User) *recorder {
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	events := u.Events(ctx)
	go func() {
		for ev := range events {
			if ev.Kind == telegramtest.MessageSent || ev.Kind == telegramtest.MessageEdited {
				rec.mu.Lock()
				rec.msgs = append(rec.msgs, ev.Message)
				rec.mu.Unlock()
			}
		}
	}()
	return rec
}

func (r *recorder) shown() []telegramtest.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]telegramtest.Message(nil), r.msgs...)
}
