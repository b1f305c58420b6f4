package bot_test

import (
	"strings"
	"testing"

	"partyquiz/bot/telegramtest"
)

// buttonsOf returns the button labels of a message, joined.
func buttonsOf(m telegramtest.Message) string { return strings.Join(m.ButtonTexts(), " | ") }

// TestInviteTree: /invite shows the organisation as a tree with buttons —
// a node above branches opens the nodes under it, 返回上级 goes back, a
// branch makes the link; a name (whole or part) works as well as an id, a
// node above branches typed with a number of days offers its branches and
// keeps the days; 书记 makes a secretary's link; no screen says 联系管理员.
func TestInviteTree(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")

	top := e.send(admin, "/invite", "请选择要邀请党员加入的党支部")
	for _, want := range []string{"中共市委", "├ 第一片区", "太平镇党委", "荆竹园村党支部"} {
		if !strings.Contains(top.Text, want) {
			t.Errorf("the tree lacks %q:\n%s", want, top.Text)
		}
	}
	if !top.HasButton("📂 第一片区") || top.HasButton("⬅️ 返回上级") {
		t.Errorf("top buttons: %s", buttonsOf(top))
	}
	area := e.press(admin, "📂 第一片区", "太平镇党委")
	if !area.HasButton("📂 太平镇党委") || !area.HasButton("⬅️ 返回上级") {
		t.Errorf("第一片区's buttons: %s", buttonsOf(area))
	}
	back := e.press(admin, "⬅️ 返回上级", "中共市委")
	if !back.HasButton("📂 第二片区") {
		t.Errorf("返回上级 did not go to the top: %s", buttonsOf(back))
	}
	e.press(admin, "📂 第一片区", "太平镇党委")
	e.press(admin, "📂 太平镇党委", "老洼坪村党支部")
	link := e.press(admin, "老洼坪村党支部", "https://t.me/")
	if !strings.Contains(link.Text, "老洼坪村党支部") || strings.Contains(link.Text, "联系管理员") {
		t.Errorf("link: %s", link.Text)
	}

	// Names, whole or in part, and ids.
	for _, arg := range []string{"老洼坪村党支部", "老洼坪", "laowaping"} {
		m := e.send(admin, "/invite "+arg, "邀请链接")
		if !strings.Contains(m.Text, "老洼坪村党支部的党员邀请链接") {
			t.Errorf("/invite %s: %s", arg, m.Text)
		}
	}
	many := e.send(admin, "/invite 党支部", "名称包含")
	if !many.HasButton("第一片区 / 太平镇党委 / 老洼坪村党支部") {
		t.Errorf("matches: %s", buttonsOf(many))
	}
	e.send(admin, "/invite 不存在的组织", "没有名称或编号为“不存在的组织”的组织")

	// A node above branches with days: its branches, the days kept.
	tp := e.send(admin, "/invite taiping 7", "请选择要邀请党员加入的党支部")
	if !tp.HasButton("牛卯坪村党支部") || !tp.HasButton("老洼坪村党支部") {
		t.Errorf("/invite taiping 7: %s", buttonsOf(tp))
	}
	e.press(admin, "牛卯坪村党支部", "链接有效期至")

	// Secretaries' links: /invite 书记 and /invite NAME 书记.
	sec := e.send(admin, "/invite 书记", "书记邀请链接的组织")
	if !sec.HasButton("✅ 中共市委的书记") {
		t.Errorf("/invite 书记: %s", buttonsOf(sec))
	}
	e.press(admin, "📂 第一片区", "第一片区")
	e.press(admin, "✅ 第一片区的书记", "第一片区的书记邀请链接")
	e.send(admin, "/invite 大沙镇党委 书记", "书记邀请链接")
	if h := e.send(admin, "/help", "管理员还可以使用"); !strings.Contains(h.Text, "/invite 书记") {
		t.Errorf("help does not document /invite 书记: %s", h.Text)
	}

	// A township's secretary: its branches at once, no way up.
	secTP := e.secretary(2001, "书记", "taiping")
	own := e.send(secTP, "/invite", "请选择要邀请党员加入的党支部")
	if !own.HasButton("牛卯坪村党支部") || own.HasButton("⬅️ 返回上级") || strings.Contains(own.Text, "青山村") {
		t.Errorf("a township secretary's /invite: %s\n%s", buttonsOf(own), own.Text)
	}
	e.send(secTP, "/invite qingshan", "没有查看或管理这个组织的权限")
}

// TestRevokedLinkSaysSo: after 作废, the link's message says it is
// revoked — no "把链接发给", no button — and the link no longer works.
func TestRevokedLinkSaysSo(t *testing.T) {
	e := newEnv(t)
	sec := e.secretary(2001, "书记", "qingshan")
	link := e.send(sec, "/invite qingshan", "https://t.me/")
	if strings.Contains(link.Text, "联系管理员") || !strings.Contains(link.Text, "作废此链接") {
		t.Errorf("a live link: %s", link.Text)
	}
	code := strings.Fields(link.Text[strings.Index(link.Text, "start=")+6:])[0]
	e.press(sec, "作废此链接", "已作废")
	e.settle()
	m, ok := sec.Message(link.ID)
	if !ok {
		t.Fatal("the link message is gone")
	}
	if strings.Contains(m.Text, "把链接") || !strings.Contains(m.Text, "已作废") || len(m.Buttons) != 0 {
		t.Errorf("the revoked link's message: %s %v", m.Text, m.Buttons)
	}
	u := e.srv.NewUser(1001, "党员甲")
	e.send(u, "/start "+code, "已失效")
}

// TestNodeByName: every command that takes a node takes its name, or a
// part of it, as well as its id.
func TestNodeByName(t *testing.T) {
	e := newEnv(t)
	e.member(1001, "党员甲", "qingshan")
	admin := e.srv.NewUser(adminID, "组织部")
	if m := e.send(admin, "/branch 青山村党支部", "青山村党支部"); !strings.Contains(m.Text, "党员甲") {
		t.Errorf("/branch by name: %s", m.Text)
	}
	e.send(admin, "/rank 太平镇", "太平镇党委 下级组织排名")
	e.send(admin, "/year 青山村", "党员星级")
	e.send(admin, "/weak 青山", "错得最多")
	e.send(admin, "/branch 党支部", "名称包含“党支部”")
	e.send(admin, "/remind 不存在", "没有名称或编号为“不存在”的组织")
}

// TestSecretaryLinkSaysOnce: a secretary's invite link says it is for one
// person, once — never 长期有效 — and gives its expiry when it has one; a
// member's link says the whole branch may use it.
func TestSecretaryLinkSaysOnce(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	for _, c := range []struct{ cmd, want string }{
		{"/invite qingshan 书记", "使用之前一直有效"},
		{"/invite qingshan 书记 7", "链接有效期至 11月17日"},
	} {
		link := e.send(admin, c.cmd, "https://t.me/")
		for _, want := range []string{"书记邀请链接", "一个人使用一次", "用过即失效", c.want} {
			if !strings.Contains(link.Text, want) {
				t.Errorf("%s: the link lacks %q: %s", c.cmd, want, link.Text)
			}
		}
		if strings.Contains(link.Text, "长期有效") {
			t.Errorf("%s: a secretary's link says 长期有效: %s", c.cmd, link.Text)
		}
	}
	link := e.send(admin, "/invite qingshan", "https://t.me/")
	if !strings.Contains(link.Text, "本支部的党员都可以用它") || !strings.Contains(link.Text, "长期有效") || strings.Contains(link.Text, "一次") {
		t.Errorf("a member's link: %s", link.Text)
	}
}
