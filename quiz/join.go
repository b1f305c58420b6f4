package quiz

import (
	"context"
	"errors"
	"time"
)

// PeekInvite returns a usable invite and whether the user already has a
// name on record (so the bot need not ask for it).
func (s *Service) PeekInvite(ctx context.Context, id int64, code string) (*Invite, bool, error) {
	var inv *Invite
	named := false
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		inv, err = usableInvite(tx, s.Tree(), code, s.now())
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

func usableInvite(tx Tx, t *Tree, code string, now time.Time) (*Invite, error) {
	inv, err := tx.Invite(code)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(Invalid, ReasonInviteUnknown)
	}
	if err != nil {
		return nil, err
	}
	if !inv.Usable(now) || t.Node(inv.Node) == nil {
		return nil, Errorf(Invalid, ReasonInviteExpired)
	}
	return inv, nil
}

// Join uses an invite: the user joins the invite's branch as a member
// (moving from their old branch, if any) or becomes secretary of its
// node. name may be empty when the user already has one. Joining again
// with the same invite changes nothing.
func (s *Service) Join(ctx context.Context, id int64, code, name string) (*User, *Invite, error) {
	var user *User
	var invite *Invite
	now := s.now()
	tree := s.Tree()
	err := s.Store.Update(ctx, func(tx Tx) error {
		user, invite = nil, nil
		inv, err := usableInvite(tx, tree, code, now)
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
		switch inv.Role {
		case RoleSecretary:
			if !containsString(u.Secretary, inv.Node) {
				u.Secretary = append(u.Secretary, inv.Node)
				inv.Uses++
			}
		default:
			if !tree.IsLeaf(inv.Node) {
				return Errorf(Invalid, ReasonNotLeaf)
			}
			if u.Branch != inv.Node {
				if u.Branch != "" {
					if err := addMembers(tx, tree, u.Branch, -1); err != nil {
						return err
					}
				}
				if err := addMembers(tx, tree, inv.Node, 1); err != nil {
					return err
				}
				u.Branch = inv.Node
				inv.Uses++
			}
		}
		u.Unreachable = false
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if err := tx.PutInvite(inv); err != nil {
			return err
		}
		user, invite = u, inv
		return nil
	})
	return user, invite, err
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
