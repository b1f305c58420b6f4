package questions

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Word papers. A paper typed in Word or WPS has its questions numbered,
// their options lettered and the answer and explanation after them:
//
//	一、单项选择题
//	1．“三会一课”中的“一课”指的是（ ）。
//	A．党课  B．形势政策课  C．业务培训课
//	答案：A
//	解析：……
//
// ImportDOCX reads such a paper into one bank, with the same checks as a
// workbook; a problem is at the paragraph where its question starts.

// maxDocxXML bounds the decompressed document part of a .docx.
const maxDocxXML = 32 << 20

// maxDocxTags bounds the elements of the document part, counted before it
// is read: each is a token decoded (190 bytes), and a 41 KB file of 4
// million <w:br/> allocated 1 GB. 50 per question of MaxXLSXRows; the
// paper LibreOffice saved (testdata/docx) has 18 a paragraph.
const maxDocxTags = 50 * MaxXLSXRows

var errDocxTags = errors.New("too many elements")

// ImportFile imports a workbook (.xlsx) or a Word paper (.docx), by the
// file's name.
func ImportFile(name string, data []byte) *Import {
	if strings.EqualFold(path.Ext(name), ".docx") {
		return ImportDOCX(name, data)
	}
	return ImportXLSX(name, data)
}

var (
	docxQuestion = regexp.MustCompile(`^\s*(\d{1,4})\s*[.．、]\s*`)
	docxAnswer   = regexp.MustCompile(`【?(?:正确答案|参考答案|标准答案|答案)】?\s*[:：]\s*`)
	docxExplain  = regexp.MustCompile(`【?(?:答案解析|试题解析|解析)】?\s*[:：]\s*`)
)

// ImportDOCX reads a Word paper into one bank. Every question it cannot
// read is a problem at its paragraph; it never panics.
func ImportDOCX(name string, data []byte) *Import {
	im := &Import{Name: name}
	fail := func(format string, args ...any) *Import {
		im.Problems = append(im.Problems, Problem{File: name, Msg: fmt.Sprintf(format, args...)})
		return im
	}
	if len(data) > MaxXLSXSize {
		return fail("文件太大（%d 字节），一个 Word 文件最多 %d 字节；请把题目分成几个文件", len(data), MaxXLSXSize)
	}
	if len(data) < 4 || string(data[:4]) != "PK\x03\x04" {
		return fail("这不是 Word .docx 文件：请在 WPS 或 Word 里“另存为” .docx 后再发送")
	}
	paras, err := docxParagraphs(data)
	switch {
	case errors.Is(err, errUnzipTooBig):
		return fail("文件解压后太大（超过 %d MB）：请把题目分成几个文件", maxDocxXML>>20)
	case errors.Is(err, errDocxTags):
		return fail("文件太大：文档里的段落和格式超过 %d 项，请把题目分成几个文件", maxDocxTags)
	case err != nil:
		return fail("这个 Word 文件打不开（文件可能已损坏，或不是 .docx）：请在 WPS 或 Word 里重新“另存为” .docx 后再发送")
	}
	pl := &problemList{file: name}
	b := &Bank{File: name}
	var rows []int
	var section Type
	sections := 0 // the sections seen: papers number their questions again in each
	type block struct {
		para   int
		number string
		lines  []string
	}
	var cur *block
	var title string
	flush := func() {
		if cur == nil {
			return
		}
		if len(b.Questions) >= MaxXLSXRows {
			return
		}
		im.Rows++
		id := "q" + cur.number
		if sections > 0 {
			id = fmt.Sprintf("s%d-%s", sections, cur.number)
		}
		m, problem := docxQuestionFields(id, strings.Join(cur.lines, "\n"), section)
		where := fmt.Sprintf("第 %s 题：", cur.number)
		if problem != "" {
			pl.add(cur.para, "%s%s", where, problem)
			im.Refused++
			cur = nil
			return
		}
		para := cur.para
		q := parseQuestion(pl, func(string) int { return para }, where, m, b)
		if q == nil {
			im.Refused++
		} else {
			b.Questions = append(b.Questions, q)
			rows = append(rows, para)
			im.Questions++
		}
		cur = nil
	}
	for i, p := range paras {
		n := i + 1
		text := strings.TrimSpace(p)
		if text == "" {
			continue
		}
		if m := sectionRow.FindStringSubmatch(norm.NFKC.String(text)); m != nil && !docxAnswer.MatchString(text) {
			flush()
			sections++
			section, _ = xlsxType(m[1])
			if section == "不定项" {
				section = ""
			}
			continue
		}
		if loc := docxQuestion.FindStringSubmatchIndex(text); loc != nil {
			flush()
			cur = &block{para: n, number: text[loc[2]:loc[3]], lines: []string{text[loc[1]:]}}
			continue
		}
		if cur == nil {
			if title == "" {
				title = text
			}
			continue
		}
		cur.lines = append(cur.lines, text)
	}
	flush()
	if im.Rows == 0 && len(im.Problems) == 0 {
		return fail("没有找到题目：每道题以“1．”这样的题号开头，后面写选项（A．…）和“答案：…”")
	}
	ids := map[string]bool{}
	for _, q := range b.Questions {
		id := q.ID
		for n := 2; ids[q.ID]; n++ { // a number written twice in one section
			q.ID = fmt.Sprintf("%s-%d", id, n)
		}
		ids[q.ID] = true
	}
	b.place = func(i int) (Problem, string) { return Problem{File: name, Line: rows[i]}, "" }
	checkDuplicates(pl, b)
	im.Problems = append(im.Problems, pl.list...)
	im.Notes = append(im.Notes, pl.notes...)
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	b.ID = slug(base) + "-" + shortCode(name)
	b.Title = strings.Join(strings.Fields(title), " ")
	if b.Title == "" || len([]rune(b.Title)) > MaxTitleRunes {
		b.Title = base
	}
	if rs := []rune(b.Title); len(rs) > MaxTitleRunes {
		b.Title = string(rs[:MaxTitleRunes])
	}
	if strings.TrimSpace(b.Title) == "" {
		b.Title = "题库"
	}
	if len(b.Questions) > 0 {
		ib := &ImportedBank{Bank: b, Sheet: "", Rows: im.Rows}
		ib.TOML = EncodeBank(b, fmt.Sprintf("由 %s 导入（partyquiz import）", oneLine(name)))
		if len(ib.TOML) > MaxFileSize {
			im.Problems = append(im.Problems, Problem{File: name, Msg: fmt.Sprintf(
				"%d 道题写成题库文件有 %d 字节，一套题库最多 %d 字节：请分成几个文件", len(b.Questions), len(ib.TOML), MaxFileSize)})
		}
		im.Banks = append(im.Banks, ib)
	}
	return im
}

// docxQuestionFields reads one numbered question of a paper — stem,
// options, 答案, 解析 — as the fields of a question, or says what is
// missing.
func docxQuestionFields(id, text string, section Type) (map[string]any, string) {
	body, answer, explanation := text, "", ""
	if loc := docxAnswer.FindStringIndex(text); loc != nil {
		body, answer = text[:loc[0]], text[loc[1]:]
		if e := docxExplain.FindStringIndex(answer); e != nil {
			answer, explanation = answer[:e[0]], answer[e[1]:]
		}
	} else if e := docxExplain.FindStringIndex(text); e != nil {
		body, explanation = text[:e[0]], text[e[1]:]
	}
	answer = strings.TrimSpace(answer)
	explanation = strings.TrimSpace(explanation)
	// Options: from the first "A．" that starts a run of letters in order.
	stem, opts := body, []string(nil)
	if locs := letterMark.FindAllStringSubmatchIndex(body, -1); len(locs) > 0 {
		for _, l := range locs {
			if strings.ToUpper(norm.NFKC.String(body[l[4]:l[5]])) == "A" {
				if parts := splitOptions(strings.TrimSpace(body[l[2]:])); len(parts) >= 2 {
					stem, opts = body[:l[2]], parts
					for i, o := range opts {
						opts[i], _ = ownLetter(i, o)
					}
				}
				break
			}
		}
	}
	stem = strings.Join(strings.Fields(stem), " ")
	switch {
	case stem == "":
		return nil, "题干是空的"
	case answer == "":
		return nil, "没有找到答案：请在选项后面写一行“答案：B”"
	}
	typ := section
	if typ == "" {
		typ = inferType(opts, answer)
	}
	m := map[string]any{"id": id, "type": string(typ), "text": stem}
	switch typ {
	case Single, Multiple:
		m["options"] = toAny(opts)
		m["answer"] = answer
	case TrueFalse:
		m["answer"] = answer
	case Fill:
		m["answer"] = toAny(fillCell(answer, stem))
	}
	if explanation != "" {
		m["explanation"] = explanation
	}
	if _, _, refers := refersToOthers(&Question{Type: typ, Options: opts, Explanation: explanation}); refers {
		m["shuffle"] = false
	}
	return m, ""
}

// inferType is the type of a question that does not say: by its options
// and its answer.
func inferType(opts []string, answer string) Type {
	letters, ok := answerLetters(answer)
	switch {
	case len(opts) > 0 && ok && len(letters) > 1:
		return Multiple
	case len(opts) > 0:
		return Single
	case trueFalseIndex(answer) >= 0:
		return TrueFalse
	}
	return Fill
}

// docxParagraphs returns the text of a .docx's paragraphs in order, a line
// break inside a paragraph making a new one, tabs as spaces.
func docxParagraphs(data []byte) ([]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var doc *zip.File
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, "word/document.xml") {
			doc = f
		}
	}
	if doc == nil {
		return nil, errNotDocx
	}
	if doc.UncompressedSize64 > maxDocxXML {
		return nil, errUnzipTooBig
	}
	n, err := countTags(doc, maxDocxXML, "", make([]byte, 256<<10))
	if err != nil {
		return nil, err
	}
	if n.tags > maxDocxTags {
		return nil, errDocxTags
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxDocxXML))
	var paras []string
	var cur strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				cur.WriteByte(' ')
			case "br", "cr":
				paras = append(paras, cur.String())
				cur.Reset()
				if len(paras) > maxXLSXScan {
					return paras, nil
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				paras = append(paras, cur.String())
				cur.Reset()
				if len(paras) > maxXLSXScan {
					return paras, nil
				}
			}
		case xml.CharData:
			if inText {
				cur.Write(t)
			}
		}
	}
	if cur.Len() > 0 {
		paras = append(paras, cur.String())
	}
	return paras, nil
}

var errNotDocx = errors.New("no word/document.xml")
