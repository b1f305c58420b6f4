package questions

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

var sectionRow = regexp.MustCompile(`^[一二三四五六七八九十]+\s*[、.．]\s*(单选|单项选择|多选|多项选择|不定项|判断|填空)`)

// readRow reads one row below the header as the fields of a question. A
// row it cannot read is a problem at its row.
func (sr *sheetReader) readRow(r int, cells []string) (rowQuestion, bool) {
	get := func(role int) string { return sr.cellAt(r, cells, sr.cols[role]) }
	for _, role := range fillDown {
		get(role) // a merge starting on this row is filled down from here
	}
	for i, c := range cells {
		if utf8.RuneCountInString(c) > maxCellRunes {
			cell, _ := excelize.CoordinatesToCellName(i+1, r)
			sr.pl.add(r, "单元格 %s 有 %d 个字，太长了", cell, utf8.RuneCountInString(c))
			sr.im.Rows++
			sr.im.Refused++
			return rowQuestion{}, false
		}
	}
	stem := get(colStem)
	// A section row: "一、单选题（每题 2 分）" and nothing else.
	if m := sectionRow.FindStringSubmatch(norm.NFKC.String(stem)); m != nil && get(colAnswer) == "" && filledCount(cells) == 1 {
		t, _ := xlsxType(m[1])
		sr.section = t
		sr.pl.note(r, "%q 当作题型标题：下面没有写题型的题按%s题读", stem, t)
		return rowQuestion{}, false
	}
	sr.im.Rows++
	q := rowQuestion{row: r, chapter: get(colChapter)}
	refuse := func(format string, args ...any) (rowQuestion, bool) {
		sr.pl.add(r, format, args...)
		sr.im.Refused++
		return rowQuestion{}, false
	}
	if ref, bad := sr.badMerge[r]; bad {
		return refuse("单元格 %s 是合并单元格：题目的每一格只能属于一行一列，请取消合并，在每一行填上自己的内容", ref)
	}
	if stem == "" {
		return refuse("题干是空的")
	}
	answer := get(colAnswer)
	if answer == "" {
		return refuse("答案是空的")
	}
	opts, stripped := sr.options(r, cells)
	if stripped {
		sr.pl.note(r, "选项开头自带的字母（如 “A．”）已去掉：机器人会自动加上 A、B、C……")
	}
	typ, ok := Type(""), true
	if t := get(colType); t != "" {
		if typ, ok = xlsxType(t); !ok {
			return refuse("题型 %q 不认识，只能是 单选、多选、判断 或 填空（也可以写 单选题、单项选择、是非题 等）", t)
		}
	}
	if typ == "" {
		typ = sr.section
	}
	if typ == "" {
		typ, _ = sheetType(sr.sheet)
	}
	letters, lettersOK := answerLetters(answer)
	if typ == "" {
		typ = inferType(opts, answer)
	}
	if typ == "不定项" {
		typ = Single
		if lettersOK && len(letters) > 1 {
			typ = Multiple
		}
	}
	m := map[string]any{"type": string(typ), "text": stem}
	if id := get(colID); id != "" {
		m["id"] = id
	} else {
		m["id"] = "q" + shortHex(string(typ)+"\x00"+Normalize(stem), 8)
		q.madeID = true
	}
	switch typ {
	case Single, Multiple:
		m["options"] = toAny(opts)
		m["answer"] = answer
	case TrueFalse:
		// Exported from a platform as options 正确 / 错误 with answer A.
		if lettersOK && len(letters) == 1 && len(opts) == 2 {
			i := int(letters[0] - 'A')
			if i < len(opts) && trueFalseIndex(opts[i]) >= 0 && trueFalseIndex(opts[1-i]) == 1-trueFalseIndex(opts[i]) {
				answer = TrueFalseOptions[trueFalseIndex(opts[i])]
			}
		}
		m["answer"] = answer
	case Fill:
		accepted, added := fillAlternatives(fillCell(answer, stem))
		if len(added) > 0 {
			sr.pl.note(r, "答案里的数字按表格显示为 %q：同时接受 %q", answer, strings.Join(added, "、"))
		}
		m["answer"] = toAny(accepted)
	}
	for role, key := range map[int]string{colExplanation: "explanation", colSource: "source", colTopic: "topic"} {
		if v := get(role); v != "" {
			m[key] = v
		}
	}
	if d := get(colDifficulty); d != "" {
		m["difficulty"] = xlsxDifficulty(d)
	}
	switch s := headerKey(get(colShuffle)); s {
	case "":
		tmp := &Question{Type: typ, Options: opts}
		if e, ok := m["explanation"].(string); ok {
			tmp.Explanation = e
		}
		if _, found, refers := refersToOthers(tmp); refers && (typ == Single || typ == Multiple) {
			m["shuffle"] = false
			sr.pl.note(r, "%q 提到了其他选项：这道题的选项按原顺序出现，不打乱", found)
		}
	case "是", "打乱", "true", "yes", "y", "1", "√":
		m["shuffle"] = true
	case "否", "不", "不打乱", "false", "no", "n", "0", "×":
		m["shuffle"] = false
	default:
		return refuse("“打乱选项”只能写 是 或 否，这里写的是 %q", get(colShuffle))
	}
	q.m = m
	return q, true
}

func filledCount(cells []string) int {
	n := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// letterMark finds the letter in front of an option: group 1 is the
// marker ("A．", "（B）"), group 2 its letter.
var letterMark = regexp.MustCompile(`(?:^|[^A-Za-z0-9])([(（]?([A-HＡ-Ｈ])[)）]?\s*[.．、:：)）])`)

// options returns the row's options — from the 选项A…选项H columns, or
// all in one 选项 cell separated by | or line breaks (or "A．… B．…" on
// one line) — without the letters authors type in front of them, and
// whether any had one.
func (sr *sheetReader) options(r int, cells []string) ([]string, bool) {
	var opts []string
	for i := 0; i < MaxOptions; i++ {
		if c := sr.cols[colOptionA+i]; c >= 0 {
			for len(opts) < i {
				opts = append(opts, "")
			}
			opts = append(opts, sr.cellAt(r, cells, c))
		}
	}
	if one := sr.cellAt(r, cells, sr.cols[colOptions]); len(opts) == 0 && one != "" {
		opts = splitOptions(one)
	}
	for len(opts) > 0 && opts[len(opts)-1] == "" {
		opts = opts[:len(opts)-1]
	}
	stripped := false
	for i, o := range opts {
		if rest, ok := ownLetter(i, o); ok {
			opts[i], stripped = rest, true
		}
	}
	return opts, stripped
}

// splitOptions splits a cell holding every option.
func splitOptions(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '｜' || r == '\n' || r == '\r' })
	if len(parts) == 1 {
		// "A．党课 B．形势政策课 C．业务培训课": cut before each letter, in order.
		locs := letterMark.FindAllStringSubmatchIndex(s, -1)
		var cuts []int
		for _, l := range locs {
			if strings.ToUpper(norm.NFKC.String(s[l[4]:l[5]])) == Letter(len(cuts)) {
				cuts = append(cuts, l[2])
			}
		}
		if len(cuts) >= 2 {
			parts = parts[:0]
			for i, c := range cuts {
				end := len(s)
				if i+1 < len(cuts) {
					end = cuts[i+1]
				}
				parts = append(parts, s[c:end])
			}
		}
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// trailingZeros finds a decimal with zeros at its end: "0.50", "2.00".
var trailingZeros = regexp.MustCompile(`(\d)\.(\d*[1-9])?0+(\D|$)`)

// withoutZeros is s with the trailing zeros of its decimals taken off
// ("0.50%" → "0.5%", "2.00%" → "2%"): a number cell in Excel shows
// 0.5% typed into it as 0.50%, and a member types 0.5%.
func withoutZeros(s string) string {
	return trailingZeros.ReplaceAllStringFunc(s, func(m string) string {
		sub := trailingZeros.FindStringSubmatch(m)
		if sub[2] == "" {
			return sub[1] + sub[3]
		}
		return sub[1] + "." + sub[2] + sub[3]
	})
}

// fillAlternatives adds to each accepted answer its form without trailing
// decimal zeros, blank by blank, when that differs.
func fillAlternatives(accepted []string) (out []string, added []string) {
	for _, a := range accepted {
		blanks := [][]string{}
		for _, p := range strings.Split(a, BlankSep) {
			alts := []string{p}
			if w := withoutZeros(p); w != p {
				alts = append(alts, w)
				added = append(added, w)
			}
			blanks = append(blanks, alts)
		}
		for _, c := range combine(blanks) {
			if !slices.Contains(out, c) && len(out) < maxAccepted {
				out = append(out, c)
			}
		}
	}
	return out, added
}

// fillCell reads a 填空's answer cell: accepted answers one per line; the
// blanks of each separated by |, or by ；when the stem has that many
// blanks.
func fillCell(s, stem string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		line = strings.ReplaceAll(line, "｜", BlankSep)
		if !strings.Contains(line, BlankSep) {
			parts := strings.FieldsFunc(line, func(r rune) bool { return r == '；' || r == ';' })
			if len(parts) > 1 && len(parts) == blankMarks(stem) {
				line = strings.Join(parts, BlankSep)
			}
		}
		out = append(out, line)
	}
	return out
}

// xlsxType reads a type as sheets write it: 单选, 单选题, 单项选择题,
// 多项选择, 不定项选择 (returned as "不定项": single or multiple by its
// answer), 判断题, 是非题, 填空题, and the English words.
func xlsxType(s string) (Type, bool) {
	k := headerKey(s)
	k = strings.TrimSuffix(k, "题")
	switch k {
	case "单选", "单项选择", "单项", "单选择", "single", "radio", "单项选择题型":
		return Single, true
	case "多选", "多项选择", "多项", "多选择", "multiple", "checkbox":
		return Multiple, true
	case "不定项", "不定项选择":
		return "不定项", true
	case "判断", "是非", "对错", "判断正误", "truefalse", "true/false", "judge", "tf":
		return TrueFalse, true
	case "填空", "fill", "blank":
		return Fill, true
	}
	return "", false
}

// sheetType is the type a sheet's name gives its questions ("单选题").
func sheetType(sheet string) (Type, bool) {
	k := headerKey(sheet)
	for _, w := range []string{"不定项", "单选", "单项选择", "多选", "多项选择", "判断", "是非", "填空"} {
		if strings.Contains(k, w) {
			t, ok := xlsxType(w)
			if t == "不定项" {
				return "", false
			}
			return t, ok
		}
	}
	return "", false
}

// xlsxDifficulty reads 1–3 as numbers and 低/高 as 易/难; the rest as the
// TOML reader does.
func xlsxDifficulty(s string) any {
	switch k := headerKey(s); k {
	case "1", "2", "3":
		n, _ := strconv.Atoi(k)
		return int64(n)
	case "低", "较易":
		return "易"
	case "高":
		return "难"
	}
	return s
}
