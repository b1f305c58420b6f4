package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// Invites. /invite shows the organisation under the user's node as a
// tree (片区 → 乡镇 → 党支部) with buttons: a 党支部 makes a member link, a
// node above one opens the nodes under it, 返回上级 goes back up.
// /invite NODE — a name (老洼坪村党支部), part of one, or an id — makes the
// link for a branch or opens the tree at a node above branches;
// /invite 书记 (admins) picks a node for a secretary's link, /invite NODE
// 书记 makes it; a last argument of a number of days makes the link expire
// after them, and the tree's buttons carry it.
//
// Buttons: "iv:<node>:<action>[:<days>]", action m (member link), s
// (secretary link), t (open the tree at node for a member link), ts (for a
// secretary link). Every press is checked by the engine.

func invite(r *Request) error {
	b := r.Bot
	args := strings.Fields(r.Args)
	days := 0
	if n := len(args); n > 1 || (n == 1 && isDays(args[0])) {
		if d, err := strconv.Atoi(args[n-1]); err == nil {
			if d < 1 || d > 365 {
				r.Reply(txtInviteUsage)
				return nil
			}
			days = d
			args = args[:n-1]
		}
	}
	role := quiz.RoleMember
	if n := len(args); n > 0 && isSecretaryArg(args[n-1]) {
		role = quiz.RoleSecretary
		args = args[:n-1]
	}
	if role == quiz.RoleSecretary && !r.Viewer.Admin {
		r.Reply(txtAdminOnly)
		return nil
	}
	if len(args) > 1 {
		// A name with spaces in it, as typed.
		args = []string{strings.Join(args, " ")}
	}
	if len(args) == 0 {
		return b.inviteTree(r, "", role, days)
	}
	nodes := b.findNodes(r.Viewer, args[0])
	switch {
	case len(nodes) == 0:
		r.Reply(fmt.Sprintf(txtInviteNodeUnknown, esc(truncate(args[0], 20))))
		return nil
	case len(nodes) > 1:
		return b.inviteMatches(r, args[0], nodes, role, days)
	}
	node := nodes[0]
	tree := b.svc.Tree()
	if role == quiz.RoleMember && !tree.IsLeaf(node) {
		// A node above branches: its branches to choose from.
		if !r.Viewer.CanManage(tree, node) {
			return quiz.Errorf(quiz.Forbidden, quiz.ReasonNotInScope)
		}
		return b.inviteTree(r, node, role, days)
	}
	return b.makeInvite(r, node, role, days)
}

// isDays reports whether an argument is a number (of days).
func isDays(s string) bool { _, err := strconv.Atoi(s); return err == nil }

// isSecretaryArg reports whether an /invite argument asks for a
// secretary's link: 书记 (as the help says) or secretary.
func isSecretaryArg(s string) bool { return s == txtInviteRoleSec || strings.EqualFold(s, "secretary") }

// findNodes resolves what a user typed for a node: an id, a name, or part
// of a name. Of several names holding the text, those the viewer manages;
// one outside the viewer's scope is returned alone, for the engine to
// refuse.
func (b *Bot) findNodes(v quiz.Viewer, arg string) []string {
	tree := b.svc.Tree()
	if tree.Node(arg) != nil {
		return []string{arg}
	}
	var exact, part, mine []string
	for _, n := range tree.Nodes() {
		switch {
		case n.Name == arg:
			exact = append(exact, n.ID)
		case strings.Contains(n.Name, arg):
			part = append(part, n.ID)
		}
	}
	found := exact
	if len(found) == 0 {
		found = part
	}
	for _, n := range found {
		if v.CanManage(tree, n) {
			mine = append(mine, n)
		}
	}
	if len(mine) == 0 && len(found) > 0 {
		return found[:1]
	}
	return mine
}

// inviteButton is a button of the invite tree.
func inviteButton(label, node, action string, days int) tgbotapi.InlineKeyboardButton {
	data := "iv:" + node + ":" + action
	if days > 0 {
		data += ":" + strconv.Itoa(days)
	}
	return tgbotapi.NewInlineKeyboardButtonData(truncate(label, 30), data)
}

// inviteTree shows the tree at node ("" for the top of the viewer's
// scope) with a button for each node under it: a branch (or, for a
// secretary's link, any node) makes the link, a node above branches opens
// the tree there; 返回上级 goes up while still in the viewer's scope.
func (b *Bot) inviteTree(r *Request, node string, role quiz.Role, days int) error {
	tree := b.svc.Tree()
	scopes := r.Viewer.Scopes(tree)
	if len(scopes) == 0 {
		r.Reply(txtInviteNoScope)
		return nil
	}
	if node == "" && len(scopes) == 1 {
		node = scopes[0]
	}
	if node != "" && !r.Viewer.CanManage(tree, node) {
		return quiz.Errorf(quiz.Forbidden, quiz.ReasonNotInScope)
	}
	open, mk := "t", "m"
	if role == quiz.RoleSecretary {
		open, mk = "ts", "s"
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	var s strings.Builder
	if role == quiz.RoleSecretary {
		s.WriteString(txtInvitePickSec)
	} else {
		s.WriteString(txtInvitePickNode)
	}
	children := scopes // a secretary of several nodes: those first
	if node != "" {
		children = tree.Children(node)
		s.WriteString("\n\n" + b.treeText(node))
		if role == quiz.RoleSecretary {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(fmt.Sprintf(txtInviteThisSec, tree.Name(node)), node, mk, days)))
		} else if tree.IsLeaf(node) {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(tree.Name(node), node, mk, days)))
		}
	}
	for _, c := range children {
		if len(rows) == 48 {
			break // more than fit: the rest by /invite NAME
		}
		if tree.IsLeaf(c) {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(tree.Name(c), c, mk, days)))
		} else {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(fmt.Sprintf(txtInviteOpen, tree.Name(c)), c, open, days)))
		}
	}
	switch up := b.upOf(r.Viewer, node); {
	case up != "":
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(txtBack, up, open, days)))
	case node != "" && len(scopes) > 1:
		// The top of one of several scopes: back to the list of them.
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(txtBack, "", open, days)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.ReplyKB(s.String(), &kb)
	return nil
}

// upOf is the node above node that the viewer may see, or "" at the top of
// their scope.
func (b *Bot) upOf(v quiz.Viewer, node string) string {
	tree := b.svc.Tree()
	n := tree.Node(node)
	if n == nil || n.Parent == "" || !v.CanManage(tree, n.Parent) {
		return ""
	}
	return n.Parent
}

// treeText draws the organisation under node — all of it when it is
// small, else two levels deep:
//
//	第一片区
//	├ 太平镇党委
//	│ ├ 牛卯坪村党支部
//	│ └ 老洼坪村党支部
//	└ 大沙镇党委（1 个党支部）
//
// counting the branches under a node whose own nodes are not drawn.
func (b *Bot) treeText(node string) string {
	tree := b.svc.Tree()
	const most = 60
	levels := 2
	if len(tree.Subtree(node)) <= 40 {
		levels = most
	}
	lines := []string{"<b>" + esc(tree.Path(node)) + "</b>"}
	more := 0
	var walk func(n, prefix string, depth int)
	walk = func(n, prefix string, depth int) {
		kids := tree.Children(n)
		for i, c := range kids {
			if len(lines) == most {
				more += len(tree.Subtree(c))
				continue
			}
			fork, under := "├ ", "│ "
			if i == len(kids)-1 {
				fork, under = "└ ", "　"
			}
			line := prefix + fork + esc(tree.Name(c))
			if !tree.IsLeaf(c) && depth == levels {
				line += fmt.Sprintf(txtTreeLeaves, len(tree.Leaves(c)))
			}
			lines = append(lines, line)
			if depth < levels {
				walk(c, prefix+under, depth+1)
			}
		}
	}
	walk(node, "", 1)
	if more > 0 {
		lines = append(lines, fmt.Sprintf(txtTreeMore, more))
	}
	return strings.Join(lines, "\n")
}

// inviteMatches offers the nodes whose names hold what was typed.
func (b *Bot) inviteMatches(r *Request, typed string, nodes []string, role quiz.Role, days int) error {
	tree := b.svc.Tree()
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, n := range nodes {
		if len(rows) == 30 {
			break
		}
		action := "s"
		switch {
		case role == quiz.RoleMember && tree.IsLeaf(n):
			action = "m"
		case role == quiz.RoleMember:
			action = "t"
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(inviteButton(tree.Path(n), n, action, days)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.ReplyKB(fmt.Sprintf(txtInviteMatches, len(nodes), esc(truncate(typed, 20))), &kb)
	return nil
}

// pressInvite handles the invite tree's buttons.
func pressInvite(r *Request) error {
	if len(r.Data) != 3 && len(r.Data) != 4 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	days := 0
	if len(r.Data) == 4 {
		d, err := strconv.Atoi(r.Data[3])
		if err != nil || d < 1 || d > 365 {
			r.Toast(txtButtonUnknown)
			return nil
		}
		days = d
	}
	b, node := r.Bot, r.Data[1]
	if b.svc.Tree().Node(node) == nil && !(node == "" && (r.Data[2] == "t" || r.Data[2] == "ts")) {
		r.Toast(txtButtonStale) // a node the tree no longer has
		return nil
	}
	switch r.Data[2] {
	case "m":
		return b.makeInvite(r, node, quiz.RoleMember, days) // a refusal is the press's answer
	case "s":
		return b.makeInvite(r, node, quiz.RoleSecretary, days)
	case "t":
		return b.pressTree(r, node, quiz.RoleMember, days)
	case "ts":
		if !r.Viewer.Admin {
			r.Toast(txtAdminOnly)
			return nil
		}
		return b.pressTree(r, node, quiz.RoleSecretary, days)
	}
	r.Toast(txtButtonUnknown)
	return nil
}

// pressTree opens the invite tree at node from a button, refusing a node
// outside the presser's scope in the press's answer.
func (b *Bot) pressTree(r *Request, node string, role quiz.Role, days int) error {
	if node != "" && !r.Viewer.CanManage(b.svc.Tree(), node) {
		return quiz.Errorf(quiz.Forbidden, quiz.ReasonNotInScope)
	}
	r.Toast("")
	return b.inviteTree(r, node, role, days)
}

func (b *Bot) makeInvite(r *Request, node string, role quiz.Role, days int) error {
	tree := b.svc.Tree()
	inv, err := b.svc.CreateInvite(r.Ctx, r.Viewer, node, role, time.Duration(days)*24*time.Hour)
	if err != nil {
		return err
	}
	r.Toast("")
	// A member link serves the whole branch until it expires or is
	// revoked; a secretary link makes one secretary, once.
	who, expiry := txtInviteForMembers, txtInviteNoExpiry
	if role == quiz.RoleSecretary {
		who, expiry = txtInviteForSec, txtInviteSecNoExpiry
	}
	if !inv.Expires.IsZero() {
		expiry = fmt.Sprintf(txtInviteExpires, b.dateTime(inv.Expires))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtInviteRevoke, "ivx:"+inv.Code)))
	r.ReplyKB(fmt.Sprintf(txtInviteLink, esc(tree.Path(node)), inviteRole(role), esc(b.inviteLink(inv)), who, expiry), &kb)
	return nil
}

func inviteRole(role quiz.Role) string {
	if role == quiz.RoleSecretary {
		return txtInviteRoleSec
	}
	return txtInviteRoleMember
}

func (b *Bot) inviteLink(inv *quiz.Invite) string {
	return fmt.Sprintf("https://t.me/%s?start=%s", b.Username(), inv.Code)
}

// pressRevoke revokes an invite from the button under its link, and the
// link's message then says it is revoked (no more "把链接发给对方"); a
// second press on an invite revoked already only says so.
func pressRevoke(r *Request) error {
	if len(r.Data) != 2 || !payloadPattern.MatchString(r.Data[1]) {
		r.Toast(txtButtonUnknown)
		return nil
	}
	b := r.Bot
	err := b.svc.RevokeInvite(r.Ctx, r.Viewer, r.Data[1])
	if quiz.ErrorReason(err) == quiz.ReasonInviteRevoked {
		r.Toast(txtInviteRevoked)
		return nil
	}
	if err != nil {
		return err
	}
	r.Toast(txtInviteRevoked)
	inv, err := b.svc.Invite(r.Ctx, r.Viewer, r.Data[1])
	if err != nil || r.Callback.Message == nil {
		b.dropKeyboard(r)
		r.Reply(txtInviteRevokedDone)
		return nil
	}
	b.editHTML(r.Chat, r.Callback.Message.MessageID, fmt.Sprintf(txtInviteLinkRevoked,
		esc(b.svc.Tree().Path(inv.Node)), inviteRole(inv.Role), esc(b.inviteLink(inv))), nil)
	return nil
}
