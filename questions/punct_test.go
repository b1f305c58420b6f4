package questions_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestChinesePunctuation: the validator's messages are Chinese sentences
// with Chinese punctuation; ASCII marks appear only as TOML syntax quoted
// in a message (after a quote, or alone between spaces).
func TestChinesePunctuation(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			if call, ok := node.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "MustCompile" {
					return false // a regular expression, not a message
				}
			}
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				return true
			}
			n++
			rs := []rune(s)
			for i, r := range rs {
				if !strings.ContainsRune(",;:?!()", r) {
					continue
				}
				prev, next := ' ', ' '
				if i > 0 {
					prev = rs[i-1]
				}
				if i+1 < len(rs) {
					next = rs[i+1]
				}
				if prev == '"' || (prev == ' ' && next == ' ') || next == '"' {
					continue // TOML syntax shown to the author
				}
				t.Errorf("%s: ASCII %q in %q", fset.Position(lit.Pos()), r, s)
				break
			}
			return true
		})
	}
	if n < 50 {
		t.Fatalf("only %d Chinese messages found", n)
	}
}
