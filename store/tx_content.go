package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"partyquiz/quiz"

	bolt "go.etcd.io/bbolt"
)

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
