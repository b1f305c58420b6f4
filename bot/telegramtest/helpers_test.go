package telegramtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

const token = "42:secret-TOKEN_x"

// newServer starts a server closed at the end of the test. Pacing is off
// unless the test asks for it.
func newServer(t *testing.T, opts telegramtest.Options) *telegramtest.Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	srv, err := telegramtest.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func quietServer(t *testing.T) *telegramtest.Server {
	t.Helper()
	return newServer(t, telegramtest.Options{DisablePacing: true})
}

func newBot(t *testing.T, srv *telegramtest.Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.APIEndpoint(), &http.Client{Timeout: 70 * time.Second})
	if err != nil {
		t.Fatalf("NewBotAPIWithAPIEndpoint: %v", err)
	}
	return bot
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// envelope is a decoded answer of the server.
type envelope struct {
	Status      int
	Header      http.Header
	Raw         string
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// raw calls method with form parameters, like tgbotapi does, and decodes
// the envelope.
func raw(t *testing.T, srv *telegramtest.Server, method string, form map[string]string) envelope {
	t.Helper()
	env, err := rawE(srv, method, form)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return env
}

// rawE is raw for other goroutines: it reports failures instead.
func rawE(srv *telegramtest.Server, method string, form map[string]string) (envelope, error) {
	v := url.Values{}
	for k, s := range form {
		v.Set(k, s)
	}
	resp, err := httpClient.Post(srv.URL+"/bot"+srv.Token()+"/"+method, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		return envelope{}, err
	}
	return decodeE(resp)
}

func decode(t *testing.T, resp *http.Response) envelope {
	t.Helper()
	env, err := decodeE(resp)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func decodeE(resp *http.Response) (envelope, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return envelope{}, err
	}
	env := envelope{Status: resp.StatusCode, Header: resp.Header, Raw: string(body)}
	if err := json.Unmarshal(body, &env); err != nil {
		return env, fmt.Errorf("body %q is not JSON: %v", body, err)
	}
	return env, nil
}

// wantError asserts an error envelope with this code and description.
func wantError(t *testing.T, env envelope, code int, desc string) {
	t.Helper()
	if env.OK || env.Status != code || env.ErrorCode != code || env.Description != desc {
		t.Fatalf("got status %d body %s, want %d %q", env.Status, env.Raw, code, desc)
	}
	if ct := env.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

func wantOK(t *testing.T, env envelope) {
	t.Helper()
	if !env.OK || env.Status != 200 {
		t.Fatalf("got status %d body %s, want ok", env.Status, env.Raw)
	}
}

// apiErr unwraps tgbotapi's *Error.
func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return e
}

// started returns a user who has written to the bot, with the update read
// and confirmed.
func started(t *testing.T, srv *telegramtest.Server, id int64, name string) *telegramtest.User {
	t.Helper()
	u := srv.NewUser(id, name)
	u.SendText("/start")
	drain(t, srv)
	return u
}

// drain confirms every pending update.
func drain(t *testing.T, srv *telegramtest.Server) []tgbotapi.Update {
	t.Helper()
	env := raw(t, srv, "getUpdates", nil)
	wantOK(t, env)
	var ups []tgbotapi.Update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatalf("updates: %v", err)
	}
	if len(ups) > 0 {
		wantOK(t, raw(t, srv, "getUpdates", map[string]string{"offset": itoa(ups[len(ups)-1].UpdateID + 1)}))
	}
	return ups
}

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func markup(rows ...[]tgbotapi.InlineKeyboardButton) string {
	return jsonString(tgbotapi.NewInlineKeyboardMarkup(rows...))
}

var httpClient = &http.Client{Timeout: 70 * time.Second}
