package quiz

import (
	"context"
	"errors"
	"sort"
	"time"
)

// MonthStatus is one month of a member's year.
type MonthStatus struct {
	Period   Period
	Done     bool
	Makeup   bool
	Answered int // of the month's study, when begun but not finished
	Total    int
}

// TestRow is one quarter's test of a member's year.
type TestRow struct {
	Quarter  Period
	Tested   bool
	Score    int
	Passed   bool
	Attempts int
	Open     bool // an attempt is in progress
}

// MemberRecord is a member's own record (/me).
type MemberRecord struct {
	User       *User
	Year       Period
	Half       Period
	Months     []MonthStatus // January to this month
	Tests      []TestRow     // the first quarter to this one
	Points     Points        // this year
	HalfPoints Points
	Entries    []Entry // this year's ledger
	Stars      int
	Rank, Of   int  // place in the branch by this half year's points
	Book       Book // the mistake book
}

// Me returns the member's own record for the current year.
func (s *Service) Me(ctx context.Context, id int64) (*MemberRecord, error) {
	now := s.now()
	rec := &MemberRecord{Year: s.Cal.Year(now), Half: s.Cal.Half(now)}
	err := s.Store.View(ctx, func(tx Tx) error {
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		rec.User = u
		// The year as far as it concerns the member: from the month they
		// joined (a member who joined in November missed nothing before).
		from := rec.Year.Start
		if u.Joined.After(from) {
			from = u.Joined
		}
		for m := s.Cal.Month(from); !m.Start.After(now); m = m.Next(s.Cal) {
			p, err := tx.Progress(id, m.Key())
			if err != nil {
				return err
			}
			ms := MonthStatus{Period: m, Done: p.StudyDone, Makeup: p.Makeup}
			if !p.StudyDone {
				atts, err := tx.Attempts(id, Study, m.Key())
				if err != nil {
					return err
				}
				for _, a := range atts {
					ms.Answered, ms.Total = a.Answered(), len(a.Items)
				}
			}
			rec.Months = append(rec.Months, ms)
		}
		for q := s.Cal.Quarter(from); !q.Start.After(now); q = q.Next(s.Cal) {
			p, err := tx.Progress(id, q.Key())
			if err != nil {
				return err
			}
			row := TestRow{Quarter: q, Tested: p.Tested, Score: p.TestScore, Passed: p.Passed, Attempts: p.Attempts}
			atts, err := tx.Attempts(id, Test, q.Key())
			if err != nil {
				return err
			}
			for _, a := range atts {
				if !a.Closed {
					row.Open = true
				}
			}
			rec.Tests = append(rec.Tests, row)
		}
		yp, err := tx.Progress(id, rec.Year.Key())
		if err != nil {
			return err
		}
		hp, err := tx.Progress(id, rec.Half.Key())
		if err != nil {
			return err
		}
		rec.Points, rec.HalfPoints = yp.Points, hp.Points
		rec.Stars = Stars(yp.Points, s.Rules.Stars)
		entries, err := tx.Entries(id)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if p, err := s.Cal.Parse(e.Period); err == nil && p.Year == rec.Year.Year {
				rec.Entries = append(rec.Entries, e)
			}
		}
		ranked, err := s.memberRanking(tx, u.Branch, rec.Half)
		if err != nil {
			return err
		}
		rec.Of = len(ranked)
		for _, m := range ranked {
			if m.User.ID == id {
				rec.Rank = m.Rank
			}
		}
		rec.Book, err = s.mistakeBook(tx, id, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// MemberStanding is a member's place in their branch.
type MemberStanding struct {
	User   *User
	Points Points
	Stars  int // by the year's points
	Rank   int
}

// memberRanking ranks a branch's members by their points for a period
// (a half year or a year key); equal points share a rank.
func (s *Service) memberRanking(tx Tx, branch string, period Period) ([]MemberStanding, error) {
	users, err := tx.Members(branch)
	if err != nil {
		return nil, err
	}
	out := make([]MemberStanding, 0, len(users))
	for _, u := range users {
		if !u.Joined.Before(period.End) {
			continue // joined after the period: not one of its members
		}
		p, err := tx.Progress(u.ID, period.Key())
		if err != nil {
			return nil, err
		}
		out = append(out, MemberStanding{User: u, Points: p.Points, Stars: Stars(p.Points, s.Rules.Stars)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Points != out[j].Points {
			return out[i].Points > out[j].Points
		}
		return out[i].User.ID < out[j].User.ID
	})
	for i := range out {
		if i > 0 && out[i].Points == out[i-1].Points {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out, nil
}

// Standings is the half-year comparison (半年一比) as one viewer may see it.
type Standings struct {
	Half    Period
	Node    string           // the node whose children are ranked ("" for a member's view)
	Rows    []Standing       // the node's children, ranked among themselves
	Leaves  []Standing       // every branch under the node, ranked together (secretaries and admins)
	Members []MemberStanding // the branch's members by points (a branch, or a member's own)
	// A member's view: their branch and its place among its siblings,
	// without the siblings' names or figures.
	Branch        string
	BranchRank    int
	BranchOf      int
	BranchFigures *Standing
}

// Standings returns the half-year standings for the viewer: a member sees
// their branch's members by points and their branch's place among its
// siblings; a secretary or admin sees the children of node (default:
// their first node, or the root) ranked, every branch under it ranked,
// and, for a branch, its members.
func (s *Service) Standings(ctx context.Context, v Viewer, node string) (*Standings, error) {
	return s.StandingsOf(ctx, v, node, s.Cal.Half(s.now()))
}

// StandingsOf returns the standings of a given half year (the final table
// of a half year that has ended, for the 半年一比 round).
func (s *Service) StandingsOf(ctx context.Context, v Viewer, node string, half Period) (*Standings, error) {
	now := s.now()
	tree := s.Tree()
	out := &Standings{Half: half}
	node, err := s.viewNode(v, node)
	if err != nil {
		return nil, err
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		if node == "" {
			b := v.User.Branch
			out.Branch = b
			sib, err := s.standingInputs(tx, out.Half, now, tree.Children(tree.Node(b).Parent))
			if err != nil {
				return err
			}
			ranked := s.Rules.Rank.Rank(sib)
			out.BranchOf = RankedCount(ranked)
			for i := range ranked {
				if ranked[i].Node == b {
					out.BranchRank = ranked[i].Rank
					out.BranchFigures = &ranked[i]
				}
			}
			out.Members, err = s.memberRanking(tx, b, out.Half)
			return err
		}
		out.Node = node
		var err error
		if tree.IsLeaf(node) {
			out.Members, err = s.memberRanking(tx, node, out.Half)
			return err
		}
		rows, err := s.standingInputs(tx, out.Half, now, tree.Children(node))
		if err != nil {
			return err
		}
		out.Rows = s.Rules.Rank.Rank(rows)
		leaves, err := s.standingInputs(tx, out.Half, now, tree.Leaves(node))
		if err != nil {
			return err
		}
		out.Leaves = s.Rules.Rank.Rank(leaves)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanAbove is how many nodes make reading every node's totals in one
// range scan cheaper than reading each node's on its own.
const scanAbove = 200

// viewNode resolves the node a report is about: for a secretary or an
// admin the node asked for (their first node when empty), which must be
// theirs; for a member "" — their own branch's view, whatever they asked.
func (s *Service) viewNode(v Viewer, node string) (string, error) {
	if !v.Admin && !v.User.IsSecretary() {
		if !v.User.IsMember() {
			return "", Errorf(Forbidden, ReasonNotMember)
		}
		return "", nil
	}
	return s.scope(v, node)
}

// standingInputs reads what the ranking needs of nodes for a half year
// and the one before it: record by record for a few nodes (a member's
// branch and its siblings), in range scans for many (a city's branches).
// Members who joined after a half year ended are not owed to it: they are
// counted from the Joined totals of the half years since.
func (s *Service) standingInputs(tx Tx, half Period, now time.Time, nodes []string) ([]StandingInput, error) {
	prevHalf := half.Prev(s.Cal)
	var since []string // the half years after half, up to now
	for h := half.Next(s.Cal); !h.Start.After(now); h = h.Next(s.Cal) {
		since = append(since, h.Key())
	}
	type read struct {
		members         int64
		cur, prev       NodeStats
		joinedSinceHalf int64 // joined after half ended
	}
	reads := make([]read, len(nodes))
	if len(nodes) <= scanAbove {
		for i, n := range nodes {
			r := &reads[i]
			var err error
			if r.members, err = tx.MemberCount(n); err != nil {
				return nil, err
			}
			if r.cur, err = tx.NodeStats(n, half.Key()); err != nil {
				return nil, err
			}
			if r.prev, err = tx.NodeStats(n, prevHalf.Key()); err != nil {
				return nil, err
			}
			for _, k := range since {
				st, err := tx.NodeStats(n, k)
				if err != nil {
					return nil, err
				}
				r.joinedSinceHalf += st.Joined
			}
		}
	} else {
		counts, err := tx.MemberCounts()
		if err != nil {
			return nil, err
		}
		cur, err := tx.PeriodStats(half.Key())
		if err != nil {
			return nil, err
		}
		prev, err := tx.PeriodStats(prevHalf.Key())
		if err != nil {
			return nil, err
		}
		later := make([]map[string]NodeStats, len(since))
		for i, k := range since {
			if later[i], err = tx.PeriodStats(k); err != nil {
				return nil, err
			}
		}
		for i, n := range nodes {
			r := &reads[i]
			r.members, r.cur, r.prev = counts[n], cur[n], prev[n]
			for _, l := range later {
				r.joinedSinceHalf += l[n].Joined
			}
		}
	}
	out := make([]StandingInput, len(nodes))
	for i, n := range nodes {
		r := reads[i]
		out[i] = StandingInput{Figures: s.figures(n, r.members, r.cur, half, now, r.joinedSinceHalf)}
		if !r.prev.IsZero() {
			f := s.figures(n, r.members, r.prev, prevHalf, now, r.joinedSinceHalf+r.cur.Joined)
			out[i].Prev = &f
		}
	}
	return out, nil
}

// heldIn returns how many months of a period have begun by now, and how
// many of its tests' windows have opened.
func (s *Service) heldIn(p Period, now time.Time) (months, tests int) {
	for _, m := range p.Months(s.Cal) {
		if !m.Start.After(now) {
			months++
		}
	}
	for _, q := range p.Quarters(s.Cal) {
		if start, _ := s.Rules.TestWindowOf(s.Cal, q); !start.After(now) {
			tests++
		}
	}
	return months, tests
}

// YearReport is the year-end evaluation (年终一评), or the standings so far.
type YearReport struct {
	Year     Period
	Own      *MemberStanding  // the viewer's own points and stars, if a member
	Node     string           // the node reported on ("" for a member's view)
	Members  []MemberStanding // a branch's members, by points
	Children []NodeYear       // the node's children
	Total    NodeYear         // the node itself
}

// NodeYear is one node's year in stars.
type NodeYear struct {
	Node       string
	Members    int64
	Stars      [5]int64 // members with 1…5 stars
	MeanPoints float64
}

// Year returns the year's evaluation as the viewer may see it: a member
// their own points and stars and their branch's members; a secretary or
// admin the node (default: their first node) with its children's star
// counts, and for a branch its members.
func (s *Service) Year(ctx context.Context, v Viewer, node string) (*YearReport, error) {
	return s.YearOf(ctx, v, node, s.Cal.Year(s.now()))
}

// YearOf returns the evaluation of a given year (the final one, for the
// 年终一评 round).
func (s *Service) YearOf(ctx context.Context, v Viewer, node string, year Period) (*YearReport, error) {
	tree := s.Tree()
	out := &YearReport{Year: year}
	node, err := s.viewNode(v, node)
	if err != nil {
		return nil, err
	}
	key := out.Year.Key()
	err = s.Store.View(ctx, func(tx Tx) error {
		if v.User.IsMember() {
			p, err := tx.Progress(v.ID, key)
			if err != nil {
				return err
			}
			out.Own = &MemberStanding{User: v.User, Points: p.Points, Stars: Stars(p.Points, s.Rules.Stars)}
		}
		branch := node
		if node == "" {
			branch = v.User.Branch
		}
		out.Node = node
		nodeYear := func(n string) (NodeYear, error) {
			c, err := s.periodMembers(tx, n, out.Year, s.now())
			if err != nil {
				return NodeYear{}, err
			}
			st, err := tx.NodeStats(n, key)
			if err != nil {
				return NodeYear{}, err
			}
			ny := NodeYear{Node: n, Members: c, Stars: st.StarCounts(c)}
			if c > 0 {
				ny.MeanPoints = st.PointSum.Float() / float64(c)
			}
			return ny, nil
		}
		var err error
		if out.Total, err = nodeYear(branch); err != nil {
			return err
		}
		if tree.IsLeaf(branch) {
			out.Members, err = s.memberRanking(tx, branch, out.Year)
			if out.Own != nil {
				for _, m := range out.Members {
					if m.User.ID == v.ID {
						out.Own.Rank = m.Rank
					}
				}
			}
			return err
		}
		for _, c := range tree.Children(branch) {
			ny, err := nodeYear(c)
			if err != nil {
				return err
			}
			out.Children = append(out.Children, ny)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Reviews returns the member's closed tests whose answers may be shown
// (nobody may take that test any more: its window and every make-up of it
// have closed), newest first, and how many closed tests are still waiting.
func (s *Service) Reviews(ctx context.Context, id int64) (ready []*Attempt, waiting int, err error) {
	now := s.now()
	err = s.Store.View(ctx, func(tx Tx) error {
		if _, err := member(tx, id); err != nil {
			return err
		}
		ids, err := tx.UserAttempts(id, Test)
		if err != nil {
			return err
		}
		rv := s.revealer(tx)
		for i := len(ids) - 1; i >= 0; i-- {
			a, err := tx.Attempt(ids[i])
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !a.Closed {
				continue
			}
			open, err := rv.open(a.Period, now)
			if err != nil {
				return err
			}
			if open {
				waiting++
			} else {
				ready = append(ready, a)
			}
		}
		return nil
	})
	return ready, waiting, err
}

// Review returns one closed test for review, once nobody may take that
// test any more (Unavailable with ReasonReviewLater before).
func (s *Service) Review(ctx context.Context, id int64, attempt uint64) (*Attempt, error) {
	var out *Attempt
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := ownAttempt(tx, id, attempt)
		if err != nil {
			return err
		}
		if a.Kind != Test || !a.Closed {
			return Errorf(NotFound, ReasonNotCurrent)
		}
		open, err := s.revealer(tx).open(a.Period, s.now())
		if err != nil {
			return err
		}
		if open {
			return Errorf(Unavailable, ReasonReviewLater)
		}
		out = a
		return nil
	})
	return out, err
}

// ResultRow is one member's result for a period, as a round tells them.
type ResultRow struct {
	User     *User
	Progress Progress // the period's record (a quarter: the test; a half or a year: points)
	Rank     int      // in the branch by points (halves and years)
	Of       int
	Stars    int // years
}

// Results returns every member of a branch with their record for a period:
// what a round sends each of them.
func (s *Service) Results(ctx context.Context, branch string, p Period) ([]ResultRow, error) {
	var out []ResultRow
	err := s.Store.View(ctx, func(tx Tx) error {
		if p.Kind == Half || p.Kind == Year {
			ranked, err := s.memberRanking(tx, branch, p)
			if err != nil {
				return err
			}
			for _, m := range ranked {
				prog, err := tx.Progress(m.User.ID, p.Key())
				if err != nil {
					return err
				}
				out = append(out, ResultRow{User: m.User, Progress: prog, Rank: m.Rank, Of: len(ranked), Stars: m.Stars})
			}
			return nil
		}
		users, err := tx.Members(branch)
		if err != nil {
			return err
		}
		for _, u := range users {
			prog, err := tx.Progress(u.ID, p.Key())
			if err != nil {
				return err
			}
			out = append(out, ResultRow{User: u, Progress: prog})
		}
		return nil
	})
	return out, err
}

// Secretaries returns every user who is a secretary, with their nodes.
func (s *Service) Secretaries(ctx context.Context) ([]*User, error) {
	var out []*User
	err := s.Store.View(ctx, func(tx Tx) error {
		return tx.ForEachUser(func(u *User) error {
			if u.IsSecretary() {
				out = append(out, u)
			}
			return nil
		})
	})
	return out, err
}

// PeriodFigures returns the figures of a node the viewer manages for a
// period (a test-close round's table).
func (s *Service) PeriodFigures(ctx context.Context, v Viewer, node string, p Period) (Figures, error) {
	var out Figures
	node, err := s.scope(v, node)
	if err != nil {
		return out, err
	}
	now := s.now()
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = s.nodeFigures(tx, node, p, now)
		return err
	})
	return out, err
}

// nodeFigures reads a node's figures for a period.
func (s *Service) nodeFigures(tx Tx, node string, p Period, now time.Time) (Figures, error) {
	members, err := tx.MemberCount(node)
	if err != nil {
		return Figures{}, err
	}
	st, err := tx.NodeStats(node, p.Key())
	if err != nil {
		return Figures{}, err
	}
	later, err := s.joinedAfter(tx, node, p, now)
	if err != nil {
		return Figures{}, err
	}
	return s.figures(node, members, st, p, now, later), nil
}

// joinedAfter is how many of a node's members joined after period p
// ended: the Joined counters of the periods of p's kind after it, up to
// now.
func (s *Service) joinedAfter(tx Tx, node string, p Period, now time.Time) (int64, error) {
	var later int64
	for q := p.Next(s.Cal); !q.Start.After(now); q = q.Next(s.Cal) {
		ls, err := tx.NodeStats(node, q.Key())
		if err != nil {
			return 0, err
		}
		later += ls.Joined
	}
	return later, nil
}

// periodMembers is how many of a node's members now were members during
// period p: those who joined after it are not counted in its figures.
func (s *Service) periodMembers(tx Tx, node string, p Period, now time.Time) (int64, error) {
	c, err := tx.MemberCount(node)
	if err != nil {
		return 0, err
	}
	later, err := s.joinedAfter(tx, node, p, now)
	return max(0, c-later), err
}
