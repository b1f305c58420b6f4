package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestWebappConfig(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	tests := []struct{ text, want string }{
		{"[webapp]\nlisten = \"8444\"\n", "webapp.listen"},
		{"[webapp]\nlisten = \"127.0.0.1:8444\"\nurl = \"http://quiz.example.org/dashboard/\"\n", "webapp.url"},
		{"[webapp]\nlisten = \"127.0.0.1:8444\"\nurl = \"dashboard\"\n", "webapp.url"},
		{"[webapp]\nurl = \"https://quiz.example.org/dashboard/\"\n", "webapp.listen"},
		{"[webapp]\nmax_age = \"forever\"\n", "webapp.max_age"},
		{"[webapp]\nmax_age = \"720h\"\n", "webapp.max_age"},
		{"[webapp]\nport = 8444\n", "webapp.port"},
	}
	for _, tt := range tests {
		m := NewMain(io.Discard, io.Discard)
		err := m.ParseFlags([]string{"-config", writeConfig(t, tt.text)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error naming %s", tt.text, err, tt.want)
		}
	}
	m := NewMain(io.Discard, io.Discard)
	ok := "[webapp]\nlisten = \"127.0.0.1:8444\"\nurl = \"https://quiz.example.org/dashboard/\"\nmax_age = \"2h\"\n"
	if err := m.ParseFlags([]string{"-config", writeConfig(t, ok)}); err != nil {
		t.Fatal(err)
	}
	if d, _ := m.Config.WebappMaxAge(); d != 2*time.Hour {
		t.Errorf("max_age = %v", d)
	}
}

// TestChatDashboard: `partyquiz chat` prints a local address that opens
// the dashboard for the demo user (an admin) in an ordinary browser; the
// address's signed initData gets a session and the overview.
func TestChatDashboard(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	var out syncBuffer
	m := NewMain(&out, io.Discard)
	m.Config.Store.Path = filepath.Join(t.TempDir(), "chat.db")
	in, typed := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- m.Chat(context.Background(), in) }()
	link := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/#\S+`)
	deadline := time.Now().Add(15 * time.Second)
	for link.FindString(out.String()) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no dashboard address in the terminal:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	u, err := url.Parse(link.FindString(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	frag, err := url.ParseQuery(u.EscapedFragment())
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + u.Host + "/"
	page, err := http.Get(base)
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("the page: %v %v", err, page)
	}
	page.Body.Close()
	body, _ := json.Marshal(map[string]string{"init_data": frag.Get("tgWebAppData")})
	resp, err := http.Post(base+"api/session", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Token, Role string }
	json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if resp.StatusCode != 200 || s.Role != "admin" {
		t.Fatalf("session from the printed address: %d %+v", resp.StatusCode, s)
	}
	req, _ := http.NewRequest("GET", base+"api/overview", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(data), "中共市委") {
		t.Errorf("the overview: %d %s", resp.StatusCode, data)
	}
	io.WriteString(typed, "/quit\n")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("chat did not end")
	}
}
