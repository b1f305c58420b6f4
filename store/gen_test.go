package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"partyquiz/quiz"
	"partyquiz/store"
)

// genConfig is the size of a generated store: members spread over
// branches under townships under areas under one root, with a year of
// history each.
type genConfig struct {
	Name      string
	Members   int
	Branches  int
	Townships int
	Areas     int
	Seed      uint64
}

// genVersion changes whenever the generator writes something else, so
// that an old cached file is not used.
const genVersion = 1

var (
	// cityConfig is the seed's city: 12,000 members in 980 branches.
	cityConfig = genConfig{Name: "city", Members: 12_000, Branches: 980, Townships: 40, Areas: 4, Seed: 1}
	// provinceConfig is what one machine must hold: 1,000,000 members in
	// 20,000 branches.
	provinceConfig = genConfig{Name: "province", Members: 1_000_000, Branches: 20_000, Townships: 500, Areas: 20, Seed: 1}
)

// genNow is when the generated history ends: mid-December, so every
// month and every quarter's test of the year has begun.
var genNow = time.Date(2026, 12, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// genInfo is what generating a file took, kept next to the cached file.
type genInfo struct {
	Config   genConfig
	Seconds  float64
	Bytes    int64
	Entries  int64
	Progress int64
}

func (c genConfig) nodes() []quiz.Node {
	nodes := []quiz.Node{{ID: "city", Name: "市委"}}
	for a := 0; a < c.Areas; a++ {
		nodes = append(nodes, quiz.Node{ID: fmt.Sprintf("a%02d", a), Name: fmt.Sprintf("第%d片区", a+1), Parent: "city"})
	}
	for t := 0; t < c.Townships; t++ {
		nodes = append(nodes, quiz.Node{ID: fmt.Sprintf("t%03d", t), Name: fmt.Sprintf("乡镇%d", t+1),
			Parent: fmt.Sprintf("a%02d", t*c.Areas/c.Townships)})
	}
	for b := 0; b < c.Branches; b++ {
		nodes = append(nodes, quiz.Node{ID: c.branch(b), Name: fmt.Sprintf("村%d", b+1),
			Parent: fmt.Sprintf("t%03d", b*c.Townships/c.Branches)})
	}
	return nodes
}

func (c genConfig) branch(i int) string { return fmt.Sprintf("b%05d", i) }

func (c genConfig) tree(tb testing.TB) *quiz.Tree {
	tb.Helper()
	t, err := quiz.NewTree(c.nodes())
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// memberID is the Telegram id of member k.
func memberID(k int) int64 { return 1_000_000_000 + int64(k) }

// branchSizes spreads the members over the branches, 20 % to 180 % of
// the mean each.
func (c genConfig) branchSizes(rng *rand.Rand) []int {
	w := make([]int, c.Branches)
	total := 0
	for i := range w {
		w[i] = 20 + rng.IntN(161)
		total += w[i]
	}
	sizes := make([]int, c.Branches)
	n := 0
	for i := range w {
		sizes[i] = w[i] * c.Members / total
		n += sizes[i]
	}
	for i := 0; n < c.Members; i = (i + 1) % c.Branches {
		sizes[i]++
		n++
	}
	return sizes
}

// generate writes a store with c's members and a year of history each,
// as quiz.Service would have recorded it: users and member counts,
// progress for every month, quarter, half and the year, the ledger, and
// node totals for every node and period. It writes through quiz.Tx in
// big transactions, not through Service.
func generate(path string, c genConfig) (genInfo, error) {
	start := time.Now()
	info := genInfo{Config: c}
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return info, err
	}
	defer db.Close()
	cal, err := quiz.NewCalendar("Asia/Shanghai")
	if err != nil {
		return info, err
	}
	rules := quiz.DefaultRules()
	rng := rand.New(rand.NewPCG(c.Seed, genVersion))
	sizes := c.branchSizes(rng)
	year := cal.Year(genNow)
	months := year.Months(cal)
	quarters := year.Quarters(cal)
	ctx := context.Background()

	// Totals by branch and period, rolled up to the ancestors at the end.
	stats := make([]map[string]quiz.NodeStats, c.Branches)
	const perTx = 5000
	k := 0
	type job struct{ branch, from, to int }
	var jobs []job
	for b, size := range sizes {
		stats[b] = map[string]quiz.NodeStats{}
		for from := 0; from < size; from += perTx {
			jobs = append(jobs, job{b, k + from, k + min(from+perTx, size)})
		}
		k += size
	}
	// Group jobs into transactions of about perTx members.
	for i := 0; i < len(jobs); {
		var batch []job
		n := 0
		for ; i < len(jobs) && n < perTx; i++ {
			batch = append(batch, jobs[i])
			n += jobs[i].to - jobs[i].from
		}
		err := db.Update(ctx, func(tx quiz.Tx) error {
			for _, j := range batch {
				branch := c.branch(j.branch)
				for m := j.from; m < j.to; m++ {
					e, p, err := genMember(tx, memberID(m), branch, rng, cal, rules, months, quarters, year, stats[j.branch])
					if err != nil {
						return err
					}
					info.Entries += e
					info.Progress += p
				}
			}
			return nil
		})
		if err != nil {
			return info, err
		}
	}

	// Member counts and totals of every node.
	tree, err := quiz.NewTree(c.nodes())
	if err != nil {
		return info, err
	}
	counts := map[string]int64{}
	totals := map[string]map[string]quiz.NodeStats{}
	for b, size := range sizes {
		for _, n := range tree.Lineage(c.branch(b)) {
			counts[n] += int64(size)
			if totals[n] == nil {
				totals[n] = map[string]quiz.NodeStats{}
			}
			for p, s := range stats[b] {
				totals[n][p] = totals[n][p].Add(s)
			}
		}
	}
	err = db.Update(ctx, func(tx quiz.Tx) error {
		for n, v := range counts {
			if err := tx.AddMemberCount(n, v); err != nil {
				return err
			}
		}
		for n, ps := range totals {
			for p, s := range ps {
				if err := tx.AddNodeStats(n, p, s); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	info.Seconds = time.Since(start).Seconds()
	return info, nil
}

// genMember writes one member's year and adds it to the branch's totals.
func genMember(tx quiz.Tx, id int64, branch string, rng *rand.Rand, cal quiz.Calendar, rules quiz.Rules,
	months, quarters []quiz.Period, year quiz.Period, stats map[string]quiz.NodeStats) (entries, progress int64, err error) {
	if err := tx.PutUser(&quiz.User{ID: id, Name: fmt.Sprintf("党员%d", id%1_000_000), Branch: branch, Joined: year.Start}); err != nil {
		return 0, 0, err
	}
	diligence := rng.Float64()
	ability := 0.5 + 0.5*rng.Float64()
	points := map[string]quiz.Points{} // half and year keys
	var monthsDone int
	add := func(period string, d quiz.NodeStats) {
		stats[period] = stats[period].Add(d)
	}
	book := func(e *quiz.Entry) error {
		ok, err := tx.AddEntry(e)
		if err != nil || !ok {
			return err
		}
		entries++
		p, err := cal.Parse(e.Period)
		if err != nil {
			return err
		}
		points[cal.Half(p.Start).Key()] += e.Amount
		points[year.Key()] += e.Amount
		return nil
	}
	put := func(period string, p quiz.Progress) error {
		progress++
		return tx.PutProgress(id, period, p)
	}
	for i, m := range months {
		half := cal.Half(m.Start).Key()
		if rng.Float64() < 0.5+0.5*diligence {
			at := m.Start.Add(time.Duration(rng.IntN(27*24)) * time.Hour)
			if err := put(m.Key(), quiz.Progress{StudyDone: true, StudyAt: at.Unix()}); err != nil {
				return 0, 0, err
			}
			for _, p := range []string{m.Key(), half, year.Key()} {
				add(p, quiz.NodeStats{StudyDone: 1})
			}
			if err := book(&quiz.Entry{User: id, Ref: "month:" + m.Key(), Rule: quiz.RuleMonthDone,
				Amount: rules.Points.MonthDone, Period: m.Key(), At: at.Unix()}); err != nil {
				return 0, 0, err
			}
			if monthsDone++; monthsDone == 12 {
				if err := book(&quiz.Entry{User: id, Ref: "year:" + year.Key(), Rule: quiz.RuleAllMonths,
					Amount: rules.Points.AllMonths, Period: m.Key(), At: at.Unix()}); err != nil {
					return 0, 0, err
				}
			}
		}
		if i%3 != 2 {
			continue
		}
		q := quarters[i/3]
		if rng.Float64() >= 0.5+0.5*diligence {
			continue
		}
		right := 0
		for j := 0; j < 20; j++ {
			if rng.Float64() < ability {
				right++
			}
		}
		score := right * 5
		passed := score >= rules.PassMark
		at := m.Start.Add(time.Duration(rng.IntN(14*24)) * time.Hour)
		if err := put(q.Key(), quiz.Progress{Tested: true, TestScore: score, Attempts: 1, Passed: passed}); err != nil {
			return 0, 0, err
		}
		d := quiz.NodeStats{TestTaken: 1, ScoreSum: int64(score)}
		if passed {
			d.Passed = 1
		}
		for _, p := range []string{q.Key(), half, year.Key()} {
			add(p, d)
		}
		if err := book(&quiz.Entry{User: id, Ref: fmt.Sprintf("test:%s#1", q.Key()), Rule: quiz.RuleTestScore,
			Amount: rules.Points.TestPoints(score), Period: q.Key(), Score: score, Try: 1, At: at.Unix()}); err != nil {
			return 0, 0, err
		}
		if score == 100 {
			if err := book(&quiz.Entry{User: id, Ref: "perfect:" + q.Key(), Rule: quiz.RulePerfect,
				Amount: rules.Points.Perfect, Period: q.Key(), Score: 100, At: at.Unix()}); err != nil {
				return 0, 0, err
			}
		}
	}
	for _, h := range []string{fmt.Sprintf("%d-H1", year.Year), fmt.Sprintf("%d-H2", year.Year)} {
		if points[h] != 0 {
			if err := put(h, quiz.Progress{Points: points[h]}); err != nil {
				return 0, 0, err
			}
		}
	}
	yp := points[year.Key()]
	if err := put(year.Key(), quiz.Progress{Points: yp, MonthsDone: monthsDone}); err != nil {
		return 0, 0, err
	}
	d := quiz.NodeStats{PointSum: yp}
	if s := quiz.Stars(yp, rules.Stars); s > 1 {
		d.Stars[s-2] = 1
	}
	add(year.Key(), d)
	return entries, progress, nil
}

// openGenerated opens the cached generated store of c, generating it
// first (once per machine, in os.TempDir()) if need be.
func openGenerated(tb testing.TB, c genConfig) (*store.DB, genInfo) {
	tb.Helper()
	name := fmt.Sprintf("partyquiz-bench-%s-%d-%d-g%d-s%d.db", c.Name, c.Members, c.Branches, genVersion, store.SchemaVersion())
	path := filepath.Join(os.TempDir(), name)
	var info genInfo
	if data, err := os.ReadFile(path + ".json"); err == nil && json.Unmarshal(data, &info) == nil {
		if _, err := os.Stat(path); err == nil {
			tb.Logf("using %s, generated in %.1f s", path, info.Seconds)
			return mustOpenCached(tb, path), info
		}
	}
	tb.Logf("generating %s: %d members in %d branches", path, c.Members, c.Branches)
	tmp := path + ".tmp"
	os.Remove(tmp)
	info, err := generate(tmp, c)
	if err != nil {
		os.Remove(tmp)
		tb.Fatalf("generate: %v", err)
	}
	if err := syncFile(tmp); err != nil {
		tb.Fatal(err)
	}
	st, err := os.Stat(tmp)
	if err != nil {
		tb.Fatal(err)
	}
	info.Bytes = st.Size()
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	data, _ := json.Marshal(info)
	if err := os.WriteFile(path+".json", data, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("generated in %.1f s: %d bytes, %d ledger entries, %d progress records", info.Seconds, info.Bytes, info.Entries, info.Progress)
	return mustOpenCached(tb, path), info
}

func mustOpenCached(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// TestGenerateConsistent generates a small store and checks that it is
// what Service would have recorded: ledgers, progress and node totals
// agree, and Service reads it.
func TestGenerateConsistent(t *testing.T) {
	c := genConfig{Name: "tiny", Members: 600, Branches: 12, Townships: 4, Areas: 2, Seed: 7}
	path := filepath.Join(t.TempDir(), "gen.db")
	info, err := generate(path, c)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpenPath(t, path)
	tree := c.tree(t)
	rules := quiz.DefaultRules()
	ctx := context.Background()
	members := map[string]int64{}
	sums := map[string]map[string]quiz.NodeStats{}
	addSum := func(branch, period string, d quiz.NodeStats) {
		for _, n := range tree.Lineage(branch) {
			if sums[n] == nil {
				sums[n] = map[string]quiz.NodeStats{}
			}
			sums[n][period] = sums[n][period].Add(d)
		}
	}
	var entries int64
	view(t, db, func(tx quiz.Tx) error {
		return tx.ForEachUser(func(u *quiz.User) error {
			for _, n := range tree.Lineage(u.Branch) {
				members[n]++
			}
			es, err := tx.Entries(u.ID)
			if err != nil {
				return err
			}
			entries += int64(len(es))
			var sum, h1 quiz.Points
			for _, e := range es {
				sum += e.Amount
				if e.Period < "2026-07" || e.Period == "2026-Q1" || e.Period == "2026-Q2" {
					h1 += e.Amount
				}
			}
			y, _ := tx.Progress(u.ID, "2026")
			hp1, _ := tx.Progress(u.ID, "2026-H1")
			hp2, _ := tx.Progress(u.ID, "2026-H2")
			if y.Points != sum || hp1.Points != h1 || hp2.Points != sum-h1 {
				t.Errorf("user %d: ledger %v (H1 %v), progress year %v H1 %v H2 %v", u.ID, sum, h1, y.Points, hp1.Points, hp2.Points)
			}
			d := quiz.NodeStats{PointSum: y.Points}
			if s := quiz.Stars(y.Points, rules.Stars); s > 1 {
				d.Stars[s-2] = 1
			}
			addSum(u.Branch, "2026", d)
			for m := 1; m <= 12; m++ {
				key := fmt.Sprintf("2026-%02d", m)
				p, _ := tx.Progress(u.ID, key)
				if p.StudyDone {
					half := "2026-H1"
					if m > 6 {
						half = "2026-H2"
					}
					for _, k := range []string{key, half, "2026"} {
						addSum(u.Branch, k, quiz.NodeStats{StudyDone: 1})
					}
				}
			}
			for q := 1; q <= 4; q++ {
				key := fmt.Sprintf("2026-Q%d", q)
				p, _ := tx.Progress(u.ID, key)
				if p.Tested {
					d := quiz.NodeStats{TestTaken: 1, ScoreSum: int64(p.TestScore)}
					if p.Passed {
						d.Passed = 1
					}
					half := "2026-H1"
					if q > 2 {
						half = "2026-H2"
					}
					for _, k := range []string{key, half, "2026"} {
						addSum(u.Branch, k, d)
					}
				}
			}
			return nil
		})
	})
	if entries != info.Entries {
		t.Errorf("%d ledger entries, generator says %d", entries, info.Entries)
	}
	view(t, db, func(tx quiz.Tx) error {
		counts, _ := tx.MemberCounts()
		for _, n := range tree.Nodes() {
			if counts[n.ID] != members[n.ID] {
				t.Errorf("MemberCount(%s) = %d, want %d", n.ID, counts[n.ID], members[n.ID])
			}
			for p, want := range sums[n.ID] {
				if got, _ := tx.NodeStats(n.ID, p); got != want {
					t.Errorf("NodeStats(%s, %s) = %+v, want %+v", n.ID, p, got, want)
				}
			}
		}
		if counts["city"] != int64(c.Members) {
			t.Errorf("%d members, want %d", counts["city"], c.Members)
		}
		return nil
	})
	cal, _ := quiz.NewCalendar("Asia/Shanghai")
	svc := quiz.NewService(db, cal, rules, func() time.Time { return genNow }, []int64{adminID},
		&quiz.Content{Catalog: testContent(t).Catalog, Tree: tree})
	st, err := svc.Standings(ctx, quiz.Viewer{ID: adminID, Admin: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rows) != c.Areas || len(st.Leaves) != c.Branches {
		t.Errorf("standings: %d rows, %d leaves", len(st.Rows), len(st.Leaves))
	}
	rec, err := svc.Me(ctx, memberID(0))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Rank < 1 || len(rec.Months) != 12 {
		t.Errorf("Me: rank %d, %d months", rec.Rank, len(rec.Months))
	}
}
