package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
)

// running is a Main running in a goroutine.
type running struct {
	m      *Main
	ready  chan *bot.Bot
	cancel context.CancelFunc
	done   chan error
}

// startMain runs m until the test ends (or stop is called).
func startMain(t *testing.T, m *Main) *running {
	t.Helper()
	r := &running{m: m, ready: make(chan *bot.Bot, 1), done: make(chan error, 1)}
	m.Ready = func(b *bot.Bot) { r.ready <- b }
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- m.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-r.ready:
	case err := <-r.done:
		t.Fatalf("stopped before ready: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("not ready")
	}
}

func (r *running) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("did not stop")
	}
}

// fakeMain is a Main configured for the fake server, logging to stderr.
func fakeMain(t *testing.T, srv *telegramtest.Server, stderr io.Writer) *Main {
	t.Helper()
	m := NewMain(io.Discard, stderr)
	m.Config.Telegram.Token = srv.Token()
	m.Config.Telegram.APIEndpoint = srv.APIEndpoint()
	m.Config.Telegram.FileEndpoint = srv.FileEndpoint()
	m.Config.Telegram.PollTimeout = 1
	m.Config.Store.Path = filepath.Join(t.TempDir(), "data", "pq.db")
	return m
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkNoToken fails if the log holds the token or its secret half, and
// checks that a redacted URL is there (so the test saw what it meant to).
func checkNoToken(t *testing.T, log, token string) {
	t.Helper()
	_, secret, _ := strings.Cut(token, ":")
	if strings.Contains(log, token) || strings.Contains(log, secret) {
		t.Errorf("the log contains the token:\n%s", log)
	}
	if !strings.Contains(log, "/bot"+tokenMark+"/") {
		t.Errorf("no redacted request URL in the log (the failing call was not logged?):\n%s", log)
	}
}

// TestLogHidesTokenWhenTelegramIsDown: the Bot API does not answer (the
// server is stopped); net/http's error holds the request URL with the
// token; the log shows "<token>" instead, in both formats.
func TestLogHidesTokenWhenTelegramIsDown(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			srv := telegramtest.NewServer(telegramtest.Options{Token: "777001:AAF-secretPart_ofTheToken42"})
			srv.Close() // connection refused from now on
			var log syncBuffer
			m := fakeMain(t, srv, &log)
			m.Config.Log.Format = format
			r := startMain(t, m)
			waitFor(t, "the failed getMe in the log", func() bool { return strings.Contains(log.String(), "telegram unreachable") })
			r.stop(t)
			checkNoToken(t, log.String(), srv.Token())
		})
	}
}

// TestLogHidesTokenDuringOutage: a reply fails with a reset connection
// while the bot runs; the retry is logged with the URL, without the token.
func TestLogHidesTokenDuringOutage(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true, Token: "777002:BBG-anotherSecret_99"})
	defer srv.Close()
	var log syncBuffer
	r := startMain(t, fakeMain(t, srv, &log))
	r.waitReady(t)
	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Reset: true, Times: 2})
	u := srv.NewUser(5, "访客")
	u.SendText("/start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := u.Wait(ctx, func(m telegramtest.Message) bool { return strings.Contains(m.Text, "邀请链接") }); err != nil {
		t.Fatal(err)
	}
	r.stop(t)
	if !strings.Contains(log.String(), "will be retried") {
		t.Fatalf("the failed call was not logged:\n%s", log.String())
	}
	checkNoToken(t, log.String(), srv.Token())
}

type stringer string

func (s stringer) String() string { return string(s) }

// TestRedactHandler: every way a value reaches a record is cleaned.
func TestRedactHandler(t *testing.T) {
	const token = "123456:SECRET-abcdefgh"
	var b strings.Builder
	l := slog.New(redactToken(slog.NewTextHandler(&b, nil), token))
	l = l.With("client", "https://api.telegram.org/bot"+token+"/x").WithGroup("g")
	l.Info("calling /bot"+token+"/getMe",
		"err", fmt.Errorf("wrapped: %w", errors.New("Post \"http://h/bot"+token+"/sendMessage\": EOF")),
		"s", stringer("SECRET-abcdefgh"),
		"escaped", "bot123456%3ASECRET-abcdefgh",
		slog.Group("inner", "url", "/bot"+token+"/getUpdates"),
		"n", 42,
		"any", struct{ URL string }{"/bot" + token},
	)
	out := b.String()
	if strings.Contains(out, "SECRET") {
		t.Errorf("the token leaked:\n%s", out)
	}
	for _, want := range []string{"msg=\"calling /bot<token>/getMe\"", "client=https://api.telegram.org/bot<token>/x", "g.n=42", "g.inner.url=/bot<token>/getUpdates", "g.err=\"wrapped: Post"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestOpsEndpoint: /healthz and /metrics of a running bot.
func TestOpsEndpoint(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true})
	defer srv.Close()
	m := fakeMain(t, srv, io.Discard)
	m.Config.Ops.Listen = "127.0.0.1:0"
	r := startMain(t, m)
	r.waitReady(t)
	base := "http://" + m.OpsAddr
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	waitFor(t, "healthy", func() bool { code, _ := get("/healthz"); return code == 200 })
	u := srv.NewUser(5, "访客")
	u.SendText("/start")
	waitFor(t, "one update counted", func() bool {
		_, body := get("/metrics")
		return strings.Contains(body, "partyquiz_updates_handled_total 1")
	})
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		"# TYPE partyquiz_answers_recorded_total counter",
		`partyquiz_telegram_calls_total{method="setMyCommands",result="ok"} 1`,
		"partyquiz_telegram_429_total 0", "partyquiz_send_queue ", "partyquiz_outbox_pending ",
		`partyquiz_handle_seconds_bucket{le="+Inf"} 1`, "partyquiz_up 1", "partyquiz_store_bytes ",
		"partyquiz_store_disk_free_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in /metrics:\n%s", want, body)
		}
	}
	// Every step on the way to the reply was timed (the store's commits
	// too: main wires them): the poll held, the update queued, the
	// inbox's commit, the reply queued, the calls.
	waitFor(t, "every stage timed", func() bool {
		_, body := get("/metrics")
		for _, stage := range []string{"poll_hold", "queued", "commit", "send_queue", "call"} {
			m := regexp.MustCompile(`partyquiz_stage_seconds_count\{stage="` + stage + `"\} (\d+)`).FindStringSubmatch(body)
			if m == nil || m[1] == "0" {
				return false
			}
		}
		return true
	})
	if code, _ := get("/debug/pprof/"); code != 404 {
		t.Errorf("pprof served without ops.pprof: %d", code)
	}
}

// TestHealthReasons: 503 before the bot runs and when the store does not
// answer.
func TestHealthReasons(t *testing.T) {
	o := &ops{store: func(context.Context) error { return nil }}
	h := o.handler(true)
	check := func(want int, wantBody string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != want || !strings.Contains(rec.Body.String(), wantBody) {
			t.Errorf("healthz: %d %q, want %d %q", rec.Code, rec.Body.String(), want, wantBody)
		}
	}
	check(503, "not running")
	o.running.Store(true)
	check(200, "ok")
	o.store = func(context.Context) error { return errors.New("database not open") }
	check(503, "store: database not open")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/", nil))
	if rec.Code != 200 {
		t.Errorf("pprof with ops.pprof: %d", rec.Code)
	}
}

// TestRunWebhookMode: [telegram] mode = "webhook" runs the bot by webhook,
// with the configured address and a secret.
func TestRunWebhookMode(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true, WebhookRetryMin: 10 * time.Millisecond})
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	m := fakeMain(t, srv, io.Discard)
	m.Config.Telegram.Mode = "webhook"
	m.Config.Telegram.WebhookListen = addr
	m.Config.Telegram.WebhookURL = "http://" + addr + "/tg"
	if err := m.Config.Validate(); err != nil {
		t.Fatal(err)
	}
	r := startMain(t, m)
	r.waitReady(t)
	waitFor(t, "the webhook set", func() bool { return srv.WebhookInfo().URL == m.Config.Telegram.WebhookURL })
	u := srv.NewUser(5, "访客")
	u.SendText("/start")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := u.Wait(ctx, func(m telegramtest.Message) bool { return strings.Contains(m.Text, "邀请链接") }); err != nil {
		t.Fatal(err)
	}
	// Anything else posting there is refused: the secret was set.
	resp, err := http.Post(m.Config.Telegram.WebhookURL, "application/json", strings.NewReader(`{"update_id":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a POST without the secret: %d, want 401", resp.StatusCode)
	}
}

// TestOperatingConfig: the new keys are checked, each error naming its key.
func TestOperatingConfig(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	tests := []struct{ text, want string }{
		{"[telegram]\nmode = \"push\"\n", "telegram.mode"},
		{"[telegram]\nmode = \"webhook\"\nwebhook_listen = \"127.0.0.1:8443\"\n", "telegram.webhook_url"},
		{"[telegram]\nmode = \"webhook\"\nwebhook_url = \"http://quiz.example.org/tg\"\nwebhook_listen = \"127.0.0.1:8443\"\n", "telegram.webhook_url"},
		{"[telegram]\nmode = \"webhook\"\nwebhook_url = \"https://quiz.example.org/tg\"\n", "telegram.webhook_listen"},
		{"[telegram]\nwebhook_secret = \"has space\"\n", "telegram.webhook_secret"},
		{"[telegram]\nwebhook_connections = 0\n", "telegram.webhook_connections"},
		{"[store]\nmax_size = \"lots\"\n", "store.max_size"},
		{"[store]\nmax_size = \"100KB\"\n", "store.max_size"},
		{"[backup]\nevery = \"daily\"\n", "backup.every"},
		{"[backup]\nevery = \"-1h\"\n", "backup.every"},
		{"[backup]\nkeep = 0\n", "backup.keep"},
		{"[ops]\nlisten = \"9090\"\n", "ops.listen"},
		{"[log]\nlevel = \"loud\"\n", "log.level"},
		{"[log]\nformat = \"xml\"\n", "log.format"},
	}
	for _, tt := range tests {
		m := NewMain(io.Discard, io.Discard)
		err := m.ParseFlags([]string{"-config", writeConfig(t, tt.text)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error naming %s", tt.text, err, tt.want)
		}
	}
	ok := "[telegram]\nmode = \"webhook\"\nwebhook_url = \"https://quiz.example.org/tg\"\nwebhook_listen = \"127.0.0.1:8443\"\n" +
		"webhook_secret = \"abc_DEF-123\"\npace = false\n[store]\nmax_size = \"2GiB\"\n[backup]\ndir = \"/var/backups/pq\"\nevery = \"6h\"\nkeep = 3\n" +
		"[ops]\nlisten = \"127.0.0.1:9090\"\npprof = true\n[log]\nlevel = \"debug\"\nformat = \"json\"\n"
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-config", writeConfig(t, ok)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := m.Config.MaxSize(); n != 2<<30 {
		t.Errorf("max_size 2GiB = %d", n)
	}
	for in, want := range map[string]int{"": 0, "512MB": 512 << 20, "1 GB": 1 << 30, "3mib": 3 << 20, "2097152": 2 << 20} {
		c := DefaultConfig()
		c.Store.MaxSize = in
		if got, err := c.MaxSize(); got != want || err != nil {
			t.Errorf("max_size %q = %d, %v; want %d", in, got, err, want)
		}
	}
}
