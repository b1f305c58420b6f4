package bot

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// SecretaryRoutes are the routes of secretaries and admins: reports,
// reminders, exports, make-ups and corrections, bank uploads and /banks,
// flags from members.
func SecretaryRoutes() []Route {
	return []Route{
		{Command: "branch", Role: Manager, Args: true, Handle: nodeCommand(showBranch)},
		{Command: "remind", Role: Manager, Args: true, Handle: remind},
		{Command: "weak", Role: Manager, Args: true, Handle: weak},
		{Command: "export", Role: Manager, Args: true, Handle: export},
		{Command: "banks", Role: Admin, Handle: banks},
		{Command: "#document", Role: Admin, Handle: upload},
		{Command: "#dialog:" + modeFix, Role: Manager, Handle: fixText},
		{Command: "#dialog:" + modeFixConfirm, Role: Manager, Handle: fixText},
		{Command: "#dialog:" + modeFlag, Role: Member, Handle: flagText},
		{Callback: "br", Role: Manager, Handle: nodeButton(showBranch)},
		{Callback: "bm", Role: Manager, Handle: pressMembers},
		{Callback: "mb", Role: Manager, Handle: pressMember},
		{Callback: "mk1", Role: Manager, Handle: pressMakeupPick},
		{Callback: "mk2", Role: Manager, Handle: pressMakeupGrant},
		{Callback: "fx", Role: Manager, Handle: pressFix},
		{Callback: "fxc", Role: Manager, Handle: pressFixConfirm},
		{Callback: "fl", Role: Member, Handle: pressFlag},
		{Callback: "pub", Role: Admin, Handle: pressPublish},
		{Callback: "bx", Role: Admin, Handle: pressBankXLSX},
		{Callback: "bk", Role: Admin, Handle: pressBanks}, // bot/banks.go
		{Callback: "ivx", Role: Manager, Handle: pressRevoke},
	}
}

// Dialog modes of this file.
const (
	modeFix        = "fix"    // waiting for "+2 reason" for a member (Data: member id)
	modeFixConfirm = "fixok"  // a correction waiting for 确认调整 (Data: pendingFix.encode)
	modeFlag       = "flag"   // waiting for a member's note on a question (Data: attempt:item)
	modeUpload     = "upload" // an upload waiting for 发布 (Data: file id and name)
)

// names lists users' names, the first few and a count of the rest.
func names(rows []quiz.MemberRow, max int) string {
	var parts []string
	for i, r := range rows {
		if i == max {
			return strings.Join(parts, "、") + fmt.Sprintf(txtListMore, len(rows))
		}
		parts = append(parts, esc(r.User.Name))
	}
	return strings.Join(parts, "、")
}

// --- /branch ------------------------------------------------------------

func showBranch(r *Request, node string) error {
	b := r.Bot
	rep, err := b.svc.NodeReport(r.Ctx, r.Viewer, node)
	if err != nil {
		return err
	}
	tree := b.svc.Tree()
	var s strings.Builder
	fmt.Fprintf(&s, txtBranchHeader, esc(tree.Path(rep.Node)), rep.Members)
	fmt.Fprintf(&s, txtBranchStudy, PeriodName(rep.Month), rep.Study.Stats.StudyDone, rep.Study.StudyDue, ratePct(rep.Study.StudyRate()))
	if rep.TestOpen {
		t := rep.Test
		fmt.Fprintf(&s, txtBranchTest, PeriodName(rep.Quarter), t.Stats.TestTaken, t.TestDue, meanNum(t.TakenMean()), meanNum(t.DueMean()), ratePct(t.PassRate()))
		if low := rep.Lowest(); low >= 0 {
			fmt.Fprintf(&s, txtBranchTestLow, low)
		}
	} else {
		start, _ := b.svc.Rules.TestWindowOf(b.svc.Cal, rep.Quarter)
		fmt.Fprintf(&s, txtBranchTestWait, PeriodName(rep.Quarter), b.day(start))
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	if len(rep.Children) > 0 {
		s.WriteString(txtBranchChildren)
		for _, c := range rep.Children {
			if c.Study.Members == 0 && c.Study.StudyDue == 0 && c.Test.TestDue == 0 {
				s.WriteString("\n" + fmt.Sprintf(txtYearChildEmpty, esc(tree.Name(c.Node)))) // not "0/0"
			} else {
				s.WriteString("\n" + fmt.Sprintf(txtBranchChild, esc(tree.Name(c.Node)), fraction(c.Study.Stats.StudyDone, c.Study.StudyDue),
					fraction(c.Test.Stats.TestTaken, c.Test.TestDue), meanNum(c.Test.DueMean())))
			}
			if len(rows) < 30 {
				rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(tree.Name(c.Node), 30), "br:"+c.Node)))
			}
		}
		s.WriteString(txtBranchPick)
	}
	if tree.IsLeaf(rep.Node) {
		not := rep.NotStudied()
		if len(not) > 0 {
			fmt.Fprintf(&s, txtBranchNotStudy, len(not), names(not, 60))
		} else if rep.Members > 0 {
			s.WriteString(txtBranchAllDone)
		}
		if rep.TestOpen {
			// Not yet taken while the window is open (待参加, as /me
			// says), missed only once it has closed.
			if nt := rep.NotTested(); len(nt) > 0 {
				if _, end := b.svc.Rules.TestWindowOf(b.svc.Cal, rep.Quarter); b.svc.Now().Before(end) {
					fmt.Fprintf(&s, txtBranchTestDue, len(nt), b.lastDay(end), names(nt, 60))
				} else {
					fmt.Fprintf(&s, txtBranchNotTest, len(nt), names(nt, 60))
				}
			}
		}
		if f := rep.Flagged(); len(f) > 0 {
			fmt.Fprintf(&s, txtBranchFlagged, names(f, 30))
		}
		if rep.Members > 0 {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(txtBranchManage, "bm:"+rep.Node)))
		}
	}
	rows = append(rows, tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtBranchRank, "rk:"+rep.Node),
		tgbotapi.NewInlineKeyboardButtonData(txtBranchYear, "yr:"+rep.Node)))
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.replyDashboard(s.String(), b.withBack(r, &kb, "br:", rep.Node), rep.Node)
	return nil
}

// pressMembers lists a branch's members as buttons.
func pressMembers(r *Request) error {
	if len(r.Data) != 2 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	rep, err := r.Bot.svc.NodeReport(r.Ctx, r.Viewer, r.Data[1])
	if err != nil {
		return err
	}
	r.Toast("")
	var rows [][]tgbotapi.InlineKeyboardButton
	var row []tgbotapi.InlineKeyboardButton
	for i, m := range rep.Rows {
		if i == 99 {
			break
		}
		if len(row) == 3 {
			rows = append(rows, row)
			row = nil
		}
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(truncate(m.User.Name, 12), "mb:"+strconv.FormatInt(m.User.ID, 36)))
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		r.Reply(fmt.Sprintf(txtExportEmpty, esc(r.Bot.svc.Tree().Name(rep.Node))))
		return nil
	}
	rows = append(rows, backTo(r.Bot.svc.Tree(), rep.Node))
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.ReplyKB(txtPickMember, &kb)
	return nil
}

// backTo is a row with the button back to a branch's report, under a
// member's card and the branch's list of members.
func backTo(tree *quiz.Tree, branch string) []tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
		fmt.Sprintf(txtBackTo, truncate(tree.Name(branch), 20)), "br:"+branch))
}

// memberArg reads a member id from callback data field i.
func memberArg(r *Request, i int) (int64, bool) {
	if len(r.Data) <= i {
		return 0, false
	}
	id, err := strconv.ParseInt(r.Data[i], 36, 64)
	return id, err == nil && id > 0
}

// pressMember shows one member with what can be done for them.
func pressMember(r *Request) error {
	id, ok := memberArg(r, 1)
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	b := r.Bot
	card, err := b.svc.MemberCard(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	r.Toast("")
	month := txtMeMissed
	switch {
	case card.Month.StudyDone:
		month = txtMeDone
	case card.Total > 0:
		month = fmt.Sprintf(txtMeOngoing, card.Answered, card.Total)
	}
	q := b.svc.Cal.Quarter(b.svc.Now())
	test := b.testState(q, false, card.Quarter.Tested, card.Quarter.TestScore, false)
	text := fmt.Sprintf(txtMemberCard, esc(card.User.Name), esc(b.svc.Tree().Path(card.User.Branch)), month, test, card.Year, card.Stars)
	var rows [][]tgbotapi.InlineKeyboardButton
	var row []tgbotapi.InlineKeyboardButton
	key := strconv.FormatInt(id, 36)
	for _, m := range card.Missed {
		if len(row) == 4 {
			rows = append(rows, row)
			row = nil
		}
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtMakeupMonth, m.N), "mk1:"+key+":s:"+m.Key()))
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if card.TestMissed != nil {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			fmt.Sprintf(txtMakeupTest, PeriodName(*card.TestMissed)), "mk1:"+key+":t:"+card.TestMissed.Key())))
	}
	rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(txtFixPoints, "fx:"+key)))
	rows = append(rows, backTo(b.svc.Tree(), card.User.Branch))
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.ReplyKB(text, &kb)
	return nil
}

// makeupArgs reads "mk1:<member>:<s|t>:<period>" (and mk2's days): a
// kind other than s or t, a period that is not a key or days not offered
// is not a button the bot made.
func makeupArgs(r *Request, n int) (id int64, kind quiz.Kind, period string, days int, ok bool) {
	id, ok = memberArg(r, 1)
	if !ok || len(r.Data) != n {
		return 0, "", "", 0, false
	}
	switch r.Data[2] {
	case "s":
		kind = quiz.Study
	case "t":
		kind = quiz.Test
	default:
		return 0, "", "", 0, false
	}
	if _, err := r.Bot.svc.Cal.Parse(r.Data[3]); err != nil {
		return 0, "", "", 0, false
	}
	if n == 5 {
		d, err := strconv.Atoi(r.Data[4])
		if err != nil || !slices.Contains(quiz.MakeupDays, d) {
			return 0, "", "", 0, false
		}
		days = d
	}
	return id, kind, r.Data[3], days, true
}

// pressMakeupPick asks for how long a make-up stays open, if it can be
// granted at all.
func pressMakeupPick(r *Request) error {
	id, kind, period, _, ok := makeupArgs(r, 4)
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	b := r.Bot
	if err := b.svc.CheckMakeup(r.Ctx, r.Viewer, id, kind, period); err != nil {
		return err
	}
	card, err := b.svc.MemberCard(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	r.Toast("")
	var row []tgbotapi.InlineKeyboardButton
	for _, d := range quiz.MakeupDays {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtDays, d),
			fmt.Sprintf("mk2:%s:%s:%s:%d", r.Data[1], r.Data[2], period, d)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(row, tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtBack, "mb:"+r.Data[1])))
	what, _ := b.makeupWhat(kind, period)
	r.ReplyKB(fmt.Sprintf(txtMakeupDays, esc(card.User.Name), what), &kb)
	return nil
}

// pressMakeupGrant opens the make-up and tells the member — once per
// picker message: a double tap, a redelivered press or another length
// pressed on the same message grants nothing more.
func pressMakeupGrant(r *Request) error {
	id, kind, period, days, ok := makeupArgs(r, 5)
	if !ok || r.Callback.Message == nil {
		r.Toast(txtButtonUnknown)
		return nil
	}
	b := r.Bot
	ref := fmt.Sprintf("%d-%d", r.Chat, r.Callback.Message.MessageID)
	g, granted, notifyErr := b.GrantMakeup(r.Ctx, r.Viewer, id, kind, period, days, ref)
	if g == nil {
		return notifyErr
	}
	if !granted {
		r.Toast(txtMakeupAlready)
		return nil
	}
	r.Toast("")
	b.dropKeyboard(r)
	what, _ := b.makeupWhat(kind, period)
	card, err := b.svc.MemberCard(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtMakeupGranted, esc(card.User.Name), what, b.dateTime(g.Until)))
	return notifyErr // the grant stands; only the member's notice failed
}

// dropKeyboard removes the buttons of the message a press came from.
func (b *Bot) dropKeyboard(r *Request) {
	if r.Callback == nil || r.Callback.Message == nil || r.Callback.Message.ReplyMarkup == nil ||
		len(r.Callback.Message.ReplyMarkup.InlineKeyboard) == 0 {
		return
	}
	e := tgbotapi.NewEditMessageReplyMarkup(r.Chat, r.Callback.Message.MessageID, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
	b.send.Enqueue(r.Chat, e, nil)
}

// parseFix reads "+2 参加知识竞赛获奖": an amount with at most one decimal
// and a reason of 1–50 characters.
func parseFix(s string) (quiz.Points, string, bool) {
	s = strings.TrimSpace(strings.NewReplacer("+", "+", "-", "-", "—", "-", ".", ".").Replace(s))
	num, reason, _ := strings.Cut(s, " ")
	if num == "" {
		return 0, "", false
	}
	f, err := strconv.ParseFloat(num, 64)
	reason = strings.TrimSpace(reason)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || reason == "" || utf8.RuneCountInString(reason) > 50 {
		return 0, "", false
	}
	p := quiz.PointsOf(f)
	if p == 0 || p.Float() != math.Round(f*10)/10 {
		return 0, "", false
	}
	return p, reason, true
}

// --- /remind --------------------------------------------------------------

func remind(r *Request) error {
	b := r.Bot
	node, ok := b.nodeArg(r)
	if !ok {
		return nil
	}
	added, again, blocked, err := b.Remind(r.Ctx, r.Viewer, node)
	if err != nil {
		return err
	}
	tree := b.svc.Tree()
	if node == "" {
		node = r.Viewer.Scopes(tree)[0]
	}
	if added+again == 0 && blocked == 0 {
		r.Reply(fmt.Sprintf(txtRemindNone, esc(tree.Name(node))))
		return nil
	}
	s := fmt.Sprintf(txtRemindQueued, added)
	switch {
	case added == 0 && again > 0:
		s = fmt.Sprintf(txtRemindAllAgain, again)
	case again > 0:
		s += fmt.Sprintf(txtRemindAgain, again)
	}
	if blocked > 0 {
		s += "\n" + fmt.Sprintf(txtRemindBlocked, blocked)
	}
	r.Reply(s)
	return nil
}

// --- /weak ------------------------------------------------------------------

func weak(r *Request) error {
	b := r.Bot
	node, ok := b.nodeArg(r)
	if !ok {
		return nil
	}
	items, err := b.svc.Weak(r.Ctx, r.Viewer, node, 10)
	if err != nil {
		return err
	}
	tree := b.svc.Tree()
	if node == "" {
		node = r.Viewer.Scopes(tree)[0]
	}
	var s strings.Builder
	fmt.Fprintf(&s, txtWeakHeader, esc(tree.Name(node)))
	if len(items) == 0 {
		s.WriteString("\n" + fmt.Sprintf(txtWeakNone, quiz.MinAnswersForWeak))
	}
	for i, it := range items {
		if it.Hidden {
			// It may be in a test someone can still take: no answer yet.
			fmt.Fprintf(&s, txtWeakItemHidden, i+1, percent(it.Facility), it.Stats.Answers, it.Q.Type, esc(questionLine(it.Q)), b.lastDay(it.Until))
			continue
		}
		fmt.Fprintf(&s, txtWeakItem, i+1, percent(it.Facility), it.Stats.Answers, it.Q.Type, esc(questionLine(it.Q)), esc(it.Q.AnswerText()))
	}
	if r.Viewer.Admin {
		rev, err := b.svc.ReviewItems(r.Ctx, r.Viewer, 10)
		if err != nil {
			return err
		}
		s.WriteString(txtReviewHead)
		for _, sec := range []struct {
			head  string
			items []quiz.WeakItem
		}{{txtSuspect, rev.Suspect}, {fmt.Sprintf(txtHard, wholePercent(quiz.HardBelow)), rev.Hard},
			{fmt.Sprintf(txtEasy, wholePercent(quiz.EasyAbove)), rev.Easy}} {
			s.WriteString(sec.head)
			if len(sec.items) == 0 {
				s.WriteString(txtNoneYet)
			}
			for _, it := range sec.items {
				fmt.Fprintf(&s, txtItemLine, esc(it.Bank+"/"+it.Q.ID), esc(truncate(it.Q.Text, 40)), percent(it.Facility), discText(it.Discrimination))
			}
		}
		s.WriteString(txtFlagsHead)
		if len(rev.Flags) == 0 {
			s.WriteString(txtNoneYet)
		}
		for _, f := range rev.Flags {
			fmt.Fprintf(&s, txtFlagLine, b.day(f.At), esc(f.Key), esc(truncate(f.Text, 30)), esc(f.Note))
		}
	}
	r.Reply(s.String())
	return nil
}

// questionLine is a question with its options on one line.
func questionLine(q *questions.Question) string {
	s := q.Text
	if q.Type == questions.Single || q.Type == questions.Multiple {
		var opts []string
		for i, o := range q.Options {
			opts = append(opts, questions.Letter(i)+". "+o)
		}
		s += " " + strings.Join(opts, txtSemi)
	}
	return s
}

func discText(d float64) string {
	if math.IsNaN(d) {
		return "—"
	}
	return strconv.FormatFloat(d, 'f', 2, 64)
}

// --- /export ----------------------------------------------------------------

func export(r *Request) error {
	b := r.Bot
	node, ok := b.nodeArg(r)
	if !ok {
		return nil
	}
	rows, err := b.SendExport(r.Ctx, r.Viewer, r.Chat, node)
	if quiz.ErrorReason(err) == quiz.ReasonTooMany {
		r.Reply(txtExportTooMany)
		return nil
	}
	if err != nil {
		return err
	}
	if rows == 0 {
		tree := b.svc.Tree()
		if node == "" {
			node = r.Viewer.Scopes(tree)[0]
		}
		r.Reply(fmt.Sprintf(txtExportEmpty, esc(tree.Name(node))))
	}
	return nil
}

// --- flags ------------------------------------------------------------------

// pressFlag starts a member's report that a question is wrong.
func pressFlag(r *Request) error {
	att, idx, _, ok := parseAnswerData(append(r.Data, "0"))
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	if _, err := r.Bot.svc.Attempt(r.Ctx, r.From, att); err != nil {
		return err
	}
	r.Toast("")
	d := &dialog{Mode: modeFlag, Data: fmt.Sprintf("%d:%d", att, idx), Attempt: interrupting(r.Dialog)}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, d); err != nil {
		return err
	}
	r.Reply(txtAskFlag)
	return nil
}

// flagText records the note and tells the admins.
func flagText(r *Request) error {
	b := r.Bot
	a, i, _ := strings.Cut(r.Dialog.Data, ":")
	att, err1 := strconv.ParseUint(a, 10, 64)
	idx, err2 := strconv.Atoi(i)
	kept := r.Dialog.Attempt
	if err1 != nil || err2 != nil {
		r.Reply(txtButtonStale)
		_, err := b.resume(r, kept)
		return err
	}
	if _, err := b.svc.Flag(r.Ctx, r.From, att, idx, r.Msg.Text); err != nil {
		r.fail(err) // its words first, then the question again
		_, err := b.resume(r, kept)
		return err
	}
	r.Reply(txtFlagThanks) // the engine tells the admins
	// Back to the question in progress, or what to do next.
	if resumed, err := b.resume(r, kept); err != nil {
		return err
	} else if !resumed {
		r.Reply(txtFlagNext)
	}
	return nil
}

// fraction is "done/owed", or "—" when nothing is owed (a test not yet
// open, a node without members): never "0/0".
func fraction(done, owed int64) string {
	if owed <= 0 {
		return txtNoFigure
	}
	return strconv.FormatInt(done, 10) + "/" + strconv.FormatInt(owed, 10)
}
