package main

// The durable floor: the protocol floor that also keeps every update it
// takes (but a toggle's press, which changes nothing a bot must keep), on
// disk, before it replies to it or confirms it to Telegram — the least
// that a bot which loses no answer must do. Each update is written to a
// log and the log fdatasync'ed; the updates that arrive while a sync is
// in flight share the next one (as the store's group commit shares its
// transactions). The log's file is written full of zeros first and then
// written over, so that a sync flushes data only, not the file's growth
// as an append's would (ext4 commits its journal for that).
//
// The partyquiz store does more per reply (a bbolt commit: its pages,
// then its meta page, each synced), so what the bot adds to the durable
// floor's latency is the cost of its storage engine and its logic, and
// what the durable floor adds to the floor's is the cost of durability
// itself, which no bot that keeps every answer before its reply avoids.

import (
	"os"
	"sync"
	"syscall"
)

// syncLogSize is the log file's size; the log starts over at its
// beginning when full (the floor never reads it back).
const syncLogSize = 64 << 20

// syncLog is a log whose appends return once on disk.
type syncLog struct {
	f   *os.File
	off int64 // where the next batch goes (only the writer goroutine)

	mu      sync.Mutex
	pending []byte
	waiters []chan error
	busy    bool // a writer goroutine is running
}

func openSyncLog(path string) (*syncLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < syncLogSize; off += int64(len(zeros)) {
		if _, err := f.Write(zeros); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return &syncLog{f: f}, nil
}

// append writes records (each followed by a newline) and returns once
// they are on disk.
func (l *syncLog) append(records ...[]byte) error {
	done := make(chan error, 1)
	l.mu.Lock()
	for _, r := range records {
		l.pending = append(append(l.pending, r...), '\n')
	}
	l.waiters = append(l.waiters, done)
	if !l.busy {
		l.busy = true
		go l.write()
	}
	l.mu.Unlock()
	return <-done
}

// write writes and syncs what is pending, batch after batch, until
// nothing is.
func (l *syncLog) write() {
	for {
		l.mu.Lock()
		data, waiters := l.pending, l.waiters
		l.pending, l.waiters = nil, nil
		if len(waiters) == 0 {
			l.busy = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		if l.off+int64(len(data)) > syncLogSize {
			l.off = 0
		}
		_, err := l.f.WriteAt(data, l.off)
		l.off += int64(len(data))
		if err == nil {
			err = syscall.Fdatasync(int(l.f.Fd()))
		}
		for _, w := range waiters {
			w <- err
		}
	}
}

func (l *syncLog) close() error { return l.f.Close() }
