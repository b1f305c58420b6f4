package quiz

import (
	"fmt"
	"time"

	"partyquiz/questions"
)

// Window is when a quarter's test may be taken.
type Window string

// Test windows.
const (
	LastMonth    Window = "last_month" // the last month of the quarter (default)
	WholeQuarter Window = "quarter"    // any time in the quarter
)

// Policy says which attempt counts when more than one is allowed.
type Policy string

// Attempt policies.
const (
	Best Policy = "best"
	Last Policy = "last"
)

// Rules are the configured rules of the cycles.
type Rules struct {
	StudyQuestions int                    // K, practice questions a month
	StudyMistakes  int                    // due mistakes mixed into the month's study
	TestQuestions  int                    // N, questions in a test
	TestMix        map[questions.Type]int // how many of each type; the rest from any
	TestDuration   time.Duration
	TestAttempts   int
	TestPolicy     Policy
	PassMark       int // of 100
	PartialCredit  bool
	TestWindow     Window
	FastSeconds    float64 // median seconds per answer under which an attempt is flagged
	Points         PointRules
	Stars          []Points // least year points for 2, 3, 4 and 5 stars
	Rank           RankConfig
	// RemindDays is how many days before a month ends, and before a test
	// window closes, those who have not finished are reminded by the
	// engine itself (once; their secretaries get a summary); 0: never.
	RemindDays int
	Contest    ContestRules // 有奖知识问答: points and the countdown
}

// DefaultRules are the product's defaults.
func DefaultRules() Rules {
	return Rules{
		StudyQuestions: 10,
		StudyMistakes:  3,
		TestQuestions:  20,
		TestMix:        map[questions.Type]int{questions.Single: 8, questions.Multiple: 4, questions.TrueFalse: 6, questions.Fill: 2},
		TestDuration:   30 * time.Minute,
		TestAttempts:   1,
		TestPolicy:     Best,
		PassMark:       60,
		TestWindow:     LastMonth,
		FastSeconds:    2,
		Points:         PointRules{MonthDone: PointsOf(5), TestPerScore: 0.1, Perfect: PointsOf(2), AllMonths: PointsOf(10)},
		Stars:          []Points{PointsOf(30), PointsOf(60), PointsOf(80), PointsOf(95)},
		Rank:           RankConfig{StudyWeight: 0.4, TestWeight: 0.6, MinSize: 5},
		RemindDays:     3,
		Contest:        DefaultContestRules(),
	}
}

// Validate checks the rules; the error names the setting at fault.
func (r Rules) Validate() error {
	switch {
	case r.StudyQuestions < 1 || r.StudyQuestions > 50:
		return fmt.Errorf("study_questions: %d is not between 1 and 50", r.StudyQuestions)
	case r.StudyMistakes < 0 || r.StudyMistakes > 20:
		return fmt.Errorf("study_mistakes: %d is not between 0 and 20", r.StudyMistakes)
	case r.TestQuestions < 1 || r.TestQuestions > 100:
		return fmt.Errorf("test_questions: %d is not between 1 and 100", r.TestQuestions)
	case r.TestDuration < time.Minute || r.TestDuration > 24*time.Hour:
		return fmt.Errorf("test_minutes: %v is not between 1 minute and 24 hours", r.TestDuration)
	case r.TestAttempts < 1 || r.TestAttempts > 10:
		return fmt.Errorf("test_attempts: %d is not between 1 and 10", r.TestAttempts)
	case r.TestPolicy != Best && r.TestPolicy != Last:
		return fmt.Errorf("test_policy: %q is not \"best\" or \"last\"", r.TestPolicy)
	case r.PassMark < 0 || r.PassMark > 100:
		return fmt.Errorf("pass_mark: %d is not between 0 and 100", r.PassMark)
	case r.TestWindow != LastMonth && r.TestWindow != WholeQuarter:
		return fmt.Errorf("test_window: %q is not \"last_month\" or \"quarter\"", r.TestWindow)
	case r.FastSeconds < 0:
		return fmt.Errorf("fast_seconds: %v is negative", r.FastSeconds)
	case len(r.Stars) != 4:
		return fmt.Errorf("stars: want 4 thresholds (for 2, 3, 4 and 5 stars), got %d", len(r.Stars))
	case r.Rank.StudyWeight < 0 || r.Rank.TestWeight < 0 || r.Rank.StudyWeight+r.Rank.TestWeight == 0:
		return fmt.Errorf("rank weights: study %v and test %v must be non-negative and not both zero", r.Rank.StudyWeight, r.Rank.TestWeight)
	case r.RemindDays < 0 || r.RemindDays > 20:
		return fmt.Errorf("remind days: %d is not between 0 and 20", r.RemindDays)
	case r.Rank.MinSize < 0:
		return fmt.Errorf("rank min_branch_size: %d is negative", r.Rank.MinSize)
	}
	for i := 1; i < len(r.Stars); i++ {
		if r.Stars[i] < r.Stars[i-1] {
			return fmt.Errorf("stars: thresholds must not decrease (%v after %v)", r.Stars[i], r.Stars[i-1])
		}
	}
	if err := r.Contest.Validate(); err != nil {
		return err
	}
	n := 0
	for t, c := range r.TestMix {
		if c < 0 {
			return fmt.Errorf("test_mix: %s is negative", t)
		}
		n += c
	}
	if n > r.TestQuestions {
		return fmt.Errorf("test_mix: %d questions in the mix, more than test_questions (%d)", n, r.TestQuestions)
	}
	return nil
}

// TestWindowOf returns when the test of quarter q may be taken.
func (r Rules) TestWindowOf(c Calendar, q Period) (start, end time.Time) {
	if r.TestWindow == WholeQuarter {
		return q.Start, q.End
	}
	return q.End.AddDate(0, -1, 0), q.End
}
