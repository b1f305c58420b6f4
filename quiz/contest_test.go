package quiz_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
)

func TestAnswerScore(t *testing.T) {
	T := 20 * time.Second
	tests := []struct {
		right bool
		t     time.Duration
		want  int
	}{
		{true, 0, 1000},
		{true, 10 * time.Second, 750},
		{true, 20 * time.Second, 500},
		{true, 30 * time.Second, 500}, // late but taken: no less than half
		{true, -time.Second, 1000},    // a clock step back
		{true, 1500 * time.Millisecond, 963},
		{false, 0, 0},
		{false, 10 * time.Second, 0},
	}
	for _, tt := range tests {
		if got := quiz.AnswerScore(tt.right, tt.t, T); got != tt.want {
			t.Errorf("AnswerScore(%v, %v, %v) = %d, want %d", tt.right, tt.t, T, got, tt.want)
		}
	}
}

func TestContestAwardAndCap(t *testing.T) {
	r := quiz.DefaultContestRules() // 1 to take part, 3/2/1 for the top three, 5 a day
	tests := []struct {
		rank, answered, score int
		today                 quiz.Points
		want                  quiz.Points
	}{
		{1, 10, 8000, 0, quiz.PointsOf(4)},
		{2, 10, 7000, 0, quiz.PointsOf(3)},
		{3, 10, 6000, 0, quiz.PointsOf(2)},
		{4, 10, 5000, 0, quiz.PointsOf(1)},
		{1, 10, 0, 0, quiz.PointsOf(1)},                   // first with nothing right: no place bonus
		{5, 0, 0, 0, 0},                                   // joined and never answered
		{1, 10, 8000, quiz.PointsOf(3), quiz.PointsOf(2)}, // cut to the cap
		{1, 10, 8000, quiz.PointsOf(5), 0},
		{1, 10, 8000, quiz.PointsOf(6), 0}, // over the cap already (the cap was lowered)
	}
	for _, tt := range tests {
		got := r.Capped(r.Award(tt.rank, tt.answered, tt.score), tt.today)
		if got != tt.want {
			t.Errorf("rank %d answered %d score %d today %v: %v, want %v", tt.rank, tt.answered, tt.score, tt.today, got, tt.want)
		}
	}
	r.DailyCap = 0
	if got := r.Capped(quiz.PointsOf(4), quiz.PointsOf(100)); got != quiz.PointsOf(4) {
		t.Errorf("no cap: %v", got)
	}
}

func TestContestRulesValidate(t *testing.T) {
	tests := []struct {
		name string
		f    func(*quiz.ContestRules)
		want string // "" for valid
	}{
		{"defaults", func(*quiz.ContestRules) {}, ""},
		{"negative join", func(r *quiz.ContestRules) { r.Join = -1 }, "contest.join"},
		{"negative place", func(r *quiz.ContestRules) { r.Top[2] = -1 }, "contest.top"},
		{"short countdown", func(r *quiz.ContestRules) { r.Countdown = 5 * time.Second }, "contest.countdown_seconds"},
		{"negative cap", func(r *quiz.ContestRules) { r.DailyCap = -1 }, "contest.daily_cap"},
	}
	for _, tt := range tests {
		r := quiz.DefaultContestRules()
		tt.f(&r)
		err := r.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want):
			t.Errorf("%s: error %v, want one naming %s", tt.name, err, tt.want)
		}
	}
}

// TestTally: ranks by total, then right answers, then time, then who
// answered first; a team's score is its players' mean.
func TestTally(t *testing.T) {
	open := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	single := quiz.Item{Bank: "b", QID: "q1", Type: questions.Single, Options: []string{"甲", "乙", "丙"}, Answer: []int{1}}
	c := &quiz.Contest{ID: 7, Node: "taiping", Setup: quiz.ContestSetup{Seconds: 20, Teams: quiz.TeamsPicked, TeamCount: 2},
		Items: []quiz.Item{single, single}, Phase: quiz.PhaseRevealed, Current: 1,
		Asked: []quiz.AskedQuestion{
			{Polls: []quiz.ContestPoll{{ID: "p1", Opened: open}}},
			{Polls: []quiz.ContestPoll{{ID: "p2", Opened: open.Add(time.Minute)}, {ID: "p2b", Opened: open.Add(2 * time.Minute)}}},
		}}
	players := []quiz.Player{
		{User: 1, Name: "甲", Team: 1, Scores: true},
		{User: 2, Name: "乙", Team: 1, Scores: true},
		{User: 3, Name: "丙", Team: 2},
		{User: 4, Name: "丁", Team: 2}, // joined, never answered
		{User: 5, Name: "戊", Team: 2},
	}
	ans := func(q int, user int64, poll string, after time.Duration, right bool, seq uint64) quiz.ContestAnswer {
		o := c.Opened(q, poll)
		return quiz.ContestAnswer{Q: q, User: user, Poll: poll, At: o.Add(after), Right: right, Seq: seq,
			Score: quiz.AnswerScore(right, after, c.Limit())}
	}
	answers := []quiz.ContestAnswer{
		ans(0, 1, "p1", 2*time.Second, true, 1),   // 950
		ans(0, 2, "p1", 4*time.Second, true, 2),   // 900
		ans(0, 3, "p1", 1*time.Second, false, 3),  // 0
		ans(0, 5, "p1", 10*time.Second, true, 4),  // 750
		ans(1, 2, "p2", 6*time.Second, true, 5),   // 850 → 乙 1750
		ans(1, 1, "p2b", 8*time.Second, true, 6),  // 800, timed from the second poll → 甲 1750
		ans(1, 5, "p2", 20*time.Second, false, 7), // 0
		ans(1, 3, "p2", 0, true, 8),               // 1000 → 丙 1000
	}
	res := quiz.Tally(c, nil, players, answers)
	var order []int64
	for _, r := range res.Rows {
		order = append(order, r.User)
	}
	// 甲 and 乙 both have 1750 and two right; 甲's took 10 s, 乙's 10 s:
	// then the first answer decides (甲's seq 1).
	want := []int64{1, 2, 3, 5, 4}
	if len(order) != len(want) {
		t.Fatalf("rows %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] || res.Rows[i].Rank != i+1 {
			t.Fatalf("rows %v, want %v (ranks %+v)", order, want, res.Rows)
		}
	}
	if r := res.Row(1); r.Score != 1750 || r.Right != 2 || r.Answered != 2 || r.Time != 10*time.Second {
		t.Errorf("甲 = %+v", r)
	}
	if r := res.Row(4); r.Answered != 0 || r.Score != 0 || r.First != 0 {
		t.Errorf("丁 = %+v", r)
	}
	// Teams: 1 = (1750 + 1750) / 2; 2 = (1000 + 0 + 750) / 3.
	if len(res.Teams) != 2 || res.Teams[0].Team != 1 || res.Teams[0].Mean != 1750 || res.Teams[1].Players != 3 ||
		res.Teams[1].Mean != 1750.0/3 || res.Teams[1].Rank != 2 {
		t.Errorf("teams = %+v", res.Teams)
	}
	// Each question's outcome: who answered, who was right, the fastest.
	q0 := res.Questions[0]
	if q0.Answered != 4 || q0.Right != 3 || len(q0.Fastest) != 3 || q0.Fastest[0].User != 1 || q0.Fastest[2].User != 5 {
		t.Errorf("question 1 = %+v", q0)
	}
	if q1 := res.Questions[1]; q1.Right != 3 || q1.Fastest[0].User != 2 || q1.Fastest[1].User != 1 {
		t.Errorf("question 2 = %+v", q1)
	}
}

// contestFixture is a group bound to 太平镇 (two branches under it) with
// members in both, a secretary of 太平镇 and a member of another town.
func contestFixture(t *testing.T) (*fixture, quiz.Viewer) {
	t.Helper()
	f := newFixture(t, quiz.DefaultRules())
	f.join(t, 101, "niumaoping")
	f.join(t, 102, "niumaoping")
	f.join(t, 103, "laowaping")
	f.join(t, 201, "qingshan") // 大沙镇: not in 太平镇
	ctx := context.Background()
	admin, _ := f.svc.Viewer(ctx, 1)
	inv, err := f.svc.CreateInvite(ctx, admin, "taiping", quiz.RoleSecretary, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Join(ctx, 50, inv.Code, "书记"); err != nil {
		t.Fatal(err)
	}
	sec, _ := f.svc.Viewer(ctx, 50)
	if _, err := f.svc.BindGroup(ctx, sec, -100500, "太平镇群", ""); err != nil {
		t.Fatal(err)
	}
	return f, sec
}

func TestBindGroup(t *testing.T) {
	f, sec := contestFixture(t)
	ctx := context.Background()
	b, err := f.svc.Bound(ctx, -100500)
	if err != nil || b.Node != "taiping" || b.By != 50 {
		t.Fatalf("bound = %+v, %v", b, err)
	}
	member, _ := f.svc.Viewer(ctx, 101)
	if _, err := f.svc.BindGroup(ctx, member, -100600, "群", ""); quiz.ErrorCode(err) != quiz.Forbidden {
		t.Errorf("a member binds: %v", err)
	}
	// Another secretary cannot take a bound group over, nor unbind it.
	admin, _ := f.svc.Viewer(ctx, 1)
	inv, _ := f.svc.CreateInvite(ctx, admin, "dasha", quiz.RoleSecretary, 0)
	if _, _, err := f.svc.Join(ctx, 60, inv.Code, "书记二"); err != nil {
		t.Fatal(err)
	}
	other, _ := f.svc.Viewer(ctx, 60)
	if _, err := f.svc.BindGroup(ctx, other, -100500, "太平镇群", ""); quiz.ErrorReason(err) != quiz.ReasonBoundElsewhere {
		t.Errorf("taking over a group: %v", err)
	}
	if _, err := f.svc.UnbindGroup(ctx, other, -100500); quiz.ErrorCode(err) != quiz.Forbidden {
		t.Errorf("unbinding another's group: %v", err)
	}
	if _, err := f.svc.BindGroup(ctx, sec, -100700, "群", "dasha"); quiz.ErrorCode(err) != quiz.Forbidden {
		t.Errorf("binding to a node outside the scope: %v", err)
	}
	groups, _, err := f.svc.HostGroups(ctx, sec)
	if err != nil || len(groups) != 1 || groups[0].Chat != -100500 {
		t.Errorf("host groups = %+v, %v", groups, err)
	}
	if _, err := f.svc.UnbindGroup(ctx, sec, -100500); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Bound(ctx, -100500); quiz.ErrorReason(err) != quiz.ReasonNotBound {
		t.Errorf("after unbind: %v", err)
	}
}

// ask runs question q: asks it, posts its poll and returns the contest.
func (f *fixture) ask(t *testing.T, id uint64, q int, poll string) *quiz.Contest {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.AskQuestion(ctx, id, q); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.QuestionPosted(ctx, id, q, poll, 10+q, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wrongOf(it quiz.Item) []int {
	for i := range it.Options {
		if !containsInt(it.Answer, i) {
			return []int{i}
		}
	}
	return nil
}

func containsInt(a []int, x int) bool {
	for _, v := range a {
		if v == x {
			return true
		}
	}
	return false
}

func TestContestRun(t *testing.T) {
	f, sec := contestFixture(t)
	ctx := context.Background()
	setup := quiz.ContestSetup{Chat: -100500, Source: quiz.FromBanks, Banks: []string{"sanhui-yike"}, Questions: 3,
		Seconds: 20, Teams: quiz.TeamsByNode}
	c, err := f.svc.CreateContest(ctx, sec, setup)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 3 || c.Phase != quiz.PhaseLobby || !c.StartAt.Equal(f.now.Add(time.Minute)) {
		t.Fatalf("contest = %+v", c)
	}
	for _, it := range c.Items {
		if it.Type == questions.Fill {
			t.Errorf("a fill-in question in a contest: %s", it.Key())
		}
	}
	if _, err := f.svc.CreateContest(ctx, sec, setup); quiz.ErrorReason(err) != quiz.ReasonContestRunning {
		t.Errorf("a second contest in the group: %v", err)
	}
	if _, _, err := f.svc.JoinContest(ctx, c.ID, 103, "老洼坪", 0); err != nil {
		t.Fatal(err)
	}

	c = f.ask(t, c.ID, 0, "P0")
	it := c.Items[0]
	record := func(poll string, user int64, choice []int) *quiz.ContestAnswerResult {
		t.Helper()
		r, err := f.svc.RecordAnswer(ctx, poll, user, "Telegram名", choice)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	f.now = f.now.Add(2 * time.Second)
	if r := record("P0", 101, it.Answer); r.Answer == nil || !r.Answer.Right || r.Answer.Score != 950 || !r.NewPlayer ||
		!r.Player.Scores || r.Player.Team != 1 || r.Player.Name != "党员" {
		t.Errorf("first answer = %+v %+v", r.Answer, r.Player)
	}
	f.now = f.now.Add(2 * time.Second)
	if r := record("P0", 101, wrongOf(it)); r.Answer != nil {
		t.Error("a second answer counted")
	}
	if r := record("P0", 0, it.Answer); r.Answer != nil {
		t.Error("an anonymous admin's answer counted")
	}
	if r := record("P0", 999, it.Answer); r.Answer == nil || r.Player.Scores || r.Player.Team != 0 || r.Player.Name != "Telegram名" {
		t.Errorf("a guest = %+v %+v", r.Answer, r.Player)
	}
	if r := record("P0", 201, wrongOf(it)); r.Answer == nil || r.Player.Scores {
		t.Errorf("a member of another town = %+v %+v", r.Answer, r.Player)
	}
	if r := record("nope", 102, it.Answer); r.Answer != nil {
		t.Error("an answer to an unknown poll counted")
	}
	_, q0, err := f.svc.RevealQuestion(ctx, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if q0.Answered != 3 || q0.Right != 2 || q0.Fastest[0].User != 101 {
		t.Errorf("question 1 = %+v", q0)
	}
	if r := record("P0", 102, it.Answer); r.Answer != nil {
		t.Error("an answer after the reveal counted")
	}

	// Questions 2 and 3: 102 and 103 answer right at once, 101 wrong.
	for q := 1; q < 3; q++ {
		c = f.ask(t, c.ID, q, "P"+string(rune('0'+q)))
		f.now = f.now.Add(time.Second)
		for _, u := range []int64{102, 103} {
			record(c.Asked[q].Polls[0].ID, u, c.Items[q].Answer)
		}
		record(c.Asked[q].Polls[0].ID, 101, wrongOf(c.Items[q]))
		if _, _, err := f.svc.RevealQuestion(ctx, c.ID, q); err != nil {
			t.Fatal(err)
		}
	}
	res, err := f.svc.FinishContest(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 102 and 103: 975 + 975; 101: 950; the guest 950 (seq after 101).
	var order []int64
	for _, r := range res.Rows {
		order = append(order, r.User)
	}
	if len(order) != 5 || order[0] != 102 || order[1] != 103 || order[2] != 101 || order[3] != 999 || order[4] != 201 {
		t.Fatalf("leaderboard %v: %+v", order, res.Rows)
	}
	// Points: 102 first 1+3, 103 second 1+2, 101 third 1+1; guests none.
	want := map[int64]quiz.Points{102: quiz.PointsOf(4), 103: quiz.PointsOf(3), 101: quiz.PointsOf(2)}
	for _, r := range res.Rows {
		if r.Points != want[r.User] {
			t.Errorf("%d: %v points, want %v", r.User, r.Points, want[r.User])
		}
	}
	// Teams by node: 牛卯坪 (101, 102) and 老洼坪 (103).
	if len(res.Teams) != 2 || res.Teams[0].Node != "laowaping" || res.Teams[0].Mean != 1950 || res.Teams[1].Mean != 1450 {
		t.Errorf("teams = %+v", res.Teams)
	}
	// Finishing again books nothing and gives the same board.
	again, err := f.svc.FinishContest(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Rows[0].User != 102 || again.Rows[0].Points != quiz.PointsOf(4) {
		t.Errorf("again = %+v", again.Rows[0])
	}
	for id, pts := range want {
		var es []quiz.Entry
		_ = f.db.View(ctx, func(tx quiz.Tx) error { es, err = tx.Entries(id); return err })
		n := 0
		for _, e := range es {
			if e.Rule == quiz.RuleContest {
				n++
				if e.Amount != pts || e.Ref != quiz.ContestRef(c.ID) {
					t.Errorf("%d: entry %+v", id, e)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d has %d contest entries", id, n)
		}
	}
	for _, id := range []int64{999, 201} {
		var es []quiz.Entry
		_ = f.db.View(ctx, func(tx quiz.Tx) error { es, err = tx.Entries(id); return err })
		if len(es) != 0 {
			t.Errorf("guest %d got entries %+v", id, es)
		}
	}
	// Members' answers count in the item statistics of their branch, the
	// guests' do not.
	var st, other quiz.ItemStats
	_ = f.db.View(ctx, func(tx quiz.Tx) error {
		st, _ = tx.ItemStats("taiping", c.Items[0].StatKey())
		other, _ = tx.ItemStats("dasha", c.Items[0].StatKey())
		return nil
	})
	if st.Answers != 1 || st.Right != 1 || other.Answers != 0 {
		t.Errorf("item stats: 太平镇 %+v, 大沙镇 %+v", st, other)
	}
	// The group is free for the next contest.
	if _, err := f.svc.CreateContest(ctx, sec, setup); err != nil {
		t.Errorf("a new contest after the first: %v", err)
	}
	past, err := f.svc.PastContests(ctx, sec, -100500, 10)
	if err != nil || len(past) != 1 || past[0].ID != c.ID {
		t.Errorf("past = %+v, %v", past, err)
	}
}

// TestContestDailyCap: a second contest the same day earns only what is
// left of the cap; the next day the cap starts again.
func TestContestDailyCap(t *testing.T) {
	f, sec := contestFixture(t)
	ctx := context.Background()
	setup := quiz.ContestSetup{Chat: -100500, Source: quiz.FromBanks, Banks: []string{"sanhui-yike"}, Questions: 1, Seconds: 10}
	play := func() quiz.Points {
		t.Helper()
		c, err := f.svc.CreateContest(ctx, sec, setup)
		if err != nil {
			t.Fatal(err)
		}
		c = f.ask(t, c.ID, 0, "P"+time.Duration(f.now.UnixNano()).String())
		if _, err := f.svc.RecordAnswer(ctx, c.Asked[0].Polls[0].ID, 101, "", c.Items[0].Answer); err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.FinishContest(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Hour)
		return res.Row(101).Points
	}
	if got := play(); got != quiz.PointsOf(4) {
		t.Errorf("first contest: %v", got)
	}
	if got := play(); got != quiz.PointsOf(1) {
		t.Errorf("second contest the same day: %v, want the 1 left of 5", got)
	}
	if got := play(); got != 0 {
		t.Errorf("third contest the same day: %v", got)
	}
	f.now = f.now.Add(24 * time.Hour)
	if got := play(); got != quiz.PointsOf(4) {
		t.Errorf("the next day: %v", got)
	}
}

// TestContestInterrupted: a contest open at a restart waits; resumed, its
// open question is asked again with a new poll and the answers to either
// poll count once.
func TestContestInterrupted(t *testing.T) {
	f, sec := contestFixture(t)
	ctx := context.Background()
	c, err := f.svc.CreateContest(ctx, sec, quiz.ContestSetup{Chat: -100500, Source: quiz.FromBanks,
		Banks: []string{"sanhui-yike"}, Questions: 2, Seconds: 30})
	if err != nil {
		t.Fatal(err)
	}
	c = f.ask(t, c.ID, 0, "old")
	if _, err := f.svc.RecordAnswer(ctx, "old", 101, "", c.Items[0].Answer); err != nil {
		t.Fatal(err)
	}
	if c, err = f.svc.Interrupt(ctx, c.ID); err != nil || !c.Interrupted {
		t.Fatalf("interrupt: %+v %v", c, err)
	}
	active, err := f.svc.ActiveContests(ctx)
	if err != nil || len(active) != 1 || !active[0].Interrupted {
		t.Fatalf("active = %+v, %v", active, err)
	}
	if c, err = f.svc.Resume(ctx, c.ID); err != nil || c.Interrupted || c.Phase != quiz.PhaseAsking {
		t.Fatalf("resume: %+v %v", c, err)
	}
	f.now = f.now.Add(40 * time.Second)
	if c, err = f.svc.QuestionPosted(ctx, c.ID, 0, "new", 20, f.now); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(5 * time.Second)
	for _, u := range []int64{101, 102} {
		if _, err := f.svc.RecordAnswer(ctx, "new", u, "", c.Items[0].Answer); err != nil {
			t.Fatal(err)
		}
	}
	// A late delivery of an answer to the old poll still counts once.
	if _, err := f.svc.RecordAnswer(ctx, "old", 103, "", c.Items[0].Answer); err != nil {
		t.Fatal(err)
	}
	answers, err := f.svc.ContestAnswersOf(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	for _, a := range answers {
		got[a.User] = a.Score
	}
	// 101 answered the old poll at once; 102 five seconds into the new one;
	// 103's answer came 45 s after the old poll opened: timed from it.
	if len(answers) != 3 || got[101] != 1000 || got[102] != 917 || got[103] != 500 {
		t.Errorf("scores = %v", got)
	}
	res, err := f.svc.FinishContest(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Contest.Stopped || len(res.Questions) != 1 {
		t.Errorf("stopped after question 1: %+v", res.Contest)
	}
	if _, err := f.svc.AskQuestion(ctx, c.ID, 1); !errors.Is(err, quiz.Errorf(quiz.Conflict, quiz.ReasonNoContest)) && quiz.ErrorReason(err) != quiz.ReasonNoContest {
		t.Errorf("asking in a finished contest: %v", err)
	}
}
