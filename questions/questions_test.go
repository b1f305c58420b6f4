package questions_test

import (
	"flag"
	"os"
	"path/filepath"
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
			var b strings.Builder
			for _, p := range set.Problems {
				b.WriteString(p.String())
				b.WriteByte('\n')
			}
			golden := strings.TrimSuffix(f, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("problems differ\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
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
	want := "共 3 个文件：题库 2 套，题目 9 道（单选 2，多选 2，判断 3，填空 2），学习计划 1 份；没有发现问题。"
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
