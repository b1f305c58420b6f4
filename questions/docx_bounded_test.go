package questions_test

import (
	"archive/zip"
	"bytes"
	"runtime"
	"strings"
	"testing"

	"partyquiz/questions"
)

// rawDocx is a Word document of one part, word/document.xml, whose body
// is body.
func rawDocx(t testing.TB, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDocxBounded: the document part of a .docx is read as a stream, but
// each of its elements is a token decoded, and each line break was a
// paragraph kept: a 41 KB file of 4 million <w:br/> allocated 1 GB. Past
// the bound on its elements a paper is refused before it is read, with
// the problem said and no bank made; a paper at the bound is read; and
// reading each allocates less than the budget of TestXLSXBounded.
func TestDocxBounded(t *testing.T) {
	question := `<w:p><w:r><w:t>1．党员可以不参加党的组织生活。</w:t></w:r></w:p><w:p><w:r><w:t>答案：×</w:t></w:r></w:p>`
	tests := []struct {
		name, body string
		want       string // in the one problem; "" for a paper read without one
	}{
		{"4M line breaks", question + `<w:p><w:r>` + strings.Repeat(`<w:br/>`, 4_000_000) + `</w:r></w:p>`, "段落和格式超过"},
		{"4M empty elements", question + `<w:p><w:r>` + strings.Repeat(`<w:x/>`, 4_000_000) + `</w:r></w:p>`, "段落和格式超过"},
		{"4M empty paragraphs", question + strings.Repeat(`<w:p/>`, 4_000_000), "段落和格式超过"},
		{"990,000 empty elements", question + `<w:p><w:r>` + strings.Repeat(`<w:x/>`, 990_000) + `</w:r></w:p>`, ""},
		{"900,000 line breaks", question + `<w:p><w:r>` + strings.Repeat(`<w:br/>`, 900_000) + `</w:r></w:p>`, ""},
	}
	for _, tt := range tests {
		data := rawDocx(t, tt.body)
		if len(data) > questions.MaxXLSXSize {
			t.Fatalf("%s: crafted file %d bytes, past the size limit", tt.name, len(data))
		}
		checkCrafted(t, tt.name, "crafted.docx", data, tt.want, questions.ImportDOCX)
	}
}

// allocBounded runs read, failing t if it allocates more than the budget
// of TestXLSXBounded (256 MB, 4 times that under the race detector). It
// does not collect garbage first: TotalAlloc only grows, and a collection
// per input would slow a fuzzer down.
func allocBounded(t *testing.T, read func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	read()
	runtime.ReadMemStats(&after)
	budget := uint64(256 << 20)
	if raceEnabled {
		budget *= 4
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
		t.Fatalf("the import allocated %.0f MB, more than %d MB", float64(alloc)/(1<<20), budget>>20)
	}
}
