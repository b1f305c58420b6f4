package quiz

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
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

// --- groups ------------------------------------------------------------------

// BindGroup binds a group chat to a node the viewer manages (node "" is
// their first). A group bound to a node the viewer does not manage stays
// as it is (Forbidden, bound_elsewhere).
func (s *Service) BindGroup(ctx context.Context, v Viewer, chat int64, title, node string) (*GroupBind, error) {
	node, err := s.scope(v, node)
	if err != nil {
		return nil, err
	}
	tree := s.Tree()
	now := s.now()
	var out *GroupBind
	err = s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		old, err := tx.GroupBind(chat)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if old != nil && old.Node != node && !v.CanManage(tree, old.Node) {
			return Errorf(Forbidden, ReasonBoundElsewhere)
		}
		b := &GroupBind{Chat: chat, Node: node, Title: title, By: v.ID, At: now}
		if err := tx.PutGroupBind(b); err != nil {
			return err
		}
		out = b
		return nil
	})
	return out, err
}

// UnbindGroup undoes BindGroup; the viewer must manage the bound node, and
// a contest in progress there must finish first.
func (s *Service) UnbindGroup(ctx context.Context, v Viewer, chat int64) (*GroupBind, error) {
	tree := s.Tree()
	var out *GroupBind
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		b, err := bound(tx, chat)
		if err != nil {
			return err
		}
		if !v.CanManage(tree, b.Node) {
			return Errorf(Forbidden, ReasonNotInScope)
		}
		if id, err := tx.ChatContest(chat); err == nil && id != 0 {
			return Errorf(Conflict, ReasonContestRunning)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		out = b
		return tx.DeleteGroupBind(chat)
	})
	return out, err
}

func bound(tx Tx, chat int64) (*GroupBind, error) {
	b, err := tx.GroupBind(chat)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotFound, ReasonNotBound)
	}
	return b, err
}

// Bound returns the node a group is bound to (NotFound, not_bound, if it
// is not).
func (s *Service) Bound(ctx context.Context, chat int64) (*GroupBind, error) {
	var out *GroupBind
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = bound(tx, chat)
		return err
	})
	return out, err
}

// HostGroups returns the groups bound to nodes the viewer manages, with
// the contest each has going (nil for none), by chat id.
func (s *Service) HostGroups(ctx context.Context, v Viewer) ([]GroupBind, []*Contest, error) {
	tree := s.Tree()
	var binds []GroupBind
	var active []*Contest
	err := s.Store.View(ctx, func(tx Tx) error {
		binds, active = nil, nil
		all, err := tx.GroupBinds()
		if err != nil {
			return err
		}
		for _, b := range all {
			if !v.CanManage(tree, b.Node) {
				continue
			}
			binds = append(binds, b)
			var c *Contest
			if id, err := tx.ChatContest(b.Chat); err == nil && id != 0 {
				if c, err = tx.Contest(id); err != nil {
					return err
				}
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			active = append(active, c)
		}
		return nil
	})
	return binds, active, err
}

// GroupFigures are what a bound group is shown of its node (/rank in the
// group): the node's own totals and its place among its siblings, never a
// member's score.
type GroupFigures struct {
	Node     string
	Members  int64
	Month    Period
	Study    Figures // this month
	Quarter  Period
	TestOpen bool
	Test     Figures // this quarter
	Half     Period
	Standing *Standing // this half year, among the node's siblings (nil for the root)
	Of       int       // how many siblings, the node included
	Year     NodeYear
}

// GroupFigures returns the figures of the node a group is bound to.
func (s *Service) GroupFigures(ctx context.Context, chat int64) (*GroupFigures, error) {
	now := s.now()
	tree := s.Tree()
	out := &GroupFigures{Month: s.Cal.Month(now), Quarter: s.Cal.Quarter(now), Half: s.Cal.Half(now)}
	start, _ := s.Rules.TestWindowOf(s.Cal, out.Quarter)
	out.TestOpen = !now.Before(start)
	err := s.Store.View(ctx, func(tx Tx) error {
		b, err := bound(tx, chat)
		if err != nil {
			return err
		}
		if tree.Node(b.Node) == nil {
			return Errorf(NotFound, ReasonNodeUnknown)
		}
		out.Node = b.Node
		if out.Members, err = tx.MemberCount(b.Node); err != nil {
			return err
		}
		if out.Study, err = s.nodeFigures(tx, b.Node, out.Month, now); err != nil {
			return err
		}
		if out.Test, err = s.nodeFigures(tx, b.Node, out.Quarter, now); err != nil {
			return err
		}
		year, err := tx.NodeStats(b.Node, s.Cal.Year(now).Key())
		if err != nil {
			return err
		}
		out.Year = NodeYear{Node: b.Node, Members: out.Members, Stars: year.StarCounts(out.Members)}
		if out.Members > 0 {
			out.Year.MeanPoints = year.PointSum.Float() / float64(out.Members)
		}
		if parent := tree.Node(b.Node).Parent; parent != "" {
			sib, err := s.standingInputs(tx, out.Half, now, tree.Children(parent))
			if err != nil {
				return err
			}
			ranked := s.Rules.Rank.Rank(sib)
			out.Of = len(ranked)
			for i := range ranked {
				if ranked[i].Node == b.Node {
					out.Standing = &ranked[i]
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// --- preparing -----------------------------------------------------------------

// contestPool returns the questions a contest may ask: those of its source
// that fit a poll (choice and true/false questions of at most
// MaxPollOptions options; fill-in questions are typed, not polled).
func (s *Service) contestPool(setup ContestSetup, now time.Time) []*PoolQuestion {
	var banks []string
	switch setup.Source {
	case FromMonth:
		banks = s.monthBanks(s.Cal.Month(now))
	case FromQuarter:
		banks = s.Content().Catalog.Plan.QuarterBanks(s.Cal.Quarter(now).N)
	case FromBanks:
		banks = setup.Banks
	}
	var out []*PoolQuestion
	for _, pq := range s.pool(banks) {
		if pq.Q.Type != questions.Fill && len(pq.Q.Options) >= 2 && len(pq.Q.Options) <= MaxPollOptions {
			out = append(out, pq)
		}
	}
	return out
}

// ContestPoolSize returns how many questions a setup could draw from now.
func (s *Service) ContestPoolSize(setup ContestSetup) int {
	return len(s.contestPool(setup, s.now()))
}

// CreateContest prepares a contest in a bound group the viewer manages:
// the questions are drawn now (a snapshot, as attempts keep theirs) and
// the countdown starts. A group holds one contest at a time.
func (s *Service) CreateContest(ctx context.Context, v Viewer, setup ContestSetup) (*Contest, error) {
	now := s.now()
	tree := s.Tree()
	pool := s.contestPool(setup, now)
	var out *Contest
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		b, err := bound(tx, setup.Chat)
		if err != nil {
			return err
		}
		if !v.CanManage(tree, b.Node) {
			return Errorf(Forbidden, ReasonNotInScope)
		}
		if err := setup.Validate(tree, b.Node, s.Content().Catalog); err != nil {
			return err
		}
		if id, err := tx.ChatContest(setup.Chat); err == nil && id != 0 {
			return Errorf(Conflict, ReasonContestRunning)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if len(pool) == 0 {
			return Errorf(Unavailable, ReasonNoQuestions)
		}
		salt, err := tx.Salt()
		if err != nil {
			return err
		}
		seed := DrawSeed(salt, setup.Chat, Kind("contest"), strconv.FormatInt(now.UnixNano(), 10), 1)
		c := &Contest{Chat: setup.Chat, Node: b.Node, Host: v.ID, Setup: setup, Phase: PhaseLobby,
			Items: Draw(seed, pool, setup.Questions, nil), Created: now, StartAt: now.Add(s.Rules.Contest.Countdown)}
		c.Setup.Banks = slices.Clone(setup.Banks)
		if err := tx.CreateContest(c); err != nil {
			return err
		}
		if err := tx.SetChatContest(c.Chat, c.ID); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// Contest returns a contest.
func (s *Service) Contest(ctx context.Context, id uint64) (*Contest, error) {
	var out *Contest
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = getContest(tx, id)
		return err
	})
	return out, err
}

func getContest(tx Tx, id uint64) (*Contest, error) {
	c, err := tx.Contest(id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotFound, ReasonNoContest)
	}
	return c, err
}

// HostContest returns a contest the viewer may host: any manager of its
// node.
func (s *Service) HostContest(ctx context.Context, v Viewer, id uint64) (*Contest, error) {
	c, err := s.Contest(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.CanManage(s.Tree(), c.Node) {
		return nil, Errorf(Forbidden, ReasonNotInScope)
	}
	return c, nil
}

// ActiveContests returns every contest that has not finished (for the bot
// to pick up after a restart).
func (s *Service) ActiveContests(ctx context.Context) ([]*Contest, error) {
	var out []*Contest
	err := s.Store.View(ctx, func(tx Tx) error {
		out = nil
		ids, err := tx.ActiveContests()
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.Contest(id)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// PastContests returns the finished contests of a group the viewer
// manages, newest first, at most n.
func (s *Service) PastContests(ctx context.Context, v Viewer, chat int64, n int) ([]*Contest, error) {
	tree := s.Tree()
	var out []*Contest
	err := s.Store.View(ctx, func(tx Tx) error {
		out = nil
		ids, err := tx.ChatContests(chat, 0)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.Contest(id)
			if err != nil {
				return err
			}
			if c.Phase == PhaseFinished && v.CanManage(tree, c.Node) {
				out = append(out, c)
				if len(out) == n {
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// --- running -------------------------------------------------------------------

// changeContest runs fn on a contest that has not finished and stores it.
func (s *Service) changeContest(ctx context.Context, id uint64, fn func(tx Tx, c *Contest) error) (*Contest, error) {
	var out *Contest
	err := s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		c, err := getContest(tx, id)
		if err != nil {
			return err
		}
		if c.Phase == PhaseFinished {
			return Errorf(Conflict, ReasonNoContest)
		}
		if err := fn(tx, c); err != nil {
			return err
		}
		out = c
		return tx.PutContest(c)
	})
	return out, err
}

// SetLobbyMessage records the message that calls the group to join.
func (s *Service) SetLobbyMessage(ctx context.Context, id uint64, msg int) (*Contest, error) {
	return s.changeContest(ctx, id, func(_ Tx, c *Contest) error {
		c.Lobby = msg
		return nil
	})
}

// AskQuestion moves a contest to question q: from the countdown (q 0) or
// from the revealed question before it. Asking the question being asked
// changes nothing.
func (s *Service) AskQuestion(ctx context.Context, id uint64, q int) (*Contest, error) {
	return s.changeContest(ctx, id, func(_ Tx, c *Contest) error {
		switch {
		case c.Phase == PhaseAsking && c.Current == q:
			return nil
		case q < 0 || q >= len(c.Items):
			return Errorf(Invalid, ReasonNotCurrent)
		case c.Phase == PhaseLobby && q == 0, c.Phase == PhaseRevealed && q == c.Current+1:
		default:
			return Errorf(Conflict, ReasonNotCurrent)
		}
		c.Phase, c.Current = PhaseAsking, q
		for len(c.Asked) <= q {
			c.Asked = append(c.Asked, AskedQuestion{})
		}
		return nil
	})
}

// QuestionPosted records that question q's poll is in the group (Telegram
// took it at at): its clock starts, and answers to the poll count.
func (s *Service) QuestionPosted(ctx context.Context, id uint64, q int, poll string, msg int, at time.Time) (*Contest, error) {
	return s.changeContest(ctx, id, func(tx Tx, c *Contest) error {
		if c.Phase != PhaseAsking || c.Current != q {
			return Errorf(Conflict, ReasonNotCurrent)
		}
		for _, p := range c.Asked[q].Polls {
			if p.ID == poll {
				return nil
			}
		}
		c.Asked[q].Polls = append(c.Asked[q].Polls, ContestPoll{ID: poll, Msg: msg, Opened: at})
		return tx.PutContestPoll(poll, c.ID, q)
	})
}

// ContestAnswerResult is what recording an answer did.
type ContestAnswerResult struct {
	Contest   *Contest
	Answer    *ContestAnswer // nil when the answer did not count
	Player    *Player
	NewPlayer bool
}

// RecordAnswer records a vote in a contest's poll: the first answer of a
// player to the question being asked counts; a second one, a redelivered
// one, a retraction, one from user id 0, one to a poll that is not a
// contest's, and one that comes after the question was revealed are not
// recorded (a result without Answer, and no error). A player who answers
// without having joined joins now.
func (s *Service) RecordAnswer(ctx context.Context, poll string, user int64, name string, choice []int) (*ContestAnswerResult, error) {
	now := s.now()
	tree := s.Tree()
	res := &ContestAnswerResult{}
	if user == 0 || len(choice) == 0 {
		return res, nil
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		*res = ContestAnswerResult{}
		id, q, err := tx.ContestPoll(poll)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		c, err := tx.Contest(id)
		if err != nil {
			return err
		}
		res.Contest = c
		if c.Phase != PhaseAsking || c.Current != q || q >= len(c.Items) {
			return nil // late: the question was revealed
		}
		it := &c.Items[q]
		ch, err := checkChoice(it, choice)
		if err != nil {
			return nil // not an option of this question: a forged update
		}
		p, added, err := s.addPlayer(tx, tree, c, user, name, 0, now)
		if err != nil {
			return err
		}
		res.Player, res.NewPlayer = p, added
		right := equalInts(ch, it.Answer)
		a := &ContestAnswer{Contest: c.ID, Q: q, User: user, Poll: poll, Choice: ch, At: now, Right: right,
			Score: AnswerScore(right, now.Sub(c.Opened(q, poll)), c.Limit())}
		ok, err := tx.AddContestAnswer(a)
		if err != nil || !ok {
			return err
		}
		res.Answer = a
		if !p.Scores {
			return nil
		}
		stat := ItemStats{Answers: 1}
		if right {
			stat.Right = 1
		}
		for _, n := range tree.Lineage(p.Branch) {
			if err := tx.AddItemStats(n, it.StatKey(), stat); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// JoinContest adds a player who pressed 我要参加 (or a team's button: team
// 1…TeamCount for picked teams, 0 otherwise). Joining again changes
// nothing, except that during the countdown a player may change team.
func (s *Service) JoinContest(ctx context.Context, id uint64, user int64, name string, team int) (*Player, bool, error) {
	now := s.now()
	tree := s.Tree()
	var out *Player
	added := false
	if user == 0 {
		return nil, false, Errorf(Invalid, ReasonNotMember)
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		out, added = nil, false
		c, err := getContest(tx, id)
		if err != nil {
			return err
		}
		if c.Phase == PhaseFinished {
			return Errorf(Conflict, ReasonNoContest)
		}
		if c.Setup.Teams != TeamsPicked || team < 1 || team > c.Setup.TeamCount {
			team = 0
		}
		p, isNew, err := s.addPlayer(tx, tree, c, user, name, team, now)
		if err != nil {
			return err
		}
		if !isNew && team != 0 && p.Team != team && c.Phase == PhaseLobby {
			p.Team = team
			if err := tx.PutPlayer(c.ID, p); err != nil {
				return err
			}
		}
		out, added = p, isNew
		return nil
	})
	return out, added, err
}

// addPlayer returns a contest's player, adding them if they are new: a
// member of the contest's node scores points and plays under their real
// name; anyone else is a guest under their Telegram name.
func (s *Service) addPlayer(tx Tx, tree *Tree, c *Contest, user int64, name string, team int, now time.Time) (*Player, bool, error) {
	p, err := tx.Player(c.ID, user)
	if err == nil {
		return p, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	p = &Player{User: user, Name: name, Joined: now}
	if u, err := tx.User(user); err == nil {
		if u.Name != "" {
			p.Name = u.Name
		}
		if u.Branch != "" && tree.Within(u.Branch, c.Node) {
			p.Branch, p.Scores = u.Branch, true
		}
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	switch c.Setup.Teams {
	case TeamsByNode:
		p.Team = nodeTeam(tree, c.Node, p.Branch)
	case TeamsPicked:
		p.Team = team
		if p.Team == 0 {
			players, err := tx.Players(c.ID)
			if err != nil {
				return nil, false, err
			}
			counts := make([]int, c.Setup.TeamCount)
			for _, o := range players {
				if o.Team >= 1 && o.Team <= len(counts) {
					counts[o.Team-1]++
				}
			}
			p.Team = 1
			for i, n := range counts {
				if n < counts[p.Team-1] {
					p.Team = i + 1
				}
			}
		}
	}
	if err := tx.PutPlayer(c.ID, p); err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// RevealQuestion closes question q: answers that come later do not count.
// It returns the question's outcome; revealing it again changes nothing.
func (s *Service) RevealQuestion(ctx context.Context, id uint64, q int) (*Contest, *QuestionResult, error) {
	now := s.now()
	var res QuestionResult
	c, err := s.changeContest(ctx, id, func(tx Tx, c *Contest) error {
		switch {
		case c.Current != q || (c.Phase != PhaseAsking && c.Phase != PhaseRevealed):
			return Errorf(Conflict, ReasonNotCurrent)
		case c.Phase == PhaseAsking:
			c.Phase = PhaseRevealed
			c.Asked[q].Revealed = now
		}
		answers, err := tx.ContestAnswers(c.ID)
		if err != nil {
			return err
		}
		res = ResultOf(c, q, answers)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	res.Item = &c.Items[q]
	return c, &res, nil
}

// SetPaused pauses a contest (it does not move on by itself after the
// current question) or lets it go on.
func (s *Service) SetPaused(ctx context.Context, id uint64, paused bool) (*Contest, error) {
	return s.changeContest(ctx, id, func(_ Tx, c *Contest) error {
		c.Paused = paused
		return nil
	})
}

// Interrupt marks a contest found running at a restart: it waits for its
// host. Resume lets it go on from where it was: a countdown starts again;
// a question that was open is asked again (with a new poll; the answers
// already recorded stand); after a revealed question comes the next.
func (s *Service) Interrupt(ctx context.Context, id uint64) (*Contest, error) {
	return s.changeContest(ctx, id, func(_ Tx, c *Contest) error {
		c.Interrupted = true
		return nil
	})
}

// Resume ends an interruption (see Interrupt).
func (s *Service) Resume(ctx context.Context, id uint64) (*Contest, error) {
	now := s.now()
	return s.changeContest(ctx, id, func(_ Tx, c *Contest) error {
		if !c.Interrupted {
			return nil
		}
		c.Interrupted, c.Paused = false, false
		if c.Phase == PhaseLobby {
			c.StartAt = now.Add(s.Rules.Contest.Countdown)
		}
		return nil
	})
}

// StartNow ends the countdown at once.
func (s *Service) StartNow(ctx context.Context, id uint64) (*Contest, error) {
	now := s.now()
	return s.changeContest(ctx, id, func(_ Tx, c *Contest) error {
		if c.Phase == PhaseLobby && c.StartAt.After(now) {
			c.StartAt = now
		}
		return nil
	})
}

// FinishContest ends a contest — after its last question, or when the
// host stops it (a question still open is revealed first) — and books its
// points, once: finishing it again returns the same leaderboard and books
// nothing.
func (s *Service) FinishContest(ctx context.Context, id uint64) (*ContestResult, error) {
	now := s.now()
	tree := s.Tree()
	var res *ContestResult
	err := s.Store.Update(ctx, func(tx Tx) error {
		res = nil
		c, err := getContest(tx, id)
		if err != nil {
			return err
		}
		if c.Phase == PhaseFinished {
			if res, err = tallyOf(tx, tree, c); err != nil {
				return err
			}
			return s.bookedPoints(tx, res)
		}
		if c.Phase == PhaseAsking {
			c.Asked[c.Current].Revealed = now
		}
		c.Stopped = c.Phase == PhaseLobby || !c.Last() || len(c.Asked) < len(c.Items)
		c.Phase, c.Finished, c.Interrupted = PhaseFinished, now, false
		if err := tx.PutContest(c); err != nil {
			return err
		}
		if err := tx.SetChatContest(c.Chat, 0); err != nil {
			return err
		}
		if res, err = tallyOf(tx, tree, c); err != nil {
			return err
		}
		if err := s.bookContest(tx, tree, res, now); err != nil {
			return err
		}
		// The group is shown the leaderboard, and each player told their
		// own result, once.
		board := Event{Ref: fmt.Sprintf("contest:%d:board", c.ID), Chat: c.Chat, Kind: EventContestBoard, At: now, Contest: c.ID}
		if _, err := tx.Emit(&board); err != nil {
			return err
		}
		for _, r := range res.Rows {
			if r.User <= 0 {
				continue
			}
			e := Event{Ref: fmt.Sprintf("contest:%d:%d", c.ID, r.User), Chat: r.User, Kind: EventContestResult, At: now,
				Contest: c.ID, User: r.User}
			if _, err := tx.Emit(&e); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// ContestResultOf returns a finished contest's leaderboard and each
// player's points (for wording its events).
func (s *Service) ContestResultOf(ctx context.Context, id uint64) (*ContestResult, error) {
	tree := s.Tree()
	var res *ContestResult
	err := s.Store.View(ctx, func(tx Tx) error {
		c, err := getContest(tx, id)
		if err != nil {
			return err
		}
		if res, err = tallyOf(tx, tree, c); err != nil {
			return err
		}
		return s.bookedPoints(tx, res)
	})
	return res, err
}

// tallyOf reads a contest's players and answers and makes its leaderboard.
func tallyOf(tx Tx, tree *Tree, c *Contest) (*ContestResult, error) {
	players, err := tx.Players(c.ID)
	if err != nil {
		return nil, err
	}
	answers, err := tx.ContestAnswers(c.ID)
	if err != nil {
		return nil, err
	}
	return Tally(c, tree, players, answers), nil
}

// ContestRef is the ledger Ref of a contest's points.
func ContestRef(id uint64) string { return "contest:" + strconv.FormatUint(id, 10) }

// bookContest books the points of a finished contest's members.
func (s *Service) bookContest(tx Tx, tree *Tree, res *ContestResult, now time.Time) error {
	c := res.Contest
	rules := s.Rules.Contest
	day := now.In(s.Cal.Loc).Format("2006-01-02")
	month := s.Cal.Month(now)
	for i := range res.Rows {
		r := &res.Rows[i]
		if !r.Scores || r.User == 0 {
			continue
		}
		award := rules.Award(r.Rank, r.Answered, r.Score)
		if award == 0 {
			continue
		}
		entries, err := tx.Entries(r.User)
		if err != nil {
			return err
		}
		var today Points
		for _, e := range entries {
			if e.Rule == RuleContest && time.Unix(e.At, 0).In(s.Cal.Loc).Format("2006-01-02") == day {
				today += e.Amount
			}
		}
		amount := rules.Capped(award, today)
		e := &Entry{User: r.User, Ref: ContestRef(c.ID), Rule: RuleContest, Amount: amount,
			Period: month.Key(), Capped: amount < award, At: now.Unix()}
		if r.Rank <= len(rules.Top) && r.Score > 0 {
			e.Place = r.Rank // a place with a prize; 0: for taking part
		}
		ok, err := s.book(tx, tree.Lineage(r.Branch), e)
		if err != nil {
			return err
		}
		if ok {
			r.Points = amount
		}
	}
	return nil
}

// bookedPoints fills the points a finished contest booked from the ledger.
func (s *Service) bookedPoints(tx Tx, res *ContestResult) error {
	ref := ContestRef(res.Contest.ID)
	for i := range res.Rows {
		r := &res.Rows[i]
		if !r.Scores {
			continue
		}
		entries, err := tx.Entries(r.User)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Ref == ref {
				r.Points = e.Amount
			}
		}
	}
	return nil
}

// ContestResults returns the leaderboard of a contest the viewer may host
// (a past one, to send again), with the points it booked.
func (s *Service) ContestResults(ctx context.Context, v Viewer, id uint64) (*ContestResult, error) {
	tree := s.Tree()
	var res *ContestResult
	err := s.Store.View(ctx, func(tx Tx) error {
		res = nil
		c, err := getContest(tx, id)
		if err != nil {
			return err
		}
		if !v.CanManage(tree, c.Node) {
			return Errorf(Forbidden, ReasonNotInScope)
		}
		if res, err = tallyOf(tx, tree, c); err != nil {
			return err
		}
		return s.bookedPoints(tx, res)
	})
	return res, err
}

// ContestAnswersOf returns a contest's recorded answers (for tests and
// audits), by question then user.
func (s *Service) ContestAnswersOf(ctx context.Context, id uint64) ([]ContestAnswer, error) {
	var out []ContestAnswer
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ContestAnswers(id)
		return err
	})
	return out, err
}

// ContestPoints returns the points a member earned from contests in a year
// (for the export).
func ContestPoints(entries []Entry, year int, cal Calendar) Points {
	var sum Points
	for _, e := range entries {
		if e.Rule != RuleContest {
			continue
		}
		if p, err := cal.Parse(e.Period); err == nil && p.Year == year {
			sum += e.Amount
		}
	}
	return sum
}

// ContestPlayers returns a contest's players, by user id.
func (s *Service) ContestPlayers(ctx context.Context, id uint64) ([]Player, error) {
	var out []Player
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Players(id)
		return err
	})
	return out, err
}
