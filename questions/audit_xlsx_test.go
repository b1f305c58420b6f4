package questions_test

import (
	"archive/zip"
	"bytes"
	"runtime"
	"strings"
	"testing"

	"partyquiz/questions"
)

// auditBook is a minimal workbook like rawBook's, with extra parts
// (name → body) added, e.g. a styles.xml or a sharedStrings.xml.
func auditBook(t testing.TB, sheet []byte, extra map[string][]byte) []byte {
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

// TestAuditXLSXSmallPartsBounded (audit of issue 11, "a crafted file cannot
// exhaust memory"): the limits bound the bytes unzipped (64 MB) and the
// worksheet rows and cells, but excelize decodes xl/styles.xml whole
// (any size up to the unzip limit) as soon as one cell carries a style,
// and xl/sharedStrings.xml whole (up to 16 MB) on the first Columns call.
// A file of a few tens of KB, within every limit, whose styles.xml is
// millions of empty <xf/> records (or whose sharedStrings.xml is millions
// of <si/>), makes the import allocate far more than the 256 MB budget
// TestXLSXBounded holds the other crafted files to.
func TestAuditXLSXSmallPartsBounded(t *testing.T) {
	header := `<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>题干</t></is></c><c r="B1" s="1" t="inlineStr"><is><t>答案</t></is></c></row>`
	sheet := []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		header + `<row r="2"><c r="A2" s="1" t="inlineStr"><is><t>党小组会属于“三会”。</t></is></c><c r="B2" s="1" t="inlineStr"><is><t>对</t></is></c></row>` +
		`</sheetData></worksheet>`)
	styles := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`)
		b.WriteString(strings.Repeat(`<xf/>`, n))
		b.WriteString(`</cellXfs></styleSheet>`)
		return b.Bytes()
	}
	sst := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		b.WriteString(strings.Repeat(`<si/>`, n))
		b.WriteString(`</sst>`)
		return b.Bytes()
	}
	tests := []struct {
		name  string
		extra map[string][]byte
	}{
		// 3,000,000 × 5 bytes = 15 MB unzipped, a quarter of the 64 MB
		// limit (kept small so that the test does not exhaust the shared
		// machine: at 12,000,000 the same file, 89 KB, allocated 10.7 GB
		// with a peak RSS of 5.4 GB).
		{"styles.xml of 3M empty xf", map[string][]byte{"xl/styles.xml": styles(3_000_000)}},
		// 3,000,000 × 5 bytes = 15 MB, under the 16 MB in-memory limit.
		{"sharedStrings.xml of 3M empty si", map[string][]byte{"xl/sharedStrings.xml": sst(3_000_000)}},
	}
	for _, tt := range tests {
		data := auditBook(t, sheet, tt.extra)
		if len(data) > questions.MaxXLSXSize {
			t.Fatalf("%s: crafted file %d bytes, past the size limit", tt.name, len(data))
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		im := questions.ImportXLSX("crafted.xlsx", data)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: file %d bytes, %.0f MB allocated, %.0f MB obtained from the OS, problems %v", tt.name, len(data), float64(alloc)/(1<<20), float64(after.Sys)/(1<<20), im.Problems)
		budget := uint64(256 << 20)
		if raceEnabled {
			budget *= 4
		}
		if alloc > budget {
			t.Errorf("%s: a %d-byte file within every limit made the import allocate %.0f MB (budget %d MB)",
				tt.name, len(data), float64(alloc)/(1<<20), budget>>20)
		}
	}
}
