package questions

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a file, worded for the person who wrote it.
// Line is 1-based; 0 means the problem concerns the whole file. In a
// spreadsheet, Sheet names the worksheet and Line is the row.
//
// The same type carries notes: things that do not stop a file from being
// used but that its author should look at (a duplicated question, options
// that should not be shuffled).
type Problem struct {
	File  string
	Sheet string
	Line  int
	Msg   string
}

// String formats the problem as "file:line: what is wrong" (or "file: what
// is wrong" when it has no line); in a spreadsheet as "file sheet!row: what
// is wrong".
func (p Problem) String() string {
	switch {
	case p.Sheet != "" && p.Line > 0:
		return fmt.Sprintf("%s %s!%d: %s", p.File, p.Sheet, p.Line, p.Msg)
	case p.Sheet != "":
		return fmt.Sprintf("%s %s: %s", p.File, p.Sheet, p.Msg)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Where is the place of the problem inside its file, for a reader who has
// the file open: "第 12 行", "单选题!12" or "".
func (p Problem) Where() string {
	switch {
	case p.Sheet != "" && p.Line > 0:
		return fmt.Sprintf("%s!%d", p.Sheet, p.Line)
	case p.Sheet != "":
		return p.Sheet
	case p.Line > 0:
		return fmt.Sprintf("第 %d 行", p.Line)
	}
	return ""
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
// on the same line. Problems of a spreadsheet keep the order of its sheets.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Sheet != "" || ps[j].Sheet != "" {
			return false // a workbook's problems come in sheet and row order
		}
		return ps[i].Line < ps[j].Line
	})
}

// problemList collects the problems and the notes of one file (or of one
// worksheet).
type problemList struct {
	file  string
	sheet string
	list  Problems
	notes Problems
}

func (l *problemList) add(line int, format string, args ...any) {
	l.list = append(l.list, Problem{File: l.file, Sheet: l.sheet, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// note records something the author should look at that does not stop
// the file from being used.
func (l *problemList) note(line int, format string, args ...any) {
	l.notes = append(l.notes, Problem{File: l.file, Sheet: l.sheet, Line: line, Msg: fmt.Sprintf(format, args...)})
}
