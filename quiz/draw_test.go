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

// TestDrawNoCopies: a question repeated in another bank (the same stem and
// options, another id) is never drawn twice into one test or one month's
// study, whatever the seed; a pool made of copies gives each question once.
func TestDrawNoCopies(t *testing.T) {
	pool := testPool(t)
	var doubled []*quiz.PoolQuestion
	for _, pq := range pool {
		doubled = append(doubled, pq)
		cp := *pq.Q
		cp.ID = "copy-" + pq.Q.ID
		cp.Options = append([]string(nil), pq.Q.Options...)
		if len(cp.Options) > 1 { // the same options in another order are the same question
			cp.Options[0], cp.Options[1] = cp.Options[1], cp.Options[0]
			cp.Answer = nil
			for _, a := range pq.Q.Answer {
				switch a {
				case 0:
					a = 1
				case 1:
					a = 0
				}
				cp.Answer = append(cp.Answer, a)
			}
		}
		doubled = append(doubled, &quiz.PoolQuestion{Bank: pq.Bank + "-copy", Q: &cp})
	}
	mix := quiz.DefaultRules().TestMix
	for user := int64(1); user <= 50; user++ {
		for _, tt := range []struct {
			kind quiz.Kind
			n    int
			mix  map[questions.Type]int
		}{{quiz.Test, 20, mix}, {quiz.Study, 10, nil}} {
			items := quiz.Draw(quiz.DrawSeed("s", user, tt.kind, "2026-Q4", 1), doubled, tt.n, tt.mix)
			if len(items) != tt.n {
				t.Fatalf("drew %d, want %d", len(items), tt.n)
			}
			stems := map[string]string{}
			for _, it := range items {
				if prev, dup := stems[it.Text]; dup {
					t.Fatalf("user %d %s: %s and %s are copies of one question", user, tt.kind, prev, it.Key())
				}
				stems[it.Text] = it.Key()
			}
		}
	}
	all := quiz.Draw(quiz.DrawSeed("s", 1, quiz.Study, "2026-11", 1), doubled, len(doubled), nil)
	if len(all) != len(pool) {
		t.Errorf("all of a doubled pool: drew %d, want %d", len(all), len(pool))
	}
}

// TestDrawKeepsOrder: a question written with shuffle = false is asked
// with its options in the order written, for every member.
func TestDrawKeepsOrder(t *testing.T) {
	f := questions.ParseFile("k.toml", []byte(`id = "k"
title = "k"

[[question]]
id = "1"
type = "单选"
text = "党员的义务包括哪些？"
options = ["认真学习", "贯彻执行党的基本路线", "坚持党和人民的利益高于一切", "以上都是"]
answer = "D"
shuffle = false

[[question]]
id = "2"
type = "多选"
text = "“三会”包括哪些？"
options = ["支部党员大会", "支部委员会", "党小组会", "村民代表大会"]
answer = "ABC"
`))
	if len(f.Problems) > 0 {
		t.Fatal(f.Problems)
	}
	pool := []*quiz.PoolQuestion{{Bank: "k", Q: f.Bank.Questions[0]}, {Bank: "k", Q: f.Bank.Questions[1]}}
	shuffled := 0
	for user := int64(1); user <= 30; user++ {
		for _, it := range quiz.Draw(quiz.DrawSeed("s", user, quiz.Study, "2026-11", 1), pool, 2, nil) {
			q := f.Bank.Question(it.QID)
			same := reflect.DeepEqual(it.Options, q.Options)
			if q.KeepOrder && (!same || it.Options[it.Answer[0]] != "以上都是") {
				t.Fatalf("user %d: shuffle = false shuffled: %v", user, it.Options)
			}
			if !q.KeepOrder && !same {
				shuffled++
			}
		}
	}
	if shuffled == 0 {
		t.Error("the other question was never shuffled")
	}
}
