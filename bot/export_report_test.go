package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// exportOf sends /export (with args) and opens the document it gets.
func (e *env) exportOf(u *telegramtest.User, args string) (telegramtest.Message, *excelize.File) {
	e.t.Helper()
	seq := u.Seq()
	u.SendText(strings.TrimSpace("/export " + args))
	doc, err := u.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return m.Document != nil })
	if err != nil {
		e.t.Fatalf("no export: %v\n%s", err, transcript(u))
	}
	checkClean(e.t, doc)
	f, err := excelize.OpenReader(bytes.NewReader(doc.Document.Data))
	if err != nil {
		e.t.Fatalf("the export does not open: %v", err)
	}
	e.t.Cleanup(func() { f.Close() })
	return doc, f
}

// TestExportIsAReport: the .xlsx reads like a report — a sheet per view,
// a title row (node, period, when made), a bold frozen header, widths that
// fit Chinese text, numbers as numbers, 未加入 apart from 未完成, the
// 答题过快 flags, A4 landscape fit to width — and its caption says what it
// is.
func TestExportIsAReport(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 12, 3, 10, 0))
	e.member(1001, "快手", "qingshan")
	e.member(1002, "党员乙", "qingshan")
	e.member(1003, "党员丙", "laowaping")
	admin := e.srv.NewUser(adminID, "组织部")
	e.engineStudy(1001, true, 0) // implausibly fast: flagged
	e.engineTest(1001, 20)
	v, err := e.svc.Viewer(context.Background(), adminID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Correct(context.Background(), v, 1002, quiz.PointsOf(2), "组织部调整：参加党史知识竞赛获奖", "t1"); err != nil {
		t.Fatal(err)
	}

	doc, f := e.exportOf(admin, "dasha")
	for _, want := range []string{"大沙镇党委", "2026年", "学习测试报表", "2 名党员", "党员成绩", "组织统计", "积分明细", "12月3日"} {
		if !strings.Contains(doc.Caption, want) {
			t.Errorf("the caption lacks %q: %s", want, doc.Caption)
		}
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "党员成绩,组织统计,积分明细" {
		t.Fatalf("sheets: %s", got)
	}

	// The members' sheet.
	const members = "党员成绩"
	title, _ := f.GetCellValue(members, "A1")
	for _, want := range []string{"大沙镇党委", "2026年", "12月3日"} {
		if !strings.Contains(title, want) {
			t.Errorf("title %q lacks %q", title, want)
		}
	}
	if merged, _ := f.GetMergeCells(members); len(merged) == 0 || merged[0].GetStartAxis() != "A1" {
		t.Errorf("the title is not merged over the columns: %v", merged)
	}
	rows, _ := f.GetRows(members)
	head := rows[1]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %q", name, head)
		return -1
	}
	styleID, _ := f.GetCellStyle(members, "A2")
	if st, err := f.GetStyle(styleID); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("the header is not bold: %+v %v", st, err)
	}
	if p, err := f.GetPanes(members); err != nil || !p.Freeze || p.YSplit != 2 {
		t.Errorf("the header is not frozen: %+v %v", p, err)
	}
	branchCol, _ := excelize.ColumnNumberToName(col("所在党支部") + 1)
	if w, _ := f.GetColWidth(members, branchCol); w < float64(2*len([]rune("第一片区 / 大沙镇党委 / 青山村党支部"))-10) {
		t.Errorf("所在党支部 is %.0f wide: too narrow for its Chinese text", w)
	}
	var fast []string
	for _, r := range rows[2:] {
		if r[0] == "快手" {
			fast = r
		}
	}
	if fast == nil {
		t.Fatalf("快手 is not in the export: %q", rows)
	}
	if !strings.Contains(fast[col("答题过快（请核实）")], "12月学习") {
		t.Errorf("the flag is not in the export: %q", fast)
	}
	// Numbers are numbers.
	for _, c := range []string{"第四季度测试", "全年积分", "星级", "支部排名"} {
		axis, _ := excelize.CoordinatesToCellName(col(c)+1, 3)
		if typ, _ := f.GetCellType(members, axis); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s is not a number: %v", c, typ)
		}
	}
	// Printing: A4 landscape, fit to one page wide, title and header on
	// every page.
	for _, sheet := range f.GetSheetList() {
		pl, err := f.GetPageLayout(sheet)
		if err != nil || pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" ||
			pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s does not print on A4 landscape fit to width: %+v %v", sheet, pl, err)
		}
		props, _ := f.GetSheetProps(sheet)
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: fit to page is off", sheet)
		}
	}
	titles := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == members {
			titles = true
		}
	}
	if !titles {
		t.Errorf("the title and header are not printed on every page")
	}

	// The nodes' sheet: each child with its figures, and the total.
	nodes, _ := f.GetRows("组织统计")
	if len(nodes) != 4 || nodes[1][0] != "组织" || nodes[2][0] != "青山村党支部" || !strings.Contains(nodes[3][0], "合计") {
		t.Errorf("组织统计: %q", nodes)
	}
	if typ, _ := f.GetCellType("组织统计", "C3"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("学习完成率 is not a number: %v", typ)
	}

	// The points' sheet: the correction with its reason.
	points, _ := f.GetRows("积分明细")
	found := false
	for _, r := range points[2:] {
		if r[1] == "党员乙" && strings.Contains(r[4], "参加党史知识竞赛获奖") && r[3] == "2" {
			found = true
		}
	}
	if !found {
		t.Errorf("the correction is not in 积分明细: %q", points)
	}
}

// TestExportJoinedLate: a member who joined in October reads 未加入 for
// the months and tests before, 未完成 for what they missed and 待参加 for
// the test still open (its last day); one who joined in August reads
// 未参加 for the third quarter's test, closed.
func TestExportJoinedLate(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 8, 8, 10, 0))
	e.member(1001, "党员乙", "qingshan")
	e.clock.Set(at(2026, 10, 8, 10, 0))
	e.member(1002, "党员甲", "qingshan")
	admin := e.srv.NewUser(adminID, "组织部")
	e.clock.Set(at(2026, 12, 31, 20, 0))
	_, f := e.exportOf(admin, "qingshan")
	rows, _ := f.GetRows("党员成绩")
	byName := map[string][]string{}
	for _, r := range rows[2:] {
		byName[r[0]] = r
	}
	if r := byName["党员甲"]; len(r) < 18 || r[10] != "未加入" || r[11] != "未完成" || r[16] != "未加入" || r[17] != "待参加" {
		t.Errorf("a late joiner's row: %q", r)
	}
	if r := byName["党员乙"]; len(r) < 18 || r[16] != "未参加" || r[17] != "待参加" {
		t.Errorf("an August joiner's row: %q", r)
	}
}
