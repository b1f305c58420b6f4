package main

import (
	"fmt"
	"io"

	"partyquiz/questions"
)

// runValidate implements `partyquiz validate PATH...`: every problem of
// every file, one per line, then the notes (what to look at that does not
// stop a file being used, as "提示：…"), then a summary. Exit status 0
// only when there is no problem (notes or not), 1 when there are
// problems, 2 on a usage error.
func runValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "用法：partyquiz validate 文件或文件夹...")
		return 2
	}
	set := questions.Load(args...)
	for _, p := range set.Problems {
		fmt.Fprintln(stdout, p)
	}
	for _, p := range set.Notes {
		fmt.Fprintln(stdout, "提示："+p.String())
	}
	fmt.Fprintln(stdout, set.Summary())
	if len(set.Problems) > 0 {
		return 1
	}
	return 0
}
