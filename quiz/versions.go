package quiz

import (
	"context"
	"errors"
	"strings"

	"partyquiz/questions"
)

// The versions of what admins published: every version of a bank, the
// plan or the tree is kept (Tx.Publish), with who published it, when and
// what it changed. History lists them; PublishedVersion returns one with
// its file, to send back; PrepareVersion makes a draft of an earlier one,
// which Publish publishes as the next version — a roll back is a
// publication like any other, confirmed the same way, and the history
// stays append-only.

// Change is what a publication changed, recorded when it was published.
type Change struct {
	New      bool // there was no such bank or plan before
	Restored int  // the version a roll back restored; 0 for an upload
	Builtin  bool // a roll back to the version built into the program
	Retitled bool // the bank's or the plan's title changed
	// A bank's questions, or a tree's nodes (Changed: renamed; Moved: given
	// another parent).
	Added, Changed, Removed, Moved int
	Months                         []int // a plan's months that changed
	Quarters                       []int // a plan's quarters whose test draws from other banks
}

// Change returns what publishing the draft changes.
func (d *Draft) Change() *Change {
	c := &Change{Restored: d.Restores, Builtin: d.RestoresBuiltin, Retitled: d.Retitled}
	switch {
	case d.Bank != nil:
		c.New = d.Bank.New
		c.Added, c.Changed, c.Removed = len(d.Bank.Added), len(d.Bank.Changed), len(d.Bank.Removed)
	case d.Org != nil:
		c.Added, c.Changed, c.Removed, c.Moved = len(d.Org.Added), len(d.Org.Renamed), len(d.Org.Removed), len(d.Org.Moved)
	default:
		c.New = d.base != nil && d.base.Catalog.Plan == nil
		c.Months, c.Quarters = d.Plan, d.Quarters
	}
	return c
}

// Version is one version in a history: the publication (without its
// data), and the name of who published it ("" when they are not a user,
// as an admin who never joined a branch).
type Version struct {
	Publication
	ByName string
}

// History returns every version of a bank, the plan ("plan") or the tree
// ("org"), newest first (admins only; none if it was never published). A
// version published before changes were recorded gets the change from
// its data and the data of the version before it; the first version's
// stays unknown (nil).
func (s *Service) History(ctx context.Context, v Viewer, kind, id string) ([]Version, error) {
	if !v.Admin {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	var out []Version
	err := s.Store.View(ctx, func(tx Tx) error {
		hist, err := tx.PublicationHistory(kind, id)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for i := len(hist) - 1; i >= 0; i-- {
			p := hist[i]
			if p.Change == nil && i > 0 {
				if p.Change, err = legacyChange(tx, kind, id, p.Version); err != nil {
					return err
				}
			}
			name, ok := names[p.By]
			if !ok {
				if u, err := tx.User(p.By); err == nil {
					name = u.Name
				} else if !errors.Is(err, ErrNotFound) {
					return err
				}
				names[p.By] = name
			}
			out = append(out, Version{Publication: p, ByName: name})
		}
		return nil
	})
	return out, err
}

// legacyChange works out what version n changed from its data and that of
// version n-1, for a version published before changes were recorded; nil
// if either no longer reads.
func legacyChange(tx Tx, kind, id string, n int) (*Change, error) {
	var files [2]*questions.File
	for i := range files {
		p, err := tx.PublicationVersion(kind, id, n-1+i)
		if err != nil {
			return nil, err
		}
		f := questions.ParseFile(questions.VersionName(p.Name, p.Version), p.Data)
		if len(f.Problems) > 0 {
			return nil, nil
		}
		files[i] = f
	}
	old, next := files[0], files[1]
	d := &Draft{}
	switch {
	case old.Bank != nil && next.Bank != nil:
		d.Bank = bankChange(old.Bank, next.Bank)
		d.Retitled = old.Bank.Title != next.Bank.Title
	case old.Plan != nil && next.Plan != nil:
		d.Plan, d.Quarters = planChange(old.Plan, next.Plan), quarterChange(old.Plan, next.Plan)
		d.Retitled = old.Plan.Title != next.Plan.Title
	case old.Org != nil && next.Org != nil:
		a, errA := TreeOf(old.Org)
		b, errB := TreeOf(next.Org)
		if errA != nil || errB != nil {
			return nil, nil
		}
		change := a.Diff(b)
		d.Org = &change
	default:
		return nil, nil
	}
	return d.Change(), nil
}

// PublishedVersion returns one version of a bank, the plan or the tree
// with its file (admins only): NotFound with ReasonNoVersion if there is
// no such version.
func (s *Service) PublishedVersion(ctx context.Context, v Viewer, kind, id string, version int) (*Publication, error) {
	if !v.Admin {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	var out *Publication
	err := s.Store.View(ctx, func(tx Tx) error {
		p, err := tx.PublicationVersion(kind, id, version)
		if errors.Is(err, ErrNotFound) {
			return Errorf(NotFound, ReasonNoVersion)
		}
		out = p
		return err
	})
	return out, err
}

// PrepareVersion is Prepare for an earlier version of a bank, the plan or
// the tree (admins only): a draft that publishes that version's file again,
// as the next version, checked against what is published now like any
// upload. NotFound with ReasonNoVersion if there is no such version.
func (s *Service) PrepareVersion(ctx context.Context, v Viewer, kind, id string, version int) (*Draft, error) {
	p, err := s.PublishedVersion(ctx, v, kind, id, version)
	if err != nil {
		return nil, err
	}
	d, err := s.Prepare(ctx, v, p.Name, p.Data)
	if err != nil {
		return nil, err
	}
	if len(d.Problems) == 0 && (d.Kind != kind || d.ID != id) {
		return nil, Errorf(NotFound, ReasonNoVersion) // a store that holds something else under that key
	}
	d.Restores = version
	return d, nil
}

// BuiltinFile is the name of the file built into the program that a
// bank, the plan or the tree started as, and whether there is one: only
// when the program started from it (the built-in banks; not a folder or
// an org file on the server, whose own first version is theirs).
func (s *Service) BuiltinFile(kind, id string) (string, bool) {
	cat := s.Content().base()
	switch {
	case kind == PubBank && cat.Bank(id) != nil && cat.Bank(id).Builtin:
		return cat.Bank(id).File, true
	case kind == PubPlan && cat.Plan != nil && cat.Plan.Builtin:
		return cat.Plan.File, true
	case kind == PubOrg && cat.Org != nil && cat.Org.Builtin:
		return cat.Org.File, true
	}
	return "", false
}

// PrepareBuiltin is PrepareVersion for the version built into the program
// (admins only): a draft that publishes the built-in file again, as the
// next version, after versions published in chat replaced it. NotFound
// with ReasonNoVersion if nothing of that kind and id is built in.
func (s *Service) PrepareBuiltin(ctx context.Context, v Viewer, kind, id string) (*Draft, error) {
	if !v.Admin {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	name, ok := s.BuiltinFile(kind, id)
	if !ok {
		return nil, Errorf(NotFound, ReasonNoVersion)
	}
	data, ok := questions.BuiltinFile(name)
	if !ok {
		return nil, Errorf(NotFound, ReasonNoVersion)
	}
	d, err := s.Prepare(ctx, v, name, data)
	if err != nil {
		return nil, err
	}
	if len(d.Problems) == 0 && (d.Kind != kind || d.ID != id) {
		return nil, Errorf(NotFound, ReasonNoVersion)
	}
	d.RestoresBuiltin = true
	return d, nil
}

// countAsked finds what members were asked of the questions a bank's
// upload removes (c.Removed): the root's item statistics of the bank count
// every answer of study, tests and contests to every version of its
// questions (the past, and what open attempts have answered), and the
// open attempts hold what members are being asked now and have not all
// answered yet. Both are read in one transaction; the first is a range
// of one bank's keys, the second reads every open attempt's item keys.
func (s *Service) countAsked(ctx context.Context, tree *Tree, bank string, c *BankChange) error {
	if len(c.Removed) == 0 {
		return nil
	}
	removed := map[string]bool{}
	for _, id := range c.Removed {
		removed[bank+"/"+id] = true
	}
	asked := map[string]bool{}
	var answers int64
	open := 0
	err := s.Store.View(ctx, func(tx Tx) error {
		if tree != nil {
			if err := tx.BankItems(tree.Root(), bank, func(key string, st ItemStats) error {
				k, _, _ := strings.Cut(key, "@") // "bank/id@hash"
				if removed[k] && st.Answers > 0 {
					asked[k] = true
					answers += st.Answers
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return tx.OpenQuestions(func(_ uint64, keys []string) error {
			hit := false
			for _, k := range keys {
				if removed[k] {
					asked[k], hit = true, true
				}
			}
			if hit {
				open++
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, id := range c.Removed {
		if asked[bank+"/"+id] {
			c.Asked = append(c.Asked, id)
		}
	}
	c.Answers, c.Open = answers, open
	return nil
}
