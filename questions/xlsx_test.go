package questions_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"partyquiz/questions"
)

// sameQuestions reports how two banks' questions differ, or "".
func sameQuestions(t *testing.T, what string, want, got *questions.Bank) {
	t.Helper()
	if got.ID != want.ID || got.Title != want.Title || got.Topic != want.Topic || got.Source != want.Source {
		t.Errorf("%s: bank %q %q %q %q, want %q %q %q %q", what, got.ID, got.Title, got.Topic, got.Source, want.ID, want.Title, want.Topic, want.Source)
	}
	if len(got.Questions) != len(want.Questions) {
		t.Fatalf("%s: %d questions, want %d", what, len(got.Questions), len(want.Questions))
	}
	for i, w := range want.Questions {
		g := got.Questions[i]
		type fields struct {
			ID, Type, Text, Explanation, Source, Topic, Difficulty, Hash string
			Options, Accepted                                            []string
			Answer                                                       []int
			KeepOrder                                                    bool
		}
		f := func(q *questions.Question) fields {
			return fields{q.ID, string(q.Type), q.Text, q.Explanation, q.Source, q.Topic, q.Difficulty.String(), q.Hash(),
				q.Options, q.Accepted, q.Answer, q.KeepOrder}
		}
		if !reflect.DeepEqual(f(g), f(w)) {
			t.Errorf("%s: question %d differs\ngot  %+v\nwant %+v", what, i+1, f(g), f(w))
		}
	}
}

// TestXLSXRoundTrip: every built-in bank exported as .xlsx and imported
// again gives the same questions (ids, texts, options, answers,
// explanations, sources, topics, difficulties, order, hashes), and so does
// the TOML the import writes; all banks in one workbook come back as one
// bank per sheet.
func TestXLSXRoundTrip(t *testing.T) {
	c, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range c.Banks {
		data, err := questions.ExportXLSX(b)
		if err != nil {
			t.Fatalf("%s: %v", b.ID, err)
		}
		im := questions.ImportXLSX(b.ID+".xlsx", data)
		if len(im.Problems) > 0 {
			t.Fatalf("%s: problems:\n%v", b.ID, im.Problems)
		}
		if len(im.Banks) != 1 {
			t.Fatalf("%s: %d banks", b.ID, len(im.Banks))
		}
		sameQuestions(t, b.ID+" imported", b, im.Banks[0].Bank)
		f := questions.ParseFile(b.ID+".toml", im.Banks[0].TOML)
		if len(f.Problems) > 0 {
			t.Fatalf("%s: the TOML written has problems:\n%v\n%s", b.ID, f.Problems, im.Banks[0].TOML)
		}
		sameQuestions(t, b.ID+" as TOML", b, f.Bank)
		if im.Rows != len(b.Questions) || im.Questions != len(b.Questions) || im.Refused != 0 {
			t.Errorf("%s: rows %d, questions %d, refused %d", b.ID, im.Rows, im.Questions, im.Refused)
		}
	}
	data, err := questions.ExportXLSX(c.Banks...)
	if err != nil {
		t.Fatal(err)
	}
	im := questions.ImportXLSX("all.xlsx", data)
	if len(im.Problems) > 0 || len(im.Banks) != len(c.Banks) {
		t.Fatalf("all banks: %d banks, problems:\n%v", len(im.Banks), im.Problems)
	}
	for i, b := range c.Banks {
		sameQuestions(t, "all/"+b.ID, b, im.Banks[i].Bank)
	}
}

// TestEncodeBank: every built-in bank written as TOML reads back the same.
func TestEncodeBank(t *testing.T) {
	c, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	c2 := questions.Load("testdata/notes", "testdata/valid").Catalog
	for _, b := range append(c.Banks, c2.Banks...) {
		f := questions.ParseFile(b.ID+".toml", questions.EncodeBank(b, "注释\n第二行"))
		if len(f.Problems) > 0 {
			t.Fatalf("%s: %v", b.ID, f.Problems)
		}
		sameQuestions(t, b.ID, b, f.Bank)
	}
}

// sheet is a worksheet to write into a test workbook: its rows (cells by
// column) and its merged ranges ("C5:E5").
type sheet struct {
	name   string
	rows   [][]string
	merges []string
}

// book writes sheets as an .xlsx with excelize.
func book(t testing.TB, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, m := range s.merges {
			a, b, _ := strings.Cut(m, ":")
			if err := f.MergeCell(s.name, a, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importReport is what an import says: its summary, problems, notes, and
// the TOML of each bank.
func importReport(im *questions.Import) string {
	var b strings.Builder
	b.WriteString(im.Summary() + "\n")
	b.WriteString(report(im.Problems, im.Notes))
	for _, ib := range im.Banks {
		fmt.Fprintf(&b, "\n=== %s（工作表「%s」，%d 行）\n", ib.Bank.ID, ib.Sheet, ib.Rows)
		b.Write(ib.TOML)
	}
	return b.String()
}

// layouts are the sheets real banks arrive in, each a workbook the tests
// make, write to testdata/xlsx (with -update) and import, compared with
// its golden twin.
var layouts = map[string][]sheet{
	// Options in columns 选项A…, headers with notes and line breaks, every
	// spelling of types and answers.
	"columns": {{name: "题库", rows: [][]string{
		{"序号", "题型\n（必填）", "题干（必填）", "选项A", "选项B", "选项C", "选项D", "正确答案", "答案解析", "难度", "分值"},
		{"1", "单选题", "“三会一课”中的“一课”指的是什么？", "党课", "形势政策课", "业务培训课", "廉政教育课", "A", "一课即党课。", "易", "2"},
		{"2", "多选题", "“三会”包括哪些？", "支部党员大会", "支部委员会", "党小组会", "村民代表大会", "A,B,C", "", "中", "2"},
		{"3", "多项选择", "党员的权利包括哪些？", "参加党的有关会议", "行使表决权", "对党的工作提出建议", "", "A、B、C", "", "3", "2"},
		{"4", "多选", "党支部的基本任务有哪些？", "宣传党的主张", "组织党员学习", "做好群众工作", "", "ＡＢＣ", "", "", "2"},
		{"5", "判断题", "党小组会属于“三会”。", "", "", "", "", "√", "", "", "1"},
		{"6", "判断", "预备党员有表决权。", "", "", "", "", "×", "预备党员没有表决权。", "", "1"},
		{"7", "是非题", "党员应当按期交纳党费。", "", "", "", "", "正确", "", "", "1"},
		{"8", "判断题", "党费可以由他人代交而不必本人知情。", "", "", "", "", "F", "", "", "1"},
		{"9", "判断题", "“两学一做”是学党章党规、学系列讲话、做合格党员。", "", "", "", "", "是", "", "", "1"},
		{"10", "填空题", "月收入 3000 元以下（含 3000 元）的党员，交纳月收入的____。", "", "", "", "", "0.5%", "", "", "1"},
		{"11", "填空题", "“三会”是指____、____和____。", "", "", "", "", "支部党员大会|支部委员会|党小组会", "", "", "1"},
		{"12", "填空", "“三会一课”中的“一课”是____，“三会”中有____。", "", "", "", "", "党课；支部委员会", "", "", "1"},
		{"13", "填空题", "“一超两不愁三保障”中的“两不愁”是不愁吃、不愁____。", "", "", "", "", "穿\n穿衣", "", "", "1"},
	}}},
	// Title rows above the header, the bank's id, options in one cell.
	"onecell": {{name: "Sheet1", rows: [][]string{
		{"2026 年党章党规知识题库"},
		{"题库编号", "dangzhang-2026"},
		{"默认出处", "《中国共产党章程》"},
		{},
		{"类型", "试题内容", "选项", "标准答案", "解析", "知识点"},
		{"单项选择", "党的最高领导机关是什么？", "A．党的全国代表大会和它所产生的中央委员会\nB．中央政治局\nC．中央书记处", "A", "", "组织制度"},
		{"多项选择", "党的纪律包括哪些？", "政治纪律|组织纪律|廉洁纪律|群众纪律", "ABCD", "", "纪律"},
		{"单项选择", "党员的党龄从什么时候算起？", "A.递交入党申请书之日 B.支部大会通过之日 C.预备期满转为正式党员之日", "C", "", ""},
		{"是非题", "党员可以不参加组织生活。", "", "错", "", ""},
	}}},
	// One sheet per type, the type from the sheet's name, and an
	// instructions sheet that is not a bank.
	"sheets": {
		{name: "填写说明", rows: [][]string{{"请在后面的工作表中填写题目。"}, {"答案写字母。"}}},
		{name: "单选题", rows: [][]string{
			{"题目", "A", "B", "C", "答案"},
			{"党支部委员会一般多长时间召开一次？", "每周", "每月", "每季度", "B"},
			{"党员大会一般多长时间召开一次？", "每月", "每季度", "每半年", "B"},
		}},
		{name: "判断题", rows: [][]string{
			{"题目", "答案"},
			{"党课每季度至少一次。", "对"},
			{"党小组会属于“三会”。", "T"},
		}},
		{name: "重复", rows: [][]string{
			{"题目", "答案", "题型"},
			{"党课每季度至少一次", "对", "判断"},
		}},
	},
	// A 章节 column splits the sheet into banks; the 章节 and the 题型 of a
	// group are merged cells.
	"chapters": {{name: "党建知识", rows: [][]string{
		{"章节", "题型", "题干", "选项A", "选项B", "选项C", "答案"},
		{"第一章 组织生活", "单选", "“三会一课”中的“一课”指的是什么？", "党课", "形势政策课", "业务培训课", "A"},
		{"", "", "党小组会一般多长时间召开一次？", "每月", "每季度", "每年", "A"},
		{"", "判断", "党小组会属于“三会”。", "", "", "", "对"},
		{"第二章 精准扶贫", "判断", "“两不愁”是不愁吃、不愁穿。", "", "", "", "对"},
		{"", "", "“三保障”包括住房安全有保障。", "", "", "", "对"},
	}, merges: []string{"A2:A4", "B2:B3", "A5:A6", "B5:B6"}}},
	// Section rows instead of a 题型 column; options that refer to others;
	// an 打乱选项 column.
	"sections": {{name: "试卷", rows: [][]string{
		{"题干", "选项A", "选项B", "选项C", "选项D", "答案", "打乱选项"},
		{"一、单项选择题（每题 2 分）"},
		{"党员的义务包括哪些？", "认真学习", "贯彻执行党的基本路线", "坚持党和人民的利益高于一切", "以上都是", "D", ""},
		{"下列说法正确的是？", "党员可以不参加组织生活", "预备党员有表决权", "A和B都对", "A和B都不对", "D", ""},
		{"党费由谁交纳？", "党员本人", "所在单位", "家属", "", "A", "否"},
		{"二、判断题"},
		{"党员必须按期交纳党费。", "", "", "", "", "对", ""},
	}}},
}

// broken is a sheet with the mistakes real sheets have, each at its row.
var broken = []sheet{{name: "单选", rows: [][]string{
	{"题号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案"},
	{"1", "单选", "答案是空的。", "甲", "乙", "丙", "丁", ""},
	{"2", "单选", "答案字母超出了选项。", "甲", "乙", "", "", "C"},
	{"3", "单选", "", "甲", "乙", "丙", "丁", "A"},
	{"4", "问答", "题型不认识。", "", "", "", "", "为人民服务"},
	{"5", "单选", "选项合并了。", "甲", "乙", "丙", "", "A"},
	{"6", "单选", "单选题写了两个答案。", "甲", "乙", "丙", "丁", "AB"},
	{"7", "判断", "判断题的答案不对。", "", "", "", "", "可能"},
	{"7", "单选", "编号重复了。", "甲", "乙", "", "", "A"},
	{"9", "单选", "选项 B 空着。", "甲", "", "丙", "", "A"},
	{"10", "单选", "题干和下面一行合并了。", "甲", "乙", "", "", "B"},
	{},
	{"11", "单选", "这一行没有问题。", "甲", "乙", "", "", "B"},
}, merges: []string{"E6:F6", "C11:C12"}}}

// TestXLSXLayouts imports each layout and compares what it says — summary,
// problems and notes at their 工作表!行, and the TOML written — with
// testdata/xlsx/NAME.golden; the committed .xlsx is imported too and must
// say the same.
func TestXLSXLayouts(t *testing.T) {
	all := map[string][]sheet{"broken": broken}
	for k, v := range layouts {
		all[k] = v
	}
	for name, sheets := range all {
		t.Run(name, func(t *testing.T) {
			data := book(t, sheets...)
			file := filepath.Join("testdata", "xlsx", name+".xlsx")
			if *update {
				if err := os.WriteFile(file, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := importReport(questions.ImportXLSX(name+".xlsx", data))
			checkGolden(t, filepath.Join("testdata", "xlsx", name+".golden"), got)
			committed, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if again := importReport(questions.ImportXLSX(name+".xlsx", committed)); again != got {
				t.Errorf("the committed %s imports differently:\n%s", file, again)
			}
		})
	}
}

// TestLibreOffice: files saved by LibreOffice Calc 7 (not by excelize) are
// read the same way: a 党费 sheet typed as CSV and saved by LibreOffice
// (which made the rates number cells shown as 0.50%), compared with its
// golden; and the built-in 三会一课 bank exported, opened and saved again by
// LibreOffice, which still gives the same questions. The commands that made
// them are in testdata/xlsx/README.md.
func TestLibreOffice(t *testing.T) {
	data, err := os.ReadFile("testdata/xlsx/libreoffice-dangfei.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	im := questions.ImportXLSX("党费题库.xlsx", data)
	checkGolden(t, "testdata/xlsx/libreoffice-dangfei.golden", importReport(im))
	if len(im.Problems) > 0 || im.Questions != 8 {
		t.Fatalf("党费题库: %d questions, problems %v", im.Questions, im.Problems)
	}
	data, err = os.ReadFile("testdata/xlsx/libreoffice-sanhui.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	im = questions.ImportXLSX("三会一课.xlsx", data)
	if len(im.Problems) > 0 || len(im.Banks) != 1 {
		t.Fatalf("三会一课: %d banks, problems %v", len(im.Banks), im.Problems)
	}
	c, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sameQuestions(t, "三会一课 through LibreOffice", c.Bank("sanhui-yike"), im.Banks[0].Bank)
}

// TestXLSXNumberCells: a rate typed into a number cell is shown as the
// sheet shows it (0.5% in a 0.00% cell is "0.50%"); as a 填空 answer the
// form a member types, 0.5%, is accepted too — and 5% is not.
func TestXLSXNumberCells(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"题型", "题干", "选项A", "选项B", "答案"},
		{"单选", "月收入 3000 元以下的党员交纳多少？", 0.005, 0.015, "A"},
		{"填空", "月收入 3000 元以上至 5000 元的，交纳____。", nil, nil, 0.01},
	}
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
			if _, ok := v.(float64); ok {
				if err := f.SetCellStyle("Sheet1", cell, cell, pct); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	im := questions.ImportXLSX("rates.xlsx", buf.Bytes())
	if len(im.Problems) > 0 || len(im.Banks) != 1 {
		t.Fatalf("problems: %v", im.Problems)
	}
	qs := im.Banks[0].Bank.Questions
	if got := qs[0].Options; !reflect.DeepEqual(got, []string{"0.50%", "1.50%"}) {
		t.Errorf("options %q", got)
	}
	fill := qs[1]
	for typed, want := range map[string]bool{"1%": true, "1.00%": true, "１％": true, "10%": false, "0.1%": false, "1": false} {
		if got := fill.MatchFill(typed); got != want {
			t.Errorf("MatchFill(%q) = %v, want %v (accepted %q)", typed, got, want, fill.Accepted)
		}
	}
}

// FuzzImportXLSX: no workbook makes the importer panic or allocate more
// than the budget of TestXLSXBounded; every row read is either a question
// or refused with a problem; and a workbook without problems gives banks
// whose TOML reads back to the same questions.
func FuzzImportXLSX(f *testing.F) {
	for _, sheets := range layouts {
		f.Add(book(f, sheets...))
	}
	f.Add(book(f, broken...))
	for _, name := range []string{"testdata/xlsx/libreoffice-dangfei.xlsx", "testdata/xlsx/libreoffice-sanhui.xlsx"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var im *questions.Import
		allocBounded(t, func() { im = questions.ImportXLSX("fuzz.xlsx", data) })
		if im.Rows != im.Questions+im.Refused {
			t.Fatalf("rows %d ≠ questions %d + refused %d", im.Rows, im.Questions, im.Refused)
		}
		if im.Refused > 0 && len(im.Problems) == 0 {
			t.Fatalf("%d rows refused without a problem", im.Refused)
		}
		if len(im.Problems) > 0 {
			return
		}
		for _, ib := range im.Banks {
			file := questions.ParseFile("fuzz.toml", ib.TOML)
			if len(file.Problems) > 0 {
				t.Fatalf("the TOML of a clean import has problems: %v\n%s", file.Problems, ib.TOML)
			}
			if len(file.Bank.Questions) != len(ib.Bank.Questions) {
				t.Fatalf("%d questions in the TOML, %d imported", len(file.Bank.Questions), len(ib.Bank.Questions))
			}
		}
	})
}

// rawBook writes a minimal workbook whose one sheet's XML is sheetXML; the
// zip entry of the sheet declares size bytes when size is not 0 (a crafted
// header).
func rawBook(t testing.TB, sheetXML []byte, size uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="题库" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	if size == 0 {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(sheetXML)
	} else {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store,
			CompressedSize64: uint64(len(sheetXML)), UncompressedSize64: size, CRC32: 0})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(sheetXML)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheetXML is a worksheet's XML: a header row 题干 | 答案 when header,
// then the rows rows made by row(n) for n from 2.
func sheetXML(header bool, rows int, row func(n int) string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	if header {
		b.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>题干</t></is></c><c r="B1" t="inlineStr"><is><t>答案</t></is></c></row>`)
	}
	for n := 2; n < rows+2; n++ {
		b.WriteString(row(n))
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.Bytes()
}

// TestXLSXBounded: crafted workbooks are refused with a problem, having
// read only a bounded part of them — a sheet whose zip entry claims a
// terabyte, a sheet that really unzips past the limit, more rows than
// allowed, rows as wide as Excel allows, a lone row at the bottom of the
// sheet — and reading each allocates less than a fixed budget.
func TestXLSXBounded(t *testing.T) {
	question := func(n int) string {
		return fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>第 %d 题：党小组会属于“三会”。</t></is></c><c r="B%d" t="inlineStr"><is><t>对</t></is></c></row>`, n, n, n, n)
	}
	wide := func(n int) string {
		return fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>宽</t></is></c><c r="XFD%d" t="inlineStr"><is><t>对</t></is></c></row>`, n, n, n)
	}
	tests := []struct {
		name string
		data func() []byte
		want string
	}{
		{"a terabyte claimed", func() []byte { return rawBook(t, sheetXML(true, 10, question), 1<<40) }, "解压后太大"},
		{"past the unzip limit", func() []byte {
			long := strings.Repeat("党", 30000)
			return rawBook(t, sheetXML(true, 800, func(n int) string {
				return fmt.Sprintf(`<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>`, n, n, long)
			}), 0)
		}, "解压后太大"},
		{"too many rows", func() []byte { return rawBook(t, sheetXML(true, 30000, question), 0) }, "最多 20000 行题目"},
		{"too wide", func() []byte { return rawBook(t, sheetXML(true, 2000, wide), 0) }, "单元格超过"},
		{"a row at the bottom", func() []byte {
			return rawBook(t, sheetXML(true, 1, func(int) string { return question(1048576) }), 0)
		}, "最多读 100000 行"},
		{"too big a file", func() []byte { return make([]byte, questions.MaxXLSXSize+1) }, "文件太大"},
		{"not a zip", func() []byte { return []byte("PK\x03\x04 not really") }, "打不开"},
		{"an old .xls", func() []byte { return []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0} }, ".xls"},
	}
	for _, tt := range tests {
		data := tt.data()
		if len(data) > questions.MaxXLSXSize && tt.name != "too big a file" {
			t.Fatalf("%s: the crafted file is %d bytes, past the size limit", tt.name, len(data))
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		im := questions.ImportXLSX(tt.name+".xlsx", data)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		var msgs []string
		for _, p := range im.Problems {
			msgs = append(msgs, p.String())
		}
		if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
			t.Errorf("%s: want a problem with %q, got %q", tt.name, tt.want, msgs)
		}
		t.Logf("%s: %d bytes, %.1f MB allocated, %d rows read", tt.name, len(data), float64(alloc)/(1<<20), im.Rows)
		budget := uint64(256 << 20)
		if raceEnabled {
			budget *= 4
		}
		if alloc > budget {
			t.Errorf("%s: %.0f MB allocated, more than %d MB", tt.name, float64(alloc)/(1<<20), budget>>20)
		}
	}
}
