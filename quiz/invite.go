package quiz

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"
)

// inviteAlphabet is what invite codes are made of: safe in a deep link.
const inviteAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

// InviteCodeLen is the length of an invite code: 16 characters of a
// 56-letter alphabet, about 93 bits, not guessable.
const InviteCodeLen = 16

func newCode() (string, error) {
	b := make([]byte, InviteCodeLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("invite code: %w", err)
	}
	for i := range b {
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)]
	}
	return string(b), nil
}

// CreateInvite makes an invite to node: for members (a branch the viewer
// manages) or, by an admin only, for its secretary. ttl 0 means it does
// not expire.
func (s *Service) CreateInvite(ctx context.Context, v Viewer, node string, role Role, ttl time.Duration) (*Invite, error) {
	tree := s.Tree()
	if tree.Node(node) == nil {
		return nil, Errorf(NotFound, ReasonNodeUnknown)
	}
	switch role {
	case RoleMember:
		if !v.CanManage(tree, node) {
			return nil, Errorf(Forbidden, ReasonNotInScope)
		}
		if !tree.IsLeaf(node) {
			return nil, Errorf(Invalid, ReasonNotLeaf)
		}
	case RoleSecretary:
		if !v.Admin {
			return nil, Errorf(Forbidden, ReasonNotInScope)
		}
	default:
		return nil, Errorf(Invalid, ReasonBadRole)
	}
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	now := s.now()
	inv := &Invite{Code: code, Node: node, Role: role, By: v.ID, Created: now}
	if ttl > 0 {
		inv.Expires = now.Add(ttl)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		c := *inv
		return tx.PutInvite(&c)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// Invite returns an invite the viewer may revoke (see RevokeInvite),
// revoked or not, so that its link can be shown as it now stands:
// NotFound with ReasonInviteUnknown for a code never made, Forbidden with
// ReasonNotInScope for one outside the viewer's scope.
func (s *Service) Invite(ctx context.Context, v Viewer, code string) (*Invite, error) {
	tree := s.Tree()
	var out *Invite
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = revocable(tx, tree, v, code)
		return err
	})
	return out, err
}

// revocable reads an invite v may revoke (and look at): one v may make.
func revocable(tx Tx, tree *Tree, v Viewer, code string) (*Invite, error) {
	inv, err := tx.Invite(code)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotFound, ReasonInviteUnknown)
	}
	if err != nil {
		return nil, err
	}
	if !v.CanManage(tree, inv.Node) || (inv.Role == RoleSecretary && !v.Admin) {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	return inv, nil
}

// RevokeInvite stops an invite from being used; only someone who may
// make it may revoke it (Forbidden otherwise). An invite revoked already
// is a Conflict with ReasonInviteRevoked, and nothing changes.
func (s *Service) RevokeInvite(ctx context.Context, v Viewer, code string) error {
	tree := s.Tree()
	return s.Store.Update(ctx, func(tx Tx) error {
		inv, err := revocable(tx, tree, v, code)
		if err != nil {
			return err
		}
		if inv.Revoked {
			return Errorf(Conflict, ReasonInviteRevoked)
		}
		inv.Revoked = true
		return tx.PutInvite(inv)
	})
}

// RemoveSecretary takes the management of node from a user (admins only):
// a secretary who hands their node over. Their membership, records and
// any other node they manage stay as they are; a user who does not manage
// node is left unchanged.
func (s *Service) RemoveSecretary(ctx context.Context, v Viewer, user int64, node string) error {
	if !v.Admin {
		return Errorf(Forbidden, ReasonNotInScope)
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		u, err := tx.User(user)
		if errors.Is(err, ErrNotFound) {
			return Errorf(NotFound, ReasonNotMember)
		}
		if err != nil {
			return err
		}
		i := slices.Index(u.Secretary, node)
		if i < 0 {
			return nil
		}
		u.Secretary = slices.Delete(u.Secretary, i, i+1)
		return tx.PutUser(u)
	})
}
