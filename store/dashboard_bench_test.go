package store_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/webapp"
	"partyquiz/quiz"
)

// BenchmarkDashboard answers the dashboard's API (package bot/webapp,
// through its HTTP handler, JSON and all) from a generated store with a
// year of history: the overview an admin opens first (the root's children
// this month), a township's and a branch's overview, the half-year tab at
// the root (20,000 branches ranked on the province) and the ranking. The
// province needs PARTYQUIZ_BIG=1 (BENCHMARKS.md, "The dashboard").
func BenchmarkDashboard(b *testing.B) {
	for _, c := range genConfigs() {
		b.Run(c.Name, func(b *testing.B) {
			db, _ := openGenerated(b, c)
			cal, err := quiz.NewCalendar("Asia/Shanghai")
			if err != nil {
				b.Fatal(err)
			}
			svc := quiz.NewService(db, cal, quiz.DefaultRules(), func() time.Time { return genNow }, []int64{adminID},
				&quiz.Content{Catalog: testContent(b).Catalog, Tree: c.tree(b)})
			const token = "1:bench"
			web, err := webapp.New(webapp.Options{Token: token, Service: svc, Actions: benchActions{}})
			if err != nil {
				b.Fatal(err)
			}
			rec := httptest.NewRecorder()
			body := `{"init_data":"` + webapp.Sign(token, adminID, "admin", time.Now(), nil) + `"}`
			web.ServeHTTP(rec, httptest.NewRequest("POST", "/api/session", strings.NewReader(body)))
			if rec.Code != 200 {
				b.Fatalf("session: %d %s", rec.Code, rec.Body)
			}
			tok := rec.Body.String()
			tok = tok[strings.Index(tok, `"token":"`)+9:]
			tok = tok[:strings.Index(tok, `"`)]
			for _, q := range []struct{ name, path string }{
				{"overview-root", "/api/overview"},
				{"overview-area", "/api/overview?node=a00"},
				{"overview-township", "/api/overview?node=t000"},
				{"overview-branch", "/api/overview?node=" + c.branch(0)},
				{"overview-root-half", "/api/overview?period=half"},
				{"ranking-root", "/api/ranking"},
			} {
				b.Run(q.name, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; i < b.N; i++ {
						req := httptest.NewRequest("GET", q.path, nil)
						req.Header.Set("Authorization", "Bearer "+tok)
						rec := httptest.NewRecorder()
						web.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: %d %s", q.path, rec.Code, rec.Body)
						}
						if i == 0 {
							b.ReportMetric(float64(rec.Body.Len()), "response-bytes")
						}
					}
				})
			}
		})
	}
}

// benchActions stands in for the bot: the benchmark takes no action.
type benchActions struct{}

func (benchActions) Remind(context.Context, quiz.Viewer, string) (int, int, int, error) {
	return 0, 0, 0, nil
}
func (benchActions) ExportXLSX(context.Context, quiz.Viewer, string) (string, []byte, int, error) {
	return "", nil, 0, nil
}
func (benchActions) SendExport(context.Context, quiz.Viewer, int64, string) (int, error) {
	return 0, nil
}
func (benchActions) GrantMakeup(context.Context, quiz.Viewer, int64, quiz.Kind, string, int, string) (*quiz.Grant, bool, error) {
	return nil, false, quiz.Errorf(quiz.Invalid, "none")
}
