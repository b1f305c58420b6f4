package main

import (
	"bytes"
	"context"

	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"partyquiz/bot/telegramtest"
)

// chatSession is a `partyquiz chat` running with a pipe for its stdin.
type chatSession struct {
	t     *testing.T
	out   *syncBuffer
	typed *io.PipeWriter
	done  chan error
	mark  int // waitFor looks after this point of the output
}

// startChat runs `partyquiz chat` on the store at path, with its Main
// set up further by opts.
func startChat(t *testing.T, path string, opts ...func(*Main)) *chatSession {
	t.Helper()
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	out := &syncBuffer{}
	m := NewMain(out, io.Discard)
	for _, o := range opts {
		o(m)
	}
	m.ChatPath = path
	// The store a configuration names is never chat's.
	m.Config.Store.Path = filepath.Join(filepath.Dir(path), "configured.db")
	t.Cleanup(func() {
		if _, err := os.Stat(m.Config.Store.Path); !os.IsNotExist(err) {
			t.Errorf("chat touched the configured store: %v", err)
		}
	})
	in, typed := io.Pipe()
	c := &chatSession{t: t, out: out, typed: typed, done: make(chan error, 1)}
	go func() { c.done <- m.Chat(context.Background(), in) }()
	return c
}

// waitFor waits until the output after the last mark holds want, and
// moves the mark past it.
func (c *chatSession) waitFor(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := c.out.String()
		if i := strings.Index(s[c.mark:], want); i >= 0 {
			seen := s[c.mark : c.mark+i+len(want)]
			c.mark += i + len(want)
			return seen
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no %q in the terminal after:\n%s", want, s[c.mark:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *chatSession) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.typed, line+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// quit types /quit and waits for the chat to end.
func (c *chatSession) quit() {
	c.t.Helper()
	c.send("/quit")
	select {
	case err := <-c.done:
		if err != nil {
			c.t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		c.t.Fatal("chat did not end")
	}
}

// buttonNumber finds the number printed before a button's label.
func (c *chatSession) buttonNumber(label string) string {
	c.t.Helper()
	all := regexp.MustCompile(`\[(\d+)\] `+regexp.QuoteMeta(label)).FindAllStringSubmatch(c.out.String(), -1)
	if len(all) == 0 {
		c.t.Fatalf("no button %q in:\n%s", label, c.out.String())
	}
	return all[len(all)-1][1]
}

// TestChat: `partyquiz chat` is the real bot with the terminal as a user,
// offline, without a token: the first start joins the demo branch through
// its link (a welcome, asking the real name), later starts welcome back;
// commands and numbers (buttons) work; documents the bot sends are saved
// with their path printed.
func TestChat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "chat.db")
	c := startChat(t, path)
	first := c.waitFor("请发送您的真实姓名")
	if strings.Contains(first, "欢迎回来") {
		t.Errorf("the first start is a return:\n%s", first)
	}
	c.send("王小明")
	c.waitFor("王小明，您已加入")
	c.send("/study")
	c.waitFor("第 1/10 题")
	c.send("/invite")
	c.waitFor("[1] ")
	c.send("/me")
	c.waitFor("学习情况")

	// /export: the file is saved, and the terminal says where.
	c.send("/export")
	saved := c.waitFor(".xlsx")
	c.waitFor("学习测试报表")
	files, _ := filepath.Glob(filepath.Join(dir, "chat-files", "*.xlsx"))
	if len(files) != 1 {
		t.Fatalf("saved files: %v\n%s", files, saved)
	}
	if !strings.Contains(c.out.String(), "已保存到 "+files[0]) {
		t.Errorf("the terminal does not print the path %s:\n%s", files[0], c.out.String())
	}
	data, _ := os.ReadFile(files[0])
	if f, err := excelize.OpenReader(bytes.NewReader(data)); err != nil {
		t.Errorf("the saved export does not open: %v", err)
	} else {
		f.Close()
	}
	c.quit()

	// Again: a return, by the name given.
	c = startChat(t, path)
	c.waitFor("欢迎回来，王小明！")
	c.quit()
}

// TestChatTypedNumbers: while the bot waits for typed text, a typed number
// is text (a correction's amount here, a fill-in answer elsewhere);
// otherwise it presses the button of that number; /press N always presses.
func TestChatTypedNumbers(t *testing.T) {
	c := startChat(t, filepath.Join(t.TempDir(), "chat.db"))
	c.waitFor("请发送您的真实姓名")
	c.send("王小明")
	c.waitFor("您已加入")
	c.send("/branch 牛卯坪村党支部")
	c.waitFor("管理党员")
	c.send(c.buttonNumber("管理党员（补学补考、调整积分）"))
	c.waitFor("请选择党员")
	c.send(c.buttonNumber("王小明"))
	c.waitFor("本月学习")
	c.send(c.buttonNumber("调整积分"))
	c.waitFor("调整的分数和原因")
	c.send("2") // text: the bot waits for "分数 原因"
	c.waitFor("格式不对")
	c.send("/press " + c.buttonNumber("⬅️ 返回牛卯坪村党支部"))
	c.waitFor("牛卯坪村党支部（")
	c.send("/press 99")
	c.waitFor("没有编号为 99 的按钮")
	c.quit()
}

// TestChatGoneButton: pressing a button that is no longer there says so in
// Chinese, never the fake server's error.
func TestChatGoneButton(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true})
	defer srv.Close()
	u := srv.NewUser(chatUserID, "我")
	var out syncBuffer
	term := &terminal{w: &out, awaitsText: func() bool { return false },
		buttons: []pressable{{msg: 173, label: "A", data: "a:1:0:0"}}}
	term.input(u, "1")
	if s := out.String(); !strings.Contains(s, "按钮已经不在了") || strings.Contains(s, "telegramtest") {
		t.Errorf("a gone button: %q", s)
	}
	out = syncBuffer{}
	term.awaitsText = func() bool { return true }
	term.input(u, "1")
	if m := u.History(); len(m) == 0 || m[len(m)-1].FromBot || m[len(m)-1].Text != "1" {
		t.Errorf("a number while the bot waits for text was not sent as text")
	}
	term.input(u, "/file no/such/file.toml")
	if s := out.String(); !strings.Contains(s, "读不到文件 no/such/file.toml") || strings.Contains(s, "no such file") {
		t.Errorf("a missing file: %q", s)
	}
}

// TestSecondChat: a second chat on the same file says, in one sentence,
// that another chat holds it.
func TestSecondChat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	c := startChat(t, path)
	c.waitFor("请发送您的真实姓名")
	var out syncBuffer
	m := NewMain(&out, io.Discard)
	m.ChatPath = path
	err := m.Chat(context.Background(), strings.NewReader(""))
	if err == nil {
		t.Fatal("a second chat on the same file started")
	}
	msg := err.Error()
	if !strings.Contains(msg, "另一个 partyquiz chat") || strings.Count(msg, path) != 1 || strings.Contains(msg, "open store") {
		t.Errorf("the second chat says %q", msg)
	}
	c.quit()

}

// TestChatTestWindow: the README's way to try /test outside its window — a
// chat configuration with [test] window = "quarter" — opens November's
// test, which the default window keeps closed.
func TestChatTestWindow(t *testing.T) {
	november := func(m *Main) {
		loc, _ := time.LoadLocation("Asia/Shanghai")
		start := time.Date(2026, 11, 10, 10, 0, 0, 0, loc)
		began := time.Now()
		m.Now = func() time.Time { return start.Add(time.Since(began)) }
	}
	c := startChat(t, filepath.Join(t.TempDir(), "chat.db"), november)
	c.waitFor("请发送您的真实姓名")
	c.send("王小明")
	c.waitFor("您已加入")
	c.send("/test")
	c.waitFor("测试时间是")
	c.quit()

	withConfig := func(m *Main) {
		if err := m.ParseFlags([]string{"-config", writeConfig(t, "[test]\nwindow = \"quarter\"\n")}); err != nil {
			t.Fatal(err)
		}
	}
	c = startChat(t, filepath.Join(t.TempDir(), "chat.db"), november, withConfig)
	c.waitFor("请发送您的真实姓名")
	c.send("王小明")
	c.waitFor("您已加入")
	c.send("/test")
	c.waitFor("开始测试")
	c.quit()
}

// TestTerminalTypography: the chat terminal's own texts use Chinese
// punctuation and brackets that match: "（提示：…）", never "(提示：…）".
func TestTerminalTypography(t *testing.T) {
	for _, s := range []string{chatIntro, chatDashboard, chatInUse, termBot, termBotEdited, termFile, termFileNotKep,
		termToast, termGone, termNoButton, termPressUsage, termLink, termNoFile, termNoPath} {
		depth := 0
		for _, r := range s {
			switch r {
			case '(', ')', ',', ';', '!', '?':
				t.Errorf("ASCII %q in %q", r, s)
			case '（':
				depth++
			case '）':
				depth--
				if depth < 0 {
					t.Errorf("unmatched ） in %q", s)
				}
			}
		}
		if depth != 0 {
			t.Errorf("unclosed （ in %q", s)
		}
	}
}

// TestChatWithAProductionConfig: `partyquiz chat` given the real bot's
// configuration — scheduled backups into its folder, the ops endpoint,
// the dashboard and the webhook on ports the running bot holds — starts,
// takes none of those ports and writes no backup into that folder.
func TestChatWithAProductionConfig(t *testing.T) {
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	held := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		return ln.Addr().String()
	}
	ops, dashboard, webhook := held(), held(), held()
	var m *Main
	c := startChat(t, filepath.Join(dir, "chat.db"), func(mm *Main) {
		m = mm
		mm.Config.Backup.Dir = backups
		mm.Config.Backup.Every = "1h"
		mm.Config.Ops.Listen = ops
		mm.Config.Webapp.Listen = dashboard
		mm.Config.Telegram.Mode = "webhook"
		mm.Config.Telegram.WebhookURL = "https://bot.example.org/hook"
		mm.Config.Telegram.WebhookListen = webhook
	})
	c.waitFor("请发送您的真实姓名")
	c.send("王小明")
	c.waitFor("王小明，您已加入")
	c.quit()
	if m.OpsAddr != "" {
		t.Errorf("chat served the ops endpoint on %s", m.OpsAddr)
	}
	if m.WebappAddr == "" || m.WebappAddr == dashboard {
		t.Errorf("chat's dashboard is on %q; want a port of its own", m.WebappAddr)
	}
	if files, err := os.ReadDir(backups); !os.IsNotExist(err) {
		t.Errorf("chat wrote into the configured backup folder: %v, %v", files, err)
	}
}

// TestChatAs: `partyquiz chat -as 书记` is a branch's secretary who is also
// its member (not an admin), `-as 党员` a member only — so the secretary's
// and the member's screens can be walked too; an unknown role is refused.
func TestChatAs(t *testing.T) {
	dir := t.TempDir()
	c := startChat(t, filepath.Join(dir, "sec.db"), func(m *Main) { m.ChatAs = "书记" })
	c.waitFor("您是演示党支部的书记")
	c.waitFor("请发送您的真实姓名")
	c.send("李书记")
	c.waitFor("您现在也是牛卯坪村党支部的书记")
	c.send("/branch")
	c.waitFor("管理党员")
	c.send("/banks")
	c.waitFor("这个命令只有管理员可以使用")
	c.send("/study")
	c.waitFor("第 1/10 题")
	c.quit()

	c = startChat(t, filepath.Join(dir, "member.db"), func(m *Main) { m.ChatAs = "党员" })
	c.waitFor("请发送您的真实姓名")
	c.send("王党员")
	c.waitFor("您已加入")
	c.send("/branch")
	c.waitFor("这个命令只有书记或管理员可以使用")
	c.quit()

	m := NewMain(io.Discard, io.Discard)
	m.chatting = true
	if err := m.ParseFlags([]string{"-as", "县长"}); err == nil {
		t.Error("-as 县长 was taken")
	}
}

// TestChatPrevButtons: once the next question takes the numbers, the
// answer's feedback's 答题纠错 is still pressed with /prev N (before, the
// chat could flag only the last question of a study).
func TestChatPrevButtons(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true})
	defer srv.Close()
	u := srv.NewUser(chatUserID, "我")
	var out syncBuffer
	term := &terminal{w: &out, awaitsText: func() bool { return false }}
	term.number(telegramtest.Message{ID: 10, Buttons: [][]telegramtest.Button{{{Text: "答题纠错", Data: "fl:1:0"}}}})
	term.number(telegramtest.Message{ID: 11, Buttons: [][]telegramtest.Button{{{Text: "A", Data: "a:1:1:0"}, {Text: "B", Data: "a:1:1:1"}}}})
	if !strings.Contains(out.String(), "/prev 1") {
		t.Errorf("no hint of /prev:\n%s", out.String())
	}
	term.mu.Lock()
	p, cur := term.prev, term.buttons
	term.mu.Unlock()
	if len(p) != 1 || p[0].data != "fl:1:0" || len(cur) != 2 {
		t.Fatalf("prev %+v, current %+v", p, cur)
	}
	term.input(u, "/prev 2")
	if !strings.Contains(out.String(), "没有编号为 2 的按钮") {
		t.Errorf("/prev 2 of one button:\n%s", out.String())
	}
	// The feedback edited without its buttons: nothing left to press.
	term.show(telegramtest.Event{Kind: telegramtest.MessageEdited, Message: telegramtest.Message{ID: 10, FromBot: true, Text: "反馈"}})
	term.mu.Lock()
	left := len(term.prev)
	term.mu.Unlock()
	if left != 0 {
		t.Errorf("the previous message lost its buttons but /prev still has %d", left)
	}
}

// TestChatAsMemberAfterSecretary (review): -as 党员 is "a member only",
// but the chat's store is kept between runs, so a terminal user made the
// branch's secretary by an earlier -as 书记 stays one: the chat says
// 您是党员 and /branch still manages the branch.
func TestChatAsMemberAfterSecretary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	c := startChat(t, path, func(m *Main) { m.ChatAs = "书记" })
	c.waitFor("请发送您的真实姓名")
	c.send("李书记")
	c.waitFor("您现在也是牛卯坪村党支部的书记")
	c.quit()

	c = startChat(t, path, func(m *Main) { m.ChatAs = "党员" })
	c.waitFor("您是党员")
	c.send("/branch")
	c.waitFor("这个命令只有书记或管理员可以使用")
	c.quit()
}
