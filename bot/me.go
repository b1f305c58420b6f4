package bot

import (
	"fmt"
	"partyquiz/quiz"
	"strings"
)

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
		st := b.testState(t.Quarter, t.Open, t.Tested, t.Score, true)
		s.WriteString("\n" + fmt.Sprintf(txtMeTest, PeriodName(t.Quarter), st))
	}
	half := PeriodName(rec.Half)
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
			at := b.day(unixTime(e.At))
			s.WriteString("\n" + fmt.Sprintf(txtMeEntry, at, signedPoints(e.Amount), esc(b.entryText(e))))
		}
	}
	if rec.Book.Count > 0 {
		s.WriteString("\n" + fmt.Sprintf(txtMeMistakes, rec.Book.Count, rec.Book.Due))
	}
	if rec.Book.Waiting > 0 {
		s.WriteString(b.waitingText(rec.Book))
	}
	return s.String()
}

// testState words a member's state in quarter q's test, in the same words
// wherever it is shown (/me, a secretary's member card): 作答中, the score,
// 未开始 with the day it opens, 待参加 with its last day (and, shown to
// the member themself, to send /test), or 未参加 once it has closed —
// never 未参加 while it can still be taken.
func (b *Bot) testState(q quiz.Period, open, tested bool, score int, toMember bool) string {
	start, end := b.svc.Rules.TestWindowOf(b.svc.Cal, q)
	now := b.svc.Now()
	switch {
	case open:
		return txtMeTestOpen
	case tested:
		return fmt.Sprintf(txtMeScore, score, b.passText(score))
	case now.Before(start): // not open yet: nothing missed
		return fmt.Sprintf(txtMeTestNotYet, b.day(start))
	case now.Before(end) && toMember:
		return fmt.Sprintf(txtMeTestDue, b.lastDay(end))
	case now.Before(end):
		return fmt.Sprintf(txtCardTestDue, b.lastDay(end))
	}
	return txtMeTestNone
}

// entryText words a ledger entry from its rule and parameters (plain
// text): the engine keeps no sentence, only what happened.
func (b *Bot) entryText(e quiz.Entry) string {
	p := b.period(e.Period)
	switch e.Rule {
	case quiz.RuleMonthDone:
		return fmt.Sprintf(txtEntryMonth, p)
	case quiz.RuleAllMonths:
		per, _ := b.svc.Cal.Parse(e.Period)
		return fmt.Sprintf(txtEntryAllMonths, per.Year)
	case quiz.RuleTestScore:
		switch {
		case e.Try > 1:
			return fmt.Sprintf(txtEntryRetry, p, e.Try, e.From, e.Score)
		case e.Try == 1:
			return fmt.Sprintf(txtEntryTest, p, e.Score)
		}
	case quiz.RulePerfect:
		return fmt.Sprintf(txtEntryPerfect, p)
	case quiz.RuleCorrection:
		if b.svc.Admins[e.By] {
			return fmt.Sprintf(txtFixReasonAdmin, e.Note)
		}
		return fmt.Sprintf(txtFixReason, e.Note)
	case quiz.RuleContest:
		day := b.day(unixTime(e.At))
		s := fmt.Sprintf(txtEntryContest, day)
		if e.Place > 0 {
			s = fmt.Sprintf(txtEntryContestPlace, day, e.Place)
		}
		if e.Capped {
			s += txtEntryContestCapped
		}
		return s
	}
	// An entry of an older program carries its own words.
	return e.Note
}
