package quiz_test

import (
	"testing"
	"time"

	"partyquiz/quiz"
)

func shanghai(t *testing.T) quiz.Calendar {
	t.Helper()
	c, err := quiz.NewCalendar("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPeriodKeys(t *testing.T) {
	cal := shanghai(t)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		at                         string
		month, quarter, half, year string
	}{
		// The last second of November in Shanghai is 15:59:59 UTC.
		{"2026-11-30T15:59:59Z", "2026-11", "2026-Q4", "2026-H2", "2026"},
		// One second later it is December in Shanghai, still November 30 in UTC.
		{"2026-11-30T16:00:00Z", "2026-12", "2026-Q4", "2026-H2", "2026"},
		// The last second of the year in Shanghai.
		{"2026-12-31T15:59:59Z", "2026-12", "2026-Q4", "2026-H2", "2026"},
		// New Year in Shanghai while UTC is still on December 31.
		{"2026-12-31T16:00:00Z", "2027-01", "2027-Q1", "2027-H1", "2027"},
		// Quarter and half-year ends.
		{"2026-03-31T15:59:59Z", "2026-03", "2026-Q1", "2026-H1", "2026"},
		{"2026-03-31T16:00:00Z", "2026-04", "2026-Q2", "2026-H1", "2026"},
		{"2026-06-30T16:00:00Z", "2026-07", "2026-Q3", "2026-H2", "2026"},
		{"2026-09-30T16:00:00Z", "2026-10", "2026-Q4", "2026-H2", "2026"},
		// A leap day.
		{"2028-02-29T12:00:00Z", "2028-02", "2028-Q1", "2028-H1", "2028"},
	}
	for _, tt := range tests {
		at := utc(tt.at)
		got := []string{cal.Month(at).Key(), cal.Quarter(at).Key(), cal.Half(at).Key(), cal.Year(at).Key()}
		want := []string{tt.month, tt.quarter, tt.half, tt.year}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v", tt.at, got, want)
				break
			}
		}
	}
}

func TestPeriodBounds(t *testing.T) {
	cal := shanghai(t)
	at := time.Date(2026, 11, 15, 10, 0, 0, 0, cal.Loc)
	m := cal.Month(at)
	if !m.Start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, cal.Loc)) || !m.End.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, cal.Loc)) {
		t.Errorf("month bounds: %v – %v", m.Start, m.End)
	}
	if !m.Contains(m.Start) || m.Contains(m.End) || !m.Contains(m.End.Add(-time.Nanosecond)) {
		t.Error("Contains is not [Start, End)")
	}
	q := cal.Quarter(at)
	if got := len(q.Months(cal)); got != 3 {
		t.Errorf("quarter months: %d", got)
	}
	h := cal.Half(at)
	if got := len(h.Months(cal)); got != 6 {
		t.Errorf("half months: %d", got)
	}
	if got := len(h.Quarters(cal)); got != 2 {
		t.Errorf("half quarters: %d", got)
	}
	if got := cal.Year(at).Quarters(cal); len(got) != 4 || got[3].Key() != "2026-Q4" {
		t.Errorf("year quarters: %v", got)
	}
	if got := q.Prev(cal).Key(); got != "2026-Q3" {
		t.Errorf("prev quarter: %s", got)
	}
	if got := cal.Quarter(time.Date(2026, 1, 5, 0, 0, 0, 0, cal.Loc)).Prev(cal).Key(); got != "2025-Q4" {
		t.Errorf("prev of Q1: %s", got)
	}
	if got := h.Next(cal).Key(); got != "2027-H1" {
		t.Errorf("next half: %s", got)
	}
}

func TestPeriodParse(t *testing.T) {
	cal := shanghai(t)
	for _, key := range []string{"2026-11", "2026-01", "2026-Q4", "2026-Q1", "2026-H2", "2026"} {
		p, err := cal.Parse(key)
		if err != nil {
			t.Errorf("Parse(%q): %v", key, err)
			continue
		}
		if p.Key() != key {
			t.Errorf("Parse(%q).Key() = %q", key, p.Key())
		}
		if again := cal.Period(p.Kind, p.Start); again != p {
			t.Errorf("Parse(%q) = %+v, Period of its start = %+v", key, p, again)
		}
	}
	for _, key := range []string{"", "2026-13", "2026-00", "2026-Q5", "2026-H3", "26-11", "2026-1", "abcd", "2026-Qx"} {
		if _, err := cal.Parse(key); err == nil {
			t.Errorf("Parse(%q): want an error", key)
		}
	}
}

func TestPeriodKeysSort(t *testing.T) {
	// Keys of one kind sort as time does.
	keys := []string{"2025-12", "2026-01", "2026-09", "2026-10", "2026-11"}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("%s sorts after %s", keys[i-1], keys[i])
		}
	}
}
