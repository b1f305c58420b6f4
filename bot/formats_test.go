package bot_test

import (
	"strings"
	"testing"
)

// TestAcceptedFormatsNamed: every text that says which files an upload
// takes names all three — .toml, Excel (.xlsx) and Word papers (.docx) —
// the refusal of a file of another type (a .txt, a picture named .docx),
// the admin's /help and /banks.
func TestAcceptedFormatsNamed(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	var texts []string
	for _, f := range []struct{ name, mime string }{{"notes.txt", "text/plain"}, {"paper.docx", "image/png"}} {
		seq := admin.Seq()
		admin.SendDocument(f.name, f.mime, []byte("hello"))
		texts = append(texts, e.waitAfter(admin, seq, "请发送").Text)
	}
	texts = append(texts, e.send(admin, "/help", "/banks").Text, e.send(admin, "/banks", "已发布的题库").Text)
	for _, s := range texts {
		for _, want := range []string{".toml", ".xlsx", ".docx"} {
			if !strings.Contains(s, want) {
				t.Errorf("a text about uploads lacks %s: %s", want, s)
			}
		}
	}
}
