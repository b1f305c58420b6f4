package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
)

// TestShippedConfig: bot.toml as shipped is valid and documents exactly
// the defaults.
func TestShippedConfig(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	c, err := LoadConfig("bot.toml", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(c, want) {
		t.Errorf("bot.toml differs from the defaults:\n got %+v\nwant %+v", c, want)
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bot.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	tests := []struct{ text, want string }{
		{"[test]\nminuts = 30\n", "test.minuts"},
		{"[telegarm]\ntoken = \"1:a\"\n", "telegarm"},
		{"[bot]\ntimezone = \"Mars/Olympus\"\n", "bot.timezone"},
		{"[test]\npass_mark = 101\n", "test.pass_mark"},
		{"[remind]\ndays = 99\n", "remind.days"},
		{"[test]\nwindow = \"week\"\n", "test.window"},
		{"[test.mix]\nessay = 2\n", "test.mix.essay"},
		{"[points]\nstars = [10, 20]\n", "points.stars"},
		{"[telegram]\napi_endpoint = \"ftp://x\"\n", "telegram.api_endpoint"},
		{"[telegram]\ntoken = \"not a token\"\n", "telegram.token"},
		{"[bot]\nadmins = [-5]\n", "bot.admins"},
		{"[store]\npath = \"\"\n", "store.path"},
		{"[study]\nquestions = 0\n", "study.questions"},
		{"[test]\nminutes = \"thirty\"\n", "minutes"},
		{"[contest]\ntop = [3, 2]\n", "contest.top"},
		{"[contest]\njoin = -1\n", "contest.join"},
		{"[contest]\ndaily_cap = -5\n", "contest.daily_cap"},
		{"[contest]\ncountdown_seconds = 3\n", "contest.countdown_seconds"},
		{"[contest]\nprize = 5\n", "contest.prize"},
	}
	for _, tt := range tests {
		m := NewMain(io.Discard, io.Discard)
		err := m.ParseFlags([]string{"-config", writeConfig(t, tt.text)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error naming %s", tt.text, err, tt.want)
		}
	}
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-config", filepath.Join(t.TempDir(), "missing.toml")}); err == nil {
		t.Error("an explicit config file that does not exist must be an error")
	}
}

func TestTokenFromEnvironment(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
	c, err := LoadConfig(writeConfig(t, "[telegram]\ntoken = \"1:x\"\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token != "123:ABC" {
		t.Errorf("token %q", c.Telegram.Token)
	}
}

func TestNoToken(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	var out, errOut bytes.Buffer
	code := run([]string{"-config", writeConfig(t, "")}, strings.NewReader(""), &out, &errOut)
	if code == 0 {
		t.Fatal("exit status 0 without a token")
	}
	for _, want := range []string{"@BotFather", "go run . chat", "TELEGRAM_BOT_TOKEN"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("no %q in:\n%s", want, errOut.String())
		}
	}
}

func TestValidateCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", "questions/builtin"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("built-in banks: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "没有发现问题") {
		t.Errorf("summary: %s", out.String())
	}
	out.Reset()
	if code := run([]string{"validate", "questions/testdata/broken/answers.toml", "no/such/file.toml"}, nil, &out, &errOut); code != 1 {
		t.Fatalf("broken: exit %d", code)
	}
	for _, want := range []string{"answers.toml:9: ", "no/such/file.toml: 找不到", "发现 10 个问题"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
	if code := run([]string{"validate"}, nil, &out, &errOut); code != 2 {
		t.Errorf("no paths: exit %d, want 2", code)
	}
	if code := run([]string{"frobnicate"}, nil, &out, &errOut); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// TestRun: the program as configured — token, endpoints, a store file —
// serves a user and stops cleanly on cancel.
func TestRun(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true})
	defer srv.Close()
	m := NewMain(io.Discard, io.Discard)
	m.Config.Telegram.Token = srv.Token()
	m.Config.Telegram.APIEndpoint = srv.APIEndpoint()
	m.Config.Telegram.FileEndpoint = srv.FileEndpoint()
	m.Config.Telegram.PollTimeout = 1
	m.Config.Store.Path = filepath.Join(t.TempDir(), "data", "pq.db")
	ready := make(chan *bot.Bot, 1)
	m.Ready = func(b *bot.Bot) { ready <- b }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	u := srv.NewUser(5, "访客")
	u.SendText("/start")
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if _, err := u.Wait(wctx, func(m telegramtest.Message) bool { return strings.Contains(m.Text, "邀请链接") }); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Commands()); got == 0 {
		t.Error("no command menu was set")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("did not stop")
	}
	if _, err := os.Stat(m.Config.Store.Path); err != nil {
		t.Errorf("no store file: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
