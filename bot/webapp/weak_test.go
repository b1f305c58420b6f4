package webapp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestWeakHidesTheOpenTest: on 10 December the fourth quarter's test
// window is open, so the hardest questions of its banks come without their
// answers, with the day they will be shown — the rule of the chat's /weak
// (issue 9 item 2, issue 13). Before the fix api/weak sent every answer.
func TestWeakHidesTheOpenTest(t *testing.T) {
	e := newEnv(t)
	// Enough December studies at 青山村 for questions with three answers.
	for i, name := range strings.Split("赵一 钱二 孙三 李四 周五 吴六 郑七 王八 冯九 陈十", " ") {
		id := int64(1010 + i)
		e.member(id, name, "qingshan")
		e.study(id)
	}
	v, err := e.svc.Viewer(context.Background(), 2001)
	if err != nil {
		t.Fatal(err)
	}
	items, err := e.svc.Weak(context.Background(), v, "qingshan", 10)
	if err != nil {
		t.Fatal(err)
	}
	hidden := map[string]bool{}
	for _, it := range items {
		if it.Hidden {
			hidden[it.Bank+"/"+it.Q.ID] = true
		}
	}
	if len(hidden) == 0 {
		t.Fatalf("setup: none of the %d hardest questions is in the open test", len(items))
	}
	status, body := e.call("GET", "api/weak?node=qingshan", e.session(2001), nil)
	if status != 200 {
		t.Fatalf("api/weak: %d %s", status, body)
	}
	var out struct {
		Items []struct {
			Bank, ID, Answer, Until string
			Hidden                  bool
		}
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != len(items) {
		t.Fatalf("api/weak has %d items, /weak %d", len(out.Items), len(items))
	}
	for _, it := range out.Items {
		key := it.Bank + "/" + it.ID
		switch {
		case hidden[key] && (it.Answer != "" || !it.Hidden || it.Until != "12月31日"):
			t.Errorf("%s is in the open test: answer %q, hidden %v, until %q", key, it.Answer, it.Hidden, it.Until)
		case !hidden[key] && (it.Answer == "" || it.Hidden):
			t.Errorf("%s is in no open test but its answer is withheld", key)
		}
	}
	if strings.Contains(string(body), "explanation") {
		t.Errorf("api/weak sends explanations: %s", body)
	}
}
