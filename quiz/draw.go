package quiz

import (
	"crypto/sha256"
	"math/rand/v2"
	"sort"
	"strconv"

	"partyquiz/questions"
)

// DrawSeed is the seed of one member's draw for one attempt: the same
// member, period, kind and attempt number give the same questions in the
// same order; any other member gets another order. salt is the
// installation's secret, so that no one can work out another's draw.
func DrawSeed(salt string, user int64, kind Kind, period string, n int) [32]byte {
	h := sha256.New()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(user, 10)))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(period))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(n)))
	var seed [32]byte
	copy(seed[:], h.Sum(nil))
	return seed
}

// Draw picks n questions from pool with a deterministic generator. With a
// mix, it takes mix[type] of each type (grouped by type, in the order of
// questions.Types, as a paper test is) and fills any shortfall from the
// other types; without one it takes any n. The pool's order does not
// matter: it is sorted by bank and id first. It never takes two copies of
// one question (the same questions.Question.DupKey: one bank's question
// repeated in another), so a test or a month's study asks each once.
// Choice options are shuffled unless the question keeps its order
// (shuffle = false); the two options of 判断 keep their order.
func Draw(seed [32]byte, pool []*PoolQuestion, n int, mix map[questions.Type]int) []Item {
	rng := rand.New(rand.NewChaCha8(seed))
	sorted := make([]*PoolQuestion, len(pool))
	copy(sorted, pool)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Bank != sorted[j].Bank {
			return sorted[i].Bank < sorted[j].Bank
		}
		return sorted[i].Q.ID < sorted[j].Q.ID
	})
	rng.Shuffle(len(sorted), func(i, j int) { sorted[i], sorted[j] = sorted[j], sorted[i] })
	if n > len(sorted) {
		n = len(sorted)
	}

	// taken[i]: sorted[i] is drawn, or is a copy of one drawn. Keys are
	// worked out only for the questions looked at, not the whole pool.
	taken := make([]bool, len(sorted))
	drawn := map[string]bool{}
	take := func(i int) bool {
		if taken[i] {
			return false
		}
		taken[i] = true
		k := sorted[i].Q.DupKey()
		if drawn[k] {
			return false
		}
		drawn[k] = true
		return true
	}
	var picked []*PoolQuestion
	if len(mix) == 0 {
		for i, pq := range sorted {
			if len(picked) >= n {
				break
			}
			if take(i) {
				picked = append(picked, pq)
			}
		}
	} else {
		byType := map[questions.Type][]*PoolQuestion{}
		want := 0
		for _, t := range questions.Types {
			for i, pq := range sorted {
				if want >= n || len(byType[t]) >= mix[t] {
					break
				}
				if pq.Q.Type == t && take(i) {
					byType[t] = append(byType[t], pq)
					want++
				}
			}
		}
		// Shortfall: fill from whatever is left, keeping type groups.
		for i, pq := range sorted {
			if want >= n {
				break
			}
			if take(i) {
				byType[pq.Q.Type] = append(byType[pq.Q.Type], pq)
				want++
			}
		}
		for _, t := range questions.Types {
			picked = append(picked, byType[t]...)
		}
	}
	items := make([]Item, len(picked))
	for i, pq := range picked {
		items[i] = Snapshot(pq.Bank, pq.Q, rng)
	}
	return items
}

// PoolQuestion is a question together with its bank's id.
type PoolQuestion struct {
	Bank string
	Q    *questions.Question
}

// Snapshot copies a question into an item, shuffling choice options with
// rng (nil, or a question that keeps its order, keeps the bank's order).
func Snapshot(bank string, q *questions.Question, rng *rand.Rand) Item {
	it := Item{
		Bank: bank, QID: q.ID, Hash: q.Hash(), Type: q.Type, Text: q.Text,
		Explanation: q.Explanation, Source: q.Source,
		Accepted: append([]string(nil), q.Accepted...),
	}
	perm := make([]int, len(q.Options)) // perm[shown] = original index
	for i := range perm {
		perm[i] = i
	}
	if rng != nil && !q.KeepOrder && (q.Type == questions.Single || q.Type == questions.Multiple) {
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	}
	it.Options = make([]string, len(perm))
	for shown, orig := range perm {
		it.Options[shown] = q.Options[orig]
		if containsInt(q.Answer, orig) {
			it.Answer = append(it.Answer, shown)
		}
	}
	return it
}
