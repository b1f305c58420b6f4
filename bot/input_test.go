package bot_test

import (
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
)

// TestUnexpectedInput: anything in a private chat gets a short, helpful
// answer — never silence, a raw error or a crash; a command for the bot
// in a group gets an answer; chatter in a group does not.
func TestUnexpectedInput(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "孙七", "qingshan")
	stranger := e.srv.NewUser(2001, "路人")

	tests := []struct {
		name string
		user *telegramtest.User
		send func(u *telegramtest.User)
		want string
	}{
		{"sticker", u, func(u *telegramtest.User) { u.SendSticker("👍") }, "只能看懂文字"},
		{"photo", u, func(u *telegramtest.User) { u.SendPhoto("照片") }, "只能看懂文字"},
		{"voice", u, func(u *telegramtest.User) { u.SendVoice(3) }, "只能看懂文字"},
		{"location", u, func(u *telegramtest.User) { u.SendLocation(31.9, 108.0) }, "只能看懂文字"},
		{"contact", u, func(u *telegramtest.User) { u.SendContact("13800000000", "某人") }, "只能看懂文字"},
		{"document from a member", u, func(u *telegramtest.User) { u.SendDocument("bank.toml", "text/plain", []byte("id = 1")) }, "只有管理员可以上传"},
		{"long text", u, func(u *telegramtest.User) { u.SendText(strings.Repeat("长", 4096)) }, "请使用命令和按钮"},
		{"plain text", u, func(u *telegramtest.User) { u.SendText("你好") }, "请使用命令和按钮"},
		{"unknown command", u, func(u *telegramtest.User) { u.SendText("/foo") }, "没有 /foo 这个命令"},
		{"html in a command", u, func(u *telegramtest.User) { u.SendText("/<b>x") }, "请使用命令和按钮"},
		{"garbage arguments", u, func(u *telegramtest.User) { u.SendText("/rank ../../etc <b>") }, "不需要参数"},
		{"bad invite payload", u, func(u *telegramtest.User) { u.SendText("/start <script>") }, "邀请链接无效"},
		{"unknown invite", u, func(u *telegramtest.User) { u.SendText("/start ABCDEFGHJKLMNPQR") }, "邀请链接无效"},
		{"secretary command by a member", u, func(u *telegramtest.User) { u.SendText("/invite") }, "只有书记或管理员"},
		{"admin command by a member", u, func(u *telegramtest.User) { u.SendText("/invite x secretary") }, "只有书记或管理员"},
		{"cancel with nothing open", u, func(u *telegramtest.User) { u.SendText("/cancel") }, "没有进行中的操作"},
		{"stranger /start", stranger, func(u *telegramtest.User) { u.SendText("/start") }, "还没有加入党支部"},
		{"stranger /study", stranger, func(u *telegramtest.User) { u.SendText("/study") }, "还没有加入党支部"},
		{"stranger text", stranger, func(u *telegramtest.User) { u.SendText("在吗") }, "还没有加入党支部"},
		{"stranger sticker", stranger, func(u *telegramtest.User) { u.SendSticker("🙂") }, "只能看懂文字"},
		{"stranger help", stranger, func(u *telegramtest.User) { u.SendText("/help") }, "还没有加入党支部"},
		{"mistakes empty", u, func(u *telegramtest.User) { u.SendText("/mistakes") }, "错题本是空的"},
		{"review nothing", u, func(u *telegramtest.User) { u.SendText("/review") }, "还没有可以查看的测试"},
		{"garbage arguments to /study", u, func(u *telegramtest.User) { u.SendText("/study %s %d <i>") }, "不需要参数"},
		{"command with the bot's name", u, func(u *telegramtest.User) { u.SendText("/help@partyquiz_bot") }, "党员可以使用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := tt.user.Seq()
			tt.send(tt.user)
			m, err := tt.user.WaitAfter(e.ctx(), seq, nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			checkClean(t, m)
			if !strings.Contains(m.Text, tt.want) {
				t.Errorf("got %q, want it to contain %q", m.Text, tt.want)
			}
			// Let everything this input caused arrive before the next.
			time.Sleep(50 * time.Millisecond)
			e.settle()
		})
	}

	// An edited message gets a word; it is not handled again.
	id := u.SendText("/me")
	e.waitAfter(u, 0, "学习情况")
	seq := u.Seq()
	u.EditText(id, "/study")
	e.waitAfter(u, seq, "不会被重新处理")

	// In a group: a command for the bot is answered, chatter is not.
	g := e.srv.NewGroup(-1001, "青山村党支部群")
	gseq := g.Seq()
	g.SendText(u, "大家好")
	g.SendText(u, "/test@partyquiz_bot")
	m, err := g.WaitAfter(e.ctx(), gseq, nil)
	if err != nil {
		t.Fatalf("no answer in the group: %v", err)
	}
	if !strings.Contains(m.Text, "私聊") {
		t.Errorf("group answer: %q", m.Text)
	}
	e.settle()
	time.Sleep(200 * time.Millisecond)
	if n := len(g.Messages()); n != 1 {
		t.Errorf("%d bot messages in the group, want 1", n)
	}
}
