package telegramtest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Polls in groups, for the live contest: members vote in the bot's polls
// (Group.Vote), an anonymous group admin votes without a user
// (Group.VoteAnonymousAdmin), the bot stops a poll early (stopPoll), and
// the bot gets poll_answer updates for its non-anonymous polls and poll
// updates for every change of its polls' state, as on the real server.

// pollState is the server's record of one poll the bot sent. Guarded by
// Server.mu.
type pollState struct {
	msg     *message
	votes   map[int64][]int // by voter
	order   []int64         // voters in the order they first voted
	anon    [][]int         // anonymous admins' votes
	stopped bool
}

// wPollAnswer is a poll_answer update. An anonymous admin's vote has
// voter_chat (the group) and no user.
type wPollAnswer struct {
	PollID    string `json:"poll_id"`
	VoterChat *wChat `json:"voter_chat,omitempty"`
	User      *wUser `json:"user,omitempty"`
	OptionIDs []int  `json:"option_ids"`
}

func init() {
	methods["stoppoll"] = methodInfo{name: "stopPoll", fn: (*Server).stopPoll, paced: true}
}

// trackPollLocked starts the record of a poll the bot just sent.
func (s *Server) trackPollLocked(m *message) {
	if s.polls == nil {
		s.polls = map[string]*pollState{}
	}
	s.polls[m.poll.ID] = &pollState{msg: m, votes: map[int64][]int{}}
}

// closedLocked reports whether a poll takes no more votes: stopped, or
// its open_period has run out on the server's Clock.
func (s *Server) closedLocked(ps *pollState) bool {
	if ps.stopped {
		return true
	}
	p := ps.msg.poll
	return p.OpenPeriod > 0 && !s.clock.Now().Before(ps.msg.date.Add(time.Duration(p.OpenPeriod)*time.Second))
}

// countsLocked returns the votes of each option and the number of voters.
func (s *Server) countsLocked(ps *pollState) ([]int, int) {
	counts := make([]int, len(ps.msg.poll.Options))
	voters := 0
	add := func(opts []int) {
		if len(opts) == 0 {
			return
		}
		voters++
		for _, o := range opts {
			counts[o]++
		}
	}
	for _, id := range ps.order {
		add(ps.votes[id])
	}
	for _, v := range ps.anon {
		add(v)
	}
	return counts, voters
}

// pollCountsLocked fills the state of the poll of m into p.
func (s *Server) pollCountsLocked(m *message, p *Poll) {
	ps := s.polls[m.poll.ID]
	if ps == nil {
		return
	}
	p.Counts, p.Voters = s.countsLocked(ps)
	p.Closed = s.closedLocked(ps)
}

// wirePollCountsLocked fills the voter counts of the poll of m into wp.
func (s *Server) wirePollCountsLocked(m *message, wp *wPoll) {
	ps := s.polls[m.poll.ID]
	if ps == nil {
		return
	}
	counts, voters := s.countsLocked(ps)
	for i := range wp.Options {
		wp.Options[i].VoterCount = counts[i]
	}
	wp.TotalVoterCount = voters
	wp.IsClosed = s.closedLocked(ps)
}

// checkExplanationLines refuses a quiz explanation with more than two line
// feeds, which Telegram does not take.
func checkExplanationLines(p *Poll) *apiError {
	if strings.Count(p.Explanation, "\n") > 2 {
		return badRequest("poll explanation must contain at most 2 line feeds")
	}
	return nil
}

// windowWait is how long until group c may take one more message with at
// most n in any 60 seconds (0 if it may now). It forgets sends older than
// the window.
func windowWait(c *chat, now time.Time, n int) time.Duration {
	k := 0
	for k < len(c.window) && !c.window[k].After(now.Add(-time.Minute)) {
		k++
	}
	c.window = c.window[k:]
	if len(c.window) < n {
		return 0
	}
	return c.window[len(c.window)-n].Add(time.Minute).Sub(now)
}

func joinLocked(ch *chat, u *User) {
	if ch.members == nil {
		ch.members = map[int64]*User{}
	}
	ch.members[u.info.ID] = u
}

// Join adds users to the group (sending a message there adds the sender
// too). Only members can vote in the group's polls.
func (g *Group) Join(users ...*User) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	for _, u := range users {
		joinLocked(g.c, u)
	}
}

// Members returns the group's members, by id.
func (g *Group) Members() []*User {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	out := make([]*User, 0, len(g.c.members))
	for _, u := range g.c.members {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].info.ID < out[j].info.ID })
	return out
}

// Vote casts u's vote in the poll of message msgID: one option, or several
// where the poll allows multiple answers; none retracts a vote in a
// regular poll. Like a Telegram client it refuses a closed poll, a voter
// who is not in the group, a second vote without retracting the first, and
// any change of a quiz answer. The bot gets a poll_answer update (for a
// non-anonymous poll) and a poll update with the new counts.
func (g *Group) Vote(u *User, msgID int, options ...int) error {
	if u == nil {
		return errors.New("telegramtest: vote by a nil user")
	}
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, err := s.votablePollLocked(g.c, msgID, options)
	if err != nil {
		return err
	}
	if g.c.members[u.info.ID] == nil {
		return fmt.Errorf("telegramtest: user %d is not in group %d", u.info.ID, g.c.id)
	}
	p := ps.msg.poll
	prev, voted := ps.votes[u.info.ID]
	switch {
	case len(options) == 0 && p.Type == "quiz":
		return fmt.Errorf("telegramtest: a quiz answer cannot be retracted")
	case len(options) == 0 && len(prev) == 0:
		return fmt.Errorf("telegramtest: user %d has no vote to retract", u.info.ID)
	case len(options) > 0 && len(prev) > 0 && p.Type == "quiz":
		return fmt.Errorf("telegramtest: user %d already answered quiz %s", u.info.ID, p.ID)
	case len(options) > 0 && len(prev) > 0:
		return fmt.Errorf("telegramtest: user %d must retract the vote first", u.info.ID)
	}
	if !voted {
		ps.order = append(ps.order, u.info.ID)
	}
	ps.votes[u.info.ID] = append([]int(nil), options...)
	wu := wireUser(u)
	s.pollUpdatesLocked(g.c, ps, &wPollAnswer{PollID: p.ID, User: &wu, OptionIDs: voteIDs(options)})
	return nil
}

// VoteAnonymousAdmin casts the vote of a group admin who posts as the
// group: the poll_answer has voter_chat and no user (tgbotapi reads it as
// user id 0).
func (g *Group) VoteAnonymousAdmin(msgID int, options ...int) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(options) == 0 {
		return errors.New("telegramtest: an anonymous admin's vote needs an option")
	}
	ps, err := s.votablePollLocked(g.c, msgID, options)
	if err != nil {
		return err
	}
	ps.anon = append(ps.anon, append([]int(nil), options...))
	vc := s.wireChatLocked(g.c)
	s.pollUpdatesLocked(g.c, ps, &wPollAnswer{PollID: ps.msg.poll.ID, VoterChat: &vc, OptionIDs: voteIDs(options)})
	return nil
}

func voteIDs(options []int) []int {
	if options == nil {
		return []int{}
	}
	return append([]int(nil), options...)
}

// votablePollLocked finds the open poll of message msgID in ch and checks
// the options.
func (s *Server) votablePollLocked(ch *chat, msgID int, options []int) (*pollState, error) {
	m := ch.byID[msgID]
	if m == nil || m.deleted || m.poll == nil || !m.fromBot {
		return nil, fmt.Errorf("telegramtest: no bot poll %d in chat %d", msgID, ch.id)
	}
	ps := s.polls[m.poll.ID]
	if ps == nil {
		return nil, fmt.Errorf("telegramtest: poll %s is not tracked", m.poll.ID)
	}
	if s.closedLocked(ps) {
		return nil, fmt.Errorf("telegramtest: poll %s is closed", m.poll.ID)
	}
	if len(options) > 1 && !m.poll.AllowsMultipleAnswers {
		return nil, fmt.Errorf("telegramtest: poll %s takes one option", m.poll.ID)
	}
	seen := map[int]bool{}
	for _, o := range options {
		if o < 0 || o >= len(m.poll.Options) || seen[o] {
			return nil, fmt.Errorf("telegramtest: option %d of poll %s", o, m.poll.ID)
		}
		seen[o] = true
	}
	return ps, nil
}

// pollUpdatesLocked queues what a vote tells the bot: the answer (not for
// anonymous polls) and the poll's new state. Both are ordered with the
// group's other updates.
func (s *Server) pollUpdatesLocked(ch *chat, ps *pollState, ans *wPollAnswer) {
	if !ps.msg.poll.IsAnonymous && ans != nil {
		s.enqueueLocked(ch.id, func(w *wUpdate) string {
			w.PollAnswer = ans
			return "poll_answer"
		})
	}
	s.enqueueLocked(ch.id, func(w *wUpdate) string {
		w.Poll = s.wireMessageLocked(ps.msg, false).Poll
		return "poll"
	})
	ch.bumpLocked()
}

// stopPoll stops a poll the bot sent; the result is the stopped Poll.
func (s *Server) stopPoll(c *call) (any, *apiError) {
	p := c.p
	mk, e := parseReplyMarkup(p.str("reply_markup"), true)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.chatLocked(p)
	if e != nil {
		return nil, e
	}
	id, ok := p.int("message_id")
	if !ok || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	m := ch.byID[id]
	switch {
	case m == nil || m.deleted:
		return nil, badRequest("message with poll to stop not found")
	case m.poll == nil:
		return nil, badRequest("message is not a poll")
	case !m.fromBot:
		return nil, badRequest("poll can't be stopped")
	}
	ps := s.polls[m.poll.ID]
	if ps == nil || s.closedLocked(ps) {
		return nil, badRequest("poll has already been closed")
	}
	if e := writableLocked(ch); e != nil {
		return nil, e
	}
	if e := s.paceLocked(ch); e != nil {
		return nil, e
	}
	ps.stopped = true
	if mk != nil {
		m.inline = mk.inline
	}
	s.commitEditLocked(m)
	s.pollUpdatesLocked(ch, ps, nil)
	return s.wireMessageLocked(m, false).Poll, nil
}

// PollVoters returns the ids of the users who voted in the poll of message
// msgID of chat, in the order they first voted (anonymous admins are not
// listed).
func (c *Chat) PollVoters(msgID int) []int64 {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	m := c.c.byID[msgID]
	if m == nil || m.poll == nil {
		return nil
	}
	ps := c.s.polls[m.poll.ID]
	if ps == nil {
		return nil
	}
	return append([]int64(nil), ps.order...)
}
