package main

import (
	"os"
	"path/filepath"
	"testing"

	"partyquiz/questions"
)

// TestContentSaysWhereItCameFrom: the banks and the tree the program
// starts with say whether they are built in — what /banks shows as 内置 —
// the catalog naming the tree in use even when [bot] org names a file.
func TestContentSaysWhereItCameFrom(t *testing.T) {
	c := DefaultConfig()
	content, err := loadContent(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range content.Catalog.Banks {
		if !b.Builtin {
			t.Errorf("built-in bank %s is not marked built in", b.ID)
		}
	}
	if p, o := content.Catalog.Plan, content.Catalog.Org; p == nil || !p.Builtin || o == nil || !o.Builtin {
		t.Errorf("built-in plan and tree: %+v, %+v", p, o)
	}

	dir := t.TempDir()
	sanhui, _ := questions.BuiltinFile("sanhui-yike.toml")
	org, _ := questions.BuiltinFile("org.toml")
	orgFile := filepath.Join(t.TempDir(), "my-org.toml")
	if err := os.WriteFile(filepath.Join(dir, "sanhui-yike.toml"), sanhui, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(orgFile, org, 0o600); err != nil {
		t.Fatal(err)
	}
	c.Questions.Dir, c.Bot.Org = dir, orgFile
	content, err = loadContent(c)
	if err != nil {
		t.Fatal(err)
	}
	if b := content.Catalog.Bank("sanhui-yike"); b == nil || b.Builtin || len(content.Catalog.Banks) != 1 {
		t.Errorf("a bank from [questions] dir: %+v", b)
	}
	if o := content.Catalog.Org; o == nil || o.Builtin || o.File != orgFile {
		t.Errorf("the tree from [bot] org: %+v", o)
	}
}
