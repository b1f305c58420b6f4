package bot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// The live contest (有奖知识问答) and bound groups, the bot's side.
//
// In a group the bot answers only the commands of groupRoutes: /bind and
// /unbind (a secretary or admin binds the group to a node they manage),
// /rank (the node's own figures: completion, mean score and place among
// its siblings, never a member's score); every other command there points
// to the private chat; the only buttons matched there are the call to
// join's (cj:, a Group route), and every other button pressed there is
// unknown. A contest is prepared in the host's private chat
// (/contest: which group, banks, how many questions, seconds per
// question, teams), which stays the host's console while it runs (start
// now, next, pause, continue, reveal, stop; after a restart: go on from
// the question it was on, or end with the results so far).
//
// In the group (contest_run.go): a call to join with a countdown, then
// each question as a native poll — a quiz poll for single choice and
// true/false, the stem first as a message when it does not fit a poll's
// 300 characters — then one message with the right answer, how many got
// it and the fastest three, and at the end the leaderboard once and each
// player's own result in private.
//
// Multiple choice is a regular poll with allows_multiple_answers, not an
// inline keyboard of toggles: an inline keyboard is one for the whole
// group, so it cannot show each member their own ticks (only a toast per
// tap could), every tap would be a callback, an answer and a store write
// for 30 people at once, and the submission would need one more press;
// a poll keeps the ticking on each phone and sends one poll_answer per
// member when they press Vote. Telegram's quiz polls take one right
// option only, so the poll is a regular one: it shows the counts, not
// the answer, which the message after it gives. A member can retract a
// vote in a regular poll and vote again; only the first answer counts.
//
// Nothing here sends a message per answer: answers are recorded as they
// come (poll_answer updates, in the order the bot received them) and the
// group sees the poll's own counter.

// updateKinds are the updates the bot asks Telegram for: poll_answer for
// the contests' votes and poll for their polls' state.
var updateKinds = []string{"message", "edited_message", "callback_query", "my_chat_member", "poll", "poll_answer"}

// modeContest is the dialog of a contest being prepared (Data: the setup
// as JSON).
const modeContest = "contest"

// ContestRoutes are the routes of contests in private chats and the
// presses on their buttons (in the group: joining).
func ContestRoutes() []Route {
	return []Route{
		{Command: "contest", Role: Manager, Args: true, Handle: contestCommand},
		{Command: "#dialog:" + modeContest, Role: Manager, Handle: contestText},
		{Callback: "cs", Role: Manager, Handle: pressSetup},
		{Callback: "cb", Role: Manager, Handle: pressBank},
		{Callback: "cc", Role: Manager, Handle: pressControl},
		{Callback: "cp", Role: Manager, Handle: pressPast},
		{Callback: "cj", Role: Anyone, Group: true, Handle: pressJoin},
	}
}

// groupRoutes are the commands the bot answers in a group.
func groupRoutes() []Route {
	return []Route{
		{Command: "bind", Role: Manager, Args: true, Handle: bindGroup},
		{Command: "unbind", Role: Manager, Handle: unbindGroup},
		{Command: "rank", Handle: groupRank},
	}
}

// groupCommand answers a command addressed to the bot in a group: one of
// groupRoutes, or a pointer to the private chat.
func (b *Bot) groupCommand(r *Request) error {
	for _, rt := range groupRoutes() {
		if rt.Command != r.Command {
			continue
		}
		if !r.allowed(rt.Role) {
			r.Reply(txtBindNotManager)
			return nil
		}
		return rt.Handle(r)
	}
	b.sendHTML(r.Chat, fmt.Sprintf(txtGroupGoPrivate, esc(b.Username())), nil)
	return nil
}

// --- groups ----------------------------------------------------------------

func bindGroup(r *Request) error {
	b := r.Bot
	title := ""
	if r.Msg != nil && r.Msg.Chat != nil {
		title = r.Msg.Chat.Title
	}
	g, err := b.svc.BindGroup(r.Ctx, r.Viewer, r.Chat, title, strings.TrimSpace(r.Args))
	if err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtBindDone, esc(b.svc.Tree().Name(g.Node))))
	return nil
}

func unbindGroup(r *Request) error {
	b := r.Bot
	g, err := b.svc.UnbindGroup(r.Ctx, r.Viewer, r.Chat)
	if err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtUnbindDone, esc(b.svc.Tree().Name(g.Node))))
	return nil
}

// groupRank shows a bound group its node's figures.
func groupRank(r *Request) error {
	b := r.Bot
	f, err := b.svc.GroupFigures(r.Ctx, r.Chat)
	if err != nil {
		return err
	}
	tree := b.svc.Tree()
	var s strings.Builder
	fmt.Fprintf(&s, txtGroupRankHeader, esc(tree.Name(f.Node)), f.Members)
	s.WriteString("\n" + fmt.Sprintf(txtGroupRankStudy, PeriodName(f.Month), f.Study.Stats.StudyDone, f.Study.StudyDue, ratePct(f.Study.StudyRate())))
	if f.TestOpen {
		t := f.Test
		s.WriteString("\n" + fmt.Sprintf(txtGroupRankTest, PeriodName(f.Quarter), t.Stats.TestTaken, t.TestDue,
			meanNum(t.TakenMean()), meanNum(t.DueMean()), ratePct(t.PassRate())))
	} else {
		start, _ := b.svc.Rules.TestWindowOf(b.svc.Cal, f.Quarter)
		s.WriteString("\n" + fmt.Sprintf(txtGroupRankTestWait, PeriodName(f.Quarter), b.day(start)))
	}
	if f.Standing != nil && f.Standing.Rank > 0 {
		s.WriteString("\n" + fmt.Sprintf(txtGroupRankHalf, PeriodName(f.Half), f.Of, f.Standing.Rank, score(f.Standing.Value)))
	}
	c := f.Year.Stars
	s.WriteString("\n" + fmt.Sprintf(txtGroupRankYear, score(f.Year.MeanPoints), fmt.Sprintf(txtStarDist, c[4], c[3], c[2], c[1], c[0])))
	r.Reply(s.String())
	return nil
}

// --- preparing -----------------------------------------------------------------

// contestCommand is /contest in the private chat: the console of a contest
// going on in one of the host's groups, or else a new contest's setup.
func contestCommand(r *Request) error {
	b := r.Bot
	groups, active, err := b.svc.HostGroups(r.Ctx, r.Viewer)
	if err != nil {
		return err
	}
	for _, c := range active {
		if c != nil {
			return b.showConsole(r, c)
		}
	}
	if len(groups) == 0 {
		r.Reply(txtContestNoGroup)
		return nil
	}
	setup := quiz.ContestSetup{Chat: groups[0].Chat, Source: quiz.FromMonth, Questions: 10, Seconds: 20}
	if err := b.saveSetup(r, setup); err != nil {
		return err
	}
	text, kb := b.setupCard(r, setup, groups)
	r.ReplyKB(text, kb)
	return nil
}

// contestText answers text typed while a contest is being prepared.
func contestText(r *Request) error {
	r.Reply(txtContestUseButtons)
	return nil
}

func (b *Bot) saveSetup(r *Request, s quiz.ContestSetup) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	d := &dialog{Mode: modeContest, Data: string(data)}
	r.Dialog = d
	return b.saveDialog(r.Ctx, r.Chat, d)
}

// loadSetup returns the setup in the dialog, or false when there is none.
func loadSetup(r *Request) (quiz.ContestSetup, bool) {
	var s quiz.ContestSetup
	if r.Dialog == nil || r.Dialog.Mode != modeContest || json.Unmarshal([]byte(r.Dialog.Data), &s) != nil {
		return s, false
	}
	return s, true
}

// checked marks the button of the chosen value.
func checked(label string, on bool) string {
	if on {
		return fmt.Sprintf(txtChecked, label)
	}
	return label
}

func dataButton(label, data string) tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardButtonData(label, data)
}

// setupCard renders a contest's setup with buttons to change it.
func (b *Bot) setupCard(r *Request, s quiz.ContestSetup, groups []quiz.GroupBind) (string, *tgbotapi.InlineKeyboardMarkup) {
	tree := b.svc.Tree()
	var g quiz.GroupBind
	for _, x := range groups {
		if x.Chat == s.Chat {
			g = x
		}
	}
	source := txtSrcMonth
	switch s.Source {
	case quiz.FromQuarter:
		source = txtSrcQuarter
	case quiz.FromBanks:
		var names []string
		for _, id := range s.Banks {
			if bk := b.svc.Content().Catalog.Bank(id); bk != nil {
				names = append(names, bk.Title)
			}
		}
		source = fmt.Sprintf(txtSrcBanks, esc(strings.Join(names, "、")))
	}
	text := fmt.Sprintf(txtContestSetup, esc(groupTitle(g)), esc(tree.Name(g.Node)), source, b.svc.ContestPoolSize(s),
		s.Questions, s.Seconds, b.teamsText(s), int(b.svc.Rules.Contest.Countdown.Seconds()))
	var rows [][]tgbotapi.InlineKeyboardButton
	if len(groups) > 1 {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(dataButton(txtBtnGroup, "cs:g")))
	}
	rows = append(rows, tgbotapi.NewInlineKeyboardRow(
		dataButton(checked(txtBtnMonth, s.Source == quiz.FromMonth), "cs:src:month"),
		dataButton(checked(txtBtnQuarter, s.Source == quiz.FromQuarter), "cs:src:quarter"),
		dataButton(checked(txtBtnBanks, s.Source == quiz.FromBanks), "cs:src:banks")))
	var row []tgbotapi.InlineKeyboardButton
	for _, n := range []int{5, 10, 15, 20} {
		row = append(row, dataButton(checked(fmt.Sprintf(txtBtnQuestions, n), s.Questions == n), "cs:n:"+strconv.Itoa(n)))
	}
	rows = append(rows, row)
	row = nil
	for _, sec := range []int{10, 20, 30, 60, 120} {
		row = append(row, dataButton(checked(fmt.Sprintf(txtBtnSeconds, sec), s.Seconds == sec), "cs:s:"+strconv.Itoa(sec)))
	}
	rows = append(rows, row)
	row = []tgbotapi.InlineKeyboardButton{dataButton(checked(txtTeamsNone, s.Teams == quiz.NoTeams), "cs:t:none")}
	if len(tree.Children(g.Node)) >= 2 {
		row = append(row, dataButton(checked(txtTeamsNode, s.Teams == quiz.TeamsByNode), "cs:t:node"))
	}
	row = append(row, dataButton(checked(txtTeams2, s.Teams == quiz.TeamsPicked && s.TeamCount == 2), "cs:t:2"),
		dataButton(checked(txtTeams3, s.Teams == quiz.TeamsPicked && s.TeamCount == 3), "cs:t:3"))
	rows = append(rows, row)
	rows = append(rows, tgbotapi.NewInlineKeyboardRow(dataButton(txtBtnGo, "cs:go"), dataButton(txtBtnPast, "cs:past")))
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return text, &kb
}

func groupTitle(g quiz.GroupBind) string {
	if g.Title != "" {
		return g.Title
	}
	return strconv.FormatInt(g.Chat, 10)
}

// teamsText words a setup's teams.
func (b *Bot) teamsText(s quiz.ContestSetup) string {
	switch {
	case s.Teams == quiz.TeamsByNode:
		return txtTeamsNode
	case s.Teams == quiz.TeamsPicked && s.TeamCount == 3:
		return txtTeams3
	case s.Teams == quiz.TeamsPicked:
		return txtTeams2
	}
	return txtTeamsNone
}

// pressSetup changes a setting of the contest being prepared, or starts it.
func pressSetup(r *Request) error {
	b := r.Bot
	s, ok := loadSetup(r)
	if !ok || len(r.Data) < 2 {
		r.Toast(txtButtonStale)
		return nil
	}
	groups, _, err := b.svc.HostGroups(r.Ctx, r.Viewer)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		r.Toast("")
		r.Reply(txtContestNoGroup)
		return nil
	}
	arg := ""
	if len(r.Data) > 2 {
		arg = r.Data[2]
	}
	switch r.Data[1] {
	case "g":
		i := slices.IndexFunc(groups, func(g quiz.GroupBind) bool { return g.Chat == s.Chat })
		s.Chat = groups[(i+1)%len(groups)].Chat
		if s.Teams == quiz.TeamsByNode {
			s.Teams = quiz.NoTeams
		}
	case "src":
		switch arg {
		case "month":
			s.Source, s.Banks = quiz.FromMonth, nil
		case "quarter":
			s.Source, s.Banks = quiz.FromQuarter, nil
		case "banks":
			if err := b.saveSetup(r, s); err != nil {
				return err
			}
			r.Toast("")
			return b.showBanks(r, s)
		}
	case "card":
		if s.Source == quiz.FromBanks && len(s.Banks) == 0 {
			s.Source = quiz.FromMonth
		}
	case "n":
		if n, err := strconv.Atoi(arg); err == nil && n >= 1 && n <= quiz.MaxContestQuestions {
			s.Questions = n
		}
	case "s":
		if n, err := strconv.Atoi(arg); err == nil && n >= quiz.MinContestSeconds && n <= quiz.MaxContestSeconds {
			s.Seconds = n
		}
	case "t":
		switch arg {
		case "node":
			s.Teams, s.TeamCount = quiz.TeamsByNode, 0
		case "2", "3":
			s.Teams, s.TeamCount = quiz.TeamsPicked, int(arg[0]-'0')
		default:
			s.Teams, s.TeamCount = quiz.NoTeams, 0
		}
	case "past":
		r.Toast("")
		return b.showPast(r, s.Chat)
	case "go":
		return b.createContest(r, s)
	default:
		r.Toast(txtButtonUnknown)
		return nil
	}
	if err := b.saveSetup(r, s); err != nil {
		return err
	}
	r.Toast("")
	text, kb := b.setupCard(r, s, groups)
	if r.Callback.Message != nil {
		b.editHTML(r.Chat, r.Callback.Message.MessageID, text, kb)
		return nil
	}
	r.ReplyKB(text, kb)
	return nil
}

// showBanks lists the banks to choose from, the chosen ones ticked.
func (b *Bot) showBanks(r *Request, s quiz.ContestSetup) error {
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, bk := range b.svc.Content().Catalog.Banks {
		if len(rows) == 60 {
			break
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(dataButton(
			checked(truncate(bk.Title, 30), slices.Contains(s.Banks, bk.ID)), "cb:"+bk.ID)))
	}
	rows = append(rows, tgbotapi.NewInlineKeyboardRow(dataButton(txtBtnDone, "cs:card")))
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	if r.Callback != nil && r.Callback.Message != nil {
		r.Bot.editHTML(r.Chat, r.Callback.Message.MessageID, txtContestPickBanks, &kb)
		return nil
	}
	r.ReplyKB(txtContestPickBanks, &kb)
	return nil
}

// pressBank ticks or unticks a bank of the contest being prepared.
func pressBank(r *Request) error {
	b := r.Bot
	s, ok := loadSetup(r)
	if !ok || len(r.Data) != 2 || b.svc.Content().Catalog.Bank(r.Data[1]) == nil {
		r.Toast(txtButtonStale)
		return nil
	}
	if i := slices.Index(s.Banks, r.Data[1]); i >= 0 {
		s.Banks = slices.Delete(s.Banks, i, i+1)
	} else {
		s.Banks = append(s.Banks, r.Data[1])
	}
	s.Source = quiz.FromBanks
	if err := b.saveSetup(r, s); err != nil {
		return err
	}
	r.Toast("")
	return b.showBanks(r, s)
}

// createContest opens the contest in its group and shows the console.
func (b *Bot) createContest(r *Request, s quiz.ContestSetup) error {
	c, err := b.svc.CreateContest(r.Ctx, r.Viewer, s)
	switch quiz.ErrorReason(err) {
	case quiz.ReasonNoQuestions:
		r.Toast("")
		r.Reply(txtContestNoPool)
		return nil
	}
	if err != nil {
		return err
	}
	r.Toast("")
	if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	b.contests.start(b, c.ID)
	r.Reply(txtContestStarted)
	return b.showConsole(r, c)
}

// --- the console ---------------------------------------------------------------

// showConsole sends the host the state of a contest with the buttons that
// control it.
func (b *Bot) showConsole(r *Request, c *quiz.Contest) error {
	text, kb := b.console(r, c)
	r.ReplyKB(text, kb)
	return nil
}

func (b *Bot) console(r *Request, c *quiz.Contest) (string, *tgbotapi.InlineKeyboardMarkup) {
	g, _ := b.svc.Bound(r.Ctx, c.Chat)
	title := strconv.FormatInt(c.Chat, 10)
	if g != nil {
		title = groupTitle(*g)
	}
	return b.consoleText(c, title)
}

// consoleText is the host's console of a contest.
func (b *Bot) consoleText(c *quiz.Contest, title string) (string, *tgbotapi.InlineKeyboardMarkup) {
	id := id36(c.ID)
	btn := func(label, action string) tgbotapi.InlineKeyboardButton {
		return dataButton(label, "cc:"+id+":"+action)
	}
	n := len(c.Items)
	var status string
	var rows [][]tgbotapi.InlineKeyboardButton
	pause := btn(txtBtnPause, "pause")
	if c.Paused {
		pause = btn(txtBtnContinue, "cont")
	}
	switch {
	case c.Phase == quiz.PhaseFinished:
		status = txtConsoleDone
	case c.Interrupted:
		status = fmt.Sprintf(txtConsoleInterrupted, c.Current+1, n)
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(fmt.Sprintf(txtBtnResume, c.Current+1), "resume")),
			tgbotapi.NewInlineKeyboardRow(btn(txtBtnEndNow, "stop")))
	case c.Phase == quiz.PhaseLobby:
		status = fmt.Sprintf(txtConsoleLobby, b.dateTime(c.StartAt))
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(txtBtnStartNow, "start"), btn(txtBtnStop, "stop")))
	default:
		// While questions go out, every control is there: the run moves
		// from asking to revealed by itself, faster than a host reads.
		status = fmt.Sprintf(txtConsoleAsking, c.Current+1, n)
		if c.Phase == quiz.PhaseRevealed {
			status = fmt.Sprintf(txtConsoleRevealed, c.Current+1, n)
		}
		if c.Paused {
			status += txtConsolePaused
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(txtBtnReveal, "reveal"), btn(txtBtnNext, "next")),
			tgbotapi.NewInlineKeyboardRow(pause, btn(txtBtnStop, "stop")))
	}
	text := fmt.Sprintf(txtConsole, esc(title), status)
	if len(rows) == 0 {
		return text, nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return text, &kb
}

// pressControl is a button of the console: cc:<contest>:<action>.
func pressControl(r *Request) error {
	b := r.Bot
	id, ok := r.pressedID(3)
	if !ok {
		return nil
	}
	c, err := b.svc.HostContest(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	if c.Phase == quiz.PhaseFinished {
		r.Toast(txtConsoleDone)
		return nil
	}
	ctx := r.Ctx
	switch r.Data[2] {
	case "start":
		if c, err = b.svc.StartNow(ctx, id); err == nil {
			c.Phase = quiz.PhaseAsking // what the console shows: the first question is on its way
		}
	case "pause":
		c, err = b.svc.SetPaused(ctx, id, true)
	case "cont":
		c, err = b.svc.SetPaused(ctx, id, false)
	case "resume":
		c, err = b.svc.Resume(ctx, id)
		b.contests.start(b, id)
	case "reveal":
		b.contests.request(id, wantReveal)
	case "next":
		b.contests.request(id, wantNext)
	case "stop":
		r.Toast("")
		if _, err := b.finishContest(ctx, id); err != nil {
			return err
		}
		c, err = b.svc.Contest(ctx, id)
		if err != nil {
			return err
		}
		return b.showConsole(r, c)
	default:
		r.Toast(txtButtonUnknown)
		return nil
	}
	if err != nil {
		return err
	}
	b.contests.poke(id)
	r.Toast(txtConsoleOK)
	text, kb := b.console(r, c)
	if r.Callback.Message != nil && kb != nil {
		b.editHTML(r.Chat, r.Callback.Message.MessageID, text, kb)
		return nil
	}
	r.ReplyKB(text, kb)
	return nil
}

// --- joining -----------------------------------------------------------------------

// pressJoin is 我要参加 (or a team's button) under the call to join:
// cj:<contest>:<team>. It counts only in the contest's own group (the
// router matches it in groups only) and, once the call to join is
// recorded, only on that message: a contest of another group is an
// unknown button there, a finished contest's says so, and any other
// message of the group is a stale button.
func pressJoin(r *Request) error {
	b := r.Bot
	if len(r.Data) != 3 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	id, ok := parseID36(r.Data[1])
	team, err := strconv.Atoi(r.Data[2])
	if !ok || err != nil {
		r.Toast(txtButtonUnknown)
		return nil
	}
	c, err := b.svc.Contest(r.Ctx, id)
	if quiz.ErrorReason(err) == quiz.ReasonNoContest {
		r.Toast(txtButtonUnknown)
		return nil
	}
	if err != nil {
		return err
	}
	msg := r.Callback.Message
	if msg == nil || msg.Chat == nil || msg.Chat.ID != c.Chat {
		r.Toast(txtButtonUnknown)
		return nil
	}
	if c.Phase == quiz.PhaseFinished {
		r.Toast(txtJoinLate)
		return nil
	}
	if c.Lobby != 0 && msg.MessageID != c.Lobby {
		r.Toast(txtButtonStale)
		return nil
	}
	p, _, err := b.svc.JoinContest(r.Ctx, id, r.From, telegramName(r.Callback.From), team)
	if quiz.ErrorReason(err) == quiz.ReasonNoContest {
		r.Toast(txtJoinLate)
		return nil
	}
	if err != nil {
		return err
	}
	if p.Team > 0 {
		r.Toast(fmt.Sprintf(txtJoinedTeam, b.teamName(c, p.Team)))
		return nil
	}
	r.Toast(txtJoinedContest)
	return nil
}

// telegramName is a user's name as Telegram shows it.
func telegramName(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// teamName words team t of a contest: a child node's name or a colour.
func (b *Bot) teamName(c *quiz.Contest, t int) string {
	if c.Setup.Teams == quiz.TeamsByNode {
		kids := b.svc.Tree().Children(c.Node)
		if t >= 1 && t <= len(kids) {
			return b.svc.Tree().Name(kids[t-1])
		}
	}
	if t >= 1 && t <= len(txtTeamColours) {
		return txtTeamColours[t-1]
	}
	return ""
}

// --- past contests -----------------------------------------------------------------

// showPast lists a group's past contests, to send one's results again.
func (b *Bot) showPast(r *Request, chat int64) error {
	past, err := b.svc.PastContests(r.Ctx, r.Viewer, chat, 10)
	if err != nil {
		return err
	}
	if len(past) == 0 {
		r.Reply(txtPastNone)
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, c := range past {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(dataButton(
			fmt.Sprintf(txtPastButton, b.dateTime(c.Finished), len(c.Asked)), "cp:"+id36(c.ID))))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.ReplyKB(txtPastPick, &kb)
	return nil
}

// pressPast sends a past contest's leaderboard to its group again.
func pressPast(r *Request) error {
	b := r.Bot
	id, ok := r.pressedID(2)
	if !ok {
		return nil
	}
	res, err := b.svc.ContestResults(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	if res.Contest.Phase != quiz.PhaseFinished {
		r.Toast(txtButtonStale)
		return nil
	}
	r.Toast("")
	b.sendHTML(res.Contest.Chat, txtBoardAgain+"\n"+b.boardText(res), nil)
	r.Reply(txtResent)
	return nil
}
