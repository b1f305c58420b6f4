package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// BenchmarkRemovedAsked prepares the upload of a built-in bank that
// removes three of its questions (quiz.Service.Prepare), which counts what
// members were asked of them: a scan of the root's item statistics and of
// every open attempt's items; and, for comparison, an upload that removes
// none (Prepare without the count). The store holds open attempts of 10 items
// each, drawn from the built-in banks, and item statistics at the root
// for 30,000 question versions (a province's banks over a few years).
// 100,000 open attempts (a province's members part-way through a month's
// study) with PARTYQUIZ_BIG=1.
func BenchmarkRemovedAsked(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("PARTYQUIZ_BIG") == "1" {
		sizes = append(sizes, 100_000)
	}
	cat, err := questions.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		b.Fatal(err)
	}
	var pool []quiz.Item
	for _, bank := range cat.Banks {
		for _, q := range bank.Questions {
			pool = append(pool, quiz.Item{Bank: bank.ID, QID: q.ID, Hash: q.Hash(), Type: q.Type, Text: q.Text,
				Options: q.Options, Answer: q.Answer, Accepted: q.Accepted, Explanation: q.Explanation})
		}
	}
	bank := cat.Bank("sanhui-yike")
	next := *bank
	next.Questions = bank.Questions[3:]
	upload := questions.EncodeBank(&next, "")
	edited := *bank.Questions[0]
	edited.Explanation += "（修订）"
	next.Questions = append([]*questions.Question{&edited}, bank.Questions[1:]...)
	changed := questions.EncodeBank(&next, "")
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db, err := store.Open(filepath.Join(b.TempDir(), "q.db"), store.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			start := time.Now()
			const chunk = 5000
			for done := 0; done < n; done += chunk {
				err := db.Update(context.Background(), func(tx quiz.Tx) error {
					for i := done; i < min(n, done+chunk); i++ {
						items := make([]quiz.Item, 10)
						for j := range items {
							items[j] = pool[rng.IntN(len(pool))]
						}
						a := &quiz.Attempt{User: int64(i + 1), Kind: quiz.Study, Period: "2026-11", N: 1, Branch: "qingshan",
							Items: items, Responses: make([]quiz.Response, 10), Started: t0, Until: t0.Add(20 * 24 * time.Hour)}
						if err := tx.CreateAttempt(a); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if err := db.Update(context.Background(), func(tx quiz.Tx) error {
				for i := 0; i < 30_000; i++ {
					key := fmt.Sprintf("bank-%03d/q%03d@%016x", i/200, i%200, i)
					if i < len(pool) {
						key = pool[i].StatKey()
					}
					if err := tx.AddItemStats(tree.Root(), key, quiz.ItemStats{Answers: 40, Right: 30}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "gen-s")
			cal, _ := quiz.NewCalendar("Asia/Shanghai")
			svc := quiz.NewService(db, cal, quiz.DefaultRules(), func() time.Time { return t0 }, []int64{adminID},
				&quiz.Content{Catalog: cat, Tree: tree})
			admin := quiz.Viewer{ID: adminID, Admin: true}
			prepare := func(b *testing.B, data []byte, removed int) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					d, err := svc.Prepare(context.Background(), admin, "sanhui-yike.toml", data)
					if err != nil {
						b.Fatal(err)
					}
					if len(d.Bank.Removed) != removed || len(d.Bank.Asked) != removed || (removed > 0 && d.Bank.Open == 0) {
						b.Fatalf("removed %v, asked %v, in %d open attempts", d.Bank.Removed, d.Bank.Asked, d.Bank.Open)
					}
				}
			}
			// The same upload with nothing removed: Prepare without the count.
			b.Run("none-removed", func(b *testing.B) { prepare(b, changed, 0) })
			b.Run("3-removed", func(b *testing.B) { prepare(b, upload, 3) })
		})
	}
}
