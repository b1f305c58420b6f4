package store

import (
	"context"
	"encoding/binary"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// Hold keeps updates taken from Telegram (by update id, the update as
// received) until they are handled, and forgets the ones handled since the
// last call (which may be among updates: those are not kept), in one
// transaction on disk before it returns. Once an update
// is held it may be confirmed to Telegram: a crash before it was handled
// leaves it here for Held.
func (db *DB) Hold(ctx context.Context, updates map[int][]byte, handled []int) error {
	if len(updates) == 0 && len(handled) == 0 {
		return ctx.Err()
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for id, data := range updates {
			if err := b.Put(inboxKey(id), data); err != nil {
				return err
			}
		}
		// After the puts: an update may be handled before it is held.
		for _, id := range handled {
			if err := b.Delete(inboxKey(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Held returns the updates held and not yet handled, by update id.
func (db *DB) Held(ctx context.Context) (ids []int, updates [][]byte, err error) {
	err = db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInbox).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return errors.New("store: corrupt inbox key")
			}
			ids = append(ids, int(binary.BigEndian.Uint64(k)))
			updates = append(updates, append([]byte(nil), v...))
			return nil
		})
	})
	return ids, updates, err
}

func inboxKey(id int) []byte { return u64Key(uint64(id)) }
