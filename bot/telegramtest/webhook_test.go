package telegramtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

// eventually waits until cond holds, failing after a generous deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hook is a webhook endpoint that records deliveries and fails on demand.
type hook struct {
	mu       sync.Mutex
	texts    []string // message texts in delivery order, failures included
	secrets  []string
	failNext map[string]int // text -> deliveries to refuse
	reply    string         // JSON body to answer with
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var up tgbotapi.Update
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &up)
	text := ""
	if up.Message != nil {
		text = up.Message.Text
	}
	h.mu.Lock()
	h.texts = append(h.texts, text)
	h.secrets = append(h.secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
	fail := h.failNext[text] > 0
	if fail {
		h.failNext[text]--
	}
	reply := h.reply
	h.mu.Unlock()
	if fail {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	if reply != "" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, reply)
	}
}

func (h *hook) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

func TestWebhookDeliveryAndRedelivery(t *testing.T) {
	srv := newServer(t, telegramtest.Options{DisablePacing: true, WebhookRetryMin: 10 * time.Millisecond, WebhookRetryMax: 50 * time.Millisecond})
	h := &hook{failNext: map[string]int{"二": 2}}
	hs := httptest.NewServer(h)
	defer hs.Close()
	u := srv.NewUser(1001, "张三")
	u.SendText("一")
	u.SendText("二")
	u.SendText("三")
	wantOK(t, raw(t, srv, "setWebhook", map[string]string{"url": hs.URL + "/tg", "secret_token": "s3cr3t_-X"}))

	eventually(t, "all updates accepted", func() bool { return srv.PendingUpdates() == 0 })
	if got, want := strings.Join(h.seen(), ","), "一,二,二,二,三"; got != want {
		t.Errorf("delivery order = %s, want %s (one chat: in order, refused ones retried first)", got, want)
	}
	h.mu.Lock()
	for i, s := range h.secrets {
		if s != "s3cr3t_-X" {
			t.Errorf("delivery %d secret header = %q", i, s)
		}
	}
	h.mu.Unlock()
	info := srv.WebhookInfo()
	if info.URL != hs.URL+"/tg" || info.PendingUpdateCount != 0 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate == 0 {
		t.Errorf("webhook info = %+v", info)
	}
	env := raw(t, srv, "getWebhookInfo", nil)
	wantOK(t, env)
	var got telegramtest.WebhookInfo
	if err := json.Unmarshal(env.Result, &got); err != nil || got.URL != info.URL {
		t.Errorf("getWebhookInfo = %s (%v)", env.Raw, err)
	}
}

func TestWebhookPendingAndDelete(t *testing.T) {
	srv := newServer(t, telegramtest.Options{DisablePacing: true, WebhookRetryMin: time.Hour, WebhookRetryMax: time.Hour})
	h := &hook{failNext: map[string]int{"一": 1}}
	hs := httptest.NewServer(h)
	defer hs.Close()
	u := srv.NewUser(1001, "张三")
	wantOK(t, raw(t, srv, "setWebhook", map[string]string{"url": hs.URL}))
	u.SendText("一")
	u.SendText("二")
	// The first update is refused and waits an hour; the second waits
	// behind it, because one chat's updates go in order.
	eventually(t, "a refused delivery", func() bool { return srv.WebhookInfo().LastErrorMessage != "" })
	if info := srv.WebhookInfo(); info.PendingUpdateCount != 2 {
		t.Errorf("pending = %d, want 2", info.PendingUpdateCount)
	}
	env := raw(t, srv, "deleteWebhook", nil)
	wantOK(t, env)
	if !strings.Contains(env.Raw, `"description":"Webhook was deleted"`) {
		t.Errorf("deleteWebhook = %s", env.Raw)
	}
	ups := updatesOf(t, raw(t, srv, "getUpdates", nil))
	if len(ups) != 2 || ups[0].Message.Text != "一" {
		t.Fatalf("after deleteWebhook got %+v, want both updates", ups)
	}
	wantOK(t, raw(t, srv, "deleteWebhook", map[string]string{"drop_pending_updates": "true"}))
	if n := srv.PendingUpdates(); n != 0 {
		t.Errorf("pending after drop = %d, want 0", n)
	}
}

func TestWebhookReplyCarriesAMethod(t *testing.T) {
	srv := quietServer(t)
	h := &hook{reply: `{"method":"sendMessage","chat_id":1001,"text":"<b>收到</b>","parse_mode":"HTML"}`}
	hs := httptest.NewServer(h)
	defer hs.Close()
	u := srv.NewUser(1001, "张三")
	wantOK(t, raw(t, srv, "setWebhook", map[string]string{"url": hs.URL}))
	seq := u.Seq()
	u.SendText("hi")
	m, err := u.WaitAfter(ctxT(t), seq, nil)
	if err != nil || m.Text != "收到" {
		t.Errorf("got %q, %v; want the reply sent through the webhook answer", m.Text, err)
	}
}

func TestSetWebhookRules(t *testing.T) {
	srv := quietServer(t)
	tests := []struct {
		name   string
		params map[string]string
		code   int
		desc   string
	}{
		{"secret too long", map[string]string{"url": "http://127.0.0.1:1/", "secret_token": strings.Repeat("a", 257)}, 400, "Bad Request: secret token is too long"},
		{"secret with colon", map[string]string{"url": "http://127.0.0.1:1/", "secret_token": "123:abc"}, 400, "Bad Request: secret token contains unallowed characters"},
		{"not loopback", map[string]string{"url": "https://example.com/hook"}, 400, "Bad Request: bad webhook: telegramtest delivers only to loopback addresses, not example.com"},
		{"no scheme", map[string]string{"url": "127.0.0.1/hook"}, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, raw(t, srv, "setWebhook", tt.params), tt.code, tt.desc)
		})
	}
	env := raw(t, srv, "setWebhook", map[string]string{"url": "http://localhost:1/hook", "secret_token": strings.Repeat("Az09_-", 42) + "abcd"})
	wantOK(t, env)
	if !strings.Contains(env.Raw, `"description":"Webhook was set"`) {
		t.Errorf("setWebhook = %s", env.Raw)
	}
	// An empty url removes the webhook, as on the real server.
	wantOK(t, raw(t, srv, "setWebhook", map[string]string{"url": ""}))
	if srv.WebhookInfo().URL != "" {
		t.Error("webhook still set after setWebhook with an empty url")
	}
}
