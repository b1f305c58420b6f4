package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partyquiz/store"
)

// TestCheckMistakesInStudy: the engine leaves a month's study items drawn
// from the mistake book (错题重练, Item.Mistake) out of the item
// statistics (quiz/answer.go), so the check must too: a store the engine
// wrote, in which a member re-answered due mistakes in December's study,
// must pass.
func TestCheckMistakesInStudy(t *testing.T) {
	f := newFixture(t, MustOpen(t))
	f.Svc.Rules.StudyMistakes = 2
	ctx := context.Background()
	f.Clock.Add(-35 * 24 * time.Hour) // 5 November
	// Members who get November's study all wrong; each draw is random, so
	// more than one, for December's study of one of them to mix in a due
	// mistake (it cannot when it drew the same questions).
	const members = 8
	for id := int64(1001); id < 1001+members; id++ {
		f.join(t, id, "b1")
		nov, err := f.Svc.StartStudy(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.answerAll(t, nov.Attempt, func(int) bool { return false })
	}
	f.Clock.Add(35 * 24 * time.Hour) // 10 December
	n := 0
	for id := int64(1001); id < 1001+members; id++ {
		dec, err := f.Svc.StartStudy(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range dec.Attempt.Items {
			if it.Mistake {
				n++
			}
		}
		f.answerAll(t, dec.Attempt, nil)
	}
	if n == 0 {
		t.Fatalf("no December study of %d members mixed in a due mistake (setup)", members)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := f.DB.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	spec := store.CheckSpec{Cal: f.Svc.Cal, Rules: f.Svc.Rules, Tree: f.Tree}
	if rep := checkFile(t, path, spec); !rep.OK() {
		t.Errorf("a store the engine wrote (%d mistakes re-answered in study) fails the check:\n%s", n, strings.Join(rep.Problems, "\n"))
	}
}
