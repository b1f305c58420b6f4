package telegramtest_test

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

func TestInjectedFaults(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	started(t, srv, 1001, "张三")
	send := func() error {
		_, err := bot.Send(tgbotapi.NewMessage(1001, "x"))
		return err
	}

	srv.InjectFault(telegramtest.Fault{Method: "sendmessage", Times: 2, Code: 500})
	for i := 0; i < 2; i++ {
		if e := apiErr(t, send()); e.Code != 500 || e.Message != "Internal Server Error" {
			t.Errorf("fault %d: %d %q", i, e.Code, e.Message)
		}
	}
	if err := send(); err != nil {
		t.Errorf("after the faults: %v", err)
	}

	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 429, RetryAfter: 5})
	want429(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "x"}), 5)

	srv.InjectFault(telegramtest.Fault{Method: "sendMessage", Code: 502, Body: telegramtest.BadGatewayHTML})
	err := send()
	var apiE *tgbotapi.Error
	if err == nil || errors.As(err, &apiE) {
		t.Errorf("502 HTML: got %v, want a decode error", err)
	}

	srv.InjectFault(telegramtest.Fault{Reset: true}) // any method
	if err := send(); err == nil {
		t.Error("reset connection: no error")
	}

	st := srv.StatsFor("sendMessage")
	if st.OK != 1 || st.ServerErrors != 3 || st.TooManyRequests != 1 || st.Dropped != 1 || st.Calls != 6 {
		t.Errorf("stats = %+v", st)
	}
	if got := len(srv.User(1001).Messages()); got != 1 {
		t.Errorf("messages delivered = %d, want only the one that succeeded", got)
	}
}

func TestOutage(t *testing.T) {
	clock := telegramtest.NewManualClock(time.Time{})
	srv := newServer(t, telegramtest.Options{Clock: clock, DisablePacing: true})
	srv.Outage(time.Minute, telegramtest.OutageBadGateway)
	resp, err := http.Get(srv.URL + "/bot" + srv.Token() + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || string(body) != telegramtest.BadGatewayHTML || resp.Header.Get("Content-Type") != "text/html" {
		t.Errorf("during outage: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if _, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.APIEndpoint()); err == nil {
		t.Error("client constructor succeeded during an outage")
	}
	clock.Advance(time.Minute)
	wantOK(t, raw(t, srv, "getMe", nil))

	srv.Outage(time.Minute, telegramtest.OutageReset)
	if _, err := rawE(srv, "getMe", nil); err == nil {
		t.Error("reset outage: no error")
	}
	srv.EndOutage()
	wantOK(t, raw(t, srv, "getMe", nil))
	if st := srv.StatsFor("getMe"); st.ServerErrors != 2 || st.Dropped != 1 || st.OK != 2 {
		t.Errorf("getMe stats = %+v", st)
	}
}

func TestLatencyAndClearFaults(t *testing.T) {
	srv := quietServer(t)
	srv.SetLatency("getMe", 20*time.Millisecond)
	wantOK(t, raw(t, srv, "getMe", nil))
	srv.InjectFault(telegramtest.Fault{Method: "getMe", Times: 100})
	srv.ClearFaults()
	wantOK(t, raw(t, srv, "getMe", nil))
	srv.ResetStats()
	if got := srv.Stats(); len(got) != 0 {
		t.Errorf("stats after reset = %+v", got)
	}
}
