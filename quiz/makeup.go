package quiz

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// MakeupDays are the lengths a make-up may be granted for.
var MakeupDays = []int{3, 7, 14}

// GrantMakeup (补考) reopens a missed month's study or quarter's test for
// one member for days days (one of MakeupDays), recorded with who granted
// it, why, and ref — what granted it (the button pressed). A grant is for
// a month or test that has begun (a test: whose window has opened) and
// that ended after the member joined, not yet done, not already reopened,
// by a viewer who manages the member's branch now. The same ref grants at
// most once: a double tap or a redelivered press returns the grant it
// made with granted false, and the member is told once (an EventMakeup in
// the grant's transaction).
//
// Errors: Invalid ReasonBadMakeup (a kind, period or length that cannot
// be granted), Forbidden / NotFound for a member out of scope, Conflict
// ReasonNothingToGrant (done) or ReasonMakeupOpen (already reopened).
func (s *Service) GrantMakeup(ctx context.Context, v Viewer, member int64, kind Kind, period string, days int, reason, ref string) (g *Grant, granted bool, err error) {
	if !slices.Contains(MakeupDays, days) || ref == "" {
		return nil, false, Errorf(Invalid, ReasonBadMakeup)
	}
	p, err := s.makeupPeriod(kind, period)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	tree := s.Tree()
	err = s.Store.Update(ctx, func(tx Tx) error {
		g, granted = nil, false
		gs, err := s.checkMakeup(tx, tree, v, member, kind, p, now)
		if err != nil {
			return err
		}
		for i := range gs {
			if gs[i].Ref == ref {
				g = &gs[i] // this press granted it already
				return nil
			}
		}
		for _, old := range gs {
			if old.Kind == kind && old.Period == period && now.Before(old.Until) {
				return Errorf(Conflict, ReasonMakeupOpen)
			}
		}
		ng := Grant{User: member, Kind: kind, Period: period, Until: now.AddDate(0, 0, days), By: v.ID, At: now,
			Reason: reason, Ref: ref}
		if err := tx.PutGrant(ng); err != nil {
			return err
		}
		e := Event{Ref: "makeup:" + strconv.FormatInt(member, 10) + ":" + ref, Chat: member, Kind: EventMakeup, At: now,
			Subject: kind, Period: period, Until: ng.Until}
		if _, err := tx.Emit(&e); err != nil {
			return err
		}
		g, granted = &ng, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return g, granted, nil
}

// CheckMakeup says whether a make-up of a kind and period could be granted
// to the member now by the viewer (before asking how long it should be),
// with the errors of GrantMakeup.
func (s *Service) CheckMakeup(ctx context.Context, v Viewer, member int64, kind Kind, period string) error {
	p, err := s.makeupPeriod(kind, period)
	if err != nil {
		return err
	}
	now := s.now()
	return s.Store.View(ctx, func(tx Tx) error {
		gs, err := s.checkMakeup(tx, s.Tree(), v, member, kind, p, now)
		if err != nil {
			return err
		}
		for _, old := range gs {
			if old.Kind == kind && old.Period == period && now.Before(old.Until) {
				return Errorf(Conflict, ReasonMakeupOpen)
			}
		}
		return nil
	})
}

// makeupPeriod parses the period of a make-up of kind: a month for study,
// a quarter for a test.
func (s *Service) makeupPeriod(kind Kind, period string) (Period, error) {
	p, err := s.Cal.Parse(period)
	if err != nil || !((kind == Study && p.Kind == Month) || (kind == Test && p.Kind == Quarter)) {
		return Period{}, Errorf(Invalid, ReasonBadMakeup)
	}
	return p, nil
}

// checkMakeup checks what every make-up needs and returns the member's
// grants.
func (s *Service) checkMakeup(tx Tx, tree *Tree, v Viewer, member int64, kind Kind, p Period, now time.Time) ([]Grant, error) {
	u, err := managedMember(tx, tree, v, member)
	if err != nil {
		return nil, err
	}
	begun := p.Start
	if kind == Test {
		begun, _ = s.Rules.TestWindowOf(s.Cal, p)
	}
	if now.Before(begun) || !p.End.After(u.Joined) {
		return nil, Errorf(Invalid, ReasonBadMakeup) // not yet, or before they joined
	}
	prog, err := tx.Progress(member, p.Key())
	if err != nil {
		return nil, err
	}
	if (kind == Study && prog.StudyDone) || (kind == Test && prog.Tested) {
		return nil, Errorf(Conflict, ReasonNothingToGrant)
	}
	return tx.Grants(member)
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
		return nil, Errorf(Invalid, ReasonBadPeriod)
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
