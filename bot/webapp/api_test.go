package webapp_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/bot/webapp"
)

// TestPermissions: every endpoint for a member, the secretary of the node
// asked about, a secretary of another node, an admin and a stranger. The
// dashboard asks quiz exactly as the chat does, so the table is the
// chat's: only the node's secretary and the admin see or act; the others
// get 403 and none of the node's data.
func TestPermissions(t *testing.T) {
	e := newEnv(t)
	who := []struct {
		name string
		id   int64
	}{{"member", 1001}, {"secretary here", 2001}, {"secretary there", 2002}, {"admin", adminID}, {"stranger", 3001}}
	tokens := map[int64]string{}
	for _, w := range who {
		tokens[w.id] = e.session(w.id)
	}
	const ok, no = 200, 403
	tests := []struct {
		method, path string
		body         any
		want         [5]int
		secret       string // in a 200's body; never in a refusal
	}{
		{"GET", "api/overview?node=qingshan", nil, [5]int{no, ok, no, ok, no}, "党员乙"},
		{"GET", "api/overview?node=qingshan&period=quarter", nil, [5]int{no, ok, no, ok, no}, "党员乙"},
		{"GET", "api/overview?node=dasha&period=half", nil, [5]int{no, ok, no, ok, no}, "青山村党支部"},
		{"GET", "api/overview?node=niumaoping", nil, [5]int{no, no, ok, ok, no}, "党员戊"},
		{"GET", "api/overview", nil, [5]int{no, ok, ok, ok, no}, ""},
		{"GET", "api/overview?node=nowhere", nil, [5]int{no, 404, 404, 404, no}, ""},
		{"GET", "api/ranking?node=qingshan", nil, [5]int{no, ok, no, ok, no}, "党员甲"},
		{"GET", "api/ranking?node=taiping", nil, [5]int{no, no, ok, ok, no}, "牛卯坪村党支部"},
		{"GET", "api/year?node=qingshan", nil, [5]int{no, ok, no, ok, no}, "党员丙"},
		{"GET", "api/year?node=taiping", nil, [5]int{no, no, ok, ok, no}, "老洼坪村党支部"},
		{"GET", "api/weak?node=qingshan", nil, [5]int{no, ok, no, ok, no}, ""},
		{"GET", "api/member?id=1002", nil, [5]int{no, ok, no, ok, no}, "党员乙"},
		{"GET", "api/member?id=1102", nil, [5]int{no, no, ok, ok, no}, "党员戊"},
		{"GET", "api/remind?node=qingshan", nil, [5]int{no, ok, no, ok, no}, "targets"},
		{"GET", "api/export.xlsx?node=qingshan&token=", nil, [5]int{no, ok, no, ok, no}, ""},
		{"POST", "api/export", map[string]string{"node": "qingshan"}, [5]int{no, ok, no, ok, no}, "rows"},
		{"POST", "api/makeup", map[string]any{"member": 1002, "kind": "study", "period": "2026-10", "days": 3, "request": "req-00000001"}, [5]int{no, ok, no, 409, no}, "until"},
		{"POST", "api/makeup", map[string]any{"member": 1102, "kind": "study", "period": "2026-11", "days": 3, "request": "req-00000002"}, [5]int{no, no, ok, 409, no}, "until"},
		{"POST", "api/remind", map[string]string{"node": "qingshan"}, [5]int{no, ok, no, ok, no}, "queued"},
	}
	for _, tt := range tests {
		for i, w := range who {
			path := tt.path
			token := tokens[w.id]
			if strings.HasSuffix(path, "&token=") {
				path += url.QueryEscape(token)
				token = ""
			}
			status, body := e.call(tt.method, path, token, tt.body)
			want := tt.want[i]
			if status != want && !(want == 409 && status == 200) {
				t.Errorf("%s %s %s: %d, want %d: %s", w.name, tt.method, tt.path, status, want, body)
				continue
			}
			if status != 200 && tt.secret != "" && strings.Contains(string(body), tt.secret) {
				t.Errorf("%s %s %s: a refusal shows %q: %s", w.name, tt.method, tt.path, tt.secret, body)
			}
			if status == 200 && strings.Contains(tt.path, "export.xlsx") && !strings.HasPrefix(string(body), "PK") {
				t.Errorf("%s %s: not a spreadsheet: %.40q", w.name, tt.path, body)
			}
			if status == 200 && tt.secret != "" && !strings.Contains(string(body), tt.secret) {
				t.Errorf("%s %s %s: want %q in %s", w.name, tt.method, tt.path, tt.secret, body)
			}
		}
	}
	// Whom the session says they are: the same roles as the chat's.
	for _, w := range []struct {
		id   int64
		role string
	}{{1001, "member"}, {2001, "secretary"}, {adminID, "admin"}, {3001, "none"}} {
		status, body := e.call("POST", "api/session", "", map[string]string{"init_data": e.initData(w.id)})
		var s struct{ Role string }
		json.Unmarshal(body, &s)
		if status != 200 || s.Role != w.role {
			t.Errorf("session of %d: %d %s, want role %s", w.id, status, body, w.role)
		}
	}
}

// TestAuth: initData that is forged, expired, replayed after it expired,
// another bot's, or has a key twice is 401 and nothing else; so is a
// missing, unknown or expired session token.
func TestAuth(t *testing.T) {
	e := newEnv(t)
	token := e.srv.Token()
	now := e.wall.Now()
	good := e.initData(adminID)
	fields, err := url.ParseQuery(good)
	if err != nil {
		t.Fatal(err)
	}
	field := func(k string) string { return fields.Get(k) }
	forged := strings.Replace(good, url.QueryEscape(`"id":1,`), url.QueryEscape(`"id":2001,`), 1)
	if forged == good {
		t.Fatal("the forgery did not change the user")
	}
	cases := []struct {
		name, data string
	}{
		{"empty", ""},
		{"no hash", strings.Replace(good, "hash="+field("hash"), "", 1)},
		{"forged user", forged},
		{"forged hash", strings.Replace(good, field("hash"), strings.Repeat("0", 64), 1)},
		{"expired", webapp.Sign(token, adminID, "x", now.Add(-2*time.Hour), nil)},
		{"from the future", webapp.Sign(token, adminID, "x", now.Add(time.Hour), nil)},
		{"another bot's", webapp.Sign("999999:another-bot-token", adminID, "x", now, nil)},
		{"duplicate key", good + "&auth_date=" + field("auth_date")},
		{"duplicate user", good + "&user=" + url.QueryEscape(`{"id":2001}`)},
		{"no user id", webapp.Sign(token, 0, "", now, nil)},
		{"garbage", "%zz=1&hash=00"},
	}
	for _, c := range cases {
		status, body := e.call("POST", "api/session", "", map[string]string{"init_data": c.data})
		if status != 401 || strings.TrimSpace(string(body)) != `{"error":"Unauthorized"}` {
			t.Errorf("%s: %d %s, want 401 and nothing else", c.name, status, body)
		}
	}
	if status, body := e.call("POST", "api/session", "", "not an object"); status != 401 {
		t.Errorf("a body that is not JSON: %d %s", status, body)
	}
	// Every endpoint without a session, or with a made-up one.
	for _, p := range []string{"GET api/overview", "GET api/ranking", "GET api/year", "GET api/weak", "GET api/member?id=1002",
		"GET api/remind", "POST api/remind", "POST api/makeup", "POST api/export", "GET api/export.xlsx"} {
		method, path, _ := strings.Cut(p, " ")
		for _, tok := range []string{"", "made-up"} {
			status, body := e.call(method, path, tok, map[string]string{})
			if status != 401 || strings.Contains(string(body), "党员") {
				t.Errorf("%s with token %q: %d %s, want 401", p, tok, status, body)
			}
		}
	}
	// A session works, then runs out; the initData that made it cannot
	// make another once it is older than the maximum age (a replay).
	s := e.session(adminID)
	if status, body := e.call("GET", "api/overview", s, nil); status != 200 {
		t.Fatalf("a fresh session: %d %s", status, body)
	}
	e.wall.Set(now.Add(16 * time.Minute))
	if status, _ := e.call("GET", "api/overview", s, nil); status != 401 {
		t.Errorf("an expired session: %d, want 401", status)
	}
	if status, _ := e.call("POST", "api/session", "", map[string]string{"init_data": good}); status != 200 {
		t.Errorf("initData 16 minutes old: %d, want a new session", status)
	}
	e.wall.Set(now.Add(61 * time.Minute))
	if status, body := e.call("POST", "api/session", "", map[string]string{"init_data": good}); status != 401 {
		t.Errorf("initData replayed after it expired: %d %s, want 401", status, body)
	}
}

// TestChatButtons: with a dashboard configured, a secretary's /branch and
// /help carry a web_app button that opens it (at the node, for /branch);
// a member's do not.
func TestChatButtons(t *testing.T) {
	e := newEnv(t)
	sec := e.srv.User(2001)
	seq := sec.Seq()
	sec.SendText("/branch")
	m, err := sec.WaitAfter(t.Context(), seq, func(m telegramtest.Message) bool { return strings.Contains(m.Text, "大沙镇党委") })
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Buttons) == 0 || m.Buttons[0][0].WebApp != dashboardAt+"?node=dasha" {
		t.Fatalf("/branch's buttons: %+v", m.Buttons)
	}
	if !m.HasButton("青山村党支部") {
		t.Errorf("/branch lost its own buttons: %+v", m.Buttons)
	}
	seq = sec.Seq()
	sec.SendText("/help")
	if m, err = sec.WaitAfter(t.Context(), seq, nil); err != nil || len(m.Buttons) != 1 || m.Buttons[0][0].WebApp != dashboardAt {
		t.Errorf("a secretary's /help: %v %+v", err, m.Buttons)
	}
	mem := e.srv.User(1001)
	seq = mem.Seq()
	mem.SendText("/help")
	if m, err = mem.WaitAfter(t.Context(), seq, nil); err != nil || len(m.Buttons) != 0 {
		t.Errorf("a member's /help: %v %+v", err, m.Buttons)
	}
}

// TestMakeupOncePerRequest: a make-up sent twice from the page (a double
// tap, a retry after a lost answer) grants once and tells the member once.
func TestMakeupOncePerRequest(t *testing.T) {
	e := newEnv(t)
	tok := e.session(2001)
	body := map[string]any{"member": 1002, "kind": "study", "period": "2026-12", "days": 7, "request": "page-0000abcd"}
	var untils []string
	for i := 0; i < 2; i++ {
		status, b := e.call("POST", "api/makeup", tok, body)
		if status != 200 {
			t.Fatalf("make-up %d: %d %s", i, status, b)
		}
		untils = append(untils, string(b))
	}
	if untils[0] != untils[1] {
		t.Errorf("the second request made another grant: %s, then %s", untils[0], untils[1])
	}
	u := e.srv.User(1002)
	eventually(t, "the member's notice", func() bool {
		for _, m := range u.Messages() {
			if strings.Contains(m.Text, "为您开放了") {
				return true
			}
		}
		return false
	})
	time.Sleep(200 * time.Millisecond)
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "为您开放了") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the member was told %d times, want 1", n)
	}
	// Without an id for the request the page's call is refused.
	delete(body, "request")
	if status, _ := e.call("POST", "api/makeup", tok, body); status != 400 {
		t.Errorf("a make-up without a request id: %d, want 400", status)
	}
}
