package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"partyquiz/quiz"
)

// CheckSpec is what Check holds the records against: the calendar, rules
// and organisation tree the bot that wrote them runs with.
type CheckSpec struct {
	Cal   quiz.Calendar
	Rules quiz.Rules
	Tree  *quiz.Tree
}

// CheckReport is what Check looked at and every disagreement it found.
type CheckReport struct {
	Users      int   // users in the store
	Attempts   int   // study, test and practice attempts
	Answers    int64 // responses recorded in them
	Entries    int   // ledger entries
	Progress   int   // progress records
	NodeTotals int   // node × period totals compared
	ItemTotals int   // node × question totals compared
	Pending    int   // outbox notices waiting to be sent
	// Problems are the first MaxCheckProblems disagreements, each naming
	// the records; More counts those beyond.
	Problems []string
	More     int
	// Notes say what was checked less strictly, and why.
	Notes []string
}

// MaxCheckProblems bounds the problems a CheckReport lists.
const MaxCheckProblems = 100

// OK reports whether Check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

func (r *CheckReport) fail(format string, args ...any) {
	if len(r.Problems) >= MaxCheckProblems {
		r.More++
		return
	}
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Check reads the whole store in one read-only transaction — for a
// stopped bot, after a restore or a crash — and checks that the records
// the engine writes together agree with each other:
//
//   - the file's pages (bbolt's own check) and its schema version;
//   - every attempt: indexed under its user, kind, period and number;
//     answered in order; a closed one scored as its responses say;
//   - every member's month and quarter progress as their attempts say
//     (a month done exactly when a study of it was finished; a quarter's
//     tests counted, scored by the test policy, passed and flagged);
//     months done in a year;
//   - the ledger: its reference index, one entry per reference, an entry
//     for every finished month, counted test, perfect score and full year
//     and none without one; every half year's and year's points equal to
//     the sum of its entries;
//   - every node's totals for every period (months done, tests, score sum,
//     passes, flags, points and stars) and every node's statistics of
//     every question equal to the sum over the attempts and ledgers of the
//     members under it; member counts equal to the members;
//   - the outbox's pending count.
//
// Amounts are not recomputed: the ledger is the record of what was paid.
// Whether an entry is due depends on the configured rules (a rule worth 0
// books nothing), so a store written under other point rules may show
// differences for those. If the organisation tree was changed in chat,
// totals were booked under the tree of their day and only the root's
// are compared. Check returns an error only when the store cannot be
// read; what disagrees is in the report.
func Check(ctx context.Context, db *DB, spec CheckSpec) (*CheckReport, error) {
	rep := &CheckReport{}
	err := db.view(ctx, func(btx *bolt.Tx) error {
		if v := fileVersion(btx); v != SchemaVersion() {
			return fmt.Errorf("store: schema version %d, this program reads %d: open it with the bot once to migrate it, or check it with the program that wrote it", v, SchemaVersion())
		}
		for err := range btx.Check() {
			rep.fail("file structure: %v", err)
		}
		c := &checker{rep: rep, spec: spec, t: &tx{db: db, tx: btx},
			nodes: map[string]quiz.NodeStats{}, items: map[string]quiz.ItemStats{}, members: map[string]int64{}}
		return c.run(ctx)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// checker is one Check in progress: the totals the members' records add
// up to, compared with the stored ones at the end.
type checker struct {
	rep      *CheckReport
	spec     CheckSpec
	t        *tx
	rootOnly bool                      // the tree changed in chat: compare the root's totals only
	nodes    map[string]quiz.NodeStats // period 0x00 node → totals
	items    map[string]quiz.ItemStats // node 0x00 item key → totals
	members  map[string]int64          // node → members
}

func (c *checker) run(ctx context.Context) error {
	pubs, err := c.t.Publications()
	if err != nil {
		return err
	}
	for _, p := range pubs {
		if p.Kind == quiz.PubOrg {
			c.rootOnly = true
			c.rep.Notes = append(c.rep.Notes, fmt.Sprintf("the organisation tree was changed in chat (version %d): totals are compared at the root only", p.Version))
		}
	}
	n := 0
	err = c.t.ForEachUser(func(u *quiz.User) error {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		c.rep.Users++
		return c.user(u)
	})
	if err != nil {
		return err
	}
	if err := c.contests(); err != nil {
		return err
	}
	if err := c.compareTotals(); err != nil {
		return err
	}
	return c.outbox()
}

// contests adds the answers of members who score in a contest to the item
// totals of their branch, as the engine counts them.
func (c *checker) contests() error {
	var ids []uint64
	if err := c.t.bucket(bucketContests).ForEach(func(k, _ []byte) error {
		if len(k) == 8 {
			ids = append(ids, binary.BigEndian.Uint64(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		contest, err := c.t.Contest(id)
		if err != nil {
			return err
		}
		players, err := c.t.Players(id)
		if err != nil {
			return err
		}
		byUser := map[int64]quiz.Player{}
		for _, p := range players {
			byUser[p.User] = p
		}
		answers, err := c.t.ContestAnswers(id)
		if err != nil {
			return err
		}
		for _, a := range answers {
			p, ok := byUser[a.User]
			if !ok || !p.Scores || a.Q < 0 || a.Q >= len(contest.Items) {
				continue
			}
			d := quiz.ItemStats{Answers: 1}
			if a.Right {
				d.Right = 1
			}
			c.addItem(p.Branch, contest.Items[a.Q].StatKey(), d)
		}
	}
	return nil
}

// lineage is where a record of a member of branch was added up.
func (c *checker) lineage(branch string) []string {
	if c.rootOnly {
		return []string{c.spec.Tree.Root()}
	}
	return c.spec.Tree.Lineage(branch)
}

func (c *checker) addNode(branch string, d quiz.NodeStats, periods ...string) {
	for _, n := range c.lineage(branch) {
		for _, p := range periods {
			k := p + "\x00" + n
			c.nodes[k] = c.nodes[k].Add(d)
		}
	}
}

func (c *checker) addItem(branch, key string, d quiz.ItemStats) {
	for _, n := range c.lineage(branch) {
		k := n + "\x00" + key
		c.items[k] = c.items[k].Add(d)
	}
}

// halfYear returns the half-year and year keys of a month or quarter key.
func (c *checker) halfYear(period string) (half, year string, err error) {
	p, err := c.spec.Cal.Parse(period)
	if err != nil {
		return "", "", err
	}
	return c.spec.Cal.Half(p.Start).Key(), c.spec.Cal.Year(p.Start).Key(), nil
}

// user checks one user's attempts, progress and ledger, and adds what
// they contribute to the totals.
func (c *checker) user(u *quiz.User) error {
	id := u.ID
	if u.Branch != "" {
		for _, n := range c.spec.Tree.Lineage(u.Branch) {
			c.members[n]++
		}
		for period, d := range quiz.JoinStats(c.spec.Cal, u.Joined) {
			c.addNode(u.Branch, d, period)
		}
	}
	progress := map[string]quiz.Progress{}
	err := scan(c.t.bucket(bucketProgress), idKey(id), func(k, v []byte) error {
		p, err := decodeProgress(v)
		if err != nil {
			return fmt.Errorf("progress of user %d %q: %w", id, k[8:], err)
		}
		progress[string(k[8:])] = p
		return nil
	})
	if err != nil {
		return err
	}
	c.rep.Progress += len(progress)

	studies, tests, err := c.attempts(id)
	if err != nil {
		return err
	}
	// branchOf is the branch an entry's points were booked under: its
	// attempt's, or (corrections) the member's own.
	branchOf := map[string]string{}
	due := map[string]bool{} // engine refs the attempts earned
	rules := c.spec.Rules

	// Months: done exactly when a study of the month was finished.
	doneByYear := map[string][]*quiz.Attempt{}
	for _, period := range sortedKeys(studies) {
		var done []*quiz.Attempt
		for _, a := range studies[period] {
			if a.Closed && a.Complete() {
				done = append(done, a)
			}
		}
		p := progress[period]
		if p.StudyDone != (len(done) > 0) {
			c.rep.fail("user %d month %s: progress says study done = %v, but %d finished study attempts", id, period, p.StudyDone, len(done))
		}
		if len(done) == 0 {
			continue
		}
		first := done[0]
		half, year, err := c.halfYear(period)
		if err != nil {
			c.rep.fail("user %d study attempt %d: %v", id, first.ID, err)
			continue
		}
		d := quiz.NodeStats{StudyDone: 1}
		if first.Flagged {
			d.Flagged = 1
		}
		c.addNode(u.Branch, d, period, half, year) // totals are where the member is now
		ref := "month:" + period
		branchOf[ref] = first.Branch
		if rules.Points.MonthDone != 0 {
			due[ref] = true
		}
		doneByYear[year] = append(doneByYear[year], first)
	}
	for year, done := range doneByYear {
		if len(done) < 12 {
			continue
		}
		slices.SortFunc(done, byClose)
		ref := "year:" + year
		branchOf[ref] = done[11].Branch
		if rules.Points.AllMonths != 0 {
			due[ref] = true
		}
	}
	for k, p := range progress {
		if p.StudyDone {
			if _, ok := studies[k]; !ok {
				c.rep.fail("user %d month %s: progress says study done, but there is no study attempt", id, k)
			}
		}
		if p.Tested {
			if _, ok := tests[k]; !ok {
				c.rep.fail("user %d quarter %s: progress says tested, but there is no test attempt", id, k)
			}
		}
	}

	// Quarters: the closed tests replayed as the engine counted them.
	for _, period := range sortedKeys(tests) {
		half, year, err := c.halfYear(period)
		if err != nil {
			c.rep.fail("user %d tests of %q: %v", id, period, err)
			continue
		}
		var want quiz.Progress
		for _, a := range tests[period] {
			if !a.Closed {
				continue
			}
			old := want
			want.Attempts++
			if !want.Tested || rules.TestPolicy == quiz.Last || a.Score > want.TestScore {
				want.TestScore = a.Score
			}
			want.Tested = true
			want.Passed = want.TestScore >= rules.PassMark
			want.Flagged = want.Flagged || a.Flagged
			d := quiz.NodeStats{ScoreSum: int64(want.TestScore - old.TestScore)}
			if !old.Tested {
				d.TestTaken = 1
			}
			switch {
			case want.Passed && !old.Passed:
				d.Passed = 1
			case !want.Passed && old.Passed:
				d.Passed = -1
			}
			if want.Flagged && !old.Flagged {
				d.Flagged = 1 // a member's test is flagged once
			}
			c.addNode(u.Branch, d, period, half, year)
			pts := rules.Points.TestPoints(want.TestScore) - rules.Points.TestPoints(old.TestScore)
			if !old.Tested || pts != 0 {
				ref := fmt.Sprintf("test:%s#%d", period, a.N)
				due[ref] = true
				branchOf[ref] = a.Branch
			}
			if want.TestScore == 100 && old.TestScore != 100 {
				ref := "perfect:" + period
				if _, ok := branchOf[ref]; !ok {
					branchOf[ref] = a.Branch
				}
				if rules.Points.Perfect != 0 {
					due[ref] = true
				}
			}
		}
		p := progress[period]
		got := quiz.Progress{Tested: p.Tested, TestScore: p.TestScore, Attempts: p.Attempts, Passed: p.Passed, Flagged: p.Flagged}
		if got != want {
			c.rep.fail("user %d quarter %s: progress says tested %v, score %d, %d attempts, passed %v, flagged %v; its closed tests say %v, %d, %d, %v, %v",
				id, period, got.Tested, got.TestScore, got.Attempts, got.Passed, got.Flagged,
				want.Tested, want.TestScore, want.Attempts, want.Passed, want.Flagged)
		}
	}

	// Years: the months done.
	for k, p := range progress {
		per, err := c.spec.Cal.Parse(k)
		if err != nil {
			c.rep.fail("user %d: progress under %q, which is not a period", id, k)
			continue
		}
		if per.Kind != quiz.Year {
			continue
		}
		months := 0
		for _, m := range per.Months(c.spec.Cal) {
			if progress[m.Key()].StudyDone {
				months++
			}
		}
		if p.MonthsDone != months {
			c.rep.fail("user %d year %s: progress says %d months done, the months say %d", id, k, p.MonthsDone, months)
		}
	}
	return c.ledger(u, progress, due, branchOf)
}

// attempts reads a user's attempts through their index, checks each, adds
// its answers to the item totals, and returns the studies by month and
// the tests by quarter, each in the order they were closed.
func (c *checker) attempts(id int64) (studies, tests map[string][]*quiz.Attempt, err error) {
	studies, tests = map[string][]*quiz.Attempt{}, map[string][]*quiz.Attempt{}
	err = scan(c.t.bucket(bucketUserAttempts), idKey(id), func(k, v []byte) error {
		kind, period, n, ok := splitUserAttemptKey(k[8:])
		if !ok || len(v) != 8 {
			c.rep.fail("user %d: attempt index key %x is malformed", id, k)
			return nil
		}
		aid := binary.BigEndian.Uint64(v)
		a, err := c.t.Attempt(aid)
		if errors.Is(err, ErrNotFound) {
			c.rep.fail("user %d: the index names %s attempt %d of %q, which is not there", id, kind, aid, period)
			return nil
		}
		if err != nil {
			c.rep.fail("user %d attempt %d: %v", id, aid, err)
			return nil
		}
		c.rep.Attempts++
		if a.User != id || string(a.Kind) != kind || a.Period != period || a.N != n {
			c.rep.fail("attempt %d is user %d's %s %q #%d, indexed as user %d's %s %q #%d", aid, a.User, a.Kind, a.Period, a.N, id, kind, period, n)
		}
		c.attempt(a)
		switch a.Kind {
		case quiz.Study:
			studies[a.Period] = append(studies[a.Period], a)
		case quiz.Test:
			tests[a.Period] = append(tests[a.Period], a)
		}
		return nil
	})
	for _, m := range []map[string][]*quiz.Attempt{studies, tests} {
		for _, list := range m {
			slices.SortFunc(list, byClose)
		}
	}
	return studies, tests, err
}

// byClose orders attempts by when they were closed (open ones last), then
// by number.
func byClose(a, b *quiz.Attempt) int {
	if a.Closed != b.Closed {
		if a.Closed {
			return -1
		}
		return 1
	}
	return cmp.Or(a.ClosedAt.Compare(b.ClosedAt), cmp.Compare(a.N, b.N))
}

// attempt checks one attempt and adds its answers to the item totals.
func (c *checker) attempt(a *quiz.Attempt) {
	if len(a.Responses) != len(a.Items) {
		c.rep.fail("attempt %d: %d items and %d responses", a.ID, len(a.Items), len(a.Responses))
		return
	}
	gap := false
	for i, r := range a.Responses {
		if !r.Done {
			gap = true
			continue
		}
		if gap {
			c.rep.fail("attempt %d: item %d answered after an unanswered one", a.ID, i+1)
			gap = false
		}
		c.rep.Answers++
		if a.Kind == quiz.Practice || a.Items[i].Mistake {
			continue // the mistake book's practice (also mixed into a study) is left out of item statistics
		}
		d := quiz.ItemStats{Answers: 1}
		if r.Right {
			d.Right = 1
		}
		c.addItem(a.Branch, a.Items[i].StatKey(), d)
	}
	if !a.Closed {
		return
	}
	if score, right := a.Tally(); score != a.Score || right != a.Right {
		c.rep.fail("attempt %d (user %d, %s %s): scored %d with %d right, its responses say %d with %d", a.ID, a.User, a.Kind, a.Period, a.Score, a.Right, score, right)
	}
	if a.Kind == quiz.Test {
		b := quiz.Band(a.Score)
		for i := range a.Items {
			var d quiz.ItemStats
			d.TestN[b] = 1
			if a.Responses[i].Right {
				d.TestRight[b] = 1
			}
			c.addItem(a.Branch, a.Items[i].StatKey(), d)
		}
	}
}

// ledger checks a user's ledger against its index, what their attempts
// earned (due) and their half-year and year points, and adds their points
// and stars to the year totals.
func (c *checker) ledger(u *quiz.User, progress map[string]quiz.Progress, due map[string]bool, branchOf map[string]string) error {
	id := u.ID
	entries, err := c.t.Entries(id)
	if err != nil {
		return fmt.Errorf("ledger of user %d: %w", id, err)
	}
	c.rep.Entries += len(entries)
	refs := c.t.bucket(bucketLedgerRefs)
	seen := map[string]bool{}
	sums := map[string]quiz.Points{} // half-year and year → points
	yearPoints := map[string]quiz.Points{}
	for _, e := range entries {
		if seen[e.Ref] {
			c.rep.fail("user %d: two ledger entries for %q", id, e.Ref)
		}
		seen[e.Ref] = true
		if v := refs.Get(userKey(id, e.Ref)); len(v) != 8 || binary.BigEndian.Uint64(v) != e.Seq {
			c.rep.fail("user %d: ledger entry %d (%q) is not the one its reference index names", id, e.Seq, e.Ref)
		}
		if engineRef(e.Ref) && !due[e.Ref] {
			c.rep.fail("user %d: ledger entry %q (%s points) was not earned by any attempt", id, e.Ref, e.Amount)
		}
		half, year, err := c.halfYear(e.Period)
		if err != nil {
			c.rep.fail("user %d ledger entry %q: %v", id, e.Ref, err)
			continue
		}
		sums[half] += e.Amount
		sums[year] += e.Amount
		branch := u.Branch // points count where the member is now
		before := yearPoints[year]
		after := before + e.Amount
		yearPoints[year] = after
		d := quiz.NodeStats{PointSum: e.Amount}
		if from, to := quiz.Stars(before, c.spec.Rules.Stars), quiz.Stars(after, c.spec.Rules.Stars); from != to {
			if from > 1 {
				d.Stars[from-2]--
			}
			if to > 1 {
				d.Stars[to-2]++
			}
		}
		if branch != "" {
			c.addNode(branch, d, year)
		}
	}
	for _, ref := range sortedKeys(due) {
		if !seen[ref] {
			c.rep.fail("user %d: no ledger entry %q, which their attempts earned", id, ref)
		}
	}
	n := 0
	err = scan(refs, idKey(id), func(k, _ []byte) error {
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if n != len(entries) {
		c.rep.fail("user %d: %d ledger entries, %d references in their index", id, len(entries), n)
	}
	for k, p := range progress {
		per, err := c.spec.Cal.Parse(k)
		if err != nil || (per.Kind != quiz.Half && per.Kind != quiz.Year) {
			continue
		}
		if p.Points != sums[k] {
			c.rep.fail("user %d %s: progress has %s points, the ledger adds up to %s", id, k, p.Points, sums[k])
		}
		delete(sums, k)
	}
	for _, k := range sortedKeys(sums) {
		if sums[k] != 0 {
			c.rep.fail("user %d %s: no progress record, the ledger adds up to %s points", id, k, sums[k])
		}
	}
	return nil
}

// engineRef reports whether a ledger reference is one the engine books
// for an attempt (others — corrections, contests — are not checked
// against attempts).
func engineRef(ref string) bool {
	kind, _, _ := strings.Cut(ref, ":")
	switch kind {
	case "month", "year", "test", "perfect":
		return true
	}
	return false
}

// compareTotals compares the stored node totals, question statistics and
// member counts with what the members' records add up to.
func (c *checker) compareTotals() error {
	root := c.spec.Tree.Root()
	err := c.t.bucket(bucketNodeStats).ForEach(func(k, v []byte) error {
		period, node, ok := bytes.Cut(k, []byte{sep})
		if !ok {
			c.rep.fail("node totals key %q is malformed", k)
			return nil
		}
		if c.rootOnly && string(node) != root {
			return nil
		}
		got, err := decodeNodeStats(v)
		if err != nil {
			c.rep.fail("node %s %s: totals unreadable: %v", node, period, err)
			return nil
		}
		key := string(k)
		c.rep.NodeTotals++
		if want := c.nodes[key]; got != want {
			c.rep.fail("node %s %s: totals %s, the members' records add up to %s", node, period, statsText(got), statsText(want))
		}
		delete(c.nodes, key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(c.nodes) {
		if want := c.nodes[k]; !want.IsZero() {
			period, node, _ := strings.Cut(k, "\x00")
			c.rep.NodeTotals++
			c.rep.fail("node %s %s: no totals, the members' records add up to %s", node, period, statsText(want))
		}
	}
	err = c.t.bucket(bucketItemStats).ForEach(func(k, v []byte) error {
		node, item, ok := bytes.Cut(k, []byte{sep})
		if !ok {
			c.rep.fail("question statistics key %q is malformed", k)
			return nil
		}
		if c.rootOnly && string(node) != root {
			return nil
		}
		got, err := decodeItemStats(v)
		if err != nil {
			c.rep.fail("node %s question %s: statistics unreadable: %v", node, item, err)
			return nil
		}
		key := string(k)
		c.rep.ItemTotals++
		if want := c.items[key]; got != want {
			c.rep.fail("node %s question %s: %d answers (%d right), the attempts hold %d (%d right); test answers by band %v, the attempts %v",
				node, item, got.Answers, got.Right, want.Answers, want.Right, got.TestN, want.TestN)
		}
		delete(c.items, key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(c.items) {
		node, item, _ := strings.Cut(k, "\x00")
		c.rep.ItemTotals++
		c.rep.fail("node %s question %s: no statistics, the attempts hold %d answers", node, item, c.items[k].Answers)
	}
	counts, err := c.t.MemberCounts()
	if err != nil {
		return err
	}
	for _, n := range sortedKeys(counts) {
		if counts[n] != c.members[n] {
			c.rep.fail("node %s: member count %d, the users say %d", n, counts[n], c.members[n])
		}
		delete(c.members, n)
	}
	for _, n := range sortedKeys(c.members) {
		if c.members[n] != 0 {
			c.rep.fail("node %s: no member count, the users say %d", n, c.members[n])
		}
	}
	return nil
}

// outbox checks the pending count against the notices waiting, and that
// each is pending under its reference.
func (c *checker) outbox() error {
	out, refs := c.t.bucket(bucketOutbox), c.t.bucket(bucketOutboxRefs)
	err := out.ForEach(func(k, v []byte) error {
		c.rep.Pending++
		if len(k) != 8 {
			c.rep.fail("outbox key %x is malformed", k)
			return nil
		}
		seq := binary.BigEndian.Uint64(k)
		n, err := decodeEvent(seq, v)
		if err != nil {
			c.rep.fail("outbox event %d: %v", seq, err)
			return nil
		}
		if r := refs.Get([]byte(n.Ref)); len(r) != 9 || r[0] != refPending || binary.BigEndian.Uint64(r[1:]) != seq {
			c.rep.fail("outbox notice %d (%q) is not pending under its reference", seq, n.Ref)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if v := c.t.bucket(bucketMeta).Get(metaPending); len(v) == 8 && binary.BigEndian.Uint64(v) != uint64(c.rep.Pending) {
		c.rep.fail("outbox: the pending count says %d, %d notices wait", binary.BigEndian.Uint64(v), c.rep.Pending)
	}
	return nil
}

// splitUserAttemptKey reads kind 0x00 period 0x00 N(4).
func splitUserAttemptKey(k []byte) (kind, period string, n int, ok bool) {
	kb, rest, ok1 := bytes.Cut(k, []byte{sep})
	pb, nb, ok2 := bytes.Cut(rest, []byte{sep})
	if !ok1 || !ok2 || len(nb) != 4 {
		return "", "", 0, false
	}
	return string(kb), string(pb), int(binary.BigEndian.Uint32(nb)), true
}

// statsText is node totals for a report line.
func statsText(s quiz.NodeStats) string {
	return "months " + strconv.FormatInt(s.StudyDone, 10) +
		", tests " + strconv.FormatInt(s.TestTaken, 10) +
		", score sum " + strconv.FormatInt(s.ScoreSum, 10) +
		", passed " + strconv.FormatInt(s.Passed, 10) +
		", flagged " + strconv.FormatInt(s.Flagged, 10) +
		", points " + s.PointSum.String() +
		fmt.Sprintf(", 2–5 stars %v", s.Stars)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
