package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// Running contests. Each contest in progress has a goroutine that moves it
// on by the engine's clock (Service.Now): the countdown, each question's
// poll, its reveal after the seconds per question (and a grace for
// answers on their way), a pause, the next question, the finish. The state
// is in the store, changed by the engine, so a restart finds every contest
// where it was; the goroutine keeps only what this process has sent.
//
// The group's 20 messages a minute are planned for: a question is one poll
// (two messages when its stem is too long for a poll) and one result;
// with at least 10 seconds per question, the grace and the gap between
// questions that is at most about 12 messages a minute. The runner also
// counts what it sends to the group in the last minute and holds the next
// question, and skips countdown edits, while that would pass
// groupBudget. A 429 is the sender's: it waits retry_after and sends
// again, so the contest runs late and no message is lost; answers are not
// messages and keep coming in meanwhile.

const (
	contestTick  = 200 * time.Millisecond // how often a run looks at its contest (real time)
	answerGrace  = time.Second            // after a question's time, for answers on their way
	contestGap   = 5 * time.Second        // from a result to the next question
	lobbyEvery   = 15 * time.Second       // countdown edits at most this often
	groupBudget  = 18                     // messages planned per group per minute (Telegram: 20)
	maxPollTries = 3                      // a poll Telegram refuses this often is skipped
	// unknownPollWait is how long a vote waits for its poll to be recorded
	// while a question is being posted.
	unknownPollWait = 3 * time.Second
)

// What the host asked a run to do now.
const (
	wantReveal = 1 << iota
	wantNext
)

// contestRunner keeps the runs of the contests in progress. The zero value
// is ready.
type contestRunner struct {
	mu   sync.Mutex
	runs map[uint64]*contestRun
}

// contestRun is what one process knows of one contest it runs.
type contestRun struct {
	id   uint64
	wake chan struct{}

	mu        sync.Mutex
	want      int
	sending   int          // the question whose messages are being sent, -1 for none
	posted    map[int]bool // questions whose poll this process posted
	failed    map[int]int  // polls Telegram refused, by question
	lobbySent bool
	lobbyEdit time.Time
	sent      []time.Time // messages to the group, by the engine's clock
}

// start runs contest id unless it runs already.
func (cr *contestRunner) start(b *Bot, id uint64) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.runs == nil {
		cr.runs = map[uint64]*contestRun{}
	}
	if run := cr.runs[id]; run != nil {
		run.poke()
		return
	}
	run := &contestRun{id: id, wake: make(chan struct{}, 1), sending: -1, posted: map[int]bool{}, failed: map[int]int{}}
	cr.runs[id] = run
	go b.runContest(b.pollCtx, run)
}

func (cr *contestRunner) run(id uint64) *contestRun {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.runs[id]
}

func (cr *contestRunner) done(id uint64) {
	cr.mu.Lock()
	delete(cr.runs, id)
	cr.mu.Unlock()
}

// sending reports whether a run is posting a question now.
func (cr *contestRunner) sending() bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	for _, run := range cr.runs {
		run.mu.Lock()
		s := run.sending
		run.mu.Unlock()
		if s >= 0 {
			return true
		}
	}
	return false
}

// poke makes contest id's run look at it now.
func (cr *contestRunner) poke(id uint64) {
	if run := cr.run(id); run != nil {
		run.poke()
	}
}

// request passes on what the host asked for (reveal, next).
func (cr *contestRunner) request(id uint64, want int) {
	if run := cr.run(id); run != nil {
		run.mu.Lock()
		run.want |= want
		run.mu.Unlock()
		run.poke()
	}
}

func (run *contestRun) poke() {
	select {
	case run.wake <- struct{}{}:
	default:
	}
}

// room is how many more messages the group may get this minute by the
// plan.
func (run *contestRun) room(now time.Time) int {
	run.mu.Lock()
	defer run.mu.Unlock()
	k := 0
	for k < len(run.sent) && !run.sent[k].After(now.Add(-time.Minute)) {
		k++
	}
	run.sent = run.sent[k:]
	return groupBudget - len(run.sent)
}

func (run *contestRun) spend(now time.Time, n int) {
	run.mu.Lock()
	for i := 0; i < n; i++ {
		run.sent = append(run.sent, now)
	}
	run.mu.Unlock()
}

// resumeContests picks up, at start, the contests a previous run left in
// progress: each waits, interrupted, for its host to go on or end it; the
// host is told. It then runs until ctx ends.
func (b *Bot) resumeContests(ctx context.Context) {
	cs, err := b.svc.ActiveContests(ctx)
	if err != nil {
		b.log.Error("reading the contests in progress", "err", err)
	}
	for _, c := range cs {
		if !c.Interrupted {
			id := c.ID
			if c, err = b.svc.Interrupt(ctx, id); err != nil {
				// c is nil here: the id is the one asked for (this logged
				// c.ID, and a failed Interrupt crashed the bot at start).
				if ctx.Err() == nil && quiz.ErrorReason(err) != quiz.ReasonNoContest { // not one that finished meanwhile
					b.log.Error("interrupting a contest", "contest", id, "err", err)
				}
				continue
			}
		}
		title := strconv.FormatInt(c.Chat, 10)
		if g, err := b.svc.Bound(ctx, c.Chat); err == nil {
			title = groupTitle(*g)
		}
		text, kb := b.consoleText(c, title)
		b.sendHTML(c.Host, text, kb)
		b.contests.start(b, c.ID)
	}
	<-ctx.Done()
}

// runContest moves one contest on until it finishes or the bot stops.
func (b *Bot) runContest(ctx context.Context, run *contestRun) {
	defer b.contests.done(run.id)
	tick := time.NewTicker(contestTick)
	defer tick.Stop()
	for {
		c, err := b.svc.Contest(ctx, run.id)
		switch {
		case quiz.ErrorCode(err) == quiz.NotFound:
			return
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			b.log.Error("reading a contest", "contest", run.id, "err", err)
		case c.Phase == quiz.PhaseFinished:
			return
		default:
			if err := b.stepContest(ctx, run, c); err != nil && ctx.Err() == nil {
				b.log.Error("running a contest", "contest", run.id, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-run.wake:
		case <-tick.C:
		}
	}
}

// stepContest does what is due in a contest now.
func (b *Bot) stepContest(ctx context.Context, run *contestRun, c *quiz.Contest) error {
	if c.Interrupted {
		return nil
	}
	now := b.svc.Now()
	run.mu.Lock()
	want, sending := run.want, run.sending
	posted := run.posted[c.Current]
	run.mu.Unlock()
	switch c.Phase {
	case quiz.PhaseLobby:
		if !run.lobbySent && c.Lobby == 0 {
			b.sendLobby(ctx, run, c, now)
			return nil
		}
		if now.Before(c.StartAt) && want&wantNext == 0 {
			b.editLobby(ctx, run, c, now)
			return nil
		}
		if run.room(now) < 3 {
			return nil
		}
		run.clear(wantNext | wantReveal)
		_, err := b.svc.AskQuestion(ctx, c.ID, 0)
		run.poke()
		return err
	case quiz.PhaseAsking:
		if sending == c.Current {
			return nil
		}
		p := c.OpenPoll()
		if p == nil && posted {
			// c was read before this process's poll was recorded (the
			// send's callback ran meanwhile): the next step sees it. Asking
			// again here posted the question twice.
			return nil
		}
		if p == nil || !posted {
			// Not posted yet, or posted by a run before a restart: ask it
			// (again); answers already recorded stand.
			if run.room(now) < 2 {
				return nil
			}
			b.sendQuestion(ctx, run, c, now)
			return nil
		}
		early := want&(wantReveal|wantNext) != 0
		if !early && now.Before(p.Opened.Add(c.Limit()+answerGrace)) {
			return nil
		}
		run.clear(wantReveal)
		return b.revealQuestion(ctx, run, c, p, early, now)
	case quiz.PhaseRevealed:
		next := want&wantNext != 0
		due := !c.Paused && !now.Before(c.Asked[c.Current].Revealed.Add(contestGap))
		if !next && !due {
			return nil
		}
		if c.Last() {
			run.clear(wantNext)
			_, err := b.finishContest(ctx, c.ID)
			return err
		}
		if run.room(now) < 3 {
			return nil
		}
		run.clear(wantNext)
		_, err := b.svc.AskQuestion(ctx, c.ID, c.Current+1)
		run.poke()
		return err
	}
	return nil
}

func (run *contestRun) clear(want int) {
	run.mu.Lock()
	run.want &^= want
	run.mu.Unlock()
}

// --- the countdown -------------------------------------------------------------

// sendLobby calls the group to join, with the countdown.
func (b *Bot) sendLobby(ctx context.Context, run *contestRun, c *quiz.Contest, now time.Time) {
	run.lobbySent = true
	run.lobbyEdit = now
	text := b.lobbyText(ctx, c, now)
	m := tgbotapi.NewMessage(c.Chat, text)
	m.ParseMode = tgbotapi.ModeHTML
	m.ReplyMarkup = b.joinKeyboard(c)
	run.spend(now, 1)
	b.send.Enqueue(c.Chat, m, func(resp *tgbotapi.APIResponse, err error) {
		if err != nil {
			return
		}
		var sent tgbotapi.Message
		if json.Unmarshal(resp.Result, &sent) != nil {
			return
		}
		if _, err := b.svc.SetLobbyMessage(context.Background(), c.ID, sent.MessageID); err != nil {
			b.log.Warn("recording a contest's call to join", "contest", c.ID, "err", err)
		}
	})
}

// editLobby brings the countdown up to date, now and then, when the
// group's minute has room to spare.
func (b *Bot) editLobby(ctx context.Context, run *contestRun, c *quiz.Contest, now time.Time) {
	if c.Lobby == 0 || now.Sub(run.lobbyEdit) < lobbyEvery || run.room(now) < groupBudget/2 {
		return
	}
	run.lobbyEdit = now
	run.spend(now, 1)
	b.editHTML(c.Chat, c.Lobby, b.lobbyText(ctx, c, now), b.joinKeyboard(c))
}

func (b *Bot) lobbyText(ctx context.Context, c *quiz.Contest, now time.Time) string {
	players, _ := b.svc.ContestPlayers(ctx, c.ID)
	teams := ""
	if c.Setup.Teams != quiz.NoTeams {
		teams = fmt.Sprintf(txtLobbyTeams, b.teamsText(c.Setup))
	}
	left := int(c.StartAt.Sub(now).Round(time.Second).Seconds())
	when := txtLobbySoon
	if left > 0 {
		when = fmt.Sprintf(txtLobbyIn, left)
	}
	return fmt.Sprintf(txtLobby, esc(b.svc.Tree().Name(c.Node)), len(c.Items), c.Setup.Seconds, teams, when, len(players))
}

// joinKeyboard is 我要参加, or a button per team when teams are picked.
func (b *Bot) joinKeyboard(c *quiz.Contest) *tgbotapi.InlineKeyboardMarkup {
	id := id36(c.ID)
	var row []tgbotapi.InlineKeyboardButton
	if c.Setup.Teams == quiz.TeamsPicked {
		for t := 1; t <= c.Setup.TeamCount; t++ {
			row = append(row, dataButton(fmt.Sprintf(txtJoinTeamButton, b.teamName(c, t)), "cj:"+id+":"+strconv.Itoa(t)))
		}
	} else {
		row = append(row, dataButton(txtJoinButton, "cj:"+id+":0"))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(row)
	return &kb
}

// --- questions -------------------------------------------------------------------

// sendQuestion posts the current question: its poll, after the stem when
// the stem is too long for one. The question's clock starts when Telegram
// took the poll.
func (b *Bot) sendQuestion(ctx context.Context, run *contestRun, c *quiz.Contest, now time.Time) {
	q := c.Current
	run.mu.Lock()
	run.sending = q
	run.mu.Unlock()
	stem, poll := b.questionMessages(c, q)
	if stem != nil {
		run.spend(now, 1)
		b.send.Enqueue(c.Chat, *stem, nil)
	}
	run.spend(now, 1)
	b.send.Enqueue(c.Chat, poll, func(resp *tgbotapi.APIResponse, err error) {
		defer run.poke()
		var sent tgbotapi.Message
		if err == nil && (json.Unmarshal(resp.Result, &sent) != nil || sent.Poll == nil) {
			err = errors.New("sendPoll answered without a poll")
		}
		if err != nil {
			run.mu.Lock()
			run.sending = -1
			run.failed[q]++
			tries := run.failed[q]
			run.mu.Unlock()
			if errors.Is(err, errSenderClosed) || errors.Is(err, context.Canceled) {
				return // the bot is stopping: asked again after the restart
			}
			b.log.Error("a contest's poll was refused", "contest", c.ID, "question", q+1, "err", err)
			if tries >= maxPollTries {
				b.skipQuestion(ctx, c.ID, q)
			}
			return
		}
		opened := pollOpened(sent, now, b.svc.Now())
		var perr error
		for i := 0; i < 3; i++ {
			if _, perr = b.svc.QuestionPosted(context.Background(), c.ID, q, sent.Poll.ID, sent.MessageID, opened); perr == nil ||
				quiz.ErrorCode(perr) != quiz.Internal {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		run.mu.Lock()
		if perr == nil {
			run.posted[q] = true
		} else {
			run.failed[q]++ // posted but not recorded: counts as a refusal
		}
		tries := run.failed[q]
		run.sending = -1
		run.mu.Unlock()
		if perr != nil {
			b.log.Error("recording a contest's poll", "contest", c.ID, "question", q+1, "err", perr)
			if tries >= maxPollTries {
				b.skipQuestion(ctx, c.ID, q) // not a new poll every tick
			}
		}
	})
}

// pollOpened is when a poll's open_period began: the date Telegram gave
// its message (whole seconds), not when its answer reached the bot — a
// slow answer would otherwise move the question's clock past the poll's
// own (members' votes refused as closed while the bot still counted
// time) — and not before the bot asked for it (asked: a Telegram clock
// behind the bot's would otherwise give members less time). A date in
// the future, or more than a minute old (a clock that is off), gives
// way to now.
func pollOpened(sent tgbotapi.Message, asked, now time.Time) time.Time {
	if sent.Date <= 0 {
		return now
	}
	d := time.Unix(int64(sent.Date), 0)
	if d.After(now) || now.Sub(d) > time.Minute {
		return now
	}
	if d.Before(asked) && !asked.After(now) {
		return asked
	}
	return d
}

// skipQuestion reveals a question whose poll Telegram keeps refusing (it
// scores nothing) so that the contest goes on.
func (b *Bot) skipQuestion(ctx context.Context, id uint64, q int) {
	c, err := b.svc.Contest(ctx, id)
	if err != nil || c.Phase != quiz.PhaseAsking || c.Current != q {
		return
	}
	if _, _, err := b.svc.RevealQuestion(ctx, id, q); err != nil {
		b.log.Error("skipping a contest's question", "contest", id, "err", err)
	}
}

// questionMessages renders question q: the poll, and before it the stem
// as a message when the poll's 300 characters cannot hold it. Single
// choice and true/false are quiz polls (their explanation cut to the
// poll's 200 characters and 2 line feeds); multiple choice a regular poll
// with several answers (see contest.go).
func (b *Bot) questionMessages(c *quiz.Contest, q int) (*tgbotapi.MessageConfig, tgbotapi.SendPollConfig) {
	it := &c.Items[q]
	n := len(c.Items)
	suffix := ""
	if it.Type == questions.Multiple {
		suffix = txtPollMulti
	}
	options := pollOptions(it)
	question := fmt.Sprintf(txtPollHead, q+1, n, it.Type) + it.Text + suffix
	var stem *tgbotapi.MessageConfig
	if utf8.RuneCountInString(question) > maxPollQuestion {
		var s strings.Builder
		fmt.Fprintf(&s, txtStem, q+1, n, it.Type, esc(it.Text))
		if it.Type != questions.TrueFalse {
			for i, o := range it.Options {
				s.WriteString("\n" + esc(questions.Letter(i)+". "+o))
			}
		}
		m := tgbotapi.NewMessage(c.Chat, firstPart(s.String()))
		m.ParseMode = tgbotapi.ModeHTML
		m.DisableWebPagePreview = true
		stem = &m
		question = fmt.Sprintf(txtPollShort, q+1, n, it.Type) + suffix
	}
	p := tgbotapi.NewPoll(c.Chat, question, options...)
	p.IsAnonymous = false
	p.OpenPeriod = c.Setup.Seconds
	if it.Type == questions.Multiple {
		p.AllowsMultipleAnswers = true
	} else {
		p.Type = "quiz"
		p.CorrectOptionID = int64(it.Answer[0])
		p.Explanation = pollExplanation(it.Explanation)
	}
	return stem, p
}

// Limits of Telegram's polls.
const (
	maxPollQuestion    = 300
	maxPollOption      = 100
	maxPollExplanation = 200
)

// pollOptions are an item's options as poll options: with their letters
// (so that the result can name them) when every option still fits.
func pollOptions(it *quiz.Item) []string {
	out := make([]string, len(it.Options))
	letters := it.Type != questions.TrueFalse
	for _, o := range it.Options {
		if utf8.RuneCountInString(o)+3 > maxPollOption {
			letters = false
		}
	}
	for i, o := range it.Options {
		if letters {
			o = questions.Letter(i) + ". " + o
		}
		out[i] = truncate(o, maxPollOption)
	}
	return out
}

// pollExplanation fits an explanation to a quiz poll: at most 2 line
// feeds and 200 characters.
func pollExplanation(s string) string {
	s = strings.TrimSpace(s)
	if strings.Count(s, "\n") > 2 {
		s = strings.Join(strings.Fields(s), " ")
	}
	return truncate(s, maxPollExplanation)
}

// revealQuestion closes the current question and sends its result: the
// right answer, how many got it, the fastest three. A question closed
// before its time has its poll stopped too.
func (b *Bot) revealQuestion(ctx context.Context, run *contestRun, c *quiz.Contest, p *quiz.ContestPoll, early bool, now time.Time) error {
	c2, res, err := b.svc.RevealQuestion(ctx, c.ID, c.Current)
	if err != nil {
		return err
	}
	if early && now.Before(p.Opened.Add(c.Limit())) {
		run.spend(now, 1)
		b.send.Enqueue(c.Chat, tgbotapi.NewStopPoll(c.Chat, p.Msg), nil)
	}
	players, err := b.svc.ContestPlayers(ctx, c.ID)
	if err != nil {
		return err
	}
	run.spend(now, 1)
	b.sendHTML(c.Chat, b.resultText(c2, res, players), nil)
	run.poke()
	return nil
}

// answerText is an item's right answer as the group reads it.
func answerText(it *quiz.Item) string {
	if it.Type == questions.TrueFalse {
		return it.AnswerText()
	}
	var parts []string
	for _, a := range it.Answer {
		parts = append(parts, questions.Letter(a)+". "+it.Options[a])
	}
	return strings.Join(parts, "；")
}

func playerNames(players []quiz.Player) map[int64]string {
	out := make(map[int64]string, len(players))
	for _, p := range players {
		out[p.User] = p.Name
	}
	return out
}

// resultText is the one message after a question.
func (b *Bot) resultText(c *quiz.Contest, res *quiz.QuestionResult, players []quiz.Player) string {
	names := playerNames(players)
	var s strings.Builder
	fmt.Fprintf(&s, txtResult, res.Q+1, esc(truncate(answerText(res.Item), 200)), res.Right, res.Answered)
	if len(res.Fastest) > 0 {
		var fast []string
		for _, a := range res.Fastest {
			fast = append(fast, esc(names[a.User]))
		}
		s.WriteString("\n" + fmt.Sprintf(txtResultFastest, strings.Join(fast, "、")))
	}
	if e := strings.TrimSpace(res.Item.Explanation); e != "" {
		s.WriteString("\n" + fmt.Sprintf(txtExplanation, esc(truncate(e, 300))))
	}
	if !c.Last() {
		s.WriteString("\n" + txtResultNext)
	}
	return s.String()
}

// --- the end -------------------------------------------------------------------------

// finishContest ends a contest: the engine books its points and emits its
// leaderboard and each player's result, once.
func (b *Bot) finishContest(ctx context.Context, id uint64) (*quiz.ContestResult, error) {
	res, err := b.svc.FinishContest(ctx, id)
	if err != nil {
		return nil, err
	}
	b.contests.poke(id)
	return res, nil
}

// boardRows is how many players the leaderboard names.
const boardRows = 20

// boardText is a contest's leaderboard, for the group.
func (b *Bot) boardText(res *quiz.ContestResult) string {
	c := res.Contest
	var s strings.Builder
	fmt.Fprintf(&s, txtBoard, esc(b.svc.Tree().Name(c.Node)), b.day(c.Finished), len(c.Asked), len(res.Rows))
	if c.Stopped {
		s.WriteString("\n" + fmt.Sprintf(txtBoardStopped, len(c.Asked)))
	}
	answered := 0
	for _, r := range res.Rows {
		if r.Answered > 0 {
			answered++
		}
	}
	if answered == 0 {
		s.WriteString("\n" + txtBoardNone)
		return s.String()
	}
	for i, r := range res.Rows {
		if i == boardRows {
			s.WriteString("\n" + fmt.Sprintf(txtBoardMore, len(res.Rows)-boardRows))
			break
		}
		place := strconv.Itoa(r.Rank) + "."
		if r.Rank <= len(txtMedals) {
			place = txtMedals[r.Rank-1]
		}
		team := ""
		if r.Team > 0 {
			team = fmt.Sprintf(txtBoardTeamOf, esc(b.teamName(c, r.Team)))
		}
		s.WriteString("\n" + fmt.Sprintf(txtBoardRow, place, esc(r.Name), team, r.Score, r.Right))
	}
	if len(res.Teams) > 0 {
		s.WriteString("\n\n" + txtBoardTeams)
		for _, t := range res.Teams {
			if t.Players == 0 {
				continue
			}
			s.WriteString("\n" + fmt.Sprintf(txtBoardTeam, t.Rank, esc(b.teamName(c, t.Team)), strconv.FormatFloat(t.Mean, 'f', 1, 64), t.Players))
		}
	}
	s.WriteString("\n\n" + txtBoardThanks)
	return s.String()
}

// myResultText is one player's own result, for their private chat.
func (b *Bot) myResultText(res *quiz.ContestResult, r quiz.PlayerRow) string {
	c := res.Contest
	var s strings.Builder
	fmt.Fprintf(&s, txtMyResult, esc(b.svc.Tree().Name(c.Node)), b.day(c.Finished), r.Right, len(c.Asked), r.Score, r.Rank, len(res.Rows))
	if r.Team > 0 {
		for _, t := range res.Teams {
			if t.Team == r.Team {
				s.WriteString("\n" + fmt.Sprintf(txtMyTeam, esc(b.teamName(c, t.Team)), t.Rank, strconv.FormatFloat(t.Mean, 'f', 1, 64)))
			}
		}
	}
	switch {
	case !r.Scores:
		s.WriteString("\n" + txtMyGuest)
	case r.Points > 0:
		s.WriteString("\n" + fmt.Sprintf(txtMyPoints, r.Points))
	case r.Answered > 0:
		s.WriteString("\n" + txtMyCapped)
	}
	return s.String()
}

// --- answers ---------------------------------------------------------------------------

// pollAnswer records a vote in a contest's poll. Nothing is sent: the
// group sees the poll's own counter.
func (b *Bot) pollAnswer(ctx context.Context, a *tgbotapi.PollAnswer) {
	waited := time.Duration(0)
	for attempt := 0; ; attempt++ {
		res, err := b.svc.RecordAnswer(ctx, a.PollID, a.User.ID, telegramName(&a.User), a.OptionIDs)
		if err == nil && res.Contest == nil && a.User.ID != 0 && waited < unknownPollWait && b.contests.sending() {
			// A vote can come in before the poll's own answer from Telegram
			// has been recorded: wait for it rather than lose the vote.
			time.Sleep(50 * time.Millisecond)
			waited += 50 * time.Millisecond
			continue
		}
		if err == nil {
			return
		}
		if quiz.ErrorReason(err) == quiz.ReasonStorageFull {
			b.storageFull(err)
			return
		}
		if attempt == 2 || quiz.ErrorCode(err) != quiz.Internal {
			b.log.Error("recording a contest answer", "poll", a.PollID, "user", a.User.ID, "err", err)
			return
		}
		time.Sleep(100 * time.Millisecond << attempt)
	}
}
