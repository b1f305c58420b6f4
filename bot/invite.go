package bot

import (
	"fmt"
	"partyquiz/quiz"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// invite: /invite lists the branches the user may invite members to;
// /invite NODE makes a member link for it; /invite NODE secretary (admins)
// makes a secretary link; a last argument of a number of days makes the
// link expire after them.
func invite(r *Request) error {
	b := r.Bot
	args := strings.Fields(r.Args)
	ttl := time.Duration(0)
	if n := len(args); n > 1 {
		if days, err := strconv.Atoi(args[n-1]); err == nil {
			if days < 1 || days > 365 {
				r.Reply(txtInviteUsage)
				return nil
			}
			ttl = time.Duration(days) * 24 * time.Hour
			args = args[:n-1]
		}
	}
	r.inviteTTL = ttl
	switch len(args) {
	case 0:
		return b.inviteChoices(r, quiz.RoleMember)
	case 1:
		if isSecretaryArg(args[0]) {
			if !r.Viewer.Admin {
				r.Reply(txtAdminOnly)
				return nil
			}
			return b.inviteChoices(r, quiz.RoleSecretary)
		}
		return b.makeInvite(r, args[0], quiz.RoleMember)
	case 2:
		if !isSecretaryArg(args[1]) {
			r.Reply(txtInviteUsage)
			return nil
		}
		if !r.Viewer.Admin {
			r.Reply(txtAdminOnly)
			return nil
		}
		return b.makeInvite(r, args[0], quiz.RoleSecretary)
	}
	r.Reply(txtInviteUsage)
	return nil
}

// inviteChoices offers the nodes an invite can be made for, as buttons.
func (b *Bot) inviteChoices(r *Request, role quiz.Role) error {
	tree := b.svc.Tree()
	var nodes []string
	if role == quiz.RoleSecretary {
		nodes = tree.Subtree(tree.Root())
	} else {
		for _, scope := range r.Viewer.Scopes(tree) {
			nodes = append(nodes, tree.Leaves(scope)...)
		}
	}
	if len(nodes) == 0 {
		r.Reply(txtInviteNoScope)
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, n := range nodes {
		if len(rows) == 50 {
			break // more than fit: the rest by /invite NODE
		}
		label := tree.Name(n)
		data := "iv:" + n + ":m"
		if role == quiz.RoleSecretary {
			data = "iv:" + n + ":s"
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(label, 30), data)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	if role == quiz.RoleSecretary {
		r.ReplyKB(txtInvitePickSec, &kb)
	} else {
		r.ReplyKB(txtInvitePickNode, &kb)
	}
	return nil
}

func pressInvite(r *Request) error {
	if len(r.Data) != 3 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	role := quiz.RoleMember
	if r.Data[2] == "s" {
		role = quiz.RoleSecretary
	}
	return r.Bot.makeInvite(r, r.Data[1], role) // a refusal is the press's answer
}

func (b *Bot) makeInvite(r *Request, node string, role quiz.Role) error {
	tree := b.svc.Tree()
	if tree.Node(node) == nil {
		r.Reply(fmt.Sprintf(txtInviteNodeUnknown, esc(truncate(node, 20))))
		return nil
	}
	inv, err := b.svc.CreateInvite(r.Ctx, r.Viewer, node, role, r.inviteTTL)
	if err != nil {
		return err
	}
	who := txtInviteRoleMember
	if role == quiz.RoleSecretary {
		who = txtInviteRoleSec
	}
	expiry := txtInviteNoExpiry
	if !inv.Expires.IsZero() {
		expiry = fmt.Sprintf(txtInviteExpires, b.dateTime(inv.Expires))
	}
	link := fmt.Sprintf("https://t.me/%s?start=%s", b.Username(), inv.Code)
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtInviteRevoke, "ivx:"+inv.Code)))
	r.ReplyKB(fmt.Sprintf(txtInviteLink, esc(tree.Path(node)), who, esc(link), expiry), &kb)
	return nil
}

// isSecretaryArg reports whether an /invite argument asks for a
// secretary's link: 书记 (as the help says) or secretary.
func isSecretaryArg(s string) bool { return s == txtInviteRoleSec || strings.EqualFold(s, "secretary") }
