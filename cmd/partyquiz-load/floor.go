package main

// The protocol floor: a minimal bot that serves the simulated members on
// the same protocol as partyquiz — the same client library (tgbotapi), the
// same HTTP transport settings (bot.newTransport's), updates of one chat in
// order and chats concurrently — with no storage and no logic. It answers each member
// action with what the member needs to see next and nothing more:
//
//	/start code     the question for the name (sendMessage)
//	the name        joined (sendMessage)
//	/study          question 1 (sendMessage)
//	/test           the test's intro with 开始测试 (sendMessage)
//	开始测试         answerCallbackQuery, question 1 (sendMessage)
//	an option       answerCallbackQuery, the message edited into the next
//	                question or the result (editMessageText)
//	a toggle        answerCallbackQuery, the keyboard edited (editMessageReplyMarkup)
//	a typed answer  the next question or the result (sendMessage)
//
// Its questions follow the test's default mix of types (single, true or
// false, multiple, fill-in: 8, 6, 4, 2 in 20; the study the same in 10),
// with texts as long as the sample banks', so the members act as they do
// with the bot. An update is confirmed to the Bot API as soon as it is
// read (nothing needs to be durable first), and answered from a queue per
// chat; a press is answered with its own answerCallbackQuery call in
// webhook mode too (the bot carries it in the webhook's response). What
// the bot does beyond this is the cost of being a product.

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// runFloorBot is `partyquiz-load floor-bot -config FILE`: the floor,
// configured by the bot.toml a run writes, until ctx is done.
func runFloorBot(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("partyquiz-load floor-bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "bot.toml", "the configuration a run wrote")
	durable := fs.String("durable", "", "keep every update in this log, fdatasync'ed, before replying to it (the durable floor)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var c botConfig
	if _, err := toml.DecodeFile(*cfgPath, &c); err != nil {
		fmt.Fprintln(stderr, "floor-bot:", err)
		return 2
	}
	f := newFloor(c)
	if *durable != "" {
		l, err := openSyncLog(*durable)
		if err != nil {
			fmt.Fprintln(stderr, "floor-bot:", err)
			return 1
		}
		defer l.close()
		f.log = l
	}
	if err := f.run(ctx); err != nil {
		fmt.Fprintln(stderr, "floor-bot:", err)
		return 1
	}
	return 0
}

// floor is the floor bot.
type floor struct {
	cfg    botConfig
	api    *tgbotapi.BotAPI
	poller *tgbotapi.BotAPI
	secret string
	log    *syncLog // the durable floor's (floorlog.go); nil: the floor keeps nothing

	mu    sync.Mutex
	chats map[int64]*floorChat
}

// floorChat is one chat: its queue of updates, and where its member is.
type floorChat struct {
	queue   []tgbotapi.Update
	running bool
	naming  bool   // asked for the name
	kind    string // "study" or "test" while answering
	idx     int    // the current question
}

func newFloor(c botConfig) *floor {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	f := &floor{cfg: c, chats: map[int64]*floorChat{}, secret: "floor-secret"}
	f.api = &tgbotapi.BotAPI{Token: c.Telegram.Token, Buffer: 100, Client: &http.Client{Timeout: 60 * time.Second, Transport: t}}
	f.api.SetAPIEndpoint(c.Telegram.APIEndpoint)
	return f
}

// ctxTransport attaches a context to every request, so that a long poll
// ends when the floor is stopped.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(r.WithContext(t.ctx))
}

func (f *floor) run(ctx context.Context) error {
	f.poller = &tgbotapi.BotAPI{Token: f.cfg.Telegram.Token, Buffer: 100,
		Client: &http.Client{Timeout: time.Duration(f.cfg.Telegram.PollTimeout+15) * time.Second,
			Transport: ctxTransport{ctx: ctx, base: f.api.Client.(*http.Client).Transport}}}
	f.poller.SetAPIEndpoint(f.cfg.Telegram.APIEndpoint)
	if f.cfg.Telegram.Mode == "webhook" {
		return f.webhook(ctx)
	}
	return f.poll(ctx)
}

// poll takes updates with getUpdates and confirms each batch at once (the
// durable floor: once the batch is in its log, keep).
func (f *floor) poll(ctx context.Context) error {
	offset := 0
	for ctx.Err() == nil {
		config := tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: f.cfg.Telegram.PollTimeout}
		var ups []tgbotapi.Update
		var err error
		next := offset
		if f.log == nil {
			ups, err = f.poller.GetUpdates(config)
		} else {
			ups, next, err = f.keep(config)
		}
		if err != nil {
			if errors.Is(err, errNotKept) {
				return err
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		for _, u := range ups {
			f.dispatch(u)
			next = max(next, u.UpdateID+1)
		}
		offset = next
	}
	return nil
}

// errNotKept stops the durable floor: its log failed.
var errNotKept = errors.New("the durable floor's log failed")

// keep is the durable floor's getUpdates: it keeps the updates in the log
// as Telegram wrote them, but the toggles, and returns them for poll to
// answer, and the offset past the whole batch for the next poll to
// confirm it; a toggle with no earlier update of its chat in the batch is
// answered at once.
func (f *floor) keep(config tgbotapi.UpdateConfig) (ups []tgbotapi.Update, next int, err error) {
	next = config.Offset
	resp, err := f.poller.Request(config)
	if err != nil {
		return nil, next, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, next, err
	}
	var records [][]byte
	waiting := map[int64]bool{} // chats with an update waiting for the sync: the rest of theirs wait too, in order
	for _, raw := range raws {
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			return nil, next, err
		}
		next = max(next, u.UpdateID+1)
		chat := floorChatOf(u)
		if isToggle(u) && !waiting[chat] {
			f.dispatch(u)
			continue
		}
		if !isToggle(u) {
			records = append(records, raw)
		}
		waiting[chat] = true
		ups = append(ups, u)
	}
	if len(records) > 0 {
		if err := f.log.append(records...); err != nil {
			return nil, next, fmt.Errorf("%w: %v", errNotKept, err)
		}
	}
	return ups, next, nil
}

// isToggle reports whether u is the press of a multiple-choice option
// (the keyboard is redrawn; nothing a bot must keep changes).
func isToggle(u tgbotapi.Update) bool {
	return u.CallbackQuery != nil && strings.HasPrefix(u.CallbackQuery.Data, "m:")
}

// webhook sets the webhook and takes each update POST, answering 200 as
// soon as it is queued (the durable floor: and in its log, but for a
// toggle's press, which changes nothing a bot must keep).
func (f *floor) webhook(ctx context.Context) error {
	u, err := url.Parse(f.cfg.Telegram.WebhookURL)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.cfg.Telegram.WebhookListen)
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != u.Path || r.Method != http.MethodPost {
				http.NotFound(w, r)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")), []byte(f.secret)) != 1 {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			var up tgbotapi.Update
			if err == nil {
				err = json.Unmarshal(body, &up)
			}
			if err != nil {
				http.Error(w, "bad update", http.StatusBadRequest)
				return
			}
			if f.log != nil && !isToggle(up) {
				if err := f.log.append(body); err != nil {
					http.Error(w, "not kept", http.StatusInternalServerError)
					return
				}
			}
			f.dispatch(up)
			w.WriteHeader(http.StatusOK)
		})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	p := tgbotapi.Params{"url": f.cfg.Telegram.WebhookURL, "secret_token": f.secret,
		"max_connections": strconv.Itoa(max(f.cfg.Telegram.WebhookConnections, 1))}
	for {
		if _, err = f.api.MakeRequest("setWebhook", p); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	grace, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(grace)
	return nil
}

// dispatch queues an update for its chat, starting the chat's worker.
func (f *floor) dispatch(u tgbotapi.Update) {
	chat := floorChatOf(u)
	if chat == 0 {
		return
	}
	f.mu.Lock()
	c := f.chats[chat]
	if c == nil {
		c = &floorChat{}
		f.chats[chat] = c
	}
	c.queue = append(c.queue, u)
	start := !c.running
	c.running = true
	f.mu.Unlock()
	if start {
		go f.drain(chat, c)
	}
}

// floorChatOf is the chat of a message or a press (0: neither).
func floorChatOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	}
	return 0
}

func (f *floor) drain(chat int64, c *floorChat) {
	for {
		f.mu.Lock()
		if len(c.queue) == 0 {
			c.running = false
			f.mu.Unlock()
			return
		}
		u := c.queue[0]
		c.queue = c.queue[1:]
		f.mu.Unlock()
		f.handle(chat, c, u)
	}
}

// handle answers one update (only drain of its chat touches c).
func (f *floor) handle(chat int64, c *floorChat, u tgbotapi.Update) {
	if q := u.CallbackQuery; q != nil {
		f.call(tgbotapi.NewCallback(q.ID, ""))
		f.press(chat, c, q.Message.MessageID, strings.Split(q.Data, ":"))
		return
	}
	text := u.Message.Text
	switch {
	case strings.HasPrefix(text, "/start"):
		c.naming = true
		f.send(chat, floorAskName, nil)
	case c.naming:
		c.naming = false
		f.send(chat, fmt.Sprintf(floorJoined, text), nil)
	case text == "/study":
		c.kind, c.idx = "study", 0
		t, kb := floorQuestion("study", 0)
		f.send(chat, t, kb)
	case text == "/test":
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("开始测试", "ts:q")))
		f.send(chat, floorTestIntro, &kb)
	case c.kind != "" && floorTypes[c.idx%len(floorTypes)] == 'F':
		c.idx++
		if c.idx == floorN(c.kind) {
			f.send(chat, floorFinished(c.kind), nil)
			c.kind = ""
			return
		}
		t, kb := floorQuestion(c.kind, c.idx)
		f.send(chat, t, kb)
	default:
		f.send(chat, "请使用命令和按钮操作。", nil)
	}
}

// press answers a button: "ts:q", or "<a|m|s>:<kind>:<idx>:<n>".
func (f *floor) press(chat int64, c *floorChat, msgID int, d []string) {
	if d[0] == "ts" {
		c.kind, c.idx = "test", 0
		t, kb := floorQuestion("test", 0)
		f.send(chat, t, kb)
		return
	}
	if len(d) != 4 {
		return
	}
	kind := map[string]string{"s": "study", "t": "test"}[d[1]]
	idx, _ := strconv.Atoi(d[2])
	n, _ := strconv.Atoi(d[3])
	switch d[0] {
	case "m":
		f.call(tgbotapi.NewEditMessageReplyMarkup(chat, msgID, *floorKeyboard(kind, idx, n)))
		return
	case "a", "s":
	default:
		return
	}
	c.kind, c.idx = kind, idx+1
	if c.idx == floorN(kind) {
		c.kind = ""
		f.edit(chat, msgID, floorFinished(kind), nil)
		return
	}
	t, kb := floorQuestion(kind, c.idx)
	f.edit(chat, msgID, t, kb)
}

func (f *floor) send(chat int64, text string, kb *tgbotapi.InlineKeyboardMarkup) {
	m := tgbotapi.NewMessage(chat, text)
	m.ParseMode = tgbotapi.ModeHTML
	m.DisableWebPagePreview = true
	if kb != nil {
		m.ReplyMarkup = kb
	}
	f.call(m)
}

func (f *floor) edit(chat int64, msgID int, text string, kb *tgbotapi.InlineKeyboardMarkup) {
	e := tgbotapi.NewEditMessageText(chat, msgID, text)
	e.ParseMode = tgbotapi.ModeHTML
	e.DisableWebPagePreview = true
	e.ReplyMarkup = kb
	f.call(e)
}

// call makes a call, again after a failure of the connection (the fake
// server has no faults in floor runs).
func (f *floor) call(c tgbotapi.Chattable) {
	for attempt := 0; attempt < 3; attempt++ {
		_, err := f.api.Request(c)
		var te *tgbotapi.Error
		if err == nil || errors.As(err, &te) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The floor's words: the bot's (bot/text.go), so that the members read
// them as they read the bot's.
const (
	floorAskName   = "欢迎加入<b>第一片区 / 太平镇 / 牛卯坪村</b>！\n请发送您的<b>真实姓名</b>（用于成绩登记，例如：张三）："
	floorJoined    = "✅ %s，您已加入<b>第一片区 / 太平镇 / 牛卯坪村</b>。\n\n发送 /study 开始本月学习，发送 /help 查看全部功能。"
	floorTestIntro = "📝 <b>季度一测 · 本季度</b>\n\n共 20 题，限时 <b>30 分钟</b>，满分 100 分，60 分及格。只能作答一次。\n测试期间不显示对错，交卷后显示得分；答案和解析在测试结束后开放。\n\n准备好了请点击“开始测试”，开始后计时不会暂停。"
	floorText      = "“三会一课”制度是党的组织生活的基本制度，其中“三会”是指支部党员大会、支部委员会会议和党小组会，那么“一课”指的是什么？"
)

// floorTypes is the questions' types by index: Single, True or false,
// Multiple, Fill-in.
const floorTypes = "STMSTFSMTS"

var floorOptions = []string{"按期上好党课", "形势政策课", "业务培训课", "法治教育课"}

func floorN(kind string) int {
	if kind == "test" {
		return testQuestions
	}
	return studyQuestions
}

// floorQuestion is question idx of a kind as the members read the bot's:
// header, "第 i/N 题 · type", the text, the options, how to answer.
func floorQuestion(kind string, idx int) (string, *tgbotapi.InlineKeyboardMarkup) {
	header := "📖 <b>每月一学 · 本月</b>"
	if kind == "test" {
		header = "📝 <b>季度一测 · 本季度</b>"
	}
	typ := floorTypes[idx%len(floorTypes)]
	name := map[byte]string{'S': "单选", 'T': "判断", 'M': "多选", 'F': "填空"}[typ]
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n第 %d/%d 题 · %s\n\n%s", header, idx+1, floorN(kind), name, floorText)
	if typ == 'S' || typ == 'M' {
		s.WriteString("\n")
		for i, o := range floorOptions {
			fmt.Fprintf(&s, "\n%c. %s", 'A'+i, o)
		}
	}
	switch typ {
	case 'F':
		s.WriteString("\n\n✍️ 请直接发送您的答案。")
		return s.String(), nil
	case 'M':
		s.WriteString("\n\n可多选，选好后点“提交”。")
	}
	return s.String(), floorKeyboard(kind, idx, 0)
}

// floorKeyboard is question idx's buttons (mask: the toggles selected).
func floorKeyboard(kind string, idx, mask int) *tgbotapi.InlineKeyboardMarkup {
	k := kind[:1]
	data := func(op string, n int) string { return fmt.Sprintf("%s:%s:%d:%d", op, k, idx, n) }
	var rows [][]tgbotapi.InlineKeyboardButton
	switch floorTypes[idx%len(floorTypes)] {
	case 'T':
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("对", data("a", 0)), tgbotapi.NewInlineKeyboardButtonData("错", data("a", 1))))
	case 'S':
		var row []tgbotapi.InlineKeyboardButton
		for i := range floorOptions {
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(string(rune('A'+i)), data("a", i)))
		}
		rows = append(rows, row)
	case 'M':
		var row []tgbotapi.InlineKeyboardButton
		for i := range floorOptions {
			mark := "☐ "
			if mask&(1<<i) != 0 {
				mark = "☑ "
			}
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(mark+string(rune('A'+i)), data("m", mask^(1<<i))))
		}
		rows = append(rows, row, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("提交", data("s", mask))))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

func floorFinished(kind string) string {
	if kind == "test" {
		return "📝 <b>测试已交卷</b>\n得分：<b>70</b> 分（及格，及格线 60 分）\n答对 14/20 题。\n答案和解析在本季度测试结束后开放，届时发送 /review 查看。"
	}
	return "🎉 <b>本月学习完成！</b>答对 7/10 题。\n本次获得积分：+5"
}

// floorMembers are the members of a floor run: the same ids, and an
// invite code (the floor takes any).
func floorMembers(n int) ([]int64, []string) {
	return memberIDs(n), []string{"floor-invite"}
}
