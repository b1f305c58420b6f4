package quiz_test

import (
	"math"
	"slices"
	"testing"

	"partyquiz/quiz"
)

func TestFacilityDiscrimination(t *testing.T) {
	var s quiz.ItemStats
	if !math.IsNaN(s.Facility()) || !math.IsNaN(s.Discrimination()) {
		t.Fatal("empty stats must be NaN")
	}
	// 30 test takers: 10 scored 90+, 10 scored 50–59, 10 scored 0–9.
	// The strong all got it right, the middle half, the weak none.
	s.TestN[9], s.TestRight[9] = 10, 10
	s.TestN[5], s.TestRight[5] = 10, 5
	s.TestN[0], s.TestRight[0] = 10, 0
	s.Answers, s.Right = 30, 15
	if got := s.Facility(); got != 0.5 {
		t.Errorf("Facility = %v", got)
	}
	if got := s.Discrimination(); math.Abs(got-1) > 1e-9 {
		t.Errorf("Discrimination = %v, want 1", got)
	}
	// A question the weak get right and the strong get wrong: negative.
	var bad quiz.ItemStats
	bad.TestN[9], bad.TestRight[9] = 6, 0
	bad.TestN[2], bad.TestRight[2] = 6, 6
	if got := bad.Discrimination(); math.Abs(got+1) > 1e-9 {
		t.Errorf("Discrimination = %v, want -1", got)
	}
	// A third's edge inside a band is shared out in proportion:
	// 9 takers all in one band, 6 right: both thirds get 2/3 → 0.
	var flat quiz.ItemStats
	flat.TestN[7], flat.TestRight[7] = 9, 6
	if got := flat.Discrimination(); math.Abs(got) > 1e-9 {
		t.Errorf("Discrimination = %v, want 0", got)
	}
	var few quiz.ItemStats
	few.TestN[5] = quiz.MinDiscrimination - 1
	if !math.IsNaN(few.Discrimination()) {
		t.Error("too few answers must be NaN")
	}
	if quiz.Band(100) != 10 || quiz.Band(99) != 9 || quiz.Band(0) != 0 || quiz.Band(-5) != 0 || quiz.Band(150) != 10 {
		t.Error("Band")
	}
}

// fig is a node's figures with its owed months and tests.
func fig(node string, members int64, st quiz.NodeStats, studyDue, testDue int64) quiz.Figures {
	return quiz.Figures{Node: node, Members: members, Stats: st, StudyDue: studyDue, TestDue: testDue}
}

func TestRank(t *testing.T) {
	cfg := quiz.RankConfig{StudyWeight: 0.4, TestWeight: 0.6, MinSize: 5}
	in := []quiz.StandingInput{
		// 10 members, 3 months owed each, 30 months done → 100 %; one test, mean 80.
		{Figures: fig("a", 10, quiz.NodeStats{StudyDone: 30, ScoreSum: 800, TestTaken: 10, Passed: 10}, 30, 10)},
		// A big branch with the same rates ranks the same: rates, not totals.
		{Figures: fig("b", 100, quiz.NodeStats{StudyDone: 300, ScoreSum: 8000, TestTaken: 100, Passed: 100}, 300, 100)},
		// Half did the study; the non-takers count as 0 in the mean.
		{Figures: fig("c", 10, quiz.NodeStats{StudyDone: 15, ScoreSum: 450, TestTaken: 5, Passed: 5}, 30, 10)},
		// Too small: shown, marked.
		{Figures: fig("d", 2, quiz.NodeStats{StudyDone: 6, ScoreSum: 200, TestTaken: 2, Passed: 2}, 6, 2)},
	}
	got := cfg.Rank(in)
	order := []string{got[0].Node, got[1].Node, got[2].Node, got[3].Node}
	if order[0] != "d" || order[1] != "a" || order[2] != "b" || order[3] != "c" {
		t.Fatalf("order %v", order)
	}
	if got[1].Rank != 2 || got[2].Rank != 2 || got[3].Rank != 4 {
		t.Errorf("ranks: %d %d %d, want 2 2 4", got[1].Rank, got[2].Rank, got[3].Rank)
	}
	if !got[0].Small || got[1].Small {
		t.Error("Small")
	}
	c := got[3]
	if c.StudyRate() != 0.5 || c.DueMean() != 45 || c.PassRate() != 0.5 || c.TakenMean() != 90 || c.TakeRate() != 0.5 {
		t.Errorf("c: %+v", c)
	}
	if want := 0.4*50 + 0.6*45; math.Abs(c.Value-want) > 1e-9 {
		t.Errorf("c value %v, want %v", c.Value, want)
	}
	// Before any test the value is the study rate alone; change from the
	// previous half year.
	prev := fig("a", 10, quiz.NodeStats{StudyDone: 30}, 60, 20)
	s := cfg.Evaluate(quiz.StandingInput{Figures: fig("a", 10, quiz.NodeStats{StudyDone: 8}, 10, 0), Prev: &prev})
	if !math.IsNaN(s.DueMean()) || s.Value != 80 {
		t.Errorf("no test yet: %+v", s)
	}
	if want := 80 - (0.4 * 50); math.Abs(s.Change-want) > 1e-9 {
		t.Errorf("change %v, want %v", s.Change, want)
	}
	// An empty branch is not a division by zero.
	e := cfg.Evaluate(quiz.StandingInput{Figures: fig("e", 0, quiz.NodeStats{}, 0, 0)})
	if e.Value != 0 || !e.Small || !math.IsNaN(e.StudyRate()) {
		t.Errorf("empty: %+v", e)
	}
}

// TestRankLeavesOutEmptyNodes: a node with nothing owed (no members yet)
// is not ranked: it comes after every ranked node with rank 0, and is not
// counted among those ranked — it does not tie with a branch whose
// members did nothing.
func TestRankLeavesOutEmptyNodes(t *testing.T) {
	cfg := quiz.RankConfig{StudyWeight: 0.4, TestWeight: 0.6, MinSize: 5}
	got := cfg.Rank([]quiz.StandingInput{
		{Figures: fig("a-empty", 0, quiz.NodeStats{}, 0, 0)},
		{Figures: fig("b-idle", 6, quiz.NodeStats{}, 6, 0)},
		{Figures: fig("c-busy", 6, quiz.NodeStats{StudyDone: 3}, 6, 0)},
		{Figures: fig("d-empty", 0, quiz.NodeStats{}, 0, 0)},
	})
	var order []string
	var ranks []int
	for _, s := range got {
		order = append(order, s.Node)
		ranks = append(ranks, s.Rank)
	}
	if want := []string{"c-busy", "b-idle", "a-empty", "d-empty"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if want := []int{1, 2, 0, 0}; !slices.Equal(ranks, want) {
		t.Errorf("ranks %v, want %v", ranks, want)
	}
	if n := quiz.RankedCount(got); n != 2 {
		t.Errorf("%d ranked, want 2", n)
	}
}

// TestFiguresDefinitions: each figure is its one definition; nothing owed
// is no figure (NaN), never a division by zero.
func TestFiguresDefinitions(t *testing.T) {
	f := fig("x", 3, quiz.NodeStats{StudyDone: 2, TestTaken: 1, ScoreSum: 65, Passed: 1}, 3, 3)
	for _, tt := range []struct {
		name      string
		got, want float64
	}{
		{"学习完成率", f.StudyRate(), 2.0 / 3},
		{"参考率", f.TakeRate(), 1.0 / 3},
		{"参考人员平均分", f.TakenMean(), 65},
		{"人均得分", f.DueMean(), 65.0 / 3},
		{"及格率", f.PassRate(), 1.0 / 3},
	} {
		if math.Abs(tt.got-tt.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	none := fig("y", 0, quiz.NodeStats{}, 0, 0)
	for _, v := range []float64{none.StudyRate(), none.TakeRate(), none.TakenMean(), none.DueMean(), none.PassRate()} {
		if !math.IsNaN(v) {
			t.Errorf("a figure of nothing owed is %v, want NaN", v)
		}
	}
}

func TestStarCounts(t *testing.T) {
	s := quiz.NodeStats{Stars: [4]int64{3, 2, 1, 1}}
	if got := s.StarCounts(10); got != [5]int64{3, 3, 2, 1, 1} {
		t.Errorf("StarCounts = %v", got)
	}
}
