package quiz

import (
	"context"
	"errors"
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
	// Base is the catalog the program started from, before what admins
	// published in chat (the configured folder or the built-in banks; nil:
	// Catalog). What can be restored to "as built in" is what Base has
	// built in.
	Base *questions.Catalog
}

// base is the catalog the program started from.
func (c *Content) base() *questions.Catalog {
	if c.Base != nil {
		return c.Base
	}
	return c.Catalog
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

// --- tests (季度一测) ----------------------------------------------------

// --- answering -------------------------------------------------------
