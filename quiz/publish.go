package quiz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"partyquiz/questions"
)

// Draft is an uploaded file, checked against what is published: its
// problems, or what publishing it would change.
type Draft struct {
	Name     string
	Data     []byte
	File     *questions.File
	Problems questions.Problems
	Kind     string // PubBank, PubPlan or PubOrg
	ID       string
	Bank     *BankChange
	Plan     []int // months whose plan changes
	Quarters []int // quarters whose test draws from other banks
	Org      *TreeChange
	// Retitled: the bank's or the plan's title changes, from OldTitle.
	Retitled bool
	OldTitle string
	// Restores is the version a roll back restores (PrepareVersion); 0
	// for an upload.
	Restores int
	// RestoresBuiltin: the draft publishes again the file built into the
	// program (PrepareBuiltin), after versions published in chat.
	RestoresBuiltin bool
	content         *Content // the content if published
	base            *Content // the content it was checked against
}

// BankChange is what publishing a bank changes.
type BankChange struct {
	New     bool // a bank that was not there before
	Title   string
	Count   int
	Added   []string // question ids
	Changed []string
	Removed []string
	Old     *questions.Bank // the published bank it replaces; nil for a new one

	// What members were asked of the Removed questions, every version of
	// each: Asked lists those answered in study, a test or a contest, or
	// held by an attempt still open; Answers counts the answers recorded
	// to them (practice of the mistake book left out); Open the open
	// attempts that hold one. Their attempts keep what they were asked.
	Asked   []string
	Answers int64
	Open    int
}

// Empty reports whether publishing changes nothing.
func (d *Draft) Empty() bool {
	switch {
	case d.Bank != nil:
		return !d.Bank.New && !d.Retitled && len(d.Bank.Added)+len(d.Bank.Changed)+len(d.Bank.Removed) == 0
	case d.Org != nil:
		return len(d.Org.Added)+len(d.Org.Removed)+len(d.Org.Renamed)+len(d.Org.Moved) == 0
	}
	return !d.Retitled && len(d.Plan)+len(d.Quarters) == 0
}

// Prepare checks an uploaded file (admins only) with the same validator
// as `partyquiz validate`, against the published content: banks the plan
// names must exist; an organisation tree must keep every node that has
// members or a secretary and keep members' branches as branches. It
// changes nothing.
func (s *Service) Prepare(ctx context.Context, v Viewer, name string, data []byte) (*Draft, error) {
	if !v.Admin {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	base := s.Content()
	d := &Draft{Name: name, Data: data, base: base}
	f := questions.ParseFile(name, data)
	d.File = f
	if len(f.Problems) > 0 {
		d.Problems = f.Problems
		return d, nil
	}
	set := questions.Merge(base.Catalog, f)
	if set.Catalog == nil {
		d.Problems = set.Problems
		return d, nil
	}
	next := &Content{Catalog: set.Catalog, Tree: base.Tree, Base: base.base()}
	switch {
	case f.Bank != nil:
		d.Kind, d.ID = PubBank, f.Bank.ID
		old := base.Catalog.Bank(f.Bank.ID)
		d.Bank = bankChange(old, f.Bank)
		if old != nil && old.Title != f.Bank.Title {
			d.Retitled, d.OldTitle = true, old.Title
		}
		if err := s.countAsked(ctx, base.Tree, f.Bank.ID, d.Bank); err != nil {
			return nil, err
		}
	case f.Plan != nil:
		d.Kind, d.ID = PubPlan, "plan"
		old := base.Catalog.Plan
		d.Plan = planChange(old, f.Plan)
		d.Quarters = quarterChange(old, f.Plan)
		if old != nil && old.Title != f.Plan.Title {
			d.Retitled, d.OldTitle = true, old.Title
		}
	case f.Org != nil:
		d.Kind, d.ID = PubOrg, "org"
		tree, err := TreeOf(f.Org)
		if err != nil { // the validator checks the tree; this is a second line of defence
			d.Problems = questions.Problems{questions.ProblemTreeCycle(name)}
			return d, nil
		}
		change := base.Tree.Diff(tree)
		d.Org = &change
		probs, err := s.checkTree(ctx, name, f.Org, tree)
		if err != nil {
			return nil, err
		}
		if len(probs) > 0 {
			d.Problems = probs
			return d, nil
		}
		next.Tree = tree
	default:
		d.Problems = questions.Problems{questions.ProblemUnknownKind(name)}
		return d, nil
	}
	d.content = next
	return d, nil
}

// checkTree finds what a new tree would break: a node removed that still
// has members or a secretary, a branch with members that would get
// sub-organisations.
func (s *Service) checkTree(ctx context.Context, name string, o *questions.Org, next *Tree) (questions.Problems, error) {
	line := map[string]int{}
	for _, n := range o.Nodes {
		line[n.ID] = n.Line
	}
	members := map[string]int{}
	secretaries := map[string]int{}
	err := s.Store.View(ctx, func(tx Tx) error {
		return tx.ForEachUser(func(u *User) error {
			if u.Branch != "" {
				members[u.Branch]++
			}
			for _, n := range u.Secretary {
				secretaries[n]++
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	var probs questions.Problems
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		switch {
		case next.Node(id) == nil:
			probs = append(probs, questions.ProblemNodeHasMembers(name, id, members[id]))
		case !next.IsLeaf(id):
			probs = append(probs, questions.ProblemBranchGetsChildren(name, line[id], id, members[id]))
		}
	}
	ids = ids[:0]
	for id := range secretaries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if next.Node(id) == nil {
			probs = append(probs, questions.ProblemNodeHasSecretaries(name, id))
		}
	}
	return probs, nil
}

func bankChange(old, next *questions.Bank) *BankChange {
	c := &BankChange{Title: next.Title, Count: len(next.Questions), Old: old}
	if old == nil {
		c.New = true
		return c
	}
	for _, q := range next.Questions {
		switch o := old.Question(q.ID); {
		case o == nil:
			c.Added = append(c.Added, q.ID)
		case o.Hash() != q.Hash():
			c.Changed = append(c.Changed, q.ID)
		}
	}
	for _, q := range old.Questions {
		if next.Question(q.ID) == nil {
			c.Removed = append(c.Removed, q.ID)
		}
	}
	return c
}

func planChange(old, next *questions.Plan) []int {
	var out []int
	for m := 1; m <= 12; m++ {
		a, b := old.Month(m), next.Month(m)
		switch {
		case a == nil && b == nil:
		case a == nil || b == nil || a.Title != b.Title || a.Lesson != b.Lesson || fmt.Sprint(a.Banks) != fmt.Sprint(b.Banks):
			out = append(out, m)
		}
	}
	return out
}

// quarterChange returns the quarters whose test draws from other banks.
func quarterChange(old, next *questions.Plan) []int {
	var out []int
	for q := 1; q <= 4; q++ {
		if !slices.Equal(old.QuarterBanks(q), next.QuarterBanks(q)) {
			out = append(out, q)
		}
	}
	return out
}

// Publish publishes a draft made by Prepare: the file is kept as the next
// version of its bank, plan or tree, and the engine switches to the new
// content at once, all or nothing. Attempts already made keep what they
// asked. If something was published since the draft was made, nothing is
// published: Conflict with ReasonContentChanged, so that what the admin
// confirmed is what goes live (prepare again and ask again).
func (s *Service) Publish(ctx context.Context, v Viewer, d *Draft) (*Publication, error) {
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	if d.base != s.Content() {
		return nil, Errorf(Conflict, ReasonContentChanged)
	}
	if !v.Admin {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	if len(d.Problems) > 0 || d.content == nil {
		return nil, Errorf(Invalid, ReasonBadFile)
	}
	pub := &Publication{Kind: d.Kind, ID: d.ID, Name: d.Name, Data: d.Data, By: v.ID, At: s.now(), Change: d.Change()}
	err := s.Store.Update(ctx, func(tx Tx) error {
		p := *pub
		if err := tx.Publish(&p); err != nil {
			return err
		}
		pub.Version = p.Version
		if d.Kind == PubOrg {
			if err := recount(tx, d.content.Tree); err != nil {
				return err
			}
			return retotal(tx, d.base.Tree, d.content.Tree)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.SetContent(d.content)
	return pub, nil
}

// recount rebuilds every node's member count for a new tree.
func recount(tx Tx, t *Tree) error {
	if err := tx.ClearMemberCounts(); err != nil {
		return err
	}
	counts := map[string]int64{}
	if err := tx.ForEachUser(func(u *User) error {
		if u.Branch != "" {
			for _, n := range t.Lineage(u.Branch) {
				counts[n]++
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for n, c := range counts {
		if err := tx.AddMemberCount(n, c); err != nil {
			return err
		}
	}
	return nil
}

// retotal keeps the totals of the nodes above the branches right when a
// new tree gives a branch other ancestors (a branch moved to another
// township, a level added): every total above a branch is the sum of its
// branches', so the totals of the nodes that are not branches are made
// again from the branches' own. Item statistics likewise.
func retotal(tx Tx, old, next *Tree) error {
	changed := false
	for _, leaf := range old.Leaves(old.Root()) {
		if next.Node(leaf) != nil && !slices.Equal(old.Lineage(leaf), next.Lineage(leaf)) {
			changed = true
			break
		}
	}
	if !changed {
		return nil
	}
	type stat struct {
		node, period string
		s            NodeStats
	}
	var inner, leaves []stat
	// A branch (a leaf of the old tree) holds its members' own totals;
	// every other node's are sums, made again below.
	branch := func(node string) bool { return old.IsLeaf(node) && next.Node(node) != nil }
	if err := tx.ForEachNodeStats(func(node, period string, st NodeStats) error {
		if branch(node) {
			leaves = append(leaves, stat{node, period, st})
		} else {
			inner = append(inner, stat{node, period, st})
		}
		return nil
	}); err != nil {
		return err
	}
	for _, x := range inner {
		if err := tx.AddNodeStats(x.node, x.period, x.s.Neg()); err != nil {
			return err
		}
	}
	for _, x := range leaves {
		if err := addTotals(tx, next.Lineage(x.node)[1:], x.s, x.period); err != nil {
			return err
		}
	}
	type item struct {
		node, key string
		s         ItemStats
	}
	var items []item
	for _, n := range old.Nodes() {
		if branch(n.ID) {
			continue
		}
		if err := tx.NodeItems(n.ID, func(key string, st ItemStats) error {
			items = append(items, item{n.ID, key, st})
			return nil
		}); err != nil {
			return err
		}
	}
	for _, x := range items {
		if err := tx.AddItemStats(x.node, x.key, x.s.Neg()); err != nil {
			return err
		}
	}
	items = items[:0]
	for _, leaf := range old.Leaves(old.Root()) {
		if !branch(leaf) {
			continue
		}
		if err := tx.NodeItems(leaf, func(key string, st ItemStats) error {
			items = append(items, item{leaf, key, st})
			return nil
		}); err != nil {
			return err
		}
	}
	for _, x := range items { // written after reading: no writes while a bucket is scanned
		for _, n := range next.Lineage(x.node)[1:] {
			if err := tx.AddItemStats(n, x.key, x.s); err != nil {
				return err
			}
		}
	}
	return nil
}

// Published returns the latest version of everything published in chat.
func (s *Service) Published(ctx context.Context) ([]Publication, error) {
	var out []Publication
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Publications()
		return err
	})
	return out, err
}

// PublishedContent lays what admins published in chat over the base
// content (the configured or built-in banks and tree): the content the
// program starts with. A publication that no longer passes the checks is
// an error: the program must not silently serve other banks.
func PublishedContent(ctx context.Context, st Store, base *questions.Catalog, baseTree *Tree) (*Content, error) {
	var pubs []Publication
	if err := st.View(ctx, func(tx Tx) error {
		var err error
		pubs, err = tx.Publications()
		return err
	}); err != nil {
		return nil, err
	}
	if len(pubs) == 0 {
		return &Content{Catalog: base, Tree: baseTree, Base: base}, nil
	}
	var files []*questions.File
	for _, p := range pubs {
		files = append(files, questions.ParseFile(questions.VersionName(p.Name, p.Version), p.Data))
	}
	set := questions.Merge(base, files...)
	if set.Catalog == nil {
		return nil, fmt.Errorf("published files no longer pass the checks:\n%w", set.Problems)
	}
	tree := baseTree
	for _, f := range files {
		if f.Org != nil {
			t, err := TreeOf(f.Org)
			if err != nil {
				return nil, err
			}
			tree = t
		}
	}
	if tree == nil {
		return nil, errors.New("no organisation tree")
	}
	return &Content{Catalog: set.Catalog, Tree: tree, Base: base}, nil
}
