package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"partyquiz/quiz"
)

// sep ends a variable-length key part: node ids, period keys and kinds
// never contain it.
const sep = 0x00

// idKey is a user or chat id as 8 big-endian bytes.
func idKey(id int64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(id)) }

// u64Key is an unsigned integer as 8 big-endian bytes.
func u64Key(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v) }

// userKey is a user's 8 bytes followed by rest.
func userKey(user int64, rest ...string) []byte {
	n := 8
	for _, r := range rest {
		n += len(r)
	}
	k := binary.BigEndian.AppendUint64(make([]byte, 0, n), uint64(user))
	for _, r := range rest {
		k = append(k, r...)
	}
	return k
}

// pairKey is a + 0x00 + b.
func pairKey(a, b string) []byte {
	k := make([]byte, 0, len(a)+1+len(b))
	k = append(k, a...)
	k = append(k, sep)
	return append(k, b...)
}

// timeKey orders instants as unsigned big-endian integers: unix
// nanoseconds with the sign bit flipped. 0 stands for "no time".
func timeKey(t time.Time) uint64 { return uint64(t.UnixNano()) ^ (1 << 63) }

// nanos and fromNanos keep instants in records as unix nanoseconds, 0
// for the zero time; they come back in UTC.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// checkPart refuses a key part that would break the key layout.
func checkPart(what, s string) error {
	if s == "" || bytes.IndexByte([]byte(s), sep) >= 0 {
		return fmt.Errorf("store: bad %s %q", what, s)
	}
	return nil
}

// scan visits the keys with prefix in order. fn must not write to b.
func scan(b *bolt.Bucket, prefix []byte, fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// scanChunks visits the keys with prefix in order, decoding up to chunk
// of them at a time with decode and then handing them to fn without a
// cursor open, so that fn may write to the bucket.
func scanChunks[T any](b *bolt.Bucket, prefix []byte, chunk int, decode func(k, v []byte) (T, error), fn func(T) error) error {
	from := prefix
	skip := false
	for {
		var batch []T
		var last []byte
		c := b.Cursor()
		k, v := c.Seek(from)
		if skip && k != nil && bytes.Equal(k, from) {
			k, v = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(batch) < chunk; k, v = c.Next() {
			x, err := decode(k, v)
			if err != nil {
				return err
			}
			batch = append(batch, x)
			last = k
		}
		if len(batch) == 0 {
			return nil
		}
		from, skip = bytes.Clone(last), true
		for _, x := range batch {
			if err := fn(x); err != nil {
				return err
			}
		}
	}
}

// --- stats: signed varints in field order -------------------------------
//
// Counters are kept as a run of binary.AppendVarint values in a fixed
// field order. A shorter value (from an older program) decodes with the
// missing fields zero; fields a newer program appended are ignored.

func appendVarints(buf []byte, vs ...int64) []byte {
	for _, v := range vs {
		buf = binary.AppendVarint(buf, v)
	}
	return buf
}

// varints reads signed varints one after another; past the end of the
// data it reads zeros.
type varints struct {
	data []byte
	err  error
}

func (r *varints) next() int64 {
	if len(r.data) == 0 || r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.err = errors.New("store: corrupt counters")
		return 0
	}
	r.data = r.data[n:]
	return v
}

func encodeNodeStats(s quiz.NodeStats) []byte {
	return appendVarints(make([]byte, 0, 16), s.StudyDone, s.TestTaken, s.ScoreSum, s.Passed, s.Flagged,
		int64(s.PointSum), s.Stars[0], s.Stars[1], s.Stars[2], s.Stars[3], s.Joined, s.JoinMonths, s.JoinQuarters)
}

func decodeNodeStats(data []byte) (quiz.NodeStats, error) {
	r := varints{data: data}
	s := quiz.NodeStats{StudyDone: r.next(), TestTaken: r.next(), ScoreSum: r.next(), Passed: r.next(),
		Flagged: r.next(), PointSum: quiz.Points(r.next())}
	for i := range s.Stars {
		s.Stars[i] = r.next()
	}
	s.Joined, s.JoinMonths, s.JoinQuarters = r.next(), r.next(), r.next()
	return s, r.err
}

func encodeItemStats(s quiz.ItemStats) []byte {
	buf := appendVarints(make([]byte, 0, 32), s.Answers, s.Right)
	buf = appendVarints(buf, s.TestN[:]...)
	return appendVarints(buf, s.TestRight[:]...)
}

func decodeItemStats(data []byte) (quiz.ItemStats, error) {
	r := varints{data: data}
	s := quiz.ItemStats{Answers: r.next(), Right: r.next()}
	for i := range s.TestN {
		s.TestN[i] = r.next()
	}
	for i := range s.TestRight {
		s.TestRight[i] = r.next()
	}
	return s, r.err
}

func encodeInt(v int64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(v)) }

func decodeInt(data []byte) (int64, error) {
	if len(data) != 8 {
		return 0, errors.New("store: corrupt counter")
	}
	return int64(binary.BigEndian.Uint64(data)), nil
}

// --- records: JSON with short names ---------------------------------------

type userRecord struct {
	Name        string   `json:"n,omitempty"`
	Branch      string   `json:"b,omitempty"`
	Secretary   []string `json:"s,omitempty"`
	Joined      int64    `json:"j,omitempty"`
	Unreachable bool     `json:"x,omitempty"`
}

func encodeUser(u *quiz.User) ([]byte, error) {
	return json.Marshal(userRecord{Name: u.Name, Branch: u.Branch, Secretary: u.Secretary,
		Joined: nanos(u.Joined), Unreachable: u.Unreachable})
}

func decodeUser(id int64, data []byte) (*quiz.User, error) {
	var r userRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	return &quiz.User{ID: id, Name: r.Name, Branch: r.Branch, Secretary: r.Secretary,
		Joined: fromNanos(r.Joined), Unreachable: r.Unreachable}, nil
}

type inviteRecord struct {
	Node    string    `json:"n"`
	Role    quiz.Role `json:"r"`
	By      int64     `json:"b,omitempty"`
	Created int64     `json:"c,omitempty"`
	Expires int64     `json:"e,omitempty"`
	Revoked bool      `json:"x,omitempty"`
	Uses    int       `json:"u,omitempty"`
	UsedBy  []int64   `json:"ub,omitempty"`
}

func encodeInvite(inv *quiz.Invite) ([]byte, error) {
	return json.Marshal(inviteRecord{Node: inv.Node, Role: inv.Role, By: inv.By, Created: nanos(inv.Created),
		Expires: nanos(inv.Expires), Revoked: inv.Revoked, Uses: inv.Uses, UsedBy: inv.UsedBy})
}

func decodeInvite(code string, data []byte) (*quiz.Invite, error) {
	var r inviteRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("store: invite: %w", err)
	}
	return &quiz.Invite{Code: code, Node: r.Node, Role: r.Role, By: r.By, Created: fromNanos(r.Created),
		Expires: fromNanos(r.Expires), Revoked: r.Revoked, Uses: r.Uses, UsedBy: r.UsedBy}, nil
}

// copyItems returns a deep copy of items, with all their slices in three
// allocations; each slice is capped so that appending to one never
// writes into another.
func copyItems(src []quiz.Item) []quiz.Item {
	out := make([]quiz.Item, len(src))
	nstr, nint := 0, 0
	for i := range src {
		nstr += len(src[i].Options) + len(src[i].Accepted)
		nint += len(src[i].Answer)
	}
	strs := make([]string, 0, nstr)
	ints := make([]int, 0, nint)
	for i, it := range src {
		if it.Options != nil {
			s := len(strs)
			strs = append(strs, it.Options...)
			it.Options = strs[s:len(strs):len(strs)]
		}
		if it.Accepted != nil {
			s := len(strs)
			strs = append(strs, it.Accepted...)
			it.Accepted = strs[s:len(strs):len(strs)]
		}
		if it.Answer != nil {
			s := len(ints)
			ints = append(ints, it.Answer...)
			it.Answer = ints[s:len(ints):len(ints)]
		}
		out[i] = it
	}
	return out
}

// openKey is when an open attempt stops taking answers, as a timeKey: the
// earlier of its deadline and its until; 0 when it is closed or has
// neither.
func openKey(a *quiz.Attempt) uint64 {
	if a.Closed {
		return 0
	}
	t := a.Deadline
	if t.IsZero() || (!a.Until.IsZero() && a.Until.Before(t)) {
		t = a.Until
	}
	if t.IsZero() {
		return 0
	}
	return timeKey(t)
}

// entryRecord is a ledger entry. An older program kept a worded reason in
// "w"; it reads back as Note (the bot words the engine's rules itself).
type entryRecord struct {
	Ref    string      `json:"f"`
	Rule   string      `json:"r"`
	Amount quiz.Points `json:"a"`
	Period string      `json:"p,omitempty"`
	Score  int         `json:"s,omitempty"`
	Try    int         `json:"n,omitempty"`
	From   int         `json:"o,omitempty"`
	Place  int         `json:"pl,omitempty"`
	Capped bool        `json:"cp,omitempty"`
	Note   string      `json:"w,omitempty"`
	At     int64       `json:"t,omitempty"`
	By     int64       `json:"b,omitempty"`
}

func encodeEntry(e *quiz.Entry) ([]byte, error) {
	return json.Marshal(entryRecord{Ref: e.Ref, Rule: e.Rule, Amount: e.Amount, Period: e.Period,
		Score: e.Score, Try: e.Try, From: e.From, Place: e.Place, Capped: e.Capped, Note: e.Note, At: e.At, By: e.By})
}

func decodeEntry(user int64, seq uint64, data []byte) (quiz.Entry, error) {
	var r entryRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return quiz.Entry{}, fmt.Errorf("store: ledger of %d: %w", user, err)
	}
	return quiz.Entry{User: user, Seq: seq, Ref: r.Ref, Rule: r.Rule, Amount: r.Amount, Period: r.Period,
		Score: r.Score, Try: r.Try, From: r.From, Place: r.Place, Capped: r.Capped, Note: r.Note, At: r.At, By: r.By}, nil
}

type grantRecord struct {
	Kind   quiz.Kind `json:"k"`
	Period string    `json:"p"`
	Until  int64     `json:"u"`
	By     int64     `json:"b,omitempty"`
	At     int64     `json:"a,omitempty"`
	Reason string    `json:"r,omitempty"`
	Ref    string    `json:"f,omitempty"`
}

func encodeGrant(g *quiz.Grant) ([]byte, error) {
	return json.Marshal(grantRecord{Kind: g.Kind, Period: g.Period, Until: nanos(g.Until), By: g.By,
		At: nanos(g.At), Reason: g.Reason, Ref: g.Ref})
}

func decodeGrant(user int64, data []byte) (quiz.Grant, error) {
	var r grantRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return quiz.Grant{}, fmt.Errorf("store: grant of %d: %w", user, err)
	}
	return quiz.Grant{User: user, Kind: r.Kind, Period: r.Period, Until: fromNanos(r.Until), By: r.By,
		At: fromNanos(r.At), Reason: r.Reason, Ref: r.Ref}, nil
}

func encodeProgress(p quiz.Progress) ([]byte, error) { return json.Marshal(p) }

func decodeProgress(data []byte) (quiz.Progress, error) {
	var p quiz.Progress
	if err := json.Unmarshal(data, &p); err != nil {
		return quiz.Progress{}, fmt.Errorf("store: progress: %w", err)
	}
	return p, nil
}

// pubKey is kind + 0x00 + id + 0x00 + version (4 bytes).
func pubKey(kind, id string, version uint32) []byte {
	k := make([]byte, 0, len(kind)+len(id)+6)
	k = append(k, kind...)
	k = append(k, sep)
	k = append(k, id...)
	k = append(k, sep)
	return binary.BigEndian.AppendUint32(k, version)
}

// splitPubKey returns the kind, id and version of a publications key.
func splitPubKey(k []byte) (kind, id string, version uint32, err error) {
	n := len(k) - 5
	if n < 2 || k[n] != sep {
		return "", "", 0, fmt.Errorf("store: corrupt publication key %q", k)
	}
	i := bytes.IndexByte(k[:n], sep)
	if i <= 0 || i == n-1 {
		return "", "", 0, fmt.Errorf("store: corrupt publication key %q", k)
	}
	return string(k[:i]), string(k[i+1 : n]), binary.BigEndian.Uint32(k[n+1:]), nil
}

type publicationRecord struct {
	Name   string        `json:"n,omitempty"`
	By     int64         `json:"b,omitempty"`
	At     int64         `json:"t,omitempty"`
	Change *changeRecord `json:"c,omitempty"` // absent in records written before changes were kept
}

// changeRecord is a quiz.Change.
type changeRecord struct {
	New      bool  `json:"w,omitempty"`
	Restored int   `json:"r,omitempty"`
	Builtin  bool  `json:"b,omitempty"`
	Retitled bool  `json:"l,omitempty"`
	Added    int   `json:"a,omitempty"`
	Changed  int   `json:"c,omitempty"`
	Removed  int   `json:"d,omitempty"`
	Moved    int   `json:"v,omitempty"`
	Months   []int `json:"m,omitempty"`
	Quarters []int `json:"q,omitempty"`
}

func encodePublication(p *quiz.Publication) ([]byte, error) {
	r := publicationRecord{Name: p.Name, By: p.By, At: nanos(p.At)}
	if c := p.Change; c != nil {
		r.Change = &changeRecord{New: c.New, Restored: c.Restored, Builtin: c.Builtin, Retitled: c.Retitled, Added: c.Added,
			Changed: c.Changed, Removed: c.Removed, Moved: c.Moved, Months: c.Months, Quarters: c.Quarters}
	}
	return json.Marshal(r)
}

// decodePublication decodes a publication's record (not its data) from
// its key and value.
func decodePublication(k, v []byte) (quiz.Publication, error) {
	kind, id, version, err := splitPubKey(k)
	if err != nil {
		return quiz.Publication{}, err
	}
	var r publicationRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return quiz.Publication{}, fmt.Errorf("store: publication %s/%s v%d: %w", kind, id, version, err)
	}
	p := quiz.Publication{Kind: kind, ID: id, Version: int(version), Name: r.Name, By: r.By, At: fromNanos(r.At)}
	if c := r.Change; c != nil {
		p.Change = &quiz.Change{New: c.New, Restored: c.Restored, Builtin: c.Builtin, Retitled: c.Retitled, Added: c.Added,
			Changed: c.Changed, Removed: c.Removed, Moved: c.Moved, Months: c.Months, Quarters: c.Quarters}
	}
	return p, nil
}

type flagRecord struct {
	User    int64  `json:"u"`
	Key     string `json:"k"`
	Hash    string `json:"h,omitempty"`
	Text    string `json:"x,omitempty"`
	Note    string `json:"n,omitempty"`
	Attempt uint64 `json:"a,omitempty"`
	At      int64  `json:"t,omitempty"`
}

func encodeFlag(f *quiz.Flag) ([]byte, error) {
	return json.Marshal(flagRecord{User: f.User, Key: f.Key, Hash: f.Hash, Text: f.Text, Note: f.Note,
		Attempt: f.Attempt, At: nanos(f.At)})
}

func decodeFlag(seq uint64, data []byte) (quiz.Flag, error) {
	var r flagRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return quiz.Flag{}, fmt.Errorf("store: flag %d: %w", seq, err)
	}
	return quiz.Flag{Seq: seq, User: r.User, Key: r.Key, Hash: r.Hash, Text: r.Text, Note: r.Note,
		Attempt: r.Attempt, At: fromNanos(r.At)}, nil
}

// eventRecord is an event in the outbox. A record an older program left
// (a worded notice: f, c, x, t only) decodes as an event of kind
// quiz.EventText.
type eventRecord struct {
	Ref     string         `json:"f"`
	Chat    int64          `json:"c"`
	Text    string         `json:"x,omitempty"`
	At      int64          `json:"t"`
	Kind    quiz.EventKind `json:"k,omitempty"`
	Parts   int            `json:"ps,omitempty"`
	Period  string         `json:"p,omitempty"`
	Test    string         `json:"q,omitempty"`
	Node    string         `json:"n,omitempty"`
	User    int64          `json:"u,omitempty"`
	Name    string         `json:"nm,omitempty"`
	Subject quiz.Kind      `json:"sb,omitempty"`
	Admin   bool           `json:"ad,omitempty"`
	Tested  bool           `json:"td,omitempty"`
	Passed  bool           `json:"pd,omitempty"`
	Score   int            `json:"s,omitempty"`
	Right   int            `json:"r,omitempty"`
	Count   int            `json:"cn,omitempty"`
	Of      int            `json:"of,omitempty"`
	Rank    int            `json:"rk,omitempty"`
	Stars   int            `json:"st,omitempty"`
	Points  quiz.Points    `json:"pt,omitempty"`
	Until   int64          `json:"un,omitempty"`
	Key     string         `json:"ky,omitempty"`
	Note    string         `json:"no,omitempty"`
	Quote   string         `json:"qu,omitempty"`
	Figures *figuresRecord `json:"fg,omitempty"`
	Contest uint64         `json:"cs,omitempty"`
}

type figuresRecord struct {
	Node     string `json:"n"`
	Members  int64  `json:"m"`
	Stats    []byte `json:"s"` // as node_stats keeps them
	StudyDue int64  `json:"sd,omitempty"`
	TestDue  int64  `json:"td,omitempty"`
}

func encodeEvent(e *quiz.Event) ([]byte, error) {
	r := eventRecord{Ref: e.Ref, Chat: e.Chat, Text: e.Text, At: nanos(e.At), Kind: e.Kind, Parts: e.Parts,
		Period: e.Period, Test: e.Test, Node: e.Node, User: e.User, Name: e.Name, Subject: e.Subject, Admin: e.Admin,
		Tested: e.Tested, Passed: e.Passed, Score: e.Score, Right: e.Right, Count: e.Count, Of: e.Of, Rank: e.Rank,
		Stars: e.Stars, Points: e.Points, Until: nanos(e.Until), Key: e.Key, Note: e.Note, Quote: e.Quote, Contest: e.Contest}
	if f := e.Figures; f != nil {
		r.Figures = &figuresRecord{Node: f.Node, Members: f.Members, Stats: encodeNodeStats(f.Stats), StudyDue: f.StudyDue, TestDue: f.TestDue}
	}
	return json.Marshal(r)
}

func decodeEvent(seq uint64, data []byte) (quiz.Event, error) {
	var r eventRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return quiz.Event{}, fmt.Errorf("store: event %d: %w", seq, err)
	}
	e := quiz.Event{Seq: seq, Ref: r.Ref, Chat: r.Chat, Text: r.Text, At: fromNanos(r.At), Kind: r.Kind, Parts: r.Parts,
		Period: r.Period, Test: r.Test, Node: r.Node, User: r.User, Name: r.Name, Subject: r.Subject, Admin: r.Admin,
		Tested: r.Tested, Passed: r.Passed, Score: r.Score, Right: r.Right, Count: r.Count, Of: r.Of, Rank: r.Rank,
		Stars: r.Stars, Points: r.Points, Until: fromNanos(r.Until), Key: r.Key, Note: r.Note, Quote: r.Quote, Contest: r.Contest}
	if f := r.Figures; f != nil {
		st, err := decodeNodeStats(f.Stats)
		if err != nil {
			return quiz.Event{}, fmt.Errorf("store: event %d: %w", seq, err)
		}
		e.Figures = &quiz.Figures{Node: f.Node, Members: f.Members, Stats: st, StudyDue: f.StudyDue, TestDue: f.TestDue}
	}
	return e, nil
}
