package questions

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a file, worded for the person who wrote it.
// Line is 1-based; 0 means the problem concerns the whole file.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as "file:line: what is wrong" (or "file: what
// is wrong" when it has no line).
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is a list of problems; as an error it prints one per line.
type Problems []Problem

// Error implements error.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders the problems by file, then line, keeping the order of problems
// on the same line.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// problemList collects the problems of one file.
type problemList struct {
	file string
	list Problems
}

func (l *problemList) add(line int, format string, args ...any) {
	l.list = append(l.list, Problem{File: l.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}
