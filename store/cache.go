package store

import (
	"container/list"
	"sync"

	"partyquiz/quiz"
)

// itemCache keeps the decoded items of recently used attempts. Items never
// change once an attempt is created, so an entry never goes stale; only
// committed items are added (see tx.cacheItems), so an id that a
// rolled-back transaction used and a later one reuses cannot be confused.
type itemCache struct {
	mu    sync.Mutex
	size  int
	order *list.List // front: most recently used; values are *cacheEntry
	byID  map[uint64]*list.Element
}

type cacheEntry struct {
	id    uint64
	items []quiz.Item // never handed out: callers get copies
}

func newItemCache(size int) *itemCache {
	if size < 0 {
		size = 0
	}
	return &itemCache{size: size, order: list.New(), byID: map[uint64]*list.Element{}}
}

// get returns a copy of the cached items of attempt id.
func (c *itemCache) get(id uint64) ([]quiz.Item, bool) {
	if c.size == 0 {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.byID[id]
	if !ok {
		c.mu.Unlock()
		return nil, false
	}
	c.order.MoveToFront(e)
	items := e.Value.(*cacheEntry).items
	c.mu.Unlock()
	return copyItems(items), true
}

// add caches items, which the cache now owns.
func (c *itemCache) add(id uint64, items []quiz.Item) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.byID[id] = c.order.PushFront(&cacheEntry{id: id, items: items})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*cacheEntry).id)
	}
}

// len returns the number of cached attempts.
func (c *itemCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
