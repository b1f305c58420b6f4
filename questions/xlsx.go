package questions

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// Excel workbooks in and out. Real banks arrive as .xlsx sheets exported
// from exam platforms or typed in WPS; ImportXLSX reads them, by their
// header row, into banks — each written as the TOML file an author would
// write, which is what gets validated, published and kept — and ExportXLSX
// writes banks back in the layout ImportXLSX reads, so that an admin can
// edit a bank in WPS and send it back: export then import gives the same
// questions.

// Limits of a workbook ImportXLSX reads, checked before and while reading,
// so that a crafted file cannot exhaust memory or time.
const (
	MaxXLSXSize     = 5 << 20  // bytes of the .xlsx file
	MaxXLSXSheets   = 100      // worksheets
	MaxXLSXRows     = 20000    // rows with something in them, over all sheets
	maxXLSXUnzip    = 64 << 20 // bytes of all its parts once decompressed
	maxXLSXInMemory = 16 << 20 // a worksheet part larger than this is read from a temporary file
	maxXLSXScan     = 100000   // rows looked at, empty ones too
	maxXLSXCells    = 2000000  // cells looked at, up to the last of each row
	maxCellRunes    = 8000     // one cell's text
	headerScan      = 30       // rows in which the header row is looked for
)

// Import is a workbook read as question banks.
type Import struct {
	Name      string          // the workbook's file name
	Banks     []*ImportedBank // in sheet order
	Problems  Problems        // every row refused and what stops the workbook, as "FILE 工作表!行: …"
	Notes     Problems        // what was done or should be looked at, not stopping the import
	Rows      int             // rows read: rows below a header with something in them
	Questions int             // questions made
	Refused   int             // rows refused (each has a problem)
}

// ImportedBank is one bank of a workbook: a worksheet, or the rows of one
// 章节 of a worksheet.
type ImportedBank struct {
	Bank    *Bank  // its questions, placed at their rows
	Sheet   string // the worksheet
	Chapter string // the 章节 the sheet was split by, or ""
	Rows    int    // rows read into it, refused ones included
	TOML    []byte // the bank as a TOML file

	metaID  string // the 题库编号 above the sheet's header
	metaRow int
}

// Summary is the one-line account `partyquiz import` prints.
func (im *Import) Summary() string {
	split := ""
	if len(im.Banks) > 0 && im.Banks[0].Sheet != "" { // a Word paper has no sheets
		sheets, chapters := map[string]bool{}, 0
		for _, b := range im.Banks {
			sheets[b.Sheet] = true
			if b.Chapter != "" {
				chapters++
			}
		}
		switch {
		case chapters > 0 && chapters == len(im.Banks):
			split = fmt.Sprintf("按“章节”列分为 %d 套题库", len(im.Banks))
		case chapters > 0:
			split = fmt.Sprintf("按工作表和“章节”列分为 %d 套题库", len(im.Banks))
		default:
			split = fmt.Sprintf("按工作表分为 %d 套题库", len(im.Banks))
		}
		split = "\uff0c" + split
	}
	verdict := "没有发现问题"
	if len(im.Problems) > 0 {
		verdict = fmt.Sprintf("发现 %d 个问题", len(im.Problems))
	}
	if len(im.Notes) > 0 {
		verdict += fmt.Sprintf("\uff0c另有 %d 条提示", len(im.Notes))
	}
	return fmt.Sprintf("%s：读取 %d 行，生成题目 %d 道，有问题的行 %d 行%s；%s。",
		im.Name, im.Rows, im.Questions, im.Refused, split, verdict)
}

// ImportXLSX reads a workbook: in each worksheet, the header row (the
// first of its first 30 rows naming a 题干 and an 答案 column, whatever
// the columns' order and the spelling of the headers), the bank's 题库编号,
// 题库名称, 默认专题 and 默认出处 in rows above it, and one question per row
// below it. A sheet is one bank, or several when a 章节 column splits it.
// Every row that cannot be read is a problem at its row; it never panics.
func ImportXLSX(name string, data []byte) *Import {
	im := &Import{Name: name}
	fail := func(sheet, format string, args ...any) *Import {
		im.Problems = append(im.Problems, Problem{File: name, Sheet: sheet, Msg: fmt.Sprintf(format, args...)})
		return im
	}
	if len(data) > MaxXLSXSize {
		return fail("", "文件太大（%d 字节），一个 Excel 文件最多 %d 字节；请把题目分成几个文件", len(data), MaxXLSXSize)
	}
	if len(data) < 4 || string(data[:4]) != "PK\x03\x04" {
		if len(data) >= 8 && bytes.Equal(data[:8], []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}) {
			return fail("", "这是旧的 .xls 格式或加了密码的文件：请在 WPS 或 Excel 里“另存为” .xlsx（不设密码）后再发送")
		}
		return fail("", "这不是 Excel .xlsx 文件：请在 WPS 或 Excel 里“另存为” .xlsx 后再发送")
	}
	merges, err := mergedCells(data)
	if err != nil {
		return fail("", "%s", zipMessage(err))
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxXLSXUnzip, UnzipXMLSizeLimit: maxXLSXInMemory})
	if err != nil {
		return fail("", "%s", zipMessage(err))
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) > MaxXLSXSheets {
		return fail("", "工作表太多（%d 个），最多 %d 个", len(sheets), MaxXLSXSheets)
	}
	budget := &xlsxBudget{}
	var withHeader int
	var noHeader []string
	for _, sheet := range sheets {
		sr := &sheetReader{im: im, f: f, file: name, sheet: sheet, merges: merges[sheet], budget: budget,
			pl: &problemList{file: name, sheet: sheet}}
		found := sr.read()
		for _, l := range []Problems{sr.pl.list, sr.pl.notes} {
			sort.SliceStable(l, func(i, j int) bool { return l[i].Line < l[j].Line })
		}
		im.Problems = append(im.Problems, sr.pl.list...)
		im.Notes = append(im.Notes, sr.pl.notes...)
		switch {
		case found:
			withHeader++
		case sr.nonEmpty > 0:
			noHeader = append(noHeader, sheet)
		}
		if budget.over != "" {
			im.Problems = append(im.Problems, Problem{File: name, Sheet: sheet, Line: sr.lastRow, Msg: budget.over})
			break
		}
	}
	for _, sheet := range noHeader {
		p := Problem{File: name, Sheet: sheet, Msg: "没有找到表头：表头一行要有“题干”（或“题目”“试题内容”）和“答案”（或“正确答案”）两列"}
		if withHeader == 0 {
			im.Problems = append(im.Problems, p)
		} else {
			p.Msg += "，这个工作表没有导入"
			im.Notes = append(im.Notes, p)
		}
	}
	if len(sheets) > 0 && withHeader == 0 && len(noHeader) == 0 && len(im.Problems) == 0 {
		return fail("", "表格是空的")
	}
	im.assignIDs()
	var banks []*Bank
	for _, ib := range im.Banks {
		banks = append(banks, ib.Bank)
	}
	im.Notes = append(im.Notes, Duplicates(nil, banks)...)
	for _, ib := range im.Banks {
		where := fmt.Sprintf("工作表「%s」", ib.Sheet)
		if ib.Chapter != "" {
			where += fmt.Sprintf("的章节「%s」", ib.Chapter)
		}
		ib.TOML = EncodeBank(ib.Bank, fmt.Sprintf("由 %s %s导入（partyquiz import）", oneLine(name), oneLine(where)))
		if len(ib.TOML) > MaxFileSize {
			im.Problems = append(im.Problems, Problem{File: name, Sheet: ib.Sheet, Msg: fmt.Sprintf(
				"%s的 %d 道题写成题库文件有 %d 字节，一套题库最多 %d 字节：请分成几个工作表，或加一列“章节”分成几套",
				where, len(ib.Bank.Questions), len(ib.TOML), MaxFileSize)})
		}
	}
	return im
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// zipMessage words why a workbook cannot be opened.
func zipMessage(err error) string {
	if msg := partMessage(err); msg != "" {
		return msg
	}
	switch {
	case errors.Is(err, errUnzipTooBig) || strings.Contains(err.Error(), "unzip size"):
		return fmt.Sprintf("文件解压后太大（超过 %d MB）：请把题目分成几个文件", maxXLSXUnzip>>20)
	case errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword):
		return "文件加了密码或格式不对：请在 WPS 或 Excel 里“另存为” .xlsx（不设密码）后再发送"
	}
	return "这个 Excel 文件打不开（文件可能已损坏）：请在 WPS 或 Excel 里重新“另存为” .xlsx 后再发送"
}

// xlsxBudget counts what the whole workbook has cost so far.
type xlsxBudget struct {
	rows, scanned, cells int
	over                 string // why reading stopped, or ""
}

// column roles a header can name.
const (
	colID = iota
	colType
	colStem
	colOptions
	colAnswer
	colExplanation
	colChapter
	colTopic
	colDifficulty
	colSource
	colShuffle
	colOptionA // colOptionA+i: 选项A…选项H
	colCount   = colOptionA + MaxOptions
)

// headerNames maps a header, normalised by headerKey, to its role.
var headerNames = map[string]int{}

func init() {
	for role, names := range map[int][]string{
		colID:          {"编号", "题号", "序号", "id", "试题编号", "题目编号", "题目id", "试题id"},
		colType:        {"题型", "类型", "试题类型", "题目类型", "题类", "题型名称"},
		colStem:        {"题干", "题目", "试题内容", "题目内容", "试题", "问题", "题面", "内容", "试题题干", "题干内容", "题目名称", "题目标题"},
		colOptions:     {"选项", "选项内容", "备选项", "备选答案", "所有选项", "全部选项"},
		colAnswer:      {"答案", "正确答案", "标准答案", "参考答案", "答案内容"},
		colExplanation: {"解析", "答案解析", "试题解析", "题目解析", "解释", "答题解析", "解析说明", "说明"},
		colChapter:     {"章节", "所属章节", "章", "章节名称"},
		colTopic:       {"知识点", "分类", "专题", "类别", "所属分类", "知识点分类", "主题"},
		colDifficulty:  {"难度", "难易程度", "难易度", "难度等级"},
		colSource:      {"出处", "来源", "依据", "出自", "题目来源", "试题来源", "参考依据"},
		colShuffle:     {"打乱选项", "选项乱序", "乱序", "打乱选项顺序"},
	} {
		for _, n := range names {
			headerNames[n] = role
		}
	}
	for i := 0; i < MaxOptions; i++ {
		l := strings.ToLower(Letter(i))
		for _, n := range []string{"选项" + l, l, l + "选项", "选项" + l + "内容"} {
			headerNames[n] = colOptionA + i
		}
	}
}

var bracketed = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕`)

// headerKey normalises a header cell: full-width to half-width, no spaces
// or line breaks, no bracketed note ("（必填）", "(单选题填 A)"), no * or
// trailing colon, lower case.
func headerKey(s string) string {
	s = norm.NFKC.String(s)
	s = bracketed.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '*' || r == ':' || r == '：' || r == '※':
			return -1
		case ignorable(r):
			return -1
		}
		return r
	}, s)
	return strings.ToLower(s)
}

// metaNames are the keys of the rows above the header that describe the bank.
var metaNames = map[string]string{
	"题库编号": "id", "题库id": "id",
	"题库名称": "title", "题库": "title", "名称": "title", "标题": "title",
	"默认专题": "topic", "专题": "topic",
	"默认出处": "source", "出处": "source",
}

// merge is one merged range of cells, 1-based and inclusive.
type merge struct {
	ref                    string
	col1, row1, col2, row2 int
}

// sheetReader reads one worksheet.
type sheetReader struct {
	im       *Import
	f        *excelize.File
	file     string
	sheet    string
	merges   []merge
	budget   *xlsxBudget
	pl       *problemList
	nonEmpty int // rows with something in them
	lastRow  int

	cols    [colCount]int // column index (0-based) of each role, -1 if none
	header  int           // the header's row
	meta    map[string]string
	metaRow map[string]int
	title   string // a lone title row above the header

	section   Type               // the type a section row ("一、单选题") set for the rows below it
	downStart map[[2]int]int     // (column, first row) of a merge filled down → its last row
	badMerge  map[int]string     // row → a merged range over it that cannot be read
	filled    map[int]filledCell // column → value of a vertical merge being filled down
}

type filledCell struct {
	value string
	until int
}

// numberedRow is a row's cells with its number.
type numberedRow struct {
	row   int
	cells []string
}

// rowQuestion is a row read as the fields of a question.
type rowQuestion struct {
	row     int
	m       map[string]any
	chapter string
	madeID  bool // the id was made from the stem: no 编号 column
}

// read reads the sheet; it reports whether a header was found.
func (sr *sheetReader) read() bool {
	rows, err := sr.f.Rows(sr.sheet)
	if err != nil {
		return false // a chart sheet or a dialog sheet: nothing to read
	}
	defer rows.Close()
	var pending []numberedRow // rows before the header is found
	var questions []rowQuestion
	refusedBefore := sr.im.Refused
	r := 0
	for rows.Next() {
		r++
		sr.lastRow = r
		b := sr.budget
		b.scanned++
		if b.scanned > maxXLSXScan {
			b.over = fmt.Sprintf("表格太大：最多读 %d 行（包括空行）", maxXLSXScan)
			break
		}
		cells, err := rows.Columns()
		if err != nil {
			sr.pl.add(r, "这一行读不出来（文件可能已损坏）")
			continue
		}
		b.cells += len(cells)
		if b.cells > maxXLSXCells {
			b.over = fmt.Sprintf("表格太大：单元格超过 %d 个", maxXLSXCells)
			break
		}
		if empty(cells) {
			continue
		}
		sr.nonEmpty++
		if sr.header == 0 {
			if len(pending) >= headerScan {
				break // no header in the first rows: not a sheet of questions
			}
			pending = append(pending, numberedRow{r, cells})
			if sr.findHeader(r, cells) {
				sr.readMeta(pending[:len(pending)-1])
				pending = nil
				sr.checkMerges()
			}
			continue
		}
		b.rows++
		if b.rows > MaxXLSXRows {
			b.over = fmt.Sprintf("表格太大：最多 %d 行题目，请把题目分成几个文件", MaxXLSXRows)
			break
		}
		if q, ok := sr.readRow(r, cells); ok {
			questions = append(questions, q)
		}
	}
	if err := rows.Error(); err != nil && sr.budget.over == "" {
		sr.pl.add(r, "表格读到这里出错了（文件可能已损坏）")
	}
	if sr.header == 0 {
		return false
	}
	if len(questions) == 0 && sr.im.Refused == refusedBefore {
		sr.pl.note(sr.header, "表头下面没有题目")
	}
	sr.makeBanks(questions)
	return true
}

func empty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// findHeader reports whether cells are the header row, and if so records
// the columns.
func (sr *sheetReader) findHeader(r int, cells []string) bool {
	var cols [colCount]int
	for i := range cols {
		cols[i] = -1
	}
	var unknown, twice []string
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		role, ok := headerNames[headerKey(c)]
		switch {
		case !ok:
			unknown = append(unknown, strings.TrimSpace(c))
		case cols[role] >= 0:
			twice = append(twice, strings.TrimSpace(c))
		default:
			cols[role] = i
		}
	}
	if cols[colStem] < 0 || cols[colAnswer] < 0 {
		return false
	}
	sr.cols, sr.header = cols, r
	if len(unknown) > 0 {
		sr.pl.note(r, "这些列不认识，没有导入：%s", strings.Join(unknown, "、"))
	}
	if len(twice) > 0 {
		sr.pl.note(r, "这些列和前面的列是同一项，只用了前面的：%s", strings.Join(twice, "、"))
	}
	return true
}

// readMeta reads the rows above the header: "题库编号 | sanhui-yike" and
// the like, or a lone title.
func (sr *sheetReader) readMeta(rows []numberedRow) {
	sr.meta, sr.metaRow = map[string]string{}, map[string]int{}
	for _, nr := range rows {
		var vals []string
		for _, c := range nr.cells {
			if c = strings.TrimSpace(c); c != "" {
				vals = append(vals, c)
			}
		}
		if len(vals) == 0 {
			continue
		}
		if k, ok := metaNames[headerKey(vals[0])]; ok {
			if _, seen := sr.meta[k]; !seen && len(vals) >= 2 {
				sr.meta[k], sr.metaRow[k] = vals[1], nr.row
			}
			continue
		}
		if len(vals) == 1 && sr.title == "" {
			sr.title = vals[0]
		}
	}
}

// fillDown are the columns whose vertically merged cells are read as the
// same value on every row of the merge: what a sheet groups rows by.
var fillDown = []int{colType, colChapter, colTopic, colDifficulty, colSource}

// checkMerges sorts the sheet's merged cells below the header: a merge
// down one column that groups rows (题型, 章节, 知识点, 难度, 出处) is read
// as its value on each row; any other is a problem at its first row.
func (sr *sheetReader) checkMerges() {
	sr.filled, sr.downStart, sr.badMerge = map[int]filledCell{}, map[[2]int]int{}, map[int]string{}
	for _, m := range sr.merges {
		if m.row2 <= sr.header {
			continue // titles and headers may be merged
		}
		down := false
		if m.col1 == m.col2 && m.row1 > sr.header {
			for _, role := range fillDown {
				down = down || sr.cols[role] == m.col1-1
			}
		}
		if down {
			sr.downStart[[2]int{m.col1 - 1, m.row1}] = m.row2
			continue
		}
		for r := max(m.row1, sr.header+1); r <= m.row2 && r-m.row1 < maxXLSXScan; r++ {
			if _, seen := sr.badMerge[r]; !seen {
				sr.badMerge[r] = m.ref
			}
		}
	}
}

// cellAt returns the trimmed text of column i of a row, with merges
// filled down.
func (sr *sheetReader) cellAt(r int, cells []string, i int) string {
	if i < 0 {
		return ""
	}
	v := ""
	if i < len(cells) {
		v = strings.TrimSpace(cells[i])
	}
	if until, ok := sr.downStart[[2]int{i, r}]; ok {
		sr.filled[i] = filledCell{value: v, until: until}
	}
	if fc, ok := sr.filled[i]; ok && v == "" && r <= fc.until {
		v = fc.value
	}
	return v
}

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

// --- merged cells -------------------------------------------------------

var errUnzipTooBig = errors.New("unzipped too big")

// mergedCells reads the merged ranges of every worksheet by name, scanning
// each sheet's XML as a stream (excelize reads a whole sheet into memory
// for them).
func mergedCells(data []byte) (map[string][]merge, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var total uint64
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxXLSXUnzip {
			return nil, errUnzipTooBig
		}
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))] = f
	}
	if err := checkParts(parts); err != nil {
		return nil, err
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(parts["xl/workbook.xml"], &wb); err != nil {
		return nil, err
	}
	if err := decodePart(parts["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		return nil, err
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := strings.ReplaceAll(r.Target, "\\", "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = strings.ToLower(t)
	}
	out := map[string][]merge{}
	tags := 0
	for _, s := range wb.Sheets {
		f := parts[target[s.RID]]
		if f == nil {
			continue
		}
		ms, n, err := scanMerges(f, maxXLSXSheetTags-tags)
		if err != nil {
			return nil, err
		}
		if tags += n; tags > maxXLSXSheetTags {
			return nil, &partError{fmt.Sprintf("表格太大：工作表里的单元格和格式超过 %d 项，请把题目分成几个文件", maxXLSXSheetTags)}
		}
		out[s.Name] = ms
	}
	return out, nil
}

// decodePart decodes a small XML part (at most 4 MB are read).
func decodePart(f *zip.File, v any) error {
	if f == nil {
		return errors.New("part missing")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 4<<20)).Decode(v)
}

var mergeRef = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+)(?::([A-Za-z]+[0-9]+))?"`)

// scanMerges finds the mergeCell elements of a worksheet part in chunks,
// keeping an overlap so that none is cut in two; it counts the part's
// elements too (see maxXLSXSheetTags), stopping once they pass most.
func scanMerges(f *zip.File, most int) ([]merge, int, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	const chunk, overlap = 256 << 10, 512
	var out []merge
	tags := 0
	buf := make([]byte, 0, chunk+overlap)
	tmp := make([]byte, chunk)
	for {
		n, err := io.ReadFull(rc, tmp)
		buf = append(buf, tmp[:n]...)
		if tags += startTags(tmp[:n]); tags > most {
			return nil, tags, nil
		}
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return nil, 0, err
		}
		keep := 0
		if !eof && len(buf) > overlap {
			keep = len(buf) - overlap
		}
		if bytes.Contains(buf, []byte("mergeCell")) {
			for _, m := range mergeRef.FindAllSubmatchIndex(buf, -1) {
				if !eof && m[0] >= keep {
					break // seen again with the next chunk
				}
				a := string(buf[m[2]:m[3]])
				b := a
				if m[4] >= 0 {
					b = string(buf[m[4]:m[5]])
				}
				c1, r1, err1 := excelize.CellNameToCoordinates(a)
				c2, r2, err2 := excelize.CellNameToCoordinates(b)
				if err1 == nil && err2 == nil {
					out = append(out, merge{ref: a + ":" + b, col1: min(c1, c2), row1: min(r1, r2), col2: max(c1, c2), row2: max(r1, r2)})
				}
			}
		}
		if eof {
			break
		}
		buf = append(buf[:0], buf[keep:]...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].row1 < out[j].row1 })
	return out, tags, nil
}

// --- export ---------------------------------------------------------------

// ExportXLSX writes banks as a workbook ImportXLSX reads back to the same
// questions: one worksheet per bank, its 题库编号, 题库名称, 默认专题 and
// 默认出处 in rows above the header, then one question per row (编号, 题型,
// 题干, 选项A…, 答案, 解析, 知识点, 难度, 出处, 打乱选项). A 填空's accepted
// answers are one per line, the blanks of each separated by |.
func ExportXLSX(banks ...*Bank) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	names := map[string]bool{}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, b := range banks {
		name := sheetName(b, names)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		if err := writeBankSheet(f, name, b, wrap, bold); err != nil {
			return nil, fmt.Errorf("bank %s: %w", b.ID, err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetName is a worksheet name for b: its title, without the characters
// Excel refuses, at most 31 characters, not used before.
func sheetName(b *Bank, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '·'
		}
		return r
	}, b.Title)
	clean = strings.Trim(clean, "' ")
	if clean == "" {
		clean = b.ID
	}
	rs := []rune(clean)
	if len(rs) > 31 {
		rs = rs[:31]
	}
	name := string(rs)
	for n := 2; used[strings.ToLower(name)]; n++ {
		suffix := fmt.Sprintf("（%d）", n)
		cut := min(len(rs), 31-utf8.RuneCountInString(suffix))
		name = string(rs[:cut]) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func writeBankSheet(f *excelize.File, sheet string, b *Bank, wrap, bold int) error {
	nopts := 4
	for _, q := range b.Questions {
		nopts = max(nopts, len(q.Options))
	}
	head := []string{"编号", "题型", "题干"}
	for i := 0; i < nopts; i++ {
		head = append(head, "选项"+Letter(i))
	}
	head = append(head, "答案", "解析", "知识点", "难度", "出处", "打乱选项")
	rows := [][]string{
		{"题库编号", b.ID},
		{"题库名称", b.Title},
		{"默认专题", b.Topic},
		{"默认出处", b.Source},
		{},
		head,
	}
	const headerRow = 6
	for _, q := range b.Questions {
		row := []string{q.ID, string(q.Type), q.Text}
		for i := 0; i < nopts; i++ {
			o := ""
			if (q.Type == Single || q.Type == Multiple) && i < len(q.Options) {
				o = q.Options[i]
			}
			row = append(row, o)
		}
		answer := q.AnswerText()
		if q.Type == Fill {
			answer = strings.Join(q.Accepted, "\n")
		}
		shuffle := ""
		if q.Type == Single || q.Type == Multiple {
			shuffle = "是"
			if q.KeepOrder {
				shuffle = "否"
			}
		}
		topic, source := q.Topic, q.Source
		if topic == b.Topic {
			topic = ""
		}
		if source == b.Source {
			source = ""
		}
		row = append(row, answer, q.Explanation, topic, q.Difficulty.String(), source, shuffle)
		rows = append(rows, row)
	}
	for i, row := range rows {
		for j, v := range row {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	last, _ := excelize.ColumnNumberToName(len(head))
	if err := f.SetCellStyle(sheet, "A1", "A4", bold); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow), fmt.Sprintf("%s%d", last, headerRow), bold); err != nil {
		return err
	}
	if len(b.Questions) > 0 {
		if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow+1), fmt.Sprintf("%s%d", last, headerRow+len(b.Questions)), wrap); err != nil {
			return err
		}
	}
	widths := map[string]float64{"A": 10, "B": 8, "C": 50}
	for col, w := range widths {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	first, _ := excelize.ColumnNumberToName(4)
	lastOpt, _ := excelize.ColumnNumberToName(3 + nopts)
	if err := f.SetColWidth(sheet, first, lastOpt, 20); err != nil {
		return err
	}
	expl, _ := excelize.ColumnNumberToName(5 + nopts)
	return f.SetColWidth(sheet, expl, expl, 40)
}
