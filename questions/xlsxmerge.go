package questions

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// merge is one merged range of cells, 1-based and inclusive.
type merge struct {
	ref                    string
	col1, row1, col2, row2 int
}

var errUnzipTooBig = errors.New("unzipped too big")

// mergedCells reads the merged ranges of every worksheet by name, scanning
// each sheet's XML as a stream (excelize reads a whole sheet into memory
// for them).
func mergedCells(data []byte) (map[string][]merge, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var total uint64
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxXLSXUnzip {
			return nil, errUnzipTooBig
		}
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))] = f
	}
	if err := checkParts(parts); err != nil {
		return nil, err
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(parts["xl/workbook.xml"], &wb); err != nil {
		return nil, err
	}
	if err := decodePart(parts["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		return nil, err
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := strings.ReplaceAll(r.Target, "\\", "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = strings.ToLower(t)
	}
	out := map[string][]merge{}
	tags := 0
	for _, s := range wb.Sheets {
		f := parts[target[s.RID]]
		if f == nil {
			continue
		}
		ms, n, err := scanMerges(f, maxXLSXSheetTags-tags)
		if err != nil {
			return nil, err
		}
		if tags += n; tags > maxXLSXSheetTags {
			return nil, &partError{fmt.Sprintf("表格太大：工作表里的单元格和格式超过 %d 项，请把题目分成几个文件", maxXLSXSheetTags)}
		}
		out[s.Name] = ms
	}
	return out, nil
}

// decodePart decodes a small XML part (at most 4 MB are read).
func decodePart(f *zip.File, v any) error {
	if f == nil {
		return errors.New("part missing")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 4<<20)).Decode(v)
}

var mergeRef = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+)(?::([A-Za-z]+[0-9]+))?"`)

// scanMerges finds the mergeCell elements of a worksheet part in chunks,
// keeping an overlap so that none is cut in two; it counts the part's
// elements too (see maxXLSXSheetTags), stopping once they pass most.
func scanMerges(f *zip.File, most int) ([]merge, int, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	const chunk, overlap = 256 << 10, 512
	var out []merge
	tags := 0
	buf := make([]byte, 0, chunk+overlap)
	tmp := make([]byte, chunk)
	for {
		n, err := io.ReadFull(rc, tmp)
		buf = append(buf, tmp[:n]...)
		if tags += startTags(tmp[:n]); tags > most {
			return nil, tags, nil
		}
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return nil, 0, err
		}
		keep := 0
		if !eof && len(buf) > overlap {
			keep = len(buf) - overlap
		}
		if bytes.Contains(buf, []byte("mergeCell")) {
			for _, m := range mergeRef.FindAllSubmatchIndex(buf, -1) {
				if !eof && m[0] >= keep {
					break // seen again with the next chunk
				}
				a := string(buf[m[2]:m[3]])
				b := a
				if m[4] >= 0 {
					b = string(buf[m[4]:m[5]])
				}
				c1, r1, err1 := excelize.CellNameToCoordinates(a)
				c2, r2, err2 := excelize.CellNameToCoordinates(b)
				if err1 == nil && err2 == nil {
					out = append(out, merge{ref: a + ":" + b, col1: min(c1, c2), row1: min(r1, r2), col2: max(c1, c2), row2: max(r1, r2)})
				}
			}
		}
		if eof {
			break
		}
		buf = append(buf[:0], buf[keep:]...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].row1 < out[j].row1 })
	return out, tags, nil
}
