package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole file to w while the
// program keeps running (writers are not blocked; a writer that needs to
// grow the file waits until the copy is done). It returns the number of
// bytes written.
func (db *DB) Backup(w io.Writer) (int64, error) {
	n, err := db.backup(w)
	if err != nil {
		return n, fmt.Errorf("backup: %w", mapError(err))
	}
	return n, nil
}

func (db *DB) backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a consistent copy of the file to path: first to a
// temporary file in the same folder, synced, then renamed over path, so
// that path holds either the old backup or the complete new one.
func (db *DB) BackupFile(path string) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", mapError(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("backup: %w", mapError(err))
		}
	}()
	if _, err = db.backup(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// GetDialog returns the bot's saved dialog state of a chat, or nil (and
// no error) when there is none.
func (db *DB) GetDialog(ctx context.Context, chatID int64) ([]byte, error) {
	var out []byte
	err := db.view(ctx, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketDialogs).Get(idKey(chatID)); v != nil {
			out = append([]byte{}, v...)
		}
		return nil
	})
	return out, err
}

// PutDialog saves the bot's dialog state of a chat; nil or empty data
// deletes it. It returns once the state is on disk.
func (db *DB) PutDialog(ctx context.Context, chatID int64, data []byte) error {
	if len(data) == 0 {
		return db.DeleteDialog(ctx, chatID)
	}
	data = append([]byte{}, data...) // the caller may reuse data; Batch may run fn late
	return db.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDialogs).Put(idKey(chatID), data)
	})
}

// DeleteDialog forgets a chat's dialog state (nothing happens if there is
// none).
func (db *DB) DeleteDialog(ctx context.Context, chatID int64) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDialogs).Delete(idKey(chatID))
	})
}
