package quiz

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// NodeStats are the running totals of one node for one period, kept up to
// date as members finish months and tests, so that reports and rankings
// read a handful of records instead of history. Month keys count study,
// quarter keys count tests, half-year and year keys count both.
type NodeStats struct {
	StudyDone int64 // member-months finished
	TestTaken int64 // member-tests counted
	ScoreSum  int64 // sum of counted test scores
	Passed    int64 // counted tests at or above the pass mark
	Flagged   int64 // attempts flagged as implausibly fast
	// Year keys only: the members' points and how many members have 2, 3,
	// 4 and 5 stars (the rest have 1).
	PointSum Points
	Stars    [4]int64
}

// Add returns s + d.
func (s NodeStats) Add(d NodeStats) NodeStats {
	s.StudyDone += d.StudyDone
	s.TestTaken += d.TestTaken
	s.ScoreSum += d.ScoreSum
	s.Passed += d.Passed
	s.Flagged += d.Flagged
	s.PointSum += d.PointSum
	for i := range s.Stars {
		s.Stars[i] += d.Stars[i]
	}
	return s
}

// IsZero reports whether nothing is counted.
func (s NodeStats) IsZero() bool { return s == NodeStats{} }

// StarCounts returns how many of members have 1, 2, 3, 4 and 5 stars.
func (s NodeStats) StarCounts(members int64) [5]int64 {
	var out [5]int64
	out[0] = members
	for i, c := range s.Stars {
		out[i+1] = c
		out[0] -= c
	}
	if out[0] < 0 {
		out[0] = 0
	}
	return out
}

// Progress is one member's record for one period: a month (study), a
// quarter (test), a half year or a year (points).
type Progress struct {
	StudyDone  bool   `json:"sd,omitempty"`
	StudyAt    int64  `json:"sa,omitempty"` // unix seconds
	Makeup     bool   `json:"mk,omitempty"` // done in a make-up
	Tested     bool   `json:"td,omitempty"` // a counted test score exists
	TestScore  int    `json:"ts,omitempty"`
	Attempts   int    `json:"ta,omitempty"`
	Passed     bool   `json:"tp,omitempty"`
	Flagged    bool   `json:"fl,omitempty"`
	Points     Points `json:"pt,omitempty"` // halves and years: the sum of the ledger
	MonthsDone int    `json:"md,omitempty"` // years: months finished
}

// Buckets is the number of score bands item statistics keep (0–9, 10–19,
// …, 90–99, 100).
const Buckets = 11

// Band returns the score band of a 0–100 score.
func Band(score int) int { return min(max(score, 0), 100) / 10 }

// ItemStats are the running totals of one question (one version of it)
// at one node.
type ItemStats struct {
	Answers int64 // every answer, study, practice and test
	Right   int64
	// Test answers by the band of the whole test's score, for
	// discrimination: TestN[b] answers from tests scored in band b,
	// TestRight[b] of them right.
	TestN     [Buckets]int64
	TestRight [Buckets]int64
}

// Add returns s + d.
func (s ItemStats) Add(d ItemStats) ItemStats {
	s.Answers += d.Answers
	s.Right += d.Right
	for i := range s.TestN {
		s.TestN[i] += d.TestN[i]
		s.TestRight[i] += d.TestRight[i]
	}
	return s
}

// Facility is the share of answers that were right (NaN with no answers).
func (s ItemStats) Facility() float64 {
	if s.Answers == 0 {
		return math.NaN()
	}
	return float64(s.Right) / float64(s.Answers)
}

// MinDiscrimination is the least number of test answers discrimination is
// computed from.
const MinDiscrimination = 9

// Discrimination is how much better the top third of test takers (by
// their whole test's score) did on this question than the bottom third:
// the share right in the top third minus the share right in the bottom
// third, from -1 to 1. A good question is above about 0.2; a negative one
// is probably wrong. Scores are kept in bands of ten, so a band split by a
// third's edge is shared out in proportion. NaN under MinDiscrimination
// answers.
func (s ItemStats) Discrimination() float64 {
	var n int64
	for _, c := range s.TestN {
		n += c
	}
	if n < MinDiscrimination {
		return math.NaN()
	}
	third := float64(n) / 3
	share := func(order []int) float64 {
		need, right := third, 0.0
		for _, b := range order {
			if need <= 0 {
				break
			}
			c := float64(s.TestN[b])
			if c == 0 {
				continue
			}
			take := math.Min(c, need)
			right += float64(s.TestRight[b]) * take / c
			need -= take
		}
		return right / third
	}
	top := make([]int, Buckets)
	bottom := make([]int, Buckets)
	for i := range top {
		top[i] = Buckets - 1 - i
		bottom[i] = i
	}
	return share(top) - share(bottom)
}

// RankConfig says how branches are compared in 半年一比.
type RankConfig struct {
	StudyWeight float64 // weight of the study completion rate (0–100)
	TestWeight  float64 // weight of the mean test score (0–100)
	MinSize     int     // branches with fewer members are shown but marked
}

// StandingInput is what the ranking needs of one node for a half year.
type StandingInput struct {
	Node    string
	Members int64
	Stats   NodeStats // the half year's totals
	Months  int       // months of the half that have begun
	Tests   int       // tests of the half whose window has opened
	Prev    *StandingInput
}

// Standing is one node's place among its siblings.
type Standing struct {
	Node      string
	Members   int64
	StudyRate float64 // 0–1: months finished / (members × months begun)
	MeanScore float64 // 0–100: score sum / (members × tests held); NaN before any test
	PassRate  float64 // 0–1 of those who should have taken the tests; NaN before any
	Value     float64 // the blend the ranking orders by, 0–100
	Change    float64 // Value minus the previous half's; NaN when there is none
	Small     bool    // fewer members than the minimum: shown, marked
	Rank      int     // 1 is best; equal values share a rank
}

// Evaluate computes one node's standing figures (without its rank).
func (c RankConfig) Evaluate(in StandingInput) Standing {
	s := Standing{Node: in.Node, Members: in.Members, MeanScore: math.NaN(), PassRate: math.NaN(), Change: math.NaN()}
	s.Small = in.Members < int64(c.MinSize)
	if in.Members > 0 && in.Months > 0 {
		s.StudyRate = math.Min(1, float64(in.Stats.StudyDone)/float64(in.Members*int64(in.Months)))
	}
	if in.Members > 0 && in.Tests > 0 {
		should := float64(in.Members * int64(in.Tests))
		s.MeanScore = float64(in.Stats.ScoreSum) / should
		s.PassRate = math.Min(1, float64(in.Stats.Passed)/should)
	}
	switch {
	case math.IsNaN(s.MeanScore):
		s.Value = 100 * s.StudyRate
	default:
		w := c.StudyWeight + c.TestWeight
		if w <= 0 {
			w = 1
		}
		s.Value = (c.StudyWeight*100*s.StudyRate + c.TestWeight*s.MeanScore) / w
	}
	if in.Prev != nil && in.Prev.Members > 0 {
		s.Change = s.Value - c.Evaluate(*in.Prev).Value
	}
	return s
}

// Rank evaluates and orders siblings: by value, best first; then by
// study rate; then by node id so the order is stable. Equal values share
// a rank (1, 2, 2, 4).
func (c RankConfig) Rank(in []StandingInput) []Standing {
	out := make([]Standing, len(in))
	for i, x := range in {
		out[i] = c.Evaluate(x)
	}
	// The node id breaks every tie, so an unstable sort gives one order;
	// sorting indexes keeps 20,000 big structs from being swapped around.
	idx := make([]int, len(out))
	rounded := make([]float64, len(out))
	for i := range idx {
		idx[i] = i
		rounded[i] = round2(out[i].Value)
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(rounded[j], rounded[i]); c != 0 {
			return c
		}
		a, b := &out[i], &out[j]
		if c := cmp.Compare(b.StudyRate, a.StudyRate); c != 0 {
			return c
		}
		return strings.Compare(a.Node, b.Node)
	})
	sorted := make([]Standing, len(out))
	for k, i := range idx {
		sorted[k] = out[i]
	}
	out = sorted
	for i := range out {
		if i > 0 && round2(out[i].Value) == round2(out[i-1].Value) { // equal when shown: share a rank
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
