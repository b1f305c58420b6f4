package bot_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// hookEnv is a bot over one store file that can be started and stopped in
// either mode against one fake Bot API server.
type hookEnv struct {
	t       *testing.T
	srv     *telegramtest.Server
	clock   *clock
	path    string
	dialogs func(bot.Dialogs) bot.Dialogs // wraps the store's dialogs, if set

	db      *store.DB
	svc     *quiz.Service
	metrics *bot.Metrics
	url     string // the webhook URL of the running bot, if any
	cancel  context.CancelFunc
	done    chan error
}

const hookSecret = "test-secret_123"

func newHookEnv(t *testing.T) *hookEnv {
	t.Helper()
	srv := telegramtest.NewServer(telegramtest.Options{DisablePacing: true,
		WebhookRetryMin: 10 * time.Millisecond, WebhookRetryMax: 100 * time.Millisecond})
	h := &hookEnv{t: t, srv: srv, clock: &clock{t: at(2026, 11, 10, 10, 0)},
		path: filepath.Join(t.TempDir(), "partyquiz.db")}
	t.Cleanup(func() {
		h.stop()
		srv.Close()
	})
	return h
}

// start runs a bot: by webhook when webhook is set, else by long polling.
func (h *hookEnv) start(webhook bool) {
	h.t.Helper()
	db, err := store.Open(h.path, store.Options{NoSync: true})
	if err != nil {
		h.t.Fatal(err)
	}
	cat, err := questions.Builtin()
	if err != nil {
		h.t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.svc = quiz.NewService(db, shanghai, quiz.DefaultRules(), h.clock.Now, []int64{adminID}, &quiz.Content{Catalog: cat, Tree: tree})
	h.metrics = bot.NewMetrics()
	var dialogs bot.Dialogs = db
	if h.dialogs != nil {
		dialogs = h.dialogs(db)
	}
	o := bot.Options{
		Token: h.srv.Token(), APIEndpoint: h.srv.APIEndpoint(), FileEndpoint: h.srv.FileEndpoint(),
		Service: h.svc, Dialogs: dialogs, Outbox: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: h.metrics, PollTimeout: 1, SweepEvery: time.Hour,
	}
	h.url = ""
	if webhook {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			h.t.Fatal(err)
		}
		h.url = "http://" + ln.Addr().String() + "/telegram"
		o.Webhook = &bot.Webhook{URL: h.url, Listener: ln, Secret: hookSecret}
	}
	b, err := bot.New(o)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- b.Run(ctx) }()
	select {
	case <-b.Ready():
	case err := <-h.done:
		h.t.Fatalf("the bot stopped: %v", err)
	case <-time.After(10 * time.Second):
		h.t.Fatal("the bot did not connect")
	}
	// The mode is in place once Telegram says so.
	h.eventually("the webhook to be set or deleted", func() bool { return h.srv.WebhookInfo().URL == h.url })
}

// stop cancels the bot, waits for Run to return and closes the store.
func (h *hookEnv) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("bot stopped with %v", err)
		}
	case <-time.After(20 * time.Second):
		h.t.Error("the bot did not stop")
	}
	h.cancel = nil
	if err := h.db.Close(); err != nil {
		h.t.Error(err)
	}
}

func (h *hookEnv) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wait waits for a bot message after seq containing want.
func (h *hookEnv) wait(u *telegramtest.User, seq int64, want string) telegramtest.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m, err := u.WaitAfter(ctx, seq, func(m telegramtest.Message) bool { return strings.Contains(m.Text, want) })
	if err != nil {
		h.t.Fatalf("waiting for %q: %v\n%s", want, err, transcript(u))
	}
	return m
}

func (h *hookEnv) send(u *telegramtest.User, text, want string) telegramtest.Message {
	h.t.Helper()
	seq := u.Seq()
	u.SendText(text)
	return h.wait(u, seq, want)
}

// post sends body to the running webhook as Telegram would, with secret
// as the header ("" for none), and returns the status.
func (h *hookEnv) post(secret, body string) int {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestWebhookMember: in webhook mode a member joins, studies and answers;
// every update is acknowledged once handled.
func TestWebhookMember(t *testing.T) {
	h := newHookEnv(t)
	h.start(true)
	if h.srv.Polling() {
		t.Error("a webhook bot is polling")
	}
	inv, err := h.svc.CreateInvite(context.Background(), quiz.Viewer{ID: adminID, Admin: true}, "qingshan", quiz.RoleMember, 0)
	if err != nil {
		t.Fatal(err)
	}
	u := h.srv.NewUser(1001, "张三")
	h.send(u, "/start "+inv.Code, "真实姓名")
	h.send(u, "张三", "您已加入")
	q := h.send(u, "/study", "第 1/10 题")
	seq := u.Seq()
	switch {
	case len(q.Buttons) == 0:
		u.SendText("不知道") // a fill-in question
	case strings.HasPrefix(q.Buttons[0][0].Data, "m:"): // multiple choice: a toggle, then 提交
		if _, err := u.PressData(q.ID, q.Buttons[0][0].Data); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if _, err := u.WaitAfter(ctx, seq, func(m telegramtest.Message) bool { return m.ID == q.ID && m.HasButton("☑ A") }); err != nil {
			t.Fatal(err)
		}
		if _, err := u.PressOn(q.ID, "提交"); err != nil {
			t.Fatal(err)
		}
	default:
		if _, err := u.PressData(q.ID, q.Buttons[0][0].Data); err != nil {
			t.Fatal(err)
		}
	}
	h.wait(u, seq, "您的答案")
	h.wait(u, seq, "第 2/10 题")
	h.eventually("every update acknowledged", func() bool { return h.srv.PendingUpdates() == 0 })
	var answered int
	h.db.View(context.Background(), func(tx quiz.Tx) error {
		ids, _ := tx.UserAttempts(1001, quiz.Study)
		for _, id := range ids {
			a, _ := tx.Attempt(id)
			answered += a.Answered()
		}
		return nil
	})
	if answered != 1 {
		t.Errorf("%d answers recorded, want 1", answered)
	}
	if info := h.srv.WebhookInfo(); info.LastErrorMessage != "" {
		t.Errorf("Telegram saw the webhook fail: %s", info.LastErrorMessage)
	}
}

// TestWebhookRefusesForgedPosts: a POST without the secret token, or with
// a wrong one, is refused and changes nothing; so are other methods.
func TestWebhookRefusesForgedPosts(t *testing.T) {
	h := newHookEnv(t)
	h.start(true)
	update := `{"update_id":900,"message":{"message_id":1,"date":1,"chat":{"id":4242,"type":"private"},"from":{"id":4242,"is_bot":false,"first_name":"X"},"text":"/start"}}`
	for _, secret := range []string{"", "wrong", hookSecret + "x"} {
		if got := h.post(secret, update); got != http.StatusUnauthorized {
			t.Errorf("POST with secret %q: %d, want 401", secret, got)
		}
	}
	resp, err := http.Get(h.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	if n, _, _, _ := h.metrics.Snapshot(); n != 0 {
		t.Errorf("%d updates handled from forged posts", n)
	}
	if got := h.post(hookSecret, "{not json"); got != http.StatusBadRequest {
		t.Errorf("bad JSON: %d, want 400", got)
	}
	// With the secret, the same update is taken.
	if got := h.post(hookSecret, update); got != http.StatusOK {
		t.Errorf("POST with the secret: %d, want 200", got)
	}
	if n, _, _, _ := h.metrics.Snapshot(); n != 1 {
		t.Errorf("%d updates handled, want 1", n)
	}
}

// gatedDialogs holds GetDialog of chosen chats until released, and
// counts how many handlers of one chat run at once.
type gatedDialogs struct {
	bot.Dialogs
	mu      sync.Mutex
	gates   map[int64]chan struct{}
	entered chan int64
	active  map[int64]int
	most    int
}

func newGatedDialogs(d bot.Dialogs) *gatedDialogs {
	return &gatedDialogs{Dialogs: d, gates: map[int64]chan struct{}{}, entered: make(chan int64, 100), active: map[int64]int{}}
}

func (g *gatedDialogs) hold(chat int64) {
	g.mu.Lock()
	g.gates[chat] = make(chan struct{})
	g.mu.Unlock()
}

func (g *gatedDialogs) release(chat int64) {
	g.mu.Lock()
	if c := g.gates[chat]; c != nil {
		close(c)
		delete(g.gates, chat)
	}
	g.mu.Unlock()
}

func (g *gatedDialogs) GetDialog(ctx context.Context, chat int64) ([]byte, error) {
	g.mu.Lock()
	gate := g.gates[chat]
	g.active[chat]++
	g.most = max(g.most, g.active[chat])
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.active[chat]--
		g.mu.Unlock()
	}()
	select {
	case g.entered <- chat:
	default:
	}
	if gate != nil {
		<-gate
	} else {
		time.Sleep(5 * time.Millisecond) // room for another handler of the chat to overlap
	}
	return g.Dialogs.GetDialog(ctx, chat)
}

// TestWebhookAcknowledgesAfterHandling: Telegram gets 200 only once the
// update is handled; a shutdown waits for the update in flight, which is
// then acknowledged, not delivered again.
func TestWebhookAcknowledgesAfterHandling(t *testing.T) {
	h := newHookEnv(t)
	var g *gatedDialogs
	h.dialogs = func(d bot.Dialogs) bot.Dialogs { g = newGatedDialogs(d); return g }
	h.start(true)
	u := h.srv.NewUser(1001, "张三")
	g.hold(1001)
	u.SendText("/help")
	<-g.entered
	if n := h.srv.PendingUpdates(); n != 1 {
		t.Fatalf("%d updates pending at Telegram while one is being handled, want 1", n)
	}
	// Shut down while it is in flight: Run waits for it.
	h.cancel()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-h.done:
		t.Fatalf("Run returned (%v) with an update in flight", err)
	default:
	}
	g.release(1001)
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the bot did not stop")
	}
	h.cancel = nil
	h.db.Close()
	if n := h.srv.PendingUpdates(); n != 0 {
		t.Errorf("%d updates pending after a clean shutdown, want 0", n)
	}
	if n, _, _, _ := h.metrics.Snapshot(); n != 1 {
		t.Errorf("%d updates handled, want 1", n)
	}
	h.wait(u, 0, "邀请链接")
}

// TestWebhookChatOrder: updates of one chat are handled one at a time and
// in order, even when posted at once.
func TestWebhookChatOrder(t *testing.T) {
	h := newHookEnv(t)
	var g *gatedDialogs
	h.dialogs = func(d bot.Dialogs) bot.Dialogs { g = newGatedDialogs(d); return g }
	h.start(true)
	u := h.srv.NewUser(1001, "张三")
	for _, s := range []string{"一", "二", "三", "四", "五"} {
		u.SendText(s)
	}
	h.eventually("five updates handled", func() bool { n, _, _, _ := h.metrics.Snapshot(); return n == 5 })
	// Direct posts at once, as a redelivery overlapping the next update.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"update_id":` + strconv.Itoa(700+i) + `,"message":{"message_id":9,"date":1,"chat":{"id":1001,"type":"private"},"from":{"id":1001,"is_bot":false,"first_name":"张三"},"text":"hi"}}`
			if got := h.post(hookSecret, body); got != http.StatusOK {
				t.Errorf("post: %d", got)
			}
		}()
	}
	wg.Wait()
	g.mu.Lock()
	most := g.most
	g.mu.Unlock()
	if most != 1 {
		t.Errorf("%d updates of one chat handled at once, want 1", most)
	}
}

// TestSwitchModes: polling → webhook → (updates while no bot runs) →
// polling: each start takes over from the last, nothing is lost.
func TestSwitchModes(t *testing.T) {
	h := newHookEnv(t)
	u := h.srv.NewUser(1001, "张三")

	h.start(false)
	h.send(u, "/start", "邀请链接")
	h.stop()

	h.start(true)
	if h.srv.Polling() {
		t.Error("still polling with a webhook set")
	}
	h.send(u, "/help", "邀请链接")
	h.stop()
	if h.srv.WebhookInfo().URL == "" {
		t.Error("stopping a webhook bot deleted the webhook (Telegram would drop updates meanwhile)")
	}

	// Nobody runs: the update waits at Telegram.
	seq := u.Seq()
	u.SendText("/start")
	h.eventually("the update pending at Telegram", func() bool { return h.srv.PendingUpdates() == 1 })

	h.start(false) // deletes the webhook, then polls
	h.wait(u, seq, "邀请链接")
	h.eventually("every update confirmed", func() bool { return h.srv.PendingUpdates() == 0 })
}
