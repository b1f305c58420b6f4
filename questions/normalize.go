package questions

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// asciiPunct holds the ASCII punctuation that Unicode classes as symbols
// rather than punctuation; they are ignored in typed answers too.
const asciiPunct = "$+<=>^`|~"

// Normalize returns the form in which typed fill-in answers are compared:
// Unicode NFKC (full-width letters, digits and signs become half-width),
// lower case, and every space and punctuation mark — ASCII or Chinese
// (,。、;:?!“”‘’《》【】()…—·) — removed. Two answers match when their
// normalized forms are equal.
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

func normalizeOnce(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.IsPunct(r), unicode.Is(unicode.Zs, r):
			continue
		case r < unicode.MaxASCII && strings.ContainsRune(asciiPunct, r):
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r): // zero-width marks, BOM
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
