package telegramtest_test

import (
	"encoding/json"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

func updatesOf(t *testing.T, env envelope) []tgbotapi.Update {
	t.Helper()
	wantOK(t, env)
	var ups []tgbotapi.Update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

// waitPolling waits until a long poll is registered with the server.
func waitPolling(t *testing.T, srv *telegramtest.Server) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !srv.Polling() {
		if time.Now().After(deadline) {
			t.Fatal("no long poll registered")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUpdatesCarryWhatTheRealServerSends(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := srv.NewUser(1001, "张三")
	g := srv.NewGroup(-1001234567890, "某支部群")
	u.SendText("/start abc_12-x")
	g.SendText(u, "/rank@partyquiz_bot")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 2 {
		t.Fatalf("got %d updates, want 2", len(ups))
	}
	m := ups[0].Message
	if m == nil || m.Text != "/start abc_12-x" || m.From.ID != 1001 || m.From.FirstName != "张三" || m.Chat.ID != 1001 ||
		m.Chat.Type != "private" || m.MessageID != 1 || m.Date == 0 {
		t.Fatalf("private message = %+v", m)
	}
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "abc_12-x" {
		t.Errorf("command = %q args %q, want start abc_12-x", m.Command(), m.CommandArguments())
	}
	gm := ups[1].Message
	if gm == nil || gm.Chat.Type != "supergroup" || gm.Chat.Title != "某支部群" || gm.Command() != "rank" || gm.From.ID != 1001 {
		t.Errorf("group message = %+v", gm)
	}
	if ups[1].UpdateID <= ups[0].UpdateID {
		t.Errorf("update ids %d, %d do not increase", ups[0].UpdateID, ups[1].UpdateID)
	}
}

func TestGetUpdatesOffsets(t *testing.T) {
	srv := quietServer(t)
	u := srv.NewUser(1001, "张三")
	for _, text := range []string{"1", "2", "3", "4", "5"} {
		u.SendText(text)
	}
	ups := updatesOf(t, raw(t, srv, "getUpdates", nil))
	if len(ups) != 5 {
		t.Fatalf("got %d updates, want 5", len(ups))
	}
	// Without an offset nothing is confirmed.
	if again := updatesOf(t, raw(t, srv, "getUpdates", nil)); len(again) != 5 {
		t.Fatalf("unconfirmed updates: got %d, want 5 again", len(again))
	}
	// An offset confirms everything below it, for good.
	third := ups[2].UpdateID
	got := updatesOf(t, raw(t, srv, "getUpdates", map[string]string{"offset": itoa(third)}))
	if len(got) != 3 || got[0].UpdateID != third {
		t.Fatalf("offset %d: got %d updates starting %d", third, len(got), got[0].UpdateID)
	}
	if got := updatesOf(t, raw(t, srv, "getUpdates", map[string]string{"offset": "1"})); len(got) != 3 {
		t.Fatalf("confirmed updates came back: %d", len(got))
	}
	// A negative offset keeps the last N and forgets the rest.
	if got := updatesOf(t, raw(t, srv, "getUpdates", map[string]string{"offset": "-1"})); len(got) != 1 || got[0].Message.Text != "5" {
		t.Fatalf("offset -1: got %+v", got)
	}
	if got := srv.PendingUpdates(); got != 1 {
		t.Errorf("pending after offset -1 = %d, want 1", got)
	}
	last := updatesOf(t, raw(t, srv, "getUpdates", nil))[0].UpdateID
	wantOK(t, raw(t, srv, "getUpdates", map[string]string{"offset": itoa(last + 1)}))
	if got := srv.PendingUpdates(); got != 0 {
		t.Errorf("pending after confirming all = %d, want 0", got)
	}
}

func TestGetUpdatesClampsLimitAndTimeout(t *testing.T) {
	srv := quietServer(t)
	u := srv.NewUser(1001, "张三")
	for i := 0; i < 120; i++ {
		u.SendText("答")
	}
	tests := []struct {
		limit string
		want  int
	}{{"", 100}, {"0", 100}, {"1000", 100}, {"-5", 1}, {"7", 7}}
	for _, tt := range tests {
		got := updatesOf(t, raw(t, srv, "getUpdates", map[string]string{"limit": tt.limit, "timeout": "-3"}))
		if len(got) != tt.want {
			t.Errorf("limit %q: got %d updates, want %d", tt.limit, len(got), tt.want)
		}
	}
}

func TestLongPollReturnsWhenAnUpdateArrives(t *testing.T) {
	srv := quietServer(t)
	u := srv.NewUser(1001, "张三")
	bot := newBot(t, srv)
	done := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 50})
		if err != nil {
			t.Error(err)
		}
		done <- ups
	}()
	waitPolling(t, srv)
	u.SendText("你好")
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].Message.Text != "你好" {
			t.Errorf("got %+v, want the one message", ups)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("long poll did not return on a new update")
	}
}

func TestTwoPollersConflict(t *testing.T) {
	srv := quietServer(t)
	u := srv.NewUser(1001, "张三")
	poll := func(ch chan<- envelope) {
		env, err := rawE(srv, "getUpdates", map[string]string{"timeout": "50"})
		if err != nil {
			t.Error(err)
		}
		ch <- env
	}
	first := make(chan envelope, 1)
	go poll(first)
	waitPolling(t, srv)
	second := make(chan envelope, 1)
	go poll(second)
	select {
	case env := <-first:
		wantError(t, env, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	case <-time.After(20 * time.Second):
		t.Fatal("the older poll was not terminated")
	}
	u.SendText("x")
	select {
	case env := <-second:
		if ups := updatesOf(t, env); len(ups) != 1 {
			t.Errorf("newer poll got %d updates, want 1", len(ups))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the newer poll did not return")
	}
}

func TestPollingWhileWebhookIsSet(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	wantOK(t, raw(t, srv, "setWebhook", map[string]string{"url": "http://127.0.0.1:9/hook"}))
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiErr(t, err); e.Code != 409 ||
		e.Message != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Errorf("got %d %q", e.Code, e.Message)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Errorf("after deleteWebhook: %v", err)
	}
}

func TestCloseEndsLongPoll(t *testing.T) {
	srv, err := telegramtest.Start(telegramtest.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := httpClient.Post(srv.URL+"/bot"+token+"/getUpdates?timeout=50", "", nil)
		if err == nil {
			resp.Body.Close()
		}
	}()
	waitPolling(t, srv)
	srv.Close()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("long poll outlived Close")
	}
}

func TestAllowedUpdates(t *testing.T) {
	srv := quietServer(t)
	u := started(t, srv, 1001, "张三")
	wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "q",
		"reply_markup": markup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A", "a")))}))
	wantOK(t, raw(t, srv, "getUpdates", map[string]string{"allowed_updates": `["callback_query"]`}))
	u.SendText("ignored")
	if _, err := u.Press("A"); err != nil {
		t.Fatal(err)
	}
	ups := drain(t, srv)
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("got %+v, want only the callback query", ups)
	}
	cq := ups[0].CallbackQuery
	if cq.Data != "a" || cq.From.ID != 1001 || cq.Message == nil || cq.Message.Text != "q" || cq.ChatInstance == "" || cq.ID == "" {
		t.Errorf("callback query = %+v", cq)
	}
}
