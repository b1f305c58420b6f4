package bot_test

import (
	"strings"
	"testing"
)

// TestDrillDownsGoBack: /branch, /rank and /year drill down the tree and
// each level has 返回上级 while the viewer may see the level above; a
// member's card and a branch's list of members go back to the branch; a
// card of /banks (a bank's, the plan's, the organisation's) goes back to
// the list.
func TestDrillDownsGoBack(t *testing.T) {
	e := newEnv(t)
	m := e.member(1001, "党员甲", "qingshan")
	admin := e.srv.NewUser(adminID, "组织部")

	for _, c := range []struct{ cmd, top, child, childSays string }{
		{"/branch", "中共市委", "第一片区", "第一片区（"},
		{"/rank", "中共市委 下级组织排名", "第一片区", "第一片区 下级组织排名"},
		{"/year", "中共市委", "第一片区", "第一片区"},
	} {
		top := e.send(admin, c.cmd, c.top)
		if top.HasButton("⬅️ 返回上级") {
			t.Errorf("%s at the top has 返回上级", c.cmd)
		}
		down := e.press(admin, c.child, c.childSays)
		if !down.HasButton("⬅️ 返回上级") {
			t.Errorf("%s one level down has no 返回上级: %s", c.cmd, buttonsOf(down))
		}
		up := e.press(admin, "⬅️ 返回上级", c.top)
		if up.HasButton("⬅️ 返回上级") {
			t.Errorf("%s back at the top has 返回上级", c.cmd)
		}
	}

	// A township's secretary starts at the top of their own scope.
	sec := e.secretary(2001, "书记", "dasha")
	own := e.send(sec, "/branch", "大沙镇党委")
	if own.HasButton("⬅️ 返回上级") {
		t.Errorf("a secretary's top has 返回上级: %s", buttonsOf(own))
	}
	branch := e.press(sec, "青山村党支部", "青山村党支部（")
	if !branch.HasButton("⬅️ 返回上级") {
		t.Errorf("the branch has no 返回上级: %s", buttonsOf(branch))
	}
	list := e.press(sec, "管理党员（补学补考、调整积分）", "请选择党员")
	if !list.HasButton("⬅️ 返回青山村党支部") {
		t.Errorf("the list of members: %s", buttonsOf(list))
	}
	card := e.press(sec, "党员甲", "本月学习")
	if !card.HasButton("⬅️ 返回青山村党支部") {
		t.Errorf("the member's card: %s", buttonsOf(card))
	}
	e.press(sec, "⬅️ 返回青山村党支部", "青山村党支部（")

	// /banks: every card goes back to the list.
	banksList := e.send(admin, "/banks", "已发布的题库")
	if banksList.HasButton("⬅️ 返回题库列表") {
		t.Errorf("/banks' list has a way back to itself: %s", buttonsOf(banksList))
	}
	var bank string
	for _, b := range banksList.ButtonTexts() {
		if strings.HasPrefix(b, "📄 ") && bank == "" {
			bank = b
		}
	}
	for _, open := range []struct{ button, says string }{{bank, "题"}, {"🗓 学习计划", "学习计划"}, {"🏛 组织架构", "组织"}} {
		card := e.press(admin, open.button, open.says)
		if !card.HasButton("⬅️ 返回题库列表") {
			t.Errorf("the card of %s has no way back: %s", open.button, buttonsOf(card))
			continue
		}
		e.press(admin, "⬅️ 返回题库列表", "已发布的题库")
	}

	// A member's standings have no way up.
	if r := e.send(m, "/rank", "半年一比"); r.HasButton("⬅️ 返回上级") {
		t.Errorf("a member's /rank has 返回上级")
	}
}
