package quiz

import (
	"context"
	"errors"
)

// BindGroup binds a group chat to a node the viewer manages (node "" is
// their first). A group bound to a node the viewer does not manage stays
// as it is (Forbidden, bound_elsewhere).
func (s *Service) BindGroup(ctx context.Context, v Viewer, chat int64, title, node string) (*GroupBind, error) {
	node, err := s.scope(v, node)
	if err != nil {
		return nil, err
	}
	tree := s.Tree()
	now := s.now()
	var out *GroupBind
	err = s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		old, err := tx.GroupBind(chat)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if old != nil && old.Node != node && !v.CanManage(tree, old.Node) {
			return Errorf(Forbidden, ReasonBoundElsewhere)
		}
		b := &GroupBind{Chat: chat, Node: node, Title: title, By: v.ID, At: now}
		if err := tx.PutGroupBind(b); err != nil {
			return err
		}
		out = b
		return nil
	})
	return out, err
}

// UnbindGroup undoes BindGroup; the viewer must manage the bound node, and
// a contest in progress there must finish first.
func (s *Service) UnbindGroup(ctx context.Context, v Viewer, chat int64) (*GroupBind, error) {
	tree := s.Tree()
	var out *GroupBind
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		b, err := bound(tx, chat)
		if err != nil {
			return err
		}
		if !v.CanManage(tree, b.Node) {
			return Errorf(Forbidden, ReasonNotInScope)
		}
		if id, err := tx.ChatContest(chat); err == nil && id != 0 {
			return Errorf(Conflict, ReasonContestRunning)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		out = b
		return tx.DeleteGroupBind(chat)
	})
	return out, err
}

func bound(tx Tx, chat int64) (*GroupBind, error) {
	b, err := tx.GroupBind(chat)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotFound, ReasonNotBound)
	}
	return b, err
}

// Bound returns the node a group is bound to (NotFound, not_bound, if it
// is not).
func (s *Service) Bound(ctx context.Context, chat int64) (*GroupBind, error) {
	var out *GroupBind
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = bound(tx, chat)
		return err
	})
	return out, err
}

// HostGroups returns the groups bound to nodes the viewer manages, with
// the contest each has going (nil for none), by chat id.
func (s *Service) HostGroups(ctx context.Context, v Viewer) ([]GroupBind, []*Contest, error) {
	tree := s.Tree()
	var binds []GroupBind
	var active []*Contest
	err := s.Store.View(ctx, func(tx Tx) error {
		binds, active = nil, nil
		all, err := tx.GroupBinds()
		if err != nil {
			return err
		}
		for _, b := range all {
			if !v.CanManage(tree, b.Node) {
				continue
			}
			binds = append(binds, b)
			var c *Contest
			if id, err := tx.ChatContest(b.Chat); err == nil && id != 0 {
				if c, err = tx.Contest(id); err != nil {
					return err
				}
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			active = append(active, c)
		}
		return nil
	})
	return binds, active, err
}

// GroupFigures are what a bound group is shown of its node (/rank in the
// group): the node's own totals and its place among its siblings, never a
// member's score.
type GroupFigures struct {
	Node     string
	Members  int64
	Month    Period
	Study    Figures // this month
	Quarter  Period
	TestOpen bool
	Test     Figures // this quarter
	Half     Period
	Standing *Standing // this half year, among the node's siblings (nil for the root)
	Of       int       // how many siblings, the node included
	Year     NodeYear
}

// GroupFigures returns the figures of the node a group is bound to.
func (s *Service) GroupFigures(ctx context.Context, chat int64) (*GroupFigures, error) {
	now := s.now()
	tree := s.Tree()
	out := &GroupFigures{Month: s.Cal.Month(now), Quarter: s.Cal.Quarter(now), Half: s.Cal.Half(now)}
	start, _ := s.Rules.TestWindowOf(s.Cal, out.Quarter)
	out.TestOpen = !now.Before(start)
	err := s.Store.View(ctx, func(tx Tx) error {
		b, err := bound(tx, chat)
		if err != nil {
			return err
		}
		if tree.Node(b.Node) == nil {
			return Errorf(NotFound, ReasonNodeUnknown)
		}
		out.Node = b.Node
		if out.Members, err = tx.MemberCount(b.Node); err != nil {
			return err
		}
		if out.Study, err = s.nodeFigures(tx, b.Node, out.Month, now); err != nil {
			return err
		}
		if out.Test, err = s.nodeFigures(tx, b.Node, out.Quarter, now); err != nil {
			return err
		}
		year, err := tx.NodeStats(b.Node, s.Cal.Year(now).Key())
		if err != nil {
			return err
		}
		out.Year = NodeYear{Node: b.Node, Members: out.Members, Stars: year.StarCounts(out.Members)}
		if out.Members > 0 {
			out.Year.MeanPoints = year.PointSum.Float() / float64(out.Members)
		}
		if parent := tree.Node(b.Node).Parent; parent != "" {
			sib, err := s.standingInputs(tx, out.Half, now, tree.Children(parent))
			if err != nil {
				return err
			}
			ranked := s.Rules.Rank.Rank(sib)
			out.Of = RankedCount(ranked)
			for i := range ranked {
				if ranked[i].Node == b.Node {
					out.Standing = &ranked[i]
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
