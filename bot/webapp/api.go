package webapp

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"partyquiz/bot"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// The JSON the page reads. Figures come as numbers (for the bars) and as
// text formatted the way the chat formats them (one decimal; "—" where
// there is nothing to show), so a figure reads the same in both.

type nodeRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type whoAmI struct {
	Token     string    `json:"token"`
	ExpiresIn int       `json:"expires_in"` // seconds
	User      userRef   `json:"user"`
	Role      string    `json:"role"` // "admin", "secretary", "member" or "none"
	Scopes    []nodeRef `json:"scopes"`
}

type userRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (s *Server) whoAmI(v quiz.Viewer, token string) whoAmI {
	tree := s.svc.Tree()
	out := whoAmI{Token: token, ExpiresIn: int(s.opts.SessionTTL.Seconds()), User: userRef{ID: v.ID}, Role: "none", Scopes: []nodeRef{}}
	switch {
	case v.Admin:
		out.Role = "admin"
	case v.User.IsSecretary():
		out.Role = "secretary"
	case v.User.IsMember():
		out.Role = "member"
	}
	if v.User != nil {
		out.User.Name = v.User.Name
	}
	for _, n := range v.Scopes(tree) {
		out.Scopes = append(out.Scopes, s.ref(n))
	}
	return out
}

func (s *Server) ref(node string) nodeRef {
	return nodeRef{ID: node, Name: s.svc.Tree().Name(node)}
}

// path is the way from the viewer's own node down to node: the nodes of
// its lineage the viewer manages, top first (the path bar).
func (s *Server) path(v quiz.Viewer, node string) []nodeRef {
	tree := s.svc.Tree()
	l := tree.Lineage(node)
	var out []nodeRef
	for i := len(l) - 1; i >= 0; i-- {
		if v.CanManage(tree, l[i]) {
			out = append(out, s.ref(l[i]))
		}
	}
	return out
}

// pct is a 0–1 rate as text ("87.5%"), "—" for NaN.
func pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "—"
	}
	return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
}

// one is a figure with one decimal, "—" for NaN.
func one(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "—"
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// ratio is k/n, NaN when n is 0.
func ratio(k, n int64) float64 {
	if n == 0 {
		return math.NaN()
	}
	return float64(k) / float64(n)
}

// num is a float for JSON: null for NaN.
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, math.Round(f*10000)/10000, 'f', -1, 64), nil
}

// figures are a node's numbers for one period: quiz.Figures, each with
// the one definition and label it has in the chat (see quiz.Figures).
type figures struct {
	Members     int64  `json:"members"`
	Done        int64  `json:"done"`      // study: member-months finished; test: tests taken
	Owed        int64  `json:"owed"`      // study: member-months owed; test: tests owed
	Rate        num    `json:"rate"`      // 学习完成率 (study, half) or 参考率 (test)
	RateText    string `json:"rate_text"` //
	Mean        num    `json:"mean"`      // 参考人员平均分: the mean of those who took the test
	MeanText    string `json:"mean_text"`
	DueMean     num    `json:"due_mean"` // 人均得分: over everyone who owed the test, absence as 0
	DueMeanText string `json:"due_mean_text"`
	Pass        num    `json:"pass"` // 及格率: passed ÷ owed
	PassText    string `json:"pass_text"`
	Value       num    `json:"value"` // a half: the ranking's blend
	ValueText   string `json:"value_text,omitempty"`
	Change      num    `json:"change"`               // a half: Value minus the last half's
	Taken       int64  `json:"taken,omitempty"`      // a half: tests taken
	TestsOwed   int64  `json:"tests_owed,omitempty"` // a half: tests owed
	Rank        int    `json:"rank,omitempty"`
	Small       bool   `json:"small,omitempty"`
}

// figuresOf turns the engine's figures into the page's: the study's for a
// month, the test's for a quarter, both for a half year.
func figuresOf(f quiz.Figures, kind quiz.PeriodKind) figures {
	out := figures{Members: f.Members, Mean: num(f.TakenMean()), MeanText: one(f.TakenMean()),
		DueMean: num(f.DueMean()), DueMeanText: one(f.DueMean()), Pass: num(f.PassRate()), PassText: pct(f.PassRate()),
		Value: num(math.NaN()), Change: num(math.NaN())}
	switch kind {
	case quiz.Quarter:
		out.Done, out.Owed, out.Rate, out.RateText = f.Stats.TestTaken, f.TestDue, num(f.TakeRate()), pct(f.TakeRate())
	default:
		out.Done, out.Owed, out.Rate, out.RateText = f.Stats.StudyDone, f.StudyDue, num(f.StudyRate()), pct(f.StudyRate())
		out.Taken, out.TestsOwed = f.Stats.TestTaken, f.TestDue
	}
	return out
}

func standingFigures(st quiz.Standing) figures {
	out := figuresOf(st.Figures, quiz.Half)
	out.Value, out.ValueText, out.Change, out.Rank, out.Small = num(st.Value), one(st.Value), num(st.Change), st.Rank, st.Small
	return out
}

type child struct {
	nodeRef
	Leaf bool `json:"leaf"`
	figures
}

type memberRow struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Study    string `json:"study"` // "done", "ongoing" or "missed"
	Makeup   bool   `json:"makeup"`
	Answered int    `json:"answered"`
	Total    int    `json:"total"`
	Tested   bool   `json:"tested"`
	Score    int    `json:"score"`
	Passed   bool   `json:"passed"`
	Half     string `json:"half"` // points
	Year     string `json:"year"`
	Stars    int    `json:"stars"`
	Flagged  bool   `json:"flagged"`
}

type overviewAnswer struct {
	Node      nodeRef     `json:"node"`
	Path      []nodeRef   `json:"path"`
	Leaf      bool        `json:"leaf"`
	Period    string      `json:"period"` // "month", "quarter" or "half"
	Label     string      `json:"label"`  // "2026年11月"
	TestOpen  bool        `json:"test_open"`
	TestOpens string      `json:"test_opens,omitempty"` // the window's first day, before it opens
	Total     figures     `json:"total"`
	Children  []child     `json:"children"`
	Rows      []memberRow `json:"rows"`
	// Unfinished is how many of Rows have not finished this month's study
	// (they come first).
	Unfinished int `json:"unfinished"`
}

// overview: GET api/overview?node=&period=month|quarter|half — the node's
// figures and its children's (NodeReport; for the half year Standings),
// and for a branch its members, unfinished first.
func (s *Server) overview(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	q := r.URL.Query()
	node, period := q.Get("node"), q.Get("period")
	if period == "" {
		period = "month"
	}
	if period != "month" && period != "quarter" && period != "half" {
		writeError(w, http.StatusBadRequest)
		return
	}
	rep, err := s.svc.NodeReport(r.Context(), v, node)
	if err != nil {
		s.fail(w, err)
		return
	}
	tree := s.svc.Tree()
	out := overviewAnswer{Node: s.ref(rep.Node), Path: s.path(v, rep.Node), Leaf: tree.IsLeaf(rep.Node), Period: period,
		TestOpen: rep.TestOpen, Children: []child{}, Rows: []memberRow{}}
	if !rep.TestOpen {
		start, _ := s.svc.Rules.TestWindowOf(s.svc.Cal, rep.Quarter)
		out.TestOpens = s.day(start)
	}
	switch period {
	case "month":
		out.Label = bot.PeriodName(rep.Month)
		out.Total = figuresOf(rep.Study, quiz.Month)
		for _, c := range rep.Children {
			out.Children = append(out.Children, child{nodeRef: s.ref(c.Node), Leaf: tree.IsLeaf(c.Node), figures: figuresOf(c.Study, quiz.Month)})
		}
	case "quarter":
		out.Label = bot.PeriodName(rep.Quarter)
		out.Total = figuresOf(rep.Test, quiz.Quarter)
		for _, c := range rep.Children {
			out.Children = append(out.Children, child{nodeRef: s.ref(c.Node), Leaf: tree.IsLeaf(c.Node), figures: figuresOf(c.Test, quiz.Quarter)})
		}
	case "half":
		half := s.svc.Cal.Half(s.svc.Now())
		out.Label = bot.PeriodName(half)
		if len(rep.Children) > 0 {
			st, err := s.svc.Standings(r.Context(), v, rep.Node)
			if err != nil {
				s.fail(w, err)
				return
			}
			// The ranking's order is its own; the page sorts as asked.
			for _, row := range st.Rows {
				out.Children = append(out.Children, child{nodeRef: s.ref(row.Node), Leaf: tree.IsLeaf(row.Node), figures: standingFigures(row)})
			}
		}
		f, err := s.svc.PeriodFigures(r.Context(), v, rep.Node, half)
		if err != nil {
			s.fail(w, err)
			return
		}
		out.Total = figuresOf(f, quiz.Half)
	}
	for _, m := range rep.Rows {
		row := memberRow{ID: m.User.ID, Name: m.User.Name, Study: "missed", Makeup: m.Month.Makeup, Answered: m.Answered, Total: m.Total,
			Tested: m.Quarter.Tested, Score: m.Quarter.TestScore, Passed: m.Quarter.Passed,
			Half: m.Half.String(), Year: m.Year.String(), Stars: m.Stars, Flagged: m.Month.Flagged || m.Quarter.Flagged}
		switch {
		case m.Month.StudyDone:
			row.Study = "done"
		case m.Total > 0:
			row.Study = "ongoing"
		}
		if row.Study != "done" {
			out.Unfinished++
		}
		out.Rows = append(out.Rows, row)
	}
	// Those who have not finished first; then by name order of joining.
	slices.SortStableFunc(out.Rows, func(a, b memberRow) int {
		ad, bd := a.Study == "done", b.Study == "done"
		switch {
		case ad == bd:
			return 0
		case !ad:
			return -1
		}
		return 1
	})
	writeJSON(w, out)
}

type rankingAnswer struct {
	Node    nodeRef     `json:"node"`
	Path    []nodeRef   `json:"path"`
	Label   string      `json:"label"`
	Weights [2]string   `json:"weights"` // study, test: "40%", "60%"
	MinSize int         `json:"min_size"`
	Rows    []child     `json:"rows"`    // the children, ranked
	Members []pointsRow `json:"members"` // a branch: members by points
}

type pointsRow struct {
	Rank   int    `json:"rank"`
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Points num    `json:"points"`
	Text   string `json:"text"`
	Stars  int    `json:"stars"`
}

// ranking: GET api/ranking?node= — the half-year comparison (Standings).
func (s *Server) ranking(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	st, err := s.svc.Standings(r.Context(), v, r.URL.Query().Get("node"))
	if err != nil {
		s.fail(w, err)
		return
	}
	if st.Node == "" { // a member's own view: not the dashboard's
		writeError(w, http.StatusForbidden)
		return
	}
	tree := s.svc.Tree()
	rc := s.svc.Rules.Rank
	total := rc.StudyWeight + rc.TestWeight
	out := rankingAnswer{Node: s.ref(st.Node), Path: s.path(v, st.Node), Label: bot.PeriodName(st.Half), MinSize: rc.MinSize,
		Weights: [2]string{strconv.FormatFloat(100*rc.StudyWeight/total, 'f', 0, 64) + "%", strconv.FormatFloat(100*rc.TestWeight/total, 'f', 0, 64) + "%"},
		Rows:    []child{}, Members: []pointsRow{}}
	for _, row := range st.Rows {
		out.Rows = append(out.Rows, child{nodeRef: s.ref(row.Node), Leaf: tree.IsLeaf(row.Node), figures: standingFigures(row)})
	}
	for _, m := range st.Members {
		out.Members = append(out.Members, pointsRow{Rank: m.Rank, ID: m.User.ID, Name: m.User.Name, Points: num(m.Points.Float()), Text: m.Points.String(), Stars: m.Stars})
	}
	writeJSON(w, out)
}

type yearNode struct {
	nodeRef
	Leaf     bool     `json:"leaf"`
	Members  int64    `json:"members"`
	Stars    [5]int64 `json:"stars"` // members with 1…5 stars
	Mean     num      `json:"mean"`
	MeanText string   `json:"mean_text"`
}

type yearAnswer struct {
	Node       nodeRef     `json:"node"`
	Path       []nodeRef   `json:"path"`
	Label      string      `json:"label"`
	Thresholds []string    `json:"thresholds"` // points for 2, 3, 4 and 5 stars
	Total      yearNode    `json:"total"`
	Children   []yearNode  `json:"children"`
	Members    []pointsRow `json:"members"`
}

// year: GET api/year?node= — the year's stars (Year).
func (s *Server) year(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	y, err := s.svc.Year(r.Context(), v, r.URL.Query().Get("node"))
	if err != nil {
		s.fail(w, err)
		return
	}
	if y.Node == "" { // a member's own view: not the dashboard's
		writeError(w, http.StatusForbidden)
		return
	}
	tree := s.svc.Tree()
	yn := func(n quiz.NodeYear) yearNode {
		mean := n.MeanPoints
		if n.Members == 0 {
			mean = math.NaN()
		}
		return yearNode{nodeRef: s.ref(n.Node), Leaf: tree.IsLeaf(n.Node), Members: n.Members, Stars: n.Stars, Mean: num(mean), MeanText: one(mean)}
	}
	out := yearAnswer{Node: s.ref(y.Total.Node), Path: s.path(v, y.Total.Node), Label: bot.PeriodName(y.Year), Total: yn(y.Total),
		Thresholds: []string{}, Children: []yearNode{}, Members: []pointsRow{}}
	for _, t := range s.svc.Rules.Stars {
		out.Thresholds = append(out.Thresholds, t.String())
	}
	for _, c := range y.Children {
		out.Children = append(out.Children, yn(c))
	}
	for _, m := range y.Members {
		out.Members = append(out.Members, pointsRow{Rank: m.Rank, ID: m.User.ID, Name: m.User.Name, Points: num(m.Points.Float()), Text: m.Points.String(), Stars: m.Stars})
	}
	writeJSON(w, out)
}

type weakItem struct {
	Bank    string   `json:"bank"`
	ID      string   `json:"id"`
	Type    string   `json:"type"`
	Text    string   `json:"text"`
	Options []string `json:"options"`
	Answer  string   `json:"answer"` // "" while Hidden
	// Hidden: the question is in a test someone may still take, so its
	// answer is not sent until the day Until names ("12月31日").
	Hidden   bool   `json:"hidden,omitempty"`
	Until    string `json:"until,omitempty"`
	Facility num    `json:"facility"`
	Text2    string `json:"facility_text"`
	Answers  int64  `json:"answers"`
}

type weakAnswer struct {
	Node       nodeRef    `json:"node"`
	Path       []nodeRef  `json:"path"`
	MinAnswers int        `json:"min_answers"`
	Items      []weakItem `json:"items"`
}

// weak: GET api/weak?node= — the questions missed most (quiz.Weak, which
// hides a test's questions while its window is open).
func (s *Server) weak(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	node := r.URL.Query().Get("node")
	items, err := s.svc.Weak(r.Context(), v, node, 10)
	if err != nil {
		s.fail(w, err)
		return
	}
	if node == "" {
		node = v.Scopes(s.svc.Tree())[0]
	}
	out := weakAnswer{Node: s.ref(node), Path: s.path(v, node), MinAnswers: quiz.MinAnswersForWeak, Items: []weakItem{}}
	for _, it := range items {
		wi := weakItem{Bank: it.Bank, ID: it.Q.ID, Type: string(it.Q.Type), Text: it.Q.Text, Options: []string{},
			Facility: num(it.Facility), Text2: pct(it.Facility), Answers: it.Stats.Answers}
		if it.Hidden {
			// The same rule as /weak: no answer while the test may be taken.
			wi.Hidden, wi.Until = true, s.day(it.Until.Add(-time.Second))
		} else {
			wi.Answer = it.Q.AnswerText()
		}
		if it.Q.Type == questions.Single || it.Q.Type == questions.Multiple {
			for i, o := range it.Q.Options {
				wi.Options = append(wi.Options, questions.Letter(i)+". "+o)
			}
		}
		out.Items = append(out.Items, wi)
	}
	writeJSON(w, out)
}

type memberAnswer struct {
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	Path     string      `json:"path"`
	Row      memberRow   `json:"row"`
	Missed   []periodRef `json:"missed"` // months that can be reopened
	TestMiss *periodRef  `json:"test_missed,omitempty"`
}

type periodRef struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// member: GET api/member?id= — one member as their secretary manages
// them, with what can be reopened (MemberCard).
func (s *Server) member(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest)
		return
	}
	card, err := s.svc.MemberCard(r.Context(), v, id)
	if err != nil {
		s.fail(w, err)
		return
	}
	m := card.MemberRow
	out := memberAnswer{ID: id, Name: m.User.Name, Path: s.svc.Tree().Path(m.User.Branch), Missed: []periodRef{},
		Row: memberRow{ID: id, Name: m.User.Name, Study: "missed", Answered: m.Answered, Total: m.Total, Tested: m.Quarter.Tested,
			Score: m.Quarter.TestScore, Passed: m.Quarter.Passed, Half: m.Half.String(), Year: m.Year.String(), Stars: m.Stars}}
	if m.Month.StudyDone {
		out.Row.Study = "done"
	} else if m.Total > 0 {
		out.Row.Study = "ongoing"
	}
	for _, p := range card.Missed {
		out.Missed = append(out.Missed, periodRef{Key: p.Key(), Label: bot.PeriodName(p)})
	}
	if card.TestMissed != nil {
		out.TestMiss = &periodRef{Key: card.TestMissed.Key(), Label: bot.PeriodName(*card.TestMissed)}
	}
	writeJSON(w, out)
}

// remindPreview: GET api/remind?node= — how many a reminder would reach
// (RemindTargets), for the button's count.
func (s *Server) remindPreview(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	targets, blocked, err := s.svc.RemindTargets(r.Context(), v, r.URL.Query().Get("node"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, map[string]int{"targets": len(targets), "unreachable": blocked})
}

// readBody decodes a small JSON body, or answers 400.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest)
		return false
	}
	return true
}

// remind: POST api/remind {"node"} — remind those who have not finished
// (the bot's Remind, as /remind).
func (s *Server) remind(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	var body struct {
		Node string `json:"node"`
	}
	if !readBody(w, r, &body) {
		return
	}
	queued, again, unreachable, err := s.opts.Actions.Remind(r.Context(), v, body.Node)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, map[string]int{"queued": queued, "again": again, "unreachable": unreachable})
}

// makeup: POST api/makeup {"member","kind","period","days","request"} —
// reopen a missed month ("study") or test ("test") (the bot's GrantMakeup,
// as the member card's buttons). request is the page's id for this one
// grant (made when the member's card opens): a tap sent twice grants once.
func (s *Server) makeup(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	var body struct {
		Member  int64  `json:"member"`
		Kind    string `json:"kind"`
		Period  string `json:"period"`
		Days    int    `json:"days"`
		Request string `json:"request"`
	}
	if !readBody(w, r, &body) {
		return
	}
	kind := quiz.Kind(body.Kind)
	if _, err := s.svc.Cal.Parse(body.Period); err != nil || body.Member <= 0 || (kind != quiz.Study && kind != quiz.Test) ||
		!requestID.MatchString(body.Request) {
		writeError(w, http.StatusBadRequest)
		return
	}
	g, _, err := s.opts.Actions.GrantMakeup(r.Context(), v, body.Member, kind, body.Period, body.Days,
		fmt.Sprintf("web-%d-%s", v.ID, body.Request))
	if g == nil {
		s.fail(w, err)
		return
	}
	if err != nil {
		s.opts.Log.Error("dashboard: a make-up's notice was not queued", "member", body.Member, "err", err)
	}
	until := g.Until.In(s.svc.Cal.Loc)
	writeJSON(w, map[string]string{"until": until.Format("2006-01-02 15:04")})
}

// requestID is what a page may name one request by.
var requestID = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// sendExport: POST api/export {"node"} — the spreadsheet sent to the
// viewer's chat with the bot, as /export does.
func (s *Server) sendExport(w http.ResponseWriter, r *http.Request, v quiz.Viewer) {
	var body struct {
		Node string `json:"node"`
	}
	if !readBody(w, r, &body) {
		return
	}
	rows, err := s.opts.Actions.SendExport(r.Context(), v, v.ID, body.Node)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, map[string]int{"rows": rows})
}

// download: GET api/export.xlsx?node=&token= — the spreadsheet as a file.
// The token is in the query because a download is a plain link.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, ok := s.viewer(w, r, q.Get("token"))
	if !ok {
		return
	}
	name, data, rows, err := s.opts.Actions.ExportXLSX(r.Context(), v, q.Get("node"))
	if err != nil {
		s.fail(w, err)
		return
	}
	if rows == 0 {
		writeError(w, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+strings.ReplaceAll(url.QueryEscape(name), "+", "%20"))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

// day formats an instant's date in the organisation's zone as 12月31日.
func (s *Server) day(t time.Time) string {
	t = t.In(s.svc.Cal.Loc)
	return strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}
