package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// Attempts and mistakes keep a snapshot of every question as it was
// asked. The text of a question version — bank, id, hash, type, text,
// options, accepted answers, explanation, source — is the same in every
// member's snapshot; only the order of the options (and so the indexes of
// the right ones) differs. So the text is stored once, in item_texts,
// under a hash of its content, and a snapshot keeps that key with its
// option order: a test of 20 questions takes about 500 bytes instead of
// 9 KB, which is what lets a year of a province's history fit on one
// disk.

// textKey is the item_texts key of a question text: the first 16 bytes of
// the SHA-256 of its fields.
type textKey [16]byte

// itemText is the shared part of an item; Options are sorted.
type itemText struct {
	Bank        string         `json:"b"`
	QID         string         `json:"q"`
	Hash        string         `json:"h,omitempty"`
	Type        questions.Type `json:"y"`
	Text        string         `json:"t,omitempty"`
	Options     []string       `json:"o,omitempty"`
	Accepted    []string       `json:"c,omitempty"`
	Explanation string         `json:"e,omitempty"`
	Source      string         `json:"s,omitempty"`
}

func (x *itemText) key() textKey {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	str := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	list := func(l []string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(l)))])
		for _, s := range l {
			str(s)
		}
	}
	str(x.Bank)
	str(x.QID)
	str(x.Hash)
	str(string(x.Type))
	str(x.Text)
	list(x.Options)
	list(x.Accepted)
	str(x.Explanation)
	str(x.Source)
	var k textKey
	copy(k[:], h.Sum(nil))
	return k
}

// itemRef is an item without its text: the key of the text, the order in
// which the options were shown (perm[shown] = index in the sorted
// options), the right answers in shown order, and whether it came from
// the mistake book.
type itemRef struct {
	Key     textKey
	Perm    []int
	Answer  []int
	Mistake bool
}

// splitItem separates an item into its shared text and its reference.
func splitItem(it *quiz.Item) (*itemText, itemRef) {
	x := &itemText{Bank: it.Bank, QID: it.QID, Hash: it.Hash, Type: it.Type, Text: it.Text,
		Options: slices.Clone(it.Options), Accepted: it.Accepted, Explanation: it.Explanation, Source: it.Source}
	sort.Strings(x.Options)
	ref := itemRef{Key: x.key(), Answer: it.Answer, Mistake: it.Mistake}
	if len(it.Options) > 0 {
		ref.Perm = make([]int, len(it.Options))
		used := make([]bool, len(x.Options))
		for i, o := range it.Options {
			j := sort.SearchStrings(x.Options, o)
			for used[j] { // equal options: the next copy
				j++
			}
			used[j] = true
			ref.Perm[i] = j
		}
	}
	return x, ref
}

// joinItem rebuilds an item from its text and reference.
func joinItem(x *itemText, ref itemRef) (quiz.Item, error) {
	it := quiz.Item{Bank: x.Bank, QID: x.QID, Hash: x.Hash, Type: x.Type, Text: x.Text,
		Accepted: slices.Clone(x.Accepted), Explanation: x.Explanation, Source: x.Source,
		Answer: ref.Answer, Mistake: ref.Mistake}
	if len(ref.Perm) > 0 {
		it.Options = make([]string, len(ref.Perm))
		for i, j := range ref.Perm {
			if j < 0 || j >= len(x.Options) {
				return quiz.Item{}, errors.New("store: corrupt item reference")
			}
			it.Options[i] = x.Options[j]
		}
	}
	return it, nil
}

// textCache keeps decoded texts. A text never changes under its key (the
// key is its hash), so entries never go stale, even ones a rolled-back
// transaction wrote. It is emptied when it grows past its size.
type textCache struct {
	mu   sync.RWMutex
	size int
	m    map[textKey]*itemText
}

func (c *textCache) get(k textKey) *itemText {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

func (c *textCache) add(k textKey, x *itemText) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.size {
		c.m = map[textKey]*itemText{}
	}
	c.m[k] = x
}

// putItem stores the text of an item if it is new and returns its
// reference. It always looks in the bucket, never in the cache, which
// may hold texts of transactions that were rolled back.
func (t *tx) putItem(it *quiz.Item) (itemRef, error) {
	x, ref := splitItem(it)
	b := t.bucket(bucketItemTexts)
	if b.Get(ref.Key[:]) != nil {
		return ref, nil
	}
	v, err := json.Marshal(x)
	if err != nil {
		return ref, err
	}
	return ref, b.Put(ref.Key[:], v)
}

// item rebuilds an item from its reference.
func (t *tx) item(ref itemRef) (quiz.Item, error) {
	x, err := t.text(ref.Key)
	if err != nil {
		return quiz.Item{}, err
	}
	return joinItem(x, ref)
}

// text returns the text of a question version, from the cache or the
// bucket.
func (t *tx) text(k textKey) (*itemText, error) {
	if x := t.db.texts.get(k); x != nil {
		return x, nil
	}
	v := t.bucket(bucketItemTexts).Get(k[:])
	if v == nil {
		return nil, fmt.Errorf("store: item text %x is missing", k)
	}
	x := new(itemText)
	if err := json.Unmarshal(v, x); err != nil {
		return nil, fmt.Errorf("store: item text %x: %w", k, err)
	}
	t.db.texts.add(k, x)
	return x, nil
}

// --- binary records ---------------------------------------------------------
//
// attempt_items and attempts values are binary: uvarints, zig-zag varints,
// strings as a uvarint length and the bytes, floats as 8 bytes. Each
// starts with a format byte; a decoder ignores bytes after the fields it
// knows, so a later format may append fields.

const formatV1 = 1

type writer []byte

func (w *writer) uv(v uint64) { *w = binary.AppendUvarint(*w, v) }
func (w *writer) v(v int64)   { *w = binary.AppendVarint(*w, v) }
func (w *writer) str(s string) {
	w.uv(uint64(len(s)))
	*w = append(*w, s...)
}
func (w *writer) ints(l []int) {
	w.uv(uint64(len(l)))
	for _, x := range l {
		w.v(int64(x))
	}
}
func (w *writer) f64(f float64) { *w = binary.BigEndian.AppendUint64(*w, math.Float64bits(f)) }

type reader struct {
	b   []byte
	err error
}

var errCorrupt = errors.New("store: corrupt record")

func (r *reader) uv() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) v() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(len(r.b)) < n {
		r.err = errCorrupt
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) str() string { return string(r.bytes(r.uv())) }

func (r *reader) ints() []int {
	n := r.uv()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(r.v())
	}
	return out
}

func (r *reader) f64() float64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b))
}

// encodeRefs is the attempt_items value.
func encodeRefs(refs []itemRef) []byte {
	w := writer(make([]byte, 0, 2+len(refs)*24))
	w = append(w, formatV1)
	w.uv(uint64(len(refs)))
	for _, r := range refs {
		w = append(w, r.Key[:]...)
		flags := uint64(0)
		if r.Mistake {
			flags |= 1
		}
		w.uv(flags)
		w.ints(r.Perm)
		w.ints(r.Answer)
	}
	return w
}

func decodeRefs(data []byte) ([]itemRef, error) {
	if len(data) == 0 || data[0] != formatV1 {
		return nil, errCorrupt
	}
	r := reader{b: data[1:]}
	n := r.uv()
	if n > uint64(len(r.b)) {
		return nil, errCorrupt
	}
	refs := make([]itemRef, n)
	for i := range refs {
		copy(refs[i].Key[:], r.bytes(16))
		refs[i].Mistake = r.uv()&1 != 0
		refs[i].Perm = r.ints()
		refs[i].Answer = r.ints()
	}
	return refs, r.err
}

// refKeys calls fn with the text key of each item reference in an
// attempt_items value, in order, without decoding the rest of them.
func refKeys(data []byte, fn func(k *textKey)) error {
	if len(data) == 0 || data[0] != formatV1 {
		return errCorrupt
	}
	r := reader{b: data[1:]}
	n := r.uv()
	if n > uint64(len(r.b)) {
		return errCorrupt
	}
	skipInts := func() {
		for m := r.uv(); m > 0 && r.err == nil; m-- {
			r.v()
		}
	}
	var k textKey
	for i := uint64(0); i < n && r.err == nil; i++ {
		key := r.bytes(16)
		r.uv() // flags
		skipInts()
		skipInts()
		if r.err == nil {
			copy(k[:], key)
			fn(&k)
		}
	}
	return r.err
}

// Attempt header flags.
const (
	attClosed = 1 << iota
	attFlagged
	attMakeup
)

// Response flags.
const (
	respDone = 1 << iota
	respRight
	respCreditOne // Credit is 1
	respCredit    // Credit follows
	respAt        // At follows, as nanoseconds after Started
	respSeconds   // Seconds follows
	respKey       // Key follows (added later: older records simply lack it)
)

// encodeAttempt returns the attempts value: the 8-byte open key, the
// format byte, then the header and the responses.
func encodeAttempt(a *quiz.Attempt) []byte {
	w := writer(make([]byte, 8, 64+len(a.Responses)*20))
	binary.BigEndian.PutUint64(w, openKey(a))
	w = append(w, formatV1)
	w.v(a.User)
	w.str(string(a.Kind))
	w.str(a.Period)
	w.v(int64(a.N))
	w.str(a.Branch)
	started := nanos(a.Started)
	w.v(started)
	w.v(nanos(a.Deadline))
	w.v(nanos(a.Until))
	var flags uint64
	if a.Closed {
		flags |= attClosed
	}
	if a.Flagged {
		flags |= attFlagged
	}
	if a.Makeup {
		flags |= attMakeup
	}
	w.uv(flags)
	w.v(nanos(a.ClosedAt))
	w.v(int64(a.Score))
	w.v(int64(a.Right))
	w.uv(uint64(len(a.Responses)))
	for i := range a.Responses {
		r := &a.Responses[i]
		var f uint64
		if r.Done {
			f |= respDone
		}
		if r.Right {
			f |= respRight
		}
		switch r.Credit {
		case 0:
		case 1:
			f |= respCreditOne
		default:
			f |= respCredit
		}
		if !r.At.IsZero() {
			f |= respAt
		}
		if r.Seconds != 0 {
			f |= respSeconds
		}
		if r.Key != "" {
			f |= respKey
		}
		w.uv(f)
		w.ints(r.Choice)
		w.str(r.Text)
		if f&respCredit != 0 {
			w.f64(r.Credit)
		}
		if f&respAt != 0 {
			w.v(nanos(r.At) - started)
		}
		if f&respSeconds != 0 {
			w.f64(r.Seconds)
		}
		if f&respKey != 0 {
			w.str(r.Key)
		}
	}
	return w
}

func decodeAttempt(id uint64, data []byte) (*quiz.Attempt, error) {
	if len(data) < 9 || data[8] != formatV1 {
		return nil, fmt.Errorf("store: attempt %d: %w", id, errCorrupt)
	}
	r := reader{b: data[9:]}
	a := &quiz.Attempt{ID: id}
	a.User = r.v()
	a.Kind = quiz.Kind(r.str())
	a.Period = r.str()
	a.N = int(r.v())
	a.Branch = r.str()
	started := r.v()
	a.Started = fromNanos(started)
	a.Deadline = fromNanos(r.v())
	a.Until = fromNanos(r.v())
	flags := r.uv()
	a.Closed, a.Flagged, a.Makeup = flags&attClosed != 0, flags&attFlagged != 0, flags&attMakeup != 0
	a.ClosedAt = fromNanos(r.v())
	a.Score = int(r.v())
	a.Right = int(r.v())
	n := r.uv()
	if n > uint64(len(r.b)) {
		return nil, fmt.Errorf("store: attempt %d: %w", id, errCorrupt)
	}
	a.Responses = make([]quiz.Response, n)
	for i := range a.Responses {
		x := &a.Responses[i]
		f := r.uv()
		x.Done, x.Right = f&respDone != 0, f&respRight != 0
		x.Choice = r.ints()
		x.Text = r.str()
		switch {
		case f&respCreditOne != 0:
			x.Credit = 1
		case f&respCredit != 0:
			x.Credit = r.f64()
		}
		if f&respAt != 0 {
			x.At = fromNanos(r.v() + started)
		}
		if f&respSeconds != 0 {
			x.Seconds = r.f64()
		}
		if f&respKey != 0 {
			x.Key = r.str()
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("store: attempt %d: %w", id, r.err)
	}
	return a, nil
}

// --- mistakes ---------------------------------------------------------------

type mistakeRecord struct {
	Key     []byte `json:"k"` // text key
	Perm    []int  `json:"o,omitempty"`
	Answer  []int  `json:"a,omitempty"`
	Mistake bool   `json:"m,omitempty"`
	Box     int    `json:"x,omitempty"`
	Due     int64  `json:"d,omitempty"`
	Misses  int    `json:"n,omitempty"`
	Added   int64  `json:"t,omitempty"`
	Test    string `json:"q,omitempty"`
}

func (t *tx) encodeMistake(m *quiz.Mistake) ([]byte, error) {
	ref, err := t.putItem(&m.Item)
	if err != nil {
		return nil, err
	}
	return json.Marshal(mistakeRecord{Key: ref.Key[:], Perm: ref.Perm, Answer: ref.Answer, Mistake: ref.Mistake,
		Box: m.Box, Due: nanos(m.Due), Misses: m.Misses, Added: nanos(m.Added), Test: m.Test})
}

func (t *tx) decodeMistake(user int64, key string, data []byte) (*quiz.Mistake, error) {
	var r mistakeRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("store: mistake of %d: %w", user, err)
	}
	ref := itemRef{Perm: r.Perm, Answer: r.Answer, Mistake: r.Mistake}
	if len(r.Key) != len(ref.Key) {
		return nil, fmt.Errorf("store: mistake of %d: %w", user, errCorrupt)
	}
	copy(ref.Key[:], r.Key)
	it, err := t.item(ref)
	if err != nil {
		return nil, err
	}
	return &quiz.Mistake{User: user, Key: key, Item: it, Box: r.Box, Due: fromNanos(r.Due),
		Misses: r.Misses, Added: fromNanos(r.Added), Test: r.Test}, nil
}
