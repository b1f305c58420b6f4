package telegramtest_test

import (
	"strings"
	"testing"
)

// TestWebAppButtons: inline web_app buttons (Mini Apps) are accepted in
// private chats for https URLs only, as the real server does; anywhere
// else Telegram refuses them, in sends and in edits.
func TestWebAppButtons(t *testing.T) {
	srv := quietServer(t)
	u := started(t, srv, 1001, "甲")
	g := srv.NewGroup(-100, "支部群")
	kb := func(u string) string {
		return `{"inline_keyboard":[[{"text":"看板","web_app":{"url":"` + u + `"}}],[{"text":"刷新","callback_data":"r"}]]}`
	}
	const app = "https://quiz.example.org/dashboard/?node=qingshan"

	env := raw(t, srv, "sendMessage", map[string]string{"chat_id": itoa(u.ID()), "text": "报表", "reply_markup": kb(app)})
	wantOK(t, env)
	m := u.Last()
	if len(m.Buttons) != 2 || m.Buttons[0][0].WebApp != app || m.Buttons[0][0].Data != "" || m.Buttons[1][0].Data != "r" {
		t.Fatalf("buttons as the user sees them: %+v", m.Buttons)
	}
	if want := `"web_app":{"url":"` + app + `"}`; !strings.Contains(env.Raw, want) {
		t.Errorf("the sent message does not echo the web_app button: %s", env.Raw)
	}

	wantError(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": itoa(u.ID()), "text": "x", "reply_markup": kb("http://quiz.example.org/")}),
		400, "Bad Request: inline keyboard button Web App URL 'http://quiz.example.org/' is invalid: Only HTTPS links are allowed")
	wantError(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": itoa(u.ID()), "text": "x", "reply_markup": `{"inline_keyboard":[[{"text":"看板","web_app":{}}]]}`}),
		400, `Bad Request: can't parse inline keyboard button: Can't find field "url"`)
	wantError(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": itoa(g.ID()), "text": "x", "reply_markup": kb(app)}),
		400, "Bad Request: BUTTON_TYPE_INVALID")

	// In a group, an edit that adds one is refused too; a private edit is fine.
	grp := raw(t, srv, "sendMessage", map[string]string{"chat_id": itoa(g.ID()), "text": "群消息"})
	wantOK(t, grp)
	gm := g.Last()
	wantError(t, raw(t, srv, "editMessageReplyMarkup", map[string]string{"chat_id": itoa(g.ID()), "message_id": itoa(gm.ID), "reply_markup": kb(app)}),
		400, "Bad Request: BUTTON_TYPE_INVALID")
	wantOK(t, raw(t, srv, "editMessageText", map[string]string{"chat_id": itoa(u.ID()), "message_id": itoa(m.ID), "text": "新报表", "reply_markup": kb(app + "&x=1")}))
	if got := u.Last().Buttons[0][0].WebApp; got != app+"&x=1" {
		t.Errorf("after the edit the button opens %q", got)
	}
}
