package quiz

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what an invite makes its user.
type Role string

// Roles given by invites. Admins are named in the configuration, not
// invited.
const (
	RoleMember    Role = "member"
	RoleSecretary Role = "secretary"
)

// User is a person known to the bot: a member of a branch, a secretary of
// one or more nodes, or both. Admins are users whose Telegram id is in the
// configuration.
type User struct {
	ID          int64 // Telegram user id
	Name        string
	Branch      string    // the branch (leaf) the user is a member of; "" if none
	Secretary   []string  // nodes the user is secretary of
	Joined      time.Time // when the user became a member (of any branch; a move keeps it)
	Unreachable bool      // blocked the bot: no reminders or rounds are sent
}

// IsMember reports whether the user belongs to a branch.
func (u *User) IsMember() bool { return u != nil && u.Branch != "" }

// IsSecretary reports whether the user is secretary of any node.
func (u *User) IsSecretary() bool { return u != nil && len(u.Secretary) > 0 }

// MaxNameRunes bounds a real name.
const MaxNameRunes = 20

// CleanName trims a typed real name and checks it: 1–20 characters,
// letters (Chinese or Latin), the middle dot of minority names, spaces.
// It returns "" when the name is not acceptable.
func CleanName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	if n == 0 || n > MaxNameRunes {
		return ""
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '·' && r != '•' && r != ' ' && r != '.' {
			return ""
		}
	}
	return s
}

// Viewer is who is asking: the user (nil for a stranger) and whether they
// are an admin.
type Viewer struct {
	ID    int64
	User  *User
	Admin bool
}

// Scopes returns the nodes whose subtrees the viewer may see reports of:
// the root for an admin, the secretary's nodes, nothing for a member
// (a member sees their own record and their branch's public standings).
func (v Viewer) Scopes(t *Tree) []string {
	if v.Admin {
		return []string{t.Root()}
	}
	if v.User == nil {
		return nil
	}
	return v.User.Secretary
}

// CanManage reports whether the viewer may see reports of, and act for,
// node: an admin anywhere; a secretary in their subtree.
func (v Viewer) CanManage(t *Tree, node string) bool {
	if t.Node(node) == nil {
		return false
	}
	for _, s := range v.Scopes(t) {
		if t.Within(node, s) {
			return true
		}
	}
	return false
}

// Invite is an invite code: whoever starts the bot with it joins Node as a
// member or becomes its secretary.
type Invite struct {
	Code    string
	Node    string
	Role    Role
	By      int64
	Created time.Time
	Expires time.Time // zero: never
	Revoked bool
	Uses    int
	UsedBy  []int64 // who joined with it, in order (a secretary invite: one person)
}

// Live reports whether the invite is neither revoked nor expired at now.
func (inv *Invite) Live(now time.Time) bool {
	return !inv.Revoked && (inv.Expires.IsZero() || now.Before(inv.Expires))
}

// Usable reports whether the invite may be used at now by user: not
// revoked, not expired, and for a secretary invite not used by anyone
// else (it makes one secretary; member invites serve a whole branch).
func (inv *Invite) Usable(now time.Time, user int64) bool {
	if !inv.Live(now) {
		return false
	}
	if inv.Role == RoleSecretary {
		if inv.Uses > len(inv.UsedBy) {
			// Used before UsedBy was recorded (an older store): by
			// someone, so by nobody again.
			return false
		}
		for _, u := range inv.UsedBy {
			if u != user {
				return false
			}
		}
	}
	return true
}

// Grant is a make-up (补考): a missed month's study or quarter's test
// reopened for one member until a time, recorded with who granted it.
type Grant struct {
	User   int64
	Kind   Kind   // Study or Test
	Period string // the month or quarter reopened
	Until  time.Time
	By     int64
	At     time.Time
	Reason string
	Ref    string // what granted it (the button pressed), so one press grants once
}
