package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	berrors "go.etcd.io/bbolt/errors"

	"partyquiz/store"
)

// backupStamp is the time in a backup's file name (UTC, sortable).
const backupStamp = "20060102T150405Z"

// backups makes the scheduled hot backups of a running bot: a consistent
// copy of the store file into a folder, every so often, keeping the
// newest few.
type backups struct {
	db     *store.DB
	dir    string
	prefix string // file names: prefix + stamp + ".db"
	every  time.Duration
	keep   int
	log    *slog.Logger
	now    func() time.Time

	ok, failed atomic.Int64
	last       atomic.Int64 // unix seconds of the last success
}

func newBackups(db *store.DB, c Config, log *slog.Logger) (*backups, error) {
	every, err := c.BackupEvery()
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(filepath.Base(c.Store.Path), filepath.Ext(c.Store.Path))
	return &backups{db: db, dir: c.Backup.Dir, prefix: base + "-", every: every, keep: c.Backup.Keep,
		log: log, now: time.Now}, nil
}

// run makes a backup now (or once every has passed since the newest one
// in the folder) and then every so often, until ctx is done.
func (b *backups) run(ctx context.Context) {
	next := b.now()
	if list, err := b.list(); err == nil && len(list) > 0 {
		if t, err := time.Parse(backupStamp, b.stampOf(list[len(list)-1])); err == nil {
			next = t.Add(b.every)
		}
	}
	for {
		t := time.NewTimer(max(time.Until(next), 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		start := b.now()
		path, err := b.once(start)
		if err != nil {
			b.failed.Add(1)
			b.log.Error("backup failed; the next try is in a minute", "dir", b.dir, "err", err)
			next = start.Add(min(time.Minute, b.every))
			continue
		}
		b.ok.Add(1)
		b.last.Store(b.now().Unix())
		b.log.Info("backup made", "file", path, "took", time.Since(start).Round(time.Millisecond))
		next = start.Add(b.every)
	}
}

// once writes one backup named for now and deletes the oldest beyond keep.
func (b *backups) once(now time.Time) (string, error) {
	if err := os.MkdirAll(b.dir, 0o750); err != nil {
		return "", err
	}
	path := filepath.Join(b.dir, b.prefix+now.UTC().Format(backupStamp)+".db")
	if err := b.db.BackupFile(path); err != nil {
		return "", err
	}
	list, err := b.list()
	if err != nil {
		return path, err
	}
	for len(list) > b.keep {
		if err := os.Remove(filepath.Join(b.dir, list[0])); err != nil {
			return path, fmt.Errorf("deleting an old backup: %w", err)
		}
		list = list[1:]
	}
	return path, nil
}

// list returns the names of the backups in the folder, oldest first.
func (b *backups) list() ([]string, error) {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, b.prefix) || !strings.HasSuffix(name, ".db") {
			continue
		}
		if _, err := time.Parse(backupStamp, b.stampOf(name)); err == nil {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (b *backups) stampOf(name string) string {
	return strings.TrimSuffix(strings.TrimPrefix(name, b.prefix), ".db")
}

// --- partyquiz backup ----------------------------------------------------------

const backupUsage = `usage: partyquiz backup [-config bot.toml] FILE|FOLDER

Copies the store (store.path in the configuration) of a stopped bot to FILE,
or into FOLDER under a name with the date and time. A running bot holds the
store: it makes its own backups ([backup] dir in bot.toml).
`

// runBackup is `partyquiz backup`.
func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("partyquiz backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "bot.toml", "configuration file")
	fs.Usage = func() { fmt.Fprint(stderr, backupUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	c, err := flagConfig(fs, *configPath)
	if err != nil {
		fmt.Fprintln(stderr, "partyquiz backup:", err)
		return 2
	}
	path, err := backupStopped(c, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "partyquiz backup:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", c.Store.Path, path)
	return 0
}

// errStoreInUse is the store held by a running bot.
var errStoreInUse = errors.New("store in use")

// backupStopped copies the store of a stopped bot to dest (a file, or a
// folder to put a dated file in) and returns the file written.
func backupStopped(c Config, dest string) (string, error) {
	src := c.Store.Path
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("no store at %s (store.path): %w", src, err)
	}
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
		dest = filepath.Join(dest, base+"-"+time.Now().UTC().Format(backupStamp)+".db")
	}
	// Read-only: the file is copied as it is, never migrated by a backup.
	db, err := store.Open(src, store.Options{Timeout: 2 * time.Second, ReadOnly: true})
	if errors.Is(err, berrors.ErrTimeout) {
		return "", fmt.Errorf("%w: %s is held by a running bot. This command is for a stopped bot; "+
			"a running bot makes its own hot backups: set [backup] dir in its configuration "+
			"(see README, \"Backups and restore\"), or stop the bot and run this again", errStoreInUse, src)
	}
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.BackupFile(dest); err != nil {
		return "", err
	}
	return dest, nil
}
