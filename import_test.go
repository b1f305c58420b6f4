package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"partyquiz/questions"
)

// TestImportCommand: `partyquiz import FILE.xlsx -o DIR` writes one bank
// file per sheet, which `partyquiz validate` accepts and which hold the
// same questions as the banks exported; a broken workbook prints every
// problem at its 工作表!行, writes nothing and exits 1; a usage error exits 2.
func TestImportCommand(t *testing.T) {
	c, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	data, err := questions.ExportXLSX(c.Bank("sanhui-yike"), c.Bank("sige-buzhai"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "题库.xlsx")
	if err := os.WriteFile(xlsx, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"import", xlsx, "-o", out}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"题库.xlsx：读取", "按工作表分为 2 套题库", "已写入 " + filepath.Join(out, "sanhui-yike.toml")} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	set := questions.Load(out)
	if set.Catalog == nil || len(set.Catalog.Banks) != 2 {
		t.Fatalf("the files written do not validate: %v", set.Problems)
	}
	for _, id := range []string{"sanhui-yike", "sige-buzhai"} {
		got, want := set.Catalog.Bank(id), c.Bank(id)
		if got == nil || len(got.Questions) != len(want.Questions) {
			t.Fatalf("%s: %v", id, got)
		}
		for i, q := range want.Questions {
			if got.Questions[i].Hash() != q.Hash() {
				t.Errorf("%s/%s changed on the way", id, q.ID)
			}
		}
	}
	stdout.Reset()
	if code := run([]string{"validate", out}, nil, &stdout, &stderr); code != 0 {
		t.Errorf("validate: exit %d\n%s", code, stdout.String())
	}

	// A broken workbook: the problems, nothing written.
	bad := filepath.Join(dir, "坏表.xlsx")
	if err := os.WriteFile(bad, brokenWorkbook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "out2")
	stdout.Reset()
	if code := run([]string{"import", "-o", out2, bad}, nil, &stdout, &stderr); code != 1 {
		t.Fatalf("broken: exit %d\n%s", code, stdout.String())
	}
	for _, want := range []string{"坏表.xlsx 单选!2: 答案是空的", "坏表.xlsx 单选!3: 题干是空的", "没有写出题库文件"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("broken output lacks %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Errorf("a broken workbook wrote %s", out2)
	}
	if code := run([]string{"import"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
	stdout.Reset()
	if code := run([]string{"import", filepath.Join(dir, "nope.xlsx")}, nil, &stdout, &stderr); code != 1 || !strings.Contains(stdout.String(), "找不到") {
		t.Errorf("missing file: exit %d %s", code, stdout.String())
	}
}

// brokenWorkbook is a sheet with an empty answer and an empty stem.
func brokenWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "单选"); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"题型", "题干", "选项A", "选项B", "答案"},
		{"单选", "答案是空的。", "甲", "乙", ""},
		{"单选", "", "甲", "乙", "A"},
		{"单选", "这一行没问题。", "甲", "乙", "A"},
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("单选", cell, v); err != nil {
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
