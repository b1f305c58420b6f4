package quiz_test

import (
	"fmt"
	"reflect"
	"testing"

	"partyquiz/questions"
	"partyquiz/quiz"
)

func testPool(t *testing.T) []*quiz.PoolQuestion {
	t.Helper()
	c, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var pool []*quiz.PoolQuestion
	for _, b := range c.Banks {
		for _, q := range b.Questions {
			pool = append(pool, &quiz.PoolQuestion{Bank: b.ID, Q: q})
		}
	}
	return pool
}

func keys(items []quiz.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key() + fmt.Sprint(it.Options)
	}
	return out
}

func TestDrawDeterministic(t *testing.T) {
	pool := testPool(t)
	mix := quiz.DefaultRules().TestMix
	a := quiz.Draw(quiz.DrawSeed("salt", 1001, quiz.Test, "2026-Q4", 1), pool, 20, mix)
	// The same member, period and attempt, with the pool in another order.
	rev := make([]*quiz.PoolQuestion, len(pool))
	for i := range pool {
		rev[len(pool)-1-i] = pool[i]
	}
	b := quiz.Draw(quiz.DrawSeed("salt", 1001, quiz.Test, "2026-Q4", 1), rev, 20, mix)
	if !reflect.DeepEqual(keys(a), keys(b)) {
		t.Fatal("the same seed drew different tests")
	}
	other := quiz.Draw(quiz.DrawSeed("salt", 1002, quiz.Test, "2026-Q4", 1), pool, 20, mix)
	if reflect.DeepEqual(keys(a), keys(other)) {
		t.Fatal("two members drew the same test")
	}
	second := quiz.Draw(quiz.DrawSeed("salt", 1001, quiz.Test, "2026-Q4", 2), pool, 20, mix)
	if reflect.DeepEqual(keys(a), keys(second)) {
		t.Fatal("a second attempt drew the same test")
	}
}

func TestDrawMix(t *testing.T) {
	pool := testPool(t)
	mix := quiz.DefaultRules().TestMix
	items := quiz.Draw(quiz.DrawSeed("s", 7, quiz.Test, "2026-Q4", 1), pool, 20, mix)
	if len(items) != 20 {
		t.Fatalf("drew %d, want 20", len(items))
	}
	count := map[questions.Type]int{}
	seen := map[string]bool{}
	last := -1
	order := map[questions.Type]int{questions.Single: 0, questions.Multiple: 1, questions.TrueFalse: 2, questions.Fill: 3}
	for _, it := range items {
		count[it.Type]++
		if seen[it.Key()] {
			t.Errorf("%s drawn twice", it.Key())
		}
		seen[it.Key()] = true
		if order[it.Type] < last {
			t.Errorf("types not grouped: %s after a later type", it.Type)
		}
		last = order[it.Type]
	}
	for typ, n := range mix {
		if count[typ] != n {
			t.Errorf("%s: got %d, want %d", typ, count[typ], n)
		}
	}
	// A pool short of one type fills the shortfall from the others.
	var noFill []*quiz.PoolQuestion
	for _, pq := range pool {
		if pq.Q.Type != questions.Fill {
			noFill = append(noFill, pq)
		}
	}
	items = quiz.Draw(quiz.DrawSeed("s", 7, quiz.Test, "2026-Q4", 1), noFill, 20, mix)
	if len(items) != 20 {
		t.Errorf("short pool: drew %d, want 20", len(items))
	}
	// A pool smaller than n gives all it has.
	if got := len(quiz.Draw(quiz.DrawSeed("s", 7, quiz.Study, "2026-11", 1), pool[:5], 10, nil)); got != 5 {
		t.Errorf("small pool: drew %d, want 5", got)
	}
}

func TestSnapshotShuffleKeepsAnswer(t *testing.T) {
	pool := testPool(t)
	items := quiz.Draw(quiz.DrawSeed("s", 9, quiz.Study, "2026-11", 1), pool, len(pool), nil)
	shuffled := 0
	for _, it := range items {
		var q *questions.Question
		for _, pq := range pool {
			if pq.Bank == it.Bank && pq.Q.ID == it.QID {
				q = pq.Q
			}
		}
		// The right options, by text, are the same after shuffling.
		want := map[string]bool{}
		for _, i := range q.Answer {
			want[q.Options[i]] = true
		}
		got := map[string]bool{}
		for _, i := range it.Answer {
			got[it.Options[i]] = true
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s: right options changed: %v → %v", it.Key(), want, got)
		}
		if it.Type == questions.TrueFalse && !reflect.DeepEqual(it.Options, questions.TrueFalseOptions) {
			t.Fatalf("%s: 判断 options reordered", it.Key())
		}
		if !reflect.DeepEqual(it.Options, q.Options) {
			shuffled++
		}
		if it.Hash != q.Hash() {
			t.Fatalf("%s: hash not kept", it.Key())
		}
	}
	if shuffled == 0 {
		t.Error("no options were shuffled")
	}
}
