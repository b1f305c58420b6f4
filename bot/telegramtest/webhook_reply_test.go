package telegramtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// replyHook answers every update with whatever reply returns: a status, a
// content type and a body.
type replyHook func(up tgbotapi.Update) (int, string, string)

func (h replyHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var up tgbotapi.Update
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &up)
	code, ct, reply := h(up)
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, reply)
}

// TestWebhookReplyAsTheRealServer: a method in a webhook's answer runs as
// the real server runs it — from form-urlencoded as from JSON bodies, a
// button press answered that way — and not at all from an answer that
// is not 2xx, nor for setWebhook, deleteWebhook or a get… method.
func TestWebhookReplyAsTheRealServer(t *testing.T) {
	srv := quietServer(t)
	var failed atomic.Bool
	h := replyHook(func(up tgbotapi.Update) (int, string, string) {
		switch {
		case up.CallbackQuery != nil:
			return 200, "application/json", fmt.Sprintf(`{"method":"answerCallbackQuery","callback_query_id":%q,"text":"已记录"}`, up.CallbackQuery.ID)
		case up.Message == nil:
			return 200, "", ""
		}
		switch up.Message.Text {
		case "form":
			return 200, "application/x-www-form-urlencoded", "method=sendMessage&chat_id=1001&text=%E6%94%B6%E5%88%B0"
		case "get":
			return 200, "application/json", `{"method":"getMe"}`
		case "unset":
			return 200, "application/json", `{"method":"setWebhook","url":""}`
		case "delete":
			return 200, "application/json", `{"method":"DeleteWebhook"}`
		case "fail":
			if !failed.Swap(true) {
				return 500, "application/json", `{"method":"sendMessage","chat_id":1001,"text":"不该发出"}`
			}
			return 200, "", ""
		}
		return 200, "", ""
	})
	hs := httptest.NewServer(h)
	defer hs.Close()
	u := srv.NewUser(1001, "张三")
	wantOK(t, raw(t, srv, "setWebhook", map[string]string{"url": hs.URL}))

	seq := u.Seq()
	u.SendText("form")
	if m, err := u.WaitAfter(ctxT(t), seq, nil); err != nil || m.Text != "收到" {
		t.Fatalf("form-urlencoded reply: got %q, %v", m.Text, err)
	}

	env := raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "选一个",
		"reply_markup": markup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A", "a")))})
	wantOK(t, env)
	var sent tgbotapi.Message
	if err := json.Unmarshal(env.Result, &sent); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressData(sent.MessageID, "a"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the press answered from the webhook's reply", func() bool {
		a := u.Answers()
		return len(a) == 1 && a[0].Text == "已记录"
	})
	if n := srv.WebhookReplies(); n != 2 {
		t.Errorf("WebhookReplies = %d, want 2", n)
	}

	getMe := srv.StatsFor("getMe").Calls
	for _, text := range []string{"get", "unset", "delete", "fail"} {
		u.SendText(text)
	}
	eventually(t, "every update delivered", func() bool { return srv.PendingUpdates() == 0 })
	if info := srv.WebhookInfo(); info.URL == "" {
		t.Error("setWebhook or deleteWebhook in a webhook's reply removed the webhook")
	}
	if n := srv.StatsFor("getMe").Calls; n != getMe {
		t.Errorf("getMe in a webhook's reply was called (%d calls, %d before)", n, getMe)
	}
	if n := srv.WebhookReplies(); n != 2 {
		t.Errorf("WebhookReplies = %d, want still 2", n)
	}
	for _, m := range u.Messages() {
		if m.Text == "不该发出" {
			t.Error("the method in a 500 answer was run")
		}
	}
}
