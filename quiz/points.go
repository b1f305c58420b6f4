package quiz

import (
	"fmt"
	"math"
	"strconv"
)

// Points are kept in tenths, so that "a test score / 10" (8.5 for 85) is
// exact: Points(85) is 8.5 points.
type Points int64

// PointsOf converts a number of points (as configured, e.g. 0.5) to
// Points, rounding to the nearest tenth.
func PointsOf(f float64) Points { return Points(math.Round(f * 10)) }

// Float returns the points as a number.
func (p Points) Float() float64 { return float64(p) / 10 }

// String formats points without a trailing ".0": "5", "8.5", "-2".
func (p Points) String() string {
	if p%10 == 0 {
		return strconv.FormatInt(int64(p)/10, 10)
	}
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s%d.%d", sign, p/10, p%10)
}

// Rule names of the point ledger.
const (
	RuleMonthDone  = "month_done" // a month's study finished in time
	RuleTestScore  = "test_score" // the counted score of a quarter's test
	RulePerfect    = "perfect"    // a perfect test
	RuleAllMonths  = "all_months" // all twelve months of a year finished
	RuleCorrection = "correction" // a manual correction by a secretary or admin
)

// PointRules are the configured amounts of each rule.
type PointRules struct {
	MonthDone    Points  // per finished month, e.g. 5
	TestPerScore float64 // points per score point, e.g. 0.1 (score/10)
	Perfect      Points  // bonus for 100, e.g. 2
	AllMonths    Points  // bonus when all twelve months of a year are done, e.g. 10
}

// TestPoints returns the points a counted test score is worth.
func (r PointRules) TestPoints(score int) Points { return PointsOf(float64(score) * r.TestPerScore) }

// Entry is one line of the append-only point ledger. Ref makes it unique
// for its user: an entry with a Ref already recorded is not recorded again
// (a redelivered update, a double tap, a replay after a crash).
type Entry struct {
	User   int64
	Seq    uint64 // assigned by the store, in order
	Ref    string // unique per user: "month:2026-11", "test:2026-Q4#2", "fix:…"
	Rule   string
	Amount Points
	Period string // the period it counts for: a month or quarter key
	// The rule's parameters, which the bot words: a test's counted score
	// (Score), the attempt that set it (Try) and the score it replaced
	// (From, when Try > 1).
	Score, Try, From int
	Place            int    // a contest: the prize place on its leaderboard (0: taking part)
	Capped           bool   // a contest: cut to the daily cap
	Note             string // a correction's reason, in the words of who made it
	At               int64  // unix seconds
	By               int64  // who made a correction; 0 for the engine
}

// Stars returns the 1–5 stars for a year's points: thresholds[i] is the
// least number of points for i+2 stars (four thresholds, ascending).
func Stars(p Points, thresholds []Points) int {
	s := 1
	for i, t := range thresholds {
		if p >= t && i+2 <= 5 {
			s = i + 2
		}
	}
	return s
}
