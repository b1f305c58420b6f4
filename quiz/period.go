package quiz

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PeriodKind is the length of a calendar period.
type PeriodKind int

// Period kinds, shortest first.
const (
	Month PeriodKind = iota + 1
	Quarter
	Half
	Year
)

// Period is a calendar period in the configured time zone. Its Key sorts
// like time: "2026-11", "2026-Q4", "2026-H2", "2026" — keys of one kind
// compare in time order as plain strings, which the store's range scans
// rely on.
type Period struct {
	Kind  PeriodKind
	Year  int
	N     int       // month 1–12, quarter 1–4, half 1–2; 1 for a year
	Start time.Time // first instant, inclusive
	End   time.Time // first instant of the next period, exclusive
}

// Key returns the sortable key of the period.
func (p Period) Key() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case Half:
		return fmt.Sprintf("%04d-H%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// Contains reports whether t lies in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// Prev returns the period of the same kind just before p.
func (p Period) Prev(c Calendar) Period { return c.Period(p.Kind, p.Start.Add(-time.Nanosecond)) }

// Next returns the period of the same kind just after p.
func (p Period) Next(c Calendar) Period { return c.Period(p.Kind, p.End) }

// Months returns the months of the period, in order.
func (p Period) Months(c Calendar) []Period {
	var out []Period
	for m := c.Period(Month, p.Start); m.Start.Before(p.End); m = m.Next(c) {
		out = append(out, m)
	}
	return out
}

// Quarters returns the quarters of a half year or a year (a quarter
// returns itself).
func (p Period) Quarters(c Calendar) []Period {
	var out []Period
	for q := c.Period(Quarter, p.Start); q.Start.Before(p.End); q = q.Next(c) {
		out = append(out, q)
	}
	return out
}

// Calendar computes periods in one time zone.
type Calendar struct {
	Loc *time.Location
}

// NewCalendar returns the calendar of the named IANA zone ("" means
// Asia/Shanghai).
func NewCalendar(zone string) (Calendar, error) {
	if zone == "" {
		zone = "Asia/Shanghai"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Calendar{}, fmt.Errorf("time zone %q: %w", zone, err)
	}
	return Calendar{Loc: loc}, nil
}

func (c Calendar) loc() *time.Location {
	if c.Loc == nil {
		return time.UTC
	}
	return c.Loc
}

// Period returns the period of the given kind that contains t.
func (c Calendar) Period(kind PeriodKind, t time.Time) Period {
	t = t.In(c.loc())
	y, m := t.Year(), int(t.Month())
	switch kind {
	case Month:
		return c.span(kind, y, m, m, 1)
	case Quarter:
		q := (m-1)/3 + 1
		return c.span(kind, y, q, 3*q-2, 3)
	case Half:
		h := (m-1)/6 + 1
		return c.span(kind, y, h, 6*h-5, 6)
	}
	return c.span(Year, y, 1, 1, 12)
}

func (c Calendar) span(kind PeriodKind, year, n, firstMonth, months int) Period {
	start := time.Date(year, time.Month(firstMonth), 1, 0, 0, 0, 0, c.loc())
	return Period{Kind: kind, Year: year, N: n, Start: start, End: start.AddDate(0, months, 0)}
}

// Month returns the month containing t; likewise Quarter, Half and Year.
func (c Calendar) Month(t time.Time) Period { return c.Period(Month, t) }

// Quarter returns the quarter containing t.
func (c Calendar) Quarter(t time.Time) Period { return c.Period(Quarter, t) }

// Half returns the half year containing t.
func (c Calendar) Half(t time.Time) Period { return c.Period(Half, t) }

// Year returns the year containing t.
func (c Calendar) Year(t time.Time) Period { return c.Period(Year, t) }

// Parse returns the period of a key made by Period.Key.
func (c Calendar) Parse(key string) (Period, error) {
	bad := fmt.Errorf("period key %q: %w", key, Errorf(Invalid, ReasonBadPeriod))
	y, rest, _ := strings.Cut(key, "-")
	year, err := strconv.Atoi(y)
	if err != nil || len(y) != 4 || year < 1 {
		return Period{}, bad
	}
	switch {
	case rest == "":
		return c.span(Year, year, 1, 1, 12), nil
	case strings.HasPrefix(rest, "Q"):
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return c.span(Quarter, year, q, 3*q-2, 3), nil
	case strings.HasPrefix(rest, "H"):
		h, err := strconv.Atoi(rest[1:])
		if err != nil || h < 1 || h > 2 {
			return Period{}, bad
		}
		return c.span(Half, year, h, 6*h-5, 6), nil
	}
	m, err := strconv.Atoi(rest)
	if err != nil || len(rest) != 2 || m < 1 || m > 12 {
		return Period{}, bad
	}
	return c.span(Month, year, m, m, 1), nil
}
