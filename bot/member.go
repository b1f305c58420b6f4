package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// memberRoutes are the routes every member uses.
func memberRoutes() []Route {
	return []Route{
		{Command: "start", Args: true, Handle: start},
		{Command: "help", Handle: help},
		{Command: "cancel", Handle: cancel},
		{Command: "study", Role: Member, Handle: study},
		{Command: "test", Role: Member, Handle: test},
		{Command: "me", Role: Member, Handle: me},
		{Command: "mistakes", Role: Member, Handle: mistakes},
		{Command: "review", Role: Member, Handle: review},
		{Command: "rank", Role: Member, Args: true, Handle: nodeCommand(showRank)},
		{Command: "year", Role: Member, Args: true, Handle: nodeCommand(showYear)},
		{Command: "invite", Role: Manager, Args: true, Handle: invite},
		{Callback: "a", Role: Member, Handle: pressAnswer},
		{Callback: "m", Role: Member, Handle: pressToggle},
		{Callback: "s", Role: Member, Handle: pressSubmit},
		{Callback: "ts", Role: Member, Handle: pressStartTest},
		{Callback: "rv", Role: Member, Handle: pressReview},
		{Callback: "mk", Role: Member, Handle: pressMakeup},
		{Callback: "mt", Role: Member, Handle: pressMakeupTest},
		{Callback: "rk", Role: Manager, Handle: nodeButton(showRank)},
		{Callback: "yr", Role: Manager, Handle: nodeButton(showYear)},
		{Callback: "iv", Role: Manager, Handle: pressInvite},
	}
}

// payloadPattern is what Telegram allows in a deep link's payload.
var payloadPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// start: /start with an invite code joins (asking for the real name
// first); without one it welcomes.
func start(r *Request) error {
	code := r.Args
	if r.Viewer.Admin {
		r.Bot.setMenu(r.Ctx, r.Chat, Admin)
	} else if r.Viewer.User.IsSecretary() {
		r.Bot.setMenu(r.Ctx, r.Chat, Manager)
	}
	if code == "" {
		if r.Viewer.User == nil && !r.Viewer.Admin {
			r.Reply(txtWelcomeStranger)
			return nil
		}
		name := ""
		if r.Viewer.User != nil {
			name = r.Viewer.User.Name
		}
		r.Reply(fmt.Sprintf(txtWelcomeBack, esc(name)) + "\n\n" + helpText(r.Viewer))
		return nil
	}
	if !payloadPattern.MatchString(code) {
		r.Reply(txtInviteBadCode)
		return nil
	}
	inv, named, err := r.Bot.svc.PeekInvite(r.Ctx, r.From, code)
	if err != nil {
		return err
	}
	tree := r.Bot.svc.Tree()
	if inv.Role == quiz.RoleMember && r.Viewer.User != nil && r.Viewer.User.Branch == inv.Node {
		r.Reply(fmt.Sprintf(txtAlreadyJoined, esc(tree.Path(inv.Node))))
		return nil
	}
	if named {
		return join(r, code, "")
	}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, &dialog{Mode: modeName, Code: code}); err != nil {
		return err
	}
	if inv.Role == quiz.RoleSecretary {
		r.Reply(fmt.Sprintf(txtAskSecName, esc(tree.Path(inv.Node))))
	} else {
		r.Reply(fmt.Sprintf(txtAskName, esc(tree.Path(inv.Node))))
	}
	return nil
}

// join uses an invite and says where the user now belongs.
func join(r *Request, code, name string) error {
	u, inv, err := r.Bot.svc.Join(r.Ctx, r.From, code, name)
	if err != nil {
		return err
	}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	path := esc(r.Bot.svc.Tree().Path(inv.Node))
	if inv.Role == quiz.RoleSecretary && !r.Viewer.Admin {
		r.Bot.setMenu(r.Ctx, r.Chat, Manager)
	}
	if inv.Role == quiz.RoleSecretary {
		r.Reply(fmt.Sprintf(txtJoinedSec, esc(u.Name), path))
	} else {
		r.Reply(fmt.Sprintf(txtJoined, esc(u.Name), path))
	}
	return nil
}

// text handles a plain text message: the real name asked for, a typed
// fill-in answer, or a hint.
func (b *Bot) text(r *Request) error {
	d := r.Dialog
	switch {
	case d != nil && d.Mode == modeName:
		err := join(r, d.Code, r.Msg.Text)
		if quiz.ErrorReason(err) == quiz.ReasonBadName {
			r.Reply(txtBadName)
			return nil
		}
		if err != nil && quiz.ErrorCode(err) == quiz.Invalid {
			_ = b.saveDialog(r.Ctx, r.Chat, nil) // the invite is gone: stop asking
		}
		return err
	case d != nil && d.Mode == modeAttempt:
		a, err := b.svc.Attempt(r.Ctx, r.From, d.Attempt)
		if err != nil || a.Closed {
			_ = b.saveDialog(r.Ctx, r.Chat, nil)
			r.Reply(txtPlainText)
			return nil
		}
		idx := a.Current()
		if idx < len(a.Items) && a.Items[idx].Type == questions.Fill {
			return b.answer(r, a.ID, idx, nil, r.Msg.Text, 0)
		}
		r.Reply(txtPlainText)
		return nil
	case d != nil:
		if h := b.dialogHandler(d.Mode); h != nil {
			return h(r)
		}
	}
	if r.Viewer.User == nil && !r.Viewer.Admin {
		r.Reply(txtNotInvited)
		return nil
	}
	r.Reply(txtPlainText)
	return nil
}

// dialogHandler returns the handler of text in a dialog mode installed by
// the secretary and admin flows ("#dialog:<mode>" routes).
func (b *Bot) dialogHandler(mode string) Handler {
	for _, rt := range b.routes {
		if rt.Command == "#dialog:"+mode {
			return rt.Handle
		}
	}
	return nil
}

func helpText(v quiz.Viewer) string {
	s := txtHelpMember
	if v.Admin || v.User.IsSecretary() {
		s += txtHelpSecretary
	}
	if v.Admin {
		s += txtHelpAdmin
	}
	return s
}

func help(r *Request) error {
	if r.Viewer.User == nil && !r.Viewer.Admin {
		r.Reply(txtWelcomeStranger)
		return nil
	}
	r.Reply(helpText(r.Viewer))
	return nil
}

func cancel(r *Request) error {
	d := r.Dialog
	if d == nil {
		r.Reply(txtNothingToCancel)
		return nil
	}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	if d.Mode == modeAttempt {
		a, err := r.Bot.svc.Attempt(r.Ctx, r.From, d.Attempt)
		if err == nil && a.Kind == quiz.Test && !a.Closed {
			r.Reply(txtCancelledTest)
			return nil
		}
		if err == nil && a.Kind == quiz.Practice {
			if err := r.Bot.svc.ClosePractice(r.Ctx, r.From, a.ID); err != nil {
				return err
			}
		}
	}
	r.Reply(txtCancelled)
	return nil
}

// --- study --------------------------------------------------------------

func study(r *Request) error {
	sess, err := r.Bot.svc.StartStudy(r.Ctx, r.From)
	if err != nil && quiz.ErrorReason(err) != quiz.ReasonNoQuestions {
		return err
	}
	if err == nil {
		if err := r.Bot.showStudy(r, sess); err != nil {
			return err
		}
	} else {
		r.Reply(txtNoQuestions)
	}
	return r.Bot.offerMakeups(r, quiz.Study)
}

// showStudy sends the lesson and the current question of a study.
func (b *Bot) showStudy(r *Request, sess *quiz.StudySession) error {
	a := sess.Attempt
	if sess.Done {
		when := ""
		if a != nil {
			when = b.dateTime(a.ClosedAt)
		}
		r.Reply(fmt.Sprintf(txtStudyDone, when))
		return nil
	}
	if a.Answered() == 0 {
		head := fmt.Sprintf(txtNoLesson, sess.Period)
		if a.Makeup {
			head = fmt.Sprintf(txtMakeupHeader, sess.Period)
		}
		if l := sess.Lesson; l != nil {
			head = fmt.Sprintf(txtLesson, sess.Period, esc(l.Title), esc(strings.TrimSpace(l.Lesson)))
		}
		r.Reply(head)
		r.Reply(fmt.Sprintf(txtStudyIntro, len(a.Items)))
	} else {
		r.Reply(fmt.Sprintf(txtStudyResume, a.Answered(), len(a.Items)))
	}
	return b.ask(r, a)
}

// ask remembers the attempt as the chat's dialog and sends its current
// question.
func (b *Bot) ask(r *Request, a *quiz.Attempt) error {
	if err := b.saveDialog(r.Ctx, r.Chat, &dialog{Mode: modeAttempt, Attempt: a.ID}); err != nil {
		return err
	}
	idx := a.Current()
	if idx >= len(a.Items) {
		return nil
	}
	b.sendHTML(r.Chat, b.questionText(a, idx, b.svc.Now()), questionKeyboard(a, idx, 0))
	return nil
}

// offerMakeups shows buttons for months (kind Study) or quarters' tests
// (kind Test) reopened by a make-up.
func (b *Bot) offerMakeups(r *Request, kind quiz.Kind) error {
	grants, err := b.svc.ActiveGrants(r.Ctx, r.From)
	if err != nil {
		return err
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	until := ""
	for _, g := range grants {
		if g.Kind != kind {
			continue
		}
		p, err := b.svc.Cal.Parse(g.Period)
		if err != nil {
			continue
		}
		until = b.dateTime(g.Until)
		label, data := fmt.Sprintf(txtMakeupButton, p), "mk:"+g.Period
		if kind == quiz.Test {
			label, data = fmt.Sprintf(txtMakeupTestButton, p), "mt:"+g.Period
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(label, data)))
	}
	if len(rows) > 0 {
		offer := txtMakeupOffer
		if kind == quiz.Test {
			offer = txtMakeupOfferTest
		}
		kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
		r.ReplyKB(fmt.Sprintf(offer, until), &kb)
	}
	return nil
}

func pressMakeup(r *Request) error {
	if len(r.Data) != 2 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	sess, err := r.Bot.svc.StartMakeupStudy(r.Ctx, r.From, r.Data[1])
	if err != nil {
		return err
	}
	r.Toast("")
	return r.Bot.showStudy(r, sess)
}

func pressMakeupTest(r *Request) error {
	if len(r.Data) != 2 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	a, err := r.Bot.svc.StartMakeupTest(r.Ctx, r.From, r.Data[1])
	if err != nil {
		return err
	}
	r.Toast("")
	if a.Answered() > 0 {
		r.Reply(fmt.Sprintf(txtTestResume, a.Answered(), len(a.Items)))
	}
	return r.Bot.ask(r, a)
}

// --- answering ------------------------------------------------------------

func pressAnswer(r *Request) error {
	att, idx, opt, ok := parseAnswerData(r.Data)
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	return r.Bot.answer(r, att, idx, []int{opt}, "", r.Callback.Message.MessageID)
}

func pressToggle(r *Request) error {
	att, idx, mask, ok := parseAnswerData(r.Data)
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	a, err := r.Bot.svc.Attempt(r.Ctx, r.From, att)
	if err != nil {
		return err
	}
	if a.Closed || idx != a.Current() || a.Items[idx].Type != questions.Multiple || mask >= 1<<len(a.Items[idx].Options) {
		r.Toast(txtButtonStale)
		return nil
	}
	r.Toast("")
	kb := questionKeyboard(a, idx, mask)
	e := tgbotapi.NewEditMessageReplyMarkup(r.Chat, r.Callback.Message.MessageID, *kb)
	r.Bot.send.Enqueue(r.Chat, e, nil)
	return nil
}

func pressSubmit(r *Request) error {
	att, idx, mask, ok := parseAnswerData(r.Data)
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	if mask == 0 {
		r.Toast(txtPickFirst)
		return nil
	}
	var choice []int
	for i := 0; i < questions.MaxOptions; i++ {
		if mask&(1<<i) != 0 {
			choice = append(choice, i)
		}
	}
	return r.Bot.answer(r, att, idx, choice, "", r.Callback.Message.MessageID)
}

// answer records an answer and shows what follows: feedback (study and
// practice) or an acknowledgement (tests), then the next question or the
// result. msgID is the question's message when the answer came from a
// button (it is edited); typed answers get a new message.
func (b *Bot) answer(r *Request, att uint64, idx int, choice []int, text string, msgID int) error {
	key := ""
	if r.Msg != nil {
		key = fmt.Sprintf("m%d", r.Msg.MessageID) // a typed answer: its message, in case it comes again
	}
	res, err := b.svc.Answer(r.Ctx, r.From, att, idx, choice, text, key)
	if err != nil {
		switch quiz.ErrorReason(err) {
		case quiz.ReasonAnswered, quiz.ReasonNotCurrent, quiz.ReasonClosed, quiz.ReasonNotYours, quiz.ReasonBadChoice:
			if r.Callback != nil {
				r.Toast(stripTags(reasonText[quiz.ErrorReason(err)]))
				return nil
			}
		}
		return err
	}
	r.Toast("")
	a := res.Attempt
	if res.Expired {
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		if a.Kind == quiz.Test {
			r.Reply(b.timeUpText(a))
		} else {
			r.Reply(txtStudyClosed)
		}
		return nil
	}
	b.metrics.answered()

	if a.Kind == quiz.Test && msgID != 0 && !res.Closed {
		// A test shows no feedback: the question's message becomes the
		// next question, one call instead of two for every answer.
		next := a.Current()
		b.editHTML(r.Chat, msgID, b.questionText(a, next, b.svc.Now()), questionKeyboard(a, next, 0))
		return nil
	}
	var shown string
	if a.Kind == quiz.Test {
		shown = b.answeredTestText(a, idx, res.Response)
	} else {
		shown = b.feedbackText(a, idx, res.Response)
		if res.Left {
			shown += "\n" + txtMistakeLeft
		}
	}
	// Study and practice feedback carries 答题纠错, to report a wrong question.
	var flag *tgbotapi.InlineKeyboardMarkup
	if a.Kind != quiz.Test {
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(txtFlagButton, fmt.Sprintf("fl:%s:%d", id36(a.ID), idx))))
		flag = &kb
	}
	if msgID != 0 {
		b.editHTML(r.Chat, msgID, shown, flag)
	} else {
		r.ReplyKB(shown, flag)
	}
	if !res.Closed {
		next := a.Current()
		b.sendHTML(r.Chat, b.questionText(a, next, b.svc.Now()), questionKeyboard(a, next, 0))
		return nil
	}
	_ = b.saveDialog(r.Ctx, r.Chat, nil)
	earned := earnedText(res.Earned)
	switch a.Kind {
	case quiz.Study:
		s := fmt.Sprintf(txtStudyFinished, a.Right, len(a.Items))
		if earned != "" {
			s += "\n" + earned
		}
		r.Reply(s)
	case quiz.Test:
		s := fmt.Sprintf(txtTestFinished, a.Score, b.passText(a.Score), b.svc.Rules.PassMark, a.Right, len(a.Items))
		if earned != "" {
			s += "\n" + earned
		}
		s += "\n" + fmt.Sprintf(txtTestAfter, b.lastDay(a.Until))
		r.Reply(s)
	case quiz.Practice:
		r.Reply(fmt.Sprintf(txtPracticeDone, a.Right, len(a.Items)))
	}
	return nil
}

// --- tests ----------------------------------------------------------------

func test(r *Request) error {
	b := r.Bot
	info, err := b.svc.TestStatus(r.Ctx, r.From)
	if err != nil {
		return err
	}
	for _, a := range info.Attempts {
		if !a.Closed {
			if a.Expired(b.svc.Now()) {
				r.Reply(txtTestExpiredWait)
				return nil
			}
			r.Reply(fmt.Sprintf(txtTestResume, a.Answered(), len(a.Items)))
			return b.ask(r, a)
		}
	}
	q := info.Quarter
	if !info.Open {
		r.Reply(fmt.Sprintf(txtTestNotOpen, q, b.day(info.WindowStart), b.lastDay(info.WindowEnd)))
		return b.offerMakeups(r, quiz.Test)
	}
	rules := b.svc.Rules
	if info.Left <= 0 {
		r.Reply(fmt.Sprintf(txtTestNoTries, info.Counted.TestScore, b.passText(info.Counted.TestScore), b.lastDay(info.WindowEnd)))
		return nil
	}
	tries := txtTestOneTry
	if rules.TestAttempts > 1 {
		policy := txtPolicyBest
		if rules.TestPolicy == quiz.Last {
			policy = txtPolicyLast
		}
		tries = fmt.Sprintf(txtTestTries, rules.TestAttempts, info.Left, policy)
	}
	intro := fmt.Sprintf(txtTestIntro, q, rules.TestQuestions, int(rules.TestDuration.Minutes()), rules.PassMark, tries, b.lastDay(info.WindowEnd))
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtTestStart, "ts:"+q.Key())))
	r.ReplyKB(intro, &kb)
	return nil
}

func pressStartTest(r *Request) error {
	b := r.Bot
	if len(r.Data) != 2 || r.Data[1] != b.svc.Cal.Quarter(b.svc.Now()).Key() {
		r.Toast(txtButtonStale)
		return nil
	}
	a, err := b.svc.StartTest(r.Ctx, r.From)
	if err != nil {
		return err
	}
	r.Toast("")
	if r.Callback.Message != nil {
		e := tgbotapi.NewEditMessageReplyMarkup(r.Chat, r.Callback.Message.MessageID, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
		b.send.Enqueue(r.Chat, e, nil)
	}
	if a.Answered() > 0 {
		r.Reply(fmt.Sprintf(txtTestResume, a.Answered(), len(a.Items)))
	}
	return b.ask(r, a)
}

// --- mistake book ---------------------------------------------------------

func mistakes(r *Request) error {
	b := r.Bot
	a, err := b.svc.StartPractice(r.Ctx, r.From)
	if quiz.ErrorReason(err) == quiz.ReasonNoMistakes {
		r.Reply(txtMistakesEmpty)
		return nil
	}
	if err != nil {
		return err
	}
	rec, err := b.svc.Me(r.Ctx, r.From)
	if err != nil {
		return err
	}
	r.Reply(txtMistakesHeader + "\n" + fmt.Sprintf(txtMistakesIntro, rec.Mistakes, rec.Due, len(a.Items)))
	return b.ask(r, a)
}

// --- review ---------------------------------------------------------------

func review(r *Request) error {
	b := r.Bot
	ready, waiting, err := b.svc.Reviews(r.Ctx, r.From)
	if err != nil {
		return err
	}
	if len(ready) == 0 {
		s := txtReviewNone
		if waiting > 0 {
			s += "\n" + fmt.Sprintf(txtReviewWaiting, waiting)
		}
		r.Reply(s)
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, a := range ready {
		if i == 12 {
			break
		}
		p, _ := b.svc.Cal.Parse(a.Period)
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			fmt.Sprintf(txtReviewButton, p, a.Score), "rv:"+id36(a.ID))))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	s := txtReviewPick
	if waiting > 0 {
		s += "\n" + fmt.Sprintf(txtReviewWaiting, waiting)
	}
	r.ReplyKB(s, &kb)
	return nil
}

func pressReview(r *Request) error {
	b := r.Bot
	if len(r.Data) != 2 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	id, ok := parseID36(r.Data[1])
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	a, err := b.svc.Review(r.Ctx, r.From, id)
	if err != nil {
		return err
	}
	r.Toast("")
	r.Reply(b.reviewText(a))
	return nil
}

// reviewText is a closed test with the member's answers, the right ones and
// the explanations; long ones are split into several messages.
func (b *Bot) reviewText(a *quiz.Attempt) string {
	p, _ := b.svc.Cal.Parse(a.Period)
	var s strings.Builder
	s.WriteString(fmt.Sprintf(txtReviewHeader, p, a.N, a.Score, a.Right, len(a.Items)))
	for i := range a.Items {
		it := &a.Items[i]
		resp := a.Responses[i]
		mark := "❌"
		if resp.Right {
			mark = "✅"
		}
		text := esc(it.Text)
		if it.Type == questions.Single || it.Type == questions.Multiple {
			var opts []string
			for j, o := range it.Options {
				opts = append(opts, questions.Letter(j)+". "+esc(o))
			}
			text += " " + strings.Join(opts, ";")
		}
		s.WriteString("\n\n")
		if it.Explanation == "" {
			s.WriteString(fmt.Sprintf(txtReviewItemBare, i+1, it.Type, text, responseText(it, resp), mark, rightText(it)))
			continue
		}
		s.WriteString(fmt.Sprintf(txtReviewItem, i+1, it.Type, text, responseText(it, resp), mark,
			esc(it.AnswerText()), esc(it.Explanation)))
	}
	return s.String()
}

// --- record ---------------------------------------------------------------

func me(r *Request) error {
	b := r.Bot
	rec, err := b.svc.Me(r.Ctx, r.From)
	if err != nil {
		return err
	}
	r.Reply(b.meText(rec))
	return nil
}

func (b *Bot) meText(rec *quiz.MemberRecord) string {
	var s strings.Builder
	tree := b.svc.Tree()
	fmt.Fprintf(&s, txtMeHeader, esc(rec.User.Name), esc(tree.Path(rec.User.Branch)), rec.Year.Year)
	now := b.svc.Now()
	for _, m := range rec.Months {
		st := txtMeMissed
		switch {
		case m.Done && m.Makeup:
			st = txtMeMakeup
		case m.Done:
			st = txtMeDone
		case m.Total > 0 && m.Period.Contains(now):
			st = fmt.Sprintf(txtMeOngoing, m.Answered, m.Total)
		case m.Period.Contains(now):
			st = txtMeNotYet
		}
		s.WriteString("\n" + fmt.Sprintf(txtMeMonth, m.Period.N, st))
	}
	s.WriteString("\n" + txtMeTests)
	for _, t := range rec.Tests {
		st := txtMeTestNone
		switch {
		case t.Open:
			st = txtMeTestOpen
		case t.Tested:
			st = fmt.Sprintf(txtMeScore, t.Score, b.passText(t.Score))
		}
		s.WriteString("\n" + fmt.Sprintf(txtMeTest, t.Quarter, st))
	}
	half := rec.Half.String()
	fmt.Fprintf(&s, "\n"+txtMePoints, rec.Year.Year, rec.Points, half, rec.HalfPoints, starsText(rec.Stars), rec.Stars, rec.Rank, rec.Of, half)
	if len(rec.Entries) > 0 {
		s.WriteString("\n" + txtMeLedger)
		const show = 15
		from := 0
		if len(rec.Entries) > show {
			from = len(rec.Entries) - show
			s.WriteString("\n" + fmt.Sprintf(txtMeMoreEntries, from))
		}
		for _, e := range rec.Entries[from:] {
			sign := "+"
			if e.Amount < 0 {
				sign = ""
			}
			at := b.day(unixTime(e.At))
			s.WriteString("\n" + fmt.Sprintf(txtMeEntry, at, sign+e.Amount.String(), esc(e.Reason)))
		}
	}
	if rec.Mistakes > 0 {
		s.WriteString("\n" + fmt.Sprintf(txtMeMistakes, rec.Mistakes, rec.Due))
	}
	return s.String()
}

// --- standings --------------------------------------------------------------

// nodeCommand handles a command whose argument names a node.
func nodeCommand(show func(*Request, string) error) Handler {
	return func(r *Request) error { return show(r, strings.TrimSpace(r.Args)) }
}

// nodeButton handles a "prefix:<node>" button.
func nodeButton(show func(*Request, string) error) Handler {
	return func(r *Request) error {
		if len(r.Data) != 2 {
			r.Toast(txtButtonUnknown)
			return nil
		}
		r.Toast("")
		return show(r, r.Data[1])
	}
}

func showRank(r *Request, node string) error {
	b := r.Bot
	st, err := b.svc.Standings(r.Ctx, r.Viewer, node)
	if err != nil {
		return err
	}
	text, kb := b.rankText(st)
	r.ReplyKB(text, kb)
	return nil
}

func (b *Bot) rankText(st *quiz.Standings) (string, *tgbotapi.InlineKeyboardMarkup) {
	tree := b.svc.Tree()
	rules := b.svc.Rules
	var s strings.Builder
	fmt.Fprintf(&s, txtRankHeader, st.Half)
	if st.Branch != "" && st.BranchFigures != nil {
		f := st.BranchFigures
		s.WriteString("\n" + fmt.Sprintf(txtRankBranch, esc(tree.Name(st.Branch)), st.BranchOf, st.BranchRank, percent(f.StudyRate), score(f.MeanScore)))
	}
	if len(st.Rows) > 0 {
		sw, tw := weights(rules.Rank)
		s.WriteString("\n" + fmt.Sprintf(txtRankRows, esc(tree.Name(st.Node)), sw, tw))
		for _, row := range st.Rows {
			s.WriteString("\n" + b.rankRow(row))
		}
	}
	if len(st.Leaves) > len(st.Rows) {
		const edge = 10
		if len(st.Leaves) > 2*edge {
			s.WriteString("\n" + fmt.Sprintf(txtRankLeaves, edge, edge))
			for _, row := range st.Leaves[:edge] {
				s.WriteString("\n" + b.rankRow(row))
			}
			s.WriteString("\n" + txtRankEllipsis)
			for _, row := range st.Leaves[len(st.Leaves)-edge:] {
				s.WriteString("\n" + b.rankRow(row))
			}
		} else {
			s.WriteString("\n" + txtRankLeavesAll)
			for _, row := range st.Leaves {
				s.WriteString("\n" + b.rankRow(row))
			}
		}
	}
	if len(st.Members) > 0 {
		s.WriteString("\n" + txtRankMembers)
		for _, m := range st.Members {
			s.WriteString("\n" + fmt.Sprintf(txtRankMember, m.Rank, esc(m.User.Name), m.Points))
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, row := range st.Rows {
		if len(rows) == 20 {
			break
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(tree.Name(row.Node), 30), "rk:"+row.Node)))
	}
	if len(rows) == 0 {
		return s.String(), nil
	}
	s.WriteString("\n\n" + txtRankPickNode)
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return s.String(), &kb
}

func (b *Bot) rankRow(row quiz.Standing) string {
	tree := b.svc.Tree()
	small, change := "", ""
	if row.Small {
		small = fmt.Sprintf(txtRankSmall, b.svc.Rules.Rank.MinSize)
	}
	if !isNaN(row.Change) {
		change = fmt.Sprintf(txtRankChange, signed(row.Change))
	}
	return fmt.Sprintf(txtRankRow, row.Rank, esc(tree.Name(row.Node)), score(row.Value), percent(row.StudyRate), score(row.MeanScore), change, small)
}

func weights(c quiz.RankConfig) (string, string) {
	total := c.StudyWeight + c.TestWeight
	return fmt.Sprintf("%.0f%%", 100*c.StudyWeight/total), fmt.Sprintf("%.0f%%", 100*c.TestWeight/total)
}

func signed(f float64) string {
	if f >= 0 {
		return "+" + score(f)
	}
	return score(f)
}

// --- year -----------------------------------------------------------------

func showYear(r *Request, node string) error {
	b := r.Bot
	y, err := b.svc.Year(r.Ctx, r.Viewer, node)
	if err != nil {
		return err
	}
	text, kb := b.yearText(y)
	r.ReplyKB(text, kb)
	return nil
}

func (b *Bot) yearText(y *quiz.YearReport) (string, *tgbotapi.InlineKeyboardMarkup) {
	tree := b.svc.Tree()
	var s strings.Builder
	if b.svc.Now().Before(y.Year.End) {
		fmt.Fprintf(&s, txtYearHeader, y.Year)
	} else {
		fmt.Fprintf(&s, txtYearHeaderFinal, y.Year)
	}
	if y.Own != nil {
		s.WriteString("\n" + fmt.Sprintf(txtYearOwn, y.Own.Points, starsText(y.Own.Stars), y.Own.Stars))
		if y.Own.Rank > 0 {
			s.WriteString(fmt.Sprintf(txtYearOwnRank, y.Own.Rank))
		}
	}
	var rules []string
	for i, t := range b.svc.Rules.Stars {
		rules = append(rules, fmt.Sprintf(txtYearStarRule, i+2, t))
	}
	s.WriteString("\n" + fmt.Sprintf(txtYearStars, strings.Join(rules, ",")))
	dist := func(c [5]int64) string { return fmt.Sprintf(txtStarDist, c[4], c[3], c[2], c[1], c[0]) }
	name := y.Total.Node
	s.WriteString("\n" + fmt.Sprintf(txtYearNode, esc(tree.Name(name)), y.Total.Members, score(y.Total.MeanPoints), dist(y.Total.Stars)))
	if len(y.Members) > 0 {
		s.WriteString("\n" + fmt.Sprintf(txtYearMembers, esc(tree.Name(name))))
		for _, m := range y.Members {
			s.WriteString("\n" + fmt.Sprintf(txtYearMember, m.Rank, esc(m.User.Name), m.Points, starsText(m.Stars)))
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	if len(y.Children) > 0 {
		s.WriteString("\n" + txtYearChildren)
		for _, c := range y.Children {
			s.WriteString("\n" + fmt.Sprintf(txtYearChild, esc(tree.Name(c.Node)), c.Members, score(c.MeanPoints), dist(c.Stars)))
			if len(rows) < 20 {
				rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(tree.Name(c.Node), 30), "yr:"+c.Node)))
			}
		}
	}
	if len(rows) == 0 {
		return s.String(), nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return s.String(), &kb
}

// --- invites ----------------------------------------------------------------

// invite: /invite lists the branches the user may invite members to;
// /invite NODE makes a member link for it; /invite NODE secretary (admins)
// makes a secretary link; a last argument of a number of days makes the
// link expire after them.
func invite(r *Request) error {
	b := r.Bot
	args := strings.Fields(r.Args)
	ttl := time.Duration(0)
	if n := len(args); n > 1 {
		if days, err := strconv.Atoi(args[n-1]); err == nil {
			if days < 1 || days > 365 {
				r.Reply(txtInviteUsage)
				return nil
			}
			ttl = time.Duration(days) * 24 * time.Hour
			args = args[:n-1]
		}
	}
	r.inviteTTL = ttl
	switch len(args) {
	case 0:
		return b.inviteChoices(r, quiz.RoleMember)
	case 1:
		if strings.EqualFold(args[0], "secretary") {
			if !r.Viewer.Admin {
				r.Reply(txtAdminOnly)
				return nil
			}
			return b.inviteChoices(r, quiz.RoleSecretary)
		}
		return b.makeInvite(r, args[0], quiz.RoleMember)
	case 2:
		if !strings.EqualFold(args[1], "secretary") {
			r.Reply(txtInviteUsage)
			return nil
		}
		if !r.Viewer.Admin {
			r.Reply(txtAdminOnly)
			return nil
		}
		return b.makeInvite(r, args[0], quiz.RoleSecretary)
	}
	r.Reply(txtInviteUsage)
	return nil
}

// inviteChoices offers the nodes an invite can be made for, as buttons.
func (b *Bot) inviteChoices(r *Request, role quiz.Role) error {
	tree := b.svc.Tree()
	var nodes []string
	if role == quiz.RoleSecretary {
		nodes = tree.Subtree(tree.Root())
	} else {
		for _, scope := range r.Viewer.Scopes(tree) {
			nodes = append(nodes, tree.Leaves(scope)...)
		}
	}
	if len(nodes) == 0 {
		r.Reply(txtInviteNoScope)
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, n := range nodes {
		if len(rows) == 50 {
			break // more than fit: the rest by /invite NODE
		}
		label := tree.Name(n)
		data := "iv:" + n + ":m"
		if role == quiz.RoleSecretary {
			data = "iv:" + n + ":s"
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(label, 30), data)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	if role == quiz.RoleSecretary {
		r.ReplyKB(txtInvitePickSec, &kb)
	} else {
		r.ReplyKB(txtInvitePickNode, &kb)
	}
	return nil
}

func pressInvite(r *Request) error {
	if len(r.Data) != 3 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	role := quiz.RoleMember
	if r.Data[2] == "s" {
		role = quiz.RoleSecretary
	}
	r.Toast("")
	return r.Bot.makeInvite(r, r.Data[1], role)
}

func (b *Bot) makeInvite(r *Request, node string, role quiz.Role) error {
	tree := b.svc.Tree()
	if tree.Node(node) == nil {
		r.Reply(fmt.Sprintf(txtInviteNodeUnknown, esc(truncate(node, 20))))
		return nil
	}
	inv, err := b.svc.CreateInvite(r.Ctx, r.Viewer, node, role, r.inviteTTL)
	if err != nil {
		return err
	}
	who := txtInviteRoleMember
	if role == quiz.RoleSecretary {
		who = txtInviteRoleSec
	}
	expiry := txtInviteNoExpiry
	if !inv.Expires.IsZero() {
		expiry = fmt.Sprintf(txtInviteExpires, b.dateTime(inv.Expires))
	}
	link := fmt.Sprintf("https://t.me/%s?start=%s", b.Username(), inv.Code)
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtInviteRevoke, "ivx:"+inv.Code)))
	r.ReplyKB(fmt.Sprintf(txtInviteLink, esc(tree.Path(node)), who, esc(link), expiry), &kb)
	return nil
}
