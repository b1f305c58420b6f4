package questions_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"partyquiz/questions"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/broken")

// TestBroken reads every broken file and compares the problems reported,
// line by line, with the file's .golden twin.
func TestBroken(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			set := questions.Load(f)
			if set.Catalog != nil {
				t.Fatalf("a broken file produced a catalog")
			}
			if len(set.Problems) == 0 {
				t.Fatalf("no problems reported")
			}
			checkGolden(t, strings.TrimSuffix(f, ".toml")+".golden", report(set.Problems, set.Notes))
		})
	}
}

// report is problems, one per line, then notes, each as "提示：…".
func report(problems, notes questions.Problems) string {
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	for _, p := range notes {
		b.WriteString("提示：")
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// checkGolden compares got with the golden file (rewritten by -update).
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

// TestNotes: files that real authors get half right are accepted, with a
// note for each thing to look at — options that carry their own letter,
// options or explanations that refer to other options, the same question
// twice in a bank or across banks, blanks that do not match the answers —
// each at its line, compared with notes.golden.
func TestNotes(t *testing.T) {
	set := questions.Load("testdata/notes")
	if set.Catalog == nil {
		t.Fatalf("notes refused the files:\n%v", set.Problems)
	}
	checkGolden(t, "testdata/notes/notes.golden", report(nil, set.Notes))
	c := set.Catalog
	if q := c.Question("shuffle", "4"); q == nil || !q.KeepOrder {
		t.Errorf("shuffle = false not read: %+v", q)
	}
	if q := c.Question("shuffle", "1"); q == nil || q.KeepOrder {
		t.Errorf("a question without shuffle keeps its order: %+v", q)
	}
	if q := c.Question("letters", "1"); q == nil || q.Explanation != "" {
		t.Errorf("a question without explanation: %+v", q)
	}
}

// TestBlanks: a 填空 with several blanks is answered blank by blank, in
// order, with any separator, or run together when no two blanks meet
// digit to digit.
func TestBlanks(t *testing.T) {
	c := questions.Load("testdata/notes").Catalog
	if c == nil {
		t.Fatal("no catalog")
	}
	tests := []struct {
		id    string
		typed string
		want  bool
	}{
		{"1", "支部党员大会 支部委员会 党小组会", true},
		{"1", "支部党员大会，支部委员会，党小组会。", true},
		{"1", "支部党员大会、支部委员会、党小组会", true},
		{"1", "支部党员大会支部委员会党小组会", true},
		{"1", "支部党员大会 党小组会 支部委员会", false}, // order
		{"1", "支部党员大会 支部委员会", false},
		{"1", "支部党员大会 支部委员会 党小组会 党课", false},
		{"2", "0.5% 1%", true},
		{"2", "0.5%，1%", true},
		{"2", "0.5%1%", true}, // "%" between them: no digit meets a digit
		{"2", "5% 1%", false},
		{"2", "0.5 1", false},
		{"3", "党课 支委会", true},
		{"3", "党课 支部委员会", true},
		{"3", "党课 党小组会", false},
	}
	for _, tt := range tests {
		q := c.Question("blanks", tt.id)
		if got := q.MatchFill(tt.typed); got != tt.want {
			t.Errorf("blanks/%s MatchFill(%q) = %v, want %v", tt.id, tt.typed, got, tt.want)
		}
	}
	q := c.Question("blanks", "3")
	if got, want := q.AnswerText(), "党课；支部委员会 / 支委会"; got != want {
		t.Errorf("AnswerText = %q, want %q", got, want)
	}
	if got := len(q.Blanks()); got != 2 {
		t.Errorf("Blanks: %d, want 2", got)
	}
	// Two blanks "1" and "5" typed together are not accepted: "15".
	one := &questions.Question{Type: questions.Fill, Accepted: []string{"1|5"}}
	if one.MatchFill("15") || !one.MatchFill("1 5") || !one.MatchFill("1，5") {
		t.Errorf("digit blanks: 15 %v, 1 5 %v, 1，5 %v", one.MatchFill("15"), one.MatchFill("1 5"), one.MatchFill("1，5"))
	}
}

func TestValid(t *testing.T) {
	set := questions.Load("testdata/valid")
	if len(set.Problems) > 0 {
		t.Fatalf("problems in valid files:\n%v", set.Problems)
	}
	c := set.Catalog
	if got, want := len(c.Banks), 2; got != want {
		t.Fatalf("banks: got %d, want %d", got, want)
	}
	if c.Plan == nil || c.Plan.Month(1) == nil || c.Plan.Month(2) != nil {
		t.Fatalf("plan not read: %+v", c.Plan)
	}
	if got := c.Plan.QuarterBanks(1); len(got) != 1 || got[0] != "sanhui-yike" {
		t.Errorf("quarter 1 banks: got %v", got)
	}

	tests := []struct {
		bank, id string
		typ      questions.Type
		answer   string
		options  int
	}{
		{"sanhui-yike", "001", questions.Single, "A", 4},
		{"sanhui-yike", "002", questions.Multiple, "ABC", 4},
		{"sanhui-yike", "003", questions.TrueFalse, "错", 2},
		{"sanhui-yike", "004", questions.Fill, "党课", 0},
		{"lenient_01", "1", questions.Single, "B", 2},
		{"lenient_01", "2", questions.Multiple, "AC", 3},
		{"lenient_01", "3", questions.TrueFalse, "对", 2},
		{"lenient_01", "4", questions.TrueFalse, "错", 2},
		{"lenient_01", "5", questions.Fill, "一年", 0},
	}
	for _, tt := range tests {
		q := c.Question(tt.bank, tt.id)
		if q == nil {
			t.Errorf("%s/%s: missing", tt.bank, tt.id)
			continue
		}
		if q.Type != tt.typ || q.AnswerText() != tt.answer || len(q.Options) != tt.options {
			t.Errorf("%s/%s: got %s %q %d options, want %s %q %d", tt.bank, tt.id, q.Type, q.AnswerText(), len(q.Options), tt.typ, tt.answer, tt.options)
		}
	}
	q := c.Question("sanhui-yike", "001")
	if q.Source != "《中国共产党支部工作条例（试行）》" || q.Topic != "组织生活" {
		t.Errorf("defaults: got source %q topic %q", q.Source, q.Topic)
	}
	if got := c.Question("sanhui-yike", "004").Source; got != "《关于新形势下党内政治生活的若干准则》" {
		t.Errorf("own source: got %q", got)
	}
}

func TestDuplicateBankAcrossFiles(t *testing.T) {
	set := questions.Load("testdata/dupbank")
	if len(set.Problems) != 1 || set.Catalog != nil {
		t.Fatalf("got %v", set.Problems)
	}
	got := set.Problems[0].String()
	want := `testdata/dupbank/b.toml:1: 题库编号 "same" 和文件 testdata/dupbank/a.toml 里的题库重复了；每套题库的编号必须不同`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestMissingPath(t *testing.T) {
	set := questions.Load("testdata/no-such-dir", "testdata/valid/sanhui.toml")
	if len(set.Problems) != 1 || set.Problems[0].String() != "testdata/no-such-dir: 找不到这个文件或文件夹" {
		t.Fatalf("got %v", set.Problems)
	}
}

func TestPlanKnownBanks(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/plan.toml")
	if err != nil {
		t.Fatal(err)
	}
	f := questions.ParseFile("plan.toml", data)
	if s := questions.NewSet([]*questions.File{f}, nil); len(s.Problems) != 1 || s.Problems[0].Line != 9 {
		t.Errorf("plan alone: want one unknown-bank problem at its first use, line 9, got %v", s.Problems)
	}
	known := func(id string) bool { return id == "sanhui-yike" }
	if s := questions.NewSet([]*questions.File{f}, known); len(s.Problems) != 0 || s.Catalog == nil {
		t.Errorf("plan with published banks: got %v", s.Problems)
	}
}

func TestTooBig(t *testing.T) {
	data := make([]byte, questions.MaxFileSize+1)
	f := questions.ParseFile("big.toml", data)
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Msg, "文件太大") {
		t.Fatalf("got %v", f.Problems)
	}
}

func TestSummary(t *testing.T) {
	got := questions.Load("testdata/valid").Summary().String()
	want := "共 3 个文件：题库 2 套，题目 9 道（单选 2，多选 2，判断 3，填空 2），学习计划 1 份；没有发现问题，另有 1 条提示。"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBuiltin(t *testing.T) {
	c, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Banks) == 0 {
		t.Fatal("no built-in banks")
	}
}

// TestSyntaxInChinese: the TOML parser's common English messages come out
// in Chinese, at the line of the mistake, without the parser's words.
func TestSyntaxInChinese(t *testing.T) {
	head := "id = \"b\"\ntitle = \"题库\"\n\n[[question]]\nid = \"1\"\ntype = \"单选\"\n"
	tests := []struct {
		doc  string
		line int
		want string
	}{
		{head + "text = “中文引号”\n", 7, "不能用中文引号"},
		{head + "text = \"没有结束\n", 7, "缺少右边的英文双引号"},
		{head + "options = [\"甲\"，\"乙\"]\n", 7, "不能用中文逗号"},
		{head + "options = [\"甲\", \"乙\"\n", 7, "列表没有写完"},
		{head + "text = \n", 7, "等号右边缺少值"},
		{head + "text：\"冒号\"\n", 7, "不能用冒号"},
		{head + "三会一课是党的组织生活的基本制度。\n", 7, "键 = 值"},
		{head + "text = \"他说\"好\"\"\n", 7, "值的后面多了内容"},
		{head + "text = \"a\"\ntext = \"b\"\n", 8, "键 text 写了两次"},
		{head + "answer = 1.5%\n", 7, "数字写错了"},
		{head + "text = \"C:\\new\\dir\"\n", 7, "反斜杠"},
		{head + "explanation = \"\"\"没有结束\n", 7, "缺少结尾的三个引号"},
		{head + "[[question]\n", 7, "方括号写错了"},
		{"[question]\nid = \"1\"\n[[question]]\nid = \"2\"\n", 3, "[[question]]"},
	}
	english := regexp.MustCompile(`[A-Za-z]{4,}`)
	for _, tt := range tests {
		f := questions.ParseFile("x.toml", []byte(tt.doc))
		if len(f.Problems) == 0 {
			t.Errorf("%q: no problem", tt.doc)
			continue
		}
		p := f.Problems[0]
		if p.Line != tt.line || !strings.Contains(p.Msg, tt.want) {
			t.Errorf("%q:\ngot  %d: %s\nwant %d: …%s…", tt.doc, p.Line, p.Msg, tt.line, tt.want)
		}
		if w := english.FindString(strings.NewReplacer("question", "", "text", "", "TOML", "").Replace(p.Msg)); w != "" {
			t.Errorf("%q: English %q left in %s", tt.doc, w, p.Msg)
		}
	}
}

// TestFolderGoesOn: a file with a syntax error does not stop the others
// of its folder from being checked.
func TestFolderGoesOn(t *testing.T) {
	set := questions.Load("testdata/broken")
	var syntax, answers bool
	for _, p := range set.Problems {
		syntax = syntax || strings.HasSuffix(p.File, "syntax.toml") && p.Line == 7
		answers = answers || strings.HasSuffix(p.File, "answers.toml") && p.Line == 9
	}
	if !syntax || !answers {
		t.Errorf("syntax error reported %v, the next file's problems %v", syntax, answers)
	}
}
