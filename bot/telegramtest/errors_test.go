package telegramtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

// fixture is a server with one user of each kind and a bot message to edit.
type fixture struct {
	srv      *telegramtest.Server
	clock    *telegramtest.ManualClock
	user     *telegramtest.User // wrote to the bot
	blocker  *telegramtest.User // wrote, then blocked the bot
	stranger *telegramtest.User // never wrote
	group    *telegramtest.Group
	msgID    string // a bot message in user's chat: text "hello", one button
	docID    string // a document the user sent
	bigDocID string // a 21 MB document the user sent
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := telegramtest.NewManualClock(time.Time{})
	srv := newServer(t, telegramtest.Options{DisablePacing: true, Clock: clock})
	f := &fixture{srv: srv, clock: clock}
	f.user = srv.NewUser(1001, "张三")
	f.user.SendText("/start")
	f.blocker = srv.NewUser(1002, "李四")
	f.blocker.SendText("/start")
	f.blocker.Block()
	f.stranger = srv.NewStranger(1003, "王五")
	f.group = srv.NewGroup(-100123, "某支部群")
	f.user.SendDocument("bank.toml", "", []byte("[[q]]\n"))
	f.user.SendLargeDocument("huge.zip", "application/zip", 21<<20)
	for _, u := range drain(t, srv) {
		if u.Message != nil && u.Message.Document != nil {
			switch u.Message.Document.FileName {
			case "bank.toml":
				f.docID = u.Message.Document.FileID
			case "huge.zip":
				f.bigDocID = u.Message.Document.FileID
			}
		}
	}
	env := raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "hello",
		"reply_markup": markup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("好", "ok")))})
	wantOK(t, env)
	f.msgID = "1"
	if m := f.user.Last(); m.Text != "hello" {
		t.Fatalf("setup: last message %q", m.Text)
	} else {
		f.msgID = itoa(m.ID)
	}
	return f
}

func TestErrorRows(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("a", 4097)
	kb := func(b tgbotapi.InlineKeyboardButton) string { return markup(tgbotapi.NewInlineKeyboardRow(b)) }
	tests := []struct {
		name   string
		method string
		params map[string]string
		code   int
		desc   string
	}{
		{"unknown method", "sendTelepathy", nil, 404, "Not Found: method not found"},
		{"no chat_id", "sendMessage", map[string]string{"text": "x"}, 400, "Bad Request: chat_id is empty"},
		{"unknown chat", "sendMessage", map[string]string{"chat_id": "777", "text": "x"}, 400, "Bad Request: chat not found"},
		{"garbage chat", "sendMessage", map[string]string{"chat_id": "abc", "text": "x"}, 400, "Bad Request: chat not found"},
		{"blocked", "sendMessage", map[string]string{"chat_id": "1002", "text": "x"}, 403, "Forbidden: bot was blocked by the user"},
		{"never wrote", "sendMessage", map[string]string{"chat_id": "1003", "text": "x"}, 403, "Forbidden: bot can't initiate conversation with a user"},
		{"stranger document", "sendDocument", map[string]string{"chat_id": "1003", "document": f.docID}, 403, "Forbidden: bot can't initiate conversation with a user"},
		{"blocked edit", "sendChatAction", map[string]string{"chat_id": "1002", "action": "typing"}, 403, "Forbidden: bot was blocked by the user"},
		{"no text", "sendMessage", map[string]string{"chat_id": "1001"}, 400, "Bad Request: message text is empty"},
		{"blank text", "sendMessage", map[string]string{"chat_id": "1001", "text": " \n\t "}, 400, "Bad Request: message text is empty"},
		{"empty after HTML", "sendMessage", map[string]string{"chat_id": "1001", "text": "<b> </b>", "parse_mode": "HTML"}, 400, "Bad Request: message text is empty"},
		{"4097 characters", "sendMessage", map[string]string{"chat_id": "1001", "text": long}, 400, "Bad Request: message is too long"},
		{"4097 Chinese characters", "sendMessage", map[string]string{"chat_id": "1001", "text": strings.Repeat("党", 4097)}, 400, "Bad Request: message is too long"},
		{"caption 1025", "sendDocument", map[string]string{"chat_id": "1001", "document": f.docID, "caption": strings.Repeat("字", 1025)}, 400, "Bad Request: message caption is too long"},
		{"unsupported tag", "sendMessage", map[string]string{"chat_id": "1001", "text": "分数 <x>", "parse_mode": "HTML"}, 400, `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 7`},
		{"bare less-than", "sendMessage", map[string]string{"chat_id": "1001", "text": "a < b", "parse_mode": "HTML"}, 400, `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"unclosed b", "sendMessage", map[string]string{"chat_id": "1001", "text": "<b>粗", "parse_mode": "HTML"}, 400, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"unmatched end", "sendMessage", map[string]string{"chat_id": "1001", "text": "<b>x</i>", "parse_mode": "html"}, 400, `Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"unknown parse_mode", "sendMessage", map[string]string{"chat_id": "1001", "text": "x", "parse_mode": "BBCode"}, 400, "Bad Request: unsupported parse_mode"},
		{"not modified", "editMessageText", map[string]string{"chat_id": "1001", "message_id": f.msgID, "text": "hello",
			"reply_markup": kb(tgbotapi.NewInlineKeyboardButtonData("好", "ok"))}, 400,
			"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{"markup not modified", "editMessageReplyMarkup", map[string]string{"chat_id": "1001", "message_id": f.msgID,
			"reply_markup": kb(tgbotapi.NewInlineKeyboardButtonData("好", "ok"))}, 400,
			"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{"edit missing message", "editMessageText", map[string]string{"chat_id": "1001", "message_id": "999", "text": "x"}, 400, "Bad Request: message to edit not found"},
		{"edit user's message", "editMessageText", map[string]string{"chat_id": "1001", "message_id": "1", "text": "x"}, 400, "Bad Request: message can't be edited"},
		{"delete missing message", "deleteMessage", map[string]string{"chat_id": "1001", "message_id": "999"}, 400, "Bad Request: message to delete not found"},
		{"callback_data 66 bytes", "sendMessage", map[string]string{"chat_id": "1001", "text": "q",
			"reply_markup": kb(tgbotapi.NewInlineKeyboardButtonData("选", strings.Repeat("党", 22)))}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"text button", "sendMessage", map[string]string{"chat_id": "1001", "text": "q",
			"reply_markup": `{"inline_keyboard":[[{"text":"选"}]]}`}, 400,
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"empty callback_data", "sendMessage", map[string]string{"chat_id": "1001", "text": "q",
			"reply_markup": `{"inline_keyboard":[[{"text":"选","callback_data":""}]]}`}, 400,
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"bad markup JSON", "sendMessage", map[string]string{"chat_id": "1001", "text": "q", "reply_markup": "{"}, 400,
			"Bad Request: can't parse reply keyboard markup JSON object"},
		{"unknown query", "answerCallbackQuery", map[string]string{"callback_query_id": "12345"}, 400,
			"Bad Request: query is too old and response timeout expired or query ID is invalid"},
		{"unknown file", "getFile", map[string]string{"file_id": "nope"}, 400, "Bad Request: wrong file_id or the file is temporarily unavailable"},
		{"file too big", "getFile", map[string]string{"file_id": f.bigDocID}, 400, "Bad Request: file is too big"},
		{"send unknown file", "sendDocument", map[string]string{"chat_id": "1001", "document": "nope"}, 400, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"no document", "sendDocument", map[string]string{"chat_id": "1001"}, 400, "Bad Request: there is no document in the request"},
		{"poll question 301", "sendPoll", map[string]string{"chat_id": "1001", "question": strings.Repeat("问", 301), "options": `["a","b"]`}, 400, "Bad Request: poll question length must not exceed 300"},
		{"poll empty question", "sendPoll", map[string]string{"chat_id": "1001", "question": "", "options": `["a","b"]`}, 400, "Bad Request: poll question must be non-empty"},
		{"poll one option", "sendPoll", map[string]string{"chat_id": "1001", "question": "q", "options": `["a"]`}, 400, "Bad Request: poll must have at least 2 option"},
		{"poll 11 options", "sendPoll", map[string]string{"chat_id": "1001", "question": "q", "options": `["1","2","3","4","5","6","7","8","9","10","11"]`}, 400, "Bad Request: poll can't have more than 10 options"},
		{"poll option 101", "sendPoll", map[string]string{"chat_id": "1001", "question": "q", "options": `["a","` + strings.Repeat("b", 101) + `"]`}, 400, "Bad Request: poll options length must not exceed 100"},
		{"poll empty option", "sendPoll", map[string]string{"chat_id": "1001", "question": "q", "options": `["a",""]`}, 400, "Bad Request: poll options must be non-empty"},
		{"webhook secret", "setWebhook", map[string]string{"url": "http://127.0.0.1:1/hook", "secret_token": "a+b"}, 400, "Bad Request: secret token contains unallowed characters"},
		{"not emulated", "sendPhoto", map[string]string{"chat_id": "1001"}, 501, "Not Implemented: telegramtest does not emulate sendPhoto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, raw(t, f.srv, tt.method, tt.params), tt.code, tt.desc)
		})
	}
	// None of these changed the chat.
	if got := len(f.user.Messages()); got != 1 {
		t.Errorf("bot messages after refused calls = %d, want 1", got)
	}
}

func TestWrongTokenAndPaths(t *testing.T) {
	srv := quietServer(t)
	tests := []struct {
		path string
		code int
		desc string
	}{
		{"/bot1:wrong/getMe", 401, "Unauthorized"},
		{"/bot" + srv.Token() + "/getme", 200, ""},
		{"/bot" + srv.Token() + "/GETME", 200, ""},
		{"/bot" + srv.Token(), 404, "Not Found"},
		{"/nothing", 404, "Not Found"},
		{"/file/bot" + srv.Token() + "/documents/none.txt", 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			env := decode(t, resp)
			if tt.code == 200 {
				wantOK(t, env)
				return
			}
			wantError(t, env, tt.code, tt.desc)
		})
	}
}

func TestLimitsAreCodePointsAfterParsing(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, text, mode, want string
	}{
		{"4096 Chinese", strings.Repeat("党", 4096), "", strings.Repeat("党", 4096)},
		{"4096 emoji (8192 UTF-16 units)", strings.Repeat("😀", 4096), "", strings.Repeat("😀", 4096)},
		{"markup does not count", "<b>" + strings.Repeat("a", 4096) + "</b>", "HTML", strings.Repeat("a", 4096)},
		{"entities count as one", strings.Repeat("&lt;", 4096), "HTML", strings.Repeat("<", 4096)},
		{"trimmed", "  \n<b>x</b>\n\n", "HTML", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantOK(t, raw(t, f.srv, "sendMessage", map[string]string{"chat_id": "1001", "text": tt.text, "parse_mode": tt.mode}))
			if got := f.user.Last().Text; got != tt.want {
				t.Errorf("stored text = %.40q..., want %.40q...", got, tt.want)
			}
		})
	}
}

func TestCallbackAnswerRules(t *testing.T) {
	f := newFixture(t)
	press := func() string {
		t.Helper()
		id, err := f.user.Press("好")
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"

	id := press()
	wantError(t, raw(t, f.srv, "answerCallbackQuery", map[string]string{"callback_query_id": id, "text": strings.Repeat("长", 201)}),
		400, "Bad Request: MESSAGE_TOO_LONG")
	wantOK(t, raw(t, f.srv, "answerCallbackQuery", map[string]string{"callback_query_id": id, "text": strings.Repeat("长", 200), "show_alert": "true"}))
	wantError(t, raw(t, f.srv, "answerCallbackQuery", map[string]string{"callback_query_id": id}), 400, tooOld)

	id = press()
	f.clock.Advance(15 * time.Second)
	wantOK(t, raw(t, f.srv, "answerCallbackQuery", map[string]string{"callback_query_id": id, "text": "在时限内"}))

	id = press()
	f.clock.Advance(16 * time.Second)
	wantError(t, raw(t, f.srv, "answerCallbackQuery", map[string]string{"callback_query_id": id, "text": "太晚"}), 400, tooOld)

	answers := f.user.Answers()
	if len(answers) != 2 || !answers[0].ShowAlert || answers[1].Text != "在时限内" {
		t.Errorf("answers = %+v, want the alert and one toast", answers)
	}
	if got, want := f.user.Toasts(), []string{strings.Repeat("长", 200), "在时限内"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("toasts = %q, want %q", got, want)
	}
}
