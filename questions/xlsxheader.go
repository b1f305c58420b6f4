package questions

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// headerNames maps a header, normalised by headerKey, to its role.
var headerNames = map[string]int{}

func init() {
	for role, names := range map[int][]string{
		colID:          {"编号", "题号", "序号", "id", "试题编号", "题目编号", "题目id", "试题id"},
		colType:        {"题型", "类型", "试题类型", "题目类型", "题类", "题型名称"},
		colStem:        {"题干", "题目", "试题内容", "题目内容", "试题", "问题", "题面", "内容", "试题题干", "题干内容", "题目名称", "题目标题"},
		colOptions:     {"选项", "选项内容", "备选项", "备选答案", "所有选项", "全部选项"},
		colAnswer:      {"答案", "正确答案", "标准答案", "参考答案", "答案内容"},
		colExplanation: {"解析", "答案解析", "试题解析", "题目解析", "解释", "答题解析", "解析说明", "说明"},
		colChapter:     {"章节", "所属章节", "章", "章节名称"},
		colTopic:       {"知识点", "分类", "专题", "类别", "所属分类", "知识点分类", "主题"},
		colDifficulty:  {"难度", "难易程度", "难易度", "难度等级"},
		colSource:      {"出处", "来源", "依据", "出自", "题目来源", "试题来源", "参考依据"},
		colShuffle:     {"打乱选项", "选项乱序", "乱序", "打乱选项顺序"},
	} {
		for _, n := range names {
			headerNames[n] = role
		}
	}
	for i := 0; i < MaxOptions; i++ {
		l := strings.ToLower(Letter(i))
		for _, n := range []string{"选项" + l, l, l + "选项", "选项" + l + "内容"} {
			headerNames[n] = colOptionA + i
		}
	}
}

var bracketed = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕`)

// headerKey normalises a header cell: full-width to half-width, no spaces
// or line breaks, no bracketed note ("（必填）", "(单选题填 A)"), no * or
// trailing colon, lower case.
func headerKey(s string) string {
	s = norm.NFKC.String(s)
	s = bracketed.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '*' || r == ':' || r == '：' || r == '※':
			return -1
		case ignorable(r):
			return -1
		}
		return r
	}, s)
	return strings.ToLower(s)
}

// metaNames are the keys of the rows above the header that describe the bank.
var metaNames = map[string]string{
	"题库编号": "id", "题库id": "id",
	"题库名称": "title", "题库": "title", "名称": "title", "标题": "title",
	"默认专题": "topic", "专题": "topic",
	"默认出处": "source", "出处": "source",
}

// findHeader reports whether cells are the header row, and if so records
// the columns.
func (sr *sheetReader) findHeader(r int, cells []string) bool {
	var cols [colCount]int
	for i := range cols {
		cols[i] = -1
	}
	var unknown, twice []string
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		role, ok := headerNames[headerKey(c)]
		switch {
		case !ok:
			unknown = append(unknown, strings.TrimSpace(c))
		case cols[role] >= 0:
			twice = append(twice, strings.TrimSpace(c))
		default:
			cols[role] = i
		}
	}
	if cols[colStem] < 0 || cols[colAnswer] < 0 {
		return false
	}
	sr.cols, sr.header = cols, r
	if len(unknown) > 0 {
		sr.pl.note(r, "这些列不认识，没有导入：%s", strings.Join(unknown, "、"))
	}
	if len(twice) > 0 {
		sr.pl.note(r, "这些列和前面的列是同一项，只用了前面的：%s", strings.Join(twice, "、"))
	}
	return true
}

// readMeta reads the rows above the header: "题库编号 | sanhui-yike" and
// the like, or a lone title.
func (sr *sheetReader) readMeta(rows []numberedRow) {
	sr.meta, sr.metaRow = map[string]string{}, map[string]int{}
	for _, nr := range rows {
		var vals []string
		for _, c := range nr.cells {
			if c = strings.TrimSpace(c); c != "" {
				vals = append(vals, c)
			}
		}
		if len(vals) == 0 {
			continue
		}
		if k, ok := metaNames[headerKey(vals[0])]; ok {
			if _, seen := sr.meta[k]; !seen && len(vals) >= 2 {
				sr.meta[k], sr.metaRow[k] = vals[1], nr.row
			}
			continue
		}
		if len(vals) == 1 && sr.title == "" {
			sr.title = vals[0]
		}
	}
}

// fillDown are the columns whose vertically merged cells are read as the
// same value on every row of the merge: what a sheet groups rows by.
var fillDown = []int{colType, colChapter, colTopic, colDifficulty, colSource}

// checkMerges sorts the sheet's merged cells below the header: a merge
// down one column that groups rows (题型, 章节, 知识点, 难度, 出处) is read
// as its value on each row; any other is a problem at its first row.
func (sr *sheetReader) checkMerges() {
	sr.filled, sr.downStart, sr.badMerge = map[int]filledCell{}, map[[2]int]int{}, map[int]string{}
	for _, m := range sr.merges {
		if m.row2 <= sr.header {
			continue // titles and headers may be merged
		}
		down := false
		if m.col1 == m.col2 && m.row1 > sr.header {
			for _, role := range fillDown {
				down = down || sr.cols[role] == m.col1-1
			}
		}
		if down {
			sr.downStart[[2]int{m.col1 - 1, m.row1}] = m.row2
			continue
		}
		for r := max(m.row1, sr.header+1); r <= m.row2 && r-m.row1 < maxXLSXScan; r++ {
			if _, seen := sr.badMerge[r]; !seen {
				sr.badMerge[r] = m.ref
			}
		}
	}
}

// cellAt returns the trimmed text of column i of a row, with merges
// filled down.
func (sr *sheetReader) cellAt(r int, cells []string, i int) string {
	if i < 0 {
		return ""
	}
	v := ""
	if i < len(cells) {
		v = strings.TrimSpace(cells[i])
	}
	if until, ok := sr.downStart[[2]int{i, r}]; ok {
		sr.filled[i] = filledCell{value: v, until: until}
	}
	if fc, ok := sr.filled[i]; ok && v == "" && r <= fc.until {
		v = fc.value
	}
	return v
}
