package quiz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"partyquiz/questions"
)

// Content is what the engine draws from and reports over: the published
// banks and plan, and the organisation tree. It is replaced as a whole
// when an admin publishes; attempts keep their own snapshots.
type Content struct {
	Catalog *questions.Catalog
	Tree    *Tree
}

// Service is the engine: every rule of the cycles, run inside store
// transactions. It is safe for concurrent use.
type Service struct {
	Store  Store
	Cal    Calendar
	Rules  Rules
	Now    func() time.Time
	Admins map[int64]bool

	content   atomic.Pointer[Content]
	publishMu sync.Mutex // one publication at a time
}

// NewService returns a service over store with the given content.
func NewService(st Store, cal Calendar, rules Rules, now func() time.Time, admins []int64, c *Content) *Service {
	s := &Service{Store: st, Cal: cal, Rules: rules, Now: now, Admins: map[int64]bool{}}
	for _, id := range admins {
		s.Admins[id] = true
	}
	s.content.Store(c)
	return s
}

// Content returns the content in use.
func (s *Service) Content() *Content { return s.content.Load() }

// SetContent replaces the content (after an admin publishes).
func (s *Service) SetContent(c *Content) { s.content.Store(c) }

// Tree returns the organisation tree in use.
func (s *Service) Tree() *Tree { return s.Content().Tree }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Viewer returns who id is: their user record (nil if unknown) and
// whether they are an admin.
func (s *Service) Viewer(ctx context.Context, id int64) (Viewer, error) {
	v := Viewer{ID: id, Admin: s.Admins[id]}
	err := s.Store.View(ctx, func(tx Tx) error {
		u, err := tx.User(id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		v.User = u
		return err
	})
	return v, err
}

// member loads a user who must be a member of a branch.
func member(tx Tx, id int64) (*User, error) {
	u, err := tx.User(id)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.IsMember()) {
		return nil, Errorf(Forbidden, ReasonNotMember)
	}
	return u, err
}

// --- joining ---------------------------------------------------------

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

// --- drawing ---------------------------------------------------------

// pool returns the questions of the given banks (all banks when nil).
func (s *Service) pool(banks []string) []*PoolQuestion {
	cat := s.Content().Catalog
	var out []*PoolQuestion
	add := func(b *questions.Bank) {
		for _, q := range b.Questions {
			out = append(out, &PoolQuestion{Bank: b.ID, Q: q})
		}
	}
	if banks == nil {
		for _, b := range cat.Banks {
			add(b)
		}
		return out
	}
	for _, id := range banks {
		if b := cat.Bank(id); b != nil {
			add(b)
		}
	}
	return out
}

// monthBanks returns the banks of a month's study (nil: all).
func (s *Service) monthBanks(p Period) []string {
	if mp := s.Content().Catalog.Plan.Month(p.N); mp != nil {
		return mp.Banks
	}
	return nil
}

// Lesson returns the plan's lesson for a month, or nil.
func (s *Service) Lesson(p Period) *questions.MonthPlan {
	return s.Content().Catalog.Plan.Month(p.N)
}

// --- study (每月一学) ----------------------------------------------------

// StudySession is a member's study for a month.
type StudySession struct {
	Period  Period
	Attempt *Attempt
	Lesson  *questions.MonthPlan
	Done    bool // the month's study was already finished
}

// StartStudy returns this month's study for the member, creating it on the
// first call: K questions from the month's banks plus due mistakes. Later
// calls return the same attempt.
func (s *Service) StartStudy(ctx context.Context, id int64) (*StudySession, error) {
	now := s.now()
	month := s.Cal.Month(now)
	return s.startStudy(ctx, id, month, month.End, false)
}

func (s *Service) startStudy(ctx context.Context, id int64, month Period, until time.Time, makeup bool) (*StudySession, error) {
	now := s.now()
	sess := &StudySession{Period: month, Lesson: s.Lesson(month)}
	pool := s.pool(s.monthBanks(month))
	err := s.Store.Update(ctx, func(tx Tx) error {
		// Update may run this more than once: start from nothing each time.
		sess.Attempt, sess.Done = nil, false
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		prog, err := tx.Progress(id, month.Key())
		if err != nil {
			return err
		}
		sess.Done = prog.StudyDone
		atts, err := tx.Attempts(id, Study, month.Key())
		if err != nil {
			return err
		}
		for _, a := range atts {
			if !a.Closed || a.Complete() {
				sess.Attempt = a // resume the open one, or show the finished one
			}
		}
		if sess.Attempt != nil && (!sess.Attempt.Closed || sess.Done) {
			return nil
		}
		if sess.Done {
			return nil
		}
		if len(pool) == 0 {
			return Errorf(Unavailable, ReasonNoQuestions)
		}
		salt, err := tx.Salt()
		if err != nil {
			return err
		}
		n := len(atts) + 1
		items := Draw(DrawSeed(salt, id, Study, month.Key(), n), pool, s.Rules.StudyQuestions, nil)
		due, err := dueMistakes(tx, id, now, s.Rules.StudyMistakes, items)
		if err != nil {
			return err
		}
		items = append(items, due...)
		a := &Attempt{User: id, Kind: Study, Period: month.Key(), N: n, Branch: u.Branch,
			Items: items, Responses: make([]Response, len(items)), Started: now, Until: until, Makeup: makeup}
		if err := tx.CreateAttempt(a); err != nil {
			return err
		}
		sess.Attempt = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// dueMistakes returns up to n due questions of the mistake book that are
// not among items, as items marked Mistake.
func dueMistakes(tx Tx, id int64, now time.Time, n int, items []Item) ([]Item, error) {
	if n <= 0 {
		return nil, nil
	}
	ms, err := tx.Mistakes(id)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, it := range items {
		have[it.Key()] = true
	}
	var out []Item
	for _, m := range ms {
		if len(out) == n {
			break
		}
		if m.IsDue(now) && !have[m.Key] {
			it := m.Item
			it.Mistake = true
			out = append(out, it)
		}
	}
	return out, nil
}

// --- tests (季度一测) ----------------------------------------------------

// TestInfo describes the member's test for the current quarter.
type TestInfo struct {
	Quarter     Period
	WindowStart time.Time
	WindowEnd   time.Time
	Open        bool       // the window is open now (or a make-up is)
	Attempts    []*Attempt // this quarter's attempts, by N
	Left        int        // attempts left
	Counted     Progress   // the counted result so far
}

// TestStatus says where the member stands with this quarter's test.
func (s *Service) TestStatus(ctx context.Context, id int64) (*TestInfo, error) {
	now := s.now()
	q := s.Cal.Quarter(now)
	start, end := s.Rules.TestWindowOf(s.Cal, q)
	info := &TestInfo{Quarter: q, WindowStart: start, WindowEnd: end}
	err := s.Store.View(ctx, func(tx Tx) error {
		if _, err := member(tx, id); err != nil {
			return err
		}
		var err error
		info.Attempts, err = tx.Attempts(id, Test, q.Key())
		if err != nil {
			return err
		}
		info.Counted, err = tx.Progress(id, q.Key())
		if err != nil {
			return err
		}
		if g := activeGrant(tx, id, Test, q.Key(), now); g != nil {
			info.WindowEnd = g.Until
			info.Open = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !now.Before(start) && now.Before(end) {
		info.Open = true
	}
	info.Left = s.Rules.TestAttempts - len(info.Attempts)
	for _, a := range info.Attempts {
		if !a.Closed {
			info.Left++ // the open one is still being taken
		}
	}
	return info, nil
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

// StartTest begins (or resumes) the member's test for this quarter: N
// questions by the configured mix, a time limit, inside the window.
func (s *Service) StartTest(ctx context.Context, id int64) (*Attempt, error) {
	return s.startTest(ctx, id, s.Cal.Quarter(s.now()))
}

// StartMakeupTest begins (or resumes) the test of a past quarter reopened
// for the member by a make-up.
func (s *Service) StartMakeupTest(ctx context.Context, id int64, period string) (*Attempt, error) {
	q, err := s.Cal.Parse(period)
	if err != nil || q.Kind != Quarter {
		return nil, Errorf(Invalid, "bad_period")
	}
	return s.startTest(ctx, id, q)
}

// startTest begins or resumes the test of quarter q: inside its window, or
// under a make-up granted for it.
func (s *Service) startTest(ctx context.Context, id int64, q Period) (*Attempt, error) {
	now := s.now()
	start, end := s.Rules.TestWindowOf(s.Cal, q)
	pool := s.pool(s.Content().Catalog.Plan.QuarterBanks(q.N))
	var out *Attempt
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		u, err := member(tx, id)
		if err != nil {
			return err
		}
		until := end
		makeup := false
		if now.Before(start) || !now.Before(end) {
			g := activeGrant(tx, id, Test, q.Key(), now)
			if g == nil {
				return Errorf(Unavailable, ReasonOutsideWindow)
			}
			until, makeup = g.Until, true
		}
		atts, err := tx.Attempts(id, Test, q.Key())
		if err != nil {
			return err
		}
		for _, a := range atts {
			if !a.Closed {
				if a.Expired(now) {
					// Time ran out while the member was away: the sweeper
					// will score it; say so rather than start another.
					return Errorf(Conflict, ReasonClosed)
				}
				out = a
				return nil
			}
		}
		if len(atts) >= s.Rules.TestAttempts && !makeup {
			return Errorf(Conflict, ReasonNoAttemptsLeft)
		}
		if makeup && len(atts) >= s.Rules.TestAttempts+1 {
			return Errorf(Conflict, ReasonNoAttemptsLeft)
		}
		if len(pool) == 0 {
			return Errorf(Unavailable, ReasonNoQuestions)
		}
		salt, err := tx.Salt()
		if err != nil {
			return err
		}
		n := len(atts) + 1
		items := Draw(DrawSeed(salt, id, Test, q.Key(), n), pool, s.Rules.TestQuestions, s.Rules.TestMix)
		deadline := now.Add(s.Rules.TestDuration)
		if deadline.After(until) {
			deadline = until
		}
		a := &Attempt{User: id, Kind: Test, Period: q.Key(), N: n, Branch: u.Branch, Items: items,
			Responses: make([]Response, len(items)), Started: now, Deadline: deadline, Until: until, Makeup: makeup}
		if err := tx.CreateAttempt(a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// --- answering -------------------------------------------------------

// AnswerResult is what recording an answer did.
type AnswerResult struct {
	Attempt  *Attempt
	Index    int
	Item     *Item
	Response Response
	Closed   bool    // the answer finished the attempt (or time had run out)
	Expired  bool    // time had run out: the answer was not recorded
	Earned   []Entry // ledger entries the answer earned
	Left     bool    // the question left the mistake book
}

// Answer records the member's answer to item idx of an attempt: options
// chosen (choice questions) or text typed (fill-in). Exactly one answer
// per item is ever recorded: a second one for the same item — a double
// tap, a redelivered update — gets a Conflict error and changes nothing;
// so does a forged or stale button (another member's attempt, an item
// that is not the current one, a closed attempt). key, if not empty,
// names what delivered the answer (a typed message): an answer whose key
// is already in the attempt is a redelivery, refused as answered, so a
// message delivered twice cannot answer the next question too.
func (s *Service) Answer(ctx context.Context, id int64, attempt uint64, idx int, choice []int, text, key string) (*AnswerResult, error) {
	now := s.now()
	tree := s.Tree()
	var res *AnswerResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = nil
		a, err := ownAttempt(tx, id, attempt)
		if err != nil {
			return err
		}
		if idx < 0 || idx >= len(a.Items) {
			return Errorf(Invalid, ReasonNotCurrent)
		}
		if a.Responses[idx].Done {
			return Errorf(Conflict, ReasonAnswered)
		}
		if key != "" {
			for _, r := range a.Responses {
				if r.Key == key {
					return Errorf(Conflict, ReasonAnswered)
				}
			}
		}
		if a.Closed {
			return Errorf(Conflict, ReasonClosed)
		}
		if a.Expired(now) {
			r, err := s.close(tx, tree, a, now)
			if err != nil {
				return err
			}
			r.Expired = true
			res = r
			return nil
		}
		if idx != a.Current() {
			return Errorf(Conflict, ReasonNotCurrent)
		}
		it := &a.Items[idx]
		r := Response{Done: true, At: now, Seconds: now.Sub(a.ShownAt(idx)).Seconds(), Key: key}
		if it.Type == questions.Fill {
			if questions.Normalize(text) == "" {
				return Errorf(Invalid, ReasonEmptyAnswer)
			}
			r.Text = text
		} else {
			c, err := checkChoice(it, choice)
			if err != nil {
				return err
			}
			r.Choice = c
		}
		Grade(it, &r, s.Rules.PartialCredit)
		a.Responses[idx] = r
		res = &AnswerResult{Attempt: a, Index: idx, Item: it, Response: r}

		stat := ItemStats{Answers: 1}
		if r.Right {
			stat.Right = 1
		}
		for _, n := range tree.Lineage(a.Branch) {
			if err := tx.AddItemStats(n, it.StatKey(), stat); err != nil {
				return err
			}
		}
		left, err := s.updateMistakes(tx, a, it, r, now)
		if err != nil {
			return err
		}
		res.Left = left
		if a.Complete() {
			cr, err := s.close(tx, tree, a, now)
			if err != nil {
				return err
			}
			res.Closed, res.Earned = true, cr.Earned
			return nil
		}
		return tx.PutAttempt(a)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func checkChoice(it *Item, choice []int) ([]int, error) {
	if len(choice) == 0 {
		return nil, Errorf(Invalid, ReasonEmptyAnswer)
	}
	seen := map[int]bool{}
	var out []int
	for _, c := range choice {
		if c < 0 || c >= len(it.Options) {
			return nil, Errorf(Invalid, ReasonBadChoice)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if it.Type != questions.Multiple && len(out) != 1 {
		return nil, Errorf(Invalid, ReasonBadChoice)
	}
	sortInts(out)
	return out, nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// updateMistakes keeps the mistake book: a miss goes in (or back to box
// 0); a right answer to a question in the book moves it up, or out.
func (s *Service) updateMistakes(tx Tx, a *Attempt, it *Item, r Response, now time.Time) (bool, error) {
	m, err := tx.Mistake(a.User, it.Key())
	if err != nil {
		return false, err
	}
	if !r.Right {
		if m == nil {
			m = &Mistake{User: a.User, Key: it.Key(), Added: now}
		}
		m.Item = *it
		m.Item.Mistake = false
		notBefore := time.Time{}
		if a.Kind == Test {
			notBefore = a.Until // never before the test window closes
		}
		m.Miss(now, notBefore)
		return false, tx.PutMistake(m)
	}
	if m == nil || a.Kind == Test {
		return false, nil
	}
	if m.Hit(now) {
		return true, tx.DeleteMistake(a.User, it.Key())
	}
	return false, tx.PutMistake(m)
}

// close ends an attempt and books what it earned: for a finished month
// the month's points and counts; for a test its score (counted by the
// configured policy), points and counts. A study attempt whose month is
// over unfinished is closed with nothing earned.
func (s *Service) close(tx Tx, tree *Tree, a *Attempt, now time.Time) (*AnswerResult, error) {
	res := &AnswerResult{Attempt: a, Closed: true}
	a.Closed, a.ClosedAt = true, now
	a.Score, a.Right = a.Tally()
	a.Flagged = a.TooFast(s.Rules.FastSeconds)
	if err := tx.PutAttempt(a); err != nil {
		return nil, err
	}
	lineage := tree.Lineage(a.Branch)
	switch a.Kind {
	case Study:
		if !a.Complete() {
			return res, nil
		}
		earned, err := s.finishMonth(tx, lineage, a, now)
		res.Earned = earned
		return res, err
	case Test:
		earned, err := s.countTest(tx, lineage, a, now)
		res.Earned = earned
		return res, err
	}
	return res, nil
}

// finishMonth books a finished month.
func (s *Service) finishMonth(tx Tx, lineage []string, a *Attempt, now time.Time) ([]Entry, error) {
	month, err := s.Cal.Parse(a.Period)
	if err != nil {
		return nil, err
	}
	prog, err := tx.Progress(a.User, a.Period)
	if err != nil {
		return nil, err
	}
	if prog.StudyDone {
		return nil, nil
	}
	prog.StudyDone, prog.StudyAt, prog.Makeup = true, now.Unix(), a.Makeup
	if err := tx.PutProgress(a.User, a.Period, prog); err != nil {
		return nil, err
	}
	half, year := s.Cal.Half(month.Start), s.Cal.Year(month.Start)
	d := NodeStats{StudyDone: 1}
	if a.Flagged {
		d.Flagged = 1
	}
	if err := addTotals(tx, lineage, d, a.Period, half.Key(), year.Key()); err != nil {
		return nil, err
	}
	due := []Entry{{User: a.User, Ref: "month:" + a.Period, Rule: RuleMonthDone, Amount: s.Rules.Points.MonthDone,
		Period: a.Period, Reason: fmt.Sprintf("完成%s学习", month), At: now.Unix()}}
	yp, err := tx.Progress(a.User, year.Key())
	if err != nil {
		return nil, err
	}
	yp.MonthsDone++
	if err := tx.PutProgress(a.User, year.Key(), yp); err != nil {
		return nil, err
	}
	if yp.MonthsDone == 12 {
		due = append(due, Entry{User: a.User, Ref: "year:" + year.Key(), Rule: RuleAllMonths, Amount: s.Rules.Points.AllMonths,
			Period: a.Period, Reason: fmt.Sprintf("%s全年十二个月学习全部完成", year), At: now.Unix()})
	}
	return s.bookAll(tx, lineage, due)
}

// addTotals adds d to the totals of every node of lineage (a member's
// branch and its ancestors) for each period.
func addTotals(tx Tx, lineage []string, d NodeStats, periods ...string) error {
	for _, n := range lineage {
		for _, p := range periods {
			if err := tx.AddNodeStats(n, p, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// bookAll books entries and returns those booked now (not before).
func (s *Service) bookAll(tx Tx, lineage []string, due []Entry) ([]Entry, error) {
	var earned []Entry
	for i := range due {
		ok, err := s.book(tx, lineage, &due[i])
		if err != nil {
			return nil, err
		}
		if ok {
			earned = append(earned, due[i])
		}
	}
	return earned, nil
}

// countTest books a closed test. With several attempts the counted score
// follows the policy; points and totals move by the difference, so the
// ledger explains every change.
func (s *Service) countTest(tx Tx, lineage []string, a *Attempt, now time.Time) ([]Entry, error) {
	quarter, err := s.Cal.Parse(a.Period)
	if err != nil {
		return nil, err
	}
	prog, err := tx.Progress(a.User, a.Period)
	if err != nil {
		return nil, err
	}
	old := prog
	prog.Attempts++
	if !prog.Tested || s.Rules.TestPolicy == Last || a.Score > prog.TestScore {
		prog.TestScore = a.Score
	}
	prog.Tested = true
	prog.Passed = prog.TestScore >= s.Rules.PassMark
	prog.Flagged = prog.Flagged || a.Flagged
	if err := tx.PutProgress(a.User, a.Period, prog); err != nil {
		return nil, err
	}

	d := NodeStats{ScoreSum: int64(prog.TestScore - old.TestScore)}
	if !old.Tested {
		d.TestTaken = 1
	}
	if prog.Passed && !old.Passed {
		d.Passed = 1
	} else if !prog.Passed && old.Passed {
		d.Passed = -1
	}
	if a.Flagged {
		d.Flagged = 1
	}
	half, year := s.Cal.Half(quarter.Start), s.Cal.Year(quarter.Start)
	if err := addTotals(tx, lineage, d, a.Period, half.Key(), year.Key()); err != nil {
		return nil, err
	}
	for _, n := range lineage {
		for i := range a.Items {
			it := &a.Items[i]
			st := ItemStats{}
			b := Band(a.Score)
			st.TestN[b] = 1
			if a.Responses[i].Right {
				st.TestRight[b] = 1
			}
			if err := tx.AddItemStats(n, it.StatKey(), st); err != nil {
				return nil, err
			}
		}
	}

	var due []Entry
	pts := s.Rules.Points.TestPoints(prog.TestScore) - s.Rules.Points.TestPoints(old.TestScore)
	if !old.Tested || pts != 0 {
		reason := fmt.Sprintf("%s测试得分 %d", quarter, prog.TestScore)
		if old.Tested {
			reason = fmt.Sprintf("%s测试第 %d 次作答，计分由 %d 改为 %d", quarter, a.N, old.TestScore, prog.TestScore)
		}
		due = append(due, Entry{User: a.User, Ref: fmt.Sprintf("test:%s#%d", a.Period, a.N), Rule: RuleTestScore, Amount: pts,
			Period: a.Period, Reason: reason, At: now.Unix()})
	}
	if prog.TestScore == 100 && old.TestScore != 100 {
		due = append(due, Entry{User: a.User, Ref: "perfect:" + a.Period, Rule: RulePerfect, Amount: s.Rules.Points.Perfect,
			Period: a.Period, Reason: fmt.Sprintf("%s测试满分", quarter), At: now.Unix()})
	}
	return s.bookAll(tx, lineage, due)
}

// book appends a ledger entry and adds its amount to the member's half
// year and year totals, and to the year's point sum and star counts of
// every node in lineage. It returns false when the entry was booked before.
func (s *Service) book(tx Tx, lineage []string, e *Entry) (bool, error) {
	if e.Amount == 0 && e.Rule != RuleTestScore {
		return false, nil
	}
	ok, err := tx.AddEntry(e)
	if err != nil || !ok {
		return false, err
	}
	p, err := s.Cal.Parse(e.Period)
	if err != nil {
		return false, err
	}
	year := s.Cal.Year(p.Start).Key()
	for _, k := range []string{s.Cal.Half(p.Start).Key(), year} {
		prog, err := tx.Progress(e.User, k)
		if err != nil {
			return false, err
		}
		before := prog.Points
		prog.Points += e.Amount
		if err := tx.PutProgress(e.User, k, prog); err != nil {
			return false, err
		}
		if k != year {
			continue
		}
		d := NodeStats{PointSum: e.Amount}
		if from, to := Stars(before, s.Rules.Stars), Stars(prog.Points, s.Rules.Stars); from != to {
			if from > 1 {
				d.Stars[from-2]--
			}
			if to > 1 {
				d.Stars[to-2]++
			}
		}
		if err := addTotals(tx, lineage, d, year); err != nil {
			return false, err
		}
	}
	return true, nil
}

// CloseExpired closes and scores up to limit attempts whose time has run
// out, whether or not their member comes back, and returns them (so the
// bot can tell their members). Run it periodically.
func (s *Service) CloseExpired(ctx context.Context, limit int) ([]*Attempt, error) {
	now := s.now()
	var ids []uint64
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		ids, err = tx.Expiring(now, limit)
		return err
	}); err != nil {
		return nil, err
	}
	tree := s.Tree()
	// Close them concurrently so that the store can share one commit among
	// many: at a month's end every unfinished study expires at once.
	var (
		mu     sync.Mutex
		closed []*Attempt
		first  error
		wg     sync.WaitGroup
		sem    = make(chan struct{}, 64)
	)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func(id uint64) {
			defer func() { <-sem; wg.Done() }()
			var done *Attempt
			err := s.Store.Update(ctx, func(tx Tx) error {
				done = nil
				a, err := tx.Attempt(id)
				if err != nil {
					return err
				}
				if a.Closed || !a.Expired(now) {
					return nil
				}
				if _, err := s.close(tx, tree, a, now); err != nil {
					return err
				}
				done = a
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			if err == nil && done != nil {
				closed = append(closed, done)
			}
		}(id)
	}
	wg.Wait()
	sort.Slice(closed, func(i, j int) bool { return closed[i].ID < closed[j].ID })
	return closed, first
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

// ownAttempt loads an attempt that must be the user's: a forged button
// naming another member's attempt gets Forbidden, an unknown one NotFound.
func ownAttempt(tx Tx, id int64, attempt uint64) (*Attempt, error) {
	a, err := tx.Attempt(attempt)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotFound, ReasonNotCurrent)
	}
	if err != nil {
		return nil, err
	}
	if a.User != id {
		return nil, Errorf(Forbidden, ReasonNotYours)
	}
	return a, nil
}

// Attempt returns one of the user's attempts.
func (s *Service) Attempt(ctx context.Context, id int64, attempt uint64) (*Attempt, error) {
	var out *Attempt
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := ownAttempt(tx, id, attempt)
		if err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
