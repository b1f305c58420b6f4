package quiz

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"partyquiz/questions"
)

// MemberRow is one member as a secretary sees them.
type MemberRow struct {
	User     *User
	Month    Progress // this month
	Answered int      // this month's study, when begun and not finished
	Total    int
	Quarter  Progress // this quarter's test
	Half     Points
	Year     Points
	Stars    int
}

// ChildReport is one child node's figures.
type ChildReport struct {
	Node  string
	Study Figures // this month
	Test  Figures // this quarter
}

// NodeReport is a secretary's view of a node (/branch): this month's
// study and this quarter's test, for each child node or, for a branch,
// for each member.
type NodeReport struct {
	Node     string
	Month    Period
	Quarter  Period
	TestOpen bool // the quarter's test window has opened
	Members  int64
	Study    Figures // this month
	Test     Figures // this quarter
	Children []ChildReport
	Rows     []MemberRow // a branch's members, by name order of joining (id)
}

// NotStudied returns the members who have not finished this month.
func (r *NodeReport) NotStudied() []MemberRow {
	var out []MemberRow
	for _, m := range r.Rows {
		if !m.Month.StudyDone {
			out = append(out, m)
		}
	}
	return out
}

// NotTested returns the members who have not taken this quarter's test.
func (r *NodeReport) NotTested() []MemberRow {
	var out []MemberRow
	for _, m := range r.Rows {
		if !m.Quarter.Tested {
			out = append(out, m)
		}
	}
	return out
}

// Lowest returns the lowest counted test score of a branch's members
// (-1 when no one has a score).
func (r *NodeReport) Lowest() int {
	low := -1
	for _, m := range r.Rows {
		if m.Quarter.Tested && (low < 0 || m.Quarter.TestScore < low) {
			low = m.Quarter.TestScore
		}
	}
	return low
}

// Flagged returns the members whose answers this month or quarter came
// implausibly fast.
func (r *NodeReport) Flagged() []MemberRow {
	var out []MemberRow
	for _, m := range r.Rows {
		if m.Month.Flagged || m.Quarter.Flagged {
			out = append(out, m)
		}
	}
	return out
}

// scope resolves the node a manager asks about: their first node when
// empty; an error when it is unknown or outside their scope.
func (s *Service) scope(v Viewer, node string) (string, error) {
	tree := s.Tree()
	scopes := v.Scopes(tree)
	if len(scopes) == 0 {
		return "", Errorf(Forbidden, ReasonNotInScope)
	}
	if node == "" {
		return scopes[0], nil
	}
	if tree.Node(node) == nil {
		return "", Errorf(NotFound, ReasonNodeUnknown)
	}
	if !v.CanManage(tree, node) {
		return "", Errorf(Forbidden, ReasonNotInScope)
	}
	return node, nil
}

// NodeReport returns the report of a node the viewer manages.
func (s *Service) NodeReport(ctx context.Context, v Viewer, node string) (*NodeReport, error) {
	node, err := s.scope(v, node)
	if err != nil {
		return nil, err
	}
	now := s.now()
	tree := s.Tree()
	q := s.Cal.Quarter(now)
	start, _ := s.Rules.TestWindowOf(s.Cal, q)
	r := &NodeReport{Node: node, Month: s.Cal.Month(now), Quarter: q, TestOpen: !now.Before(start)}
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		if r.Study, err = s.nodeFigures(tx, node, r.Month, now); err != nil {
			return err
		}
		if r.Test, err = s.nodeFigures(tx, node, q, now); err != nil {
			return err
		}
		r.Members = r.Study.Members
		for _, c := range tree.Children(node) {
			cr := ChildReport{Node: c}
			if cr.Study, err = s.nodeFigures(tx, c, r.Month, now); err != nil {
				return err
			}
			if cr.Test, err = s.nodeFigures(tx, c, q, now); err != nil {
				return err
			}
			r.Children = append(r.Children, cr)
		}
		if tree.IsLeaf(node) {
			r.Rows, err = s.memberRows(tx, node, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// memberRows reads a branch's members' records for now.
func (s *Service) memberRows(tx Tx, branch string, t time.Time) ([]MemberRow, error) {
	month, quarter := s.Cal.Month(t), s.Cal.Quarter(t)
	half, year := s.Cal.Half(t), s.Cal.Year(t)
	users, err := tx.Members(branch)
	if err != nil {
		return nil, err
	}
	rows := make([]MemberRow, 0, len(users))
	for _, u := range users {
		row := MemberRow{User: u}
		if row.Month, err = tx.Progress(u.ID, month.Key()); err != nil {
			return nil, err
		}
		if !row.Month.StudyDone {
			atts, err := tx.Attempts(u.ID, Study, month.Key())
			if err != nil {
				return nil, err
			}
			for _, a := range atts {
				row.Answered, row.Total = a.Answered(), len(a.Items)
			}
		}
		if row.Quarter, err = tx.Progress(u.ID, quarter.Key()); err != nil {
			return nil, err
		}
		hp, err := tx.Progress(u.ID, half.Key())
		if err != nil {
			return nil, err
		}
		yp, err := tx.Progress(u.ID, year.Key())
		if err != nil {
			return nil, err
		}
		row.Half, row.Year, row.Stars = hp.Points, yp.Points, Stars(yp.Points, s.Rules.Stars)
		rows = append(rows, row)
	}
	return rows, nil
}

// RemindTarget is a member who has something left to do.
type RemindTarget struct {
	User     *User
	Study    bool // this month's study is not finished
	Answered int
	Total    int
	Test     bool // the test window is open and the test not taken
}

// RemindTargets returns the members under node (one the viewer manages)
// who have not finished this month's study or, while its window is open,
// this quarter's test, and how many of them cannot be reached (they
// blocked the bot).
func (s *Service) RemindTargets(ctx context.Context, v Viewer, node string) ([]RemindTarget, int, error) {
	node, err := s.scope(v, node)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	tree := s.Tree()
	q := s.Cal.Quarter(now)
	start, end := s.Rules.TestWindowOf(s.Cal, q)
	testOpen := !now.Before(start) && now.Before(end)
	var out []RemindTarget
	unreachable := 0
	err = s.Store.View(ctx, func(tx Tx) error {
		for _, leaf := range tree.Leaves(node) {
			rows, err := s.memberRows(tx, leaf, now)
			if err != nil {
				return err
			}
			for _, r := range rows {
				t := RemindTarget{User: r.User, Study: !r.Month.StudyDone, Answered: r.Answered, Total: r.Total,
					Test: testOpen && !r.Quarter.Tested}
				if !t.Study && !t.Test {
					continue
				}
				if r.User.Unreachable {
					unreachable++
					continue
				}
				out = append(out, t)
			}
		}
		return nil
	})
	return out, unreachable, err
}

// MaxExport is the most members one export holds; a bigger node is
// exported a part at a time.
const MaxExport = 100000

// ExportRow is one member's year, for the spreadsheet.
type ExportRow struct {
	User     *User
	Branch   string
	Months   [12]Progress
	Quarters [4]Progress
	Points   Points
	Stars    int
	Rank     int     // in the branch, by this year's points
	Contest  Points  // of Points, what contests (有奖知识问答) earned
	Entries  []Entry // this year's ledger, where the points come from
}

// Export returns the year of every member under a node the viewer
// manages, branch by branch.
func (s *Service) Export(ctx context.Context, v Viewer, node string) ([]ExportRow, error) {
	node, err := s.scope(v, node)
	if err != nil {
		return nil, err
	}
	now := s.now()
	year := s.Cal.Year(now)
	tree := s.Tree()
	var n int64
	if err := s.Store.View(ctx, func(tx Tx) (err error) {
		n, err = tx.MemberCount(node)
		return err
	}); err != nil {
		return nil, err
	}
	if n > MaxExport {
		return nil, Errorf(Invalid, ReasonTooMany)
	}
	// A read transaction per branch, not one for the whole node: a long
	// read would keep the store's file from growing meanwhile.
	var out []ExportRow
	for _, leaf := range tree.Leaves(node) {
		err := s.Store.View(ctx, func(tx Tx) error {
			ranked, err := s.memberRanking(tx, leaf, year)
			if err != nil {
				return err
			}
			for _, m := range ranked {
				row := ExportRow{User: m.User, Branch: leaf, Points: m.Points, Stars: m.Stars, Rank: m.Rank}
				for i, p := range year.Months(s.Cal) {
					if row.Months[i], err = tx.Progress(m.User.ID, p.Key()); err != nil {
						return err
					}
				}
				for i, p := range year.Quarters(s.Cal) {
					if row.Quarters[i], err = tx.Progress(m.User.ID, p.Key()); err != nil {
						return err
					}
				}
				entries, err := tx.Entries(m.User.ID)
				if err != nil {
					return err
				}
				row.Contest = ContestPoints(entries, year.Year, s.Cal)
				for _, e := range entries {
					if p, err := s.Cal.Parse(e.Period); err == nil && p.Year == year.Year {
						row.Entries = append(row.Entries, e)
					}
				}
				out = append(out, row)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WeakItem is one question with its statistics at a node.
type WeakItem struct {
	Bank           string
	Q              *questions.Question // as published now
	Stats          ItemStats
	Facility       float64
	Discrimination float64
	// Hidden: the question may be in a test someone may still take (its
	// bank is drawn from by a test whose window or a make-up of it is
	// open). Show it without its answer and 解析 until Until.
	Hidden bool
	Until  time.Time
}

// MinAnswersForWeak is the least number of answers a question needs
// before it is called weak, easy or hard.
const MinAnswersForWeak = 3

// Weak returns the questions the members under node (one the viewer
// manages) miss most: lowest share right first, at most n. Only questions
// still published as they were answered count.
func (s *Service) Weak(ctx context.Context, v Viewer, node string, n int) ([]WeakItem, error) {
	node, err := s.scope(v, node)
	if err != nil {
		return nil, err
	}
	items, err := s.itemStats(ctx, node)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Facility < items[j].Facility })
	if len(items) > n {
		items = items[:n]
	}
	return items, nil
}

// itemStats returns the statistics of every question at node that has
// enough answers and is still published as answered.
func (s *Service) itemStats(ctx context.Context, node string) ([]WeakItem, error) {
	cat := s.Content().Catalog
	now := s.now()
	var out []WeakItem
	err := s.Store.View(ctx, func(tx Tx) error {
		hidden, err := s.hiddenBanks(tx, now)
		if err != nil {
			return err
		}
		return tx.NodeItems(node, func(key string, st ItemStats) error {
			if st.Answers < MinAnswersForWeak {
				return nil
			}
			k, hash, _ := strings.Cut(key, "@")
			bank, qid, _ := strings.Cut(k, "/")
			q := cat.Question(bank, qid)
			if q == nil || q.Hash() != hash {
				return nil
			}
			w := WeakItem{Bank: bank, Q: q, Stats: st, Facility: st.Facility(), Discrimination: st.Discrimination()}
			w.Until, w.Hidden = hidden(bank)
			out = append(out, w)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Bank+out[i].Q.ID < out[j].Bank+out[j].Q.ID })
	return out, err
}

// hiddenBanks returns which banks a test someone may take at now draws
// from, and until when.
func (s *Service) hiddenBanks(tx Tx, now time.Time) (func(bank string) (time.Time, bool), error) {
	rv := s.revealer(tx)
	open, err := rv.openTests(now)
	if err != nil {
		return nil, err
	}
	all := time.Time{}
	banks := map[string]time.Time{}
	for _, q := range open {
		until, err := rv.at(q.Key())
		if err != nil {
			return nil, err
		}
		list := s.Content().Catalog.Plan.QuarterBanks(q.N)
		if len(list) == 0 && until.After(all) {
			all = until // the test draws from every bank
		}
		for _, b := range list {
			if until.After(banks[b]) {
				banks[b] = until
			}
		}
	}
	return func(bank string) (time.Time, bool) {
		t := banks[bank]
		if all.After(t) {
			t = all
		}
		return t, !t.IsZero()
	}, nil
}

// ItemReview is what admins see of the questions across the whole tree.
type ItemReview struct {
	Suspect []WeakItem // probably wrong: the strong get them wrong more than the weak
	Hard    []WeakItem // under 30 % right
	Easy    []WeakItem // over 95 % right
	Flags   []Flag     // members' reports, newest first
}

// Thresholds of the item review.
const (
	HardBelow    = 0.30
	EasyAbove    = 0.95
	SuspectBelow = 0.0
)

// ReviewItems returns the admins' review of the questions (admins only).
func (s *Service) ReviewItems(ctx context.Context, v Viewer, n int) (*ItemReview, error) {
	if !v.Admin {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	items, err := s.itemStats(ctx, s.Tree().Root())
	if err != nil {
		return nil, err
	}
	r := &ItemReview{}
	for _, it := range items {
		switch {
		case !math.IsNaN(it.Discrimination) && it.Discrimination < SuspectBelow:
			r.Suspect = append(r.Suspect, it)
		case it.Facility < HardBelow:
			r.Hard = append(r.Hard, it)
		case it.Facility > EasyAbove:
			r.Easy = append(r.Easy, it)
		}
	}
	sort.SliceStable(r.Suspect, func(i, j int) bool { return r.Suspect[i].Discrimination < r.Suspect[j].Discrimination })
	sort.SliceStable(r.Hard, func(i, j int) bool { return r.Hard[i].Facility < r.Hard[j].Facility })
	sort.SliceStable(r.Easy, func(i, j int) bool { return r.Easy[i].Facility > r.Easy[j].Facility })
	for _, l := range []*[]WeakItem{&r.Suspect, &r.Hard, &r.Easy} {
		if len(*l) > n {
			*l = (*l)[:n]
		}
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		r.Flags, err = tx.Flags(n)
		return err
	})
	return r, err
}

// MaxFlagNote bounds a member's note on a flag.
const MaxFlagNote = 200

// Flag records a member's report that item idx of their attempt is wrong
// (答题纠错) and tells every admin (an EventFlag each, in the same
// transaction).
func (s *Service) Flag(ctx context.Context, id int64, attempt uint64, idx int, note string) (*Flag, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, Errorf(Invalid, ReasonEmptyAnswer)
	}
	if utf8.RuneCountInString(note) > MaxFlagNote {
		note = string([]rune(note)[:MaxFlagNote])
	}
	var out *Flag
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		a, err := ownAttempt(tx, id, attempt)
		if err != nil {
			return err
		}
		if idx < 0 || idx >= len(a.Items) {
			return Errorf(Invalid, ReasonNotCurrent)
		}
		it := a.Items[idx]
		f := &Flag{User: id, Key: it.Key(), Hash: it.Hash, Text: it.Text, Note: note, Attempt: attempt, At: s.now()}
		if err := tx.AddFlag(f); err != nil {
			return err
		}
		name := ""
		if u, err := tx.User(id); err == nil {
			name = u.Name
		}
		for _, admin := range s.AdminIDs() { // every admin is told, with the member's words
			e := Event{Ref: fmt.Sprintf("flag:%d:%d", f.Seq, admin), Chat: admin, Kind: EventFlag, At: f.At,
				User: id, Name: name, Key: f.Key, Note: note, Quote: it.Text}
			if _, err := tx.Emit(&e); err != nil {
				return err
			}
		}
		out = f
		return nil
	})
	return out, err
}

// AdminIDs returns the configured admins' ids, in order.
func (s *Service) AdminIDs() []int64 {
	out := make([]int64, 0, len(s.Admins))
	for id := range s.Admins {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// MemberCard is one member as their secretary manages them: this month,
// this quarter, this year, and what can be reopened for them.
type MemberCard struct {
	MemberRow
	Missed     []Period // months of the last twelve not finished (make-up candidates)
	TestMissed *Period  // the last quarter's test, if not taken
}

// MemberCard returns a member the viewer manages.
func (s *Service) MemberCard(ctx context.Context, v Viewer, id int64) (*MemberCard, error) {
	now := s.now()
	tree := s.Tree()
	card := &MemberCard{}
	err := s.Store.View(ctx, func(tx Tx) error {
		u, err := managedMember(tx, tree, v, id)
		if err != nil {
			return err
		}
		rows, err := s.memberRows(tx, u.Branch, now)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.User.ID == id {
				card.MemberRow = r
			}
		}
		if card.User == nil {
			return Errorf(NotFound, ReasonNotMember)
		}
		m := s.Cal.Month(now)
		for i := 0; i < 12; i++ {
			m = m.Prev(s.Cal)
			if m.End.Before(u.Joined) {
				break
			}
			p, err := tx.Progress(id, m.Key())
			if err != nil {
				return err
			}
			if !p.StudyDone {
				card.Missed = append([]Period{m}, card.Missed...)
			}
		}
		q := s.Cal.Quarter(now).Prev(s.Cal)
		if !q.End.Before(u.Joined) {
			p, err := tx.Progress(id, q.Key())
			if err != nil {
				return err
			}
			if !p.Tested {
				card.TestMissed = &q
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return card, nil
}
