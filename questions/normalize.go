package questions

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// asciiPunct holds the ASCII punctuation that Unicode classes as symbols
// rather than punctuation; they are ignored in typed answers too.
const asciiPunct = "^`|"

// signMarks are kept before a digit: a sign (−5, +2), a comparison (p<0.05)
// or an equation (1+1=2).
const signMarks = "-+<>="

// joinMarks are kept between two digits: a decimal point (1.5), a ratio or
// a time (1:2, 8:30), a fraction or a date (1/3), a range (3~5), a list of
// numbers (1,2). Anywhere else they are sentence punctuation.
const joinMarks = ".,:/~"

// quantityMarks are always kept: they say what a number is.
const quantityMarks = "%‰‱′″"

// Normalize returns the form in which typed fill-in answers are compared:
// Unicode NFKC (full-width letters, digits and signs become half-width),
// lower case, and every space and sentence punctuation mark — ASCII or
// Chinese (,。、;:?!“”‘’《》【】()…—·) — removed.
//
// A mark that changes a number or a quantity is never removed: % ‰ ‱ ′ ″
// (and symbols such as ° ℃ × ÷ ≤ ¥ $, which are not punctuation); a sign
// - + < > = before a digit (the minus sign − and the en dash – are
// written as -); and . , : / ~ between two digits (、 between digits is
// written as ,), the decimal point also before a digit at the start of a
// number (.5). So "1.5" and "15", "10%" and "10", "1:2" and "12" are
// different answers, while "０．５％" and "0.5%" are the same. Two answers
// match when their normalized forms are equal.
func Normalize(s string) string {
	// Removing a space or a mark can let the characters around it compose
	// ("A" + " ̈" → "Ä"): normalise again until nothing changes (twice is
	// enough for real text; four passes bound a pathological one).
	for i := 0; i < 4; i++ {
		n := normalizeOnce(s)
		if n == s {
			break
		}
		s = n
	}
	return s
}

// ignorable reports whether r is always dropped: a space or an invisible
// mark.
func ignorable(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' || unicode.IsDigit(r) }

func normalizeOnce(s string) string {
	s = norm.NFKC.String(s)
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // the last rune written
	// next returns the next rune after i that is not always dropped.
	nextAt := func(i int) (rune, int) {
		for j := i + 1; j < len(rs); j++ {
			if !ignorable(rs[j]) {
				return rs[j], j
			}
		}
		return 0, len(rs)
	}
	next := func(i int) rune { r, _ := nextAt(i); return r }
	for i, r := range rs {
		switch r {
		case '\u2212', '\u2013': // minus sign, en dash
			r = '-'
		case '\u3001': // 、 between digits is a list of numbers
			if isDigit(prev) && isDigit(next(i)) {
				r = ','
			}
		}
		switch {
		case ignorable(r):
			continue
		case strings.ContainsRune(quantityMarks, r):
		case r < unicode.MaxASCII && strings.ContainsRune(signMarks, r):
			n, j := nextAt(i)
			if !isDigit(n) && !(r == '-' && n == '.' && isDigit(next(j))) { // -.5
				continue
			}
		case r < unicode.MaxASCII && strings.ContainsRune(joinMarks, r):
			n := next(i)
			between := isDigit(prev) && isDigit(n)
			point := r == '.' && isDigit(n) && !unicode.IsLetter(prev) && !isDigit(prev)
			if !between && !point {
				continue
			}
		case unicode.IsPunct(r):
			continue
		case r < unicode.MaxASCII && strings.ContainsRune(asciiPunct, r):
			continue
		}
		r = unicode.ToLower(r)
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}
