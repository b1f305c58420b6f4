package bot

import (
	"fmt"
	"regexp"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// memberRoutes are the routes every member uses.
func memberRoutes() []Route {
	return []Route{
		{Command: "start", Args: true, Handle: start},
		{Command: "help", Handle: help},
		{Command: "cancel", Handle: cancel},
		{Command: "study", Role: Member, Handle: study},
		{Command: "test", Role: Member, Handle: test},
		{Command: "me", Role: Member, Handle: me},
		{Command: "mistakes", Role: Member, Handle: mistakes},
		{Command: "review", Role: Member, Handle: review},
		{Command: "rank", Role: Member, Args: true, Handle: nodeCommand(showRank)},
		{Command: "year", Role: Member, Args: true, Handle: nodeCommand(showYear)},
		{Command: "invite", Role: Manager, Args: true, Handle: invite},
		{Callback: "a", Role: Member, Handle: pressAnswer},
		{Callback: "m", Role: Member, Handle: pressToggle},
		{Callback: "s", Role: Member, Handle: pressSubmit},
		{Callback: "ts", Role: Member, Handle: pressStartTest},
		{Callback: "rv", Role: Member, Handle: pressReview},
		{Callback: "mk", Role: Member, Handle: pressMakeup},
		{Callback: "mt", Role: Member, Handle: pressMakeupTest},
		{Callback: "rk", Role: Manager, Handle: nodeButton(showRank)},
		{Callback: "yr", Role: Manager, Handle: nodeButton(showYear)},
		{Callback: "iv", Role: Manager, Handle: pressInvite},
		{Callback: "mv", Role: Member, Handle: pressMove},
	}
}

// payloadPattern is what Telegram allows in a deep link's payload.
var payloadPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// start: /start with an invite code joins (asking for the real name
// first); without one it welcomes.
func start(r *Request) error {
	code := r.Args
	if r.Viewer.Admin {
		r.Bot.setMenu(r.Ctx, r.Chat, Admin)
	} else if r.Viewer.User.IsSecretary() {
		r.Bot.setMenu(r.Ctx, r.Chat, Manager)
	}
	if code == "" {
		if r.Viewer.User == nil && !r.Viewer.Admin {
			r.Reply(txtWelcomeStranger)
			return nil
		}
		// A member or secretary came through a link, so this is a return;
		// an admin is named in the configuration and may have no name here.
		greeting := txtWelcomeAdmin
		if u := r.Viewer.User; u != nil && u.Name != "" {
			greeting = fmt.Sprintf(txtWelcomeBack, esc(u.Name))
		}
		r.replyDashboard(greeting+"\n\n"+helpText(r.Viewer), nil, "")
		return nil
	}
	if !payloadPattern.MatchString(code) {
		r.Reply(txtInviteBadCode)
		return nil
	}
	inv, named, err := r.Bot.svc.PeekInvite(r.Ctx, r.From, code)
	if err != nil {
		return err
	}
	tree := r.Bot.svc.Tree()
	if inv.Role == quiz.RoleMember && r.Viewer.User.IsMember() {
		if r.Viewer.User.Branch == inv.Node {
			r.Reply(fmt.Sprintf(txtAlreadyJoined, esc(tree.Path(inv.Node))))
			return nil
		}
		// A member of another branch: moving is asked, never done at once.
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(txtMoveConfirm, "mv:y:"+code),
			tgbotapi.NewInlineKeyboardButtonData(txtCancel, "mv:n"),
		))
		r.ReplyKB(fmt.Sprintf(txtMoveAsk, esc(tree.Path(r.Viewer.User.Branch)), esc(tree.Path(inv.Node))), &kb)
		return nil
	}
	if named {
		return join(r, code, "")
	}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, &dialog{Mode: modeName, Code: code}); err != nil {
		return err
	}
	if inv.Role == quiz.RoleSecretary {
		r.Reply(fmt.Sprintf(txtAskSecName, esc(tree.Path(inv.Node))))
	} else {
		r.Reply(fmt.Sprintf(txtAskName, esc(tree.Path(inv.Node))))
	}
	return nil
}

// join uses an invite and says where the user now belongs.
func join(r *Request, code, name string) error {
	b := r.Bot
	u, inv, err := b.svc.Join(r.Ctx, r.From, code, name)
	if err != nil {
		return err
	}
	if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	path := esc(b.svc.Tree().Path(inv.Node))
	if inv.Role == quiz.RoleSecretary && !r.Viewer.Admin {
		b.setMenu(r.Ctx, r.Chat, Manager)
	}
	if inv.Role != quiz.RoleSecretary {
		r.Reply(fmt.Sprintf(txtJoined, esc(u.Name), path))
		return nil
	}
	r.Reply(fmt.Sprintf(txtJoinedSec, esc(u.Name), path)) // the engine tells who made the invite
	return nil
}

// pressMove moves a member to the branch of the invite they opened, once
// they confirm; 取消 leaves them where they are.
func pressMove(r *Request) error {
	b := r.Bot
	switch {
	case len(r.Data) == 2 && r.Data[1] == "n":
		r.Toast("")
		b.dropKeyboard(r)
		r.Reply(txtMoveCancelled)
		return nil
	case len(r.Data) != 3 || r.Data[1] != "y" || !payloadPattern.MatchString(r.Data[2]):
		r.Toast(txtButtonUnknown)
		return nil
	}
	res, err := b.svc.Move(r.Ctx, r.From, r.Data[2])
	if err != nil {
		return err
	}
	r.Toast("")
	b.dropKeyboard(r)
	r.Reply(fmt.Sprintf(txtMoved, esc(res.User.Name), esc(b.svc.Tree().Path(res.User.Branch))))
	return nil
}

// text handles a plain text message: the real name asked for, a typed
// fill-in answer, or a hint.
func (b *Bot) text(r *Request) error {
	d := r.Dialog
	switch {
	case d != nil && d.Mode == modeName:
		err := join(r, d.Code, r.Msg.Text)
		if quiz.ErrorReason(err) == quiz.ReasonBadName {
			r.Reply(txtBadName)
			return nil
		}
		if err != nil && quiz.ErrorCode(err) == quiz.Invalid {
			_ = b.saveDialog(r.Ctx, r.Chat, nil) // the invite is gone: stop asking
		}
		return err
	case d != nil && d.Mode == modeAttempt:
		a, err := b.svc.Attempt(r.Ctx, r.From, d.Attempt)
		if err != nil || a.Closed {
			_ = b.saveDialog(r.Ctx, r.Chat, nil)
			r.Reply(txtPlainText)
			return nil
		}
		idx := a.Current()
		if idx < len(a.Items) && a.Items[idx].Type == questions.Fill {
			return b.answer(r, a.ID, idx, nil, r.Msg.Text, 0)
		}
		r.Reply(txtUseButtons)
		return nil
	case d != nil:
		if h := b.dialogHandler(d.Mode); h != nil {
			return h(r)
		}
	}
	if r.Viewer.User == nil && !r.Viewer.Admin {
		r.Reply(txtNotInvited)
		return nil
	}
	r.Reply(txtPlainText)
	return nil
}

// nameWanted answers a command sent while the bot waits for the real
// name of someone joining: the name is still wanted, /cancel drops the
// join.
func (b *Bot) nameWanted(r *Request) error {
	inv, _, err := b.svc.PeekInvite(r.Ctx, r.From, r.Dialog.Code)
	if err != nil {
		_ = b.saveDialog(r.Ctx, r.Chat, nil) // the invite is gone: stop asking
		return err
	}
	path := esc(b.svc.Tree().Path(inv.Node))
	if inv.Role == quiz.RoleSecretary {
		r.Reply(fmt.Sprintf(txtNameWantedSec, path))
	} else {
		r.Reply(fmt.Sprintf(txtNameWanted, path))
	}
	return nil
}

// dialogHandler returns the handler of text in a dialog mode installed by
// the secretary and admin flows ("#dialog:<mode>" routes).
func (b *Bot) dialogHandler(mode string) Handler {
	for _, rt := range b.routes {
		if rt.Command == "#dialog:"+mode {
			return rt.Handle
		}
	}
	return nil
}

func helpText(v quiz.Viewer) string {
	s := txtHelpMember
	if v.Admin || v.User.IsSecretary() {
		s += txtHelpSecretary
	}
	if v.Admin {
		s += txtHelpAdmin
	}
	return s
}

func help(r *Request) error {
	if r.Viewer.User == nil && !r.Viewer.Admin {
		r.Reply(txtWelcomeStranger)
		return nil
	}
	r.replyDashboard(helpText(r.Viewer), nil, "")
	return nil
}

func cancel(r *Request) error {
	d := r.Dialog
	if d == nil {
		r.Reply(txtNothingToCancel)
		return nil
	}
	switch d.Mode {
	case modeName:
		r.Reply(txtJoinCancelled)
		return r.Bot.saveDialog(r.Ctx, r.Chat, nil)
	case modeFlag, modeFix, modeFixConfirm:
		// Back to the question these interrupted, if any.
		r.Reply(txtCancelled)
		_, err := r.Bot.resume(r, d.Attempt)
		return err
	}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	if d.Mode == modeAttempt {
		a, err := r.Bot.svc.Attempt(r.Ctx, r.From, d.Attempt)
		if err == nil && a.Kind == quiz.Test && !a.Closed {
			r.Reply(txtCancelledTest)
			return nil
		}
		if err == nil && a.Kind == quiz.Practice {
			if err := r.Bot.svc.ClosePractice(r.Ctx, r.From, a.ID); err != nil {
				return err
			}
		}
	}
	r.Reply(txtCancelled)
	return nil
}
