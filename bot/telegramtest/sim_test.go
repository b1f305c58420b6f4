package telegramtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

func question(chatID int64, text string, options ...string) tgbotapi.MessageConfig {
	var row []tgbotapi.InlineKeyboardButton
	for _, o := range options {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(o, "ans:"+o))
	}
	m := tgbotapi.NewMessage(chatID, text)
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(row)
	return m
}

func TestPressEditAndAnswer(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	q, err := bot.Send(question(1001, "“三会一课”中的“一课”是？", "A 党课", "B 团课"))
	if err != nil {
		t.Fatal(err)
	}
	if !u.Last().HasButton("A 党课") {
		t.Fatalf("buttons = %v", u.Last().Buttons)
	}
	qid, err := u.Press("A 党课")
	if err != nil {
		t.Fatal(err)
	}
	ups := drain(t, srv)
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.ID != qid ||
		ups[0].CallbackQuery.Data != "ans:A 党课" || ups[0].CallbackQuery.Message.MessageID != q.MessageID {
		t.Fatalf("updates = %+v", ups)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(qid, "回答正确")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewCallback(qid, "again"))
	if e := apiErr(t, err); e.Message != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
		t.Errorf("second answer: %q", e.Message)
	}
	// Editing without reply_markup removes the keyboard, like the real API.
	edited, err := bot.Send(tgbotapi.NewEditMessageText(1001, q.MessageID, "✅ A 党课"))
	if err != nil || edited.Text != "✅ A 党课" || edited.EditDate == 0 {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	m := u.Last()
	if m.Text != "✅ A 党课" || m.Edited != 1 || len(m.Buttons) != 0 {
		t.Errorf("after edit user sees %+v", m)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(1001, q.MessageID, "✅ A 党课"))
	if e := apiErr(t, err); !strings.HasPrefix(e.Message, "Bad Request: message is not modified") {
		t.Errorf("same edit: %q", e.Message)
	}
	if got := u.Toasts(); len(got) != 1 || got[0] != "回答正确" {
		t.Errorf("toasts = %q", got)
	}
	if _, err := u.Press("A 党课"); err == nil {
		t.Error("pressed a button that is gone")
	}
}

func TestStaleAndForgedPresses(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	first, _ := bot.Send(question(1001, "第1题", "对", "错"))
	second, _ := bot.Send(question(1001, "第2题", "对", "错"))
	if _, err := u.Press("对"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressOn(first.MessageID, "对"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressData(second.MessageID, "ans:forged"); err != nil {
		t.Fatal(err)
	}
	ups := drain(t, srv)
	var got []string
	for _, up := range ups {
		cq := up.CallbackQuery
		got = append(got, itoa(cq.Message.MessageID)+"="+cq.Data)
	}
	want := itoa(second.MessageID) + "=ans:对," + itoa(first.MessageID) + "=ans:对," + itoa(second.MessageID) + "=ans:forged"
	if strings.Join(got, ",") != want {
		t.Errorf("presses = %s, want %s", strings.Join(got, ","), want)
	}
	if _, err := u.PressOn(first.MessageID, "不存在"); err == nil {
		t.Error("pressed a missing button")
	}
	if _, err := u.PressOn(999, "对"); err == nil {
		t.Error("pressed on a missing message")
	}
}

func TestURLButtonSendsNoCallback(t *testing.T) {
	srv := quietServer(t)
	u := started(t, srv, 1001, "张三")
	kb := markup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("打开", "https://t.me/partyquiz_bot?start=abc")))
	wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "邀请", "reply_markup": kb}))
	if b := u.Last().Buttons[0][0]; b.URL != "https://t.me/partyquiz_bot?start=abc" || b.Data != "" {
		t.Errorf("button = %+v", b)
	}
	if _, err := u.Press("打开"); err == nil {
		t.Error("a URL button sent a callback")
	}
}

func TestWaitAndWaitAfter(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	if _, err := bot.Send(tgbotapi.NewMessage(1001, "旧消息")); err != nil {
		t.Fatal(err)
	}
	m, err := u.Wait(ctxT(t), func(m telegramtest.Message) bool { return strings.Contains(m.Text, "旧") })
	if err != nil || m.Text != "旧消息" {
		t.Fatalf("Wait on an existing message: %q, %v", m.Text, err)
	}
	seq := u.Seq()
	go func() {
		time.Sleep(10 * time.Millisecond)
		_, _ = bot.Send(tgbotapi.NewMessage(1001, "新消息"))
	}()
	m, err = u.WaitAfter(ctxT(t), seq, nil)
	if err != nil || m.Text != "新消息" {
		t.Fatalf("WaitAfter: %q, %v", m.Text, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := u.WaitAfter(ctx, u.Seq(), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitAfter with nothing coming: %v", err)
	}
}

func TestEventsStream(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	ctx, cancel := context.WithCancel(ctxT(t))
	events := u.Events(ctx)
	q, _ := bot.Send(question(1001, "题", "A"))
	_, _ = bot.Request(tgbotapi.NewChatAction(1001, tgbotapi.ChatTyping))
	_, _ = bot.Send(tgbotapi.NewEditMessageText(1001, q.MessageID, "题（已答）"))
	qid, _ := u.Press("A") // the keyboard is gone: fails
	_ = qid
	_, _ = bot.Request(tgbotapi.NewDeleteMessage(1001, q.MessageID))
	var got []string
	for len(got) < 4 {
		select {
		case e := <-events:
			got = append(got, e.Kind.String()+":"+e.Message.Text+e.Action)
		case <-time.After(20 * time.Second):
			t.Fatalf("events so far %q", got)
		}
	}
	want := "sent:题,action:typing,edited:题（已答）,deleted:题（已答）"
	if strings.Join(got, ",") != want {
		t.Errorf("events = %s, want %s", strings.Join(got, ","), want)
	}
	cancel()
	for range events {
	}
	if len(u.Messages()) != 0 {
		t.Errorf("deleted message still listed: %+v", u.Messages())
	}
}

func TestGroupPrivacyMode(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	g := srv.NewGroup(-100123, "某支部群")
	a := srv.NewUser(1001, "张三")
	g.SendText(a, "大家好") // chatter: hidden from the bot
	g.SendText(a, "/rank")
	g.SendText(a, "/rank@other_bot")
	g.SendText(a, "/year@PartyQuiz_Bot")
	posted, err := bot.Send(tgbotapi.NewMessage(-100123, "本月榜单"))
	if err != nil {
		t.Fatal(err)
	}
	g.Reply(a, posted.MessageID, "厉害")
	var texts []string
	for _, up := range drain(t, srv) {
		texts = append(texts, up.Message.Text)
	}
	if got, want := strings.Join(texts, "|"), "/rank|/year@PartyQuiz_Bot|厉害"; got != want {
		t.Errorf("bot saw %s, want %s", got, want)
	}
	if got := len(g.History()); got != 6 {
		t.Errorf("group history has %d messages, want 6", got)
	}
	// A group member who never opened the private chat cannot be messaged.
	_, err = bot.Send(tgbotapi.NewMessage(1001, "私聊"))
	if e := apiErr(t, err); e.Code != 403 {
		t.Errorf("private message to a group member: %d %q", e.Code, e.Message)
	}
}

func TestBlockUnblock(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	u.Block()
	_, err := bot.Send(tgbotapi.NewMessage(1001, "提醒"))
	if e := apiErr(t, err); e.Code != 403 || e.Message != "Forbidden: bot was blocked by the user" {
		t.Errorf("send to blocked user: %d %q", e.Code, e.Message)
	}
	u.SendText("/start") // "Restart" unblocks
	if u.Blocked() {
		t.Error("still blocked after writing")
	}
	var kinds []string
	for _, up := range drain(t, srv) {
		switch {
		case up.MyChatMember != nil:
			kinds = append(kinds, up.MyChatMember.NewChatMember.Status)
		case up.Message != nil:
			kinds = append(kinds, up.Message.Text)
		}
	}
	if got, want := strings.Join(kinds, ","), "kicked,member,/start"; got != want {
		t.Errorf("updates = %s, want %s", got, want)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(1001, "欢迎回来")); err != nil {
		t.Errorf("send after unblock: %v", err)
	}
}

func TestReplyKeyboardAndUserEdits(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	m := tgbotapi.NewMessage(1001, "请选择")
	m.ReplyMarkup = tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButton("学习"), tgbotapi.NewKeyboardButton("测试")))
	if _, err := bot.Send(m); err != nil {
		t.Fatal(err)
	}
	if kb := u.Keyboard(); len(kb) != 1 || kb[0][1] != "测试" {
		t.Errorf("keyboard = %v", kb)
	}
	rm := tgbotapi.NewMessage(1001, "好")
	rm.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	if _, err := bot.Send(rm); err != nil {
		t.Fatal(err)
	}
	if kb := u.Keyboard(); kb != nil {
		t.Errorf("keyboard after remove = %v", kb)
	}
	id := u.SendText("张三")
	if !u.EditText(id, "张叁") {
		t.Fatal("EditText failed")
	}
	ups := drain(t, srv)
	if len(ups) != 2 || ups[1].EditedMessage == nil || ups[1].EditedMessage.Text != "张叁" || ups[1].EditedMessage.MessageID != id {
		t.Errorf("updates = %+v", ups)
	}
}

func TestCommandsMenu(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	cmds := []tgbotapi.BotCommand{{Command: "start", Description: "开始"}, {Command: "study", Description: "每月一学"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatal(err)
	}
	got, err := bot.GetMyCommands()
	if err != nil || len(got) != 2 || got[1].Description != "每月一学" {
		t.Errorf("getMyCommands = %+v, %v", got, err)
	}
	if got := srv.Commands(); len(got) != 2 || got[0].Command != "start" {
		t.Errorf("Commands = %+v", got)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Study", Description: "x"}))
	if e := apiErr(t, err); e.Message != "Bad Request: BOT_COMMAND_INVALID" {
		t.Errorf("upper-case command: %q", e.Message)
	}
}

func TestGetMeAndGetChat(t *testing.T) {
	srv := newServer(t, telegramtest.Options{BotUsername: "@quiz_bot", BotName: "答题", DisablePacing: true})
	bot := newBot(t, srv)
	if bot.Self.ID != 42 || bot.Self.UserName != "quiz_bot" || !bot.Self.IsBot || bot.Self.FirstName != "答题" {
		t.Errorf("getMe = %+v", bot.Self)
	}
	srv.NewUser(1001, "张三")
	c, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: 1001}})
	if err != nil || c.Type != "private" || c.FirstName != "张三" {
		t.Errorf("getChat = %+v, %v", c, err)
	}
}

func TestDeleteAndLeaveRules(t *testing.T) {
	clock := telegramtest.NewManualClock(time.Time{})
	srv := newServer(t, telegramtest.Options{Clock: clock, DisablePacing: true})
	started(t, srv, 1001, "张三")
	g := srv.NewGroup(-1001234567890, "某支部群")
	g.SendText(srv.User(1001), "/rank")
	wantOK(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "1001", "text": "旧"}))
	clock.Advance(48 * time.Hour)
	wantError(t, raw(t, srv, "deleteMessage", map[string]string{"chat_id": "1001", "message_id": "2"}), 400, "Bad Request: message can't be deleted")
	wantError(t, raw(t, srv, "deleteMessage", map[string]string{"chat_id": "-1001234567890", "message_id": "1"}), 400, "Bad Request: message can't be deleted")
	wantError(t, raw(t, srv, "leaveChat", map[string]string{"chat_id": "1001"}), 400, "Bad Request: chat member status can't be changed in private chats")
	wantOK(t, raw(t, srv, "leaveChat", map[string]string{"chat_id": "-1001234567890"}))
	wantError(t, raw(t, srv, "sendMessage", map[string]string{"chat_id": "-1001234567890", "text": "x"}), 403, "Forbidden: bot is not a member of the supergroup chat")
	if g.Type() != "supergroup" {
		t.Errorf("type = %q", g.Type())
	}
}
