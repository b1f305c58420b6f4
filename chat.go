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
	"strconv"
	"strings"
	"sync"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/bot/webapp"
	"partyquiz/quiz"
)

// chatUserID is the Telegram id of the person at the terminal.
const chatUserID = 10001

// chatStorePath is where `partyquiz chat` keeps its data, whatever store
// the configuration names.
const chatStorePath = "data/chat.db"

// Chat runs the real bot against the in-process fake Bot API server, with
// the terminal as one Telegram user: what the bot sends is printed, with
// buttons numbered; a typed number presses a button, anything else is sent
// as a message. The user is an admin and a member of a demo branch, so
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
	c.Bot.Admins = append(c.Bot.Admins, chatUserID)
	user := srv.NewUser(chatUserID, "我")
	// The dashboard on a local port, for an ordinary browser (no buttons:
	// Telegram would open only an https address).
	if c.Webapp.Listen == "" {
		c.Webapp.Listen = "127.0.0.1:0"
	}
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
		return err
	}
	if err := demoMember(ctx, b.Service()); err != nil {
		return err
	}

	out := &terminal{w: m.Stdout}
	demo, err := newDemoGroup(ctx, srv, b.Service(), user, out) // chatdemo.go
	if err != nil {
		return err
	}
	go demo.run(ctx)
	fmt.Fprintf(m.Stdout, chatIntro, c.Store.Path)
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
	user.SendText("/start")

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

const chatIntro = `partyquiz 离线试用（不连接 Telegram）。您是演示党支部的党员，也是管理员。
输入文字发送消息；输入按钮前的数字点击按钮；输入 /file 路径 上传文件（如题库 .toml）；输入 /quit 退出。
您还在“演示党支部群”里，群里有四位模拟党员：私聊发送 /contest 举办一场有奖知识问答，他们会报名、答题。
以“群”开头的输入发到群里：“群 /rank”在群里发命令，“群3”点击群里的按钮 3 或选投票的选项 3。
数据保存在 %s。

`

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

// demoMember makes the terminal's user a member of the first branch of
// the tree, if they are not a member yet.
func demoMember(ctx context.Context, svc *quiz.Service) error {
	v, err := svc.Viewer(ctx, chatUserID)
	if err != nil {
		return err
	}
	if v.User.IsMember() {
		return nil
	}
	tree := svc.Tree()
	leaves := tree.Leaves(tree.Root())
	if len(leaves) == 0 {
		return errors.New("the organisation tree has no branch")
	}
	inv, err := svc.CreateInvite(ctx, v, leaves[0], quiz.RoleMember, time.Hour)
	if err != nil {
		return err
	}
	_, _, err = svc.Join(ctx, chatUserID, inv.Code, "演示党员")
	return err
}

// terminal prints the chat and turns typed lines into user actions.
type terminal struct {
	w       io.Writer
	mu      sync.Mutex
	buttons []pressable
}

type pressable struct {
	msg   int
	label string
}

func (t *terminal) show(ev telegramtest.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch ev.Kind {
	case telegramtest.MessageSent, telegramtest.MessageEdited:
		m := ev.Message
		if !m.FromBot {
			return
		}
		head := "──── 机器人 ────"
		if ev.Kind == telegramtest.MessageEdited {
			head = "──── 机器人（更新了上面的消息）────"
		}
		fmt.Fprintln(t.w, head)
		if m.Text != "" {
			fmt.Fprintln(t.w, m.Text)
		}
		if m.Document != nil {
			fmt.Fprintf(t.w, "[文件] %s（%d 字节）\n", m.Document.Name, m.Document.Size)
		}
		if len(m.Buttons) > 0 {
			t.buttons = nil
			for _, row := range m.Buttons {
				var cells []string
				for _, btn := range row {
					t.buttons = append(t.buttons, pressable{msg: m.ID, label: btn.Text})
					cells = append(cells, fmt.Sprintf("[%d] %s", len(t.buttons), btn.Text))
				}
				fmt.Fprintln(t.w, "  "+strings.Join(cells, "   "))
			}
		}
		fmt.Fprintln(t.w)
	case telegramtest.CallbackAnswered:
		if ev.Answer.Text != "" {
			fmt.Fprintf(t.w, "(提示：%s）\n\n", ev.Answer.Text)
		}
	}
}

func (t *terminal) input(u *telegramtest.User, line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	if n, err := strconv.Atoi(line); err == nil {
		t.mu.Lock()
		var p *pressable
		if n >= 1 && n <= len(t.buttons) {
			p = &t.buttons[n-1]
		}
		t.mu.Unlock()
		if p != nil {
			if _, err := u.PressOn(p.msg, p.label); err != nil {
				fmt.Fprintf(t.w, "(这个按钮已经不在了：%v）\n", err)
			}
			return
		}
	}
	if path, ok := strings.CutPrefix(line, "/file "); ok {
		data, err := os.ReadFile(strings.TrimSpace(path))
		if err != nil {
			fmt.Fprintf(t.w, "(读不到文件：%v）\n", err)
			return
		}
		u.SendDocument(filepath.Base(path), "application/toml", data)
		return
	}
	u.SendText(line)
}
