package bot

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Webhook configures taking updates by webhook instead of long polling:
// Telegram POSTs each update to URL, which a reverse proxy (or Telegram
// itself, in tests) passes to Listen.
type Webhook struct {
	// URL is the public address Telegram posts to. The real Bot API wants
	// HTTPS on port 443, 80, 88 or 8443; the bot serves plain HTTP on
	// Listen, so TLS is the reverse proxy's job. Only the URL's path is
	// served (any path when it is empty or "/").
	URL string
	// Listen is the address to serve on, e.g. "127.0.0.1:8443".
	Listen string
	// Listener, if set, is used instead of listening on Listen (tests).
	Listener net.Listener
	// Secret is setWebhook's secret_token (1–256 of A-Za-z0-9_-): Telegram
	// sends it in the X-Telegram-Bot-Api-Secret-Token header of every
	// update, and a POST without it is refused. Empty: NewWebhookSecret.
	Secret string
	// MaxConnections is setWebhook's max_connections, the updates Telegram
	// delivers at once (1–100; default 40).
	MaxConnections int
}

// secretHeader carries the webhook's secret token.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBytes bounds the body of one update POST (an update with the
// longest text and caption is a few tens of kilobytes).
const maxUpdateBytes = 1 << 20

// NewWebhookSecret returns a random secret token: 43 characters of
// A-Za-z0-9_-, 256 bits.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("bot: no randomness for the webhook secret: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidWebhookSecret reports whether s is a secret_token Telegram accepts.
func ValidWebhookSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// hook is the running webhook endpoint.
type hook struct {
	b      *Bot
	cfg    Webhook
	path   string
	ln     net.Listener
	srv    *http.Server
	locks  chatLocks
	warned time.Time // last "refused" warning, to keep forgeries from flooding the log
	mu     sync.Mutex
}

// listenWebhook checks the webhook settings and opens its listener, so
// that a busy address fails Run before anything else happens.
func (b *Bot) listenWebhook() (*hook, error) {
	cfg := *b.opts.Webhook
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("bot: webhook URL %q is not an http(s) URL", cfg.URL)
	}
	if cfg.Secret == "" {
		cfg.Secret = NewWebhookSecret()
	}
	if !ValidWebhookSecret(cfg.Secret) {
		return nil, errors.New("bot: the webhook secret must be 1–256 characters of A-Za-z0-9_-")
	}
	if cfg.MaxConnections == 0 {
		cfg.MaxConnections = 40
	}
	if cfg.MaxConnections < 1 || cfg.MaxConnections > 100 {
		return nil, fmt.Errorf("bot: webhook max connections %d is not between 1 and 100", cfg.MaxConnections)
	}
	h := &hook{b: b, cfg: cfg, path: u.Path, ln: cfg.Listener, locks: chatLocks{m: map[int64]*chatLock{}}}
	if h.path == "/" {
		h.path = ""
	}
	if h.ln == nil {
		if h.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return nil, fmt.Errorf("bot: webhook listen: %w", err)
		}
	}
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(b.log.Handler(), slog.LevelWarn)}
	return h, nil
}

// close closes the listener of a webhook that never served.
func (h *hook) close() { h.ln.Close() }

// set tells Telegram where to post updates (setWebhook), retrying while it is
// unreachable. It fails for good on a 4xx (a URL Telegram refuses) and
// returns nil if ctx ends first.
func (h *hook) set(ctx context.Context) error {
	b := h.b
	p := tgbotapi.Params{}
	p["url"] = h.cfg.URL
	p["secret_token"] = h.cfg.Secret
	p["max_connections"] = strconv.Itoa(h.cfg.MaxConnections)
	p["allowed_updates"] = `["message","edited_message","callback_query","my_chat_member","poll","poll_answer"]` // updateKinds
	for attempt := 0; ; attempt++ {
		_, err := b.api.MakeRequest("setWebhook", p)
		b.metrics.call("setWebhook", err)
		if err == nil {
			b.log.Info("webhook set", "listen", h.ln.Addr().String(), "max_connections", h.cfg.MaxConnections)
			return nil
		}
		wait, retry := retryAfter(err, attempt)
		if !retry {
			return fmt.Errorf("telegram refused the webhook: %w", err)
		}
		b.log.Warn("setWebhook failed, retrying", "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// deleteWebhook makes sure no webhook is set before long polling (a bot
// switched back from webhook mode), keeping the updates that wait.
func (b *Bot) deleteWebhook(ctx context.Context) {
	if _, err := b.send.Call(ctx, tgbotapi.DeleteWebhookConfig{}, 3); err != nil && ctx.Err() == nil {
		b.log.Warn("deleteWebhook failed; polling will retry it on a conflict", "err", err)
	}
}

// serve serves update POSTs until ctx is done; then it stops taking
// them, waits for the ones in flight to be handled and answered (so that
// Telegram does not deliver them again), and returns. The webhook stays
// set: Telegram keeps what comes meanwhile for the next start.
func (h *hook) serve(ctx context.Context) error {
	b := h.b
	served := make(chan error, 1)
	go func() { served <- h.srv.Serve(h.ln) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("webhook server: %w", err)
	}
	grace, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(grace); err != nil {
		b.log.Warn("webhook updates still in flight at shutdown", "err", err)
	}
	return nil
}

// ServeHTTP takes one update: it checks the secret, handles the update
// (in order with the others of its chat) and only then answers 200, so an
// update whose answer Telegram did not get is delivered again.
func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.path != "" && r.URL.Path != h.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(secretHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.cfg.Secret)) != 1 {
		h.refused(r, got == "")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
	if err != nil {
		http.Error(w, "body too large or cut short", http.StatusRequestEntityTooLarge)
		return
	}
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil {
		h.b.log.Error("webhook: an update that is not JSON", "err", err)
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	// A button press's answer (answerCallbackQuery) goes back in the
	// response, as the Bot API allows: one round trip less per press. It
	// is written only after the update is handled and recorded, like the
	// 200 itself; a toast offered after that goes as a call of its own.
	var carried *tgbotapi.CallbackConfig
	var mu sync.Mutex
	answered := false
	carry := func(c tgbotapi.CallbackConfig) bool {
		mu.Lock()
		defer mu.Unlock()
		if answered || carried != nil {
			return false
		}
		carried = &c
		return true
	}
	func() {
		defer h.locks.lock(chatOf(u))()
		h.b.handleUpdate(context.WithoutCancel(r.Context()), u, carry)
	}()
	mu.Lock()
	answered = true
	c := carried
	mu.Unlock()
	if c == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	// Strings, a bool and an int: Marshal cannot fail.
	reply, _ := json.Marshal(webhookCallback{Method: "answerCallbackQuery", ID: c.CallbackQueryID,
		Text: c.Text, ShowAlert: c.ShowAlert, URL: c.URL, CacheTime: c.CacheTime})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(reply)))
	w.WriteHeader(http.StatusOK)
	w.Write(reply)
	h.b.metrics.call("answerCallbackQuery", nil)
}

// webhookCallback is answerCallbackQuery as a method in a webhook's
// response. Whether Telegram then succeeds is not reported back; a failed
// answer only leaves the button's spinner running a few seconds, as a
// failed call did.
type webhookCallback struct {
	Method    string `json:"method"`
	ID        string `json:"callback_query_id"`
	Text      string `json:"text,omitempty"`
	ShowAlert bool   `json:"show_alert,omitempty"`
	URL       string `json:"url,omitempty"`
	CacheTime int    `json:"cache_time,omitempty"`
}

// refused logs a POST without the right secret, at most once a minute.
func (h *hook) refused(r *http.Request, missing bool) {
	h.mu.Lock()
	now := time.Now()
	quiet := now.Sub(h.warned) < time.Minute
	if !quiet {
		h.warned = now
	}
	h.mu.Unlock()
	if !quiet {
		h.b.log.Warn("webhook: refused a POST without the right secret token (not from Telegram)",
			"remote", r.RemoteAddr, "header_missing", missing)
	}
}

// chatLocks serialises the updates of one chat: Telegram delivers a
// chat's updates one at a time, but a redelivery may overlap the next.
type chatLocks struct {
	mu sync.Mutex
	m  map[int64]*chatLock
}

type chatLock struct {
	mu   sync.Mutex
	refs int
}

func (l *chatLocks) lock(chat int64) (unlock func()) {
	l.mu.Lock()
	c := l.m[chat]
	if c == nil {
		c = &chatLock{}
		l.m[chat] = c
	}
	c.refs++
	l.mu.Unlock()
	c.mu.Lock()
	return func() {
		c.mu.Unlock()
		l.mu.Lock()
		if c.refs--; c.refs == 0 {
			delete(l.m, chat)
		}
		l.mu.Unlock()
	}
}
