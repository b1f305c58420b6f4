package bot_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

const hookSecret = "test-secret_123"

// newHookEnv is an env whose bot the test starts, in the mode it wants,
// against a fake server that redelivers webhook updates quickly.
func newHookEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, withServer(telegramtest.Options{DisablePacing: true,
		WebhookRetryMin: 10 * time.Millisecond, WebhookRetryMax: 100 * time.Millisecond}),
		notStarted, func(e *env) { e.sweep = time.Hour })
}

// post sends body to the running webhook as Telegram would, with secret
// as the header ("" for none), and returns the status.
func (h *env) post(secret, body string) int {
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
	h.startIn(true)
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
	h.waitAfter(u, seq, "您的答案")
	h.waitAfter(u, seq, "第 2/10 题")
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
	h.startIn(true)
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
	h.startIn(true)
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
	h.waitAfter(u, 0, "邀请链接")
}

// TestWebhookChatOrder: updates of one chat are handled one at a time and
// in order, even when posted at once.
func TestWebhookChatOrder(t *testing.T) {
	h := newHookEnv(t)
	var g *gatedDialogs
	h.dialogs = func(d bot.Dialogs) bot.Dialogs { g = newGatedDialogs(d); return g }
	h.startIn(true)
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

	h.startIn(false)
	h.send(u, "/start", "邀请链接")
	h.stop()

	h.startIn(true)
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

	h.startIn(false) // deletes the webhook, then polls
	h.waitAfter(u, seq, "邀请链接")
	h.eventually("every update confirmed", func() bool { return h.srv.PendingUpdates() == 0 })
}

// TestWebhookAnswersPressesInItsResponse: in webhook mode a button press
// is answered (answerCallbackQuery) in the webhook's HTTP response, not by
// a call of its own, and only once the answer it carries is recorded.
func TestWebhookAnswersPressesInItsResponse(t *testing.T) {
	h := newHookEnv(t)
	h.startIn(true)
	u := h.member(1001, "张三", "qingshan")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := u.Events(ctx)
	var early []string
	var checked int
	var mu sync.Mutex
	go func() {
		for ev := range events {
			if ev.Kind != telegramtest.CallbackAnswered || !strings.HasPrefix(ev.Answer.Data, "a:") {
				continue
			}
			// "a:<attempt>:<item>:<option>": is that item recorded already?
			f := strings.Split(ev.Answer.Data, ":")
			att, _ := strconv.ParseUint(f[1], 36, 64)
			idx, _ := strconv.Atoi(f[2])
			a := h.attempt(1001, att)
			mu.Lock()
			checked++
			if !a.Responses[idx].Done {
				early = append(early, ev.Answer.Data)
			}
			mu.Unlock()
		}
	}()
	h.send(u, "/study", "第 1/10 题")
	for i := 0; i < 10; i++ {
		h.answerCurrent(u, i%2 == 0)
	}
	h.eventually("every update acknowledged", func() bool { return h.srv.PendingUpdates() == 0 })
	// The fake server counts a method in a webhook's response when it
	// reads it and makes the call a moment later (as the real one does,
	// without waiting): wait for the calls to catch up.
	var calls, replies int
	h.eventually("the calls in webhook responses made", func() bool {
		calls, replies = h.srv.StatsFor("answerCallbackQuery").Calls, h.srv.WebhookReplies()
		return calls > 0 && calls == replies
	})
	h.eventually("every press answered", func() bool { return len(u.Answers()) == calls })
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if len(early) > 0 {
		t.Errorf("presses answered before their answer was recorded: %v", early)
	}
	if checked == 0 {
		t.Error("no press of an option was answered")
	}
}
