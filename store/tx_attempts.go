package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"partyquiz/quiz"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// userAttemptKey is user + kind + 0x00 + period + 0x00 + N (4 bytes).
func userAttemptPrefix(user int64, kind quiz.Kind, period *string) []byte {
	k := userKey(user, string(kind))
	k = append(k, sep)
	if period != nil {
		k = append(k, *period...)
		k = append(k, sep)
	}
	return k
}

// CreateAttempt stores a new attempt, its items and its index entries, and
// sets a.ID.
func (t *tx) CreateAttempt(a *quiz.Attempt) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("kind", string(a.Kind)); err != nil {
		return err
	}
	if a.Period != "" {
		if err := checkPart("period", a.Period); err != nil {
			return err
		}
	}
	if len(a.Responses) != len(a.Items) {
		return fmt.Errorf("store: attempt with %d items and %d responses", len(a.Items), len(a.Responses))
	}
	atts := t.bucket(bucketAttempts)
	id, err := atts.NextSequence()
	if err != nil {
		return err
	}
	refs := make([]itemRef, len(a.Items))
	for i := range a.Items {
		if refs[i], err = t.putItem(&a.Items[i]); err != nil {
			return err
		}
	}
	a.ID = id
	key := u64Key(id)
	if err := t.putAttempt(key, a, nil); err != nil {
		return err
	}
	if err := t.bucket(bucketAttemptItems).Put(key, encodeRefs(refs)); err != nil {
		return err
	}
	idx := binary.BigEndian.AppendUint32(userAttemptPrefix(a.User, a.Kind, &a.Period), uint32(a.N))
	ub := t.bucket(bucketUserAttempts)
	if ub.Get(idx) != nil {
		return fmt.Errorf("store: user %d already has %s attempt %d of %q", a.User, a.Kind, a.N, a.Period)
	}
	if err := ub.Put(idx, key); err != nil {
		return err
	}
	t.cacheItems(id, copyItems(a.Items))
	return nil
}

// cacheItems adds an attempt's items to the cache once they are committed
// (at once in a read-only transaction, which sees only committed data).
func (t *tx) cacheItems(id uint64, items []quiz.Item) {
	if !t.tx.Writable() {
		t.db.items.add(id, items)
		return
	}
	t.tx.OnCommit(func() { t.db.items.add(id, items) })
}

// putAttempt writes an attempt's header and moves its entry in
// open_attempts; old is its previous header value (nil when new).
func (t *tx) putAttempt(key []byte, a *quiz.Attempt, old []byte) error {
	v := encodeAttempt(a)
	newOpen := binary.BigEndian.Uint64(v[:8])
	var oldOpen uint64
	if len(old) >= 8 {
		oldOpen = binary.BigEndian.Uint64(old[:8])
	}
	if oldOpen != newOpen {
		open := t.bucket(bucketOpenAttempts)
		if oldOpen != 0 {
			if err := open.Delete(binary.BigEndian.AppendUint64(u64Key(oldOpen), a.ID)); err != nil {
				return err
			}
		}
		if newOpen != 0 {
			if err := open.Put(binary.BigEndian.AppendUint64(u64Key(newOpen), a.ID), nil); err != nil {
				return err
			}
		}
	}
	return t.bucket(bucketAttempts).Put(key, v)
}

// Attempt returns an attempt with its items, or ErrNotFound.
func (t *tx) Attempt(id uint64) (*quiz.Attempt, error) {
	key := u64Key(id)
	v := t.bucket(bucketAttempts).Get(key)
	if v == nil {
		return nil, notFound("attempt %d", id)
	}
	a, err := decodeAttempt(id, v)
	if err != nil {
		return nil, err
	}
	items, ok := t.db.items.get(id)
	if !ok {
		iv := t.bucket(bucketAttemptItems).Get(key)
		if iv == nil {
			return nil, fmt.Errorf("store: attempt %d has no items", id)
		}
		refs, err := decodeRefs(iv)
		if err != nil {
			return nil, fmt.Errorf("store: items of attempt %d: %w", id, err)
		}
		items = make([]quiz.Item, len(refs))
		for i, ref := range refs {
			if items[i], err = t.item(ref); err != nil {
				return nil, err
			}
		}
		t.cacheItems(id, copyItems(items))
	}
	a.Items = items
	return a, nil
}

// PutAttempt stores an attempt's state and responses (its items, user,
// kind, period and N are fixed when it is created). ErrNotFound if it was
// never created.
func (t *tx) PutAttempt(a *quiz.Attempt) error {
	if err := t.writable(); err != nil {
		return err
	}
	key := u64Key(a.ID)
	old := t.bucket(bucketAttempts).Get(key)
	if old == nil {
		return notFound("attempt %d", a.ID)
	}
	return t.putAttempt(key, a, old)
}

// Attempts returns a user's attempts of a kind and period, by N.
func (t *tx) Attempts(user int64, kind quiz.Kind, period string) ([]*quiz.Attempt, error) {
	var ids []uint64
	err := scan(t.bucket(bucketUserAttempts), userAttemptPrefix(user, kind, &period), func(_, v []byte) error {
		ids = append(ids, binary.BigEndian.Uint64(v))
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*quiz.Attempt, 0, len(ids))
	for _, id := range ids {
		a, err := t.Attempt(id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// UserAttempts returns the ids of a user's attempts of a kind, oldest
// first.
func (t *tx) UserAttempts(user int64, kind quiz.Kind) ([]uint64, error) {
	var ids []uint64
	err := scan(t.bucket(bucketUserAttempts), userAttemptPrefix(user, kind, nil), func(_, v []byte) error {
		ids = append(ids, binary.BigEndian.Uint64(v))
		return nil
	})
	slices.Sort(ids)
	return ids, err
}

// Expiring returns up to limit (all when limit <= 0) open attempts whose
// deadline, or end of period, is at or before t, soonest first.
func (t *tx) Expiring(at time.Time, limit int) ([]uint64, error) {
	end := timeKey(at)
	var out []uint64
	c := t.bucket(bucketOpenAttempts).Cursor()
	for k, _ := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
		if len(k) != 16 {
			return nil, errors.New("store: corrupt open attempt key")
		}
		if binary.BigEndian.Uint64(k[:8]) > end {
			break
		}
		out = append(out, binary.BigEndian.Uint64(k[8:]))
	}
	return out, nil
}

// OpenQuestions visits every attempt in open_attempts with the keys
// ("bank/id") of its questions. It reads only the text keys of the
// attempts' item references, and each text once (through the text
// cache): no header, response or option order is decoded.
func (t *tx) OpenQuestions(fn func(attempt uint64, keys []string) error) error {
	items := t.bucket(bucketAttemptItems)
	keys := map[textKey]string{}
	var out []string
	c := t.bucket(bucketOpenAttempts).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) != 16 {
			return errors.New("store: corrupt open attempt key")
		}
		id := binary.BigEndian.Uint64(k[8:])
		iv := items.Get(k[8:])
		if iv == nil {
			return fmt.Errorf("store: attempt %d has no items", id)
		}
		out = out[:0]
		var terr error
		err := refKeys(iv, func(tk *textKey) {
			key, ok := keys[*tk]
			if !ok && terr == nil {
				x, err := t.text(*tk)
				if err != nil {
					terr = err
					return
				}
				key = x.Bank + "/" + x.QID
				keys[*tk] = key
			}
			out = append(out, key)
		})
		if err != nil {
			return fmt.Errorf("store: items of attempt %d: %w", id, err)
		}
		if terr != nil {
			return terr
		}
		if err := fn(id, out); err != nil {
			return err
		}
	}
	return nil
}

// AddEntry appends to a user's ledger and sets e.Seq; it returns false,
// and records nothing, when the user already has an entry with e.Ref. An
// entry without a Ref is refused with an error.
func (t *tx) AddEntry(e *quiz.Entry) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	if e.Ref == "" {
		return false, errors.New("store: ledger entry without a ref")
	}
	refs, ledger := t.bucket(bucketLedgerRefs), t.bucket(bucketLedger)
	ref := userKey(e.User, e.Ref)
	if refs.Get(ref) != nil {
		return false, nil
	}
	seq, err := ledger.NextSequence()
	if err != nil {
		return false, err
	}
	v, err := encodeEntry(e)
	if err != nil {
		return false, err
	}
	if err := ledger.Put(binary.BigEndian.AppendUint64(idKey(e.User), seq), v); err != nil {
		return false, err
	}
	if err := refs.Put(ref, u64Key(seq)); err != nil {
		return false, err
	}
	e.Seq = seq
	return true, nil
}

// Entries returns a user's ledger in the order it was written.
func (t *tx) Entries(user int64) ([]quiz.Entry, error) {
	var out []quiz.Entry
	err := scan(t.bucket(bucketLedger), idKey(user), func(k, v []byte) error {
		e, err := decodeEntry(user, binary.BigEndian.Uint64(k[8:]), v)
		out = append(out, e)
		return err
	})
	return out, err
}

// Progress returns a user's record for a period, the zero value when there
// is none.
func (t *tx) Progress(user int64, period string) (quiz.Progress, error) {
	v := t.bucket(bucketProgress).Get(userKey(user, period))
	if v == nil {
		return quiz.Progress{}, nil
	}
	return decodeProgress(v)
}

// PutProgress stores a user's record for a period (the zero value is not
// stored).
func (t *tx) PutProgress(user int64, period string, p quiz.Progress) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("period", period); err != nil {
		return err
	}
	b := t.bucket(bucketProgress)
	if p == (quiz.Progress{}) {
		return b.Delete(userKey(user, period))
	}
	v, err := encodeProgress(p)
	if err != nil {
		return err
	}
	return b.Put(userKey(user, period), v)
}

// UserProgress returns every record of a user, by period key.
func (t *tx) UserProgress(user int64) (map[string]quiz.Progress, error) {
	out := map[string]quiz.Progress{}
	err := scan(t.bucket(bucketProgress), idKey(user), func(k, v []byte) error {
		p, err := decodeProgress(v)
		out[string(k[8:])] = p
		return err
	})
	return out, err
}

// Mistake returns one question of a user's mistake book, nil (and no
// error) if it is not there.
func (t *tx) Mistake(user int64, key string) (*quiz.Mistake, error) {
	v := t.bucket(bucketMistakes).Get(userKey(user, key))
	if v == nil {
		return nil, nil
	}
	return t.decodeMistake(user, key, v)
}

// PutMistake stores a question of a user's mistake book.
func (t *tx) PutMistake(m *quiz.Mistake) error {
	if err := t.writable(); err != nil {
		return err
	}
	if m.Key == "" {
		return errors.New("store: mistake without a key")
	}
	v, err := t.encodeMistake(m)
	if err != nil {
		return err
	}
	return t.bucket(bucketMistakes).Put(userKey(m.User, m.Key), v)
}

// DeleteMistake removes a question from a user's mistake book (nothing
// happens if it is not there).
func (t *tx) DeleteMistake(user int64, key string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.bucket(bucketMistakes).Delete(userKey(user, key))
}

// Mistakes returns a user's mistake book, by key.
func (t *tx) Mistakes(user int64) ([]*quiz.Mistake, error) {
	var out []*quiz.Mistake
	err := scan(t.bucket(bucketMistakes), idKey(user), func(k, v []byte) error {
		m, err := t.decodeMistake(user, string(k[8:]), v)
		out = append(out, m)
		return err
	})
	return out, err
}

// Grants returns a user's make-ups, oldest first.
func (t *tx) Grants(user int64) ([]quiz.Grant, error) {
	var out []quiz.Grant
	err := scan(t.bucket(bucketGrants), idKey(user), func(_, v []byte) error {
		g, err := decodeGrant(user, v)
		out = append(out, g)
		return err
	})
	return out, err
}

// PutGrant appends a make-up to a user's list.
func (t *tx) PutGrant(g quiz.Grant) error {
	if err := t.writable(); err != nil {
		return err
	}
	b := t.bucket(bucketGrants)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeGrant(&g)
	if err != nil {
		return err
	}
	k := binary.BigEndian.AppendUint64(idKey(g.User), uint64(nanos(g.At))^(1<<63))
	if err := b.Put(binary.BigEndian.AppendUint64(k, seq), v); err != nil {
		return err
	}
	return noteMakeup(t.bucket(bucketMakeups), g)
}

// noteMakeup keeps the latest Until of the make-ups of g's kind and
// period.
func noteMakeup(b *bolt.Bucket, g quiz.Grant) error {
	if err := checkPart("make-up kind", string(g.Kind)); err != nil {
		return err
	}
	if err := checkPart("make-up period", g.Period); err != nil {
		return err
	}
	key := pairKey(string(g.Kind), g.Period)
	if v := b.Get(key); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= nanos(g.Until) {
		return nil
	}
	return b.Put(key, encodeInt(nanos(g.Until)))
}

// MakeupUntil returns the latest Until of the make-ups of every period of
// a kind.
func (t *tx) MakeupUntil(kind quiz.Kind) (map[string]time.Time, error) {
	prefix := pairKey(string(kind), "")
	out := map[string]time.Time{}
	err := scan(t.bucket(bucketMakeups), prefix, func(k, v []byte) error {
		n, err := decodeInt(v)
		out[string(k[len(prefix):])] = fromNanos(n)
		return err
	})
	return out, err
}
