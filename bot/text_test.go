package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestChinesePunctuation: every Chinese text a user reads uses Chinese
// punctuation (，：；？！（）), not ASCII marks, outside HTML tags.
func TestChinesePunctuation(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "text.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		lit, ok := node.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.ContainsFunc(s, isHan) {
			return true
		}
		n++
		if bad := asciiPunct(s); bad != "" {
			t.Errorf("%s: ASCII %q in Chinese text %q", fset.Position(lit.Pos()), bad, s)
		}
		return true
	})
	if n < 100 {
		t.Fatalf("only %d Chinese texts found in text.go", n)
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// asciiPunct returns the first ASCII mark that should be Chinese.
func asciiPunct(s string) string {
	in := false
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '<':
			in = true
		case '>':
			in = false
		case ',', ';', ':', '?', '!', '(', ')':
			if in || (i+2 < len(rs) && r == ':' && rs[i+1] == '/' && rs[i+2] == '/') {
				continue
			}
			return string(r)
		}
	}
	return ""
}

// TestReasonsWorded: every reason the engine gives has words.
func TestReasonsWorded(t *testing.T) {
	for _, r := range []string{"not_member", "no_questions", "outside_window", "no_attempts", "closed",
		"answered", "not_current", "not_yours", "bad_choice", "empty_answer", "review_later",
		"invite_unknown", "invite_expired", "bad_name", "node_unknown", "not_in_scope", "storage_full",
		"not_leaf", "no_mistakes"} {
		if reasonText[r] == "" {
			t.Errorf("no words for %q", r)
		}
	}
}

// TestSplitMessage: long texts split at lines, each part within the limit.
func TestSplitMessage(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		b.WriteString("<b>第" + strconv.Itoa(i) + "行</b>" + strings.Repeat("字", 30) + "\n")
	}
	parts := splitMessage(b.String())
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	total := 0
	for _, p := range parts {
		if visibleLen(p) > maxMessage {
			t.Errorf("a part of %d characters", visibleLen(p))
		}
		if strings.Count(p, "<b>") != strings.Count(p, "</b>") {
			t.Errorf("a split broke a tag")
		}
		total += strings.Count(p, "\n") + 1
	}
	if total != 300 {
		t.Errorf("%d lines after splitting, want 300", total)
	}
	if got := splitMessage("短"); len(got) != 1 || got[0] != "短" {
		t.Errorf("short text: %v", got)
	}
}
