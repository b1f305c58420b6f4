package questions_test

import (
	"archive/zip"
	"bytes"
	"runtime"
	"strings"
	"testing"

	"partyquiz/questions"
)

// partsBook is a minimal workbook like rawBook's, with extra parts
// (name → body) added, e.g. a styles.xml or a sharedStrings.xml.
func partsBook(t testing.TB, sheet []byte, extra map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="题库" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	write := func(name string, body []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	for _, p := range parts {
		write(p.name, []byte(p.body))
	}
	write("xl/worksheets/sheet1.xml", sheet)
	for name, body := range extra {
		write(name, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXPartsBounded: excelize decodes some parts of a workbook whole
// (xl/styles.xml, the theme, xl/calcChain.xml and the workbook when it
// opens it; xl/sharedStrings.xml on the first row read), and a decoded
// element costs hundreds of bytes however few bytes it is written in: a
// 24 KB file of 3 million empty <xf/> allocated 2.8 GB. Each crafted file
// here is within the file size and the unzip limits, and its parts past
// the bounds on their elements are refused before excelize sees them,
// with the problem said and no bank made; the files at the bounds are
// read. Reading each, refused or at a bound, allocates less than the
// budget TestXLSXBounded holds the other crafted files to.
func TestXLSXPartsBounded(t *testing.T) {
	header := `<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>题干</t></is></c><c r="B1" s="1" t="inlineStr"><is><t>答案</t></is></c></row>`
	question := `<row r="2"><c r="A2" s="1" t="inlineStr"><is><t>党小组会属于“三会”。</t></is></c><c r="B2" s="1" t="inlineStr"><is><t>对</t></is></c></row>`
	worksheet := func(rows string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			header + question + rows + `</sheetData></worksheet>`)
	}
	sheet := worksheet("")
	// part is an XML part: open, n times el, close.
	part := func(open, el, close string, n int) []byte {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + open)
		b.WriteString(strings.Repeat(el, n))
		b.WriteString(close)
		return b.Bytes()
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	styles := func(el string, n int) []byte {
		return part(`<styleSheet `+ns+`><cellXfs>`, el, `</cellXfs></styleSheet>`, n)
	}
	sst := func(el string, n int) []byte { return part(`<sst `+ns+`>`, el, `</sst>`, n) }
	// A run as LibreOffice writes one for each change of script: 7 elements.
	run := `<r><rPr><sz val="11"/><color rgb="FF000000"/><rFont val="WenQuanYi Micro Hei"/><family val="2"/></rPr><t xml:space="preserve">选项</t></r>`
	tests := []struct {
		name  string
		sheet []byte
		extra map[string][]byte
		want  string // in the one problem; "" for a file read without one
	}{
		// 3,000,000 × 5 bytes = 15 MB unzipped (at 12,000,000 the same file,
		// 89 KB, allocated 10.7 GB before the bounds, 5.4 GB peak RSS).
		{"styles.xml of 3M empty xf", sheet, map[string][]byte{"xl/styles.xml": styles(`<xf/>`, 3_000_000)}, "styles.xml 太大"},
		{"styles.xml of 150,000 empty xf, under 1 MB", sheet, map[string][]byte{"xl/styles.xml": styles(`<xf/>`, 150_000)}, "格式和设置太多"},
		{"a theme of 60,000 and a calcChain of 60,000", sheet, map[string][]byte{
			"xl/theme/theme1.xml": part(`<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:themeElements><a:fontScheme><a:majorFont>`, `<a:font/>`, `</a:majorFont></a:fontScheme></a:themeElements></a:theme>`, 60_000),
			"xl/calcChain.xml":    part(`<calcChain `+ns+`>`, `<c r="A1"/>`, `</calcChain>`, 60_000),
		}, "格式和设置太多"},
		// 3,000,000 × 5 bytes = 15 MB, under the 16 MB in-memory limit.
		{"sharedStrings.xml of 3M empty si", sheet, map[string][]byte{"xl/sharedStrings.xml": sst(`<si/>`, 3_000_000)}, "不同的文字超过"},
		{"sharedStrings.xml of 300,000 prefixed si", sheet, map[string][]byte{"xl/sharedStrings.xml": part(`<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, `<x:si/>`, `</x:sst>`, 300_000)}, "不同的文字超过"},
		{"sharedStrings.xml of one string of 100,000 runs", sheet, map[string][]byte{"xl/sharedStrings.xml": sst(`<si>`+strings.Repeat(run, 100_000)+`</si>`, 1)}, "文字和文字格式超过"},
		{"a row of 600,000 empty cells", worksheet(`<row r="3">` + strings.Repeat(`<c/>`, 600_000) + `</row>`), nil, "工作表里的单元格和格式超过"},
		// At the bounds: read.
		{"styles.xml at the bound", sheet, map[string][]byte{"xl/styles.xml": styles(`<xf><alignment/></xf>`, 45_000)}, ""},
		{"sharedStrings.xml of 200,000 strings", sheet, map[string][]byte{"xl/sharedStrings.xml": sst(`<si><t>党</t></si>`, 200_000)}, ""},
		{"sharedStrings.xml of 70,000 runs", sheet, map[string][]byte{"xl/sharedStrings.xml": sst(`<si>`+strings.Repeat(run, 10)+`</si>`, 7_000)}, ""},
		{"a row of 490,000 empty cells", worksheet(`<row r="3">` + strings.Repeat(`<c/>`, 490_000) + `</row>`), nil, ""},
	}
	for _, tt := range tests {
		data := partsBook(t, tt.sheet, tt.extra)
		if len(data) > questions.MaxXLSXSize {
			t.Fatalf("%s: crafted file %d bytes, past the size limit", tt.name, len(data))
		}
		checkCrafted(t, tt.name, "crafted.xlsx", data, tt.want, questions.ImportXLSX)
	}
}

// checkCrafted imports a crafted file within the size limits and checks
// it is read (want "") or refused with one problem holding want and
// nothing read — within an allocation budget either way.
func checkCrafted(t *testing.T, name, file string, data []byte, want string, read func(string, []byte) *questions.Import) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	im := read(file, data)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s: file %d bytes, %.1f MB allocated, problems %v", name, len(data), float64(alloc)/(1<<20), im.Problems)
	switch {
	case want == "" && (len(im.Problems) > 0 || im.Questions != 1):
		t.Errorf("%s: want the question read, got %d questions, problems %v", name, im.Questions, im.Problems)
	case want != "" && (len(im.Problems) != 1 || !strings.Contains(im.Problems[0].String(), want)):
		t.Errorf("%s: want one problem with %q, got %v", name, want, im.Problems)
	case want != "" && (len(im.Banks) > 0 || im.Rows > 0):
		t.Errorf("%s: refused, yet %d banks and %d rows read", name, len(im.Banks), im.Rows)
	}
	budget := uint64(256 << 20)
	if raceEnabled {
		budget *= 4
	}
	if alloc > budget {
		t.Errorf("%s: a %d-byte file within every limit made the import allocate %.0f MB (budget %d MB)",
			name, len(data), float64(alloc)/(1<<20), budget>>20)
	}
}
