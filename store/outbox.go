package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"partyquiz/quiz"
)

// The state of a Ref in outbox_refs: a tag byte, then the notice's seq(8)
// while it is pending, or the unix nanoseconds(8) of when it was done and,
// when it failed, the reason.
const (
	refPending = 'p'
	refSent    = 's'
	refFailed  = 'f'
)

// Enqueue adds events to the outbox in order, in one transaction of its
// own that is on disk before it returns, and returns how many it added:
// many events at once outside a change (the engine emits the events of a
// change in its transaction, with Tx.Emit). An event whose Ref was ever
// queued before — pending, sent or failed, or earlier in ns — is skipped,
// so a round queued again after a crash half-way adds only what it had
// not. The stored copies get their Seq from the outbox and their At from
// the event, or time.Now when it has none; ns is not changed. An event
// without a Ref is an error, and then nothing is added.
func (db *DB) Enqueue(ctx context.Context, ns []quiz.Event) (added int, err error) {
	for i := range ns {
		if ns[i].Ref == "" {
			return 0, fmt.Errorf("store: event %d of %d without a ref", i+1, len(ns))
		}
	}
	if len(ns) == 0 {
		return 0, ctx.Err()
	}
	now := time.Now()
	type newRef struct {
		ref string
		seq uint64
	}
	// Not Batch: a large enqueue runs once, in its own commit.
	err = db.updateNow(ctx, func(tx *bolt.Tx) error {
		out, refs := tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxRefs)
		out.FillPercent = 0.9 // keys only ever grow
		seen := make(map[string]bool, len(ns))
		fresh := make([]newRef, 0, len(ns))
		for i := range ns {
			n := &ns[i]
			if seen[n.Ref] || refs.Get([]byte(n.Ref)) != nil {
				continue
			}
			seen[n.Ref] = true
			seq, err := out.NextSequence()
			if err != nil {
				return err
			}
			e := *n
			if e.At.IsZero() {
				e.At = now
			}
			v, err := encodeEvent(&e)
			if err != nil {
				return err
			}
			if err := out.Put(u64Key(seq), v); err != nil {
				return err
			}
			fresh = append(fresh, newRef{n.Ref, seq})
		}
		// In key order: bbolt splits pages only at commit, and keys put
		// in random order into one page would each move the rest of it.
		slices.SortFunc(fresh, func(a, b newRef) int { return cmp.Compare(a.ref, b.ref) })
		for _, r := range fresh {
			if err := refs.Put([]byte(r.ref), binary.BigEndian.AppendUint64([]byte{refPending}, r.seq)); err != nil {
				return err
			}
		}
		added = len(fresh)
		return addPending(tx, int64(added))
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// addPending adds delta to the count of pending notices in meta.
func addPending(tx *bolt.Tx, delta int64) error {
	if delta == 0 {
		return nil
	}
	meta := tx.Bucket(bucketMeta)
	n, err := pendingCount(tx)
	if err != nil {
		return err
	}
	if delta < 0 && uint64(-delta) > n {
		return errors.New("store: outbox count below zero")
	}
	return meta.Put(metaPending, u64Key(n+uint64(delta)))
}

func pendingCount(tx *bolt.Tx) (uint64, error) {
	v := tx.Bucket(bucketMeta).Get(metaPending)
	if len(v) != 8 {
		return 0, errors.New("store: corrupt outbox count")
	}
	return binary.BigEndian.Uint64(v), nil
}

// Pending returns up to n (all when n <= 0) pending events with Seq >
// after, oldest first.
func (db *DB) Pending(ctx context.Context, after uint64, n int) ([]quiz.Event, error) {
	if after == math.MaxUint64 {
		return nil, ctx.Err()
	}
	var out []quiz.Event
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(u64Key(after + 1)); k != nil && (n <= 0 || len(out) < n); k, v = c.Next() {
			if len(k) != 8 {
				return errors.New("store: corrupt outbox key")
			}
			x, err := decodeEvent(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PartSent records that the first parts messages of a pending event were
// sent (a long one goes in several), so that after a restart its sending
// carries on with the next; it returns once that is on disk, and does
// nothing for an event that is not pending or already counted that far.
func (db *DB) PartSent(ctx context.Context, seq uint64, parts int) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		v := out.Get(u64Key(seq))
		if v == nil {
			return nil
		}
		e, err := decodeEvent(seq, v)
		if err != nil || e.Parts >= parts {
			return err
		}
		e.Parts = parts
		if v, err = encodeEvent(&e); err != nil {
			return err
		}
		return out.Put(u64Key(seq), v)
	})
}

// Done removes a pending event from the outbox and remembers its Ref as
// sent (failure == "") or as failed for the reason given. It returns once
// that is on disk; on an event that is not pending it does nothing.
func (db *DB) Done(ctx context.Context, seq uint64, failure string) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		key := u64Key(seq)
		v := out.Get(key)
		if v == nil {
			return nil
		}
		n, err := decodeEvent(seq, v)
		if err != nil {
			return err
		}
		if err := out.Delete(key); err != nil {
			return err
		}
		state := []byte{refSent}
		if failure != "" {
			state[0] = refFailed
		}
		state = binary.BigEndian.AppendUint64(state, uint64(time.Now().UnixNano()))
		state = append(state, failure...)
		if err := tx.Bucket(bucketOutboxRefs).Put([]byte(n.Ref), state); err != nil {
			return err
		}
		return addPending(tx, -1)
	})
}

// EventState returns "pending", "sent" or "failed: " and the reason for a
// Ref that was queued, and "" for one that never was.
func (db *DB) EventState(ctx context.Context, ref string) (string, error) {
	var state string
	err := db.view(ctx, func(tx *bolt.Tx) error {
		if ref == "" {
			return nil
		}
		v := tx.Bucket(bucketOutboxRefs).Get([]byte(ref))
		if v == nil {
			return nil
		}
		switch {
		case v[0] == refPending && len(v) == 9:
			state = "pending"
		case v[0] == refSent && len(v) == 9:
			state = "sent"
		case v[0] == refFailed && len(v) >= 9:
			state = "failed: " + string(v[9:])
		default:
			return fmt.Errorf("store: corrupt state of event %q", ref)
		}
		return nil
	})
	return state, err
}

// PendingCount returns how many events wait in the outbox, from a counter
// kept with it (it does not scan the outbox).
func (db *DB) PendingCount(ctx context.Context) (int, error) {
	var n uint64
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		n, err = pendingCount(tx)
		return err
	})
	return int(n), err
}

// Emit puts an event into the outbox in the transaction of the change it
// reports, and returns false (adding nothing) when an event with its Ref
// was ever queued. Its Seq is set when it is added. The refs are written
// in key order when the transaction's function returns (see Update).
func (t *tx) Emit(e *quiz.Event) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	if e.Ref == "" {
		return false, errors.New("store: an event without a ref")
	}
	if _, ok := t.emitted[e.Ref]; ok || t.bucket(bucketOutboxRefs).Get([]byte(e.Ref)) != nil {
		return false, nil
	}
	out := t.bucket(bucketOutbox)
	seq, err := out.NextSequence()
	if err != nil {
		return false, err
	}
	v, err := encodeEvent(e)
	if err != nil {
		return false, err
	}
	if err := out.Put(u64Key(seq), v); err != nil {
		return false, err
	}
	if t.emitted == nil {
		t.emitted = map[string]uint64{}
	}
	t.emitted[e.Ref] = seq
	e.Seq = seq
	return true, nil
}

// flushEmitted writes the refs of the events emitted in the transaction,
// in key order, and counts them pending.
func (t *tx) flushEmitted() error {
	if len(t.emitted) == 0 {
		return nil
	}
	refs := make([]string, 0, len(t.emitted))
	for r := range t.emitted {
		refs = append(refs, r)
	}
	slices.Sort(refs)
	b := t.bucket(bucketOutboxRefs)
	for _, r := range refs {
		if err := b.Put([]byte(r), binary.BigEndian.AppendUint64([]byte{refPending}, t.emitted[r])); err != nil {
			return err
		}
	}
	return addPending(t.tx, int64(len(refs)))
}

// RoundDone reports whether a round (by key, such as
// "test-close:2026-Q4") was marked done.
func (t *tx) RoundDone(key string) (bool, error) {
	return key != "" && t.bucket(bucketRounds).Get([]byte(key)) != nil, nil
}

// MarkRound marks a round done; the first time it was marked is kept.
func (t *tx) MarkRound(key string, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	if key == "" {
		return errors.New("store: round without a key")
	}
	b := t.bucket(bucketRounds)
	if b.Get([]byte(key)) != nil {
		return nil
	}
	return b.Put([]byte(key), u64Key(uint64(at.UnixNano())))
}
