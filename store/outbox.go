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

// Enqueue adds notices to the outbox in order, in one transaction that is
// on disk before it returns, and returns how many it added. A notice whose
// Ref was ever enqueued before — pending, sent or failed, or earlier in
// ns — is skipped, so a round enqueued again after a crash half-way adds
// only what it had not. The stored copies get their Seq from the outbox
// and their Created from the notice, or time.Now when it has none; ns is
// not changed. A notice without a Ref is an error, and then nothing is
// added.
func (db *DB) Enqueue(ctx context.Context, ns []quiz.Notice) (added int, err error) {
	for i := range ns {
		if ns[i].Ref == "" {
			return 0, fmt.Errorf("store: notice %d of %d without a ref", i+1, len(ns))
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
			created := n.Created
			if created.IsZero() {
				created = now
			}
			v, err := encodeNotice(n, created)
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

// Pending returns up to n (all when n <= 0) pending notices with Seq >
// after, oldest first.
func (db *DB) Pending(ctx context.Context, after uint64, n int) ([]quiz.Notice, error) {
	if after == math.MaxUint64 {
		return nil, ctx.Err()
	}
	var out []quiz.Notice
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(u64Key(after + 1)); k != nil && (n <= 0 || len(out) < n); k, v = c.Next() {
			if len(k) != 8 {
				return errors.New("store: corrupt outbox key")
			}
			x, err := decodeNotice(binary.BigEndian.Uint64(k), v)
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

// Done removes a pending notice from the outbox and remembers its Ref as
// sent (failure == "") or as failed for the reason given. It returns once
// that is on disk; on a notice that is not pending it does nothing.
func (db *DB) Done(ctx context.Context, seq uint64, failure string) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		key := u64Key(seq)
		v := out.Get(key)
		if v == nil {
			return nil
		}
		n, err := decodeNotice(seq, v)
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

// NoticeState returns "pending", "sent" or "failed: " and the reason for
// a Ref that was enqueued, and "" for one that never was.
func (db *DB) NoticeState(ctx context.Context, ref string) (string, error) {
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
			return fmt.Errorf("store: corrupt state of notice %q", ref)
		}
		return nil
	})
	return state, err
}

// PendingCount returns how many notices wait in the outbox, from a counter
// kept with it (it does not scan the outbox).
func (db *DB) PendingCount(ctx context.Context) (int, error) {
	var n uint64
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		n, err = pendingCount(tx)
		return err
	})
	return int(n), err
}

// RoundDone reports whether a round (by key, such as
// "test-close:2026-Q4") was marked done.
func (db *DB) RoundDone(ctx context.Context, key string) (bool, error) {
	done := false
	err := db.view(ctx, func(tx *bolt.Tx) error {
		done = key != "" && tx.Bucket(bucketRounds).Get([]byte(key)) != nil
		return nil
	})
	return done, err
}

// MarkRound marks a round done, once it is on disk; the first time it was
// marked is kept.
func (db *DB) MarkRound(ctx context.Context, key string) error {
	if key == "" {
		return errors.New("store: round without a key")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRounds)
		if b.Get([]byte(key)) != nil {
			return nil
		}
		return b.Put([]byte(key), u64Key(uint64(time.Now().UnixNano())))
	})
}
