package webapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"partyquiz/bot"
	"partyquiz/bot/telegramtest"
	"partyquiz/bot/webapp"
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// clock is a clock that stands still unless moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var shanghai, _ = quiz.NewCalendar("Asia/Shanghai")

func at(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, shanghai.Loc)
}

const (
	adminID     = 1
	dashboardAt = "https://quiz.example.org/dashboard/"
)

// env is the real bot against the fake Bot API, on a real bbolt file,
// with the dashboard served on an httptest server. The engine's clock
// (engine) and the dashboard's wall clock (wall) are pinned separately.
type env struct {
	t      *testing.T
	srv    *telegramtest.Server
	engine *clock
	wall   *clock
	db     *store.DB
	svc    *quiz.Service
	bot    *bot.Bot
	web    *webapp.Server
	http   *httptest.Server
}

// newEnv starts everything on 10 December 2026 (the fourth quarter's
// test window is open), with a tree filled through the engine:
//
//	qingshan (大沙镇 dasha):        1001 党员甲 ✓, 1002 党员乙 ✗, 1003 党员丙 ✓
//	niumaoping (太平镇 taiping):    1101 党员丁 ✓, 1102 党员戊 ✗
//	laowaping (太平镇 taiping):     1201 党员己 ✗
//
// (✓: December's study done). Secretaries: 2001 of dasha, 2002 of
// taiping; 1 is the admin; 3001 is nobody. Members joined in October.
func newEnv(t *testing.T) *env {
	t.Helper()
	srv, err := telegramtest.Start(telegramtest.Options{DisablePacing: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv, engine: &clock{t: at(2026, 10, 5, 9, 0)}, wall: &clock{t: time.Now()}}
	t.Cleanup(srv.Close)
	db, err := store.Open(filepath.Join(t.TempDir(), "partyquiz.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		t.Fatal(err)
	}
	e.db = db
	e.svc = quiz.NewService(db, shanghai, quiz.DefaultRules(), e.engine.Now, []int64{adminID}, &quiz.Content{Catalog: cat, Tree: tree})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bot.New(bot.Options{Token: srv.Token(), APIEndpoint: srv.APIEndpoint(), FileEndpoint: srv.FileEndpoint(),
		Service: e.svc, Dialogs: db, Outbox: db, Inbox: db, Log: quiet, PollTimeout: 1, SweepEvery: time.Hour, DashboardURL: dashboardAt})
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("the bot did not stop")
		}
	})
	select {
	case <-b.Ready():
	case err := <-done:
		t.Fatalf("the bot stopped: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("the bot did not connect")
	}
	e.web, err = webapp.New(webapp.Options{Token: srv.Token(), Service: e.svc, Actions: b, Now: e.wall.Now, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.web)
	t.Cleanup(e.http.Close)

	srv.NewUser(adminID, "组织部").SendText("/start")
	e.secretary(2001, "书记甲", "dasha")
	e.secretary(2002, "书记乙", "taiping")
	srv.NewUser(3001, "路人")
	for _, m := range []struct {
		id         int64
		name, node string
	}{{1001, "党员甲", "qingshan"}, {1002, "党员乙", "qingshan"}, {1003, "党员丙", "qingshan"},
		{1101, "党员丁", "niumaoping"}, {1102, "党员戊", "niumaoping"}, {1201, "党员己", "laowaping"}} {
		e.member(m.id, m.name, m.node)
	}
	e.engine.Set(at(2026, 12, 10, 10, 0))
	for _, id := range []int64{1001, 1003, 1101} {
		e.study(id)
	}
	return e
}

func (e *env) admin() quiz.Viewer {
	v, err := e.svc.Viewer(context.Background(), adminID)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// join makes a Telegram user (who has started the bot) join node.
func (e *env) join(id int64, name, node string, role quiz.Role) {
	e.t.Helper()
	u := e.srv.NewUser(id, name)
	u.SendText("/start")
	ctx := context.Background()
	inv, err := e.svc.CreateInvite(ctx, e.admin(), node, role, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, _, err := e.svc.Join(ctx, id, inv.Code, name); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) member(id int64, name, node string)    { e.join(id, name, node, quiz.RoleMember) }
func (e *env) secretary(id int64, name, node string) { e.join(id, name, node, quiz.RoleSecretary) }

// study finishes this month's study for a member, every answer right.
func (e *env) study(id int64) {
	e.t.Helper()
	ctx := context.Background()
	sess, err := e.svc.StartStudy(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	a := sess.Attempt
	for i, it := range a.Items {
		var res *quiz.AnswerResult
		if it.Type == questions.Fill {
			res, err = e.svc.Answer(ctx, id, a.ID, i, nil, it.Accepted[0], "")
		} else {
			res, err = e.svc.Answer(ctx, id, a.ID, i, it.Answer, "", "")
		}
		if err != nil {
			e.t.Fatalf("answer %d of %d: %v", i, id, err)
		}
		if i == len(a.Items)-1 && !res.Closed {
			e.t.Fatalf("member %d's study did not close", id)
		}
	}
}

// initData is initData for a user signed with the bot's token now.
func (e *env) initData(id int64) string {
	return webapp.Sign(e.srv.Token(), id, "test", e.wall.Now(), map[string]string{"query_id": "AAHdF6IQAAAAAN0XohDhrOrc"})
}

// call makes one API request and returns the status and the body.
func (e *env) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.http.URL+"/"+strings.TrimPrefix(path, "/"), rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// session exchanges initData for a token, failing the test on any error.
func (e *env) session(id int64) string {
	e.t.Helper()
	status, body := e.call("POST", "api/session", "", map[string]string{"init_data": e.initData(id)})
	if status != 200 {
		e.t.Fatalf("session for %d: %d %s", id, status, body)
	}
	var s struct{ Token string }
	if err := json.Unmarshal(body, &s); err != nil || s.Token == "" {
		e.t.Fatalf("session for %d: %s", id, body)
	}
	return s.Token
}

// eventually waits (generously: the machine is shared) for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noActions is Actions for tests that take none.
type noActions struct{}

func (noActions) Remind(context.Context, quiz.Viewer, string) (int, int, int, error) {
	return 0, 0, 0, nil
}
func (noActions) ExportXLSX(context.Context, quiz.Viewer, string) (string, []byte, int, error) {
	return "", nil, 0, nil
}
func (noActions) SendExport(context.Context, quiz.Viewer, int64, string) (int, error) { return 0, nil }
func (noActions) GrantMakeup(context.Context, quiz.Viewer, int64, quiz.Kind, string, int, string) (*quiz.Grant, bool, error) {
	return nil, false, quiz.Errorf(quiz.Invalid, "none")
}
