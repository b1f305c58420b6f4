package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"partyquiz/quiz"
)

// Bucket names. Every one is created when the file is opened.
var (
	bucketMeta          = []byte("meta")
	bucketUsers         = []byte("users")
	bucketBranchMembers = []byte("branch_members")
	bucketMemberCounts  = []byte("member_counts")
	bucketInvites       = []byte("invites")
	bucketAttempts      = []byte("attempts")
	bucketAttemptItems  = []byte("attempt_items")
	bucketItemTexts     = []byte("item_texts")
	bucketUserAttempts  = []byte("user_attempts")
	bucketOpenAttempts  = []byte("open_attempts")
	bucketLedger        = []byte("ledger")
	bucketLedgerRefs    = []byte("ledger_refs")
	bucketProgress      = []byte("progress")
	bucketNodeStats     = []byte("node_stats")
	bucketItemStats     = []byte("item_stats")
	bucketMistakes      = []byte("mistakes")
	bucketGrants        = []byte("grants")
	bucketDialogs       = []byte("dialogs")
	bucketPublications  = []byte("publications")
	bucketPubData       = []byte("pub_data")
	bucketFlags         = []byte("flags")
	bucketOutbox        = []byte("outbox")
	bucketOutboxRefs    = []byte("outbox_refs")
	bucketRounds        = []byte("rounds")
	bucketMakeups       = []byte("makeups")
	bucketInbox         = []byte("inbox")
)

// allBuckets is the layout of the current schema version.
var allBuckets = [][]byte{
	bucketMeta, bucketUsers, bucketBranchMembers, bucketMemberCounts, bucketInvites,
	bucketAttempts, bucketAttemptItems, bucketItemTexts, bucketUserAttempts, bucketOpenAttempts,
	bucketLedger, bucketLedgerRefs, bucketProgress, bucketNodeStats, bucketItemStats,
	bucketMistakes, bucketGrants, bucketDialogs, bucketPublications, bucketPubData,
	bucketFlags, bucketOutbox, bucketOutboxRefs, bucketRounds, bucketMakeups, bucketInbox,
}

// Keys of the meta bucket.
var (
	metaVersion = []byte("version")
	metaSalt    = []byte("salt")
	metaPending = []byte("outbox_pending")
)

// migrations[v] turns a file of schema version v into version v+1; Open
// runs the steps a file needs in order, each in its own transaction that
// also records the new version. A new schema version only appends a step.
// Version 0 is a file without a recorded version: a new, empty file.
var migrations = []func(tx *bolt.Tx) error{
	0: createBuckets, // 0 → 1: the first layout
	1: indexMakeups,  // 1 → 2: makeups, the latest Until of the make-ups of each test and month
}

// SchemaVersion returns the schema version this program writes.
func SchemaVersion() int { return len(migrations) }

// Defaults of Options.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultMaxBatchSize = 1000
	DefaultItemCache    = 10000
)

// textCacheSize bounds the decoded question texts kept in memory.
const textCacheSize = 50000

// Options tune a DB. The zero value is what the bot runs with: every
// Update is on disk (fsync) before it returns.
type Options struct {
	// NoSync skips fsync after each commit: faster, and a crash of the
	// machine (not just the program) can lose or corrupt recent writes.
	// For tests and benchmarks only.
	NoSync bool
	// Timeout is how long Open waits for another process to release the
	// file (DefaultTimeout when zero; negative waits forever).
	Timeout time.Duration
	// MaxBatchDelay, when positive, makes Update wait up to that long for
	// other Updates to share a commit with (bbolt's Batch). Zero, the
	// bot's setting, commits at once when no commit is in flight, and
	// the Updates that arrive meanwhile share the next (groupCommit).
	MaxBatchDelay time.Duration
	// MaxBatchSize is the most Updates one commit takes
	// (DefaultMaxBatchSize when zero).
	MaxBatchSize int
	// ItemCache is how many attempts' items are kept decoded in memory
	// (DefaultItemCache when zero; negative turns the cache off).
	ItemCache int
	// MaxSize caps the file's size in bytes (0: no cap); a commit that
	// would grow it further fails as if the disk were full.
	MaxSize int
	// ReadOnly opens the file for reading only, with a shared lock, as it
	// is — no migration, no new buckets — for a backup of a stopped bot's
	// file. Every write fails.
	ReadOnly bool
}

// DB is the bbolt file that keeps everything the engine records. It
// implements quiz.Store and is safe for concurrent use.
type DB struct {
	bolt  *bolt.DB
	items *itemCache
	texts *textCache
	// Sizes of the last MemberCounts and the largest PeriodStats, so that
	// the next maps are made big enough at once.
	countsHint, statsHint atomic.Int64
	emitted               chan struct{} // signalled after a commit that emitted events
	group                 *groupCommit  // nil: bbolt's Batch (Options.MaxBatchDelay)
}

// batch runs fn in a transaction shared with concurrent Updates: by group
// commit, or by bbolt's Batch when a delay is set.
func (db *DB) batch(fn func(*bolt.Tx) error) error {
	if db.group != nil {
		return db.group.update(fn)
	}
	return db.bolt.Batch(fn)
}

// Emitted is signalled (it holds at most one signal) after an Update that
// emitted events is on disk, so that whoever sends them need not poll.
func (db *DB) Emitted() <-chan struct{} { return db.emitted }

var _ quiz.Store = (*DB)(nil)

// Open opens or creates the file at path, migrates it to the current
// schema version and creates any bucket it lacks. It fails if another
// process holds the file for longer than opts.Timeout, if the file was
// written by a newer program, or with an Unavailable storage_full error
// when the disk is full. A file held by another process is ErrInUse.
func Open(path string, opts Options) (*DB, error) {
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 0
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      timeout,
		NoSync:       opts.NoSync,
		FreelistType: bolt.FreelistMapType,
		MaxSize:      opts.MaxSize,
		ReadOnly:     opts.ReadOnly,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &inUseError{path: path, err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, mapError(err))
	}
	bdb.MaxBatchDelay = opts.MaxBatchDelay
	bdb.MaxBatchSize = DefaultMaxBatchSize
	if opts.MaxBatchSize > 0 {
		bdb.MaxBatchSize = opts.MaxBatchSize
	}
	size := opts.ItemCache
	if size == 0 {
		size = DefaultItemCache
	}
	db := &DB{bolt: bdb, items: newItemCache(size), texts: &textCache{size: textCacheSize}, emitted: make(chan struct{}, 1)}
	if opts.MaxBatchDelay <= 0 {
		db.group = &groupCommit{db: bdb, max: bdb.MaxBatchSize}
	}
	if opts.ReadOnly {
		return db, nil
	}
	if err := db.migrate(); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, mapError(err))
	}
	if err := bdb.Update(initialize); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, mapError(err))
	}
	return db, nil
}

// ErrInUse is what Open returns (errors.Is) when another process holds the
// file: another partyquiz running on it. The error also matches bbolt's
// timeout.
var ErrInUse = errors.New("store in use")

// inUseError is ErrInUse for one file, said in one sentence.
type inUseError struct {
	path string
	err  error
}

func (e *inUseError) Error() string {
	return "store " + e.path + " is held by another process (another partyquiz running on the same file?)"
}

func (e *inUseError) Unwrap() error { return e.err }

func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// Close closes the file, waiting for running transactions.
func (db *DB) Close() error {
	return db.bolt.Close()
}

// Path returns the path of the file.
func (db *DB) Path() string { return db.bolt.Path() }

// Version returns the schema version recorded in the file.
func (db *DB) Version() (int, error) {
	var v int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v = fileVersion(tx)
		return nil
	})
	return v, err
}

func fileVersion(tx *bolt.Tx) int {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v := b.Get(metaVersion)
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

// migrate brings the file to the current version, one step per
// transaction.
func (db *DB) migrate() error {
	v, err := db.Version()
	if err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program's %d", v, len(migrations))
	}
	fresh := v == 0
	for ; v < len(migrations); v++ {
		step := v
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if got := fileVersion(tx); got != step {
				return fmt.Errorf("schema version changed to %d during migration", got)
			}
			if err := migrations[step](tx); err != nil {
				return err
			}
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			return meta.Put(metaVersion, binary.BigEndian.AppendUint64(nil, uint64(step+1)))
		})
		if err != nil {
			return fmt.Errorf("migrate from schema version %d: %w", step, err)
		}
	}
	if fresh {
		// A new file has nothing written by older programs: the engine's
		// upgrades of old totals have nothing to do.
		return db.bolt.Update(func(btx *bolt.Tx) error {
			t := &tx{db: db, tx: btx}
			for _, task := range quiz.UpgradeTasks {
				if err := t.MarkDone(task); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return nil
}

// indexMakeups fills the makeups bucket from the grants of a version 1
// file.
func indexMakeups(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketMakeups)
	if err != nil {
		return err
	}
	grants := tx.Bucket(bucketGrants)
	if grants == nil {
		return nil
	}
	return grants.ForEach(func(k, v []byte) error {
		if len(k) < 8 {
			return errCorrupt
		}
		g, err := decodeGrant(int64(binary.BigEndian.Uint64(k)), v)
		if err != nil {
			return err
		}
		return noteMakeup(idx, g)
	})
}

// createBuckets creates every bucket of the current layout.
func createBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	return nil
}

// initialize runs at every open, after the migrations: every bucket
// exists, the outbox has its counter and the salt is made once.
func initialize(tx *bolt.Tx) error {
	if err := createBuckets(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if meta.Get(metaPending) == nil {
		// A file from before the outbox (or one that lost the counter):
		// count once.
		n := uint64(0)
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		if err := meta.Put(metaPending, u64Key(n)); err != nil {
			return err
		}
	}
	if meta.Get(metaSalt) != nil {
		return nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("salt: %w", err)
	}
	return meta.Put(metaSalt, []byte(hex.EncodeToString(b[:])))
}

// View runs fn in a read-only transaction: the write methods of its Tx
// return an error. fn must not keep the Tx after it returns. View returns
// ctx's error if ctx is done before it starts, or fn's error.
func (db *DB) View(ctx context.Context, fn func(quiz.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fnErr error
	err := db.bolt.View(func(btx *bolt.Tx) error {
		fnErr = fn(&tx{db: db, tx: btx})
		return fnErr
	})
	if err != nil && err != fnErr {
		return mapError(err)
	}
	return err
}

// Update runs fn in a read-write transaction and returns once its effects
// are on disk. Concurrent Updates share one commit (db.batch): when
// another fn in the batch fails, the batch is rolled back and fn runs
// again, so fn may run more than once. If fn returns an error nothing it
// did is kept and that error is returned to this caller alone. Update
// returns ctx's error if ctx is done before it starts, and an Unavailable
// storage_full error (wrapping the cause) when the disk is full.
//
// A refusal — an application error other than Internal (a double tap, an
// answer to a closed item) — returned by a fn that wrote nothing does not
// roll back the rest of the batch: the others commit, and the refusal is
// returned to this caller alone. A fn that wrote something and then
// failed rolls the batch back, as any error does.
func (db *DB) Update(ctx context.Context, fn func(quiz.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fnErr, refusal error
	emitted := false
	err := db.batch(func(btx *bolt.Tx) error {
		t := &tx{db: db, tx: btx}
		fnErr, refusal = fn(t), nil
		if fnErr == nil {
			emitted = len(t.emitted) > 0
			fnErr = t.flushEmitted()
			return fnErr
		}
		if code := quiz.ErrorCode(fnErr); code != quiz.Internal && !t.wrote {
			refusal = fnErr
			return nil
		}
		return fnErr
	})
	switch {
	case err != nil && err != fnErr:
		return mapError(err)
	case err != nil:
		return err
	}
	if emitted {
		select {
		case db.emitted <- struct{}{}:
		default:
		}
	}
	return refusal
}

// update is Update for the store's own methods.
func (db *DB) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fnErr error
	err := db.batch(func(btx *bolt.Tx) error {
		fnErr = fn(btx)
		return fnErr
	})
	if err != nil && err != fnErr {
		return mapError(err)
	}
	return err
}

// updateNow is update in a transaction of its own, outside the batches:
// for a large write, which then runs once instead of again whenever
// another Update of its batch fails.
func (db *DB) updateNow(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fnErr error
	err := db.bolt.Update(func(btx *bolt.Tx) error {
		fnErr = fn(btx)
		return fnErr
	})
	if err != nil && err != fnErr {
		return mapError(err)
	}
	return err
}

// view is View for the store's own methods.
func (db *DB) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

// mapError turns a full disk into the application error the bot words;
// other errors pass unchanged.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, berrors.ErrMaxSizeReached) {
		var app *quiz.Error
		if errors.As(err, &app) {
			return err
		}
		return fmt.Errorf("store: %w: %w", quiz.Errorf(quiz.Unavailable, quiz.ReasonStorageFull), err)
	}
	return err
}
