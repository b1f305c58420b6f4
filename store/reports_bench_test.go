package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"partyquiz/quiz"
)

// genConfigs are the sizes the report benchmarks run on: the seed's city
// always; the province (1,000,000 members, generated once per machine in
// a few minutes) when PARTYQUIZ_BIG=1.
func genConfigs() []genConfig {
	cs := []genConfig{cityConfig}
	if os.Getenv("PARTYQUIZ_BIG") == "1" {
		cs = append(cs, provinceConfig)
	}
	return cs
}

// BenchmarkReports reads reports from a generated store with a year of
// history: a branch report (its members with their month and quarter
// progress, and its totals), the half-year standings an admin sees at the
// root (the root's children and every branch ranked), and a member's own
// record. It reports the file's size, how long generating it took and the
// most heap in use while answering.
func BenchmarkReports(b *testing.B) {
	for _, c := range genConfigs() {
		b.Run(c.Name, func(b *testing.B) {
			db, info := openGenerated(b, c)
			tree := c.tree(b)
			cal, err := quiz.NewCalendar("Asia/Shanghai")
			if err != nil {
				b.Fatal(err)
			}
			svc := quiz.NewService(db, cal, quiz.DefaultRules(), func() time.Time { return genNow }, []int64{adminID},
				&quiz.Content{Catalog: testContent(b).Catalog, Tree: tree})
			ctx := context.Background()
			admin := quiz.Viewer{ID: adminID, Admin: true}
			month, quarter := cal.Month(genNow).Key(), cal.Quarter(genNow).Key()
			leaves := tree.Leaves(tree.Root())
			report := func(b *testing.B, name string, fn func(rng *rand.Rand) error) {
				b.Run(name, func(b *testing.B) {
					rng := rand.New(rand.NewPCG(1, 2))
					b.ReportAllocs()
					heap := sampleHeap()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := fn(rng); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(heap()/(1<<20), "max-heap-MB")
					b.ReportMetric(float64(info.Bytes)/(1<<20), "file-MB")
					b.ReportMetric(info.Seconds, "gen-s")
				})
			}
			report(b, "branch", func(rng *rand.Rand) error {
				branch := leaves[rng.IntN(len(leaves))]
				return db.View(ctx, func(tx quiz.Tx) error {
					members, err := tx.Members(branch)
					if err != nil {
						return err
					}
					done := 0
					for _, u := range members {
						m, err := tx.Progress(u.ID, month)
						if err != nil {
							return err
						}
						q, err := tx.Progress(u.ID, quarter)
						if err != nil {
							return err
						}
						if m.StudyDone && q.Tested {
							done++
						}
					}
					for _, p := range []string{month, quarter} {
						if _, err := tx.NodeStats(branch, p); err != nil {
							return err
						}
					}
					if len(members) == 0 {
						b.Fatalf("branch %s has no members", branch)
					}
					return nil
				})
			})
			report(b, "standings", func(*rand.Rand) error {
				st, err := svc.Standings(ctx, admin, "")
				if err == nil && len(st.Leaves) != c.Branches {
					b.Fatalf("%d leaves ranked, want %d", len(st.Leaves), c.Branches)
				}
				return err
			})
			// The store's share of the standings: the member counts and
			// the totals of every node for this half year and the last.
			report(b, "standings-reads", func(*rand.Rand) error {
				return db.View(ctx, func(tx quiz.Tx) error {
					if _, err := tx.MemberCounts(); err != nil {
						return err
					}
					for _, p := range []string{"2026-H2", "2026-H1"} {
						if _, err := tx.PeriodStats(p); err != nil {
							return err
						}
					}
					return nil
				})
			})
			report(b, "me", func(rng *rand.Rand) error {
				_, err := svc.Me(ctx, memberID(rng.IntN(c.Members)))
				return err
			})
		})
	}
}
