package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// Handler handles one routed update. An error it returns is answered for
// it: an engine error by its reason's words, anything else by an apology
// (and a log line).
type Handler func(r *Request) error

// Route sends a command or a callback prefix to a handler. The first
// route that matches wins.
type Route struct {
	Command  string // "study" for /study
	Callback string // callback data prefix, up to the first ':' ("a" for "a:…")
	Role     Role   // who may use it
	Args     bool   // the command takes arguments (others say they ignore them)
	Group    bool   // a button the bot posts in groups: matched only there, every other callback only in a private chat
	Handle   Handler
}

// Role is who may use a route.
type Role int

// Roles, from least to most.
const (
	Anyone Role = iota
	Member
	Manager // a secretary or an admin
	Admin
)

// Request is one update being handled, with what handlers need to answer.
type Request struct {
	Ctx      context.Context
	Bot      *Bot
	Update   tgbotapi.Update
	Chat     int64
	From     int64
	Private  bool
	Msg      *tgbotapi.Message       // a message, or nil
	Callback *tgbotapi.CallbackQuery // a button press, or nil
	Data     []string                // callback data split on ':'
	Command  string                  // without the slash and @bot
	Args     string
	Viewer   quiz.Viewer
	Dialog   *dialog
	toasted  bool
	// carry, if set, may take the press's answer to send it another way
	// (in the webhook's HTTP response); it reports whether it did.
	carry func(tgbotapi.CallbackConfig) bool

	inviteTTL time.Duration // /invite's expiry argument
}

// HandleUpdate handles one update: it never panics and never leaves a
// private message or a button press without an answer.
func (b *Bot) HandleUpdate(ctx context.Context, u tgbotapi.Update) { b.handleUpdate(ctx, u, nil) }

// handleUpdate is HandleUpdate; carry, if set, is offered the answer to a
// button press before it is sent as a call of its own.
func (b *Bot) handleUpdate(ctx context.Context, u tgbotapi.Update, carry func(tgbotapi.CallbackConfig) bool) {
	start := time.Now()
	r := &Request{Ctx: ctx, Bot: b, Update: u, Chat: chatOf(u), carry: carry}
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling an update", "panic", p, "stack", string(debug.Stack()))
			b.metrics.failed()
			r.fail(errors.New("panic"))
		}
		if r.Callback != nil && !r.toasted {
			r.Toast("")
		}
		b.metrics.handled(time.Since(start))
	}()
	switch {
	case u.Message != nil:
		r.Msg = u.Message
		r.From = fromID(u.Message.From)
		r.Private = u.Message.Chat.IsPrivate()
	case u.EditedMessage != nil:
		if u.EditedMessage.Chat.IsPrivate() {
			b.sendHTML(u.EditedMessage.Chat.ID, txtEditedIgnored, nil)
		}
		return
	case u.CallbackQuery != nil:
		r.Callback = u.CallbackQuery
		r.From = u.CallbackQuery.From.ID
		r.Private = u.CallbackQuery.Message == nil || u.CallbackQuery.Message.Chat.IsPrivate()
		r.Data = strings.Split(u.CallbackQuery.Data, ":")
	case u.MyChatMember != nil:
		b.chatMember(ctx, u.MyChatMember)
		return
	case u.PollAnswer != nil:
		b.pollAnswer(ctx, u.PollAnswer) // a vote in a contest (contest_run.go)
		return
	case u.Poll != nil:
		return // a poll's counts: the votes come as poll_answer
	default:
		return
	}
	if r.From == 0 {
		return // a channel post or an anonymous group admin: not for the bot
	}
	var err error
	if r.Viewer, err = b.svc.Viewer(ctx, r.From); err != nil {
		r.fail(err)
		return
	}
	if r.Private {
		if r.Dialog, err = b.loadDialog(ctx, r.Chat); err != nil {
			r.fail(err)
			return
		}
	}
	if err := b.route(r); err != nil {
		r.fail(err)
	}
}

func fromID(u *tgbotapi.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// route finds the handler of a request.
func (b *Bot) route(r *Request) error {
	if r.Callback != nil {
		inGroup := r.inGroup()
		for _, rt := range b.routes {
			if rt.Callback != "" && rt.Callback == r.Data[0] && rt.Group == inGroup && (inGroup || r.Private) {
				if !r.allowed(rt.Role) {
					r.Toast(txtNotForYou)
					return nil
				}
				return rt.Handle(r)
			}
		}
		r.Toast(txtButtonUnknown)
		return nil
	}
	m := r.Msg
	if cmd := m.Command(); cmd != "" {
		if !r.Private {
			// Only commands addressed to this bot (or to no bot in
			// particular) get an answer in a group; chatter does not.
			if at := m.CommandWithAt(); strings.Contains(at, "@") && !strings.EqualFold(at[strings.Index(at, "@")+1:], b.Username()) {
				return nil
			}
			r.Command, r.Args = strings.ToLower(cmd), strings.TrimSpace(m.CommandArguments())
			return b.groupCommand(r) // contest.go: /bind, /unbind, /rank; else the private chat
		}
		r.Command, r.Args = strings.ToLower(cmd), strings.TrimSpace(m.CommandArguments())
		if d := r.Dialog; d != nil && d.Mode == modeName && r.Command != "cancel" && (r.Command != "start" || r.Args == "") {
			return b.nameWanted(r) // joining: the name is still wanted
		}
		if err := b.leavePrompt(r); err != nil { // a command ends a text prompt (prompts.go)
			return err
		}
		for _, rt := range b.routes {
			if rt.Command == r.Command {
				if !r.allowed(rt.Role) {
					return r.denied(rt.Role)
				}
				if r.Args != "" && (!rt.Args || (rt.Role == Member && !r.allowed(Manager) && r.Command != "start")) {
					r.Reply(fmt.Sprintf(txtArgsIgnored, r.Command))
					r.Args = ""
				}
				return rt.Handle(r)
			}
		}
		r.Reply(fmt.Sprintf(txtUnknownCommand, esc(truncate(cmd, 32))))
		return nil
	}
	if !r.Private {
		return nil // plain chatter in a group is not for the bot
	}
	switch {
	case m.Document != nil:
		if r.Viewer.Admin {
			if h := b.documentHandler(); h != nil {
				return h(r)
			}
		}
		r.Reply(txtDocNotAdmin)
		return nil
	case m.Text == "":
		r.Reply(txtNonText)
		return nil
	}
	return b.text(r)
}

// inGroup reports whether a button was pressed on a message in a group
// or supergroup.
func (r *Request) inGroup() bool {
	m := r.Callback.Message
	return m != nil && m.Chat != nil && (m.Chat.IsGroup() || m.Chat.IsSuperGroup())
}

// documentHandler is the handler of documents sent by admins, if the
// admin flows are installed.
func (b *Bot) documentHandler() Handler {
	for _, rt := range b.routes {
		if rt.Command == "#document" {
			return rt.Handle
		}
	}
	return nil
}

// allowed reports whether the requester has the role.
func (r *Request) allowed(role Role) bool {
	v := r.Viewer
	switch role {
	case Member:
		return v.User.IsMember() || v.Admin || v.User.IsSecretary()
	case Manager:
		return v.Admin || v.User.IsSecretary()
	case Admin:
		return v.Admin
	}
	return true
}

func (r *Request) denied(role Role) error {
	switch {
	case r.Viewer.User == nil && !r.Viewer.Admin:
		r.Reply(txtNotInvited)
	case role == Admin:
		r.Reply(txtAdminOnly)
	default:
		r.Reply(txtNotForYou)
	}
	return nil
}

// fail answers an error: the engine's reason in words, or an apology.
func (r *Request) fail(err error) {
	msg := txtInternal
	code, reason := quiz.ErrorCode(err), quiz.ErrorReason(err)
	if reason == quiz.ReasonStorageFull {
		r.Bot.storageFull(err)
	}
	if t, ok := reasonText[reason]; ok && code != quiz.Internal {
		msg = t
	} else {
		r.Bot.metrics.failed()
		r.Bot.log.Error("handling an update failed", "chat", r.Chat, "user", r.From, "err", err)
	}
	if r.Callback != nil {
		r.Toast(stripTags(msg))
		return
	}
	if r.Private || r.Msg != nil {
		r.Reply(msg)
	}
}

// storageFull logs that the disk is full — at most once a minute, since
// under load every answer would say it.
func (b *Bot) storageFull(err error) {
	now := time.Now().UnixNano()
	last := b.fullLogged.Load()
	if now-last < int64(time.Minute) || !b.fullLogged.CompareAndSwap(last, now) {
		return
	}
	b.log.Error("the store is full: answers are refused until there is space again", "err", err)
}

// Reply sends an HTML message to the request's chat.
func (r *Request) Reply(text string) { r.Bot.sendHTML(r.Chat, text, nil) }

// ReplyKB sends an HTML message with an inline keyboard.
func (r *Request) ReplyKB(text string, kb *tgbotapi.InlineKeyboardMarkup) {
	r.Bot.sendHTML(r.Chat, text, kb)
}

// Toast answers the button press (once): a short notice at the top of the
// user's screen, or nothing when text is empty.
func (r *Request) Toast(text string) {
	if r.Callback == nil || r.toasted {
		return
	}
	r.toasted = true
	c := tgbotapi.NewCallback(r.Callback.ID, truncate(text, 190))
	if r.carry != nil && r.carry(c) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := r.Bot.send.Call(ctx, c, 3); err != nil && !isHarmless(err) {
			r.Bot.log.Warn("answerCallbackQuery failed", "err", err)
		}
	}()
}

// sendHTML queues a message (split if it is too long for one).
func (b *Bot) sendHTML(chat int64, text string, kb *tgbotapi.InlineKeyboardMarkup) {
	parts := splitMessage(text)
	for i, p := range parts {
		m := tgbotapi.NewMessage(chat, p)
		m.ParseMode = tgbotapi.ModeHTML
		m.DisableWebPagePreview = true
		if i == len(parts)-1 && kb != nil {
			m.ReplyMarkup = kb
		}
		b.send.Enqueue(chat, m, nil)
	}
}

// editHTML queues an edit of one of the bot's messages.
func (b *Bot) editHTML(chat int64, msgID int, text string, kb *tgbotapi.InlineKeyboardMarkup) {
	e := tgbotapi.NewEditMessageText(chat, msgID, firstPart(text))
	e.ParseMode = tgbotapi.ModeHTML
	e.DisableWebPagePreview = true
	e.ReplyMarkup = kb
	b.send.Enqueue(chat, e, nil)
}

// chatMember follows the bot being blocked and unblocked in private chats.
func (b *Bot) chatMember(ctx context.Context, m *tgbotapi.ChatMemberUpdated) {
	if !m.Chat.IsPrivate() {
		return
	}
	reachable := m.NewChatMember.Status != "kicked"
	if err := b.svc.SetReachable(ctx, m.Chat.ID, reachable); err != nil {
		b.log.Warn("could not record a block", "user", m.Chat.ID, "err", err)
	}
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
