package telegramtest_test

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

func pacedServer(t *testing.T) (*telegramtest.Server, *telegramtest.ManualClock) {
	t.Helper()
	clock := telegramtest.NewManualClock(time.Time{})
	return newServer(t, telegramtest.Options{Clock: clock}), clock
}

func want429(t *testing.T, env envelope, retryAfter int) {
	t.Helper()
	wantError(t, env, 429, "Too Many Requests: retry after "+itoa(retryAfter))
	if env.Parameters == nil || env.Parameters.RetryAfter != retryAfter {
		t.Errorf("parameters = %+v, want retry_after %d", env.Parameters, retryAfter)
	}
	if got := env.Header.Get("Retry-After"); got != itoa(retryAfter) {
		t.Errorf("Retry-After header = %q, want %d", got, retryAfter)
	}
}

func TestPrivateChatPace(t *testing.T) {
	srv, clock := pacedServer(t)
	started(t, srv, 1001, "张三")
	send := func() envelope {
		return raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "题"})
	}
	for i := 0; i < 5; i++ {
		wantOK(t, send())
	}
	want429(t, send(), 1)
	clock.Advance(time.Second)
	wantOK(t, send())
	clock.Advance(300 * time.Millisecond)
	want429(t, send(), 1)
	clock.Advance(700 * time.Millisecond)
	// Edits are paced like sends; answering a press is not.
	m := raw(t, srv, "editMessageText", map[string]string{"chat_id": "1001", "message_id": "2", "text": "改"})
	wantOK(t, m)
	want429(t, raw(t, srv, "editMessageText", map[string]string{"chat_id": "1001", "message_id": "2", "text": "再改"}), 1)
	if got := srv.TooManyRequests(); got != 3 {
		t.Errorf("TooManyRequests = %d, want 3", got)
	}
	if got := srv.StatsFor("sendMessage"); got.OK != 6 || got.TooManyRequests != 2 {
		t.Errorf("sendMessage stats = %+v, want 6 ok and 2 429s", got)
	}
	// A refused message was not delivered.
	if got := len(srv.User(1001).Messages()); got != 6 {
		t.Errorf("user got %d messages, want 6", got)
	}
}

func TestLongWaitRoundsUp(t *testing.T) {
	srv, clock := pacedServer(t)
	srv.SetPace(telegramtest.Pace{PrivatePerSecond: 0.25, PrivateBurst: 1})
	started(t, srv, 1001, "张三")
	wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "a"}))
	want429(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "b"}), 4)
	clock.Advance(1500 * time.Millisecond)
	want429(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "b"}), 3)
}

func TestGroupPace(t *testing.T) {
	srv, clock := pacedServer(t)
	srv.NewGroup(-100123, "某支部群")
	send := func() envelope {
		return raw(t, srv, "sendMessage", map[string]string{"chat_id": "-100123", "text": "榜"})
	}
	for i := 0; i < 5; i++ {
		wantOK(t, send())
	}
	want429(t, send(), 3) // 20 a minute: one every 3 s
	clock.Advance(3 * time.Second)
	wantOK(t, send())
	want429(t, send(), 3)
}

func TestGlobalPace(t *testing.T) {
	srv, clock := pacedServer(t)
	for i := 0; i < 31; i++ {
		started(t, srv, int64(2000+i), "成员")
	}
	for i := 0; i < 30; i++ {
		wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": itoa(2000 + i), "text": "提醒"}))
	}
	want429(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "2030", "text": "提醒"}), 1)
	clock.Advance(time.Second)
	wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "2030", "text": "提醒"}))
}

func TestPacingOff(t *testing.T) {
	clock := telegramtest.NewManualClock(time.Time{})
	srv := newServer(t, telegramtest.Options{Clock: clock, DisablePacing: true})
	started(t, srv, 1001, "张三")
	for i := 0; i < 50; i++ {
		wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "快"}))
	}
	srv.SetPacing(true)
	for i := 0; i < 5; i++ {
		wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "慢"}))
	}
	want429(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "慢"}), 1)
	if got := srv.TooManyRequests(); got != 1 {
		t.Errorf("TooManyRequests = %d, want 1", got)
	}
}

func TestThrottleStorm(t *testing.T) {
	clock := telegramtest.NewManualClock(time.Time{})
	srv := newServer(t, telegramtest.Options{Clock: clock, DisablePacing: true})
	started(t, srv, 1001, "张三")
	srv.Throttle(10*time.Second, 7)
	want429(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"}), 7)
	wantOK(t, raw(t, srv, "getMe", nil)) // not a paced method
	clock.Advance(10 * time.Second)
	wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"}))
}

func TestClientSeesRetryAfter(t *testing.T) {
	srv, _ := pacedServer(t)
	started(t, srv, 1001, "张三")
	bot := newBot(t, srv)
	var err error
	for i := 0; i < 6 && err == nil; i++ {
		_, err = bot.Send(tgbotapi.NewMessage(1001, "题"))
	}
	e := apiErr(t, err)
	if e.Code != 429 || e.RetryAfter != 1 {
		t.Errorf("got code %d retry_after %d, want 429 and 1", e.Code, e.RetryAfter)
	}
}
