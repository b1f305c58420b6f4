package questions

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	b := appendNormalized(nil, s)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) // b is not touched again
}

// appendNormalized appends Normalize(s) to dst.
func appendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	dst = appendNormalizedOnce(dst, s)
	n := dst[start:]
	if string(n) == s || inertBytes(n) || norm.NFKC.IsNormal(n) {
		// Nothing removed could compose with what is left: n is stable
		// (every mark kept is kept again with the same neighbours).
		return dst
	}
	// Removing a space or a mark let the characters around it compose
	// ("A" + " ̈" → "Ä"): normalise again until nothing changes (twice is
	// enough for real text; four passes bound a pathological one).
	cur := string(n)
	for i := 0; i < 3; i++ {
		next := string(appendNormalizedOnce(nil, cur))
		if next == cur {
			break
		}
		cur = next
	}
	return append(dst[:start], cur...)
}

// ignorable reports whether r is always dropped: a space or an invisible
// mark.
func ignorable(r rune) bool {
	if r < utf8.RuneSelf {
		return r <= ' ' || r == 0x7f
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' || r >= utf8.RuneSelf && unicode.IsDigit(r) }

// inert reports whether NFKC changes nothing in s but full-width ASCII
// (！ to ～, which it makes ASCII, as normalizeOnce does itself), and
// nothing in s can compose with what might come next to it: ASCII, the
// common Chinese characters, Chinese punctuation. Most stems and answers
// are; the others go through NFKC.
func inert(s string) bool {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf, r >= 0x4e00 && r <= 0x9fff,
			r >= 0xff01 && r <= 0xff5e, // ！ to ～
			r >= 0x2018 && r <= 0x201d, // ‘’“”
			r == 0x3001 || r == 0x3002, // 、。
			r >= 0x3008 && r <= 0x3011, // 〈〉《》「」『』【】
			r == 0x00b7 || r == 0x2014: // · —
		default:
			return false
		}
	}
	return true
}

// inertBytes is inert for bytes.
func inertBytes(b []byte) bool { return inert(unsafe.String(unsafe.SliceData(b), len(b))) }

// appendNormalizedOnce appends to dst one pass of normalising s: NFKC,
// then the filter.
func appendNormalizedOnce(dst []byte, s string) []byte {
	if !inert(s) {
		s = norm.NFKC.String(s)
	}
	var prev rune // the last rune written
	// nextAt returns the next rune from byte i on that is not always
	// dropped, and the byte just after it.
	nextAt := func(i int) (rune, int) {
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if r >= 0xff01 && r <= 0xff5e {
				r -= 0xfee0
			}
			if !ignorable(r) {
				return r, i
			}
		}
		return 0, len(s)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0xff01 && r <= 0xff5e { // full-width ASCII, as NFKC has it
			r -= 0xfee0
		}
		switch {
		case r >= 0x4e00 && r <= 0x9fff, r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			// Chinese characters, letters and digits: the common case.
			dst = utf8.AppendRune(dst, r)
			prev = r
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
			dst = utf8.AppendRune(dst, r)
			prev = r
			continue
		}
		switch r {
		case '\u2212', '\u2013': // minus sign, en dash
			r = '-'
		case '\u3001': // 、 between digits is a list of numbers
			if n, _ := nextAt(i); isDigit(prev) && isDigit(n) {
				r = ','
			}
		}
		switch {
		case ignorable(r):
			continue
		case strings.ContainsRune(quantityMarks, r):
		case r < unicode.MaxASCII && strings.ContainsRune(signMarks, r):
			n, j := nextAt(i)
			if !isDigit(n) && !(r == '-' && n == '.' && isDigit(first(nextAt(j)))) { // -.5
				continue
			}
		case r < unicode.MaxASCII && strings.ContainsRune(joinMarks, r):
			n, _ := nextAt(i)
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
		dst = utf8.AppendRune(dst, r)
		prev = r
	}
	return dst
}

func first(r rune, _ int) rune { return r }
