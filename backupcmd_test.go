package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// restoreConfig is a configuration with its store and backups in a
// temporary folder, the test open all quarter, and an admin.
func restoreConfig(t *testing.T) Config {
	c := DefaultConfig()
	dir := t.TempDir()
	c.Store.Path = filepath.Join(dir, "data", "partyquiz.db")
	c.Backup.Dir = filepath.Join(dir, "backups")
	c.Test.Window = string(quiz.WholeQuarter)
	c.Bot.Admins = []int64{1}
	return c
}

type answerRef struct {
	attempt uint64
	idx     int
}

// someAnswer is an answer to it, right or not.
func someAnswer(it *quiz.Item) ([]int, string) {
	if it.Type == questions.Fill {
		return nil, "不知道"
	}
	return []int{0}, ""
}

// TestRestoreProcedure follows README's "Backups and restore": a backup
// is taken (by the scheduled backups' own code) while members' answers are
// being recorded; the bot stops; the store file is moved aside and the
// backup copied into its place; the program opens it, and every answer
// recorded before the backup began is there.
func TestRestoreProcedure(t *testing.T) {
	c := restoreConfig(t)
	m := NewMain(io.Discard, io.Discard)
	m.Now = func() time.Time { return time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC) }
	db, svc, err := m.open(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tree := svc.Tree()
	leaves := tree.Leaves(tree.Root())
	const members = 12
	for i := int64(0); i < members; i++ {
		inv, err := svc.CreateInvite(ctx, quiz.Viewer{ID: 1, Admin: true}, leaves[int(i)%len(leaves)], quiz.RoleMember, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Join(ctx, 5000+i, inv.Code, "党员"); err != nil {
			t.Fatal(err)
		}
	}

	var mu sync.Mutex
	var recorded []answerRef
	var wg sync.WaitGroup
	for i := int64(0); i < members; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := 5000 + i
			sess, err := svc.StartStudy(ctx, id)
			if err != nil {
				t.Error(err)
				return
			}
			test, err := svc.StartTest(ctx, id)
			if err != nil {
				t.Error(err)
				return
			}
			for _, a := range []*quiz.Attempt{sess.Attempt, test} {
				for j := range a.Items {
					choice, text := someAnswer(&a.Items[j])
					if _, err := svc.Answer(ctx, id, a.ID, j, choice, text, ""); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					recorded = append(recorded, answerRef{a.ID, j})
					mu.Unlock()
				}
			}
		}()
	}
	// Once some answers are in, back up while the others keep coming.
	waitFor(t, "answers being recorded", func() bool { mu.Lock(); defer mu.Unlock(); return len(recorded) >= 40 })
	mu.Lock()
	before := append([]answerRef(nil), recorded...)
	mu.Unlock()
	bk, err := newBackups(db, c, quietLog)
	if err != nil {
		t.Fatal(err)
	}
	backup, err := bk.once(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	total := len(recorded)
	mu.Unlock()

	// 1. Stop the bot.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// 2. Move the store file aside.
	if err := os.Rename(c.Store.Path, c.Store.Path+".broken"); err != nil {
		t.Fatal(err)
	}
	// 3. Copy the backup into its place.
	copyFile(t, backup, c.Store.Path)
	// 4. Start the bot: the program's own open.
	db, svc, err = m.open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	have := 0
	err = db.View(ctx, func(tx quiz.Tx) error {
		for _, ref := range before {
			a, err := tx.Attempt(ref.attempt)
			if err != nil {
				t.Errorf("attempt %d not in the backup: %v", ref.attempt, err)
				continue
			}
			if !a.Responses[ref.idx].Done {
				t.Errorf("answer %d of attempt %d, recorded before the backup, is not in it", ref.idx, ref.attempt)
			}
		}
		for i := int64(0); i < members; i++ {
			for _, k := range []quiz.Kind{quiz.Study, quiz.Test} {
				ids, err := tx.UserAttempts(5000+i, k)
				if err != nil {
					return err
				}
				for _, id := range ids {
					a, err := tx.Attempt(id)
					if err != nil {
						return err
					}
					have += a.Answered()
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if have < len(before) || have > total {
		t.Errorf("the restored store has %d answers; %d were recorded before the backup, %d in all", have, len(before), total)
	}
	t.Logf("%d answers before the backup, %d in it, %d in all", len(before), have, total)
	// The restored store works: members go on where the backup left them.
	for i := int64(0); i < members; i++ {
		sess, err := svc.StartStudy(ctx, 5000+i)
		if err != nil {
			t.Fatal(err)
		}
		if a := sess.Attempt; !a.Closed {
			choice, text := someAnswer(&a.Items[a.Current()])
			if _, err := svc.Answer(ctx, 5000+i, a.ID, a.Current(), choice, text, ""); err != nil {
				t.Errorf("answering on the restored store: %v", err)
			}
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupsKeepTheNewest: the scheduled backups keep backup.keep files
// and leave other files alone.
func TestBackupsKeepTheNewest(t *testing.T) {
	c := restoreConfig(t)
	c.Backup.Keep = 3
	if err := os.MkdirAll(filepath.Dir(c.Store.Path), 0o750); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(c.Store.Path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bk, err := newBackups(db, c, quietLog)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(c.Backup.Dir, 0o750); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(c.Backup.Dir, "notes.txt"), []byte("mine"), 0o600)
	t0 := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		if _, err := bk.once(t0.Add(time.Duration(i) * 24 * time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(c.Backup.Dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"notes.txt", "partyquiz-20261104T020000Z.db", "partyquiz-20261105T020000Z.db", "partyquiz-20261106T020000Z.db"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("backup folder holds %v, want %v", names, want)
	}
}

// TestServeMakesBackups: a running bot with [backup] dir makes one at
// start, counted in its metrics.
func TestServeMakesBackups(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true})
	defer srv.Close()
	m := fakeMain(t, srv, io.Discard)
	m.Config.Backup.Dir = filepath.Join(t.TempDir(), "backups")
	r := startMain(t, m)
	r.waitReady(t)
	waitFor(t, "a backup at start", func() bool {
		entries, _ := os.ReadDir(m.Config.Backup.Dir)
		return len(entries) == 1 && strings.HasPrefix(entries[0].Name(), "pq-")
	})
	r.stop(t)
	entries, _ := os.ReadDir(m.Config.Backup.Dir)
	b, err := store.Open(filepath.Join(m.Config.Backup.Dir, entries[0].Name()), store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	b.Close()
}

// TestBackupCommand: `partyquiz backup` copies a stopped bot's store, and
// says clearly that a running bot holds it.
func TestBackupCommand(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	dir := t.TempDir()
	storePath := filepath.Join(dir, "pq.db")
	cfg := writeConfig(t, "[store]\npath = \""+storePath+"\"\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"backup", "-config", cfg, filepath.Join(dir, "b.db")}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no store at") {
		t.Errorf("no store: exit %d, %q", code, errOut.String())
	}

	db, err := store.Open(storePath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx quiz.Tx) error {
		return tx.PutInvite(&quiz.Invite{Code: "keep-me", Node: "b1", Role: quiz.RoleMember})
	}); err != nil {
		t.Fatal(err)
	}
	// The "running bot" holds the file.
	errOut.Reset()
	code := run([]string{"backup", "-config", cfg, filepath.Join(dir, "b.db")}, nil, &out, &errOut)
	if code != 1 {
		t.Errorf("backup of a store in use: exit %d", code)
	}
	for _, want := range []string{"held by a running bot", "[backup] dir", "stop the bot"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("no %q in %q", want, errOut.String())
		}
	}
	db.Close()

	out.Reset()
	if code := run([]string{"backup", "-config", cfg, filepath.Join(dir, "b.db")}, nil, &out, &errOut); code != 0 {
		t.Fatalf("backup of a stopped bot: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "backed up") {
		t.Errorf("output: %q", out.String())
	}
	b, err := store.Open(filepath.Join(dir, "b.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.View(context.Background(), func(tx quiz.Tx) error {
		if _, err := tx.Invite("keep-me"); err != nil {
			t.Errorf("the backup lacks the data: %v", err)
		}
		return nil
	})
	b.Close()

	// Into a folder: a dated name.
	folder := filepath.Join(dir, "backups")
	os.Mkdir(folder, 0o750)
	out.Reset()
	if code := run([]string{"backup", "-config", cfg, folder}, nil, &out, &errOut); code != 0 {
		t.Fatalf("backup into a folder: exit %d: %s", code, errOut.String())
	}
	entries, _ := os.ReadDir(folder)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "pq-") || !strings.HasSuffix(entries[0].Name(), "Z.db") {
		t.Errorf("folder holds %v", entries)
	}
	if code := run([]string{"backup", "-config", cfg}, nil, &out, &errOut); code != 2 {
		t.Errorf("no destination: exit %d, want 2", code)
	}
}
