package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	maxUploadBytes   = 50 << 20
	maxDownloadBytes = 20 << 20
	maxAnswerRunes   = 200
)

func (s *Server) getMe(*call) (any, *apiError) { return s.botUser, nil }

// chatLocked resolves chat_id.
func (s *Server) chatLocked(p *params) (*chat, *apiError) {
	raw := strings.TrimSpace(p.str("chat_id"))
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	ch := s.chats[id]
	if ch == nil {
		return nil, badRequest("chat not found")
	}
	return ch, nil
}

// writableLocked says whether the bot may post in ch now. These refusals
// come from Telegram itself, so they are checked after the request is
// otherwise valid.
func writableLocked(ch *chat) *apiError {
	switch {
	case ch.kind == "private" && ch.blocked:
		return forbidden("bot was blocked by the user")
	case ch.kind == "private" && !ch.started:
		return forbidden("bot can't initiate conversation with a user")
	case ch.left && ch.kind == "group":
		return forbidden("bot is not a member of the group chat")
	case ch.left:
		return forbidden("bot is not a member of the supergroup chat")
	}
	return nil
}

func (s *Server) replyTargetLocked(ch *chat, p *params) (*message, *apiError) {
	id, ok := p.int("reply_to_message_id")
	allowMissing := p.bool("allow_sending_without_reply")
	if raw := p.str("reply_parameters"); raw != "" {
		var rp struct {
			MessageID                int  `json:"message_id"`
			AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
		}
		if json.Unmarshal([]byte(raw), &rp) != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
		id, ok, allowMissing = rp.MessageID, true, rp.AllowSendingWithoutReply
	}
	if !ok || id == 0 {
		return nil, nil
	}
	if m := ch.byID[id]; m != nil && !m.deleted {
		return m, nil
	}
	if allowMissing {
		return nil, nil
	}
	return nil, badRequest("message to reply not found")
}

func (s *Server) newMessageLocked(ch *chat) *message {
	ch.nextMsgID++
	return &message{id: ch.nextMsgID, chat: ch, date: s.clock.Now()}
}

func applyMarkup(ch *chat, m *message, mk *markup) {
	if mk == nil {
		return
	}
	switch {
	case mk.inline != nil:
		m.inline = mk.inline
	case mk.keyboard != nil:
		m.keyboard = mk.keyboard
		ch.keyboard = mk.keyboard
	case mk.remove:
		m.removeKb = true
		ch.keyboard = nil
	case mk.forceReply:
		m.forceReply = true
	}
}

// commitBotMessageLocked stores a new bot message and tells the watchers.
func (s *Server) commitBotMessageLocked(m *message) {
	ch := m.chat
	m.fromBot = true
	ch.msgs = append(ch.msgs, m)
	ch.byID[m.id] = m
	ch.bumpLocked()
	m.seq = ch.seq
	ch.publishLocked(Event{Kind: MessageSent, Message: s.exportLocked(m)})
}

func (s *Server) commitEditLocked(m *message) {
	m.edits++
	m.editDate = s.clock.Now()
	m.chat.bumpLocked()
	m.seq = m.chat.seq
	m.chat.publishLocked(Event{Kind: MessageEdited, Message: s.exportLocked(m)})
}

func checkLength(text string, limit int, tooLong string) *apiError {
	if utf8.RuneCountInString(text) > limit {
		return badRequest(tooLong)
	}
	return nil
}

func (s *Server) sendMessage(c *call) (any, *apiError) {
	p := c.p
	text := p.str("text")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	out, ents, e := formatText(text, p.str("parse_mode"), p.str("entities"))
	if e != nil {
		return nil, e
	}
	mk, e := parseReplyMarkup(p.str("reply_markup"), false)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	if e := webAppAllowed(ch, mk); e != nil {
		return nil, e
	}
	if out == "" {
		return nil, badRequest("message text is empty")
	}
	if e := checkLength(out, maxTextRunes, "message is too long"); e != nil {
		return nil, e
	}
	replyTo, e := s.replyTargetLocked(ch, p)
	if e != nil {
		return nil, e
	}
	if e := writableLocked(ch); e != nil {
		return nil, e
	}
	if e := s.paceLocked(ch); e != nil {
		return nil, e
	}
	m := s.newMessageLocked(ch)
	m.text, m.entities, m.replyTo = out, ents, replyTo
	applyMarkup(ch, m, mk)
	s.commitBotMessageLocked(m)
	return s.wireMessageLocked(m, true), nil
}

// formatCaption formats an optional caption.
func formatCaption(p *params) (string, []Entity, *apiError) {
	caption := p.str("caption")
	if caption == "" {
		return "", nil, nil
	}
	return formatText(caption, p.str("parse_mode"), p.str("caption_entities"))
}

var mimeByExt = map[string]string{
	".txt": "text/plain", ".csv": "text/csv", ".tsv": "text/tab-separated-values", ".toml": "application/toml",
	".json": "application/json", ".xml": "application/xml", ".html": "text/html", ".htm": "text/html",
	".md": "text/markdown", ".pdf": "application/pdf", ".zip": "application/zip", ".gz": "application/gzip",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".xls":  "application/vnd.ms-excel",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".doc":  "application/msword", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
}

// mimeFor guesses a MIME type from a file name, as the server does for
// uploaded documents (a fixed table, so results do not depend on the
// machine's mime.types).
func mimeFor(name string) string {
	if t, ok := mimeByExt[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

func (s *Server) sendDocument(c *call) (any, *apiError) {
	p := c.p
	up := p.files["document"]
	ref := strings.TrimSpace(p.str("document"))
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		up, ref = p.files[name], ""
	}
	if up == nil && ref == "" {
		return nil, badRequest("there is no document in the request")
	}
	if up != nil && len(up.data) > maxUploadBytes {
		return nil, &apiError{code: 413, desc: "Request Entity Too Large"}
	}
	caption, capEnts, e := formatCaption(p)
	if e != nil {
		return nil, e
	}
	mk, e := parseReplyMarkup(p.str("reply_markup"), false)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	if e := webAppAllowed(ch, mk); e != nil {
		return nil, e
	}
	if e := checkLength(caption, maxCaptionRunes, "message caption is too long"); e != nil {
		return nil, e
	}
	var existing *file
	switch {
	case up != nil:
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		return nil, badRequest("failed to get HTTP URL content")
	default:
		existing = s.files[ref]
		if existing == nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		if existing.kind != "document" {
			return nil, badRequest("can't use file of type " + strings.ToUpper(existing.kind[:1]) + existing.kind[1:] + " as Document")
		}
	}
	replyTo, e := s.replyTargetLocked(ch, p)
	if e != nil {
		return nil, e
	}
	if e := writableLocked(ch); e != nil {
		return nil, e
	}
	if e := s.paceLocked(ch); e != nil {
		return nil, e
	}
	if existing == nil {
		existing = s.newFileLocked("document", up.name, mimeFor(up.name), up.data, int64(len(up.data)))
	}
	m := s.newMessageLocked(ch)
	m.document, m.caption, m.captionEntities, m.replyTo = existing, caption, capEnts, replyTo
	applyMarkup(ch, m, mk)
	s.commitBotMessageLocked(m)
	return s.wireMessageLocked(m, true), nil
}

func (s *Server) sendPoll(c *call) (any, *apiError) {
	p := c.p
	question := p.str("question")
	if question == "" {
		return nil, badRequest("poll question must be non-empty")
	}
	if e := checkLength(question, 300, "poll question length must not exceed 300"); e != nil {
		return nil, e
	}
	var raws []json.RawMessage
	if json.Unmarshal([]byte(p.str("options")), &raws) != nil {
		return nil, badRequest("can't parse options JSON object")
	}
	var options []string
	for _, r := range raws {
		var text string
		if json.Unmarshal(r, &text) != nil {
			var o struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(r, &o) != nil {
				return nil, badRequest("can't parse options JSON object")
			}
			text = o.Text
		}
		options = append(options, text)
	}
	if len(options) < 2 {
		return nil, badRequest("poll must have at least 2 option")
	}
	if len(options) > 10 {
		return nil, badRequest("poll can't have more than 10 options")
	}
	for _, o := range options {
		if o == "" {
			return nil, badRequest("poll options must be non-empty")
		}
		if e := checkLength(o, 100, "poll options length must not exceed 100"); e != nil {
			return nil, e
		}
	}
	poll := &Poll{Question: question, Options: options, Type: "regular", IsAnonymous: true,
		AllowsMultipleAnswers: p.bool("allows_multiple_answers"), Explanation: p.str("explanation")}
	if v, ok := p.get("is_anonymous"); ok && (strings.EqualFold(v, "false") || v == "0") {
		poll.IsAnonymous = false
	}
	if t := p.str("type"); t == "quiz" {
		poll.Type = "quiz"
		poll.AllowsMultipleAnswers = false // ignored for quizzes, as the Bot API says
		id, ok := p.int("correct_option_id")
		if !ok || id < 0 || id >= len(options) {
			return nil, badRequest("wrong correct option id specified")
		}
		poll.CorrectOptionID = id
	} else if t != "" && t != "regular" {
		return nil, badRequest("wrong poll type specified")
	}
	if e := checkLength(poll.Explanation, 200, "poll explanation length must not exceed 200"); e != nil {
		return nil, e
	}
	if e := checkExplanationLines(poll); e != nil {
		return nil, e
	}
	if v, ok := p.int("open_period"); ok && (v < 5 || v > 600) {
		return nil, badRequest("wrong open period specified")
	} else if ok {
		poll.OpenPeriod = v
	}
	mk, e := parseReplyMarkup(p.str("reply_markup"), false)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	if e := webAppAllowed(ch, mk); e != nil {
		return nil, e
	}
	replyTo, e := s.replyTargetLocked(ch, p)
	if e != nil {
		return nil, e
	}
	if e := writableLocked(ch); e != nil {
		return nil, e
	}
	if e := s.paceLocked(ch); e != nil {
		return nil, e
	}
	s.nextPoll++
	poll.ID = strconv.Itoa(5000000 + s.nextPoll)
	m := s.newMessageLocked(ch)
	m.poll, m.replyTo = poll, replyTo
	applyMarkup(ch, m, mk)
	s.commitBotMessageLocked(m)
	s.trackPollLocked(m)
	return s.wireMessageLocked(m, true), nil
}

// editTargetLocked finds the message an edit method names.
func (s *Server) editTargetLocked(p *params) (*message, *apiError) {
	if p.str("inline_message_id") != "" {
		return nil, badRequest("message to edit not found")
	}
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	id, ok := p.int("message_id")
	if !ok || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	m := ch.byID[id]
	if m == nil || m.deleted {
		return nil, badRequest("message to edit not found")
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

func entitiesEqual(a, b []Entity) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func inlineOf(mk *markup) [][]inlineButton {
	if mk == nil {
		return nil
	}
	return mk.inline
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(c *call) (any, *apiError) {
	p := c.p
	text := p.str("text")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	out, ents, e := formatText(text, p.str("parse_mode"), p.str("entities"))
	if e != nil {
		return nil, e
	}
	mk, e := parseReplyMarkup(p.str("reply_markup"), true)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	if e := webAppAllowed(m.chat, mk); e != nil {
		return nil, e
	}
	if m.text == "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	if out == "" {
		return nil, badRequest("message text is empty")
	}
	if e := checkLength(out, maxTextRunes, "message is too long"); e != nil {
		return nil, e
	}
	kb := inlineOf(mk)
	if out == m.text && entitiesEqual(ents, m.entities) && bytes.Equal(inlineJSON(kb), inlineJSON(m.inline)) {
		return nil, badRequest(notModified)
	}
	if e := writableLocked(m.chat); e != nil {
		return nil, e
	}
	if e := s.paceLocked(m.chat); e != nil {
		return nil, e
	}
	m.text, m.entities, m.inline = out, ents, kb
	s.commitEditLocked(m)
	return s.wireMessageLocked(m, true), nil
}

func (s *Server) editMessageCaption(c *call) (any, *apiError) {
	p := c.p
	caption, capEnts, e := formatCaption(p)
	if e != nil {
		return nil, e
	}
	mk, e := parseReplyMarkup(p.str("reply_markup"), true)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	if e := webAppAllowed(m.chat, mk); e != nil {
		return nil, e
	}
	if m.document == nil && m.photo == nil && m.voice == nil {
		return nil, badRequest("there is no caption in the message to edit")
	}
	if e := checkLength(caption, maxCaptionRunes, "message caption is too long"); e != nil {
		return nil, e
	}
	kb := inlineOf(mk)
	if caption == m.caption && entitiesEqual(capEnts, m.captionEntities) && bytes.Equal(inlineJSON(kb), inlineJSON(m.inline)) {
		return nil, badRequest(notModified)
	}
	if e := writableLocked(m.chat); e != nil {
		return nil, e
	}
	if e := s.paceLocked(m.chat); e != nil {
		return nil, e
	}
	m.caption, m.captionEntities, m.inline = caption, capEnts, kb
	s.commitEditLocked(m)
	return s.wireMessageLocked(m, true), nil
}

func (s *Server) editMessageReplyMarkup(c *call) (any, *apiError) {
	p := c.p
	mk, e := parseReplyMarkup(p.str("reply_markup"), true)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.editTargetLocked(p)
	if e != nil {
		return nil, e
	}
	if e := webAppAllowed(m.chat, mk); e != nil {
		return nil, e
	}
	kb := inlineOf(mk)
	if bytes.Equal(inlineJSON(kb), inlineJSON(m.inline)) {
		return nil, badRequest(notModified)
	}
	if e := writableLocked(m.chat); e != nil {
		return nil, e
	}
	if e := s.paceLocked(m.chat); e != nil {
		return nil, e
	}
	m.inline = kb
	s.commitEditLocked(m)
	return s.wireMessageLocked(m, true), nil
}

func (s *Server) deleteMessage(c *call) (any, *apiError) {
	p := c.p
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	id, ok := p.int("message_id")
	if !ok || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	m := ch.byID[id]
	if m == nil || m.deleted {
		return nil, badRequest("message to delete not found")
	}
	if (!m.fromBot && ch.kind != "private") || s.clock.Now().Sub(m.date) >= 48*time.Hour {
		return nil, badRequest("message can't be deleted")
	}
	m.deleted = true
	ch.bumpLocked()
	ch.publishLocked(Event{Kind: MessageDeleted, Message: s.exportLocked(m)})
	return true, nil
}

// query is a callback query: one press of an inline button.
type query struct {
	id       string
	user     *User
	chat     *chat
	msgID    int
	data     string
	created  time.Time
	answered bool
}

func (s *Server) answerCallbackQuery(c *call) (any, *apiError) {
	p := c.p
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[p.str("callback_query_id")]
	now := s.clock.Now()
	if q == nil || q.answered || now.Sub(q.created) > s.opts.CallbackTimeout {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	text := p.str("text")
	if utf8.RuneCountInString(text) > maxAnswerRunes {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered = true
	a := CallbackAnswer{QueryID: q.id, MessageID: q.msgID, Data: q.data, Text: text,
		ShowAlert: p.bool("show_alert"), URL: p.str("url"), At: now}
	q.user.answers = append(q.user.answers, a)
	q.chat.publishLocked(Event{Kind: CallbackAnswered, Answer: a})
	q.chat.bumpLocked()
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true, "record_voice": true,
	"upload_voice": true, "upload_document": true, "choose_sticker": true, "find_location": true,
	"record_video_note": true, "upload_video_note": true, "record_audio": true, "upload_audio": true,
}

func (s *Server) sendChatAction(c *call) (any, *apiError) {
	p := c.p
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	action := p.str("action")
	if !chatActions[action] {
		return nil, badRequest("wrong parameter action in request")
	}
	if e := writableLocked(ch); e != nil {
		return nil, e
	}
	ch.publishLocked(Event{Kind: ChatAction, Action: action})
	return true, nil
}

func (s *Server) getFile(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[strings.TrimSpace(c.p.str("file_id"))]
	if f == nil {
		return nil, badRequest("wrong file_id or the file is temporarily unavailable")
	}
	if f.size > maxDownloadBytes {
		return nil, badRequest("file is too big")
	}
	if f.path == "" {
		ext := path.Ext(f.name)
		switch f.kind {
		case "photo":
			ext = ".jpg"
		case "sticker":
			ext = ".webp"
		case "voice":
			ext = ".oga"
		}
		f.path = fmt.Sprintf("%ss/file_%d%s", f.kind, len(s.filePaths), ext)
		s.filePaths[f.path] = f
	}
	return wFile{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: f.size, FilePath: f.path}, nil
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

func commandsKey(p *params) (string, *apiError) {
	key := "default"
	if raw := p.str("scope"); raw != "" {
		var sc struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"`
			UserID int64           `json:"user_id"`
		}
		if json.Unmarshal([]byte(raw), &sc) != nil || sc.Type == "" {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		key = sc.Type
		if len(sc.ChatID) > 0 {
			key += ":" + strings.Trim(string(sc.ChatID), `"`)
		}
		if sc.UserID != 0 {
			key += ":" + strconv.FormatInt(sc.UserID, 10)
		}
	}
	return key + "/" + p.str("language_code"), nil
}

func validCommand(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'a' && ch <= 'z' || isASCIIDigit(ch) || ch == '_') {
			return false
		}
	}
	return true
}

func (s *Server) setMyCommands(c *call) (any, *apiError) {
	var cmds []BotCommand
	if json.Unmarshal([]byte(c.p.str("commands")), &cmds) != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if !validCommand(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(cmd.Description); n == 0 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, e := commandsKey(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

func (s *Server) getMyCommands(c *call) (any, *apiError) {
	key, e := commandsKey(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[key]
	if cmds == nil {
		cmds = []BotCommand{}
	}
	return cmds, nil
}

func (s *Server) deleteMyCommands(c *call) (any, *apiError) {
	key, e := commandsKey(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	return true, nil
}

// Commands returns the command menu set with setMyCommands for the default
// scope and no language_code.
func (s *Server) Commands() []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands["default/"]...)
}

// CommandsFor returns the command menu set for one chat (scope "chat"),
// or nil when the chat has none of its own.
func (s *Server) CommandsFor(chat int64) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands["chat:"+strconv.FormatInt(chat, 10)+"/"]...)
}

func (s *Server) getChat(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(c.p)
	if e != nil {
		return nil, e
	}
	return s.wireChatLocked(ch), nil
}

func (s *Server) leaveChat(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(c.p)
	if e != nil {
		return nil, e
	}
	if ch.kind == "private" {
		return nil, badRequest("chat member status can't be changed in private chats")
	}
	if e := writableLocked(ch); e != nil {
		return nil, e
	}
	ch.left = true
	return true, nil
}
