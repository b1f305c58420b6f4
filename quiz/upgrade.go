package quiz

import "context"

// taskJoinCounts is the upgrade that counts when every member joined into
// the totals (NodeStats.Joined, JoinMonths, JoinQuarters), for a store
// written before those totals existed.
const taskJoinCounts = "totals:joined"

// UpgradeTasks are the one-time tasks of Upgrade: a store made by this
// program has no need of them, and marks them done when it is created.
var UpgradeTasks = []string{taskJoinCounts}

// Upgrade brings the totals of a store written by an older program up to
// what this one keeps, once: it counts when every member joined, so that
// figures owe members only what they could take part in. Run it at start,
// before serving; it does nothing the second time.
func (s *Service) Upgrade(ctx context.Context) error {
	tree := s.Tree()
	return s.Store.Update(ctx, func(tx Tx) error {
		done, err := tx.Done(taskJoinCounts)
		if err != nil || done {
			return err
		}
		type join struct {
			branch string
			u      *User
		}
		var joins []join
		if err := tx.ForEachUser(func(u *User) error {
			if u.IsMember() && tree.Node(u.Branch) != nil {
				joins = append(joins, join{u.Branch, u})
			}
			return nil
		}); err != nil {
			return err
		}
		for _, j := range joins {
			for k, d := range s.joinStats(j.u.Joined) {
				if err := addTotals(tx, tree.Lineage(j.branch), d, k); err != nil {
					return err
				}
			}
		}
		return tx.MarkDone(taskJoinCounts)
	})
}
