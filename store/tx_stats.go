package store

import (
	"bytes"
	"errors"
	"fmt"
	"partyquiz/quiz"
)

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
