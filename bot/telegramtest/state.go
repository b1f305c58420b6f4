package telegramtest

import (
	"encoding/json"
	"strconv"
	"time"
)

// chat is the server's record of one chat. All fields are guarded by
// Server.mu.
type chat struct {
	id     int64
	kind   string // "private", "group" or "supergroup"
	title  string
	user   *User // the other side of a private chat
	handle *Chat

	started bool // private: the user has written to the bot
	blocked bool // private: the user blocked the bot
	left    bool // group: the bot left

	nextMsgID int
	msgs      []*message
	byID      map[int]*message
	keyboard  [][]string // the reply keyboard the user currently sees

	bucket  bucket
	window  []time.Time     // group: when the bot's last messages were sent (the rolling minute)
	members map[int64]*User // group: who is in it
	seq     int64
	changed chan struct{}
	subs    map[*subscriber]struct{}
	answers []CallbackAnswer
}

func (c *chat) bumpLocked() {
	c.seq++
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *chat) publishLocked(e Event) {
	for sub := range c.subs {
		sub.push(e)
	}
}

// message is one stored message of either side.
type message struct {
	id       int
	chat     *chat
	fromBot  bool
	from     *User
	date     time.Time
	editDate time.Time
	edits    int
	seq      int64
	deleted  bool

	text            string
	entities        []Entity
	caption         string
	captionEntities []Entity

	inline     [][]inlineButton
	keyboard   [][]string
	removeKb   bool
	forceReply bool

	document *file
	photo    []*file
	sticker  *file
	emoji    string
	voice    *file
	duration int
	location *Location
	contact  *Contact
	poll     *Poll
	replyTo  *message
}

// file is a stored file, sent by either side.
type file struct {
	id       string
	uniqueID string
	kind     string // "document", "photo", "sticker", "voice"
	name     string
	mime     string
	size     int64
	data     []byte
	path     string // set by getFile
	width    int
	height   int
}

// Wire types: what the server sends, field names as in the Bot API.

type wUser struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	LastName                string `json:"last_name,omitempty"`
	Username                string `json:"username,omitempty"`
	LanguageCode            string `json:"language_code,omitempty"`
	CanJoinGroups           *bool  `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages *bool  `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   *bool  `json:"supports_inline_queries,omitempty"`
}

type wChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

type wPhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
}

type wDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

type wSticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Type         string `json:"type"`
	Emoji        string `json:"emoji,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

type wVoice struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Duration     int    `json:"duration"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

type wPollOption struct {
	Text       string `json:"text"`
	VoterCount int    `json:"voter_count"`
}

type wPoll struct {
	ID                    string        `json:"id"`
	Question              string        `json:"question"`
	Options               []wPollOption `json:"options"`
	TotalVoterCount       int           `json:"total_voter_count"`
	IsClosed              bool          `json:"is_closed"`
	IsAnonymous           bool          `json:"is_anonymous"`
	Type                  string        `json:"type"`
	AllowsMultipleAnswers bool          `json:"allows_multiple_answers"`
	CorrectOptionID       *int          `json:"correct_option_id,omitempty"`
	Explanation           string        `json:"explanation,omitempty"`
	OpenPeriod            int           `json:"open_period,omitempty"`
}

type wMessage struct {
	MessageID       int             `json:"message_id"`
	From            *wUser          `json:"from,omitempty"`
	Date            int64           `json:"date"`
	Chat            wChat           `json:"chat"`
	ReplyToMessage  *wMessage       `json:"reply_to_message,omitempty"`
	EditDate        int64           `json:"edit_date,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        []Entity        `json:"entities,omitempty"`
	Document        *wDocument      `json:"document,omitempty"`
	Photo           []wPhotoSize    `json:"photo,omitempty"`
	Sticker         *wSticker       `json:"sticker,omitempty"`
	Voice           *wVoice         `json:"voice,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []Entity        `json:"caption_entities,omitempty"`
	Contact         *Contact        `json:"contact,omitempty"`
	Location        *Location       `json:"location,omitempty"`
	Poll            *wPoll          `json:"poll,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`
}

type wCallbackQuery struct {
	ID           string    `json:"id"`
	From         wUser     `json:"from"`
	Message      *wMessage `json:"message,omitempty"`
	ChatInstance string    `json:"chat_instance"`
	Data         string    `json:"data,omitempty"`
}

type wChatMember struct {
	User   wUser  `json:"user"`
	Status string `json:"status"`
}

type wChatMemberUpdated struct {
	Chat          wChat       `json:"chat"`
	From          wUser       `json:"from"`
	Date          int64       `json:"date"`
	OldChatMember wChatMember `json:"old_chat_member"`
	NewChatMember wChatMember `json:"new_chat_member"`
}

type wFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

func (s *Server) wireChatLocked(c *chat) wChat {
	w := wChat{ID: c.id, Type: c.kind}
	if c.kind == "private" && c.user != nil {
		w.FirstName, w.LastName, w.Username = c.user.info.FirstName, c.user.info.LastName, c.user.info.Username
	} else {
		w.Title = c.title
	}
	return w
}

func wireUser(u *User) wUser {
	return wUser{ID: u.info.ID, FirstName: u.info.FirstName, LastName: u.info.LastName,
		Username: u.info.Username, LanguageCode: u.info.LanguageCode}
}

func (s *Server) wireMessageLocked(m *message, withReply bool) *wMessage {
	w := &wMessage{
		MessageID:       m.id,
		Date:            m.date.Unix(),
		Chat:            s.wireChatLocked(m.chat),
		Text:            m.text,
		Entities:        m.entities,
		Caption:         m.caption,
		CaptionEntities: m.captionEntities,
		Contact:         m.contact,
		Location:        m.location,
	}
	if m.fromBot {
		bot := s.botUser
		w.From = &bot
	} else if m.from != nil {
		u := wireUser(m.from)
		w.From = &u
	}
	if !m.editDate.IsZero() {
		w.EditDate = m.editDate.Unix()
	}
	if withReply && m.replyTo != nil && !m.replyTo.deleted {
		w.ReplyToMessage = s.wireMessageLocked(m.replyTo, false)
	}
	if f := m.document; f != nil {
		w.Document = &wDocument{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mime, FileSize: f.size}
	}
	for _, f := range m.photo {
		w.Photo = append(w.Photo, wPhotoSize{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: f.size})
	}
	if f := m.sticker; f != nil {
		w.Sticker = &wSticker{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height,
			Type: "regular", Emoji: m.emoji, FileSize: f.size}
	}
	if f := m.voice; f != nil {
		w.Voice = &wVoice{FileID: f.id, FileUniqueID: f.uniqueID, Duration: m.duration, MimeType: f.mime, FileSize: f.size}
	}
	if p := m.poll; p != nil {
		wp := &wPoll{ID: p.ID, Question: p.Question, IsAnonymous: p.IsAnonymous, Type: p.Type,
			AllowsMultipleAnswers: p.AllowsMultipleAnswers, Explanation: p.Explanation, OpenPeriod: p.OpenPeriod}
		wp.Options = make([]wPollOption, len(p.Options))
		for i, o := range p.Options {
			wp.Options[i] = wPollOption{Text: o}
		}
		if p.Type == "quiz" {
			id := p.CorrectOptionID
			wp.CorrectOptionID = &id
		}
		s.wirePollCountsLocked(m, wp)
		w.Poll = wp
	}
	if m.inline != nil {
		w.ReplyMarkup = inlineJSON(m.inline)
	}
	return w
}

// newFileLocked stores a file and gives it fresh identifiers.
func (s *Server) newFileLocked(kind, name, mimeType string, data []byte, size int64) *file {
	s.nextFile++
	n := s.nextFile
	prefix := map[string]string{"document": "BQACAgIAAx", "photo": "AgACAgIAAx", "sticker": "CAACAgIAAx", "voice": "AwACAgIAAx"}[kind]
	f := &file{
		id:       prefix + "kBAAT" + strconv.Itoa(n) + "_" + strconv.FormatInt(s.botUser.ID%100000, 10),
		uniqueID: "AgAD" + strconv.Itoa(n),
		kind:     kind,
		name:     name,
		mime:     mimeType,
		size:     size,
		data:     data,
	}
	s.files[f.id] = f
	return f
}
