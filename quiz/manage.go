package quiz

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"time"
)

// PracticeSize is how many questions one practice of the mistake book asks.
const PracticeSize = 10

// StartPractice returns a practice of the mistake book (错题本): the open
// one, or a new one of up to PracticeSize questions, due ones first, then
// the soonest due, so that a member can practise any time.
func (s *Service) StartPractice(ctx context.Context, id int64) (*Attempt, error) {
	now := s.now()
	var out *Attempt
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		ids, err := tx.UserAttempts(id, Practice)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			last, err := tx.Attempt(ids[len(ids)-1])
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if last != nil && !last.Closed {
				out = last
				return nil
			}
		}
		ms, err := tx.Mistakes(id)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return Errorf(NotFound, ReasonNoMistakes)
		}
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Due.Before(ms[j].Due) })
		var items []Item
		for _, m := range ms {
			if len(items) == PracticeSize {
				break
			}
			it := m.Item
			it.Mistake = true
			items = append(items, it)
		}
		a := &Attempt{User: id, Kind: Practice, N: len(ids) + 1, Branch: u.Branch, Items: items,
			Responses: make([]Response, len(items)), Started: now}
		if err := tx.CreateAttempt(a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// ClosePractice ends an open practice early (a member who leaves with
// /cancel); nothing is booked for practice.
func (s *Service) ClosePractice(ctx context.Context, id int64, attempt uint64) error {
	now := s.now()
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := tx.Attempt(attempt)
		if err != nil {
			return err
		}
		if a.User != id || a.Kind != Practice || a.Closed {
			return nil
		}
		a.Closed, a.ClosedAt = true, now
		a.Score, a.Right = a.Tally()
		return tx.PutAttempt(a)
	})
}

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
		return nil, Errorf(Invalid, "bad_role")
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

// RevokeInvite stops an invite from being used; only someone who may
// make it may revoke it.
func (s *Service) RevokeInvite(ctx context.Context, v Viewer, code string) error {
	tree := s.Tree()
	return s.Store.Update(ctx, func(tx Tx) error {
		inv, err := tx.Invite(code)
		if errors.Is(err, ErrNotFound) {
			return Errorf(NotFound, ReasonInviteUnknown)
		}
		if err != nil {
			return err
		}
		if !v.CanManage(tree, inv.Node) || (inv.Role == RoleSecretary && !v.Admin) {
			return Errorf(Forbidden, ReasonNotInScope)
		}
		inv.Revoked = true
		return tx.PutInvite(inv)
	})
}

// managedMember loads a member the viewer manages.
func managedMember(tx Tx, tree *Tree, v Viewer, member int64) (*User, error) {
	u, err := tx.User(member)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.IsMember()) {
		return nil, Errorf(NotFound, ReasonNotMember)
	}
	if err != nil {
		return nil, err
	}
	if !v.CanManage(tree, u.Branch) {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	return u, nil
}

// GrantMakeup (补考) reopens a missed month's study or quarter's test for
// one member for days days, recorded with who granted it and why.
func (s *Service) GrantMakeup(ctx context.Context, v Viewer, member int64, kind Kind, period string, days int, reason string) (*Grant, error) {
	if days < 1 || days > 60 {
		return nil, Errorf(Invalid, "bad_days")
	}
	p, err := s.Cal.Parse(period)
	if err != nil {
		return nil, err
	}
	if (kind == Study && p.Kind != Month) || (kind == Test && p.Kind != Quarter) || (kind != Study && kind != Test) {
		return nil, Errorf(Invalid, "bad_period")
	}
	now := s.now()
	tree := s.Tree()
	g := Grant{User: member, Kind: kind, Period: period, Until: now.AddDate(0, 0, days), By: v.ID, At: now, Reason: reason}
	err = s.Store.Update(ctx, func(tx Tx) error {
		if _, err := managedMember(tx, tree, v, member); err != nil {
			return err
		}
		prog, err := tx.Progress(member, period)
		if err != nil {
			return err
		}
		if (kind == Study && prog.StudyDone) || (kind == Test && prog.Tested) {
			return Errorf(Conflict, ReasonNothingToGrant)
		}
		return tx.PutGrant(g)
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// ActiveGrants returns the member's make-ups that are open now.
func (s *Service) ActiveGrants(ctx context.Context, id int64) ([]Grant, error) {
	now := s.now()
	var out []Grant
	err := s.Store.View(ctx, func(tx Tx) error {
		gs, err := tx.Grants(id)
		if err != nil {
			return err
		}
		for _, g := range gs {
			if now.Before(g.Until) {
				out = append(out, g)
			}
		}
		return nil
	})
	return out, err
}

// StartMakeupStudy begins (or resumes) the study of a past month reopened
// by a make-up.
func (s *Service) StartMakeupStudy(ctx context.Context, id int64, period string) (*StudySession, error) {
	month, err := s.Cal.Parse(period)
	if err != nil || month.Kind != Month {
		return nil, Errorf(Invalid, "bad_period")
	}
	var g *Grant
	now := s.now()
	if err := s.Store.View(ctx, func(tx Tx) error {
		g = activeGrant(tx, id, Study, period, now)
		return nil
	}); err != nil {
		return nil, err
	}
	if g == nil {
		return nil, Errorf(Unavailable, ReasonOutsideWindow)
	}
	return s.startStudy(ctx, id, month, g.Until, true)
}

// MaxCorrection bounds one manual correction.
const MaxCorrection = 100

// Correct books a manual point correction for a member the viewer
// manages: an entry of its own in the ledger, with who made it and why.
// ref makes it idempotent (the bot uses the id of the dialog that asked).
func (s *Service) Correct(ctx context.Context, v Viewer, member int64, amount Points, reason, ref string) (*Entry, error) {
	if amount == 0 || amount > PointsOf(MaxCorrection) || amount < -PointsOf(MaxCorrection) {
		return nil, Errorf(Invalid, ReasonBadAmount)
	}
	if reason == "" {
		return nil, Errorf(Invalid, "no_reason")
	}
	now := s.now()
	tree := s.Tree()
	var out *Entry
	err := s.Store.Update(ctx, func(tx Tx) error {
		u, err := managedMember(tx, tree, v, member)
		if err != nil {
			return err
		}
		e := &Entry{User: member, Ref: "fix:" + ref, Rule: RuleCorrection, Amount: amount,
			Period: s.Cal.Month(now).Key(), Reason: reason, At: now.Unix(), By: v.ID}
		if _, err := s.book(tx, tree.Lineage(u.Branch), e); err != nil {
			return err
		}
		out = e
		return nil
	})
	return out, err
}
