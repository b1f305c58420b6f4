package questions_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"partyquiz/questions"
)

// writeBanks generates n banks of m questions each (all four types, with
// explanations and sources of realistic length) into dir. Every question
// is its own (its stem names its bank and number): the banks are not
// copies of one another.
func writeBanks(tb testing.TB, dir string, n, m int) {
	tb.Helper()
	for b := 0; b < n; b++ {
		var s strings.Builder
		fmt.Fprintf(&s, "id = \"bank-%03d\"\ntitle = \"第 %d 套题库\"\ntopic = \"基层党建\"\nsource = \"《中国共产党支部工作条例（试行）》\"\n\n", b, b+1)
		for q := 0; q < m; q++ {
			fmt.Fprintf(&s, "[[question]]\nid = \"%04d\"\n", q)
			text := strings.Repeat("“三会一课”是党的组织生活的基本制度，", 3)
			expl := strings.Repeat("支部党员大会、支部委员会、党小组会和党课，是党支部经常性的组织生活。", 3)
			switch q % 4 {
			case 0:
				fmt.Fprintf(&s, "type = \"单选\"\ntext = \"%s第 %d 套第 %d 题?\"\noptions = [\"支部党员大会\", \"党支部委员会\", \"党小组会\", \"村民代表大会\"]\nanswer = \"D\"\n", text, b, q)
			case 1:
				fmt.Fprintf(&s, "type = \"多选\"\ntext = \"%s第 %d 套第 %d 题?\"\noptions = [\"支部党员大会\", \"党支部委员会\", \"党小组会\", \"村民代表大会\"]\nanswer = \"ABC\"\n", text, b, q)
			case 2:
				fmt.Fprintf(&s, "type = \"判断\"\ntext = \"%s第 %d 套第 %d 题。\"\nanswer = \"对\"\n", text, b, q)
			case 3:
				fmt.Fprintf(&s, "type = \"填空\"\ntext = \"%s第 %d 套第 %d 题：____。\"\nanswer = [\"三会一课\", \"三会 一课\"]\n", text, b, q)
			}
			fmt.Fprintf(&s, "explanation = \"\"\"\n%s\n\"\"\"\ndifficulty = \"中\"\n\n", expl)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bank-%03d.toml", b)), []byte(s.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkLoad150x200 loads and validates 150 banks of 200 questions from
// disk, as `partyquiz validate` does on a folder of the city's 150 sets.
func BenchmarkLoad150x200(b *testing.B) {
	dir := b.TempDir()
	writeBanks(b, dir, 150, 200)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set := questions.Load(dir)
		if len(set.Problems) > 0 || set.Catalog.Count() != 150*200 || len(set.Notes) > 0 {
			b.Fatalf("problems: %v, notes: %d", set.Problems, len(set.Notes))
		}
	}
}

// sheet5000 is a workbook of 5,000 questions in the layout of an exam
// platform's export: 2,000 单选, 1,500 多选, 1,000 判断 and 500 填空, with
// explanations, in one sheet with options in columns and a 章节 column
// that splits it into 25 banks of 200 (one bank of 5,000 would pass the
// 1 MB a bank file may have).
func sheet5000(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	head := []any{"序号", "章节", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度"}
	if err := sw.SetRow("A1", head); err != nil {
		tb.Fatal(err)
	}
	expl := strings.Repeat("支部党员大会、支部委员会、党小组会和党课，是党支部经常性的组织生活。", 2)
	for i := 0; i < 5000; i++ {
		text := fmt.Sprintf("“三会一课”是党的组织生活的基本制度，第 %d 题问的是哪一项？", i+1)
		chapter := fmt.Sprintf("第 %d 章", i%25+1)
		var row []any
		switch {
		case i < 2000:
			row = []any{i + 1, chapter, "单选题", text, "支部党员大会", "党支部委员会", "党小组会", "村民代表大会", "D", expl, "中"}
		case i < 3500:
			row = []any{i + 1, chapter, "多选题", text, "支部党员大会", "党支部委员会", "党小组会", "村民代表大会", "ABC", expl, "难"}
		case i < 4500:
			row = []any{i + 1, chapter, "判断题", text, "", "", "", "", "对", expl, "易"}
		default:
			row = []any{i + 1, chapter, "填空题", fmt.Sprintf("第 %d 题：“三会一课”中的“一课”是____。", i+1), "", "", "", "", "党课", expl, "易"}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImportXLSX5000 imports a 5,000-row sheet (ImportXLSX: reading,
// checking every row, writing the bank's TOML), as an admin's upload or
// `partyquiz import` does.
func BenchmarkImportXLSX5000(b *testing.B) {
	data := sheet5000(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		im := questions.ImportXLSX("5000.xlsx", data)
		if len(im.Problems) > 0 || im.Questions != 5000 || len(im.Banks) != 25 {
			b.Fatalf("%d questions, problems %v", im.Questions, im.Problems[:min(3, len(im.Problems))])
		}
	}
}
