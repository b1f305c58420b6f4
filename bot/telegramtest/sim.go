package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrClosed is returned by waits that end because the server was closed.
var ErrClosed = errors.New("telegramtest: server closed")

// Message is a message as a chat member sees it, in its current state.
type Message struct {
	// ID is the message_id, counted per chat.
	ID int
	// ChatID is the chat the message is in.
	ChatID int64
	// FromBot is true for messages the bot sent.
	FromBot bool
	// From is the sender's user id (the bot's id for bot messages).
	From int64
	// Date is when the message was sent, on the server's Clock.
	Date time.Time
	// Kind is "text", "document", "photo", "sticker", "voice", "location",
	// "contact" or "poll".
	Kind string
	// Text is the text as the user sees it: HTML parsed, entities decoded,
	// trimmed. Empty for messages without text.
	Text string
	// Entities are the formatting of Text (UTF-16 offsets).
	Entities []Entity
	// Caption is the caption of a document or photo, as the user sees it.
	Caption string
	// CaptionEntities are the formatting of Caption.
	CaptionEntities []Entity
	// Buttons is the inline keyboard under the message, row by row.
	Buttons [][]Button
	// Keyboard is the reply keyboard this message brought up, if any.
	Keyboard [][]string
	// RemoveKeyboard is true if this message removed the reply keyboard.
	RemoveKeyboard bool
	// ForceReply is true if this message asked the client for a reply.
	ForceReply bool
	// Document is the attached document, bytes included.
	Document *Document
	// Sticker is the emoji of a sticker message.
	Sticker string
	// Location and Contact are set for those kinds of message.
	Location *Location
	Contact  *Contact
	// Poll is set for polls.
	Poll *Poll
	// ReplyTo is the id of the message this one replies to, or 0.
	ReplyTo int
	// Edited counts the edits of the message; EditDate is the last one.
	Edited   int
	EditDate time.Time
	// Seq orders changes in the chat: it is the chat's change counter at
	// the message's last change (sent, edited). See Chat.WaitAfter.
	Seq int64
	// Deleted is set on the message of a MessageDeleted event.
	Deleted bool
}

// Button is an inline keyboard button.
type Button struct {
	Text string
	// Data is the callback_data ("" for buttons of other kinds).
	Data string
	// URL is the link of a URL button.
	URL string
	// WebApp is the Mini App address of a web_app button.
	WebApp string
}

// HasButton reports whether the message has an inline button labelled text.
func (m Message) HasButton(text string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == text {
				return true
			}
		}
	}
	return false
}

// ButtonTexts returns the labels of the inline buttons, row by row.
func (m Message) ButtonTexts() []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// Document is a file sent as a document. Data must not be modified.
type Document struct {
	FileID string
	Name   string
	MIME   string
	Size   int64
	// Data is the content; nil for documents sent with SendLargeDocument.
	Data []byte
}

// Location is a shared location.
type Location struct {
	Longitude float64 `json:"longitude"`
	Latitude  float64 `json:"latitude"`
}

// Contact is a shared contact.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

// Poll is a poll the bot sent.
type Poll struct {
	ID                    string
	Question              string
	Options               []string
	Type                  string // "regular" or "quiz"
	IsAnonymous           bool
	AllowsMultipleAnswers bool
	CorrectOptionID       int
	Explanation           string
	OpenPeriod            int
	// Closed is set once the poll was stopped or its open period ran out
	// (on the server's Clock).
	Closed bool
	// Counts are the votes of each option; Voters is how many voted.
	Counts []int
	Voters int
}

// CallbackAnswer is the bot's answerCallbackQuery to one button press:
// the toast (or alert) the user saw.
type CallbackAnswer struct {
	QueryID   string
	MessageID int
	Data      string
	Text      string
	ShowAlert bool
	URL       string
	At        time.Time
}

// EventKind says what happened in a chat.
type EventKind int

const (
	// MessageSent: the bot sent a new message.
	MessageSent EventKind = iota + 1
	// MessageEdited: the bot edited a message (text, caption or keyboard).
	MessageEdited
	// MessageDeleted: the bot deleted a message.
	MessageDeleted
	// CallbackAnswered: the bot answered a button press (toast or alert).
	CallbackAnswered
	// ChatAction: the bot sent a chat action such as "typing".
	ChatAction
)

// String returns the kind's name.
func (k EventKind) String() string {
	switch k {
	case MessageSent:
		return "sent"
	case MessageEdited:
		return "edited"
	case MessageDeleted:
		return "deleted"
	case CallbackAnswered:
		return "answered"
	case ChatAction:
		return "action"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one thing the bot did in a chat, as a chat member notices it.
type Event struct {
	Kind EventKind
	// Message is the message sent, edited or deleted, in its new state.
	Message Message
	// Answer is set for CallbackAnswered.
	Answer CallbackAnswer
	// Action is set for ChatAction ("typing", "upload_document", ...).
	Action string
}

// subscriber is an unbounded queue of events, so the server never waits
// for a slow reader.
type subscriber struct {
	mu     sync.Mutex
	queue  []Event
	signal chan struct{}
}

func (sub *subscriber) push(e Event) {
	sub.mu.Lock()
	sub.queue = append(sub.queue, e)
	sub.mu.Unlock()
	select {
	case sub.signal <- struct{}{}:
	default:
	}
}

// UserInfo describes a simulated Telegram user.
type UserInfo struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

// Chat is a handle on one chat, for reading what the bot did there.
type Chat struct {
	s *Server
	c *chat
}

// User is a simulated Telegram user together with their private chat with
// the bot (chat id == user id). The embedded *Chat reads that chat.
type User struct {
	*Chat
	info    UserInfo
	answers []CallbackAnswer // guarded by Server.mu
}

// Group is a simulated group or supergroup the bot is a member of.
type Group struct {
	*Chat
}

// NewUser adds a user the bot can get to know. Like a real user, they have
// not written to the bot yet: until they send something, the bot's
// messages to them fail with 403 "bot can't initiate conversation with a
// user". Adding an id twice returns the existing user.
func (s *Server) NewUser(id int64, firstName string) *User {
	return s.AddUser(UserInfo{ID: id, FirstName: firstName, LanguageCode: "zh-hans"})
}

// NewStranger adds a user who exists but never started the bot: the same
// as NewUser, named for tests about 403 "bot can't initiate conversation
// with a user". A stranger who sends something is a stranger no more.
func (s *Server) NewStranger(id int64, firstName string) *User {
	return s.NewUser(id, firstName)
}

// AddUser adds a user described by info (see NewUser). It panics if the id
// is not positive or is a group's.
func (s *Server) AddUser(info UserInfo) *User {
	if info.ID <= 0 {
		panic(fmt.Sprintf("telegramtest: user id %d is not positive", info.ID))
	}
	if info.FirstName == "" {
		info.FirstName = "User" + strconv.FormatInt(info.ID, 10)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[info.ID]; u != nil {
		return u
	}
	if info.ID == s.botUser.ID {
		panic("telegramtest: user id is the bot's")
	}
	u := &User{info: info}
	ch := s.newChatLocked(info.ID, "private", "")
	ch.user = u
	u.Chat = ch.handle
	s.users[info.ID] = u
	return u
}

// NewGroup adds a group the bot is a member of. Ids at or below
// -1000000000000 make a supergroup, other negative ids a basic group.
// Adding an id twice returns the existing group.
func (s *Server) NewGroup(id int64, title string) *Group {
	if id >= 0 {
		panic(fmt.Sprintf("telegramtest: group id %d is not negative", id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.chats[id]; ch != nil {
		return &Group{Chat: ch.handle}
	}
	kind := "group"
	if id <= -1000000000000 {
		kind = "supergroup"
	}
	ch := s.newChatLocked(id, kind, title)
	return &Group{Chat: ch.handle}
}

func (s *Server) newChatLocked(id int64, kind, title string) *chat {
	ch := &chat{id: id, kind: kind, title: title, byID: map[int]*message{},
		changed: make(chan struct{}), subs: map[*subscriber]struct{}{}}
	ch.handle = &Chat{s: s, c: ch}
	s.chats[id] = ch
	return ch
}

// User returns the user with this id, or nil.
func (s *Server) User(id int64) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[id]
}

// Chat returns the chat with this id, or nil.
func (s *Server) Chat(id int64) *Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.chats[id]; ch != nil {
		return ch.handle
	}
	return nil
}

// ID returns the chat id.
func (c *Chat) ID() int64 { return c.c.id }

// Type returns "private", "group" or "supergroup".
func (c *Chat) Type() string { return c.c.kind }

// Messages returns every bot message in the chat that is not deleted, in
// order, each in its current state.
func (c *Chat) Messages() []Message {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var out []Message
	for _, m := range c.c.msgs {
		if m.fromBot && !m.deleted {
			out = append(out, c.s.exportLocked(m))
		}
	}
	return out
}

// History returns every message in the chat, the users' and the bot's,
// that is not deleted, in order.
func (c *Chat) History() []Message {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	out := make([]Message, 0, len(c.c.msgs))
	for _, m := range c.c.msgs {
		if !m.deleted {
			out = append(out, c.s.exportLocked(m))
		}
	}
	return out
}

// Last returns the bot's newest message in the chat, or the zero Message.
func (c *Chat) Last() Message {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for i := len(c.c.msgs) - 1; i >= 0; i-- {
		if m := c.c.msgs[i]; m.fromBot && !m.deleted {
			return c.s.exportLocked(m)
		}
	}
	return Message{}
}

// Message returns the message with this id, if it exists and is not
// deleted.
func (c *Chat) Message(id int) (Message, bool) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if m := c.c.byID[id]; m != nil && !m.deleted {
		return c.s.exportLocked(m), true
	}
	return Message{}, false
}

// Keyboard returns the reply keyboard the user currently sees, if any.
func (c *Chat) Keyboard() [][]string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.c.keyboard
}

// Seq returns the chat's change counter: it grows each time the bot sends,
// edits or deletes a message or answers a press here. Take it before
// acting and pass it to WaitAfter to wait for what follows.
func (c *Chat) Seq() int64 {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.c.seq
}

// Wait returns a bot message of this chat that satisfies pred (nil matches
// any), in its current state: the most recently changed one already there,
// or else the first one sent or edited into a match later. It returns
// ctx.Err() when ctx ends and ErrClosed when the server closes.
func (c *Chat) Wait(ctx context.Context, pred func(Message) bool) (Message, error) {
	return c.wait(ctx, 0, pred, true)
}

// WaitAfter returns the first bot message, in order of change, that was
// sent or edited after the chat's Seq was after and satisfies pred (nil
// matches any):
//
//	seq := u.Seq()
//	u.SendText("/start")
//	reply, err := u.WaitAfter(ctx, seq, nil)
func (c *Chat) WaitAfter(ctx context.Context, after int64, pred func(Message) bool) (Message, error) {
	return c.wait(ctx, after, pred, false)
}

func (c *Chat) wait(ctx context.Context, after int64, pred func(Message) bool, newestFirst bool) (Message, error) {
	s := c.s
	for {
		s.mu.Lock()
		var cands []Message
		for _, m := range c.c.msgs {
			if m.fromBot && !m.deleted && m.seq > after {
				cands = append(cands, s.exportLocked(m))
			}
		}
		wake := c.c.changed
		s.mu.Unlock()
		sort.Slice(cands, func(i, j int) bool {
			if newestFirst {
				return cands[i].Seq > cands[j].Seq
			}
			return cands[i].Seq < cands[j].Seq
		})
		for _, m := range cands {
			if pred == nil || pred(m) {
				return m, nil
			}
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-s.closed:
			return Message{}, ErrClosed
		}
	}
}

// Events streams what the bot does in this chat from now on, in order:
// messages sent, edited and deleted, button presses answered, chat
// actions. Users' own messages are not events. The channel is closed when
// ctx ends or the server closes; events are queued without limit, so a
// slow reader never holds the server up.
func (c *Chat) Events(ctx context.Context) <-chan Event {
	s := c.s
	sub := &subscriber{signal: make(chan struct{}, 1)}
	out := make(chan Event)
	s.mu.Lock()
	c.c.subs[sub] = struct{}{}
	s.mu.Unlock()
	go func() {
		defer close(out)
		defer func() {
			s.mu.Lock()
			delete(c.c.subs, sub)
			s.mu.Unlock()
		}()
		for {
			sub.mu.Lock()
			if len(sub.queue) > 0 {
				e := sub.queue[0]
				sub.queue = sub.queue[1:]
				sub.mu.Unlock()
				select {
				case out <- e:
				case <-ctx.Done():
					return
				case <-s.closed:
					return
				}
				continue
			}
			sub.mu.Unlock()
			select {
			case <-sub.signal:
			case <-ctx.Done():
				return
			case <-s.closed:
				return
			}
		}
	}()
	return out
}

func (s *Server) exportLocked(m *message) Message {
	out := Message{
		ID: m.id, ChatID: m.chat.id, FromBot: m.fromBot, Date: m.date, Kind: "text",
		Text: m.text, Entities: append([]Entity(nil), m.entities...),
		Caption: m.caption, CaptionEntities: append([]Entity(nil), m.captionEntities...),
		Keyboard: m.keyboard, RemoveKeyboard: m.removeKb, ForceReply: m.forceReply,
		Location: m.location, Contact: m.contact, Edited: m.edits, EditDate: m.editDate,
		Seq: m.seq, Deleted: m.deleted,
	}
	if m.fromBot {
		out.From = s.botUser.ID
	} else if m.from != nil {
		out.From = m.from.info.ID
	}
	for _, row := range m.inline {
		r := make([]Button, len(row))
		for i, b := range row {
			r[i] = Button{Text: b.Text, Data: b.CallbackData, URL: b.URL}
			if b.WebApp != nil {
				r[i].WebApp = b.WebApp.URL
			}
		}
		out.Buttons = append(out.Buttons, r)
	}
	if f := m.document; f != nil {
		out.Kind = "document"
		out.Document = &Document{FileID: f.id, Name: f.name, MIME: f.mime, Size: f.size, Data: f.data}
	}
	switch {
	case m.photo != nil:
		out.Kind = "photo"
	case m.sticker != nil:
		out.Kind, out.Sticker = "sticker", m.emoji
	case m.voice != nil:
		out.Kind = "voice"
	case m.location != nil:
		out.Kind = "location"
	case m.contact != nil:
		out.Kind = "contact"
	case m.poll != nil:
		out.Kind = "poll"
		p := *m.poll
		p.Options = append([]string(nil), p.Options...)
		s.pollCountsLocked(m, &p)
		out.Poll = &p
	}
	if m.replyTo != nil {
		out.ReplyTo = m.replyTo.id
	}
	return out
}

// ID returns the user's id, which is also their private chat's id.
func (u *User) ID() int64 { return u.info.ID }

// Info returns the user's profile.
func (u *User) Info() UserInfo { return u.info }

// Started reports whether the user has ever written to the bot.
func (u *User) Started() bool {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.c.started
}

// Blocked reports whether the user has blocked the bot.
func (u *User) Blocked() bool {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.c.blocked
}

// Block makes the user block the bot: the bot's messages to them fail
// with 403 "bot was blocked by the user", and the bot gets a my_chat_member
// update (status "kicked"), as on the real server.
func (u *User) Block() {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.setBlockedLocked(true)
}

// Unblock undoes Block (the bot gets a my_chat_member update, status
// "member"). Sending anything while blocked unblocks too, like pressing
// "Restart" in a Telegram client.
func (u *User) Unblock() {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.setBlockedLocked(false)
}

func (u *User) setBlockedLocked(blocked bool) {
	s, ch := u.s, u.c
	if ch.blocked == blocked {
		return
	}
	ch.blocked = blocked
	oldStatus, newStatus := "member", "kicked"
	if !blocked {
		oldStatus, newStatus = newStatus, oldStatus
	}
	s.enqueueLocked(ch.id, func(w *wUpdate) string {
		w.MyChatMember = &wChatMemberUpdated{Chat: s.wireChatLocked(ch), From: wireUser(u), Date: s.clock.Now().Unix(),
			OldChatMember: wChatMember{User: s.botUser, Status: oldStatus},
			NewChatMember: wChatMember{User: s.botUser, Status: newStatus}}
		return "my_chat_member"
	})
}

// Answers returns the bot's answers to this user's button presses, in
// order.
func (u *User) Answers() []CallbackAnswer {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return append([]CallbackAnswer(nil), u.answers...)
}

// Toasts returns the non-empty texts of the bot's answers to this user's
// button presses (toasts and alerts), in order.
func (u *User) Toasts() []string {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	var out []string
	for _, a := range u.answers {
		if a.Text != "" {
			out = append(out, a.Text)
		}
	}
	return out
}

// Answer returns the bot's answer to the press with this query id, if it
// answered.
func (u *User) Answer(queryID string) (CallbackAnswer, bool) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	for _, a := range u.answers {
		if a.QueryID == queryID {
			return a, true
		}
	}
	return CallbackAnswer{}, false
}

// userPost stores a message from user u in ch and, unless privacy mode hides
// it, queues the update for the bot. It returns the new message id.
func (s *Server) userPost(ch *chat, u *User, replyTo int, fill func(m *message)) int {
	if u == nil {
		panic("telegramtest: message from a nil user")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch.kind == "private" {
		if ch.blocked {
			u.setBlockedLocked(false)
		}
		ch.started = true
	}
	m := s.newMessageLocked(ch)
	m.from = u
	if ch.kind != "private" {
		joinLocked(ch, u)
	}
	if r := ch.byID[replyTo]; r != nil && !r.deleted {
		m.replyTo = r
	}
	fill(m)
	ch.msgs = append(ch.msgs, m)
	ch.byID[m.id] = m
	if ch.kind == "private" || (!ch.left && s.groupSeesLocked(m)) {
		s.enqueueLocked(ch.id, func(w *wUpdate) string {
			w.Message = s.wireMessageLocked(m, true)
			return "message"
		})
	}
	return m.id
}

// groupSeesLocked applies privacy mode: in groups the bot sees commands
// meant for it (or for no bot in particular) and replies to its messages.
func (s *Server) groupSeesLocked(m *message) bool {
	if s.opts.GroupPrivacyOff || (m.replyTo != nil && m.replyTo.fromBot) {
		return true
	}
	text, ents := m.text, m.entities
	if text == "" {
		text, ents = m.caption, m.captionEntities
	}
	for _, e := range ents {
		if e.Type != "bot_command" || e.Offset != 0 {
			continue
		}
		cmd := string([]rune(text)[:e.Length])
		_, to, found := strings.Cut(cmd, "@")
		return !found || strings.EqualFold(to, s.botUser.Username)
	}
	return false
}

func (c *Chat) postText(from *User, replyTo int, text string) int {
	return c.s.userPost(c.c, from, replyTo, func(m *message) {
		m.text = text
		m.entities = botCommandEntities(text)
	})
}

func (c *Chat) postDocument(from *User, name, mimeType string, data []byte, size int64, caption string) int {
	return c.s.userPost(c.c, from, 0, func(m *message) {
		if mimeType == "" {
			mimeType = mimeFor(name)
		}
		m.document = c.s.newFileLocked("document", name, mimeType, data, size)
		m.caption = caption
		m.captionEntities = botCommandEntities(caption)
	})
}

// SendText sends a text message from the user to the bot. Bot commands get
// bot_command entities like on the real server. It returns the message id.
func (u *User) SendText(text string) int { return u.postText(u, 0, text) }

// Reply sends a text message replying to message replyTo.
func (u *User) Reply(replyTo int, text string) int { return u.postText(u, replyTo, text) }

// EditText edits the user's own message id to text: the bot gets an
// edited_message update. It reports whether there was such a message.
func (u *User) EditText(id int, text string) bool {
	s, ch := u.s, u.c
	s.mu.Lock()
	defer s.mu.Unlock()
	m := ch.byID[id]
	if m == nil || m.deleted || m.fromBot || m.from != u || m.text == "" {
		return false
	}
	m.text, m.entities = text, botCommandEntities(text)
	m.edits++
	m.editDate = s.clock.Now()
	s.enqueueLocked(ch.id, func(w *wUpdate) string {
		w.EditedMessage = s.wireMessageLocked(m, true)
		return "edited_message"
	})
	return true
}

// SendDocument sends a file as a document. mimeType "" is guessed from the
// name. The bot gets file_name, mime_type and file_size, and can fetch the
// bytes with getFile and a download.
func (u *User) SendDocument(name, mimeType string, data []byte) int {
	return u.postDocument(u, name, mimeType, data, int64(len(data)), "")
}

// SendDocumentWithCaption is SendDocument with a caption.
func (u *User) SendDocumentWithCaption(name, mimeType string, data []byte, caption string) int {
	return u.postDocument(u, name, mimeType, data, int64(len(data)), caption)
}

// SendLargeDocument sends a document of the given size without content,
// to test files past the bots' 20 MB download limit (getFile answers "file
// is too big" when size exceeds it).
func (u *User) SendLargeDocument(name, mimeType string, size int64) int {
	return u.postDocument(u, name, mimeType, nil, size, "")
}

var (
	fakeJPEG = []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9}
	fakeWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	fakeOgg  = []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00")
)

// SendPhoto sends a photo (two sizes of a tiny JPEG) with an optional
// caption.
func (u *User) SendPhoto(caption string) int {
	return u.s.userPost(u.c, u, 0, func(m *message) {
		small := u.s.newFileLocked("photo", "", "image/jpeg", fakeJPEG, int64(len(fakeJPEG)))
		small.width, small.height = 90, 67
		big := u.s.newFileLocked("photo", "", "image/jpeg", fakeJPEG, int64(len(fakeJPEG)))
		big.width, big.height = 800, 600
		m.photo = []*file{small, big}
		m.caption = caption
	})
}

// SendSticker sends a sticker showing emoji.
func (u *User) SendSticker(emoji string) int {
	return u.s.userPost(u.c, u, 0, func(m *message) {
		f := u.s.newFileLocked("sticker", "", "image/webp", fakeWebP, int64(len(fakeWebP)))
		f.width, f.height = 512, 512
		m.sticker, m.emoji = f, emoji
	})
}

// SendVoice sends a voice message of the given length.
func (u *User) SendVoice(seconds int) int {
	return u.s.userPost(u.c, u, 0, func(m *message) {
		m.voice = u.s.newFileLocked("voice", "", "audio/ogg", fakeOgg, int64(len(fakeOgg)))
		m.duration = seconds
	})
}

// SendLocation shares a location.
func (u *User) SendLocation(latitude, longitude float64) int {
	return u.s.userPost(u.c, u, 0, func(m *message) {
		m.location = &Location{Latitude: latitude, Longitude: longitude}
	})
}

// SendContact shares a contact.
func (u *User) SendContact(phone, firstName string) int {
	return u.s.userPost(u.c, u, 0, func(m *message) {
		m.contact = &Contact{PhoneNumber: phone, FirstName: firstName}
	})
}

// Press presses the inline button labelled exactly label on the newest bot
// message in the chat that has one: the bot gets a callback_query update.
// It returns the callback query id. It fails if no message has the
// button, or the button sends no callback (a URL button).
func (u *User) Press(label string) (string, error) { return u.Chat.press(u, 0, label) }

// PressOn presses the button labelled label on message id, however old.
func (u *User) PressOn(id int, label string) (string, error) { return u.Chat.press(u, id, label) }

// PressData sends a callback query with arbitrary data on message id, as a
// forged or outdated client could. (The real server checks the data
// against the message's buttons; this does not, to test the bot's own
// checks.)
func (u *User) PressData(id int, data string) (string, error) { return u.Chat.pressData(u, id, data) }

// SendText sends a text message from user from in the group. Whether the
// bot gets it depends on privacy mode (see Options.GroupPrivacyOff).
func (g *Group) SendText(from *User, text string) int { return g.postText(from, 0, text) }

// Reply sends a text message from user from replying to message replyTo.
func (g *Group) Reply(from *User, replyTo int, text string) int {
	return g.postText(from, replyTo, text)
}

// SendDocument sends a document from user from in the group.
func (g *Group) SendDocument(from *User, name, mimeType string, data []byte) int {
	return g.postDocument(from, name, mimeType, data, int64(len(data)), "")
}

// Press presses, as user from, the button labelled label on the newest bot
// message of the group that has one. The answer goes to from.Answers.
func (g *Group) Press(from *User, label string) (string, error) { return g.press(from, 0, label) }

// PressOn presses, as user from, the button labelled label on message id.
func (g *Group) PressOn(from *User, id int, label string) (string, error) {
	return g.press(from, id, label)
}

// PressData sends a callback query with arbitrary data on message id.
func (g *Group) PressData(from *User, id int, data string) (string, error) {
	return g.pressData(from, id, data)
}

func (c *Chat) press(from *User, id int, label string) (string, error) {
	s, ch := c.s, c.c
	s.mu.Lock()
	defer s.mu.Unlock()
	var cands []*message
	if id != 0 {
		m := ch.byID[id]
		if m == nil || m.deleted || !m.fromBot {
			return "", fmt.Errorf("telegramtest: no bot message %d in chat %d", id, ch.id)
		}
		cands = []*message{m}
	} else {
		for i := len(ch.msgs) - 1; i >= 0; i-- {
			if m := ch.msgs[i]; m.fromBot && !m.deleted {
				cands = append(cands, m)
			}
		}
	}
	for _, m := range cands {
		for _, row := range m.inline {
			for _, b := range row {
				if b.Text != label {
					continue
				}
				if b.CallbackData == "" {
					return "", fmt.Errorf("telegramtest: button %q on message %d sends no callback (url %q)", label, m.id, b.URL)
				}
				return s.pressLocked(ch, from, m, b.CallbackData)
			}
		}
	}
	if id != 0 {
		return "", fmt.Errorf("telegramtest: message %d in chat %d has no button %q", id, ch.id, label)
	}
	return "", fmt.Errorf("telegramtest: no bot message in chat %d has a button %q", ch.id, label)
}

func (c *Chat) pressData(from *User, id int, data string) (string, error) {
	s, ch := c.s, c.c
	s.mu.Lock()
	defer s.mu.Unlock()
	m := ch.byID[id]
	if m == nil || m.deleted || !m.fromBot {
		return "", fmt.Errorf("telegramtest: no bot message %d in chat %d", id, ch.id)
	}
	return s.pressLocked(ch, from, m, data)
}

func (s *Server) pressLocked(ch *chat, from *User, m *message, data string) (string, error) {
	if from == nil {
		return "", errors.New("telegramtest: press by a nil user")
	}
	if ch.kind == "private" && ch.blocked {
		return "", fmt.Errorf("telegramtest: user %d has blocked the bot", from.info.ID)
	}
	s.nextQuery++
	id := strconv.FormatInt(4_000_000_000_000_000_000+s.nextQuery, 10)
	s.queries[id] = &query{id: id, user: from, chat: ch, msgID: m.id, data: data, created: s.clock.Now()}
	instance := strconv.FormatUint(uint64(ch.id)*0x9E3779B97F4A7C15^uint64(s.botUser.ID), 10)
	s.enqueueLocked(ch.id, func(w *wUpdate) string {
		w.CallbackQuery = &wCallbackQuery{ID: id, From: wireUser(from), Message: s.wireMessageLocked(m, false),
			ChatInstance: instance, Data: data}
		return "callback_query"
	})
	return id, nil
}
