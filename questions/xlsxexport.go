package questions

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// ExportXLSX writes banks as a workbook ImportXLSX reads back to the same
// questions: one worksheet per bank, its 题库编号, 题库名称, 默认专题 and
// 默认出处 in rows above the header, then one question per row (编号, 题型,
// 题干, 选项A…, 答案, 解析, 知识点, 难度, 出处, 打乱选项). A 填空's accepted
// answers are one per line, the blanks of each separated by |.
func ExportXLSX(banks ...*Bank) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	names := map[string]bool{}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, b := range banks {
		name := sheetName(b, names)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		if err := writeBankSheet(f, name, b, wrap, bold); err != nil {
			return nil, fmt.Errorf("bank %s: %w", b.ID, err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetName is a worksheet name for b: its title, without the characters
// Excel refuses, at most 31 characters, not used before.
func sheetName(b *Bank, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '·'
		}
		return r
	}, b.Title)
	clean = strings.Trim(clean, "' ")
	if clean == "" {
		clean = b.ID
	}
	rs := []rune(clean)
	if len(rs) > 31 {
		rs = rs[:31]
	}
	name := string(rs)
	for n := 2; used[strings.ToLower(name)]; n++ {
		suffix := fmt.Sprintf("（%d）", n)
		cut := min(len(rs), 31-utf8.RuneCountInString(suffix))
		name = string(rs[:cut]) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func writeBankSheet(f *excelize.File, sheet string, b *Bank, wrap, bold int) error {
	nopts := 4
	for _, q := range b.Questions {
		nopts = max(nopts, len(q.Options))
	}
	head := []string{"编号", "题型", "题干"}
	for i := 0; i < nopts; i++ {
		head = append(head, "选项"+Letter(i))
	}
	head = append(head, "答案", "解析", "知识点", "难度", "出处", "打乱选项")
	rows := [][]string{
		{"题库编号", b.ID},
		{"题库名称", b.Title},
		{"默认专题", b.Topic},
		{"默认出处", b.Source},
		{},
		head,
	}
	const headerRow = 6
	for _, q := range b.Questions {
		row := []string{q.ID, string(q.Type), q.Text}
		for i := 0; i < nopts; i++ {
			o := ""
			if (q.Type == Single || q.Type == Multiple) && i < len(q.Options) {
				o = q.Options[i]
			}
			row = append(row, o)
		}
		answer := q.AnswerText()
		if q.Type == Fill {
			answer = strings.Join(q.Accepted, "\n")
		}
		shuffle := ""
		if q.Type == Single || q.Type == Multiple {
			shuffle = "是"
			if q.KeepOrder {
				shuffle = "否"
			}
		}
		topic, source := q.Topic, q.Source
		if topic == b.Topic {
			topic = ""
		}
		if source == b.Source {
			source = ""
		}
		row = append(row, answer, q.Explanation, topic, q.Difficulty.String(), source, shuffle)
		rows = append(rows, row)
	}
	for i, row := range rows {
		for j, v := range row {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	last, _ := excelize.ColumnNumberToName(len(head))
	if err := f.SetCellStyle(sheet, "A1", "A4", bold); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow), fmt.Sprintf("%s%d", last, headerRow), bold); err != nil {
		return err
	}
	if len(b.Questions) > 0 {
		if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", headerRow+1), fmt.Sprintf("%s%d", last, headerRow+len(b.Questions)), wrap); err != nil {
			return err
		}
	}
	widths := map[string]float64{"A": 10, "B": 8, "C": 50}
	for col, w := range widths {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	first, _ := excelize.ColumnNumberToName(4)
	lastOpt, _ := excelize.ColumnNumberToName(3 + nopts)
	if err := f.SetColWidth(sheet, first, lastOpt, 20); err != nil {
		return err
	}
	expl, _ := excelize.ColumnNumberToName(5 + nopts)
	return f.SetColWidth(sheet, expl, expl, 40)
}
