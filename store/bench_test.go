package store_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// bankTOML returns a bank of n questions of every type.
func bankTOML(id string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id = %q\ntitle = \"基准题库\"\n", id)
	for i := 0; i < n; i++ {
		b.WriteString("\n[[question]]\n")
		fmt.Fprintf(&b, "id = \"q%03d\"\n", i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "type = \"单选\"\ntext = \"第%d题：党支部党员大会一般多长时间召开1次？\"\n", i)
			b.WriteString("options = [\"每月\", \"每季度\", \"每半年\", \"每年\"]\nanswer = \"B\"\n")
		case 1:
			fmt.Fprintf(&b, "type = \"多选\"\ntext = \"第%d题：“三会”包括哪些会议？\"\n", i)
			b.WriteString("options = [\"支部党员大会\", \"支部委员会会议\", \"党小组会\", \"村民代表会议\"]\nanswer = \"ABC\"\n")
		case 2:
			fmt.Fprintf(&b, "type = \"判断\"\ntext = \"第%d题：“季度一测”是指每个季度组织一次测试。\"\nanswer = \"对\"\n", i)
		case 3:
			fmt.Fprintf(&b, "type = \"填空\"\ntext = \"第%d题：市委抓总、片区督导、乡级____、村级落实。\"\nanswer = [\"统筹\"]\n", i)
		}
		b.WriteString("explanation = \"“三会一课”是指定期召开支部党员大会、支部委员会会议、党小组会，按时上好党课。\"\n")
	}
	return b.String()
}

// benchService is a service over db with a bank of 80 questions, tests of
// 20 and as many attempts as a benchmark wants.
func benchService(tb testing.TB, db *store.DB, tree *quiz.Tree, now time.Time) *quiz.Service {
	tb.Helper()
	set := questions.NewSet([]*questions.File{questions.ParseFile("bench.toml", []byte(bankTOML("bench", 80)))}, nil)
	if set.Catalog == nil {
		tb.Fatalf("bench bank: %v", set.Problems)
	}
	cal, err := quiz.NewCalendar("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	rules := quiz.DefaultRules()
	rules.TestQuestions = 20
	rules.TestMix = nil
	rules.TestAttempts = 1 << 30
	rules.FastSeconds = 0
	return quiz.NewService(db, cal, rules, func() time.Time { return now }, []int64{adminID},
		&quiz.Content{Catalog: set.Catalog, Tree: tree})
}

// BenchmarkAnswers records answers from 200 members at once, each with an
// open test of 20 questions, answering in a loop, with fsync on. It
// reports recorded answers per second and the heap in use.
func BenchmarkAnswers(b *testing.B) {
	b.Run("fsync", func(b *testing.B) { benchAnswers(b, 200, store.Options{}) })
	b.Run("fsync/delay=10ms", func(b *testing.B) { benchAnswers(b, 200, store.Options{MaxBatchDelay: 10 * time.Millisecond}) })
	b.Run("nosync", func(b *testing.B) { benchAnswers(b, 200, store.Options{NoSync: true}) })
}

func benchAnswers(b *testing.B, members int, opts store.Options) {
	db := MustOpen(b, opts)
	tree := testContent(b).Tree
	svc := benchService(b, db, tree, testNow)
	ctx := context.Background()
	admin := quiz.Viewer{ID: adminID, Admin: true}
	codes := map[string]string{}
	for _, br := range []string{"b1", "b2", "b3"} {
		inv, err := svc.CreateInvite(ctx, admin, br, quiz.RoleMember, 0)
		if err != nil {
			b.Fatal(err)
		}
		codes[br] = inv.Code
	}
	atts := make([]*quiz.Attempt, members)
	var wg sync.WaitGroup
	for i := range atts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := int64(100000 + i)
			if _, _, err := svc.Join(ctx, id, codes[[]string{"b1", "b2", "b3"}[i%3]], "党员"); err != nil {
				b.Error(err)
				return
			}
			a, err := svc.StartTest(ctx, id)
			if err != nil {
				b.Error(err)
			}
			atts[i] = a
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	var tickets atomic.Int64
	tickets.Store(int64(b.N))
	b.ReportAllocs()
	heap := sampleHeap()
	b.ResetTimer()
	start := time.Now()
	for i := range atts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := atts[i]
			for n := 0; tickets.Add(-1) >= 0; n++ {
				if a.Complete() || a.Closed {
					var err error
					if a, err = svc.StartTest(ctx, a.User); err != nil {
						b.Error(err)
						return
					}
				}
				j := a.Current()
				choice, text := rightAnswer(&a.Items[j])
				if n%5 == 0 {
					choice, text = wrongAnswer(&a.Items[j])
				}
				res, err := svc.Answer(ctx, a.User, a.ID, j, choice, text, "")
				if err != nil {
					b.Error(err)
					return
				}
				a = res.Attempt
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "answers/s")
	b.ReportMetric(heap()/(1<<20), "max-heap-MB")
}

// sampleHeap samples the heap in use every 10 ms until the returned
// function is called, which returns the most seen.
func sampleHeap() func() float64 {
	var max atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > max.Load() {
				max.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		return float64(max.Load())
	}
}
