package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"partyquiz/quiz"
)

// ErrNotFound is returned by getters when the record does not exist. It
// is quiz.ErrNotFound.
var ErrNotFound = quiz.ErrNotFound

// errReadOnly is returned by a write method of a View's Tx.
var errReadOnly = errors.New("store: write in a read-only transaction")

// chunk is how many records ForEachUser and NodeItems decode at a time.
const chunk = 256

// tx implements quiz.Tx over one bbolt transaction. Every value it
// returns is decoded from the transaction's bytes, so nothing points into
// bbolt's memory map once the transaction ends.
type tx struct {
	db      *DB
	tx      *bolt.Tx
	wrote   bool              // a write method was called
	emitted map[string]uint64 // events emitted, by ref: their seq
}

var _ quiz.Tx = (*tx)(nil)

func (t *tx) bucket(name []byte) *bolt.Bucket { return t.tx.Bucket(name) }

func (t *tx) writable() error {
	if !t.tx.Writable() {
		return errReadOnly
	}
	t.wrote = true
	return nil
}

func notFound(what string, args ...any) error {
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(what, args...), ErrNotFound)
}

// Salt returns the installation's secret for draws, made when the file was
// created.
func (t *tx) Salt() (string, error) {
	v := t.bucket(bucketMeta).Get(metaSalt)
	if v == nil {
		return "", notFound("salt")
	}
	return string(v), nil
}

// --- users --------------------------------------------------------------

// User returns a user, or ErrNotFound.
func (t *tx) User(id int64) (*quiz.User, error) {
	v := t.bucket(bucketUsers).Get(idKey(id))
	if v == nil {
		return nil, notFound("user %d", id)
	}
	return decodeUser(id, v)
}

// PutUser stores a user and keeps the index of branch members.
func (t *tx) PutUser(u *quiz.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	if u.Branch != "" {
		if err := checkPart("branch", u.Branch); err != nil {
			return err
		}
	}
	users, members := t.bucket(bucketUsers), t.bucket(bucketBranchMembers)
	key := idKey(u.ID)
	oldBranch := ""
	if old := users.Get(key); old != nil {
		o, err := decodeUser(u.ID, old)
		if err != nil {
			return err
		}
		oldBranch = o.Branch
	}
	if oldBranch != u.Branch {
		if oldBranch != "" {
			if err := members.Delete(pairKey(oldBranch, string(key))); err != nil {
				return err
			}
		}
		if u.Branch != "" {
			if err := members.Put(pairKey(u.Branch, string(key)), nil); err != nil {
				return err
			}
		}
	}
	v, err := encodeUser(u)
	if err != nil {
		return err
	}
	return users.Put(key, v)
}

// Members returns the members of a branch, by id.
func (t *tx) Members(branch string) ([]*quiz.User, error) {
	users := t.bucket(bucketUsers)
	prefix := pairKey(branch, "")
	var out []*quiz.User
	err := scan(t.bucket(bucketBranchMembers), prefix, func(k, _ []byte) error {
		id := k[len(prefix):]
		v := users.Get(id)
		if v == nil {
			return fmt.Errorf("store: branch %s lists user %x, who is not there", branch, id)
		}
		u, err := decodeUser(int64(binary.BigEndian.Uint64(id)), v)
		if err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

// ForEachUser visits every user by id until fn returns an error, which it
// returns. fn may write through the same Tx.
func (t *tx) ForEachUser(fn func(*quiz.User) error) error {
	return scanChunks(t.bucket(bucketUsers), nil, chunk, func(k, v []byte) (*quiz.User, error) {
		return decodeUser(int64(binary.BigEndian.Uint64(k)), v)
	}, fn)
}

// MemberCount returns the number of members of a node's subtree: 0 (not
// ErrNotFound) for a node without any.
func (t *tx) MemberCount(node string) (int64, error) {
	v := t.bucket(bucketMemberCounts).Get([]byte(node))
	if v == nil {
		return 0, nil
	}
	return decodeInt(v)
}

// AddMemberCount adds delta to a node's member count.
func (t *tx) AddMemberCount(node string, delta int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("node", node); err != nil {
		return err
	}
	b := t.bucket(bucketMemberCounts)
	n, err := t.MemberCount(node)
	if err != nil {
		return err
	}
	n += delta
	if n == 0 {
		return b.Delete([]byte(node))
	}
	return b.Put([]byte(node), encodeInt(n))
}

// MemberCounts returns the member count of every node that has one.
func (t *tx) MemberCounts() (map[string]int64, error) {
	out := make(map[string]int64, t.db.countsHint.Load())
	err := t.bucket(bucketMemberCounts).ForEach(func(k, v []byte) error {
		n, err := decodeInt(v)
		out[string(k)] = n
		return err
	})
	t.db.countsHint.Store(int64(len(out)))
	return out, err
}

// --- invites ------------------------------------------------------------

// Invite returns an invite, or ErrNotFound.
func (t *tx) Invite(code string) (*quiz.Invite, error) {
	if code == "" {
		return nil, notFound("invite %q", code)
	}
	v := t.bucket(bucketInvites).Get([]byte(code))
	if v == nil {
		return nil, notFound("invite %q", code)
	}
	return decodeInvite(code, v)
}

// PutInvite stores an invite.
func (t *tx) PutInvite(inv *quiz.Invite) error {
	if err := t.writable(); err != nil {
		return err
	}
	if inv.Code == "" {
		return errors.New("store: invite without a code")
	}
	v, err := encodeInvite(inv)
	if err != nil {
		return err
	}
	return t.bucket(bucketInvites).Put([]byte(inv.Code), v)
}

// --- attempts -----------------------------------------------------------

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

// --- ledger -------------------------------------------------------------

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

// --- progress -----------------------------------------------------------

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

// --- node stats ---------------------------------------------------------

// NodeStats returns a node's totals for a period, zero when none.
func (t *tx) NodeStats(node, period string) (quiz.NodeStats, error) {
	v := t.bucket(bucketNodeStats).Get(pairKey(period, node))
	if v == nil {
		return quiz.NodeStats{}, nil
	}
	return decodeNodeStats(v)
}

// AddNodeStats adds d to a node's totals for a period. The record is kept
// even when it adds up to zero: PeriodStats reports every node that had
// any.
func (t *tx) AddNodeStats(node, period string, d quiz.NodeStats) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("node", node); err != nil {
		return err
	}
	if err := checkPart("period", period); err != nil {
		return err
	}
	key := pairKey(period, node)
	b := t.bucket(bucketNodeStats)
	var s quiz.NodeStats
	if v := b.Get(key); v != nil {
		var err error
		if s, err = decodeNodeStats(v); err != nil {
			return err
		}
	}
	return b.Put(key, encodeNodeStats(s.Add(d)))
}

// PeriodStats returns the totals of every node for a period.
func (t *tx) PeriodStats(period string) (map[string]quiz.NodeStats, error) {
	prefix := pairKey(period, "")
	out := make(map[string]quiz.NodeStats, t.db.statsHint.Load())
	err := scan(t.bucket(bucketNodeStats), prefix, func(k, v []byte) error {
		s, err := decodeNodeStats(v)
		out[string(k[len(prefix):])] = s
		return err
	})
	if n := int64(len(out)); n > t.db.statsHint.Load() {
		t.db.statsHint.Store(n)
	}
	return out, err
}

// ForEachNodeStats visits every node's totals of every period, by period
// then node, until fn returns an error.
func (t *tx) ForEachNodeStats(fn func(node, period string, s quiz.NodeStats) error) error {
	return scan(t.bucket(bucketNodeStats), nil, func(k, v []byte) error {
		period, node, ok := bytes.Cut(k, []byte{sep})
		if !ok {
			return fmt.Errorf("store: node stats key %q: %w", k, errCorrupt)
		}
		s, err := decodeNodeStats(v)
		if err != nil {
			return err
		}
		return fn(string(node), string(period), s)
	})
}

// --- item stats ---------------------------------------------------------

// ItemStats returns a node's totals for one question version, zero (not
// ErrNotFound) when there are none.
func (t *tx) ItemStats(node, key string) (quiz.ItemStats, error) {
	v := t.bucket(bucketItemStats).Get(pairKey(node, key))
	if v == nil {
		return quiz.ItemStats{}, nil
	}
	return decodeItemStats(v)
}

// AddItemStats adds d to a node's totals for one question version.
func (t *tx) AddItemStats(node, key string, d quiz.ItemStats) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("node", node); err != nil {
		return err
	}
	if key == "" {
		return errors.New("store: item stats without a key")
	}
	k := pairKey(node, key)
	b := t.bucket(bucketItemStats)
	var s quiz.ItemStats
	if v := b.Get(k); v != nil {
		var err error
		if s, err = decodeItemStats(v); err != nil {
			return err
		}
	}
	return b.Put(k, encodeItemStats(s.Add(d)))
}

type keyedItemStats struct {
	key string
	s   quiz.ItemStats
}

// NodeItems visits a node's totals of every question version, in key
// order, until fn returns an error, which it returns. fn may write
// through the same Tx.
func (t *tx) NodeItems(node string, fn func(key string, s quiz.ItemStats) error) error {
	prefix := pairKey(node, "")
	return scanChunks(t.bucket(bucketItemStats), prefix, chunk, func(k, v []byte) (keyedItemStats, error) {
		s, err := decodeItemStats(v)
		return keyedItemStats{key: string(k[len(prefix):]), s: s}, err
	}, func(x keyedItemStats) error { return fn(x.key, x.s) })
}

// BankItems visits a node's totals of the question versions of one bank:
// the keys that start with "bank/".
func (t *tx) BankItems(node, bank string, fn func(key string, s quiz.ItemStats) error) error {
	if bank == "" {
		return errors.New("store: item stats of a bank without an id")
	}
	prefix := pairKey(node, "")
	return scanChunks(t.bucket(bucketItemStats), pairKey(node, bank+"/"), chunk, func(k, v []byte) (keyedItemStats, error) {
		s, err := decodeItemStats(v)
		return keyedItemStats{key: string(k[len(prefix):]), s: s}, err
	}, func(x keyedItemStats) error { return fn(x.key, x.s) })
}

// --- mistakes -----------------------------------------------------------

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

// --- grants -------------------------------------------------------------

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

// --- one-time tasks -----------------------------------------------------

func taskKey(task string) []byte { return append([]byte("task:"), task...) }

// Done reports whether a one-time task of the engine has run.
func (t *tx) Done(task string) (bool, error) {
	return t.bucket(bucketMeta).Get(taskKey(task)) != nil, nil
}

// MarkDone records that a one-time task of the engine has run.
func (t *tx) MarkDone(task string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.bucket(bucketMeta).Put(taskKey(task), []byte{1})
}

// --- publications -------------------------------------------------------

// pubPrefix is the start of the keys of every version of a kind and id.
func pubPrefix(kind, id string) []byte {
	k := pubKey(kind, id, 0)
	return k[:len(k)-4]
}

// lastPub returns the key and value of the latest version whose key
// starts with prefix (a pubPrefix), nil if there is none, with one seek:
// prefix with its closing 0x00 made 0x01 sorts after every version of
// that kind and id and before anything else.
func lastPub(c *bolt.Cursor, prefix []byte) (k, v []byte) {
	end := bytes.Clone(prefix)
	end[len(end)-1] = sep + 1
	if k, _ = c.Seek(end); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	return k, v
}

// Publish stores p as the next version of its kind and id (1 for the
// first) and sets p.Version. The store keeps its own copy of p.Data.
func (t *tx) Publish(p *quiz.Publication) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("publication kind", p.Kind); err != nil {
		return err
	}
	if err := checkPart("publication id", p.ID); err != nil {
		return err
	}
	b := t.bucket(bucketPublications)
	version := uint32(1)
	if k, _ := lastPub(b.Cursor(), pubPrefix(p.Kind, p.ID)); k != nil {
		_, _, last, err := splitPubKey(k)
		if err != nil {
			return err
		}
		if last == math.MaxUint32 {
			return fmt.Errorf("store: publication %s/%s has too many versions", p.Kind, p.ID)
		}
		version = last + 1
	}
	v, err := encodePublication(p)
	if err != nil {
		return err
	}
	key := pubKey(p.Kind, p.ID, version)
	if err := b.Put(key, v); err != nil {
		return err
	}
	if err := t.bucket(bucketPubData).Put(key, bytes.Clone(p.Data)); err != nil {
		return err
	}
	p.Version = int(version)
	return nil
}

// Publications returns the latest version of every kind and id, by kind
// then id, with its Data. It reads no other version's data.
func (t *tx) Publications() ([]quiz.Publication, error) {
	data := t.bucket(bucketPubData)
	c := t.bucket(bucketPublications).Cursor()
	var out []quiz.Publication
	for k, _ := c.First(); k != nil; {
		if len(k) < 4 {
			return nil, fmt.Errorf("store: corrupt publication key %q", k)
		}
		prefix := bytes.Clone(k[:len(k)-4])
		lk, lv := lastPub(c, prefix)
		if lk == nil {
			return nil, fmt.Errorf("store: corrupt publication key %q", k)
		}
		p, err := decodePublication(lk, lv)
		if err != nil {
			return nil, err
		}
		p.Data = bytes.Clone(data.Get(lk))
		out = append(out, p)
		k, _ = c.Next()
	}
	return out, nil
}

// PublicationHistory returns every version of one kind and id, oldest
// first, without their Data; none (and no error) if it was never
// published.
func (t *tx) PublicationHistory(kind, id string) ([]quiz.Publication, error) {
	if err := checkPart("publication kind", kind); err != nil {
		return nil, err
	}
	if err := checkPart("publication id", id); err != nil {
		return nil, err
	}
	var out []quiz.Publication
	err := scan(t.bucket(bucketPublications), pubPrefix(kind, id), func(k, v []byte) error {
		p, err := decodePublication(k, v)
		out = append(out, p)
		return err
	})
	return out, err
}

// PublicationVersion returns one version of a kind and id with its Data,
// or an error wrapping quiz.ErrNotFound.
func (t *tx) PublicationVersion(kind, id string, version int) (*quiz.Publication, error) {
	if err := checkPart("publication kind", kind); err != nil {
		return nil, err
	}
	if err := checkPart("publication id", id); err != nil {
		return nil, err
	}
	if version < 1 || int64(version) > math.MaxUint32 {
		return nil, notFound("publication %s/%s v%d", kind, id, version)
	}
	key := pubKey(kind, id, uint32(version))
	v := t.bucket(bucketPublications).Get(key)
	if v == nil {
		return nil, notFound("publication %s/%s v%d", kind, id, version)
	}
	p, err := decodePublication(key, v)
	if err != nil {
		return nil, err
	}
	p.Data = bytes.Clone(t.bucket(bucketPubData).Get(key))
	return &p, nil
}

// ClearMemberCounts forgets every member count.
func (t *tx) ClearMemberCounts() error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.tx.DeleteBucket(bucketMemberCounts); err != nil {
		return err
	}
	_, err := t.tx.CreateBucket(bucketMemberCounts)
	return err
}

// --- flags --------------------------------------------------------------

// AddFlag stores a member's report on a question and sets f.Seq.
func (t *tx) AddFlag(f *quiz.Flag) error {
	if err := t.writable(); err != nil {
		return err
	}
	if f.Key == "" {
		return errors.New("store: flag without a question key")
	}
	b := t.bucket(bucketFlags)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeFlag(f)
	if err != nil {
		return err
	}
	if err := b.Put(u64Key(seq), v); err != nil {
		return err
	}
	f.Seq = seq
	return nil
}

// Flags returns up to limit (all when limit <= 0) flags, newest first.
func (t *tx) Flags(limit int) ([]quiz.Flag, error) {
	var out []quiz.Flag
	c := t.bucket(bucketFlags).Cursor()
	for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
		if len(k) != 8 {
			return nil, errors.New("store: corrupt flag key")
		}
		f, err := decodeFlag(binary.BigEndian.Uint64(k), v)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
