package quiz

import (
	"context"
	"sort"
	"sync"
)

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
