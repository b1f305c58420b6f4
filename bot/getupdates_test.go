package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"partyquiz/bot/telegramtest"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestGetUpdatesMatchesTgbotapi: the poll made directly (getUpdates in
// direct.go) reads every kind of update the bot asks for exactly as
// tgbotapi reads it, and hands back each one's JSON as Telegram wrote it,
// which decodes to the same update (what the inbox keeps and resumeHeld
// reads); a refusal is the same *tgbotapi.Error.
func TestGetUpdatesMatchesTgbotapi(t *testing.T) {
	srv, err := telegramtest.Start(telegramtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	api := &tgbotapi.BotAPI{Token: srv.Token(), Buffer: 100, Client: http.DefaultClient}
	api.SetAPIEndpoint(srv.APIEndpoint())
	endpoint := fmt.Sprintf(srv.APIEndpoint(), srv.Token(), "getUpdates")

	u := srv.NewUser(501, "张三")
	u.SendText("/start abc")
	id := u.SendText("答案是“实事求是”\\ 和 \"引号\"\n第二行 😀")
	u.EditText(id, "改过的")
	u.SendDocument("题库.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("PK"))
	u.SendPhoto("照片")
	u.SendSticker("👍")
	u.SendLocation(39.9, 116.4)
	u.SendContact("+8613800000000", "李四")
	q, err := api.Send(tgbotapi.NewMessage(501, "第 1 题"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressData(q.MessageID, "an:1:0:2"); err != nil {
		t.Fatal(err)
	}
	g := srv.NewGroup(-1001, "第一党支部")
	g.Join(u)
	poll := tgbotapi.NewPoll(-1001, "问题？", "甲", "乙")
	poll.IsAnonymous = false
	p, err := api.Send(poll)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Vote(u, p.MessageID, 1); err != nil {
		t.Fatal(err)
	}
	u.Block()

	want, err := api.GetUpdates(tgbotapi.UpdateConfig{Limit: 100, AllowedUpdates: updateKinds})
	if err != nil {
		t.Fatal(err)
	}
	got, raws, err := getUpdates(http.DefaultClient, endpoint, 0, 100, 0, updateKinds)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("direct getUpdates read\n%s\ntgbotapi read\n%s", a, b)
	}
	kinds := map[string]bool{}
	for i, w := range want {
		var again tgbotapi.Update
		if err := json.Unmarshal(raws[i], &again); err != nil || !reflect.DeepEqual(again, w) {
			t.Errorf("update %d as kept decodes to %+v (%v), want %+v", w.UpdateID, again, err, w)
		}
		switch {
		case w.Message != nil:
			kinds["message"] = true
		case w.EditedMessage != nil:
			kinds["edited_message"] = true
		case w.CallbackQuery != nil:
			kinds["callback_query"] = true
		case w.MyChatMember != nil:
			kinds["my_chat_member"] = true
		case w.PollAnswer != nil:
			kinds["poll_answer"] = true
		}
	}
	if len(raws) != len(want) || len(kinds) != 5 {
		t.Errorf("%d updates kept of %d; kinds %v, want message, edited_message, callback_query, my_chat_member and poll_answer", len(raws), len(want), kinds)
	}

	// Asked from past the last, nothing; then a refusal, as tgbotapi has it.
	if got, raws, err := getUpdates(http.DefaultClient, endpoint, want[len(want)-1].UpdateID+1, 100, 0, updateKinds); err != nil || len(got) != 0 || len(raws) != 0 {
		t.Errorf("after the last update: %d updates, %v", len(got), err)
	}
	if _, err := api.Request(tgbotapi.WebhookConfig{URL: mustURL(t, "http://127.0.0.1:1/hook")}); err != nil {
		t.Fatal(err)
	}
	_, wantErr := api.GetUpdates(tgbotapi.UpdateConfig{})
	_, _, gotErr := getUpdates(http.DefaultClient, endpoint, 0, 100, 0, updateKinds)
	var we, ge *tgbotapi.Error
	if !errors.As(wantErr, &we) || !errors.As(gotErr, &ge) || we.Code != 409 || !reflect.DeepEqual(*ge, *we) {
		t.Errorf("with a webhook set: direct %v, tgbotapi %v; want the same 409", gotErr, wantErr)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestGetUpdatesErrorsLikeTgbotapi: for answers a proxy or Telegram
// may give, the direct poll fails (or not) as tgbotapi's did, with the
// same *tgbotapi.Error and the same retry decision.
func TestGetUpdatesErrorsLikeTgbotapi(t *testing.T) {
	bodies := map[string]struct {
		status int
		body   string
	}{
		"html 502":         {502, "<html><body>502 Bad Gateway</body></html>"},
		"empty":            {200, ""},
		"401":              {401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`},
		"409":              {409, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}`},
		"429":              {429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`},
		"500":              {500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`},
		"ok newline":       {200, `{"ok":true,"result":[{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":7,"type":"private"},"text":"x"}}]}` + "\n"},
		"ok spaces":        {200, `{ "ok": true, "result": [] }`},
		"ok field after":   {200, `{"ok":true,"result":[],"description":"x"}`},
		"unknown kind":     {200, `{"ok":true,"result":[{"update_id":9,"message_reaction":{"chat":{"id":1}}}]}`},
		"result not array": {200, `{"ok":true,"result":{"update_id":1}}`},
	}
	for name, b := range bodies {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(b.status)
				io.WriteString(w, b.body)
			}))
			defer srv.Close()
			endpoint := srv.URL + "/bot%s/%s"
			api := &tgbotapi.BotAPI{Token: "t", Buffer: 100, Client: srv.Client()}
			api.SetAPIEndpoint(endpoint)
			want, wantErr := api.GetUpdates(tgbotapi.UpdateConfig{Limit: 100, AllowedUpdates: updateKinds})
			got, _, gotErr := getUpdates(srv.Client(), fmt.Sprintf(endpoint, "t", "getUpdates"), 0, 100, 0, updateKinds)
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("direct %v, tgbotapi %v", gotErr, wantErr)
			}
			var we, ge *tgbotapi.Error
			if errors.As(wantErr, &we) != errors.As(gotErr, &ge) || (we != nil && !reflect.DeepEqual(*we, *ge)) {
				t.Errorf("direct %#v, tgbotapi %#v", gotErr, wantErr)
			}
			_, wr := retryAfter(wantErr, 0)
			_, gr := retryAfter(gotErr, 0)
			if wr != gr {
				t.Errorf("retry: direct %v, tgbotapi %v", gr, wr)
			}
			if wantErr == nil && len(got) != len(want) {
				t.Errorf("direct %d updates, tgbotapi %d", len(got), len(want))
			}
		})
	}
}

// TestOldInboxFormatAndAllowed: an update held by an older release
// (json.Marshal of the decoded tgbotapi.Update) decodes, as
// resumeHeld does, to the same update; and the direct poll's
// allowed_updates is read by the server (an update kind not asked for is
// not delivered).
func TestOldInboxFormatAndAllowed(t *testing.T) {
	srv, err := telegramtest.Start(telegramtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	endpoint := fmt.Sprintf(srv.APIEndpoint(), srv.Token(), "getUpdates")
	u := srv.NewUser(501, "张三")
	u.SendText("/start")
	u.SendText("答案“实事求是” 😀")
	u.SendDocument("题库.xlsx", "application/octet-stream", []byte("PK"))
	g := srv.NewGroup(-1001, "支部")
	g.Join(u)
	u.Block()
	got, _, err := getUpdates(http.DefaultClient, endpoint, 0, 100, 0, updateKinds)
	if err != nil || len(got) < 4 {
		t.Fatalf("%d updates, %v", len(got), err)
	}
	for _, w := range got {
		old, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		var again tgbotapi.Update
		if err := json.Unmarshal(old, &again); err != nil || !reflect.DeepEqual(again, w) {
			t.Errorf("update %d in the old format: %v", w.UpdateID, err)
		}
	}
	// Only messages asked for: a later press is not delivered.
	last := got[len(got)-1].UpdateID
	if _, _, err := getUpdates(http.DefaultClient, endpoint, last+1, 100, 0, []string{"message"}); err != nil {
		t.Fatal(err)
	}
	u2 := srv.NewUser(502, "李四")
	u2.SendText("/start")
	api := &tgbotapi.BotAPI{Token: srv.Token(), Buffer: 100, Client: http.DefaultClient}
	api.SetAPIEndpoint(srv.APIEndpoint())
	q, err := api.Send(tgbotapi.NewMessage(502, "题"))
	if err != nil {
		t.Fatal(err)
	}
	u2.PressData(q.MessageID, "x")
	after, _, err := getUpdates(http.DefaultClient, endpoint, last+1, 100, 0, []string{"message"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range after {
		if a.CallbackQuery != nil {
			t.Errorf("a callback_query delivered though only message was asked for")
		}
	}
	if len(after) != 1 {
		t.Errorf("%d updates after, want the one message", len(after))
	}
}
