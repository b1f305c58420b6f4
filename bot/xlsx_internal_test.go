package bot

import (
	"fmt"
	"strings"
	"testing"

	"partyquiz/questions"
)

// TestBanksKeyboard: /banks offers every bank for download, twenty a page
// with page buttons, each button's data within Telegram's 64 bytes.
func TestBanksKeyboard(t *testing.T) {
	var files []*questions.File
	for i := 0; i < 45; i++ {
		id := fmt.Sprintf("bank-%02d-%s", i, "abcdefghijklmnopqrstu") // 32 characters, the longest id
		f := questions.ParseFile(id+".toml", []byte(fmt.Sprintf("id = %q\ntitle = \"第 %d 套题库\"\n\n[[question]]\nid = \"1\"\ntype = \"判断\"\ntext = \"第 %d 套的题。\"\nanswer = \"对\"\n", id, i+1, i+1)))
		if len(f.Problems) > 0 {
			t.Fatal(f.Problems)
		}
		files = append(files, f)
	}
	c := questions.NewSet(files, nil).Catalog
	seen := map[string]bool{}
	for page := 0; page < 3; page++ {
		kb := banksKeyboard(c, page)
		n := 0
		for _, row := range kb.InlineKeyboard {
			for _, btn := range row {
				if len(*btn.CallbackData) > 64 {
					t.Errorf("button data %q is %d bytes", *btn.CallbackData, len(*btn.CallbackData))
				}
				if id, ok := strings.CutPrefix(*btn.CallbackData, "bx:"); ok && id != "n" && !strings.HasPrefix(id, "p:") {
					seen[id] = true
					n++
				}
			}
		}
		if want := min(20, 45-page*20); n != want {
			t.Errorf("page %d: %d banks, want %d", page, n, want)
		}
	}
	if len(seen) != 45 {
		t.Errorf("%d banks offered in all, want 45", len(seen))
	}
}
