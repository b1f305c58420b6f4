package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// captured is one request as a server reads it: the method and every
// parameter as a string (JSON objects and arrays as JSON text).
type captured struct {
	method string
	ct     string
	params map[string]string
}

// capture is a server that records requests and answers with reply.
type capture struct {
	mu    sync.Mutex
	got   []captured
	reply string
	code  int
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	p := map[string]string{}
	switch ct {
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			p["!invalid"] = string(body)
		}
		for k, v := range obj {
			var s string
			if json.Unmarshal(v, &s) == nil {
				p[k] = s
			} else {
				p[k] = string(v)
			}
		}
	default:
		vals, _ := url.ParseQuery(string(body))
		for k := range vals {
			p[k] = vals.Get(k)
		}
	}
	c.mu.Lock()
	c.got = append(c.got, captured{method: r.URL.Path, ct: ct, params: p})
	reply, code := c.reply, c.code
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if code == 0 {
		code = 200
	}
	w.WriteHeader(code)
	io.WriteString(w, reply)
}

func (c *capture) last() captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[len(c.got)-1]
}

// sameParams compares two requests' parameters as the Bot API reads them:
// JSON values by their meaning, tgbotapi's "entities":"null" as absent.
func sameParams(a, b map[string]string) bool {
	norm := func(m map[string]string) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			if k == "entities" && v == "null" {
				continue
			}
			var x any
			if (len(v) > 0 && (v[0] == '{' || v[0] == '[')) && json.Unmarshal([]byte(v), &x) == nil {
				out[k] = x
			} else {
				out[k] = v
			}
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestDirectMatchesTgbotapi: every call the direct path makes carries the
// parameters tgbotapi would send for it, with the same values; calls it
// does not write go to tgbotapi; answers come back as tgbotapi returns
// them.
func TestDirectMatchesTgbotapi(t *testing.T) {
	srv := &capture{reply: `{"ok":true,"result":{"message_id":7,"chat":{"id":1001,"type":"private"},"date":1,"text":"x"}}`}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	endpoint := hs.URL + "/bot%s/%s"
	lib := &tgbotapi.BotAPI{Token: "1:t", Client: hs.Client()}
	lib.SetAPIEndpoint(endpoint)
	d := &directAPI{client: hs.Client(), endpoint: endpoint, token: "1:t", fallback: lib}

	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("☐ A", "m:1a:0:1"), tgbotapi.NewInlineKeyboardButtonData(`"引号"\`, "s:1a:0:0")),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("链接", "https://t.me/x?start=a_b-c&d=<e>")))
	empty := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	text := "📖 <b>每月一学 · 2026年11月</b>\n第 1/10 题 · 单选\n\n\t“引号” \"quotes\" \\ back \x01 ctrl &amp; <i>斜</i> 😀 \u2028"
	msg := func(f func(*tgbotapi.MessageConfig)) tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(1001, text)
		m.ParseMode = tgbotapi.ModeHTML
		m.DisableWebPagePreview = true
		f(&m)
		return m
	}
	edit := tgbotapi.NewEditMessageText(1001, 42, text)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	editKB := edit
	editKB.ReplyMarkup = &kb
	cases := []struct {
		name   string
		c      tgbotapi.Chattable
		direct bool
	}{
		{"message", msg(func(*tgbotapi.MessageConfig) {}), true},
		{"message with keyboard", msg(func(m *tgbotapi.MessageConfig) { m.ReplyMarkup = &kb }), true},
		{"message with keyboard value", msg(func(m *tgbotapi.MessageConfig) { m.ReplyMarkup = kb }), true},
		{"message replying, silent", msg(func(m *tgbotapi.MessageConfig) {
			m.ReplyToMessageID, m.DisableNotification, m.AllowSendingWithoutReply = 5, true, true
		}), true},
		{"message, plain", tgbotapi.NewMessage(-100123, "a"), true},
		{"edit", edit, true},
		{"edit with keyboard", editKB, true},
		{"markup edit", tgbotapi.NewEditMessageReplyMarkup(1001, 42, kb), true},
		{"markup edit to none", tgbotapi.NewEditMessageReplyMarkup(1001, 42, empty), true},
		{"markup edit, nil rows", tgbotapi.EditMessageReplyMarkupConfig{BaseEdit: tgbotapi.BaseEdit{ChatID: 1, MessageID: 2, ReplyMarkup: &tgbotapi.InlineKeyboardMarkup{}}}, true},
		{"callback", tgbotapi.NewCallback("q1", ""), true},
		{"callback with toast", tgbotapi.NewCallback("q2", "这道题已经答过了"), true},
		{"callback alert", tgbotapi.CallbackConfig{CallbackQueryID: "q3", Text: "x", ShowAlert: true, URL: "https://t.me/x", CacheTime: 5}, true},
		{"message with another markup", msg(func(m *tgbotapi.MessageConfig) { m.ReplyMarkup = tgbotapi.NewRemoveKeyboard(true) }), false},
		{"message with entities", msg(func(m *tgbotapi.MessageConfig) {
			m.ParseMode = ""
			m.Entities = []tgbotapi.MessageEntity{{Type: "bold", Offset: 0, Length: 2}}
		}), false},
		{"document", tgbotapi.NewDocument(1001, tgbotapi.FileBytes{Name: "a.xlsx", Bytes: []byte("x")}), false},
		{"commands", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "study", Description: "学习"}), false},
	}
	for _, tc := range cases {
		if _, err := lib.Request(tc.c); err != nil {
			t.Fatalf("%s: tgbotapi: %v", tc.name, err)
		}
		want := srv.last()
		resp, err := d.Request(tc.c)
		if err != nil {
			t.Fatalf("%s: direct: %v", tc.name, err)
		}
		got := srv.last()
		if got.method != want.method {
			t.Errorf("%s: method %s, tgbotapi %s", tc.name, got.method, want.method)
		}
		if (got.ct == "application/json") != tc.direct {
			t.Errorf("%s: sent as %s; direct = %v", tc.name, got.ct, tc.direct)
		}
		if !sameParams(got.params, want.params) {
			t.Errorf("%s:\n got  %q\n want %q", tc.name, got.params, want.params)
		}
		var m tgbotapi.Message
		if err := json.Unmarshal(resp.Result, &m); err != nil || !resp.Ok || m.MessageID != 7 {
			t.Errorf("%s: result %s, %v", tc.name, resp.Result, err)
		}
	}

	// Answers: each as tgbotapi returns it.
	answers := []struct {
		code int
		body string
	}{
		{200, `{"ok":true,"result":true}`},
		{200, `{"ok":true,"result":true,"description":"Webhook was set"}`},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}`},
		{429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`},
		{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`},
		{502, `<html><body>502 Bad Gateway</body></html>`},
	}
	for _, a := range answers {
		srv.mu.Lock()
		srv.code, srv.reply = a.code, a.body
		srv.mu.Unlock()
		c := tgbotapi.NewCallback("q", "")
		wantResp, wantErr := lib.Request(c)
		gotResp, gotErr := d.Request(c)
		var we, ge *tgbotapi.Error
		switch {
		case errors.As(wantErr, &we):
			if !errors.As(gotErr, &ge) || *ge != *we {
				t.Errorf("answer %s: error %#v, tgbotapi %#v", a.body, gotErr, wantErr)
			}
		case wantErr != nil:
			if gotErr == nil || errors.As(gotErr, &ge) {
				t.Errorf("answer %s: error %v, tgbotapi %v", a.body, gotErr, wantErr)
			}
		default:
			if gotErr != nil || gotResp.Ok != wantResp.Ok || !bytes.Equal(gotResp.Result, wantResp.Result) {
				t.Errorf("answer %s: %+v %v, tgbotapi %+v", a.body, gotResp, gotErr, wantResp)
			}
		}
	}
}

// TestAppendJSONString: what the direct path writes is JSON that reads
// back as the string, invalid UTF-8 as U+FFFD (as encoding/json writes it).
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `"\`, "\n\r\t\x00\x1f\x7f", "中文 “引号” 😀", "\u2028\u2029", "bad \xff\xfe utf-8", "<b>&amp;</b>"} {
		var b bytes.Buffer
		appendJSONString(&b, s)
		var back string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Errorf("%q → %s: %v", s, b.String(), err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q reads back as %q, want %q", s, back, wantBack)
		}
	}
}
