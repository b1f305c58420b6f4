package quiz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"partyquiz/questions"
)

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
