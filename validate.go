package main

import (
	"fmt"
	"io"

	"partyquiz/questions"
)

// runValidate implements `partyquiz validate PATH...`: every problem of
// every file, one per line, then a summary. Exit status 0 only when there
// is no problem, 1 when there are problems, 2 on a usage error.
func runValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "用法：partyquiz validate 文件或文件夹...")
		return 2
	}
	set := questions.Load(args...)
	for _, p := range set.Problems {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintln(stdout, set.Summary())
	if len(set.Problems) > 0 {
		return 1
	}
	return 0
}
