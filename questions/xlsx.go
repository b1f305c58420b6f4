package questions

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
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

// --- merged cells -------------------------------------------------------

// --- export ---------------------------------------------------------------
