package bot_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// vote is one vote a simulated member casts.
type vote struct {
	user   int64
	q      int
	poll   string // the poll's id at the fake server
	choice []int
}

// groupLog keeps every message the bot sends or edits in a group, with
// the server's time, to check the group's pace.
type groupLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (e *env) logGroup(g *telegramtest.Group) *groupLog {
	l := &groupLog{}
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	events := g.Events(ctx)
	go func() {
		for ev := range events {
			switch ev.Kind {
			case telegramtest.MessageSent:
				l.mu.Lock()
				l.times = append(l.times, ev.Message.Date)
				l.mu.Unlock()
			case telegramtest.MessageEdited:
				l.mu.Lock()
				l.times = append(l.times, ev.Message.EditDate)
				l.mu.Unlock()
			}
		}
	}()
	return l
}

// busiestMinute is the most messages in any 60 seconds.
func (l *groupLog) busiestMinute() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := append([]time.Time(nil), l.times...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < time.Minute; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// takeTest has member id take this quarter's test through the engine,
// answering the first right items right, and returns the score.
func (e *env) takeTest(id int64, right int) int {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.svc.StartTest(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var res *quiz.AnswerResult
	for i, it := range a.Items {
		var choice []int
		text := ""
		switch {
		case it.Type == questions.Fill && i < right:
			text = it.Accepted[0]
		case it.Type == questions.Fill:
			text = "不知道"
		case i < right:
			choice = it.Answer
		default:
			choice = []int{wrong(it)}
		}
		if res, err = e.svc.Answer(ctx, id, a.ID, i, choice, text, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return res.Attempt.Score
}

// memberNames are 30 real names: every member's is different.
func memberNames() []string {
	var out []string
	for _, s := range "赵钱孙李周吴郑王冯陈" {
		for _, g := range "文武明" {
			out = append(out, string(s)+"小"+string(g))
		}
	}
	return out
}

var boardLine = regexp.MustCompile(`^(?:🥇|🥈|🥉|\d+\.) (\S+?)(?:（[^）]*）)? (\d+) 分（答对 (\d+) 题）$`)

// TestContestThirtyMembers is the contest end to end: 30 members of two
// branches and two guests in the town's group, a contest of 10 questions
// of 10 seconds each, teams by branch. Members answer concurrently, in
// three waves per question (some right, some wrong); an anonymous admin
// votes too; the bot restarts in the middle of question 5 (the votes cast
// just before are delivered after it, the host resumes, question 5 is
// asked again and some vote a second time); a 429 storm holds every
// message back during question 8. The test computes the leaderboard from
// what each member answered and when the bot received it, and checks it
// against the group's leaderboard and the store; that nobody scored twice;
// one ledger entry per member; one private result each; the group's pace;
// and that no member's test score reached the group.
func TestContestThirtyMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole contest")
	}
	e := newEnv(t, contestServer(false))
	e.clock.Set(at(2026, 12, 5, 19, 0)) // in the quarter's test window
	ctx := context.Background()
	sec := e.secretary(50, "王书记", "taiping")
	names := memberNames()
	var members []*telegramtest.User
	byID := map[int64]*telegramtest.User{}
	for i, name := range names {
		branch := "niumaoping"
		if i%2 == 1 {
			branch = "laowaping"
		}
		u := e.member(int64(1001+i), name, branch)
		members = append(members, u)
		byID[u.ID()] = u
	}
	// Three members took their test: their scores stay private.
	tested := map[string]int{}
	for _, i := range []int{0, 7, 12} {
		tested[names[i]] = e.takeTest(members[i].ID(), 14+i/2)
	}
	g1 := e.srv.NewUser(9001, "村民甲")
	g2 := e.srv.NewUser(9002, "村民乙")
	g1.SendText("/start")
	g := e.groupOf(-1001000000777, "太平镇党员联学群", append([]*telegramtest.User{sec, g1, g2}, members...)...)
	log := e.logGroup(g)
	e.bind(g, sec)
	seq := g.Seq()
	g.SendText(members[0], "/rank")
	e.waitChat(g.Chat, seq, "太平镇党委", nil)

	e.send(sec, "/contest", "准备有奖知识问答")
	e.press(sec, "10 秒", "每题：10 秒")
	e.press(sec, "按下级组织", "分队：按下级组织")
	e.press(sec, "开始报名", "主持台")
	lobby := e.waitChat(g.Chat, 0, "有奖知识问答", func(m telegramtest.Message) bool { return m.HasButton("我要参加") })
	for _, u := range members[:5] {
		if _, err := g.PressOn(u, lobby.ID, "我要参加"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := g.PressOn(g2, lobby.ID, "我要参加"); err != nil { // a guest who joins and never answers
		t.Fatal(err)
	}
	c := e.activeContest(g.ID())
	if len(c.Items) != 10 {
		t.Fatalf("%d questions", len(c.Items))
	}
	e.eventually("six players", func() bool {
		ps, _ := e.svc.ContestPlayers(ctx, c.ID)
		return len(ps) == 6
	})
	e.clock.Advance(time.Minute)

	var votes []vote // every vote cast, in order
	var vmu sync.Mutex
	cast := func(voters []*telegramtest.User, q int, poll telegramtest.Message, choose func(u *telegramtest.User) []int) {
		t.Helper()
		var wg sync.WaitGroup
		for _, u := range voters {
			wg.Add(1)
			go func(u *telegramtest.User) {
				defer wg.Done()
				ch := choose(u)
				if err := g.Vote(u, poll.ID, ch...); err != nil {
					t.Errorf("vote of %d on question %d: %v", u.ID(), q+1, err)
					return
				}
				vmu.Lock()
				votes = append(votes, vote{user: u.ID(), q: q, poll: poll.Poll.ID, choice: ch})
				vmu.Unlock()
			}(u)
		}
		wg.Wait()
	}
	// Member i answers question q right unless (i+q)%4 == 0; waves by i%3.
	choose := func(q int) func(u *telegramtest.User) []int {
		return func(u *telegramtest.User) []int {
			it := c.Items[q]
			if (int(u.ID())+q)%4 == 0 {
				return []int{wrong(it)}
			}
			return append([]int(nil), it.Answer...)
		}
	}
	wave := func(w int) []*telegramtest.User {
		var out []*telegramtest.User
		for _, u := range members {
			if int(u.ID())%3 == w {
				out = append(out, u)
			}
		}
		return out
	}
	delays := []time.Duration{1 * time.Second, 3 * time.Second, 6 * time.Second}
	// recorded waits until n answers of question q are in the store.
	recorded := func(q, n int) { e.answersOf(c.ID, q, n) }
	opened := func(q int, msg int) time.Time {
		for _, p := range e.contest(c.ID).Asked[q].Polls {
			if p.Msg == msg {
				return p.Opened
			}
		}
		t.Fatalf("poll %d of question %d not recorded", msg, q+1)
		return time.Time{}
	}

	for q := 0; q < 10; q++ {
		poll := e.pollOf(g, q, 10)
		o := opened(q, poll.ID)
		n := 0
		for w := 0; w < 3; w++ {
			if q == 4 && w == 2 {
				// The bot stops without warning between waves: the votes
				// of wave 2 went out just before and wait at Telegram.
				e.restart()
				e.waitAfter(sec, 0, "机器人重启过")
				e.press(sec, "从第 5 题继续", "第 5/10 题作答中")
				recorded(q, n) // the waves before, delivered again or not, once each
				poll = e.pollAfter(g, q, 10, poll.ID)
				o = opened(q, poll.ID)
				// Some of wave 0 vote again in the new poll: not counted.
				cast(wave(0)[:3], q, poll, func(u *telegramtest.User) []int { return []int{wrong(c.Items[q])} })
			}
			if q == 7 && w == 1 {
				e.srv.Throttle(30*time.Second, 1) // every send and edit refused for 30 s of the clock
			}
			e.clock.Set(o.Add(delays[w]))
			voters := wave(w)
			cast(voters, q, poll, choose(q))
			n += len(voters)
			if !(q == 4 && w == 1) {
				recorded(q, n)
			}
		}
		if err := g.VoteAnonymousAdmin(poll.ID, c.Items[q].Answer[0]); err != nil {
			t.Fatal(err)
		}
		if q == 2 {
			// A guest answers too, late in the question.
			e.clock.Set(o.Add(8 * time.Second))
			cast([]*telegramtest.User{g1}, q, poll, choose(q))
			n++
			recorded(q, n)
		}
		seq := g.Seq()
		e.clock.Set(o.Add(11 * time.Second))
		if q == 7 {
			// The result is held back by the storm; answers are not.
			e.eventually("429s", func() bool { return e.srv.TooManyRequests() > 0 })
			time.Sleep(1500 * time.Millisecond)
			if got := g.Messages(); strings.Contains(got[len(got)-1].Text, "第 8 题答案") {
				t.Error("a result went out during the storm")
			}
			e.clock.Set(o.Add(32 * time.Second)) // the storm is over
		}
		e.waitChat(g.Chat, seq, "第 "+strconv.Itoa(q+1)+" 题答案", nil)
		e.clock.Advance(contestGapForTest)
	}
	board := e.waitChat(g.Chat, 0, "最终成绩", nil)
	e.settle()

	// A redelivered vote, changed, after the end: nothing changes.
	e.bot.HandleUpdate(ctx, tgbotapi.Update{UpdateID: 1 << 30, PollAnswer: &tgbotapi.PollAnswer{
		PollID: votes[0].poll, User: tgbotapi.User{ID: votes[0].user}, OptionIDs: []int{wrong(c.Items[0])}}})

	c = e.contest(c.ID)
	answers, err := e.svc.ContestAnswersOf(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Nobody scored twice: one answer per member and question, the first
	// vote each cast.
	got := map[[2]int64]quiz.ContestAnswer{}
	for _, a := range answers {
		k := [2]int64{a.User, int64(a.Q)}
		if _, dup := got[k]; dup {
			t.Errorf("user %d answered question %d twice", a.User, a.Q+1)
		}
		got[k] = a
	}
	first := map[[2]int64]vote{}
	for _, v := range votes {
		k := [2]int64{v.user, int64(v.q)}
		if _, ok := first[k]; !ok {
			first[k] = v
		}
	}
	if len(got) != len(first) {
		t.Errorf("%d answers recorded, %d members' first votes cast", len(got), len(first))
	}

	// The expected leaderboard, from what each member answered and when
	// the bot received it.
	T := 10 * time.Second
	type exp struct {
		user        int64
		name        string
		score       int
		right, seen int
		took        time.Duration
		first       uint64
		team        int
	}
	rows := map[int64]*exp{}
	row := func(id int64) *exp {
		if rows[id] == nil {
			name := ""
			if u := byID[id]; u != nil {
				name = names[id-1001]
			} else {
				name = e.srv.User(id).Info().FirstName
			}
			team := 0
			if id >= 1001 && id <= 1030 {
				team = 1 + int(id-1001)%2 // 牛卯坪 first, 老洼坪 second
			}
			rows[id] = &exp{user: id, name: name, team: team}
		}
		return rows[id]
	}
	for k, v := range first {
		a, ok := got[k]
		if !ok {
			t.Errorf("the first vote of %d on question %d is not recorded", v.user, v.q+1)
			continue
		}
		if a.Poll != v.poll || fmt.Sprint(a.Choice) != fmt.Sprint(sortedInts(v.choice)) {
			t.Errorf("%d question %d: recorded %v in %s, first vote %v in %s", v.user, v.q+1, a.Choice, a.Poll, v.choice, v.poll)
		}
		it := c.Items[v.q]
		right := fmt.Sprint(sortedInts(v.choice)) == fmt.Sprint(it.Answer)
		var o time.Time
		for _, p := range c.Asked[v.q].Polls {
			if p.ID == v.poll {
				o = p.Opened
			}
		}
		t0 := a.At.Sub(o)
		s := 0
		if right {
			s = int(math.Round(1000 * (1 - math.Min(math.Max(t0.Seconds(), 0), T.Seconds())/(2*T.Seconds()))))
		}
		r := row(v.user)
		r.score += s
		r.seen++
		if right {
			r.right++
			r.took += t0
		}
		if r.first == 0 || a.Seq < r.first {
			r.first = a.Seq
		}
	}
	for _, u := range members[:5] {
		row(u.ID())
	}
	row(g2.ID())
	var want []*exp
	for _, r := range rows {
		want = append(want, r)
	}
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		switch {
		case a.score != b.score:
			return a.score > b.score
		case a.right != b.right:
			return a.right > b.right
		case a.took != b.took:
			return a.took < b.took
		case (a.first == 0) != (b.first == 0):
			return a.first != 0
		case a.first != b.first:
			return a.first < b.first
		}
		return a.user < b.user
	})
	if len(want) != 32 {
		t.Fatalf("%d players expected", len(want))
	}
	// The group's leaderboard, line by line (the first 20).
	var lines []string
	for _, l := range strings.Split(board.Text, "\n") {
		if boardLine.MatchString(l) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 20 || !strings.Contains(board.Text, "另有 12 人") || !strings.Contains(board.Text, "32 人参加") {
		t.Fatalf("board:\n%s", board.Text)
	}
	for i, l := range lines {
		m := boardLine.FindStringSubmatch(l)
		if m[1] != want[i].name || m[2] != strconv.Itoa(want[i].score) || m[3] != strconv.Itoa(want[i].right) {
			t.Errorf("place %d: %q, want %s %d 分（答对 %d 题）", i+1, l, want[i].name, want[i].score, want[i].right)
		}
	}
	// Teams: the mean of each branch's players.
	var sums [3]float64
	var counts [3]int
	for _, r := range want {
		if r.team > 0 {
			sums[r.team] += float64(r.score)
			counts[r.team]++
		}
	}
	for team, name := range map[int]string{1: "牛卯坪村党支部", 2: "老洼坪村党支部"} {
		mean := strconv.FormatFloat(sums[team]/float64(counts[team]), 'f', 1, 64)
		if !strings.Contains(board.Text, name+" "+mean+" 分（15 人）") {
			t.Errorf("team %s: want mean %s in\n%s", name, mean, board.Text)
		}
	}
	// The ledger: each member once, 1 for taking part and 3/2/1 for the
	// top three members of the board; guests nothing.
	res, err := e.svc.ContestResults(ctx, quiz.Viewer{ID: adminID, Admin: true}, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range want {
		sr := res.Rows[i]
		if sr.User != r.user || sr.Score != r.score || sr.Rank != i+1 {
			t.Errorf("store place %d: %d %d, want %d %d", i+1, sr.User, sr.Score, r.user, r.score)
		}
		var wantPts quiz.Points
		if r.user >= 1001 && r.user <= 1030 && r.seen > 0 {
			wantPts = quiz.PointsOf(1)
			if i < 3 && r.score > 0 {
				wantPts += []quiz.Points{quiz.PointsOf(3), quiz.PointsOf(2), quiz.PointsOf(1)}[i]
			}
		}
		var entries []quiz.Entry
		for _, en := range e.ledger(r.user) {
			if en.Rule == quiz.RuleContest {
				entries = append(entries, en)
			}
		}
		switch {
		case wantPts == 0 && len(entries) != 0:
			t.Errorf("%s got contest points %+v", r.name, entries)
		case wantPts != 0 && (len(entries) != 1 || entries[0].Amount != wantPts || entries[0].Ref != quiz.ContestRef(c.ID)):
			t.Errorf("%s: entries %+v, want one of %v", r.name, entries, wantPts)
		}
	}
	// Every player's own result, once, in private (the engine's events,
	// sent at Telegram's pace).
	e.eventually("the players' results to be sent", func() bool {
		n, _ := e.db.PendingCount(ctx)
		return n == 0
	})
	e.settle()
	for _, r := range want {
		u := e.srv.User(r.user)
		if r.user == g2.ID() {
			continue // never wrote to the bot: Telegram refuses, nothing is lost
		}
		n := 0
		for _, m := range u.Messages() {
			if strings.Contains(m.Text, "您答对") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s got %d results in private", r.name, n)
		}
	}
	// The group's pace, and no test score in the group.
	most := log.busiestMinute()
	if most > 20 {
		t.Errorf("%d messages to the group in one minute", most)
	}
	t.Logf("the group's busiest minute: %d messages; %d 429s in the storm", most, e.srv.TooManyRequests())
	for _, m := range g.Messages() {
		for name, score := range tested {
			if regexp.MustCompile(regexp.QuoteMeta(name) + `[^\n]*\b` + strconv.Itoa(score) + ` 分`).MatchString(m.Text) {
				t.Errorf("%s's test score %d in the group: %q", name, score, m.Text)
			}
		}
		if strings.Contains(m.Text, "测试得分") {
			t.Errorf("a test score in the group: %q", m.Text)
		}
	}
}

// contestGapForTest is the bot's pause between a result and the next
// question (contestGap).
const contestGapForTest = 5 * time.Second

func sortedInts(a []int) []int {
	b := append([]int(nil), a...)
	sort.Ints(b)
	return b
}
