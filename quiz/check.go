package quiz

import (
	"context"
	"sort"
)

// Mismatch is a node's total for a period that is not the sum of what its
// members' own records add up to.
type Mismatch struct {
	Node, Period string
	Stored, Want NodeStats
}

// CheckTotals compares every node's totals with the sum of its members'
// records (MemberTotals along their lineage) and every node's member count
// with its members, and returns what differs, by period then node. It
// reads the whole store in one transaction: an operator's check after a
// restore or a crash, not a request to serve.
func (s *Service) CheckTotals(ctx context.Context) ([]Mismatch, error) {
	tree := s.Tree()
	var out []Mismatch
	err := s.Store.View(ctx, func(tx Tx) error {
		out = nil
		want := map[[2]string]NodeStats{}
		count := map[string]int64{}
		var users []*User
		if err := tx.ForEachUser(func(u *User) error {
			if u.IsMember() && tree.Node(u.Branch) != nil {
				users = append(users, u)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, u := range users {
			prog, err := tx.UserProgress(u.ID)
			if err != nil {
				return err
			}
			lineage := tree.Lineage(u.Branch)
			for _, n := range lineage {
				count[n]++
			}
			for period, d := range s.MemberTotals(u, prog) {
				for _, n := range lineage {
					k := [2]string{n, period}
					want[k] = want[k].Add(d)
				}
			}
		}
		if err := tx.ForEachNodeStats(func(node, period string, st NodeStats) error {
			k := [2]string{node, period}
			if w := want[k]; w != st {
				out = append(out, Mismatch{Node: node, Period: period, Stored: st, Want: w})
			}
			delete(want, k)
			return nil
		}); err != nil {
			return err
		}
		for k, w := range want {
			out = append(out, Mismatch{Node: k[0], Period: k[1], Want: w})
		}
		counts, err := tx.MemberCounts()
		if err != nil {
			return err
		}
		for _, n := range tree.Nodes() {
			if counts[n.ID] != count[n.ID] {
				out = append(out, Mismatch{Node: n.ID, Period: "members", Stored: NodeStats{Joined: counts[n.ID]}, Want: NodeStats{Joined: count[n.ID]}})
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Period != out[j].Period {
			return out[i].Period < out[j].Period
		}
		return out[i].Node < out[j].Node
	})
	return out, err
}
