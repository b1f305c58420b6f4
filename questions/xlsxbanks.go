package questions

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// makeBanks turns the rows read into banks: one for the sheet, or one
// per 章节 when the sheet has a 章节 column with more than one value.
func (sr *sheetReader) makeBanks(rows []rowQuestion) {
	var order []string
	groups := map[string][]rowQuestion{}
	for _, q := range rows {
		if _, ok := groups[q.chapter]; !ok {
			order = append(order, q.chapter)
		}
		groups[q.chapter] = append(groups[q.chapter], q)
	}
	split := len(order) > 1
	if !split {
		order = []string{""}
		groups = map[string][]rowQuestion{"": rows}
	}
	for _, chapter := range order {
		group := groups[chapter]
		b := &Bank{File: sr.file, Topic: sr.meta["topic"], Source: sr.meta["source"]}
		if split {
			b.Topic = chapter
		}
		ib := &ImportedBank{Bank: b, Sheet: sr.sheet, Rows: len(group)}
		if split {
			ib.Chapter = chapter
			if chapter == "" {
				ib.Chapter = "（未写章节）"
			}
		}
		b.Title = sr.bankTitle(ib.Chapter)
		var placed []int
		ids := map[string]int{} // id → row
		for _, rq := range group {
			row := rq.row
			id, _ := rq.m["id"].(string)
			if first, dup := ids[id]; dup {
				if !rq.madeID {
					sr.pl.add(row, "编号 %q 重复了，第 %d 行已经用过：同一套题库里每道题的编号必须不同", id, first)
					sr.im.Refused++
					continue
				}
				for n := 2; ; n++ { // the same stem twice: noted as a duplicate below
					if _, used := ids[id+"-"+strconv.Itoa(n)]; !used {
						id += "-" + strconv.Itoa(n)
						rq.m["id"] = id
						break
					}
				}
			}
			ids[id] = row
			lineOf := func(string) int { return row }
			before := len(sr.pl.list)
			q := parseQuestion(sr.pl, lineOf, "", rq.m, b)
			if q == nil {
				if len(sr.pl.list) == before { // never: a refused question has a problem
					sr.pl.add(row, "这一行没有读成题目")
				}
				sr.im.Refused++
				continue
			}
			b.Questions = append(b.Questions, q)
			placed = append(placed, row)
			sr.im.Questions++
		}
		file, sheet := sr.file, sr.sheet
		b.place = func(i int) (Problem, string) {
			return Problem{File: file, Sheet: sheet, Line: placed[i]}, ""
		}
		checkDuplicates(sr.pl, b)
		if len(b.Questions) > 0 {
			ib.metaID, ib.metaRow = sr.meta["id"], sr.metaRow["id"]
			sr.im.Banks = append(sr.im.Banks, ib)
		}
	}
}

var defaultSheetName = regexp.MustCompile(`(?i)^(sheet|工作表|表)\s*\d*$`)

// bankTitle is the title of the sheet's bank: 题库名称 above the header, a
// lone title row, the sheet's name unless it is a default one, or the
// file's name; with the 章节 of a split sheet.
func (sr *sheetReader) bankTitle(chapter string) string {
	t := sr.meta["title"]
	if t == "" && utf8.RuneCountInString(sr.title) <= MaxTitleRunes {
		t = sr.title
	}
	if t == "" {
		t = sr.sheet
		if defaultSheetName.MatchString(t) {
			t = strings.TrimSuffix(path.Base(sr.file), path.Ext(sr.file))
		}
	}
	if chapter != "" {
		t += " · " + chapter
	}
	t = strings.Join(strings.Fields(t), " ")
	if t == "" {
		t = "题库"
	}
	if rs := []rune(t); len(rs) > MaxTitleRunes {
		t = string(rs[:MaxTitleRunes])
	}
	return t
}

// assignIDs gives every bank its id: the 题库编号 above the header (with a
// short code per 章节 for a split sheet), or one made from the file's and
// the sheet's names, which stays the same when the same file is sent
// again.
func (im *Import) assignIDs() {
	base := slug(strings.TrimSuffix(path.Base(im.Name), path.Ext(im.Name)))
	seen := map[string]*ImportedBank{}
	for _, ib := range im.Banks {
		b := ib.Bank
		switch {
		case ib.metaID != "" && ib.Chapter == "":
			b.ID = ib.metaID
		case ib.metaID != "":
			b.ID = truncID(ib.metaID, MaxIDLen-7) + "-" + shortCode(ib.Chapter)
		default:
			b.ID = base + "-" + shortCode(im.Name+"\x00"+ib.Sheet+"\x00"+ib.Chapter)
		}
		if !idPattern.MatchString(b.ID) || len(b.ID) > MaxIDLen {
			im.Problems = append(im.Problems, Problem{File: im.Name, Sheet: ib.Sheet, Line: ib.metaRow,
				Msg: fmt.Sprintf("题库编号 %q 只能用英文字母、数字、- 和 _，最长 %d 个字符", ib.metaID, MaxIDLen)})
		}
		if prev, dup := seen[b.ID]; dup {
			im.Problems = append(im.Problems, Problem{File: im.Name, Sheet: ib.Sheet, Line: ib.metaRow,
				Msg: fmt.Sprintf("题库编号 %q 和工作表「%s」的重复了；每套题库的编号必须不同", b.ID, prev.Sheet)})
		}
		seen[b.ID] = ib
	}
}

// slug keeps the letters, digits, - and _ of a name, for a bank id.
func slug(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), "-_")
	if out == "" {
		return "xlsx"
	}
	return truncID(out, MaxIDLen-7)
}

func truncID(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func shortCode(s string) string { return shortHex(s, 6) }

func shortHex(s string, n int) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:n]
}
