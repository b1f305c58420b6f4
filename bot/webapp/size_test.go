package webapp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"partyquiz/bot/webapp"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// maxFirstScreen is the most the first screen may transfer, compressed
// (issue 13: a weak connection).
const maxFirstScreen = 400 << 10

// TestFirstScreenSize fetches the page and everything it loads before the
// first chart, as a browser that accepts gzip does, and counts the bytes
// on the wire (BENCHMARKS.md, "The dashboard"). Run with -v to see them.
func TestFirstScreenSize(t *testing.T) {
	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		t.Fatal(err)
	}
	svc := quiz.NewService(nil, shanghai, quiz.DefaultRules(), nil, nil, &quiz.Content{Catalog: cat, Tree: tree})
	web, err := webapp.New(webapp.Options{Token: "1:x", Service: svc, Actions: noActions{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}} // count what the wire carries
	get := func(path string) (wire, raw int, body []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if len(data) > 1024 && resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s: not compressed", path)
		}
		plain := data
		if resp.Header.Get("Content-Encoding") == "gzip" {
			req.Header.Del("Accept-Encoding")
			r2, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ = io.ReadAll(r2.Body)
			r2.Body.Close()
		}
		return len(data), len(plain), plain
	}
	wire, raw, page := get("/")
	t.Logf("%-40s %8d bytes compressed, %8d raw", "/", wire, raw)
	refs := regexp.MustCompile(`(?:src|href)="([^"#]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(refs) < 3 {
		t.Fatalf("the page loads %d files: %q", len(refs), refs)
	}
	for _, ref := range refs {
		w, r, _ := get("/" + ref[1])
		t.Logf("%-40s %8d bytes compressed, %8d raw", "/"+ref[1], w, r)
		wire += w
		raw += r
	}
	t.Logf("first screen: %d bytes compressed (%.1f KB), %d raw", wire, float64(wire)/1024, raw)
	if wire > maxFirstScreen {
		t.Errorf("the first screen transfers %d bytes compressed, more than %d", wire, maxFirstScreen)
	}
}
