package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"partyquiz/questions"
)

// runImport implements `partyquiz import FILE.xlsx [-o DIR]`: the workbook
// becomes one bank TOML file per bank (a worksheet, or a 章节 of one) in
// DIR, named by the bank's id; a Word paper (.docx) becomes one. Every problem is printed first, one per
// line as "FILE 工作表!行: what is wrong", then the notes and a summary. A
// workbook with any problem writes nothing. Exit status 0 when the files
// were written, 1 when there are problems, 2 on a usage error.
func runImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("o", ".", "folder to write the bank files into")
	fs.Usage = func() { fmt.Fprintln(stderr, "用法：partyquiz import 文件.xlsx（或 .docx）[-o 文件夹]") }
	// The flag may come before or after the file.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
	}
	name := files[0]
	st, err := os.Stat(name)
	if err != nil {
		fmt.Fprintf(stdout, "%s: 找不到这个文件\n", name)
		return 1
	}
	if st.Size() > questions.MaxXLSXSize {
		fmt.Fprintf(stdout, "%s: 文件太大（%d 字节），一个文件最多 %d 字节\n", name, st.Size(), questions.MaxXLSXSize)
		return 1
	}
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stdout, "%s: 读取失败：%v\n", name, err)
		return 1
	}
	im := questions.ImportFile(filepath.Base(name), data)
	for _, p := range im.Problems {
		fmt.Fprintln(stdout, p)
	}
	for _, p := range im.Notes {
		fmt.Fprintln(stdout, "提示："+p.String())
	}
	fmt.Fprintln(stdout, im.Summary())
	if len(im.Problems) > 0 {
		fmt.Fprintln(stdout, "有问题，没有写出题库文件：请改好表格后再导入。")
		return 1
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(stdout, "%s: 不能创建文件夹：%v\n", *dir, err)
		return 1
	}
	for _, ib := range im.Banks {
		out := filepath.Join(*dir, ib.Bank.ID+".toml")
		if err := os.WriteFile(out, ib.TOML, 0o644); err != nil {
			fmt.Fprintf(stdout, "%s: 写入失败：%v\n", out, err)
			return 1
		}
		fmt.Fprintf(stdout, "已写入 %s：题库「%s」，%d 道题\n", out, ib.Bank.Title, len(ib.Bank.Questions))
	}
	return 0
}
