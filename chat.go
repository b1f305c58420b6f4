package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/bot/webapp"
	"partyquiz/quiz"
	"partyquiz/store"
)

// chatUserID is the Telegram id of the person at the terminal;
// chatAdminID the demo's organisation department, who makes the demo's
// invites whoever the terminal user is.
const (
	chatUserID  = 10001
	chatAdminID = 10000
)

// The roles `partyquiz chat -as` takes (the flag's values, in Chinese as
// the product's users say them, and in English).
const (
	chatAsAdmin     = ""
	chatAsSecretary = "secretary"
	chatAsMember    = "member"
)

var chatRoles = map[string]string{"": chatAsAdmin, "admin": chatAsAdmin, "管理员": chatAsAdmin,
	"书记": chatAsSecretary, "secretary": chatAsSecretary, "党员": chatAsMember, "member": chatAsMember}

// chatStorePath is where `partyquiz chat` keeps its data, whatever store
// the configuration names.
const chatStorePath = "data/chat.db"

// Chat runs the real bot against the in-process fake Bot API server, with
// the terminal as one Telegram user: what the bot sends is printed, with
// buttons numbered, and every document it sends is saved in
// data/chat-files/; a typed number presses a button unless the bot waits
// for typed text (a fill-in answer), /press N always presses, anything
// else is sent as a message. The user is an admin and, from the first
// start, joins a demo branch through an invite link as a member does, so
// every flow can be tried, offline, with no token.
func (m *Main) Chat(ctx context.Context, stdin io.Reader) error {
	c := m.Config
	// Its own file, always: the demo users and what they do never go into
	// the store a configuration names for the real bot.
	c.Store.Path = m.ChatPath
	if c.Store.Path == "" {
		c.Store.Path = chatStorePath
	}
	srv, err := telegramtest.Start(telegramtest.Options{BotUsername: "partyquiz_demo_bot"})
	if err != nil {
		return fmt.Errorf("start the local Telegram server: %w", err)
	}
	defer srv.Close()
	c.Telegram.Token = srv.Token()
	c.Telegram.APIEndpoint = srv.APIEndpoint()
	c.Telegram.FileEndpoint = srv.FileEndpoint()
	c.Telegram.PollTimeout = 1
	as := chatRoles[m.ChatAs]
	c.Bot.Admins = append(c.Bot.Admins, chatAdminID)
	if as == chatAsAdmin {
		c.Bot.Admins = append(c.Bot.Admins, chatUserID)
	}
	srv.NewUser(chatAdminID, "组织部")
	user := srv.NewUser(chatUserID, "我")
	// Nor anything else of the real bot's that a production configuration
	// names: no scheduled backups (they would go into the real backup
	// folder), no ops endpoint and no webhook (the real bot's ports), and
	// the dashboard on a free local port, for an ordinary browser (no
	// buttons: Telegram would open only an https address). The rules,
	// banks and tree of the configuration are kept: they are what is tried.
	c.Backup.Dir = ""
	c.Ops.Listen = ""
	c.Telegram.Mode = "polling"
	c.Webapp.Listen = "127.0.0.1:0"
	c.Webapp.URL = ""
	if c.Webapp.MaxAge == DefaultConfig().Webapp.MaxAge {
		c.Webapp.MaxAge = "24h"
	}

	// The bot's own log goes to a file: the terminal is the chat.
	if err := os.MkdirAll(filepath.Dir(c.Store.Path), 0o750); err != nil {
		return err
	}
	logFile, err := os.OpenFile(c.Store.Path+".log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	defer logFile.Close()
	m.Log = slog.New(slog.NewTextHandler(logFile, nil))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan *bot.Bot, 1)
	m.Ready = func(b *bot.Bot) { ready <- b }
	done := make(chan error, 1)
	go func() { done <- m.serve(ctx, c) }()
	var b *bot.Bot
	select {
	case b = <-ready:
	case err := <-done:
		return chatError(err, c.Store.Path)
	}
	code, err := demoInvite(ctx, b.Service())
	if err != nil {
		return err
	}
	switch as {
	case chatAsSecretary:
		// Once a member, the terminal user is also made their branch's
		// secretary, through a secretary invite as a real one is.
		go makeSecretary(ctx, b.Service(), m.Stdout)
	case chatAsMember:
		// A member only, though an earlier -as 书记 on this file made them
		// a secretary too.
		if err := dropSecretary(ctx, b.Service()); err != nil {
			return err
		}
	}

	out := &terminal{w: m.Stdout, files: filepath.Join(filepath.Dir(c.Store.Path), "chat-files"),
		awaitsText: func() bool { return b.AwaitsText(ctx, chatUserID) }}
	demo, err := newDemoGroup(ctx, srv, b.Service(), user, out) // chatdemo.go
	if err != nil {
		return err
	}
	go demo.run(ctx)
	fmt.Fprintf(m.Stdout, chatIntro, chatRoleText[as], c.Store.Path)
	if m.WebappAddr != "" {
		fmt.Fprintf(m.Stdout, chatDashboard, c.Webapp.MaxAge, dashboardLink(m.WebappAddr, c.Telegram.Token))
	}
	events := user.Events(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range events {
			out.show(ev)
		}
	}()
	// The first start joins the demo branch through its link (the bot asks
	// for a real name, as it asks every newcomer); later ones return.
	user.SendText(strings.TrimSpace("/start " + code))

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 64*1024)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for {
		select {
		case <-ctx.Done():
			cancel()
			return <-done
		case err := <-done:
			return err
		case line, ok := <-lines:
			if !ok || strings.TrimSpace(line) == "/quit" {
				time.Sleep(300 * time.Millisecond) // let the last replies print
				cancel()
				return <-done
			}
			if !demo.handle(line) {
				out.input(user, line)
			}
		}
	}
}

// chatRoleText says who the terminal user is, by chatRoles.
var chatRoleText = map[string]string{
	chatAsAdmin:     "您是管理员（用 -as 书记 或 -as 党员 换一个身份）",
	chatAsSecretary: "您是演示党支部的书记，也是它的党员（-as 书记）",
	chatAsMember:    "您是党员（-as 党员）",
}

// chatMadeSecretary is what the terminal says once the user is also their
// branch's secretary.
const chatMadeSecretary = "（试用：您现在也是%s的书记，可以使用 /branch、/remind、/weak、/export、/invite。）\n\n"

const chatIntro = `partyquiz 离线试用（不连接 Telegram）。%s；第一次使用时，像党员点击书记发来的邀请链接一样加入演示党支部。
输入文字发送消息；输入按钮前的数字点击按钮（机器人等您输入文字时，例如填空题，数字按文字发送；/press 数字 总是点击按钮，/prev 数字 点击上一条消息的按钮）；
输入 /file 路径 上传文件（如题库 .toml）；机器人发来的文件保存在 chat-files 文件夹；输入 /quit 退出。
您还在“演示党支部群”里，群里有四位模拟党员：私聊发送 /contest 举办一场有奖知识问答，他们会报名、答题。
以“群”开头的输入发到群里：“群 /rank”在群里发命令，“群3”点击群里的按钮 3 或选投票的选项 3。
数据保存在 %s。

`

// chatInUse is what a second chat on the same file says.
const chatInUse = "另一个 partyquiz chat（或正在运行的 partyquiz）正在使用 %s：请先在那个终端输入 /quit 退出，或者换一个文件夹运行 partyquiz chat（聊天的数据保存在当前文件夹下的 data/chat.db）。"

const chatDashboard = `数据看板（在浏览器中打开，%s 内有效）：
%s

`

// dashboardLink is an address that opens the dashboard in an ordinary
// browser as the terminal's user, with initData signed as Telegram would
// sign it in the fragment (where a Telegram client puts it).
func dashboardLink(addr, token string) string {
	frag := url.Values{"tgWebAppData": {webapp.Sign(token, chatUserID, "我", time.Now(), nil)},
		"tgWebAppVersion": {"7.10"}, "tgWebAppPlatform": {"unknown"}}
	return "http://" + addr + "/#" + frag.Encode()
}

// demoInvite returns an invite code to the first branch of the tree for
// the terminal's user to join with, or "" if they are a member already.
func demoInvite(ctx context.Context, svc *quiz.Service) (string, error) {
	me, err := svc.Viewer(ctx, chatUserID)
	if err != nil {
		return "", err
	}
	if me.User.IsMember() {
		return "", nil
	}
	v, err := svc.Viewer(ctx, chatAdminID)
	if err != nil {
		return "", err
	}
	tree := svc.Tree()
	leaves := tree.Leaves(tree.Root())
	if len(leaves) == 0 {
		return "", errors.New("the organisation tree has no branch")
	}
	inv, err := svc.CreateInvite(ctx, v, leaves[0], quiz.RoleMember, time.Hour)
	if err != nil {
		return "", err
	}
	return inv.Code, nil
}

// makeSecretary makes the terminal user the secretary of the branch they
// are a member of, once they are one (they join by typing their name), and
// says so.
func makeSecretary(ctx context.Context, svc *quiz.Service, w io.Writer) {
	for {
		me, err := svc.Viewer(ctx, chatUserID)
		if err != nil {
			return
		}
		if me.User.IsMember() {
			if slices.Contains(me.User.Secretary, me.User.Branch) {
				return
			}
			admin, err := svc.Viewer(ctx, chatAdminID)
			if err != nil {
				return
			}
			inv, err := svc.CreateInvite(ctx, admin, me.User.Branch, quiz.RoleSecretary, time.Hour)
			if err != nil {
				return
			}
			if _, _, err := svc.Join(ctx, chatUserID, inv.Code, ""); err != nil {
				return
			}
			fmt.Fprintf(w, chatMadeSecretary, svc.Tree().Name(me.User.Branch))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// dropSecretary takes from the terminal user every node they manage.
func dropSecretary(ctx context.Context, svc *quiz.Service) error {
	me, err := svc.Viewer(ctx, chatUserID)
	if err != nil || me.User == nil { // nil: not started yet
		return err
	}
	admin, err := svc.Viewer(ctx, chatAdminID)
	if err != nil {
		return err
	}
	for _, node := range slices.Clone(me.User.Secretary) {
		if err := svc.RemoveSecretary(ctx, admin, chatUserID, node); err != nil {
			return err
		}
	}
	return nil
}

// chatError says in one sentence that another chat holds the store file.
func chatError(err error, path string) error {
	if errors.Is(err, store.ErrInUse) {
		return fmt.Errorf(chatInUse, path)
	}
	return err
}

// terminal prints the chat and turns typed lines into user actions: what
// the bot sends is printed with its buttons numbered, the documents it
// sends are saved in files (printed with their path); a typed number
// presses the button of that number — unless the bot waits for typed text
// (awaitsText: a fill-in answer may be "1") — and /press N always does.
type terminal struct {
	w          io.Writer
	files      string      // where documents from the bot are saved
	awaitsText func() bool // whether the bot waits for typed text
	mu         sync.Mutex
	buttons    []pressable
	holder     int // the message whose buttons are numbered
	// The buttons of the message numbered before holder, pressed with
	// /prev N: the 答题纠错 under an answer's feedback, once the next
	// question took the numbers.
	prev       []pressable
	prevHolder int
	hinted     bool // the terminal said once how to press them
}

type pressable struct {
	msg    int
	label  string
	data   string // callback data ("" for a link button)
	url    string // a link's or a web app's address
	webApp bool
}

// The terminal's own words (the bot's are in bot/text.go).
const (
	termBot        = "──── 机器人 ────"
	termBotEdited  = "──── 机器人（更新了上面的消息）────"
	termFile       = "[文件] %s（%d 字节），已保存到 %s"
	termFileNotKep = "[文件] %s（%d 字节），没能保存到 %s"
	termToast      = "（提示：%s）"
	termGone       = "（这个按钮已经不在了：消息已更新或按钮已失效。请按新显示的编号操作。）"
	termNoButton   = "（没有编号为 %d 的按钮。）"
	termPressUsage = "（用法：/press 数字，点击该编号的按钮；/prev 数字，点击上一条消息的按钮。）"
	termPrevHint   = "（上一条消息的按钮仍然可以点：输入 /prev 数字，例如 /prev 1。）"
	termLink       = "（这是一个链接按钮，请在浏览器中打开：%s）"
	termNoFile     = "（读不到文件 %s，请检查路径。）"
	termNoPath     = "（用法：/file 路径，例如 /file questions/builtin/sanhui-yike.toml）"
)

func (t *terminal) show(ev telegramtest.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch ev.Kind {
	case telegramtest.MessageSent, telegramtest.MessageEdited:
		m := ev.Message
		if !m.FromBot {
			return
		}
		head := termBot
		if ev.Kind == telegramtest.MessageEdited {
			head = termBotEdited
		}
		fmt.Fprintln(t.w, head)
		if m.Text != "" {
			fmt.Fprintln(t.w, m.Text)
		}
		if m.Document != nil {
			t.saveDocument(m.Document)
			if m.Caption != "" {
				fmt.Fprintln(t.w, m.Caption)
			}
		}
		switch {
		case len(m.Buttons) > 0:
			t.number(m)
		case m.ID == t.holder:
			t.buttons, t.holder = nil, 0 // the numbered buttons are gone
		case m.ID == t.prevHolder:
			t.prev, t.prevHolder = nil, 0
		}
		fmt.Fprintln(t.w)
	case telegramtest.CallbackAnswered:
		if ev.Answer.Text != "" {
			fmt.Fprintf(t.w, termToast+"\n\n", ev.Answer.Text)
		}
	}
}

// number prints a message's buttons numbered and makes them the ones a
// typed number presses.
func (t *terminal) number(m telegramtest.Message) {
	if m.ID != t.holder {
		t.prev, t.prevHolder = t.buttons, t.holder
	} else if m.ID == t.prevHolder {
		t.prev, t.prevHolder = nil, 0
	}
	t.buttons, t.holder = nil, m.ID
	for _, row := range m.Buttons {
		var cells []string
		for _, btn := range row {
			p := pressable{msg: m.ID, label: btn.Text, data: btn.Data, url: btn.URL}
			if btn.WebApp != "" {
				p.url, p.webApp = btn.WebApp, true
			}
			t.buttons = append(t.buttons, p)
			cells = append(cells, fmt.Sprintf("[%d] %s", len(t.buttons), btn.Text))
		}
		fmt.Fprintln(t.w, "  "+strings.Join(cells, "   "))
	}
	if len(t.prev) > 0 && !t.hinted {
		t.hinted = true
		fmt.Fprintln(t.w, termPrevHint)
	}
}

// saveDocument keeps a document the bot sent in t.files and says where.
func (t *terminal) saveDocument(d *telegramtest.Document) {
	path := filepath.Join(t.files, filepath.Base(d.Name))
	err := os.MkdirAll(t.files, 0o750)
	if err == nil {
		err = os.WriteFile(path, d.Data, 0o640)
	}
	if err != nil {
		fmt.Fprintf(t.w, termFileNotKep+"\n", d.Name, d.Size, t.files)
		return
	}
	fmt.Fprintf(t.w, termFile+"\n", d.Name, d.Size, path)
}

func (t *terminal) input(u *telegramtest.User, line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	for _, cmd := range []string{"/press", "/prev"} {
		if rest, ok := strings.CutPrefix(line, cmd); ok && (rest == "" || rest[0] == ' ') {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				fmt.Fprintln(t.w, termPressUsage)
				return
			}
			t.press(u, n, cmd == "/prev")
			return
		}
	}
	if n, err := strconv.Atoi(line); err == nil && !t.awaitsText() {
		t.mu.Lock()
		has := n >= 1 && n <= len(t.buttons)
		t.mu.Unlock()
		if has {
			t.press(u, n, false)
			return
		}
	}
	if rest, ok := strings.CutPrefix(line, "/file"); ok && (rest == "" || rest[0] == ' ') {
		t.upload(u, strings.TrimSpace(rest))
		return
	}
	u.SendText(line)
}

// press presses the button numbered n (of the previous message's buttons,
// with prev).
func (t *terminal) press(u *telegramtest.User, n int, prev bool) {
	t.mu.Lock()
	var p *pressable
	buttons := t.buttons
	if prev {
		buttons = t.prev
	}
	if n >= 1 && n <= len(buttons) {
		b := buttons[n-1]
		p = &b
	}
	t.mu.Unlock()
	switch {
	case p == nil:
		fmt.Fprintf(t.w, termNoButton+"\n", n)
	case p.data == "":
		fmt.Fprintf(t.w, termLink+"\n", p.url)
	default:
		if _, err := u.PressData(p.msg, p.data); err != nil {
			fmt.Fprintln(t.w, termGone)
		}
	}
}

// upload sends a file as a document, as a Telegram client would.
func (t *terminal) upload(u *telegramtest.User, path string) {
	if path == "" {
		fmt.Fprintln(t.w, termNoPath)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(t.w, termNoFile+"\n", path)
		return
	}
	mime := "application/octet-stream"
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		mime = "application/toml"
	case ".xlsx":
		mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	u.SendDocument(filepath.Base(path), mime, data)
}
