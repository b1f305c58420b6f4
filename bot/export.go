package bot

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"partyquiz/quiz"
)

// The export (/export, and the dashboard's download) is a report, not a
// dump: a workbook of one sheet per view — the members' year (党员成绩),
// the sub-nodes' figures (下级组织, quiz.Figures under their one label
// each), where the points come from (积分明细) — each with a title row
// (node, period, when made), a bold frozen header, columns as wide as
// their Chinese text, numbers as numbers, and printable on A4 landscape,
// fit to the page's width, the title and header repeated on every page.
//
// Each sheet's columns are listed in one place (memberColumns,
// nodeColumns, entryColumns): a new column is one more entry there.

// column is one column of a sheet: its header, its cell for a row, and
// how the cell is shown.
type column[T any] struct {
	head string
	cell func(T) any
	kind cellKind
}

// cellKind is how a column's cells are shown.
type cellKind int

const (
	textCell    cellKind = iota
	intCell              // 85
	decimalCell          // a mean with one decimal: 73.3
	pointsCell           // points as they are: 8.5, 2
	percentCell          // a 0–1 rate as 87.5%
	dateCell             // 2026年11月10日
)

// nodeFigures is one row of the sub-nodes' sheet: a node's figures for the
// year; total marks the node the export is of.
type nodeFigures struct {
	quiz.Figures
	total bool
}

// exportEntry is one row of the points' sheet.
type exportEntry struct {
	row   *quiz.ExportRow
	entry quiz.Entry
}

// maxEntryRows bounds the points' sheet (Excel holds about a million rows;
// a sheet that long is read by nobody): past it the sheet says to export
// a smaller node.
const maxEntryRows = 200_000

// spreadsheet writes the export of node as .xlsx: rows are its members
// (quiz.Service.Export); the sub-nodes' figures are asked of the engine
// for v.
func (b *Bot) spreadsheet(ctx context.Context, v quiz.Viewer, node string, rows []quiz.ExportRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newSheetStyles(f)
	if err != nil {
		return nil, err
	}
	now := b.svc.Now()
	tree := b.svc.Tree()
	year := b.svc.Cal.Year(now)
	title := func(view string) string {
		return fmt.Sprintf(txtXlsxTitle, tree.Path(node), PeriodName(year), view, b.dateTime(now))
	}

	figures, err := b.nodeFigures(ctx, v, node, year)
	if err != nil {
		return nil, err
	}
	var entries []exportEntry
	for i := range rows {
		for _, e := range rows[i].Entries {
			entries = append(entries, exportEntry{&rows[i], e})
		}
	}
	entryTitle := title(txtXlsxSheetPoints)
	if len(entries) > maxEntryRows {
		entryTitle, entries = fmt.Sprintf(txtXlsxTooManyEntries, len(entries)), nil
	}

	if err := f.SetSheetName("Sheet1", txtXlsxSheetMembers); err != nil {
		return nil, err
	}
	if err := writeSheet(f, st, txtXlsxSheetMembers, title(txtXlsxSheetMembers), b.memberColumns(now), rows); err != nil {
		return nil, err
	}
	if err := writeSheet(f, st, txtXlsxSheetNodes, title(txtXlsxSheetNodes), b.nodeColumns(), figures); err != nil {
		return nil, err
	}
	if err := writeSheet(f, st, txtXlsxSheetPoints, entryTitle, b.entryColumns(), entries); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// memberColumns are the members' sheet's columns: one row per member, the
// year's months and tests, points (and of them, the contests'), stars,
// rank and the 答题过快 flags.
func (b *Bot) memberColumns(now time.Time) []column[quiz.ExportRow] {
	tree := b.svc.Tree()
	year := b.svc.Cal.Year(now)
	months, quarters := year.Months(b.svc.Cal), year.Quarters(b.svc.Cal)
	cols := []column[quiz.ExportRow]{
		{head: txtXlsxName, cell: func(r quiz.ExportRow) any { return r.User.Name }},
		{head: txtXlsxBranch, cell: func(r quiz.ExportRow) any { return tree.Path(r.Branch) }},
	}
	for j := range months {
		p := months[j]
		cols = append(cols, column[quiz.ExportRow]{head: fmt.Sprintf(txtXlsxMonth, p.N), cell: func(r quiz.ExportRow) any {
			// A month the member could not take part in (it ended before
			// they joined) is 未加入, not 未完成: the same rule as every
			// figure's.
			m := r.Months[j]
			switch {
			case m.StudyDone && m.Makeup:
				return txtXlsxMakeup
			case m.StudyDone:
				return txtXlsxDone
			case !p.End.After(r.User.Joined):
				return txtXlsxNotJoined
			case p.Start.After(now):
				return ""
			}
			return txtXlsxNotDone
		}})
	}
	for j := range quarters {
		p := quarters[j]
		start, end := b.svc.Rules.TestWindowOf(b.svc.Cal, p)
		cols = append(cols, column[quiz.ExportRow]{head: fmt.Sprintf(txtXlsxQuarter, quarterName(p.N)), kind: intCell, cell: func(r quiz.ExportRow) any {
			q := r.Quarters[j]
			switch {
			case q.Tested:
				return q.TestScore
			case !p.End.After(r.User.Joined):
				return txtXlsxNotJoined
			case start.After(now):
				return ""
			case now.Before(end): // still open: not missed yet
				return txtXlsxTestDue
			}
			return txtXlsxNotTested
		}})
	}
	return append(cols,
		column[quiz.ExportRow]{head: txtXlsxPoints, kind: pointsCell, cell: func(r quiz.ExportRow) any { return r.Points.Float() }},
		column[quiz.ExportRow]{head: txtXlsxStars, kind: intCell, cell: func(r quiz.ExportRow) any { return r.Stars }},
		column[quiz.ExportRow]{head: txtXlsxRank, kind: intCell, cell: func(r quiz.ExportRow) any { return r.Rank }},
		column[quiz.ExportRow]{head: txtExportContest, kind: pointsCell, cell: func(r quiz.ExportRow) any { return r.Contest.Float() }},
		column[quiz.ExportRow]{head: txtXlsxFlagged, cell: func(r quiz.ExportRow) any { return flaggedText(r, months, quarters) }},
	)
}

// flaggedText lists the months and tests a member answered implausibly
// fast ("11月学习、第四季度测试"), "" for none.
func flaggedText(r quiz.ExportRow, months, quarters []quiz.Period) string {
	var out []string
	for j, m := range r.Months {
		if m.Flagged {
			out = append(out, fmt.Sprintf(txtXlsxMonth, months[j].N))
		}
	}
	for j, q := range r.Quarters {
		if q.Flagged {
			out = append(out, fmt.Sprintf(txtXlsxQuarter, quarterName(quarters[j].N)))
		}
	}
	return strings.Join(out, "、")
}

func quarterName(n int) string { return []string{"一", "二", "三", "四"}[(n-1)%4] }

// nodeFigures are the year's figures of node's children and of node
// itself (the total), or of node alone when it is a branch.
func (b *Bot) nodeFigures(ctx context.Context, v quiz.Viewer, node string, year quiz.Period) ([]nodeFigures, error) {
	var out []nodeFigures
	for _, c := range b.svc.Tree().Children(node) {
		fig, err := b.svc.PeriodFigures(ctx, v, c, year)
		if err != nil {
			return nil, err
		}
		out = append(out, nodeFigures{Figures: fig})
	}
	fig, err := b.svc.PeriodFigures(ctx, v, node, year)
	if err != nil {
		return nil, err
	}
	return append(out, nodeFigures{Figures: fig, total: len(out) > 0}), nil
}

// nodeColumns are the sub-nodes' sheet's columns: quiz.Figures, each under
// the label it has everywhere.
func (b *Bot) nodeColumns() []column[nodeFigures] {
	tree := b.svc.Tree()
	num := func(f float64) any {
		if math.IsNaN(f) {
			return "—" // nothing was owed
		}
		return f
	}
	return []column[nodeFigures]{
		{head: txtXlsxNode, cell: func(r nodeFigures) any {
			if r.total {
				return fmt.Sprintf(txtXlsxTotal, tree.Name(r.Node))
			}
			return tree.Name(r.Node)
		}},
		{head: txtXlsxMembers, kind: intCell, cell: func(r nodeFigures) any { return r.Members }},
		{head: txtXlsxStudyRate, kind: percentCell, cell: func(r nodeFigures) any { return num(r.StudyRate()) }},
		{head: txtXlsxTaken, kind: intCell, cell: func(r nodeFigures) any { return r.Stats.TestTaken }},
		{head: txtXlsxDue, kind: intCell, cell: func(r nodeFigures) any { return r.TestDue }},
		{head: txtXlsxTakenMean, kind: decimalCell, cell: func(r nodeFigures) any { return num(r.TakenMean()) }},
		{head: txtXlsxDueMean, kind: decimalCell, cell: func(r nodeFigures) any { return num(r.DueMean()) }},
		{head: txtXlsxPassRate, kind: percentCell, cell: func(r nodeFigures) any { return num(r.PassRate()) }},
	}
}

// entryColumns are the points' sheet's columns: every ledger entry of the
// year, with its reason.
func (b *Bot) entryColumns() []column[exportEntry] {
	tree := b.svc.Tree()
	loc := b.svc.Cal.Loc
	return []column[exportEntry]{
		{head: txtXlsxDate, kind: dateCell, cell: func(e exportEntry) any {
			t := time.Unix(e.entry.At, 0).In(loc)
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) // the day as the member lived it
		}},
		{head: txtXlsxName, cell: func(e exportEntry) any { return e.row.User.Name }},
		{head: txtXlsxBranch, cell: func(e exportEntry) any { return tree.Path(e.row.Branch) }},
		{head: txtXlsxAmount, kind: pointsCell, cell: func(e exportEntry) any { return e.entry.Amount.Float() }},
		{head: txtXlsxReason, cell: func(e exportEntry) any { return b.entryText(e.entry) }},
	}
}

// sheetStyles are the workbook's styles.
type sheetStyles struct {
	title, head int
	cell        map[cellKind]int
}

func newSheetStyles(f *excelize.File) (*sheetStyles, error) {
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	st := &sheetStyles{cell: map[cellKind]int{}}
	var err error
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Vertical: "center"}}); err != nil {
		return nil, err
	}
	if st.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}); err != nil {
		return nil, err
	}
	formats := map[cellKind]string{textCell: "@", intCell: "0", decimalCell: "0.0", pointsCell: "General", percentCell: "0.0%", dateCell: `yyyy"年"m"月"d"日"`}
	for k, fmtCode := range formats {
		code := fmtCode
		align := "center"
		if k == textCell {
			align = "left"
		}
		if st.cell[k], err = f.NewStyle(&excelize.Style{Border: border, CustomNumFmt: &code,
			Alignment: &excelize.Alignment{Horizontal: align, Vertical: "center"}}); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// writeSheet writes one view: the title row (merged over the columns),
// the header, a row per item; frozen under the header and right of the
// first column, columns as wide as their text, A4 landscape fit to width
// with the first two rows on every page.
func writeSheet[T any](f *excelize.File, st *sheetStyles, sheet, title string, cols []column[T], items []T) error {
	idx, err := f.GetSheetIndex(sheet)
	if err != nil {
		return err
	}
	if idx < 0 {
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
	}
	// Page setup before streaming: the stream writer keeps it.
	size, landscape, wide, tall, fit := 9, "landscape", 1, 0, true // 9: A4
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(len(cols))
	if err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$2", sheet), Scope: sheet}); err != nil {
		return err
	}

	// Every cell first, for the widths.
	cells := make([][]any, len(items))
	widths := make([]int, len(cols))
	for j, c := range cols {
		widths[j] = textWidth(c.head)
	}
	for i, it := range items {
		cells[i] = make([]any, len(cols))
		for j, c := range cols {
			v := c.cell(it)
			cells[i][j] = v
			widths[j] = max(widths[j], textWidth(shownAs(v, c.kind)))
		}
	}

	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for j, w := range widths {
		if err := sw.SetColWidth(j+1, j+1, float64(min(max(w+2, 6), 50))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 1, YSplit: 2, TopLeftCell: "B3", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 28}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", last+"1"); err != nil {
		return err
	}
	head := make([]any, len(cols))
	for j, c := range cols {
		head[j] = excelize.Cell{StyleID: st.head, Value: c.head}
	}
	if err := sw.SetRow("A2", head, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	for i, row := range cells {
		out := make([]any, len(row))
		for j, v := range row {
			kind := cols[j].kind
			if _, isText := v.(string); isText {
				kind = textCell // 未加入, "—" and blanks in a numbers' column
			}
			out[j] = excelize.Cell{StyleID: st.cell[kind], Value: v}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+3)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, out); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// shownAs is roughly how a cell reads, for its column's width.
func shownAs(v any, kind cellKind) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if kind == percentCell {
			return fmt.Sprintf("%.1f%%", 100*x)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return "2026年12月31日"
	}
	return fmt.Sprint(v)
}

// textWidth is a text's width in spreadsheet columns: a Chinese character
// takes two.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r > 0x2E80 || unicode.Is(unicode.Han, r) {
			w += 2
		} else {
			w++
		}
	}
	return w
}
