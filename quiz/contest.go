package quiz

import (
	"fmt"
	"math"
	"sort"
	"time"

	"partyquiz/questions"
)

// 有奖知识问答 — the live contest in a branch's group chat.
//
// A secretary (or admin) binds a group to a node they manage (GroupBind);
// a contest is then prepared in the private chat (ContestSetup: which
// banks, how many questions, seconds per question, teams) and held in the
// group: a countdown, then the questions one at a time, each answered once
// per player, then a leaderboard of players and of teams.
//
// The rules kept here:
//
//   - only a player's first answer to a question counts (the store keeps
//     one answer per player and question); an answer without a user (an
//     anonymous group admin, user id 0) never counts; an answer that
//     reaches the engine after its question was revealed does not count;
//   - a right answer scores AnswerScore: 1000 × (1 − t/2T), t the time
//     from the question's poll being posted to the engine receiving the
//     answer, T the seconds per question — so the fastest right answer
//     gets nearly 1000 and the slowest 500; a wrong answer scores 0;
//     multiple choice is right only with exactly the right options;
//   - players are ranked by total score, then answers right, then the time
//     their right answers took, then who answered first (Seq, the order
//     the answers were recorded in): every rank is distinct;
//   - a team's score is the mean of its players' totals, so a big team
//     has no advantage; teams are the child nodes of the contest's node
//     (a member's team is the child their branch is under) or two or three
//     teams the players pick when they join (or the smallest team, for one
//     who answers without joining);
//   - who scores ledger points: players who are members of the contest's
//     node (its subtree); guests play and rank without points. Points are
//     booked once, when the contest finishes, under RuleContest with the
//     Ref "contest:<id>" (one entry per member and contest): ContestRules'
//     Join for answering at least one question plus Top[i] for the places
//     1–3 of the leaderboard (with a score above zero), cut to what is left
//     of DailyCap that day;
//   - contest answers count in the item statistics of the member's branch
//     like study answers (guests' answers do not).
//
// A contest's state and every answer are in the store, each change in one
// transaction, so that after a restart the contest is where it was
// (Interrupted until the host resumes it or ends it with the results so
// far) and no answer is counted twice.

// RuleContest is the ledger rule of contest points.
const RuleContest = "contest"

// Reasons of contest errors; the bot has words for each.
const (
	ReasonNotBound       = "not_bound"       // the group is not bound to a node
	ReasonBoundElsewhere = "bound_elsewhere" // the group is bound to a node the user does not manage
	ReasonContestRunning = "contest_running" // the group already has a contest that has not finished
	ReasonNoContest      = "no_contest"      // no such contest, or it has finished
	ReasonBadSetup       = "bad_setup"       // a setting out of range (seconds, questions, teams)
)

// Limits of a contest's settings.
const (
	MinContestSeconds   = 10
	MaxContestSeconds   = 120
	MaxContestQuestions = 30
	// MaxPollOptions is the most options a question may have to be asked
	// in a contest (Telegram's polls take 2–10).
	MaxPollOptions = 10
)

// ContestRules are the configured points of contests ([contest] in
// bot.toml) and the countdown before the first question.
type ContestRules struct {
	Join      Points        // for answering at least one question
	Top       [3]Points     // for the first, second and third place
	DailyCap  Points        // the most contest points a member earns in one day; 0: no cap
	Countdown time.Duration // from the call to join to the first question
}

// DefaultContestRules are the product's defaults: 1 point for taking
// part, 3, 2 and 1 more for the top three, at most 5 a day, a minute to
// join.
func DefaultContestRules() ContestRules {
	return ContestRules{Join: PointsOf(1), Top: [3]Points{PointsOf(3), PointsOf(2), PointsOf(1)},
		DailyCap: PointsOf(5), Countdown: time.Minute}
}

// Validate checks the contest rules; the error names the setting.
func (r ContestRules) Validate() error {
	switch {
	case r.Join < 0 || r.Join > PointsOf(100):
		return fmt.Errorf("contest.join: %v is not between 0 and 100", r.Join)
	case r.DailyCap < 0 || r.DailyCap > PointsOf(1000):
		return fmt.Errorf("contest.daily_cap: %v is not between 0 (no cap) and 1000", r.DailyCap)
	case r.Countdown < 10*time.Second || r.Countdown > 10*time.Minute:
		return fmt.Errorf("contest.countdown_seconds: %v is not between 10 seconds and 10 minutes", r.Countdown)
	}
	for i, t := range r.Top {
		if t < 0 || t > PointsOf(100) {
			return fmt.Errorf("contest.top: place %d gets %v, not between 0 and 100", i+1, t)
		}
	}
	return nil
}

// Award returns the points of a place on the leaderboard before the daily
// cap: Join for having answered, and the bonus of places 1–3 for a score
// above zero.
func (r ContestRules) Award(rank int, answered int, score int) Points {
	if answered == 0 {
		return 0
	}
	p := r.Join
	if rank >= 1 && rank <= len(r.Top) && score > 0 {
		p += r.Top[rank-1]
	}
	return p
}

// Capped cuts an award to what is left of the daily cap after the points
// already earned from contests that day.
func (r ContestRules) Capped(award, today Points) Points {
	if r.DailyCap <= 0 {
		return award
	}
	return max(0, min(award, r.DailyCap-today))
}

// AnswerScore is what one answer scores: 1000 × (1 − t/2T) for a right
// answer, t clamped to [0, T]; 0 for a wrong one.
func AnswerScore(right bool, t, limit time.Duration) int {
	if !right || limit <= 0 {
		return 0
	}
	t = min(max(t, 0), limit)
	return int(math.Round(1000 * (1 - t.Seconds()/(2*limit.Seconds()))))
}

// GroupBind is a group chat bound to a node: it gets the node's figures
// (/rank there) and can hold the node's contests.
type GroupBind struct {
	Chat  int64
	Node  string
	Title string
	By    int64
	At    time.Time
}

// ContestSource says where a contest's questions come from.
type ContestSource string

// Contest sources.
const (
	FromMonth   ContestSource = "month"   // this month's banks in the study plan
	FromQuarter ContestSource = "quarter" // this quarter's test banks
	FromBanks   ContestSource = "banks"   // banks chosen by the host
)

// TeamMode says whether and how players form teams.
type TeamMode string

// Team modes.
const (
	NoTeams     TeamMode = ""       // players only
	TeamsByNode TeamMode = "node"   // the child nodes of the contest's node (党小组, villages)
	TeamsPicked TeamMode = "picked" // two or three teams picked in the group
)

// ContestSetup is what the host chose in the private chat.
type ContestSetup struct {
	Chat      int64
	Source    ContestSource
	Banks     []string // for FromBanks
	Questions int      // 1–MaxContestQuestions
	Seconds   int      // per question, MinContestSeconds–MaxContestSeconds
	Teams     TeamMode
	TeamCount int // 2 or 3 for TeamsPicked
}

// Validate checks the settings against the tree (teams by node need
// children) and the catalog (chosen banks must exist).
func (c ContestSetup) Validate(tree *Tree, node string, cat *questions.Catalog) error {
	bad := Errorf(Invalid, ReasonBadSetup)
	switch {
	case c.Questions < 1 || c.Questions > MaxContestQuestions:
		return bad
	case c.Seconds < MinContestSeconds || c.Seconds > MaxContestSeconds:
		return bad
	case c.Teams == TeamsByNode && len(tree.Children(node)) < 2:
		return bad
	case c.Teams == TeamsPicked && (c.TeamCount < 2 || c.TeamCount > 3):
		return bad
	case c.Teams != NoTeams && c.Teams != TeamsByNode && c.Teams != TeamsPicked:
		return bad
	}
	switch c.Source {
	case FromMonth, FromQuarter:
	case FromBanks:
		if len(c.Banks) == 0 {
			return bad
		}
		for _, b := range c.Banks {
			if cat.Bank(b) == nil {
				return bad
			}
		}
	default:
		return bad
	}
	return nil
}

// ContestPhase is where a contest is.
type ContestPhase string

// Contest phases, in order.
const (
	PhaseLobby    ContestPhase = "lobby"    // the countdown: players join
	PhaseAsking   ContestPhase = "asking"   // question Current is open
	PhaseRevealed ContestPhase = "revealed" // question Current is closed and its result shown
	PhaseFinished ContestPhase = "finished" // the leaderboard is out and points are booked
)

// Contest is one live contest in a group.
type Contest struct {
	ID      uint64
	Chat    int64
	Node    string // the node the group is bound to
	Host    int64  // who prepared it (any manager of Node may host)
	Setup   ContestSetup
	Items   []Item
	Phase   ContestPhase
	Current int             // the question asked, or last revealed (0-based)
	Asked   []AskedQuestion // the questions asked so far
	// Paused stops the contest from moving on by itself after the current
	// question; Interrupted marks a contest found running at a restart,
	// waiting for the host to resume it or end it.
	Paused      bool
	Interrupted bool
	Created     time.Time
	StartAt     time.Time // the end of the countdown
	Finished    time.Time
	Stopped     bool // ended by the host before its last question
	Lobby       int  // the message id of the call to join, to edit
}

// AskedQuestion is one question as it was asked: its polls (more than one
// when it was asked again after a restart) and when it was revealed.
type AskedQuestion struct {
	Polls    []ContestPoll
	Revealed time.Time
}

// ContestPoll is one poll that asked a question.
type ContestPoll struct {
	ID     string
	Msg    int
	Opened time.Time // when Telegram took it: the question's clock starts
}

// Limit is the time a question is open.
func (c *Contest) Limit() time.Duration { return time.Duration(c.Setup.Seconds) * time.Second }

// Opened returns when the poll of question q was posted (zero if unknown).
func (c *Contest) Opened(q int, poll string) time.Time {
	if q < 0 || q >= len(c.Asked) {
		return time.Time{}
	}
	for _, p := range c.Asked[q].Polls {
		if p.ID == poll {
			return p.Opened
		}
	}
	return time.Time{}
}

// OpenPoll returns the newest poll of the current question while it is
// asked (nil when it is not, or not posted yet).
func (c *Contest) OpenPoll() *ContestPoll {
	if c.Phase != PhaseAsking || c.Current >= len(c.Asked) || len(c.Asked[c.Current].Polls) == 0 {
		return nil
	}
	ps := c.Asked[c.Current].Polls
	return &ps[len(ps)-1]
}

// Last reports whether the current question is the contest's last.
func (c *Contest) Last() bool { return c.Current >= len(c.Items)-1 }

// Player is someone who joined a contest or answered in it.
type Player struct {
	User   int64
	Name   string
	Team   int    // 1, 2, … (a child node's place among the node's children, or a picked team); 0: none
	Branch string // a member's branch; "" for a guest
	Scores bool   // a member of the contest's node: earns ledger points
	Joined time.Time
}

// ContestAnswer is a player's answer to one question.
type ContestAnswer struct {
	Contest uint64
	Q       int
	User    int64
	Poll    string
	Choice  []int // ascending
	At      time.Time
	Seq     uint64 // the order answers were recorded in, set by the store
	Right   bool
	Score   int
}

// QuestionResult is one question's outcome, for the message after it.
type QuestionResult struct {
	Q        int
	Item     *Item
	Answered int
	Right    int
	Fastest  []ContestAnswer // the first three right answers, in the order received
}

// PlayerRow is one player's line of the leaderboard.
type PlayerRow struct {
	Player
	Score    int
	Right    int
	Answered int
	Time     time.Duration // what the right answers took, summed
	First    uint64        // the Seq of the first answer (0: none)
	Rank     int
	Points   Points // ledger points booked for the contest
}

// TeamRow is one team's line of the leaderboard.
type TeamRow struct {
	Team    int
	Node    string // for teams by node: the child node
	Players int
	Mean    float64 // the mean of the players' totals
	Rank    int
}

// ContestResult is a contest's leaderboard.
type ContestResult struct {
	Contest   *Contest
	Rows      []PlayerRow // best first
	Teams     []TeamRow   // best first; empty without teams
	Questions []QuestionResult
}

// Row returns the player's row, or nil.
func (r *ContestResult) Row(user int64) *PlayerRow {
	for i := range r.Rows {
		if r.Rows[i].User == user {
			return &r.Rows[i]
		}
	}
	return nil
}

// ResultOf returns question q's outcome from the contest's answers.
func ResultOf(c *Contest, q int, answers []ContestAnswer) QuestionResult {
	out := QuestionResult{Q: q}
	if q >= 0 && q < len(c.Items) {
		out.Item = &c.Items[q]
	}
	var right []ContestAnswer
	for _, a := range answers {
		if a.Q != q {
			continue
		}
		out.Answered++
		if a.Right {
			out.Right++
			right = append(right, a)
		}
	}
	sort.Slice(right, func(i, j int) bool { return right[i].Seq < right[j].Seq })
	out.Fastest = right[:min(3, len(right))]
	return out
}

// Tally makes the leaderboard of a contest from its players and answers
// (see the rules at the top of this file). Points are left to the caller.
func Tally(c *Contest, tree *Tree, players []Player, answers []ContestAnswer) *ContestResult {
	res := &ContestResult{Contest: c}
	rows := map[int64]*PlayerRow{}
	for _, p := range players {
		if p.User == 0 {
			continue
		}
		rows[p.User] = &PlayerRow{Player: p}
	}
	for _, a := range answers {
		r := rows[a.User]
		if r == nil {
			continue // an answer without a player is not possible through the engine
		}
		r.Answered++
		r.Score += a.Score
		if a.Right {
			r.Right++
			r.Time += max(0, a.At.Sub(c.Opened(a.Q, a.Poll)))
		}
		if r.First == 0 || a.Seq < r.First {
			r.First = a.Seq
		}
	}
	for _, r := range rows {
		res.Rows = append(res.Rows, *r)
	}
	sort.Slice(res.Rows, func(i, j int) bool {
		a, b := &res.Rows[i], &res.Rows[j]
		switch {
		case a.Score != b.Score:
			return a.Score > b.Score
		case a.Right != b.Right:
			return a.Right > b.Right
		case a.Time != b.Time:
			return a.Time < b.Time
		case (a.First == 0) != (b.First == 0):
			return a.First != 0
		case a.First != b.First:
			return a.First < b.First
		}
		return a.User < b.User
	})
	for i := range res.Rows {
		res.Rows[i].Rank = i + 1
	}
	for q := range c.Asked {
		res.Questions = append(res.Questions, ResultOf(c, q, answers))
	}
	res.Teams = teamRows(c, tree, res.Rows)
	return res
}

// teamRows ranks the teams by the mean of their players' totals.
func teamRows(c *Contest, tree *Tree, rows []PlayerRow) []TeamRow {
	n := 0
	switch c.Setup.Teams {
	case TeamsByNode:
		n = len(tree.Children(c.Node))
	case TeamsPicked:
		n = c.Setup.TeamCount
	default:
		return nil
	}
	teams := make([]TeamRow, n)
	sums := make([]int, n)
	for i := range teams {
		teams[i].Team = i + 1
		if c.Setup.Teams == TeamsByNode {
			teams[i].Node = tree.Children(c.Node)[i]
		}
	}
	for _, r := range rows {
		if r.Team >= 1 && r.Team <= n {
			teams[r.Team-1].Players++
			sums[r.Team-1] += r.Score
		}
	}
	for i := range teams {
		if teams[i].Players > 0 {
			teams[i].Mean = float64(sums[i]) / float64(teams[i].Players)
		}
	}
	sort.SliceStable(teams, func(i, j int) bool {
		a, b := teams[i], teams[j]
		if (a.Players > 0) != (b.Players > 0) {
			return a.Players > 0
		}
		if a.Mean != b.Mean {
			return a.Mean > b.Mean
		}
		return a.Team < b.Team
	})
	for i := range teams {
		if i > 0 && teams[i].Mean == teams[i-1].Mean && teams[i].Players > 0 && teams[i-1].Players > 0 {
			teams[i].Rank = teams[i-1].Rank
		} else {
			teams[i].Rank = i + 1
		}
	}
	return teams
}

// nodeTeam is the team of a branch in a contest with teams by node: the
// place (from 1) of the node's child the branch is under; 0 for none.
func nodeTeam(tree *Tree, node, branch string) int {
	if branch == "" {
		return 0
	}
	for i, c := range tree.Children(node) {
		if tree.Within(branch, c) {
			return i + 1
		}
	}
	return 0
}
