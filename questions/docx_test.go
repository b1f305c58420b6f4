package questions_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"partyquiz/questions"
)

// docx writes paragraphs as a minimal Word document; a tab in a paragraph
// is a <w:tab/>, a line feed a <w:br/>.
func docx(t testing.TB, paras []string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		body.WriteString("<w:p><w:r>")
		for i, line := range strings.Split(p, "\n") {
			if i > 0 {
				body.WriteString("<w:br/>")
			}
			for j, part := range strings.Split(line, "\t") {
				if j > 0 {
					body.WriteString("<w:tab/>")
				}
				body.WriteString(`<w:t xml:space="preserve">`)
				xml.EscapeText(&body, []byte(part))
				body.WriteString("</w:t>")
			}
		}
		body.WriteString("</w:r></w:p>")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct{ name, text string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`},
	} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.text))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// paper is a 党章 test paper in the common form: sections, numbered
// questions, options on their own lines, on one line with tabs or inline,
// 答案 and 解析 after them (one question forgets its answer).
var paper = []string{
	"党章知识测试卷（2026 年第一季度）",
	"一、单项选择题",
	"1．党的最高领导机关是（ ）。",
	"A．党的全国代表大会和它所产生的中央委员会\tB．中央政治局\tC．中央书记处",
	"答案：A",
	"解析：党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。",
	"2．党员的义务包括（ ）。",
	"A．认真学习\nB．贯彻执行党的基本路线\nC．以上都是",
	"答案：C",
	"3．预备党员的预备期为（ ）。A．半年 B．一年 C．两年 答案：B 解析：预备党员的预备期为一年。",
	"二、多项选择题",
	"1．党的纪律包括（ ）。",
	"A．政治纪律\tB．组织纪律\tC．廉洁纪律\tD．群众纪律",
	"答案：ABCD",
	"2．这道题漏了答案（ ）。",
	"A．甲\tB．乙\tC．丙",
	"三、判断题",
	"1．党员可以不参加党的组织生活。",
	"答案：×",
	"四、填空题",
	"1．月收入 3000 元以下（含 3000 元）的党员，每月交纳月收入的____。",
	"答案：0.5%",
}

// TestDocx: a Word paper becomes one bank — sections give the types,
// options are found on their own lines, on one line or inline, letters
// stripped, 答案 and 解析 read, a question whose options refer to others
// kept in order — and a question without an answer is a problem at its
// paragraph; compared with testdata/docx/paper.golden.
func TestDocx(t *testing.T) {
	data := docx(t, paper)
	if *update {
		if err := os.WriteFile("testdata/docx/paper.docx", data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The paper without the question that has no answer, for the bot's tests.
	var good []string
	for _, p := range paper {
		if !strings.Contains(p, "漏了答案") && p != "A．甲\tB．乙\tC．丙" {
			good = append(good, p)
		}
	}
	goodData := docx(t, good)
	if *update {
		if err := os.WriteFile("testdata/docx/good.docx", goodData, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if im := questions.ImportFile("good.docx", goodData); len(im.Problems) > 0 || im.Questions != 6 {
		t.Errorf("good paper: %d questions, problems %v", im.Questions, im.Problems)
	}
	im := questions.ImportFile("paper.docx", data)
	checkGolden(t, "testdata/docx/paper.golden", importReport(im))
	if im.Questions != 6 || im.Refused != 1 || len(im.Problems) != 1 || !strings.Contains(im.Problems[0].String(), "paper.docx:17: 第 2 题：没有找到答案") {
		t.Errorf("questions %d, refused %d, problems %v", im.Questions, im.Refused, im.Problems)
	}
	committed, err := os.ReadFile("testdata/docx/paper.docx")
	if err != nil {
		t.Fatal(err)
	}
	if again := importReport(questions.ImportFile("paper.docx", committed)); again != importReport(im) {
		t.Errorf("the committed paper.docx imports differently:\n%s", again)
	}
	// The same paper typed as text and saved as .docx by LibreOffice Writer
	// (testdata/docx/README.md) reads the same.
	lo, err := os.ReadFile("testdata/docx/libreoffice-paper.docx")
	if err != nil {
		t.Fatal(err)
	}
	if got := importReport(questions.ImportFile("paper.docx", lo)); got != importReport(im) {
		t.Errorf("the LibreOffice paper imports differently:\n%s", got)
	}
	for _, bad := range [][]byte{nil, []byte("PK\x03\x04"), book(t, sheet{name: "x", rows: [][]string{{"题干", "答案"}}})} {
		im := questions.ImportDOCX("bad.docx", bad)
		if len(im.Problems) == 0 || im.Questions != 0 {
			t.Errorf("%q: %v", bad[:min(len(bad), 8)], im.Problems)
		}
	}
}

// FuzzImportDOCX: no paper makes the importer panic or allocate more than
// the budget of TestXLSXBounded, and every question read is either made or
// refused.
func FuzzImportDOCX(f *testing.F) {
	f.Add(docx(f, paper))
	f.Fuzz(func(t *testing.T, data []byte) {
		var im *questions.Import
		allocBounded(t, func() { im = questions.ImportDOCX("fuzz.docx", data) })
		if im.Rows != im.Questions+im.Refused {
			t.Fatalf("rows %d ≠ questions %d + refused %d", im.Rows, im.Questions, im.Refused)
		}
	})
}
