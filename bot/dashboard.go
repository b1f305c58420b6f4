package bot

import (
	"net/url"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The dashboard's buttons. A web_app inline button opens the Mini App
// (package bot/webapp) inside Telegram; Telegram allows it only in private
// chats and only for an https URL (Options.DashboardURL, checked by the
// configuration). tgbotapi v5.5.1 predates web_app, so the keyboard is
// written as JSON of its own and sent in MessageConfig.ReplyMarkup, which
// tgbotapi marshals as it is.

// webAppKeyboard is an inline keyboard that may hold web_app buttons.
type webAppKeyboard struct {
	InlineKeyboard [][]webAppButton `json:"inline_keyboard"`
}

// webAppButton is an inline keyboard button: a callback, a link or a web
// app.
type webAppButton struct {
	Text         string      `json:"text"`
	URL          string      `json:"url,omitempty"`
	CallbackData string      `json:"callback_data,omitempty"`
	WebApp       *webAppInfo `json:"web_app,omitempty"`
}

type webAppInfo struct {
	URL string `json:"url"`
}

// dashboardURL is the dashboard's address opened at node ("" for the
// viewer's first node), or "" when there is no dashboard.
func (b *Bot) dashboardURL(node string) string {
	u := b.opts.DashboardURL
	if u == "" || node == "" {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "node=" + url.QueryEscape(node)
}

// replyDashboard replies with a keyboard (kb may be nil) and, for a
// secretary or an admin when the dashboard is configured, a first row
// with the button that opens it at node.
func (r *Request) replyDashboard(text string, kb *tgbotapi.InlineKeyboardMarkup, node string) {
	b := r.Bot
	if b.opts.DashboardURL == "" || !r.Private || !r.allowed(Manager) {
		r.ReplyKB(text, kb)
		return
	}
	out := webAppKeyboard{InlineKeyboard: [][]webAppButton{{{Text: txtDashboardOpen, WebApp: &webAppInfo{URL: b.dashboardURL(node)}}}}}
	if kb != nil {
		for _, row := range kb.InlineKeyboard {
			var r []webAppButton
			for _, btn := range row {
				w := webAppButton{Text: btn.Text}
				if btn.CallbackData != nil {
					w.CallbackData = *btn.CallbackData
				}
				if btn.URL != nil {
					w.URL = *btn.URL
				}
				r = append(r, w)
			}
			out.InlineKeyboard = append(out.InlineKeyboard, r)
		}
	}
	parts := splitMessage(text)
	for i, p := range parts {
		m := tgbotapi.NewMessage(r.Chat, p)
		m.ParseMode = tgbotapi.ModeHTML
		m.DisableWebPagePreview = true
		if i == len(parts)-1 {
			m.ReplyMarkup = out
		}
		b.send.Enqueue(r.Chat, m, nil)
	}
}
