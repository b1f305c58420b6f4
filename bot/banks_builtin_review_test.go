package bot_test

import (
	"strings"
	"testing"

	"partyquiz/questions"
)

// TestNoBuiltinRestoreForFolderContent: with the banks and the tree read
// from a folder on the server, nothing was built in — the program's sample
// tree was never in use — so a card must not offer ↩️ 恢复内置版本 once a
// version is published in chat: it would offer to publish the program's
// sample tree (示例组织架构) over the deployment's own as a "restore".
func TestNoBuiltinRestoreForFolderContent(t *testing.T) {
	builtin, _ := questions.BuiltinFile("org.toml")
	own := strings.Replace(string(builtin), `name = "第一片区"`, `name = "东片区"`, 1)
	if own == string(builtin) {
		t.Fatal("setup: the node's name is not in the file as written")
	}
	e := newEnv(t, fromFolder(t, map[string]string{"test-bank.toml": goodBank, "org.toml": own}))
	admin := e.srv.NewUser(adminID, "组织部")
	e.upload(admin, "org.toml", strings.Replace(own, `name = "第二片区"`, `name = "西片区"`, 1), "确认发布吗")
	e.press(admin, "发布", "第 1 版")
	e.send(admin, "/banks", "已发布的题库")
	card := e.press(admin, "🏛 组织架构", "版本记录")
	if card.HasButton("↩️ 恢复内置版本") {
		m := e.press(admin, "↩️ 恢复内置版本", "")
		t.Errorf("a tree read from the server's folder offers to restore a built-in version it never had; pressed:\n%s", m.Text)
	}
}
