package quiz_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
)

func TestGrade(t *testing.T) {
	single := &quiz.Item{Type: questions.Single, Options: []string{"a", "b", "c"}, Answer: []int{1}}
	multi := &quiz.Item{Type: questions.Multiple, Options: []string{"a", "b", "c", "d"}, Answer: []int{0, 2, 3}}
	tf := &quiz.Item{Type: questions.TrueFalse, Options: questions.TrueFalseOptions, Answer: []int{1}}
	fill := &quiz.Item{Type: questions.Fill, Accepted: []string{"两不愁三保障"}}
	tests := []struct {
		name    string
		it      *quiz.Item
		r       quiz.Response
		partial bool
		right   bool
		credit  float64
	}{
		{"single right", single, quiz.Response{Choice: []int{1}}, false, true, 1},
		{"single wrong", single, quiz.Response{Choice: []int{0}}, false, false, 0},
		{"multi all", multi, quiz.Response{Choice: []int{0, 2, 3}}, false, true, 1},
		{"multi missing one", multi, quiz.Response{Choice: []int{0, 2}}, false, false, 0},
		{"multi missing one partial", multi, quiz.Response{Choice: []int{0, 2}}, true, false, 2.0 / 3},
		{"multi with a wrong one partial", multi, quiz.Response{Choice: []int{0, 1}}, true, false, 0},
		{"multi extra", multi, quiz.Response{Choice: []int{0, 1, 2, 3}}, false, false, 0},
		{"tf right", tf, quiz.Response{Choice: []int{1}}, false, true, 1},
		{"tf wrong", tf, quiz.Response{Choice: []int{0}}, false, false, 0},
		{"fill punctuation", fill, quiz.Response{Text: "两不愁,三保障。"}, false, true, 1},
		{"fill wrong", fill, quiz.Response{Text: "三保障"}, false, false, 0},
	}
	for _, tt := range tests {
		r := tt.r
		quiz.Grade(tt.it, &r, tt.partial)
		if r.Right != tt.right || math.Abs(r.Credit-tt.credit) > 1e-9 {
			t.Errorf("%s: got right=%v credit=%v, want %v %v", tt.name, r.Right, r.Credit, tt.right, tt.credit)
		}
	}
}

func TestTallyAndTooFast(t *testing.T) {
	a := &quiz.Attempt{Items: make([]quiz.Item, 4), Responses: []quiz.Response{
		{Done: true, Right: true, Credit: 1, Seconds: 10},
		{Done: true, Credit: 0.5, Seconds: 12},
		{Done: true, Right: true, Credit: 1, Seconds: 1},
		{}, // unanswered counts as wrong
	}}
	if score, right := a.Tally(); score != 63 || right != 2 {
		t.Errorf("Tally: got %d %d, want 63 2", score, right)
	}
	if a.Current() != 3 || a.Complete() || a.Answered() != 3 {
		t.Errorf("Current %d Complete %v Answered %d", a.Current(), a.Complete(), a.Answered())
	}
	if a.TooFast(2) {
		t.Error("three answers are too few to flag")
	}
	fast := &quiz.Attempt{}
	for _, s := range []float64{1, 1.5, 0.8, 30, 1.2, 1} {
		fast.Responses = append(fast.Responses, quiz.Response{Done: true, Seconds: s})
	}
	if !fast.TooFast(2) {
		t.Error("median 1.1 s should be flagged at 2 s")
	}
	if fast.TooFast(1) {
		t.Error("median 1.1 s should not be flagged at 1 s")
	}
}

func TestExpired(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a := &quiz.Attempt{Started: start, Deadline: start.Add(30 * time.Minute), Until: start.Add(24 * time.Hour)}
	if a.Expired(start.Add(29 * time.Minute)) {
		t.Error("expired before the deadline")
	}
	if !a.Expired(start.Add(30 * time.Minute)) {
		t.Error("not expired at the deadline")
	}
	s := &quiz.Attempt{Started: start, Until: start.Add(time.Hour)}
	if s.Expired(start.Add(59*time.Minute)) || !s.Expired(start.Add(time.Hour)) {
		t.Error("Until bound wrong")
	}
}

func TestPoints(t *testing.T) {
	tests := []struct {
		p    quiz.Points
		want string
	}{{50, "5"}, {85, "8.5"}, {0, "0"}, {-20, "-2"}, {-15, "-1.5"}, {1003, "100.3"}}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Points(%d) = %q, want %q", int64(tt.p), got, tt.want)
		}
	}
	r := quiz.DefaultRules().Points
	if got := r.TestPoints(85); got != quiz.PointsOf(8.5) {
		t.Errorf("TestPoints(85) = %v", got)
	}
	if got := quiz.PointsOf(0.1); got != 1 {
		t.Errorf("PointsOf(0.1) = %d", got)
	}
}

func TestStars(t *testing.T) {
	th := []quiz.Points{quiz.PointsOf(30), quiz.PointsOf(60), quiz.PointsOf(80), quiz.PointsOf(95)}
	tests := []struct {
		pts  float64
		want int
	}{{0, 1}, {29.9, 1}, {30, 2}, {59.9, 2}, {60, 3}, {80, 4}, {94.9, 4}, {95, 5}, {500, 5}, {-3, 1}}
	for _, tt := range tests {
		if got := quiz.Stars(quiz.PointsOf(tt.pts), th); got != tt.want {
			t.Errorf("Stars(%v) = %d, want %d", tt.pts, got, tt.want)
		}
	}
}

func TestLeitner(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	m := &quiz.Mistake{}
	m.Miss(now, time.Time{})
	if m.Box != 0 || !m.Due.Equal(now.Add(24*time.Hour)) || m.Misses != 1 {
		t.Fatalf("after a miss: %+v", m)
	}
	wantDays := []int{3, 7, 14, 30}
	for i, d := range wantDays {
		if m.Hit(now) {
			t.Fatalf("left the book at box %d", i)
		}
		if m.Box != i+1 || !m.Due.Equal(now.Add(time.Duration(d)*24*time.Hour)) {
			t.Fatalf("hit %d: box %d due %v", i+1, m.Box, m.Due)
		}
	}
	// Missed again in the last box: back to box 0.
	m.Miss(now, time.Time{})
	if m.Box != 0 || m.Misses != 2 {
		t.Fatalf("miss from the last box: %+v", m)
	}
	for i := 0; i < 4; i++ {
		m.Hit(now)
	}
	if !m.Hit(now) {
		t.Fatal("right at the last box must leave the book")
	}
	// A test question is not due before its window closes.
	closes := now.Add(10 * 24 * time.Hour)
	m2 := &quiz.Mistake{}
	m2.Miss(now, closes)
	if !m2.Due.Equal(closes) || m2.IsDue(closes.Add(-time.Second)) || !m2.IsDue(closes) {
		t.Errorf("test miss due %v, want %v", m2.Due, closes)
	}
}

func TestRulesValidate(t *testing.T) {
	if err := quiz.DefaultRules().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name   string
		change func(*quiz.Rules)
		field  string
	}{
		{"study", func(r *quiz.Rules) { r.StudyQuestions = 0 }, "study_questions"},
		{"test", func(r *quiz.Rules) { r.TestQuestions = 101 }, "test_questions"},
		{"minutes", func(r *quiz.Rules) { r.TestDuration = time.Second }, "test_minutes"},
		{"policy", func(r *quiz.Rules) { r.TestPolicy = "average" }, "test_policy"},
		{"pass", func(r *quiz.Rules) { r.PassMark = 101 }, "pass_mark"},
		{"window", func(r *quiz.Rules) { r.TestWindow = "week" }, "test_window"},
		{"stars", func(r *quiz.Rules) { r.Stars = r.Stars[:3] }, "stars"},
		{"stars order", func(r *quiz.Rules) { r.Stars = []quiz.Points{40, 30, 50, 60} }, "stars"},
		{"mix", func(r *quiz.Rules) { r.TestMix[questions.Fill] = 50 }, "test_mix"},
		{"weights", func(r *quiz.Rules) { r.Rank.StudyWeight, r.Rank.TestWeight = 0, 0 }, "weights"},
	}
	for _, tt := range tests {
		r := quiz.DefaultRules()
		tt.change(&r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: got %v, want an error naming %s", tt.name, err, tt.field)
		}
	}
}

func TestTestWindow(t *testing.T) {
	cal := shanghaiCal(t)
	q, _ := cal.Parse("2026-Q4")
	r := quiz.DefaultRules()
	start, end := r.TestWindowOf(cal, q)
	if !start.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, cal.Loc)) || !end.Equal(q.End) {
		t.Errorf("last month window: %v – %v", start, end)
	}
	r.TestWindow = quiz.WholeQuarter
	start, end = r.TestWindowOf(cal, q)
	if !start.Equal(q.Start) || !end.Equal(q.End) {
		t.Errorf("quarter window: %v – %v", start, end)
	}
}

func shanghaiCal(t *testing.T) quiz.Calendar { return shanghai(t) }

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张三"},
		{"  李 四  ", "李 四"},
		{"阿依古丽·买买提", "阿依古丽·买买提"},
		{"", ""},
		{"   ", ""},
		{"张三123", ""},
		{"<b>张三</b>", ""},
		{strings.Repeat("张", 21), ""},
		{strings.Repeat("张", 20), strings.Repeat("张", 20)},
	}
	for _, tt := range tests {
		if got := quiz.CleanName(tt.in); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
