package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// directAPI makes the calls the bot makes for every answer —
// sendMessage, editMessageText, editMessageReplyMarkup with an inline
// keyboard, answerCallbackQuery — itself: the parameters written straight
// into a JSON body (tgbotapi builds a map, marshals the keyboard by
// reflection, copies it into url.Values and percent-encodes it all, every
// Chinese character as nine bytes), and the answer read without decoding
// the Message it returns (tgbotapi's Decoder scans all of it, then copies
// it). The parameters are tgbotapi's, with the same values (see
// TestDirectMatchesTgbotapi); the result is the same APIResponse, its
// Result the raw JSON. Every other call, and one with a field it does not
// write, goes to tgbotapi.
type directAPI struct {
	client   *http.Client
	endpoint string // with two %s: token and method
	token    string
	fallback API

	urls sync.Map // method → URL
}

var _ API = (*directAPI)(nil)

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Request makes c directly when it can, else through the fallback.
func (d *directAPI) Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	// The request's body is its own: the transport may still read it
	// after Do returns. The answer is read into a pooled buffer.
	var body bytes.Buffer
	method, ok := encodeDirect(&body, c)
	if !ok {
		return d.fallback.Request(c)
	}
	u, ok := d.urls.Load(method)
	if !ok {
		u = fmt.Sprintf(d.endpoint, d.token, method)
		d.urls.Store(method, u)
	}
	req, err := http.NewRequest(http.MethodPost, u.(string), bytes.NewReader(body.Bytes()))
	if err != nil {
		return &tgbotapi.APIResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b := bodyPool.Get().(*bytes.Buffer)
	b.Reset()
	defer bodyPool.Put(b)
	if _, err := b.ReadFrom(resp.Body); err != nil {
		return &tgbotapi.APIResponse{}, err
	}
	return decodeDirect(b.Bytes())
}

// okPrefix starts every successful answer of the real Bot API (and the
// fake's): {"ok":true,"result":…}.
var okPrefix = []byte(`{"ok":true,"result":`)

// decodeDirect reads an answer: a success by its envelope alone, the
// result kept raw; anything else decoded and made the *tgbotapi.Error
// tgbotapi returns (a body that is not JSON is the decoding error, as
// there).
func decodeDirect(body []byte) (*tgbotapi.APIResponse, error) {
	if bytes.HasPrefix(body, okPrefix) && len(body) > len(okPrefix) && body[len(body)-1] == '}' {
		result := body[len(okPrefix) : len(body)-1]
		if len(result) > 0 && (result[0] == '{' || result[0] == '[' || string(result) == "true") {
			return &tgbotapi.APIResponse{Ok: true, Result: bytes.Clone(result)}, nil
		}
	}
	return decodeEnvelope(body)
}

// decodeEnvelope reads an answer as tgbotapi does: decoded whole, a
// refusal made the *tgbotapi.Error.
func decodeEnvelope(body []byte) (*tgbotapi.APIResponse, error) {
	var r tgbotapi.APIResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return &r, err
	}
	if !r.Ok {
		var p tgbotapi.ResponseParameters
		if r.Parameters != nil {
			p = *r.Parameters
		}
		return &r, &tgbotapi.Error{Code: r.ErrorCode, Message: r.Description, ResponseParameters: p}
	}
	return &r, nil
}

// encodeDirect writes the JSON body of c and returns its method, or false
// when c is not one the direct path writes.
func encodeDirect(b *bytes.Buffer, c tgbotapi.Chattable) (string, bool) {
	b.Grow(1024)
	w := jsonWriter{b: b}
	switch v := c.(type) {
	case tgbotapi.MessageConfig:
		var kb *tgbotapi.InlineKeyboardMarkup
		switch m := v.ReplyMarkup.(type) {
		case nil:
		case *tgbotapi.InlineKeyboardMarkup:
			kb = m
		case tgbotapi.InlineKeyboardMarkup:
			kb = &m
		default:
			return "", false
		}
		if v.ChatID == 0 || v.ChannelUsername != "" || len(v.Entities) > 0 || v.Text == "" || !directKeyboard(kb) {
			return "", false
		}
		w.open()
		w.int("chat_id", v.ChatID)
		if v.ReplyToMessageID != 0 {
			w.int("reply_to_message_id", int64(v.ReplyToMessageID))
		}
		w.flag("disable_notification", v.DisableNotification)
		w.flag("allow_sending_without_reply", v.AllowSendingWithoutReply)
		w.keyboard(kb)
		w.str("text", v.Text)
		w.flag("disable_web_page_preview", v.DisableWebPagePreview)
		if v.ParseMode != "" {
			w.str("parse_mode", v.ParseMode)
		}
		w.close()
		return "sendMessage", true
	case tgbotapi.EditMessageTextConfig:
		if !directEdit(v.BaseEdit) || len(v.Entities) > 0 {
			return "", false
		}
		w.open()
		w.edit(v.BaseEdit)
		w.str("text", v.Text)
		if v.ParseMode != "" {
			w.str("parse_mode", v.ParseMode)
		}
		w.flag("disable_web_page_preview", v.DisableWebPagePreview)
		w.close()
		return "editMessageText", true
	case tgbotapi.EditMessageReplyMarkupConfig:
		if !directEdit(v.BaseEdit) {
			return "", false
		}
		w.open()
		w.edit(v.BaseEdit)
		w.close()
		return "editMessageReplyMarkup", true
	case tgbotapi.CallbackConfig:
		w.open()
		w.str("callback_query_id", v.CallbackQueryID)
		if v.Text != "" {
			w.str("text", v.Text)
		}
		w.flag("show_alert", v.ShowAlert)
		if v.URL != "" {
			w.str("url", v.URL)
		}
		if v.CacheTime != 0 {
			w.int("cache_time", int64(v.CacheTime))
		}
		w.close()
		return "answerCallbackQuery", true
	}
	return "", false
}

// directEdit reports whether an edit is one the direct path writes: a
// message of a chat, by id, with callback and URL buttons at most.
func directEdit(e tgbotapi.BaseEdit) bool {
	return e.InlineMessageID == "" && e.ChannelUsername == "" && e.ChatID != 0 && e.MessageID != 0 && directKeyboard(e.ReplyMarkup)
}

// directKeyboard reports whether the direct path writes a keyboard: its
// buttons have a text and callback data or a URL, nothing else.
func directKeyboard(kb *tgbotapi.InlineKeyboardMarkup) bool {
	if kb == nil {
		return true
	}
	for _, row := range kb.InlineKeyboard {
		for _, bt := range row {
			if bt.LoginURL != nil || bt.SwitchInlineQuery != nil || bt.SwitchInlineQueryCurrentChat != nil ||
				bt.CallbackGame != nil || bt.Pay {
				return false
			}
		}
	}
	return true
}

// jsonWriter writes one JSON object of parameters.
type jsonWriter struct {
	b     *bytes.Buffer
	first bool
}

func (w *jsonWriter) open()  { w.b.WriteByte('{'); w.first = true }
func (w *jsonWriter) close() { w.b.WriteByte('}') }

func (w *jsonWriter) key(k string) {
	if !w.first {
		w.b.WriteByte(',')
	}
	w.first = false
	w.b.WriteByte('"')
	w.b.WriteString(k)
	w.b.WriteString(`":`)
}

func (w *jsonWriter) int(k string, v int64) {
	w.key(k)
	w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), v, 10))
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	appendJSONString(w.b, v)
}

// flag writes a true bool (tgbotapi leaves false ones out).
func (w *jsonWriter) flag(k string, v bool) {
	if v {
		w.key(k)
		w.b.WriteString("true")
	}
}

func (w *jsonWriter) edit(e tgbotapi.BaseEdit) {
	w.int("chat_id", e.ChatID)
	w.int("message_id", int64(e.MessageID))
	w.keyboard(e.ReplyMarkup)
}

// keyboard writes reply_markup as encoding/json writes the markup (a nil
// row list as null, as tgbotapi sends it).
func (w *jsonWriter) keyboard(kb *tgbotapi.InlineKeyboardMarkup) {
	if kb == nil {
		return
	}
	w.key("reply_markup")
	b := w.b
	if kb.InlineKeyboard == nil {
		b.WriteString(`{"inline_keyboard":null}`)
		return
	}
	b.WriteString(`{"inline_keyboard":[`)
	for i, row := range kb.InlineKeyboard {
		if i > 0 {
			b.WriteByte(',')
		}
		if row == nil {
			b.WriteString("null")
			continue
		}
		b.WriteByte('[')
		for j, bt := range row {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"text":`)
			appendJSONString(b, bt.Text)
			if bt.URL != nil {
				b.WriteString(`,"url":`)
				appendJSONString(b, *bt.URL)
			}
			if bt.CallbackData != nil {
				b.WriteString(`,"callback_data":`)
				appendJSONString(b, *bt.CallbackData)
			}
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	b.WriteString("]}")
}

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 as U+FFFD, everything else as
// it is (the Bot API reads UTF-8).
func appendJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

const hexDigits = "0123456789abcdef"

// getUpdates is the long poll made directly: the parameters as a JSON
// body, the answer read once into a pooled buffer and split into its
// updates, each decoded into a tgbotapi.Update and also returned as
// Telegram wrote it — what the inbox keeps, instead of encoding each
// update again (tgbotapi decoded the envelope with a Decoder, copied the
// result, then decoded it again). Errors are tgbotapi's: a refusal is a
// *tgbotapi.Error, an answer that is not JSON the decoding error.
func getUpdates(client *http.Client, url string, offset, limit, timeout int, allowed []string) ([]tgbotapi.Update, []json.RawMessage, error) {
	var body bytes.Buffer
	w := jsonWriter{b: &body}
	w.open()
	w.int("offset", int64(offset))
	w.int("limit", int64(limit))
	w.int("timeout", int64(timeout))
	w.key("allowed_updates")
	body.WriteByte('[')
	for i, a := range allowed {
		if i > 0 {
			body.WriteByte(',')
		}
		appendJSONString(&body, a)
	}
	body.WriteByte(']')
	w.close()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body.Bytes()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b := bodyPool.Get().(*bytes.Buffer)
	b.Reset()
	defer bodyPool.Put(b)
	if _, err := b.ReadFrom(resp.Body); err != nil {
		return nil, nil, err
	}
	// The envelope by its prefix, as Telegram writes it; any other answer
	// (another field after the result, an error, not JSON) decoded whole.
	var raws []json.RawMessage // each a copy: b goes back to the pool
	data := b.Bytes()
	if !bytes.HasPrefix(data, okPrefix) || len(data) <= len(okPrefix) || data[len(data)-1] != '}' ||
		json.Unmarshal(data[len(okPrefix):len(data)-1], &raws) != nil {
		raws = nil
		r, err := decodeEnvelope(data)
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(r.Result, &raws); err != nil {
			return nil, nil, err
		}
	}
	updates := make([]tgbotapi.Update, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &updates[i]); err != nil {
			return nil, nil, err
		}
	}
	return updates, raws, nil
}
