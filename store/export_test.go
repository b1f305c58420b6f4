package store

import bolt "go.etcd.io/bbolt"

// MapError is mapError, for tests of the error mapping.
var MapError = mapError

// Migrations returns the migration steps in use.
func Migrations() []func(*bolt.Tx) error { return append([]func(*bolt.Tx) error(nil), migrations...) }

// SetMigrations replaces the migration steps (as a newer program would
// have them) until the returned function restores them.
func SetMigrations(steps []func(*bolt.Tx) error) (restore func()) {
	old := migrations
	migrations = steps
	return func() { migrations = old }
}

// CachedItems returns how many attempts' items the cache holds.
func (db *DB) CachedItems() int { return db.items.len() }
