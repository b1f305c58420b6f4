package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/url"
)

const (
	maxCallbackDataBytes = 64
	maxInlineButtons     = 100
)

// inlineButton is an inline keyboard button as stored and echoed back.
type inlineButton struct {
	Text                         string          `json:"text"`
	URL                          string          `json:"url,omitempty"`
	CallbackData                 string          `json:"callback_data,omitempty"`
	LoginURL                     json.RawMessage `json:"login_url,omitempty"`
	SwitchInlineQuery            *string         `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat,omitempty"`
	CallbackGame                 json.RawMessage `json:"callback_game,omitempty"`
	Pay                          bool            `json:"pay,omitempty"`
	WebApp                       *webAppInfo     `json:"web_app,omitempty"`
}

// webAppInfo is a web_app button's Mini App.
type webAppInfo struct {
	URL string `json:"url"`
}

type inlineMarkup struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

// markup is a parsed reply_markup parameter.
type markup struct {
	inline     [][]inlineButton // set for an inline keyboard
	keyboard   [][]string       // set for a reply keyboard
	remove     bool             // ReplyKeyboardRemove
	forceReply bool
}

func markupError(what string) *apiError {
	return badRequest("can't parse " + what)
}

// parseReplyMarkup parses reply_markup the way the Bot API server does
// (Client::get_reply_markup and get_inline_keyboard_button). An empty raw
// value means no markup. inlineOnly is for the edit methods, which take
// only inline keyboards.
func parseReplyMarkup(raw string, inlineOnly bool) (*markup, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return nil, markupError("reply keyboard markup JSON object")
	}
	if rows, ok := obj["inline_keyboard"]; ok {
		kb, err := parseInlineKeyboard(rows)
		if err != nil {
			return nil, err
		}
		return &markup{inline: kb}, nil
	}
	if inlineOnly {
		return nil, markupError("inline keyboard markup JSON object")
	}
	if rows, ok := obj["keyboard"]; ok {
		var raws [][]json.RawMessage
		if err := json.Unmarshal(rows, &raws); err != nil {
			return nil, badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
		}
		kb := make([][]string, 0, len(raws))
		for _, row := range raws {
			var texts []string
			for _, b := range row {
				var s string
				if json.Unmarshal(b, &s) == nil {
					texts = append(texts, s)
					continue
				}
				var ob struct {
					Text *string `json:"text"`
				}
				if json.Unmarshal(b, &ob) != nil || ob.Text == nil {
					return nil, markupError("keyboard button: Can't find field \"text\"")
				}
				texts = append(texts, *ob.Text)
			}
			kb = append(kb, texts)
		}
		return &markup{keyboard: kb}, nil
	}
	if v, ok := obj["remove_keyboard"]; ok {
		if string(bytes.TrimSpace(v)) != "true" {
			return nil, badRequest("field \"remove_keyboard\" of the ReplyKeyboardRemove must be true")
		}
		return &markup{remove: true}, nil
	}
	if v, ok := obj["force_reply"]; ok {
		if string(bytes.TrimSpace(v)) != "true" {
			return nil, badRequest("field \"force_reply\" of the ForceReply must be true")
		}
		return &markup{forceReply: true}, nil
	}
	return nil, markupError("reply keyboard markup JSON object")
}

func parseInlineKeyboard(rows json.RawMessage) ([][]inlineButton, *apiError) {
	var raws [][]json.RawMessage
	if err := json.Unmarshal(rows, &raws); err != nil {
		return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
	}
	total := 0
	kb := make([][]inlineButton, 0, len(raws))
	for _, row := range raws {
		out := make([]inlineButton, 0, len(row))
		for _, b := range row {
			btn, err := parseInlineButton(b)
			if err != nil {
				return nil, err
			}
			out = append(out, btn)
			total++
		}
		kb = append(kb, out)
	}
	if total > maxInlineButtons {
		return nil, badRequest("reply markup is too long")
	}
	return kb, nil
}

// parseInlineButton follows Client::get_inline_keyboard_button: the first
// non-empty action wins (url, then callback_data, then the others) and a
// button with none is an error. A callback_data longer than 64 bytes is
// refused by Telegram with BUTTON_DATA_INVALID.
func parseInlineButton(raw json.RawMessage) (inlineButton, *apiError) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return inlineButton{}, markupError("inline keyboard button: InlineKeyboardButton must be an Object")
	}
	str := func(key string) (string, bool, *apiError) {
		v, ok := obj[key]
		if !ok || string(bytes.TrimSpace(v)) == "null" {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", true, markupError("inline keyboard button: Field \"" + key + "\" must be of type String")
		}
		return s, true, nil
	}
	text, ok, err := str("text")
	if err != nil {
		return inlineButton{}, err
	}
	if !ok {
		return inlineButton{}, markupError("inline keyboard button: Can't find field \"text\"")
	}
	if text == "" {
		return inlineButton{}, badRequest("BUTTON_TEXT_EMPTY")
	}
	b := inlineButton{Text: text}
	if u, _, err := str("url"); err != nil {
		return b, err
	} else if u != "" {
		pu, perr := url.Parse(u)
		if perr != nil || pu.Scheme == "" || (pu.Host == "" && pu.Opaque == "" && pu.Path == "") {
			return b, badRequest("BUTTON_URL_INVALID")
		}
		b.URL = u
		return b, nil
	}
	if d, _, err := str("callback_data"); err != nil {
		return b, err
	} else if d != "" {
		if len(d) > maxCallbackDataBytes {
			return b, badRequest("BUTTON_DATA_INVALID")
		}
		b.CallbackData = d
		return b, nil
	}
	if v, ok := obj["callback_game"]; ok {
		b.CallbackGame = v
		return b, nil
	}
	if v, ok := obj["pay"]; ok && string(bytes.TrimSpace(v)) == "true" {
		b.Pay = true
		return b, nil
	}
	if s, ok, err := str("switch_inline_query"); err != nil {
		return b, err
	} else if ok {
		b.SwitchInlineQuery = &s
		return b, nil
	}
	if s, ok, err := str("switch_inline_query_current_chat"); err != nil {
		return b, err
	} else if ok {
		b.SwitchInlineQueryCurrentChat = &s
		return b, nil
	}
	if v, ok := obj["login_url"]; ok {
		b.LoginURL = v
		return b, nil
	}
	if v, ok := obj["web_app"]; ok {
		var info struct {
			URL *string `json:"url"`
		}
		if json.Unmarshal(v, &info) != nil || info.URL == nil {
			return b, markupError("inline keyboard button: Can't find field \"url\"")
		}
		// Telegram opens Mini Apps over HTTPS only.
		if pu, err := url.Parse(*info.URL); err != nil || pu.Scheme != "https" || pu.Host == "" {
			return b, badRequest("inline keyboard button Web App URL '" + *info.URL + "' is invalid: Only HTTPS links are allowed")
		}
		b.WebApp = &webAppInfo{URL: *info.URL}
		return b, nil
	}
	return b, markupError("inline keyboard button: Text buttons are unallowed in the inline keyboard")
}

// webAppAllowed refuses web_app buttons outside private chats, as
// Telegram does: they open a Mini App for the one user of the chat.
func webAppAllowed(ch *chat, mk *markup) *apiError {
	if mk == nil || ch.kind == "private" {
		return nil
	}
	for _, row := range mk.inline {
		for _, b := range row {
			if b.WebApp != nil {
				return badRequest("BUTTON_TYPE_INVALID")
			}
		}
	}
	return nil
}

// inlineJSON is the canonical JSON of an inline keyboard, used both to
// echo it in results and to decide whether an edit changes anything.
func inlineJSON(kb [][]inlineButton) json.RawMessage {
	if kb == nil {
		return nil
	}
	b, _ := marshal(inlineMarkup{InlineKeyboard: kb})
	return b
}
