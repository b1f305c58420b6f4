// Command partyquiz runs the partyquiz Telegram bot and its tools:
//
//	partyquiz [-config bot.toml]        run the bot
//	partyquiz chat [-config bot.toml]   try the bot offline in the terminal
//	partyquiz validate PATH...          check bank, plan and org files
//	partyquiz import FILE.xlsx [-o DIR] turn an Excel question bank into bank files
//	partyquiz backup FILE               back up the store of a stopped bot
//	partyquiz check                     check a stopped bot's store, read-only
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"partyquiz/bot"
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches the subcommand and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && !isFlag(args[0]) {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "validate":
		return runValidate(args, stdout, stderr)
	case "import":
		return runImport(args, stdout, stderr)
	case "backup":
		return runBackup(args, stdout, stderr)
	case "check":
		return runCheck(args, stdout, stderr)
	case "", "run", "chat":
		m := NewMain(stdout, stderr)
		m.chatting = cmd == "chat"
		if err := m.ParseFlags(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintln(stderr, err)
			return 2
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		var err error
		if cmd == "chat" {
			err = m.Chat(ctx, stdin)
		} else {
			err = m.Run(ctx)
		}
		if err != nil {
			fmt.Fprintln(stderr, "partyquiz:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "partyquiz: unknown command %q\n\n%s", cmd, usage)
	return 2
}

const usage = `usage:
  partyquiz [-config bot.toml]          run the bot (needs a token)
  partyquiz chat [-config bot.toml] [-as 书记|党员]
                                        try it offline in this terminal (as an admin,
                                        or as a branch secretary or a member)
  partyquiz validate PATH...            check bank, plan and org files
  partyquiz import FILE.xlsx [-o DIR]   turn an Excel question bank into bank files
  partyquiz backup [-config bot.toml] FILE|FOLDER
                                        back up the store of a stopped bot
  partyquiz check [-config bot.toml]    check the store of a stopped bot, read-only
`

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

// Main is the program: its configuration and how it is wired. End-to-end
// tests set Config and call Run.
type Main struct {
	ConfigPath string
	Config     Config
	Stdout     io.Writer
	Stderr     io.Writer
	Log        *slog.Logger
	Now        func() time.Time // the engine's clock; time.Now when nil

	// Ready, if set, is called once the bot is running (tests use it).
	Ready func(*bot.Bot)
	// OpsAddr is the address the ops endpoint listens on, set before
	// Ready is called (ops.listen may name port 0).
	OpsAddr string
	// WebappAddr is the address the dashboard listens on, likewise.
	WebappAddr string
	// ChatPath is the store of `partyquiz chat` (data/chat.db when empty):
	// never the configured one.
	ChatPath string
	// ChatAs is who the terminal user of `partyquiz chat` is: an admin
	// ("", the default), a branch's secretary who is also its member
	// (书记) or a member only (党员).
	ChatAs   string
	chatting bool // the chat subcommand: -as is a flag
}

// NewMain returns a Main with the default configuration.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{ConfigPath: "bot.toml", Config: DefaultConfig(), Stdout: stdout, Stderr: stderr}
}

// ParseFlags reads the flags and the configuration file.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("partyquiz", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&m.ConfigPath, "config", "bot.toml", "configuration file")
	if m.chatting {
		fs.StringVar(&m.ChatAs, "as", "", "chat as 书记 (a branch secretary who is also its member) or 党员 (a member); an admin when empty")
	}
	fs.Usage = func() { fmt.Fprint(m.Stderr, usage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if _, ok := chatRoles[m.ChatAs]; !ok {
		return fmt.Errorf("-as %q: want 书记 or 党员 (or nothing, for an admin)", m.ChatAs)
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	c, err := LoadConfig(m.ConfigPath, !explicit)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("config %s: %w", m.ConfigPath, err)
	}
	m.Config = c
	return nil
}

const noTokenHelp = `partyquiz needs a Telegram bot token to run.

  1. In Telegram, talk to @BotFather, send /newbot and follow its questions.
  2. Put the token it gives you in bot.toml ([telegram] token = "…")
     or in the environment: TELEGRAM_BOT_TOKEN=123456:ABC… go run .

To try partyquiz without a token, offline, in this terminal:

  go run . chat
`

// Run runs the bot until ctx is done.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	if c.Telegram.Token == "" {
		fmt.Fprint(m.Stderr, noTokenHelp)
		return errors.New("no bot token")
	}
	return m.serve(ctx, c)
}

// serve opens the store, loads the content and runs the bot, with the ops
// endpoint and the scheduled backups if configured.
func (m *Main) serve(ctx context.Context, c Config) error {
	log := m.logger(c)
	db, svc, err := m.open(c)
	if err != nil {
		return err
	}
	defer db.Close()
	metrics := bot.NewMetrics()
	db.ObserveCommits(func(d time.Duration) { metrics.Stage(bot.StageCommit, d) })
	pace := bot.DefaultPace
	if !c.Telegram.Pace {
		pace = bot.Pace{}
	}
	var webhook *bot.Webhook
	if c.Telegram.Mode == "webhook" {
		webhook = &bot.Webhook{URL: c.Telegram.WebhookURL, Listen: c.Telegram.WebhookListen,
			Secret: c.Telegram.WebhookSecret, MaxConnections: c.Telegram.WebhookConnections}
	}
	b, err := bot.New(bot.Options{
		Token: c.Telegram.Token, APIEndpoint: c.Telegram.APIEndpoint, FileEndpoint: c.Telegram.FileEndpoint,
		Service: svc, Dialogs: db, Outbox: db, Inbox: db, Log: log, Metrics: metrics, Pace: pace,
		PollTimeout: c.Telegram.PollTimeout, Webhook: webhook, DashboardURL: c.Webapp.URL,
	})
	if err != nil {
		return err
	}

	o := &ops{metrics: metrics, path: c.Store.Path, started: time.Now(),
		store: func(context.Context) error { _, err := db.Version(); return err }}
	var loops sync.WaitGroup
	defer loops.Wait() // after cancel, below
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.Backup.Dir != "" {
		bk, err := newBackups(db, c, log)
		if err != nil {
			return err
		}
		o.backups = bk
		loops.Add(1)
		go func() { defer loops.Done(); bk.run(ctx) }()
	}
	if c.Ops.Listen != "" {
		addr, stop, err := serveOps(c.Ops.Listen, o.handler(c.Ops.Pprof), log)
		if err != nil {
			return err
		}
		defer stop()
		m.OpsAddr = addr
	}
	if c.Webapp.Listen != "" {
		addr, stop, err := serveWebapp(c, b, log)
		if err != nil {
			return err
		}
		defer stop()
		m.WebappAddr = addr
	}

	go func() {
		select {
		case <-b.Ready():
			o.running.Store(true)
			if m.Ready != nil {
				m.Ready(b)
			}
		case <-ctx.Done():
		}
	}()
	log.Info("partyquiz running", "store", c.Store.Path, "banks", svc.Content().Catalog.Count(), "mode", c.Telegram.Mode)
	err = b.Run(ctx)
	o.running.Store(false)
	log.Info("partyquiz stopped")
	return err
}

// logger is m.Log, or the configured log on m.Stderr; either way with the
// token taken out.
func (m *Main) logger(c Config) *slog.Logger {
	if m.Log != nil {
		return slog.New(redactToken(m.Log.Handler(), c.Telegram.Token))
	}
	return newLogger(c, m.Stderr)
}

// open opens the store and builds the engine over it.
func (m *Main) open(c Config) (*store.DB, *quiz.Service, error) {
	content, err := loadContent(c)
	if err != nil {
		return nil, nil, err
	}
	cal, err := quiz.NewCalendar(c.Bot.Timezone)
	if err != nil {
		return nil, nil, err
	}
	rules, err := c.Rules()
	if err != nil {
		return nil, nil, err
	}
	if dir := filepath.Dir(c.Store.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("store folder: %w", err)
		}
	}
	maxSize, err := c.MaxSize()
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(c.Store.Path, store.Options{MaxSize: maxSize})
	if err != nil {
		return nil, nil, err // it names the file
	}
	// What admins published in chat is laid over the configured banks.
	content, err = quiz.PublishedContent(context.Background(), db, content.Catalog, content.Tree)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	now := m.Now
	if now == nil {
		now = time.Now
	}
	svc := quiz.NewService(db, cal, rules, now, c.Bot.Admins, content)
	// A store written by an older program gets the totals this one keeps.
	if err := svc.Upgrade(context.Background()); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("upgrade the store's totals: %w", err)
	}
	return db, svc, nil
}

// loadContent reads the banks (a folder, or the built-in ones) and the
// organisation tree (a file, or the built-in sample).
func loadContent(c Config) (*quiz.Content, error) {
	var cat *questions.Catalog
	if c.Questions.Dir == "" {
		var err error
		if cat, err = questions.Builtin(); err != nil {
			return nil, err
		}
	} else {
		set := questions.Load(c.Questions.Dir)
		if set.Catalog == nil {
			return nil, fmt.Errorf("questions.dir %s has problems (run partyquiz validate %s):\n%w", c.Questions.Dir, c.Questions.Dir, set.Problems)
		}
		cat = set.Catalog
	}
	org := cat.Org
	if c.Bot.Org != "" {
		set := questions.Load(c.Bot.Org)
		if set.Catalog == nil || set.Catalog.Org == nil {
			if set.Catalog != nil {
				return nil, fmt.Errorf("bot.org %s: no [[node]] in it", c.Bot.Org)
			}
			return nil, fmt.Errorf("bot.org %s has problems:\n%w", c.Bot.Org, set.Problems)
		}
		org = set.Catalog.Org
	}
	if org == nil {
		b, err := questions.Builtin()
		if err != nil {
			return nil, err
		}
		org = b.Org
	}
	tree, err := quiz.TreeOf(org)
	if err != nil {
		return nil, err
	}
	cat.Org = org // the catalog names the tree in use: /banks says where it came from
	return &quiz.Content{Catalog: cat, Tree: tree}, nil
}
