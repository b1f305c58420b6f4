package webapp_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"partyquiz/bot/telegramtest"
)

// chromiumPath is Debian's chromium (apt-get install chromium);
// PARTYQUIZ_CHROMIUM names another binary.
func chromiumPath(t *testing.T) string {
	p := os.Getenv("PARTYQUIZ_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the dashboard's browser test needs Chromium at %s: install it with\n\n\tapt-get update && apt-get install -y chromium\n\n(or set PARTYQUIZ_CHROMIUM to a Chromium binary); .ci/run does this itself", p)
	}
	return p
}

// screenshotDir is where the test leaves its screenshots (README,
// "The dashboard"): bot/webapp/screenshots, or PARTYQUIZ_SCREENSHOTS.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("PARTYQUIZ_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Telegram's own light and dark themes, as a client passes them.
var (
	lightTheme = map[string]string{"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999",
		"link_color": "#2481cc", "button_color": "#2481cc", "button_text_color": "#ffffff",
		"secondary_bg_color": "#efeff3", "header_bg_color": "#ffffff", "accent_text_color": "#2481cc",
		"section_bg_color": "#ffffff", "subtitle_text_color": "#999999", "destructive_text_color": "#e53935"}
	darkTheme = map[string]string{"bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa",
		"link_color": "#8774e1", "button_color": "#8774e1", "button_text_color": "#ffffff",
		"secondary_bg_color": "#0f0f0f", "header_bg_color": "#212121", "accent_text_color": "#8774e1",
		"section_bg_color": "#212121", "subtitle_text_color": "#aaaaaa", "destructive_text_color": "#ff595a"}
)

// launchURL opens the dashboard the way a Telegram client does: the page's
// address with the launch parameters in the fragment.
func (e *env) launchURL(user int64, query string, theme map[string]string) string {
	tp, _ := json.Marshal(theme)
	frag := url.Values{"tgWebAppData": {e.initData(user)}, "tgWebAppThemeParams": {string(tp)},
		"tgWebAppVersion": {"7.10"}, "tgWebAppPlatform": {"android"}}
	return e.http.URL + "/" + query + "#" + frag.Encode()
}

// browser is one headless Chromium tab with a phone's screen.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string

	mu     sync.Mutex
	errors []string // script errors and console.error calls on the page
}

// listen keeps the page's script errors (it runs on chromedp's goroutine).
func (b *browser) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "a script error on the page: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		msg = "console.error on the page"
		for _, a := range ev.Args {
			msg += " " + string(a.Value) + a.Description
		}
	default:
		return
	}
	b.mu.Lock()
	b.errors = append(b.errors, msg)
	b.mu.Unlock()
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844),
	}
	b := &browser{t: t, dir: screenshotDir(t)}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	b.ctx = ctx
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.errors {
			t.Error(e) // any script error on the page fails the test
		}
		b.errors = nil
	})
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v\npage: %s", err, b.state())
	}
}

// state is what the page shows, for failure messages.
func (b *browser) state() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.body ? document.body.dataset.loaded + " | " + document.body.innerText : "no page").slice(0, 2000)`))
	return s
}

// eval evaluates a JavaScript expression.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v\npage: %s", js, err, b.state())
	}
	return v
}

// waitLoaded waits until the page has drawn a view ("overview:qingshan:month").
func (b *browser) waitLoaded(view string) {
	b.t.Helper()
	js := `document.body && document.body.dataset.loaded === ` + jsString(view)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		b.t.Fatalf("waiting for view %s: %v\npage: %s", view, err, b.state())
	}
}

func (b *browser) waitFor(what, js string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		b.t.Fatalf("waiting for %s: %v\npage: %s", what, err, b.state())
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	// Let the charts finish their short animation.
	b.do(chromedp.Sleep(600 * time.Millisecond))
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func jsString(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}

// texts returns the text of every element a selector matches.
func texts(b *browser, sel string) []string {
	return eval[[]string](b, `Array.from(document.querySelectorAll(`+jsString(sel)+`), e => e.innerText.trim())`)
}

// TestBrowser opens the dashboard in headless Chromium in a fake
// Telegram environment (signed initData and theme parameters in the
// URL fragment) and uses it as a secretary would: the overview with the
// right names and figures, a drill-down to a branch and back up by the
// path bar, the members with the unfinished first, a reminder with one
// tap (the notices reach the members' chats), the ranking and the year;
// in Telegram's light and dark themes, with screenshots of each.
func TestBrowser(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)

	// The admin opens it from the chat: the whole tree.
	b.do(chromedp.Navigate(e.launchURL(adminID, "", lightTheme)))
	b.waitLoaded("overview:city:month")
	if got := eval[string](b, `document.querySelector('#node-name').innerText`); got != "中共市委" {
		t.Errorf("the top node is %q, want 中共市委", got)
	}
	if got := strings.Join(texts(b, "#totals .card"), " | "); !strings.Contains(got, "3/6") || !strings.Contains(got, "50.0%") {
		t.Errorf("the city's totals %q, want 3/6 finished (50.0%%)", got)
	}
	kids := texts(b, "#children li")
	if len(kids) != 2 || !strings.Contains(kids[0], "第一片区") || !strings.Contains(kids[0], "3/6") || !strings.Contains(kids[1], "第二片区") {
		t.Errorf("the city's children: %q", kids)
	}
	if n := eval[int](b, `document.querySelectorAll('#children-chart canvas').length`); n == 0 {
		t.Error("no chart drawn for the children")
	}
	b.screenshot("overview-light")

	// Down: 第一片区 → 大沙镇党委 (sorted by rate: 大沙镇 66.7% before 太平镇 33.3%).
	b.do(chromedp.Click(`#children li[data-node="area1"]`))
	b.waitLoaded("overview:area1:month")
	kids = texts(b, "#children li .name")
	if len(kids) != 3 || kids[0] != "大沙镇党委" || kids[1] != "太平镇党委" {
		t.Errorf("第一片区's children by completion: %q", kids)
	}
	b.do(chromedp.Click(`#sort button[data-sort="name"]`))
	b.waitFor("sorting by name", `document.querySelector('#sort button[data-sort="name"]').getAttribute('aria-pressed') === 'true'`)
	b.do(chromedp.Click(`#children li[data-node="dasha"]`))
	b.waitLoaded("overview:dasha:month")
	b.do(chromedp.Click(`#children li[data-node="qingshan"]`))
	b.waitLoaded("overview:qingshan:month")
	if got := texts(b, "#path button"); strings.Join(got, "/") != "中共市委/第一片区/大沙镇党委/青山村党支部" {
		t.Errorf("the path bar: %q", got)
	}
	rows := texts(b, "#members tbody tr")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "党员乙") || !strings.Contains(rows[0], "未完成") {
		t.Errorf("the branch's members, the unfinished first: %q", rows)
	}
	// The test window is open and nobody has taken it: 待参加, as /me says.
	for _, r := range rows {
		if !strings.Contains(r, "待参加") || strings.Contains(r, "未参加") {
			t.Errorf("a member's row while the test is open: %q", r)
		}
	}
	// The quarter: the test window is open, nobody has taken it.
	b.do(chromedp.Click(`#periods button[data-period="quarter"]`))
	b.waitLoaded("overview:qingshan:quarter")
	if got := strings.Join(texts(b, "#totals .card"), " | "); !strings.Contains(got, "0/3") {
		t.Errorf("the branch's test totals %q, want 0/3 tested", got)
	}
	b.do(chromedp.Click(`#periods button[data-period="month"]`))
	b.waitLoaded("overview:qingshan:month")
	b.screenshot("branch-light")

	// Back up by the path bar.
	b.do(chromedp.Click(`#path button[data-node="dasha"]`))
	b.waitLoaded("overview:dasha:month")
	if got := eval[string](b, `document.querySelector('#node-name').innerText`); got != "大沙镇党委" {
		t.Errorf("after going up: %q", got)
	}

	// Remind: one tap, with the count; the notices reach the chats.
	b.do(chromedp.Click(`#children li[data-node="qingshan"]`))
	b.waitLoaded("overview:qingshan:month")
	b.waitFor("the reminder's count", `document.querySelector('#remind').dataset.count === '3'`)
	if got := eval[string](b, `document.querySelector('#remind').innerText`); !strings.Contains(got, "3") {
		t.Errorf("the remind button says %q, want the count 3", got)
	}
	b.do(chromedp.Click(`#remind`))
	b.waitFor("the reminder to be queued", `document.body.dataset.reminded === '3'`)
	for _, id := range []int64{1001, 1002, 1003} {
		u := e.srv.User(id)
		eventually(t, "a reminder in the chat of a member", func() bool { return hasMessage(u, "测试提醒") })
	}
	if hasMessage(e.srv.User(1101), "提醒") {
		t.Error("a member of another branch was reminded")
	}
	if got := eval[string](b, `document.querySelector('#toast').innerText`); !strings.Contains(got, "已提醒 3 人") {
		t.Errorf("the toast says %q", got)
	}

	// A make-up from a member's card.
	b.do(chromedp.Click(`#members tbody tr[data-id="1002"]`))
	b.waitFor("the member's card", `!document.querySelector('#sheet').hidden && document.querySelector('#makeup-what button') !== null`)
	b.do(chromedp.Click(`#makeup-what button[data-period="2026-11"]`), chromedp.Click(`#makeup-grant`))
	b.waitFor("the make-up", `document.querySelector('#sheet').hidden && document.querySelector('#toast').innerText.includes('已开放')`)
	eventually(t, "the make-up's notice", func() bool { return hasMessage(e.srv.User(1002), "补学") || hasMessage(e.srv.User(1002), "补考") })

	// The half-year ranking and the year's stars of 第一片区.
	b.do(chromedp.Click(`#path button[data-node="area1"]`))
	b.waitLoaded("overview:area1:month")
	b.do(chromedp.Click(`#tabs button[data-tab="ranking"]`))
	b.waitLoaded("ranking:area1:")
	ranked := texts(b, "#ranking-list li .name")
	if len(ranked) != 3 || ranked[0] != "1. 大沙镇党委" || ranked[2] != "旧院镇党委" {
		t.Errorf("第一片区's ranking (旧院镇 has no members: last, no place): %q", ranked)
	}
	if tags := texts(b, "#ranking-list li .tag"); !slices.Contains(tags, "不参加排名") {
		t.Errorf("旧院镇党委 is not marked as not ranked: tags %q", tags)
	}
	b.screenshot("ranking-light")
	b.do(chromedp.Click(`#tabs button[data-tab="year"]`))
	b.waitLoaded("year:area1:")
	if got := strings.Join(texts(b, "#year-totals .card"), " | "); !strings.HasPrefix(got, "6") {
		t.Errorf("the year's totals of 第一片区: %q", got)
	}
	b.screenshot("year-light")
	b.do(chromedp.Click(`#tabs button[data-tab="weak"]`))
	b.waitLoaded("weak:area1:")

	// Dark: a secretary of 大沙镇 opens it from /branch (node in the query);
	// the path bar starts at their own node, and Telegram's dark theme is
	// in force.
	b.do(chromedp.Navigate("about:blank"), chromedp.Navigate(e.launchURL(2001, "?node=qingshan", darkTheme)))
	b.waitLoaded("overview:qingshan:month")
	if got := texts(b, "#path button"); strings.Join(got, "/") != "大沙镇党委/青山村党支部" {
		t.Errorf("the secretary's path bar: %q", got)
	}
	if got := eval[string](b, `getComputedStyle(document.body).backgroundColor + ' ' + document.documentElement.dataset.scheme`); got != "rgb(15, 15, 15) dark" {
		t.Errorf("the dark theme: body %q", got)
	}
	b.screenshot("branch-dark")
	b.do(chromedp.Click(`#path button[data-node="dasha"]`))
	b.waitLoaded("overview:dasha:month")
	b.screenshot("overview-dark")
	b.do(chromedp.Click(`#tabs button[data-tab="ranking"]`))
	b.waitLoaded("ranking:dasha:")
	b.screenshot("ranking-dark")

	// Outside their node: the engine says no, the page says so.
	b.do(chromedp.Navigate("about:blank"), chromedp.Navigate(e.launchURL(2001, "?node=niumaoping", darkTheme)))
	b.waitLoaded("error")
	if got := eval[string](b, `document.querySelector('#status').innerText`); !strings.Contains(got, "没有查看这个组织的权限") {
		t.Errorf("a secretary outside their node sees %q", got)
	}
	// A member is told the dashboard is not for them.
	b.do(chromedp.Navigate("about:blank"), chromedp.Navigate(e.launchURL(1001, "", lightTheme)))
	b.waitLoaded("error")
	if got := eval[string](b, `document.querySelector('#status').innerText`); !strings.Contains(got, "只对书记和管理员开放") {
		t.Errorf("a member sees %q", got)
	}
}

func hasMessage(u *telegramtest.User, want string) bool {
	for _, m := range u.Messages() {
		if m.FromBot && strings.Contains(m.Text, want) {
			return true
		}
	}
	return false
}
