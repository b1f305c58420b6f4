package bot

import (
	"fmt"
	"strings"
	"testing"

	"partyquiz/questions"
)

// TestBanksKeyboard: /banks opens every bank's card, twenty a page with
// page buttons, each button's data within Telegram's 64 bytes.
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
				if id, ok := strings.CutPrefix(*btn.CallbackData, "bk:b:"); ok {
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

// TestPendingUploadFormat: a pending upload or roll back decodes as it was
// kept; a dialog kept by an older program (lines: file id, name, token,
// summary hash) and anything else malformed decode as stale.
func TestPendingUploadFormat(t *testing.T) {
	for _, p := range []pendingUpload{
		{FileID: "F1", Name: "a\nb.toml", Token: "0badf00d", Summary: "12345678"},
		{Name: "test-bank.toml", Token: "01234567", Summary: "89abcdef", Kind: "bank", ID: "test-bank", Version: 3},
	} {
		got, ok := decodeUpload(p.encode())
		p.Format = uploadFormat
		if !ok || got != p {
			t.Errorf("decode(encode(%+v)) = %+v, %v", p, got, ok)
		}
	}
	for _, s := range []string{
		"FILEID\nname.toml\n0badf00d\n12345678", // the older format
		"", "{}", `{"v":1,"f":"F","t":"x"}`, `{"v":2,"f":"F"}`,
		`{"v":2,"t":"x"}`, // neither a file nor a version
		`{"v":2,"f":"F","t":"x","r":2,"k":"bank","i":"b"}`, // both
	} {
		if p, ok := decodeUpload(s); ok {
			t.Errorf("decode(%q) = %+v, want stale", s, p)
		}
	}
}
