package questions

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Bounds on the parts of a workbook, checked before excelize opens it.
// The unzip limit bounds the bytes, but excelize decodes some parts whole
// into Go values — the workbook, its relationships and content types,
// xl/styles.xml, the theme and xl/calcChain.xml when it opens the file,
// xl/sharedStrings.xml on the first row read — and a decoded element costs
// 400–1,800 bytes however few bytes it is written in (a 24 KB file of 3
// million empty <xf/> allocated 2.8 GB). So the elements of those parts
// are counted, as are those of the worksheets (streamed, but every element
// is a token decoded), and a workbook past a bound is refused before
// excelize sees it.
//
// Measured on real files (testdata/xlsx, and the 5,000-row workbook of
// BenchmarkImportXLSX5000 as written by excelize and as saved again by
// LibreOffice Calc 7.4): styles.xml is 5–6 KB of 27–96 elements, the theme
// 7 KB of 190, the workbook under 1 KB; the 5,000 rows are 103,000 (LibreOffice)
// to 165,000 (excelize) worksheet elements, and LibreOffice's
// sharedStrings.xml for them is 2.7 MB of 5,052 strings in 123,000
// elements (it writes a run with its font for each change of script).
const (
	// maxXLSXPart bounds the bytes of each part decoded whole other than
	// the shared strings: 170 times the largest styles.xml measured.
	maxXLSXPart = 1 << 20
	// maxXLSXPartTags bounds the elements of those parts together: 300
	// times the 330 of a real workbook's; room for a styles.xml of some
	// thousands of formats or a calcChain.xml of a formula per row.
	maxXLSXPartTags = 100000
	// maxXLSXStrings bounds the shared strings: 10 per row of the most
	// rows a workbook may have (MaxXLSXRows).
	maxXLSXStrings = 10 * MaxXLSXRows
	// maxXLSXStringTags bounds the elements of sharedStrings.xml: 25 per
	// row of MaxXLSXRows, 4 times LibreOffice's 123,000 for 5,000 rows
	// (a run of 7 elements costs 430 bytes each).
	maxXLSXStringTags = 25 * MaxXLSXRows
	// maxXLSXSheetTags bounds the elements of all worksheets together,
	// and so the empty cells (<c/>), which the cell count does not see
	// and which cost 420 bytes each: 25 per row of the most rows a
	// workbook may have (MaxXLSXRows), which is 4.8 times what LibreOffice
	// writes for the 5,000 rows and 3 times what excelize writes (it puts
	// every string inline: 33 elements a row of 11 cells).
	maxXLSXSheetTags = 25 * MaxXLSXRows
)

// partError is a workbook refused by the bounds on its parts; its text is
// the problem shown.
type partError struct{ msg string }

func (e *partError) Error() string { return e.msg }

// partMessage is the problem for a workbook refused by partError, or "".
func partMessage(err error) string {
	var pe *partError
	if errors.As(err, &pe) {
		return pe.msg
	}
	return ""
}

// decodedWhole reports whether excelize decodes the part (its name in
// lower case, slashes forward) whole when it opens a workbook or reads its
// rows: the content types, the package's and the workbook's relationships,
// the parts directly in xl/ (workbook, styles, calcChain, metadata…) and
// the theme; a workbook at the root is counted too. The shared strings are
// bounded on their own; worksheets, drawings, comments and media are not
// decoded whole.
func decodedWhole(name string) bool {
	switch {
	case name == "xl/sharedstrings.xml":
		return false
	case name == "[content_types].xml" || name == "_rels/.rels":
		return true
	case strings.HasPrefix(name, "xl/_rels/") && strings.HasSuffix(name, ".rels"):
		return true
	case strings.HasPrefix(name, "xl/theme/"):
		return strings.HasSuffix(name, ".xml")
	case strings.HasPrefix(name, "xl/"):
		return !strings.Contains(name[len("xl/"):], "/") && strings.HasSuffix(name, ".xml")
	}
	return !strings.Contains(name, "/") && strings.HasSuffix(name, ".xml")
}

// checkParts refuses, with a partError, a workbook whose parts decoded
// whole are past the bounds above; parts are its zip entries by
// normalised name. The worksheets are counted by scanMerges.
func checkParts(parts map[string]*zip.File) error {
	tags := 0
	buf := make([]byte, 64<<10)
	for name, f := range parts {
		switch {
		case name == "xl/sharedstrings.xml":
			// Up to 16 MB excelize decodes it whole; past that it reads it
			// from a temporary file, keeping the offsets of every string.
			n, err := countTags(f, maxXLSXUnzip, "si", buf)
			if err != nil {
				return err
			}
			if n.named > maxXLSXStrings {
				return &partError{fmt.Sprintf("表格太大：不同的文字超过 %d 段，请把题目分成几个文件", maxXLSXStrings)}
			}
			if n.tags > maxXLSXStringTags {
				return &partError{fmt.Sprintf("表格太大：文字和文字格式超过 %d 项，请把题目分成几个文件，或清除文字里的格式后再发送", maxXLSXStringTags)}
			}
		case decodedWhole(name):
			if f.UncompressedSize64 > maxXLSXPart {
				return &partError{fmt.Sprintf("文件里的 %s 太大（超过 %d KB），WPS、Excel 保存的表格不会这样：请在 WPS 或 Excel 里清除多余的格式，“另存为” .xlsx 后再发送", f.Name, maxXLSXPart>>10)}
			}
			n, err := countTags(f, maxXLSXPart, "", buf)
			if err != nil {
				return err
			}
			if tags += n.tags; tags > maxXLSXPartTags {
				return &partError{fmt.Sprintf("文件里的格式和设置太多（超过 %d 项，最后数到 %s），WPS、Excel 保存的表格不会这样：请在 WPS 或 Excel 里清除多余的格式，“另存为” .xlsx 后再发送", maxXLSXPartTags, f.Name)}
			}
		}
	}
	return nil
}

// tagCount is what countTags found.
type tagCount struct {
	tags  int // start (and empty) elements
	named int // of them, those named local (with or without a prefix)
}

// countTags counts the elements of an XML part as a byte scan in chunks
// of len(buf), reading at most limit bytes (past it is errUnzipTooBig: the entry lied
// about its size). An element cut by a chunk's end may be missed or
// counted twice, which does not matter to a bound.
func countTags(f *zip.File, limit int64, local string, buf []byte) (tagCount, error) {
	rc, err := f.Open()
	if err != nil {
		return tagCount{}, err
	}
	defer rc.Close()
	var n tagCount
	var named [][]byte
	if local != "" {
		for _, p := range []string{"<", ":"} {
			for _, s := range []string{">", " ", "/", "\t", "\n", "\r"} {
				named = append(named, []byte(p+local+s))
			}
		}
	}
	var read int64
	for {
		k, err := io.ReadFull(rc, buf)
		read += int64(k)
		if read > limit {
			return n, errUnzipTooBig
		}
		n.tags += startTags(buf[:k])
		for _, s := range named {
			n.named += bytes.Count(buf[:k], s)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// startTags counts the start and empty elements in b: the < not followed
// by /, ? or !.
func startTags(b []byte) int {
	return bytes.Count(b, []byte("<")) - bytes.Count(b, []byte("</")) -
		bytes.Count(b, []byte("<?")) - bytes.Count(b, []byte("<!"))
}
