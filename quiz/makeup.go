package quiz

import (
	"context"
	"errors"
	"time"
)

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

func activeGrant(tx Tx, id int64, kind Kind, period string, now time.Time) *Grant {
	gs, err := tx.Grants(id)
	if err != nil {
		return nil
	}
	var best *Grant
	for i := range gs {
		g := gs[i]
		if g.Kind == kind && g.Period == period && now.Before(g.Until) {
			best = &g
		}
	}
	return best
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
