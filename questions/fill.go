package questions

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BlankSep separates the blanks of one accepted answer of a 填空 question
// with several blanks.
const BlankSep = "|"

// MaxBlanks is the most blanks one 填空 question may have, and
// maxAccepted the most accepted answers its alternatives may expand to.
const (
	MaxBlanks   = 10
	maxAccepted = 64
)

// Blanks returns the question's blanks, each with its accepted answers in
// the order written: one blank for an ordinary 填空, none for other types.
func (q *Question) Blanks() [][]string {
	if q.Type != Fill {
		return nil
	}
	return blanksOf(q.Accepted)
}

func blanksOf(accepted []string) [][]string {
	var out [][]string
	for _, a := range accepted {
		parts := strings.Split(a, BlankSep)
		for len(out) < len(parts) {
			out = append(out, nil)
		}
		for i, p := range parts {
			if !slices.Contains(out[i], p) {
				out[i] = append(out[i], p)
			}
		}
	}
	return out
}

// crossProduct reports whether accepted is every combination of its
// blanks' answers, so that it can be written blank by blank.
func crossProduct(accepted []string, blanks [][]string) bool {
	n := 1
	for _, b := range blanks {
		n *= len(b)
	}
	return n == len(accepted) && slices.Equal(accepted, combine(blanks))
}

// combine joins every combination of the blanks' answers, first blank
// slowest.
func combine(blanks [][]string) []string {
	out := []string{""}
	for i, b := range blanks {
		next := make([]string, 0, len(out)*len(b))
		for _, prefix := range out {
			for _, a := range b {
				if i > 0 {
					next = append(next, prefix+BlankSep+a)
				} else {
					next = append(next, a)
				}
			}
		}
		out = next
	}
	return out
}

// answerSeparators split a typed answer into its blanks.
func answerSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(",，、;；|｜", r)
}

// matchBlanks reports whether typed gives each of want's blanks in order:
// its pieces (between separators) grouped into len(want) runs, each run
// equal to its blank once normalized; or, typed without separators, the
// blanks run together, where no two blanks meet digit to digit (1 and 5
// typed as "15" is not accepted: it could be fifteen). norm is
// Normalize(typed).
func matchBlanks(typed, norm string, want []string) bool {
	if utf8.RuneCountInString(typed) > 50*len(want)+200 {
		return false // far longer than any answer: not worth the work
	}
	ws := make([]string, len(want))
	for i, w := range want {
		ws[i] = Normalize(w)
	}
	// Run together.
	joined, digitSeam := "", false
	for i, w := range ws {
		if i > 0 && w != "" && joined != "" {
			l, _ := utf8.DecodeLastRuneInString(joined)
			f, _ := utf8.DecodeRuneInString(w)
			digitSeam = digitSeam || isDigit(l) && isDigit(f)
		}
		joined += w
	}
	if !digitSeam && norm == joined {
		return true
	}
	// Pieces: their byte spans in typed.
	type span struct{ from, to int }
	var pieces []span
	start := -1
	for i, r := range typed {
		if answerSeparator(r) {
			if start >= 0 {
				pieces = append(pieces, span{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		pieces = append(pieces, span{start, len(typed)})
	}
	n, k := len(pieces), len(ws)
	if n < k || n > 4*MaxBlanks {
		return false
	}
	// ok[i][j]: the first i pieces make the first j blanks.
	ok := make([][]bool, n+1)
	for i := range ok {
		ok[i] = make([]bool, k+1)
	}
	ok[0][0] = true
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			if !ok[i][j] {
				continue
			}
			for e := i + 1; e <= n && n-e >= k-j-1; e++ {
				if Normalize(typed[pieces[i].from:pieces[e-1].to]) == ws[j] {
					ok[e][j+1] = true
				}
			}
		}
	}
	return ok[n][k]
}

// lazyLine is the line of key, looked up only when a problem needs it.
func lazyLine(r fieldReader, key string) func() int {
	return func() int { return r.line(key) }
}

// checkFill reads the answer of a 填空: one accepted answer, a list of
// them, or — for several blanks — answers with their blanks separated by
// | ("党课|党员大会"), or a list per blank ([["党课"], ["党员大会", "支部党员大会"]]).
func checkFill(r fieldReader, q *Question, v any) {
	line := lazyLine(r, "answer")
	var combos []string
	switch v := v.(type) {
	case string:
		combos = []string{v}
	case []any:
		perBlank := len(v) > 0
		for _, e := range v {
			if _, ok := e.([]any); !ok {
				perBlank = false
			}
		}
		if !perBlank {
			list, ok := r.textList("answer", "答案", true)
			if !ok {
				return
			}
			combos = list
			break
		}
		blanks := make([][]string, len(v))
		total := 1
		for i, e := range v {
			for _, a := range e.([]any) {
				s, ok := a.(string)
				if !ok || strings.Contains(s, BlankSep) {
					r.pl.add(line(), "%s填空题按空写答案时，每个空写成一个列表，例如 [[\"党课\"] , [\"党员大会\", \"支部党员大会\"]]", r.where)
					return
				}
				blanks[i] = append(blanks[i], s)
			}
			if len(blanks[i]) == 0 {
				r.pl.add(line(), "%s填空题第 %d 个空没有答案", r.where, i+1)
				return
			}
			total *= len(blanks[i])
			if total > maxAccepted {
				r.pl.add(line(), "%s填空题各个空的可接受答案组合起来超过 %d 种，请减少", r.where, maxAccepted)
				return
			}
		}
		combos = combine(blanks)
	default:
		r.pl.add(line(), "%s填空题的答案应当是用英文双引号括起来的文字，或文字的列表", r.where)
		return
	}
	if len(combos) == 0 {
		r.pl.add(line(), "%s填空题至少要有一个可接受的答案", r.where)
		return
	}
	if len(combos) > maxAccepted {
		r.pl.add(line(), "%s填空题最多 %d 个可接受的答案", r.where, maxAccepted)
		return
	}
	blanks := -1
	for _, a := range combos {
		parts := strings.Split(a, BlankSep)
		if len(parts) > MaxBlanks {
			r.pl.add(line(), "%s填空题最多 %d 个空，这里有 %d 个", r.where, MaxBlanks, len(parts))
			return
		}
		if blanks >= 0 && len(parts) != blanks {
			r.pl.add(line(), "%s填空题的各个答案空数不同（有的 %d 个空，有的 %d 个）：每个答案都要按顺序写出所有空，用 | 分隔", r.where, blanks, len(parts))
			return
		}
		blanks = len(parts)
		bad := false
		for i, p := range parts {
			p = strings.TrimSpace(p)
			parts[i] = p
			what := ""
			if len(parts) > 1 {
				what = "第 " + strconv.Itoa(i+1) + " 个空"
			}
			switch {
			case Normalize(p) == "":
				r.pl.add(line(), "%s填空题%s的答案 %q 去掉空格和标点后是空的", r.where, what, p)
				bad = true
			case utf8.RuneCountInString(p) > MaxAnswerRunes:
				r.pl.add(line(), "%s填空题%s的答案最多 %d 个字", r.where, what, MaxAnswerRunes)
				bad = true
			}
		}
		if !bad {
			q.Accepted = append(q.Accepted, strings.Join(parts, BlankSep))
		}
	}
}

// blankMarks counts the blanks written in a stem: runs of underscores and
// empty brackets "（ ）" "( )".
func blankMarks(text string) int {
	n := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch r {
		case '_', '＿':
			n++
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if r != '_' && r != '＿' {
					break
				}
				i += size
			}
		case '(', '（':
			j := i
			for j < len(text) {
				r, size := utf8.DecodeRuneInString(text[j:])
				if r != ' ' && r != '\u3000' && r != '\u00a0' {
					break
				}
				j += size
			}
			if r, size := utf8.DecodeRuneInString(text[j:]); j < len(text) && (r == ')' || r == '）') {
				n++
				i = j + size
			}
		}
	}
	return n
}
