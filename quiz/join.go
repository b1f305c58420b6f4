package quiz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// PeekInvite returns a usable invite and whether the user already has a
// name on record (so the bot need not ask for it).
func (s *Service) PeekInvite(ctx context.Context, id int64, code string) (*Invite, bool, error) {
	var inv *Invite
	named := false
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		inv, err = usableInvite(tx, s.Tree(), code, s.now(), id)
		if err != nil {
			return err
		}
		if u, err := tx.User(id); err == nil && u.Name != "" {
			named = true
		}
		return nil
	})
	return inv, named, err
}

// usableInvite loads an invite user may use now: Invalid with
// ReasonInviteUnknown, ReasonInviteExpired (revoked, expired, its node
// gone) or ReasonInviteUsed (a secretary invite someone else used).
func usableInvite(tx Tx, t *Tree, code string, now time.Time, user int64) (*Invite, error) {
	inv, err := tx.Invite(code)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(Invalid, ReasonInviteUnknown)
	}
	if err != nil {
		return nil, err
	}
	if t.Node(inv.Node) == nil || !inv.Live(now) {
		return nil, Errorf(Invalid, ReasonInviteExpired)
	}
	if !inv.Usable(now, user) {
		return nil, Errorf(Invalid, ReasonInviteUsed)
	}
	return inv, nil
}

// JoinResult is what using an invite did.
type JoinResult struct {
	User   *User
	Invite *Invite
	From   string // the branch a member moved from ("" when they had none)
	Used   bool   // the invite was used now (false: the user had already used it)
}

// Join uses an invite: the user joins the invite's branch as a member or
// becomes secretary of its node. name may be empty when the user already
// has one. Joining again with the same invite changes nothing. A member of
// another branch is not moved: Join refuses with ReasonMoveAsk, and the
// bot asks before calling Move.
func (s *Service) Join(ctx context.Context, id int64, code, name string) (*User, *Invite, error) {
	r, err := s.join(ctx, id, code, name, false)
	if err != nil {
		return nil, nil, err
	}
	return r.User, r.Invite, nil
}

// Move uses a member invite of another branch for a member who confirmed
// the move: they join the invite's branch, and everything they did — every
// month finished, test counted, point and star — is counted there from now
// on, at every level, as it always is where a member is (a branch's totals
// are the sum of its members' records). The member's attempts, ledger and
// mistake book are theirs and move with them; item statistics stay where
// the answers were given.
func (s *Service) Move(ctx context.Context, id int64, code string) (*JoinResult, error) {
	return s.join(ctx, id, code, "", true)
}

func (s *Service) join(ctx context.Context, id int64, code, name string, move bool) (*JoinResult, error) {
	var res *JoinResult
	now := s.now()
	tree := s.Tree()
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = nil
		inv, err := usableInvite(tx, tree, code, now, id)
		if err != nil {
			return err
		}
		u, err := tx.User(id)
		if errors.Is(err, ErrNotFound) {
			u, err = &User{ID: id, Joined: now}, nil
		}
		if err != nil {
			return err
		}
		if name != "" {
			clean := CleanName(name)
			if clean == "" {
				return Errorf(Invalid, ReasonBadName)
			}
			u.Name = clean
		}
		if u.Name == "" {
			return Errorf(Invalid, ReasonBadName)
		}
		r := &JoinResult{Invite: inv}
		switch inv.Role {
		case RoleSecretary:
			if !containsString(u.Secretary, inv.Node) {
				u.Secretary = append(u.Secretary, inv.Node)
			}
			if !slices.Contains(inv.UsedBy, id) {
				inv.UsedBy = append(inv.UsedBy, id)
				inv.Uses++
				r.Used = true
				if inv.By != 0 && inv.By != id { // who made it is told who used it
					e := Event{Ref: fmt.Sprintf("invite-used:%s:%d", inv.Code, id), Chat: inv.By, Kind: EventInviteUsed,
						At: now, User: id, Name: u.Name, Node: inv.Node}
					if _, err := tx.Emit(&e); err != nil {
						return err
					}
				}
			}
		default:
			if !tree.IsLeaf(inv.Node) {
				return Errorf(Invalid, ReasonNotLeaf)
			}
			switch {
			case u.Branch == inv.Node:
			case u.Branch != "" && !move:
				return Errorf(Conflict, ReasonMoveAsk)
			case u.Branch != "":
				r.From = u.Branch
				if err := s.moveMember(tx, tree, u, inv.Node); err != nil {
					return err
				}
				inv.Uses++
				r.Used = true
			default:
				// A member from now: the months and tests they owe start
				// here (a secretary who joins a branch later owes nothing
				// from before).
				u.Joined, u.Branch = now, inv.Node
				if err := addMembers(tx, tree, u.Branch, 1); err != nil {
					return err
				}
				for k, d := range s.joinStats(now) {
					if err := addTotals(tx, tree.Lineage(u.Branch), d, k); err != nil {
						return err
					}
				}
				inv.Uses++
				r.Used = true
			}
		}
		u.Unreachable = false
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if err := tx.PutInvite(inv); err != nil {
			return err
		}
		r.User = u
		res = r
		return nil
	})
	return res, err
}

// moveMember moves a member to another branch with their totals: the
// nodes above the old branch only lose them, the nodes above the new one
// only gain them, the nodes above both keep them.
func (s *Service) moveMember(tx Tx, tree *Tree, u *User, to string) error {
	prog, err := tx.UserProgress(u.ID)
	if err != nil {
		return err
	}
	totals := s.MemberTotals(u, prog)
	from := tree.Lineage(u.Branch)
	onto := tree.Lineage(to)
	for _, n := range from {
		if slices.Contains(onto, n) {
			continue
		}
		if err := tx.AddMemberCount(n, -1); err != nil {
			return err
		}
		for k, d := range totals {
			if err := tx.AddNodeStats(n, k, d.Neg()); err != nil {
				return err
			}
		}
	}
	for _, n := range onto {
		if slices.Contains(from, n) {
			continue
		}
		if err := tx.AddMemberCount(n, 1); err != nil {
			return err
		}
		for k, d := range totals {
			if err := tx.AddNodeStats(n, k, d); err != nil {
				return err
			}
		}
	}
	u.Branch = to
	return nil
}

func addMembers(tx Tx, t *Tree, branch string, delta int64) error {
	for _, n := range t.Lineage(branch) {
		if err := tx.AddMemberCount(n, delta); err != nil {
			return err
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SetReachable records whether the bot can send to the user (false when
// they blocked it); unreachable users get no reminders or rounds.
func (s *Service) SetReachable(ctx context.Context, id int64, reachable bool) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		u, err := tx.User(id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if u.Unreachable == !reachable {
			return nil
		}
		u.Unreachable = !reachable
		return tx.PutUser(u)
	})
}
