package questions

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/unicode/norm"
)

// MaxFileSize is the largest file the validator reads (1 MiB): a bank of
// several hundred questions is well under 200 KiB.
const MaxFileSize = 1 << 20

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// File is the result of reading one TOML file: exactly one of Bank, Plan
// and Org is set when Problems is empty.
type File struct {
	Name     string
	Bank     *Bank
	Plan     *Plan
	Org      *Org
	Problems Problems
	Notes    Problems // what the author should look at; it does not stop the file being used
}

// ParseFile reads one file of any kind the program understands — a bank,
// the study plan or the organisation tree, told apart by their tables
// ([[question]], [[month]], [[node]]) — and reports every problem it
// finds. It never panics.
func ParseFile(name string, data []byte) *File {
	f := &File{Name: name}
	pl := &problemList{file: name}
	defer func() { f.Problems, f.Notes = pl.list, pl.notes }()

	doc, ok := decodeText(pl, data)
	if !ok {
		return f
	}
	var m map[string]any
	if _, err := toml.Decode(doc, &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line := pe.Position.Line
			if strings.Contains(pe.Message, "table") && strings.Contains(pe.Message, `'\n'`) && line > 1 {
				line-- // a table header ended too soon: the parser names the next line
			}
			pl.add(line, "%s", syntaxMessage(pe.Message, lineText(doc, line)))
		} else {
			pl.add(0, "这不是一个有效的 TOML 文件")
		}
		return f
	}
	lay := &lazyLayout{doc: doc}
	switch {
	case m["month"] != nil || m["quarter"] != nil:
		f.Plan = parsePlan(pl, lay, m)
		f.Plan.File = name
	case m["node"] != nil:
		f.Org = parseOrg(pl, lay, m)
		f.Org.File = name
	case len(m) == 0:
		pl.add(0, "文件里没有内容：题库文件要有 id、title 和至少一道 [[question]] 题目")
	default:
		f.Bank = parseBank(pl, lay, m)
		if f.Bank != nil {
			f.Bank.File = name
		}
	}
	return f
}

// decodeText checks that data is a non-empty UTF-8 text file and returns it
// without a byte-order mark.
func decodeText(pl *problemList, data []byte) (string, bool) {
	if len(data) > MaxFileSize {
		pl.add(0, "文件太大（%d 字节），一个文件最多 %d 字节；请把题目分成几套题库", len(data), MaxFileSize)
		return "", false
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		pl.add(0, "文件是空的")
		return "", false
	}
	if bytes.IndexByte(data, 0) >= 0 {
		pl.add(0, "这不是文本文件（可能是图片、Word 文档或压缩包）：题库必须是 UTF-8 编码的 .toml 文本文件")
		return "", false
	}
	if !utf8.Valid(data) {
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line++
			}
			i += size
		}
		pl.add(line, "文件不是 UTF-8 编码（可能是 GBK 等其他编码）：请在编辑器里选择“UTF-8”重新保存")
		return "", false
	}
	// The bytes are not changed after this point: share them with the
	// string instead of copying a file that may be a megabyte.
	return unsafe.String(unsafe.SliceData(data), len(data)), true
}

// syntaxMessage translates the TOML parser's message into words a bank
// author understands. The common messages of BurntSushi/toml are put in
// Chinese whole; an uncommon one keeps the parser's words after a Chinese
// hint, for whoever helps the author.
func syntaxMessage(msg, line string) string {
	got := between(msg, "got ", " instead")
	if got == "" {
		got = between(msg, "found ", " instead")
	}
	got = strings.Trim(got, `'"`)
	switch {
	case strings.ContainsAny(msg, "“”‘’"):
		return "引号要用英文双引号 \" ，不能用中文引号 “ ”"
	case strings.Contains(msg, "has already been defined"):
		key := between(msg, "Key '", "'")
		if i := strings.LastIndexByte(key, '.'); i >= 0 {
			key = key[i+1:]
		}
		return fmt.Sprintf("键 %s 写了两次（同一道题里每个键只能写一次；每道新题要以 [[question]] 开头）", key)
	case strings.Contains(msg, "was already created") || strings.Contains(msg, "is not a table"):
		return "同一个表名既写成了 [表名] 又写成了 [[表名]]：每道题都以 [[question]] 开头（两层方括号）"
	case strings.Contains(msg, "strings cannot contain newlines"):
		return "文字没有结束：缺少右边的英文双引号；要换行的长文字请用三个双引号 \"\"\" 括起来"
	case strings.Contains(msg, "newlines not allowed within inline tables"):
		return "花括号 { } 里的内容必须写在同一行"
	case strings.Contains(msg, "array terminator"):
		if got == "，" || got == "、" {
			return "列表里的各项要用英文逗号 , 分隔，不能用中文逗号 ，或顿号 、"
		}
		return "列表没有写完：各项之间用英文逗号 , 分隔，最后用 ] 结束；每一项文字都要用英文双引号括起来"
	case strings.Contains(msg, "inline table terminator"):
		return "花括号 { } 里的各项之间用英文逗号 , 分隔，最后用 } 结束"
	case strings.Contains(msg, "expected value"):
		return "等号右边缺少值，或者文字没有用英文双引号括起来"
	case strings.Contains(msg, "expected '.' or '='"):
		if got == "：" || got == "＝" || got == ":" {
			return "键和值之间要用英文等号 = ，不能用冒号或中文等号 ＝"
		}
		return "这一行应当写成 键 = 值 的形式（文字要用英文双引号括起来）"
	case strings.Contains(msg, "expected key separator"):
		return "这一行应当写成 键 = 值 的形式，缺少等号 ="
	case strings.Contains(msg, "key name appears blank"):
		return "等号左边缺少键名"
	case strings.Contains(msg, "expected a top-level item to end with") && startsWithNumber(line):
		return "数字写错了：文字（包括 1.5% 这样带符号的数字）要用英文双引号括起来"
	case strings.Contains(msg, "expected a top-level item to end with"):
		return fmt.Sprintf("值的后面多了内容（%s）：一行只能写一个 键 = 值；文字里要写英文双引号时请写成 \\\" ，或改用中文引号 “ ”", got)
	case strings.Contains(msg, "table name") || strings.Contains(msg, "table separator") || strings.Contains(msg, "table array name"):
		return "方括号写错了：每道题以单独一行 [[question]] 开头（两层英文方括号）"
	case strings.Contains(msg, `expected '"""'`) || strings.Contains(msg, `expected "'''"`):
		return "长文字没有结束：缺少结尾的三个引号"
	case strings.Contains(msg, `expected '"'`) || strings.Contains(msg, `expected "'"`):
		return "文字没有结束：缺少右边的英文双引号"
	case strings.Contains(msg, "invalid escape") || strings.Contains(msg, "hexadecimal digits after"):
		return "文字里的反斜杠 \\ 要写成两个 \\\\ （或把文字改用单引号 ' 括起来）"
	case strings.Contains(msg, "control characters"):
		return "文字里有看不见的控制字符（常见于从网页或 Word 复制的内容）：请删去这一行里的特殊字符后重新输入"
	case strings.Contains(msg, "invalid float") || strings.Contains(msg, "floats must") || strings.Contains(msg, "expected a digit") ||
		strings.Contains(msg, "number") || strings.Contains(msg, "out of range") || strings.Contains(msg, "invalid datetime"):
		return "数字写错了：文字（包括 1.5% 这样带符号的数字）要用英文双引号括起来"
	case strings.Contains(msg, "unexpected comma"):
		return "多了一个逗号"
	case strings.Contains(msg, "keys cannot start with a '.'") || msg == "unexpected '.'":
		return "键名的位置不能有点号 ."
	case strings.Contains(msg, "unexpected '='"):
		return "多了一个等号 ="
	case strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "end of file"):
		return "文件意外结束：有括号或引号没有配对"
	case strings.Contains(msg, "NULL bytes") || strings.Contains(msg, "UTF-8"):
		return "文件不是 UTF-8 编码：请在编辑器里选择“UTF-8”重新保存"
	}
	return fmt.Sprintf("TOML 格式错误（解析器原文：%s）", msg)
}

// lineText is line n (1-based) of doc.
func lineText(doc string, n int) string {
	for i := 1; i < n; i++ {
		j := strings.IndexByte(doc, '\n')
		if j < 0 {
			return ""
		}
		doc = doc[j+1:]
	}
	if j := strings.IndexByte(doc, '\n'); j >= 0 {
		doc = doc[:j]
	}
	return doc
}

// startsWithNumber reports whether the value of a "key = value" line
// starts as a number.
func startsWithNumber(line string) bool {
	_, v, ok := strings.Cut(line, "=")
	v = strings.TrimLeft(v, " \t+-")
	return ok && v != "" && v[0] >= '0' && v[0] <= '9'
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}

var (
	bankKeys     = []string{"id", "title", "topic", "source", "question"}
	questionKeys = []string{"id", "type", "text", "options", "answer", "explanation", "source", "topic", "difficulty", "shuffle"}
)

// checkKeys reports every key of m that is not one of allowed, with a
// suggestion when it looks like a typo.
func checkKeys(pl *problemList, m map[string]any, allowed []string, lineOf func(string) int, where string) {
	unknown := false
	for k := range m {
		if !contains(allowed, k) {
			unknown = true
			break
		}
	}
	if !unknown {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if contains(allowed, k) {
			continue
		}
		if s := suggest(k, allowed); s != "" {
			pl.add(lineOf(k), "%s不认识的键 %q：是不是想写 %q？", where, k, s)
		} else {
			pl.add(lineOf(k), "%s不认识的键 %q（可以用的键：%s）", where, k, strings.Join(allowed, "、"))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the allowed key closest to k when it is within two edits.
func suggest(k string, allowed []string) string {
	best, bestD := "", 3
	lk := strings.ToLower(k)
	for _, a := range allowed {
		if d := editDistance(lk, a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// fieldReader reads typed values out of one decoded table and reports
// type mistakes at the key's line.
type fieldReader struct {
	pl    *problemList
	m     map[string]any
	line  func(key string) int
	where string // "第 3 题：" or ""
}

// text returns a string field; required fields that are missing or blank
// are reported. Integers are accepted where a string is asked for (an id
// written as 12 instead of "12").
func (r fieldReader) text(key, label string, required bool) (string, bool) {
	v, ok := r.m[key]
	if !ok {
		if required {
			r.pl.add(r.line(key), "%s缺少 %s（%s）", r.where, key, label)
		}
		return "", !required
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case int64:
		if key != "id" {
			r.pl.add(r.line(key), "%s%s（%s）应当是用英文双引号括起来的文字", r.where, key, label)
			return "", false
		}
		s = fmt.Sprint(v)
	default:
		r.pl.add(r.line(key), "%s%s（%s）应当是用英文双引号括起来的文字", r.where, key, label)
		return "", false
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			r.pl.add(r.line(key), "%s%s（%s）是空的", r.where, key, label)
			return "", false
		}
	}
	return s, true
}

// textList returns a list of strings (a single string is accepted as a
// list of one when single is true).
func (r fieldReader) textList(key, label string, single bool) ([]string, bool) {
	v, ok := r.m[key]
	if !ok {
		return nil, true
	}
	switch v := v.(type) {
	case string:
		if single {
			return []string{v}, true
		}
	case []any:
		out := make([]string, 0, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				r.pl.add(r.line(key), "%s%s（%s）的第 %d 项应当是用英文双引号括起来的文字", r.where, key, label, i+1)
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	r.pl.add(r.line(key), "%s%s（%s）应当是列表，写成 [\"…\", \"…\"]", r.where, key, label)
	return nil, false
}

func checkID(r fieldReader, id, what string) bool {
	if id == "" {
		return false
	}
	if len(id) > MaxIDLen || !idPattern.MatchString(id) {
		r.pl.add(r.line("id"), "%s%s编号 %q 只能用英文字母、数字、- 和 _，最长 %d 个字符", r.where, what, id, MaxIDLen)
		return false
	}
	return true
}

// parseBank reads a bank. The bank is returned even when it has problems,
// holding the questions that had none, so the summary can count them; a
// file with problems never reaches a Catalog.
func parseBank(pl *problemList, z *lazyLayout, m map[string]any) *Bank {
	top := fieldReader{pl: pl, m: m, line: func(k string) int { return z.topLine(k, 1) }}
	checkKeys(pl, m, bankKeys, top.line, "")
	b := &Bank{}
	b.ID, _ = top.text("id", "题库编号", true)
	checkID(top, b.ID, "题库")
	b.Title, _ = top.text("title", "题库名称", true)
	if n := utf8.RuneCountInString(b.Title); n > MaxTitleRunes {
		pl.add(top.line("title"), "题库名称有 %d 个字，最多 %d 个字", n, MaxTitleRunes)
	}
	b.Topic, _ = top.text("topic", "默认专题", false)
	b.Source, _ = top.text("source", "默认出处", false)

	tables, ok := tablesOf(pl, z, m, "question")
	if ok && len(tables) == 0 {
		pl.add(1, "题库里没有题目：每道题以一行 [[question]] 开头")
	}
	seen := make(map[string]int, len(tables))
	var index []int // the table of each question kept
	for i, t := range tables {
		lineOf := func(k string) int { return z.keyLine("question", i, k) }
		q := parseQuestion(pl, lineOf, fmt.Sprintf("第 %d 题：", i+1), t, b)
		if q == nil {
			continue
		}
		if first, dup := seen[q.ID]; dup {
			pl.add(z.keyLine("question", i, "id"), "第 %d 题：题目编号 %q 重复了，第 %d 行已经用过", i+1, q.ID, z.keyLine("question", first, "id"))
			continue
		}
		seen[q.ID] = i
		b.Questions = append(b.Questions, q)
		index = append(index, i)
	}
	b.place = func(j int) (Problem, string) {
		return Problem{File: pl.file, Line: z.headerLine("question", index[j])}, fmt.Sprintf("第 %d 题：", index[j]+1)
	}
	checkDuplicates(pl, b)
	return b
}

// parseQuestion reads one question from its decoded table. lineOf gives
// the line (or row) a key was written on; where begins every problem
// ("第 3 题：", or "" in a spreadsheet, whose row says it). It returns
// nil when the question has a problem.
func parseQuestion(pl *problemList, lineOf func(string) int, where string, m map[string]any, b *Bank) *Question {
	r := fieldReader{pl: pl, m: m, line: lineOf, where: where}
	before := len(pl.list)
	checkKeys(pl, m, questionKeys, lineOf, r.where)

	q := &Question{}
	q.ID, _ = r.text("id", "题目编号", true)
	checkID(r, q.ID, "题目")
	typ, _ := r.text("type", "题型：单选、多选、判断或填空", true)
	if typ != "" {
		t, ok := parseType(typ)
		if !ok {
			pl.add(lineOf("type"), "%s题型 %q 不认识，只能是 单选、多选、判断 或 填空", r.where, typ)
		}
		q.Type = t
	}
	q.Text, _ = r.text("text", "题干", true)
	q.Explanation, _ = r.text("explanation", "解析", false)
	q.Source, _ = r.text("source", "出处", false)
	q.Topic, _ = r.text("topic", "专题", false)
	if q.Source == "" {
		q.Source = b.Source
	}
	if q.Topic == "" {
		q.Topic = b.Topic
	}
	if v, ok := m["difficulty"]; ok {
		d, ok := parseDifficulty(v)
		if !ok {
			pl.add(lineOf("difficulty"), "%s难度只能是 \"易\"、\"中\" 或 \"难\"", r.where)
		}
		q.Difficulty = d
	}
	if v, ok := m["shuffle"]; ok {
		shuffle, isBool := v.(bool)
		if !isBool {
			pl.add(lineOf("shuffle"), "%sshuffle（打乱选项顺序）只能写 true 或 false，不加引号", r.where)
		}
		q.KeepOrder = isBool && !shuffle
	}
	opts, optsOK := r.textList("options", "选项", false)
	var normOpts []string
	if optsOK {
		normOpts = checkOptions(r, q, opts)
	}
	checkAnswer(r, q, m["answer"])
	if len(pl.list) == before {
		checkSize(r, q)
	}
	if len(pl.list) > before {
		return nil
	}
	checkNotes(r, q)
	q.key = dupKeyOf(q, normOpts)
	return q
}

func parseType(s string) (Type, bool) {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "题")) {
	case "单选", "single":
		return Single, true
	case "多选", "multiple":
		return Multiple, true
	case "判断", "truefalse", "true/false", "judge":
		return TrueFalse, true
	case "填空", "fill":
		return Fill, true
	}
	return "", false
}

func parseDifficulty(v any) (Difficulty, bool) {
	switch v := v.(type) {
	case string:
		switch strings.TrimSpace(v) {
		case "易", "容易", "简单":
			return Easy, true
		case "中", "中等", "一般":
			return Medium, true
		case "难", "困难", "较难":
			return Hard, true
		}
	case int64:
		if v >= 1 && v <= 3 {
			return Difficulty(v), true
		}
	}
	return 0, false
}

// checkOptions checks and sets the options of a question; it returns
// them normalized (for finding copies of the question).
func checkOptions(r fieldReader, q *Question, opts []string) []string {
	line := func() int { return r.line("options") } // lines only for problems: see lazyLayout
	switch q.Type {
	case TrueFalse, Fill:
		if opts != nil {
			r.pl.add(line(), "%s%s题不需要 options（选项），请删去这一行", r.where, q.Type)
		}
		if q.Type == TrueFalse {
			q.Options = TrueFalseOptions
		}
		return nil
	case "":
		q.Options = opts
		return nil
	}
	min := 2
	if q.Type == Multiple {
		min = 3
	}
	if opts == nil {
		r.pl.add(line(), "%s缺少 options（选项）", r.where)
		return nil
	}
	if len(opts) < min {
		r.pl.add(line(), "%s%s题至少要有 %d 个选项，这里只有 %d 个", r.where, q.Type, min, len(opts))
	}
	if len(opts) > MaxOptions {
		r.pl.add(line(), "%s最多 %d 个选项（A–%s），这里有 %d 个", r.where, MaxOptions, Letter(MaxOptions-1), len(opts))
	}
	seen := map[string]int{}
	norms := make([]string, len(opts))
	for i, o := range opts {
		o = strings.TrimSpace(o)
		opts[i] = o
		switch {
		case o == "":
			r.pl.add(line(), "%s选项 %s 是空的", r.where, Letter(i))
			continue
		case strings.ContainsAny(o, "\n\r"):
			r.pl.add(line(), "%s选项 %s 不能换行", r.where, Letter(i))
		}
		key := Normalize(o)
		if key == "" {
			key = o
		}
		norms[i] = key
		if j, dup := seen[key]; dup {
			r.pl.add(line(), "%s选项 %s 和选项 %s 相同", r.where, Letter(j), Letter(i))
		} else {
			seen[key] = i
		}
	}
	q.Options = opts
	return norms
}

// checkAnswer reads the answer according to the question's type.
func checkAnswer(r fieldReader, q *Question, v any) {
	line := func() int { return r.line("answer") }
	if v == nil {
		r.pl.add(line(), "%s缺少 answer（答案）", r.where)
		return
	}
	switch q.Type {
	case "":
		return // the type is already reported
	case TrueFalse:
		if b, ok := v.(bool); ok {
			q.Answer = []int{boolIndex(b)}
			return
		}
		s, _ := v.(string)
		switch i := trueFalseIndex(s); i {
		case 0, 1:
			q.Answer = []int{i}
		default:
			r.pl.add(line(), "%s判断题的答案只能是 \"对\" 或 \"错\"", r.where)
		}
	case Fill:
		checkFill(r, q, v)
	case Single, Multiple:
		letters, ok := answerLetters(v)
		if !ok {
			r.pl.add(line(), "%s答案应当是选项字母，例如 \"B\"\uff08单选）或 \"ACD\"\uff08多选）", r.where)
			return
		}
		seen := map[int]bool{}
		for _, c := range letters {
			i := int(c - 'A')
			if seen[i] {
				r.pl.add(line(), "%s答案里 %c 写了两次", r.where, c)
				return
			}
			seen[i] = true
			if len(q.Options) > 0 && i >= len(q.Options) {
				r.pl.add(line(), "%s答案 %c 没有对应的选项（这道题只有 A–%s 共 %d 个选项）", r.where, c, Letter(len(q.Options)-1), len(q.Options))
				return
			}
			q.Answer = append(q.Answer, i)
		}
		sort.Ints(q.Answer)
		switch {
		case len(q.Answer) == 0:
			r.pl.add(line(), "%s答案是空的", r.where)
		case q.Type == Single && len(q.Answer) > 1:
			r.pl.add(line(), "%s单选题只能有一个答案，这里写了 %d 个（%s）；如果有几个正确答案，请改为多选题", r.where, len(q.Answer), string(letters))
		case q.Type == Multiple && len(q.Answer) < 2:
			r.pl.add(line(), "%s多选题至少要有两个正确答案；只有一个正确答案的请改为单选题", r.where)
		}
	}
}

func boolIndex(b bool) int {
	if b {
		return 0
	}
	return 1
}

// answerLetters accepts "B", "a", "ACD", "A,C,D", "A、C、D", "Ａ" or
// ["A", "C"], and returns the upper-case letters.
func answerLetters(v any) ([]rune, bool) {
	var parts []string
	switch v := v.(type) {
	case string:
		parts = []string{v}
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			parts = append(parts, s)
		}
	default:
		return nil, false
	}
	var out []rune
	for _, p := range parts {
		for _, c := range strings.ToUpper(norm.NFKC.String(p)) {
			switch {
			case c >= 'A' && c <= 'Z':
				out = append(out, c)
			case strings.ContainsRune(" ,;/|\u3001", c):
			default:
				return nil, false
			}
		}
	}
	return out, true
}

// trueFalseIndex reads a 判断 answer: 0 for 对 (对, 正确, √, T, 是, …), 1
// for 错 (错, 错误, ×, F, 否, …), -1 for anything else.
func trueFalseIndex(s string) int {
	switch strings.ToLower(strings.TrimSpace(norm.NFKC.String(s))) {
	case "对", "正确", "√", "✓", "✔", "true", "t", "是", "yes", "y":
		return 0
	case "错", "错误", "×", "✗", "✘", "x", "false", "f", "否", "no", "n":
		return 1
	}
	return -1
}

// checkSize makes sure the question, once answered and explained, fits one
// Telegram message with room for the bot's own words. Options are lines of
// the message (buttons carry only their letters), so an option may be long
// as long as the whole question fits; without an explanation the feedback
// shows the right options' text again.
func checkSize(r fieldReader, q *Question) {
	n := utf8.RuneCountInString(q.Text) + utf8.RuneCountInString(q.Explanation) +
		utf8.RuneCountInString(q.Source) + utf8.RuneCountInString(q.AnswerText())
	for _, o := range q.Options {
		n += utf8.RuneCountInString(o) + 4
	}
	if q.Explanation == "" && (q.Type == Single || q.Type == Multiple) {
		for _, i := range q.Answer {
			n += utf8.RuneCountInString(q.Options[i]) + 4
		}
	}
	if limit := MessageLimit - MessageReserve; n > limit {
		r.pl.add(r.line("text"), "%s题干、选项、解析和出处合计 %d 个字，超过了 Telegram 一条消息能容纳的 %d 个字，请精简", r.where, n, limit)
	}
}
