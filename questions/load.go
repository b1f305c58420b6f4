package questions

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Catalog is a validated set of banks and, optionally, the study plan.
// It is immutable once built; publishing new banks builds a new Catalog.
type Catalog struct {
	Banks []*Bank // sorted by id
	Plan  *Plan   // nil: no plan, every period draws from all banks
	Org   *Org    // nil: no organisation tree in these files
	byID  map[string]*Bank
}

// Bank returns the bank with the given id, or nil.
func (c *Catalog) Bank(id string) *Bank {
	if c == nil {
		return nil
	}
	return c.byID[id]
}

// Question returns a question by bank and question id, or nil.
func (c *Catalog) Question(bankID, id string) *Question {
	if b := c.Bank(bankID); b != nil {
		return b.Question(id)
	}
	return nil
}

// Count returns the number of questions in the catalog.
func (c *Catalog) Count() int {
	n := 0
	for _, b := range c.Banks {
		n += len(b.Questions)
	}
	return n
}

// Summary counts what a set of files holds; it is printed after
// validation.
type Summary struct {
	Files     int
	Banks     int
	Plans     int
	Orgs      int
	Questions int
	ByType    map[Type]int
	Problems  int
	Notes     int
}

// String is the one-line summary `partyquiz validate` prints.
func (s Summary) String() string {
	var parts []string
	for _, t := range Types {
		parts = append(parts, fmt.Sprintf("%s %d", t, s.ByType[t]))
	}
	plan := ""
	if s.Plans > 0 {
		plan = fmt.Sprintf("\uff0c学习计划 %d 份", s.Plans)
	}
	if s.Orgs > 0 {
		plan += fmt.Sprintf("\uff0c组织架构 %d 份", s.Orgs)
	}
	verdict := "没有发现问题"
	if s.Problems > 0 {
		verdict = fmt.Sprintf("发现 %d 个问题", s.Problems)
	}
	if s.Notes > 0 {
		verdict += fmt.Sprintf("\uff0c另有 %d 条提示", s.Notes)
	}
	return fmt.Sprintf("共 %d 个文件：题库 %d 套，题目 %d 道（%s）%s；%s。",
		s.Files, s.Banks, s.Questions, strings.Join(parts, "\uff0c"), plan, verdict)
}

// Set is the result of reading several files: each file with its own
// problems, the problems between files, and, when there are none at all,
// the Catalog.
type Set struct {
	Files    []*File
	Problems Problems // every problem, of every file and between files, sorted
	Notes    Problems // what authors should look at (duplicates, options to keep in order), sorted
	Catalog  *Catalog // nil when there is any problem
}

// Summary counts the set.
func (s *Set) Summary() Summary {
	sum := Summary{Files: len(s.Files), ByType: map[Type]int{}, Problems: len(s.Problems), Notes: len(s.Notes)}
	for _, f := range s.Files {
		if f.Bank != nil {
			sum.Banks++
			for _, q := range f.Bank.Questions {
				sum.Questions++
				sum.ByType[q.Type]++
			}
		}
		if f.Plan != nil {
			sum.Plans++
		}
		if f.Org != nil {
			sum.Orgs++
		}
	}
	return sum
}

// NewSet checks files together — bank ids unique across files, at most one
// plan, the plan naming only banks that exist — and builds the Catalog when
// nothing is wrong. known, if not nil, holds banks that exist outside these
// files (the published ones, when one file is uploaded in chat).
func NewSet(files []*File, known func(bankID string) bool) *Set {
	s := &Set{Files: files}
	byID := map[string]*Bank{}
	var plan *Plan
	var org *Org
	var banks []*Bank
	for _, f := range files {
		s.Problems = append(s.Problems, f.Problems...)
		s.Notes = append(s.Notes, f.Notes...)
		if f.Bank != nil {
			banks = append(banks, f.Bank)
		}
		if f.Bank != nil && f.Bank.ID != "" {
			if prev, dup := byID[f.Bank.ID]; dup {
				s.Problems = append(s.Problems, Problem{File: f.Name, Line: 1,
					Msg: fmt.Sprintf("题库编号 %q 和文件 %s 里的题库重复了；每套题库的编号必须不同", f.Bank.ID, prev.File)})
			} else {
				byID[f.Bank.ID] = f.Bank
			}
		}
		if f.Plan != nil {
			if plan != nil {
				s.Problems = append(s.Problems, Problem{File: f.Name, Msg: fmt.Sprintf("学习计划只能有一份，%s 里已经有了", plan.File)})
			} else {
				plan = f.Plan
			}
		}
		if f.Org != nil {
			if org != nil {
				s.Problems = append(s.Problems, Problem{File: f.Name, Msg: fmt.Sprintf("组织架构只能有一份，%s 里已经有了", org.File)})
			} else {
				org = f.Org
			}
		}
	}
	if plan != nil {
		refs := make([]string, 0, len(plan.lines))
		for b := range plan.lines {
			refs = append(refs, b)
		}
		sort.Strings(refs)
		for _, b := range refs {
			if byID[b] == nil && (known == nil || !known(b)) {
				s.Problems = append(s.Problems, Problem{File: plan.File, Line: plan.lines[b],
					Msg: fmt.Sprintf("学习计划用到的题库 %q 不存在", b)})
			}
		}
	}
	s.Notes = append(s.Notes, Duplicates(nil, banks)...)
	s.Problems.Sort()
	s.Notes.Sort()
	if len(s.Problems) > 0 {
		return s
	}
	c := &Catalog{Plan: plan, Org: org, byID: byID}
	for _, b := range byID {
		c.Banks = append(c.Banks, b)
	}
	sort.Slice(c.Banks, func(i, j int) bool { return c.Banks[i].ID < c.Banks[j].ID })
	s.Catalog = c
	return s
}

// Load reads files and folders (every *.toml file inside a folder, at any
// depth, in name order) and checks them together. A path that cannot be
// read is a problem of that path, never a panic.
func Load(paths ...string) *Set {
	var jobs []fileJob
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			jobs = append(jobs, fileJob{name: p, err: err})
			continue
		}
		if !st.IsDir() {
			jobs = append(jobs, fileJob{fsys: os.DirFS(filepath.Dir(p)), path: filepath.Base(p), name: p})
			continue
		}
		var names []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				jobs = append(jobs, fileJob{name: path, err: err})
				return nil
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".toml") {
				names = append(names, path)
			}
			return nil
		})
		if err != nil {
			jobs = append(jobs, fileJob{name: p, err: err})
		}
		sort.Strings(names)
		for _, n := range names {
			jobs = append(jobs, fileJob{fsys: os.DirFS(filepath.Dir(n)), path: filepath.Base(n), name: n})
		}
	}
	return NewSet(readAll(jobs), nil)
}

// LoadFS reads every *.toml file of fsys (at any depth) and checks them
// together.
func LoadFS(fsys fs.FS) *Set {
	var jobs []fileJob
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".toml") {
			jobs = append(jobs, fileJob{fsys: fsys, path: path, name: path})
		}
		return nil
	})
	return NewSet(readAll(jobs), nil)
}

// fileJob is one file to read, or a path that already failed.
type fileJob struct {
	fsys fs.FS
	path string // within fsys
	name string // as reported
	err  error
}

// readAll reads and parses the files on every core, keeping their order.
func readAll(jobs []fileJob) []*File {
	files := make([]*File, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				if j.err != nil {
					files[i] = &File{Name: j.name, Problems: Problems{{File: j.name, Msg: pathMessage(j.err)}}}
					continue
				}
				files[i] = readFile(j.fsys, j.path, j.name)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return files
}

// readFile reads at most MaxFileSize+1 bytes so that a huge file is
// reported without being read whole.
func readFile(fsys fs.FS, path, name string) *File {
	f, err := fsys.Open(path)
	if err != nil {
		return &File{Name: name, Problems: Problems{{File: name, Msg: pathMessage(err)}}}
	}
	defer f.Close()
	var data []byte
	if st, serr := f.Stat(); serr == nil && st.Mode().IsRegular() {
		// One exact allocation: validating the city's 150 banks reads
		// tens of megabytes, and doubling buffers would double that.
		data = make([]byte, min(st.Size(), MaxFileSize)+1)
		var n int
		n, err = io.ReadFull(f, data)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		data = data[:n]
	} else {
		data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	}
	if err != nil {
		return &File{Name: name, Problems: Problems{{File: name, Msg: pathMessage(err)}}}
	}
	return ParseFile(name, data)
}

func pathMessage(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "找不到这个文件或文件夹"
	case errors.Is(err, fs.ErrPermission):
		return "没有权限读取这个文件"
	}
	return "读取失败：" + err.Error()
}

//go:embed builtin/*.toml
var builtinFS embed.FS

// Builtin returns the sample banks and plan built into the program, used
// when no bank folder is configured, each marked Builtin. They are checked
// by the tests; an error here means the program was built from a broken
// tree.
func Builtin() (*Catalog, error) {
	sub, err := fs.Sub(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	s := LoadFS(sub)
	if s.Catalog == nil {
		return nil, fmt.Errorf("built-in banks: %w", s.Problems)
	}
	c := s.Catalog
	for _, b := range c.Banks {
		b.Builtin = true
	}
	if c.Plan != nil {
		c.Plan.Builtin = true
	}
	if c.Org != nil {
		c.Org.Builtin = true
	}
	return c, nil
}

// BuiltinFile returns a file of the built-in banks as it is written (with
// its comments) by its name (a Bank's, Plan's or Org's File), and whether
// there is one.
func BuiltinFile(name string) ([]byte, bool) {
	data, err := fs.ReadFile(builtinFS, "builtin/"+name)
	return data, err == nil
}

//go:embed README.md
var guide []byte

// Guide returns the format guide for bank authors (README.md beside this
// package, in Chinese and English), built into the program so that the
// bot can send it.
func Guide() []byte { return bytes.Clone(guide) }

// Merge returns the set made of base with files laid over it: a bank in
// files replaces the bank of the same id, a plan the plan, an org file the
// organisation tree. The set's problems are those of the files and of the
// result (e.g. a plan naming a bank that exists nowhere).
func Merge(base *Catalog, files ...*File) *Set {
	replaced := map[string]bool{}
	var plan, org bool
	for _, f := range files {
		if f.Bank != nil {
			replaced[f.Bank.ID] = true
		}
		plan = plan || f.Plan != nil
		org = org || f.Org != nil
	}
	var all []*File
	if base != nil {
		for _, b := range base.Banks {
			if !replaced[b.ID] {
				all = append(all, &File{Name: b.File, Bank: b})
			}
		}
		if base.Plan != nil && !plan {
			all = append(all, &File{Name: base.Plan.File, Plan: base.Plan})
		}
		if base.Org != nil && !org {
			all = append(all, &File{Name: base.Org.File, Org: base.Org})
		}
	}
	return NewSet(append(all, files...), nil)
}
