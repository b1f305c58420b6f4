package bot_test

import (
	"strings"
	"testing"

	"partyquiz/bot/telegramtest"
)

// TestPermissions: every command for a member, the secretary of the node
// asked about, a secretary of another node, an admin and a stranger —
// who gets what, and that nobody sees data outside what their role
// allows.
func TestPermissions(t *testing.T) {
	e := newEnv(t)
	// 青山村 is under 大沙镇; 牛卯坪村 under 太平镇.
	member := e.member(1001, "党员甲", "qingshan")
	e.member(1002, "党员乙", "niumaoping")
	secHere := e.secretary(2001, "书记甲", "dasha")
	secThere := e.secretary(2002, "书记乙", "taiping")
	admin := e.srv.NewUser(adminID, "组织部")
	stranger := e.srv.NewUser(3001, "路人")

	const (
		notInvited = "还没有加入党支部"
		managers   = "只有书记或管理员"
		adminsOnly = "只有管理员"
		outside    = "没有查看或管理这个组织的权限"
	)
	who := []struct {
		name string
		u    *telegramtest.User
	}{{"member", member}, {"secretary here", secHere}, {"secretary there", secThere}, {"admin", admin}, {"stranger", stranger}}
	tests := []struct {
		cmd  string
		want [5]string // what each of who sees (a substring)
		not  [5]string // what they must not see
	}{
		{"/branch qingshan", [5]string{managers, "党员甲", outside, "党员甲", notInvited}, [5]string{"党员甲", "", "党员甲", "", "党员甲"}},
		{"/branch", [5]string{managers, "大沙镇党委", "太平镇党委", "中共市委", notInvited}, [5]string{"", "党员乙", "党员甲", "", ""}},
		{"/branch niumaoping", [5]string{managers, outside, "党员乙", "党员乙", notInvited}, [5]string{"党员乙", "党员乙", "", "", "党员乙"}},
		{"/remind qingshan", [5]string{managers, "提醒", outside, "提醒", notInvited}, [5]string{}},
		{"/weak qingshan", [5]string{managers, "错得最多", outside, "题目质量", notInvited}, [5]string{"", "题目质量", "", "", ""}},
		{"/weak", [5]string{managers, "大沙镇党委", "太平镇党委", "中共市委", notInvited}, [5]string{}},
		{"/export qingshan", [5]string{managers, "", outside, "", notInvited}, [5]string{}},
		{"/invite", [5]string{managers, "青山村党支部", "牛卯坪村党支部", "荆竹园村党支部", notInvited}, [5]string{"", "牛卯坪村", "青山村", "", ""}},
		{"/invite qingshan", [5]string{managers, "https://t.me/", outside, "https://t.me/", notInvited}, [5]string{}},
		{"/invite dasha secretary", [5]string{managers, adminsOnly, adminsOnly, "书记邀请链接", notInvited}, [5]string{}},
		{"/banks", [5]string{adminsOnly, adminsOnly, adminsOnly, "已发布的题库", notInvited}, [5]string{}},
		{"/rank qingshan", [5]string{"不需要参数", "党员甲", outside, "党员甲", notInvited}, [5]string{"", "", "党员甲", "", ""}},
		{"/rank", [5]string{"本支部", "大沙镇党委", "太平镇党委", "中共市委", notInvited}, [5]string{"党员乙", "党员乙", "党员甲", "", ""}},
		{"/year niumaoping", [5]string{"不需要参数", outside, "党员乙", "党员乙", notInvited}, [5]string{"党员乙", "党员乙", "", "", ""}},
		{"/me", [5]string{"党员甲", notInvited, notInvited, notInvited, notInvited}, [5]string{"党员乙", "", "", "", ""}},
		{"/study", [5]string{"第 1/", notInvited, notInvited, notInvited, notInvited}, [5]string{}},
	}
	for _, tt := range tests {
		for i, w := range who {
			seq := w.u.Seq()
			w.u.SendText(tt.cmd)
			var m telegramtest.Message
			var err error
			if tt.cmd == "/export qingshan" && (w.name == "secretary here" || w.name == "admin") {
				m, err = w.u.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return m.Document != nil })
				if err != nil {
					t.Errorf("%s %s: no spreadsheet: %v", w.name, tt.cmd, err)
				}
				continue
			}
			m, err = w.u.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return strings.Contains(seen(m), tt.want[i]) })
			if err != nil {
				t.Errorf("%s %s: want %q, got:\n%s", w.name, tt.cmd, tt.want[i], lastTexts(w.u, seq))
				continue
			}
			checkClean(t, m)
			e.settle()
			if n := tt.not[i]; n != "" {
				for _, later := range w.u.Messages() {
					if later.Seq > seq && strings.Contains(seen(later), n) {
						t.Errorf("%s %s: saw %q outside their scope:\n%s", w.name, tt.cmd, n, later.Text)
					}
				}
			}
			if tt.cmd == "/study" && i == 0 {
				w.u.SendText("/cancel")
				e.settle()
			}
		}
	}
}

// lastTexts is what a user was sent after seq.
func lastTexts(u *telegramtest.User, seq int64) string {
	var b strings.Builder
	for _, m := range u.Messages() {
		if m.Seq > seq {
			b.WriteString(m.Text + "\n---\n")
		}
	}
	return b.String()
}

// seen is what a user sees of a message: its text and its buttons.
func seen(m telegramtest.Message) string {
	return m.Text + " " + strings.Join(m.ButtonTexts(), " ")
}

// TestMenus: members see their commands in Telegram's menu; a secretary's
// chat and an admin's get menus with theirs.
func TestMenus(t *testing.T) {
	e := newEnv(t)
	has := func(cmds []telegramtest.BotCommand, c string) bool {
		for _, x := range cmds {
			if x.Command == c {
				return true
			}
		}
		return false
	}
	def := e.srv.Commands()
	if !has(def, "study") || has(def, "branch") || has(def, "banks") {
		t.Errorf("default menu: %v", def)
	}
	e.secretary(2001, "书记", "qingshan")
	e.eventually("the secretary's menu", func() bool { return has(e.srv.CommandsFor(2001), "branch") })
	if has(e.srv.CommandsFor(2001), "banks") {
		t.Error("a secretary's menu has /banks")
	}
	admin := e.srv.NewUser(adminID, "组织部")
	// An admin who is not a member: a welcome, never "欢迎回来，！".
	if m := e.send(admin, "/start", "欢迎！您是管理员"); strings.Contains(m.Text, "欢迎回来") {
		t.Errorf("an admin with no name: %s", m.Text)
	}
	e.eventually("the admin's menu", func() bool { return has(e.srv.CommandsFor(adminID), "banks") })
}
