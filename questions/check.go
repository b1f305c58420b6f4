package questions

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// What real banks get wrong and the validator notes, without refusing the
// file: options that carry their own letter, options or explanations that
// refer to other options by letter or as 以上 (shuffling would change their
// meaning), the blanks of a 填空 not matching its answers, and the same
// question twice.

// ownLetterPattern matches a letter an author typed at the start of an
// option: "A．", "Ａ、", "(A)", "（A）", "A:", "A)".
var ownLetterPattern = regexp.MustCompile(`^[\s\x{3000}]*(?:[(（\[［【]\s*([A-Ha-hＡ-Ｈａ-ｈ])\s*[)）\]］】]|([A-Ha-hＡ-Ｈａ-ｈ])\s*[.．、:：)）])[\s\x{3000}]*`)

// ownLetter returns option o without the letter of its place i typed in
// front of it ("A．党课" as option A is "党课"), and whether it had one.
func ownLetter(i int, o string) (string, bool) {
	t := strings.TrimLeft(o, " \t\u3000")
	if t == "" || !strings.ContainsRune("(（[［【ABCDEFGHabcdefghＡＢＣＤＥＦＧＨａｂｃｄｅｆｇｈ", firstRune(t)) {
		return o, false // the pattern is slow: most options cannot match it
	}
	m := ownLetterPattern.FindStringSubmatch(o)
	if m == nil {
		return o, false
	}
	l := m[1] + m[2]
	if strings.ToUpper(norm.NFKC.String(l)) != Letter(i) {
		return o, false
	}
	rest := strings.TrimSpace(o[len(m[0]):])
	if rest == "" {
		return o, false
	}
	return rest, true
}

var (
	// An option that refers to the others: 以上都是, 上述说法均不正确, 都对.
	optionRefPattern = regexp.MustCompile(`以上|上述|前述|前面|其余|其他选项|其他各项|^(?:都|均|全都|全部|皆)(?:对|不对|正确|不正确|错误|错|是|不是|不选)|(?:都|均|全都|全部|皆)(?:对|不对|正确|不正确|错误|错|是|不是)[。.!！]?$`)
	// Options named by letter: "A和B", "AB都对", "选项C", "故选A", "B项".
	letterRefPattern = regexp.MustCompile(`(?:^|[^A-Za-z])[A-H]\s*[和与及或、,+&]\s*[A-H](?:$|[^A-Za-z])|(?:选项|答案[是为]?|故选|应选|选)\s*[:：]?\s*[A-H](?:$|[^A-Za-z])|(?:^|[^A-Za-z])[A-H]\s*(?:项|选项)|(?:^|[^A-Za-z])[A-H]{2,4}\s*(?:都|均|皆|项|正确|错误)`)
	// An explanation that refers to the options as a group.
	explanationRefPattern = regexp.MustCompile(`以上(?:选项|各项|都|均|说法|几项|[二三四五六七八两]项)|(?:其余|其他)(?:选项|各项)`)
)

// hasOptionLetter reports whether s has one of the letters A–H, half or
// full width, without which it cannot name an option.
func hasOptionLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= 'A' && s[i] <= 'H':
			return true
		case s[i] == 0xef && i+2 < len(s) && s[i+1] == 0xbc && s[i+2] >= 0xa1 && s[i+2] <= 0xa8: // Ａ–Ｈ
			return true
		}
	}
	return false
}

// mayReferToOthers reports whether s has a character every reference to
// other options without letters has.
func mayReferToOthers(s string) bool {
	for _, r := range s {
		switch r {
		case '以', '上', '述', '前', '其', '都', '均', '全', '皆':
			return true
		}
	}
	return false
}

// refersToOthers reports whether a choice question's options or
// explanation refer to other options, so that shuffling its options would
// change their meaning: the key to put the note on (options or
// explanation) and what was found.
func refersToOthers(q *Question) (key, found string, ok bool) {
	if q.Type != Single && q.Type != Multiple {
		return "", "", false
	}
	for _, o := range q.Options {
		if !mayReferToOthers(o) && !hasOptionLetter(o) {
			continue
		}
		n := norm.NFKC.String(o)
		if mayReferToOthers(n) && optionRefPattern.MatchString(n) || hasOptionLetter(n) && letterRefPattern.MatchString(n) {
			return "options", o, true
		}
	}
	if q.Explanation != "" && (mayReferToOthers(q.Explanation) || hasOptionLetter(q.Explanation)) {
		n := norm.NFKC.String(q.Explanation)
		for _, p := range []*regexp.Regexp{letterRefPattern, explanationRefPattern} {
			// The patterns are slow on long text: look only where they can match.
			if p == letterRefPattern && !hasOptionLetter(n) || p == explanationRefPattern && !mayReferToOthers(n) {
				continue
			}
			if loc := p.FindStringIndex(n); loc != nil {
				found := strings.TrimFunc(n[loc[0]:loc[1]], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
				return "explanation", found, true
			}
		}
	}
	return "", "", false
}

// checkNotes notes what a question read without problems should still be
// looked at for.
func checkNotes(r fieldReader, q *Question) {
	if q.Type == Single || q.Type == Multiple {
		var letters []string
		for i, o := range q.Options {
			if _, ok := ownLetter(i, o); ok {
				letters = append(letters, Letter(i))
			}
		}
		if len(letters) > 0 {
			rest, _ := ownLetter(0, q.Options[0])
			example := fmt.Sprintf("例如把 %q 写成 %q", q.Options[0], rest)
			if letters[0] != "A" {
				i := int(letters[0][0] - 'A')
				rest, _ = ownLetter(i, q.Options[i])
				example = fmt.Sprintf("例如把 %q 写成 %q", q.Options[i], rest)
			}
			r.pl.note(r.line("options"), "%s选项 %s 开头自己带了字母：机器人会自动加上 A、B、C……，请删去选项开头的字母和标点（%s）",
				r.where, strings.Join(letters, "、"), example)
		}
		if !q.KeepOrder {
			if key, found, ok := refersToOthers(q); ok {
				what := fmt.Sprintf("选项 %q 提到了其他选项", found)
				if key == "explanation" {
					what = fmt.Sprintf("解析里提到了选项（%q）", found)
				}
				r.pl.note(r.line(key), "%s%s，打乱选项顺序后意思会变：请在这道题里加一行 shuffle = false，选项就按写的顺序出现", r.where, what)
			}
		}
	}
	if q.Type == Fill {
		marks, blanks := blankMarks(q.Text), len(q.Blanks())
		if marks > 0 && marks != blanks {
			r.pl.note(r.line("answer"), "%s题干里有 %d 个空，答案有 %d 个空：几个空的答案要按顺序用 | 分隔，例如 \"党课|党员大会\"", r.where, marks, blanks)
		}
	}
}

// DupKey identifies a question for finding copies: its kind and its stem,
// with a choice question's options in any order, compared as Normalize
// compares answers. Two questions with the same key are the same question,
// whatever their ids and answers.
func (q *Question) DupKey() string {
	if q.key != "" {
		return q.key
	}
	return dupKey(q)
}

func dupKey(q *Question) string { return dupKeyOf(q, nil) }

// dupKeyOf is dupKey, with the options already normalized when norms is
// not nil.
func dupKeyOf(q *Question, norms []string) string {
	kind := byte('c')
	switch q.Type {
	case TrueFalse:
		kind = 't'
	case Fill:
		kind = 'f'
	}
	bp := keyBuffers.Get().(*[]byte)
	defer keyBuffers.Put(bp)
	b := append((*bp)[:0], kind, 0)
	n := len(b)
	b = appendNormalized(b, q.Text)
	if len(b) == n {
		b = append(b, q.Text...)
	}
	if kind == 'c' {
		opts := make([]string, len(q.Options))
		for i, o := range q.Options {
			if len(norms) == len(opts) {
				opts[i] = norms[i] // Normalize, or o when nothing is left of it: as dupText
			} else {
				opts[i] = dupText(o)
			}
		}
		sort.Strings(opts)
		for _, o := range opts {
			b = append(b, 0)
			b = append(b, o...)
		}
	}
	*bp = b
	sum := sha256.Sum256(b)
	return string(sum[:16])
}

var keyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// dupText is the form in which stems and options are compared: Normalize,
// or the text itself when nothing is left of it.
func dupText(s string) string {
	if n := Normalize(s); n != "" {
		return n
	}
	return s
}

// rightAnswer is what a question's answer says, whatever the order of its
// options: the right options' texts, 对 or 错, or the accepted answers.
func rightAnswer(q *Question) string {
	switch q.Type {
	case Single, Multiple:
		var rs []string
		for _, i := range q.Answer {
			rs = append(rs, q.Options[i])
		}
		sort.Strings(rs)
		return strings.Join(rs, "、")
	}
	return q.AnswerText()
}

func sameAnswer(a, b *Question) bool {
	if a.Type == Fill && b.Type == Fill {
		na, nb := make([]string, len(a.Accepted)), make([]string, len(b.Accepted))
		for i, x := range a.Accepted {
			na[i] = Normalize(x)
		}
		for i, x := range b.Accepted {
			nb[i] = Normalize(x)
		}
		sort.Strings(na)
		sort.Strings(nb)
		return strings.Join(na, "\x00") == strings.Join(nb, "\x00")
	}
	if a.Type != b.Type {
		return false
	}
	ra, rb := rightAnswerKey(a), rightAnswerKey(b)
	return ra == rb
}

func rightAnswerKey(q *Question) string {
	var rs []string
	for _, i := range q.Answer {
		if i >= 0 && i < len(q.Options) {
			rs = append(rs, dupText(q.Options[i]))
		}
	}
	sort.Strings(rs)
	return strings.Join(rs, "\x00")
}

// duplicateNote words a copy q of an earlier question, which earlier
// names; then says what follows from it.
func duplicateNote(q, first *Question, earlier, then string) string {
	same := "题干"
	if q.Type == Single || q.Type == Multiple {
		same = "题干和选项"
	}
	if !sameAnswer(q, first) {
		return fmt.Sprintf("和%s的题%s相同，答案却不同（%q 和 %q）：请核对哪个对，只留一道", earlier, same, rightAnswer(q), rightAnswer(first))
	}
	return fmt.Sprintf("和%s的题重复了（%s相同）：%s", earlier, same, then)
}

// checkDuplicates notes every question of b that repeats an earlier one
// of b.
func checkDuplicates(pl *problemList, b *Bank) {
	first := make(map[string]int, len(b.Questions))
	for i, q := range b.Questions {
		k := q.DupKey()
		j, dup := first[k]
		if !dup {
			first[k] = i
			continue
		}
		at, where := b.placeOf(i)
		earlier, _ := b.placeOf(j)
		e := fmt.Sprintf("编号 %q", b.Questions[j].ID)
		if earlier.Line > 0 {
			e = fmt.Sprintf("第 %d 行（编号 %q）", earlier.Line, b.Questions[j].ID)
		}
		pl.notes = append(pl.notes, Problem{File: at.File, Sheet: at.Sheet, Line: at.Line,
			Msg: where + duplicateNote(q, b.Questions[j], e, "同一套题库里请只留一道")})
	}
}

// Duplicates notes the questions of banks that repeat a question of an
// earlier bank — one of known, or one before it in banks. The notes are on
// the later question; known banks get none. A test or a month's study
// never draws two copies of one question (quiz.Draw), so copies across
// banks are allowed; they are noted so that the author can decide.
func Duplicates(known, banks []*Bank) Problems {
	type seen struct {
		b *Bank
		i int
	}
	n := 0
	for _, b := range known {
		n += len(b.Questions)
	}
	for _, b := range banks {
		n += len(b.Questions)
	}
	first := make(map[string]seen, n)
	add := func(b *Bank) {
		for i, q := range b.Questions {
			if _, ok := first[q.DupKey()]; !ok {
				first[q.DupKey()] = seen{b, i}
			}
		}
	}
	for _, b := range known {
		add(b)
	}
	var out Problems
	for _, b := range banks {
		for i, q := range b.Questions {
			s, ok := first[q.DupKey()]
			if !ok || s.b == b {
				continue
			}
			at, where := b.placeOf(i)
			if at.File == "" {
				at.File = b.File
			}
			e := fmt.Sprintf("题库 %q 编号 %q", s.b.ID, s.b.Questions[s.i].ID)
			if p, _ := s.b.placeOf(s.i); p.File != "" {
				e = fmt.Sprintf("题库 %q（%s）", s.b.ID, strings.TrimSpace(p.File+" "+p.Where()))
			}
			out = append(out, Problem{File: at.File, Sheet: at.Sheet, Line: at.Line,
				Msg: where + duplicateNote(q, s.b.Questions[s.i], e, "同一次测试或同一个月的学习不会同时抽到这两道题")})
		}
		add(b)
	}
	return out
}
