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
	Flagged   int64 // member-periods flagged as answered implausibly fast (a month, a test)
	// Year keys only: the members' points and how many members have 2, 3,
	// 4 and 5 stars (the rest have 1).
	PointSum Points
	Stars    [4]int64
	// Members of the node now who joined the organisation in this period
	// (Joined), and, on half-year and year keys, the sums of the indexes
	// within the period of the month (JoinMonths, 0 for its first month)
	// and of the quarter (JoinQuarters) they joined in: what Figures needs
	// to owe a member only the months and tests they could take part in.
	Joined       int64
	JoinMonths   int64
	JoinQuarters int64
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
	s.Joined += d.Joined
	s.JoinMonths += d.JoinMonths
	s.JoinQuarters += d.JoinQuarters
	return s
}

// Neg returns -s.
func (s NodeStats) Neg() NodeStats { return NodeStats{}.sub(s) }

func (s NodeStats) sub(d NodeStats) NodeStats {
	s.StudyDone -= d.StudyDone
	s.TestTaken -= d.TestTaken
	s.ScoreSum -= d.ScoreSum
	s.Passed -= d.Passed
	s.Flagged -= d.Flagged
	s.PointSum -= d.PointSum
	for i := range s.Stars {
		s.Stars[i] -= d.Stars[i]
	}
	s.Joined -= d.Joined
	s.JoinMonths -= d.JoinMonths
	s.JoinQuarters -= d.JoinQuarters
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

// Neg returns -s.
func (s ItemStats) Neg() ItemStats {
	var out ItemStats
	out.Answers, out.Right = -s.Answers, -s.Right
	for i := range s.TestN {
		out.TestN[i], out.TestRight[i] = -s.TestN[i], -s.TestRight[i]
	}
	return out
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

// StandingInput is what the ranking needs of one node for a half year:
// its figures, and those of the half year before.
type StandingInput struct {
	Figures
	Prev *Figures
}

// Standing is one node's place among its siblings.
type Standing struct {
	Figures
	Value  float64 // the blend the ranking orders by, 0–100
	Change float64 // Value minus the previous half's; NaN when there is none
	Small  bool    // fewer members than the minimum: shown, marked
	Rank   int     // 1 is best; equal values share a rank; 0: not ranked (nothing was owed: no members yet)
}

// Ranked reports whether the node takes part in the ranking: something
// was owed there (a month begun or a test opened while it had members). A
// node with nothing owed has no figure to compare; ranked with 0 it would
// tie with the branches whose members did nothing.
func (s Standing) Ranked() bool { return s.StudyDue+s.TestDue > 0 }

// RankedCount is how many of the standings take part in the ranking.
func RankedCount(st []Standing) int {
	n := 0
	for _, s := range st {
		if s.Ranked() {
			n++
		}
	}
	return n
}

// Value is the blend of a node's figures the ranking orders by, 0–100:
// the study completion rate and the per-member mean score (人均得分,
// absence counting as 0) by their weights; the study rate alone before any
// test; 0 when nothing was owed yet.
func (c RankConfig) Value(f Figures) float64 {
	study := f.StudyRate()
	if math.IsNaN(study) {
		study = 0
	}
	mean := f.DueMean()
	if math.IsNaN(mean) {
		return 100 * study
	}
	w := c.StudyWeight + c.TestWeight
	if w <= 0 {
		w = 1
	}
	return (c.StudyWeight*100*study + c.TestWeight*mean) / w
}

// Evaluate computes one node's standing (without its rank).
func (c RankConfig) Evaluate(in StandingInput) Standing {
	s := Standing{Figures: in.Figures, Change: math.NaN(), Value: c.Value(in.Figures)}
	s.Small = in.Members < int64(c.MinSize)
	if in.Prev != nil && in.Prev.StudyDue+in.Prev.TestDue > 0 {
		s.Change = s.Value - c.Value(*in.Prev)
	}
	return s
}

// Rank evaluates and orders siblings: by value, best first; then by
// study rate; then by node id so the order is stable. Equal values share
// a rank (1, 2, 2, 4). Nodes that are not Ranked come last, by node id,
// with rank 0.
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
		if a, b := out[i].Ranked(), out[j].Ranked(); a != b {
			if a {
				return -1
			}
			return 1
		} else if !a {
			return strings.Compare(out[i].Node, out[j].Node)
		}
		if c := cmp.Compare(rounded[j], rounded[i]); c != 0 {
			return c
		}
		a, b := &out[i], &out[j]
		if c := cmp.Compare(b.StudyRate(), a.StudyRate()); c != 0 {
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
		if !out[i].Ranked() {
			break // the rest are not ranked either
		}
		if i > 0 && round2(out[i].Value) == round2(out[i-1].Value) { // equal when shown: share a rank
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
