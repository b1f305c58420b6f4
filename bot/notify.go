package bot

import (
	"context"
	"fmt"
	"strings"

	"partyquiz/quiz"
)

// render words an event as the messages its chat is sent (HTML, each
// within Telegram's limit; a long one in several parts), from the event's
// own facts and, for a secretary's or an admin's table, from what the
// engine reports now. An error is the engine's: an application error (the
// viewer is no longer secretary of the node) means the event cannot be
// told, anything else that it should be tried again.
func (b *Bot) render(ctx context.Context, e quiz.Event) ([]string, error) {
	text, err := b.eventText(ctx, e)
	if err != nil {
		return nil, err
	}
	return splitMessage(text), nil
}

func (b *Bot) eventText(ctx context.Context, e quiz.Event) (string, error) {
	rules := b.svc.Rules
	if e.Kind == quiz.EventReminder || e.Kind == quiz.EventRemindReport {
		// A reminder still pending when its month or test window is over
		// tells only what is left, or is not sent.
		var due bool
		if e, due = b.svc.ReminderDue(e, b.svc.Now()); !due {
			return "", quiz.Errorf(quiz.Conflict, "period_over")
		}
	}
	p := b.period(e.Period)
	switch e.Kind {
	case quiz.EventText:
		return e.Text, nil
	case quiz.EventTimeUp:
		s := fmt.Sprintf(txtTestTimeUp, p, e.Score, b.passText(e.Score), rules.PassMark, e.Right, e.Count)
		return s + "\n" + fmt.Sprintf(txtTestAfter, b.lastDay(e.Until)), nil
	case quiz.EventMakeup:
		what, how := b.makeupWhat(e.Subject, e.Period)
		return fmt.Sprintf(txtMakeupNotice, what, b.dateTime(e.Until), how), nil
	case quiz.EventCorrection:
		who := txtFixByAdmin
		if !e.Admin && e.Name != "" {
			who = fmt.Sprintf(txtFixBySecretary, esc(e.Name))
		}
		return fmt.Sprintf(txtFixNotice, who, signedPoints(e.Points), esc(e.Note)), nil
	case quiz.EventFlag:
		return fmt.Sprintf(txtFlagNotice, esc(e.Name), esc(e.Key), esc(e.Note), esc(e.Quote)), nil
	case quiz.EventInviteUsed:
		return fmt.Sprintf(txtInviteUsedNotice, esc(e.Name), esc(b.svc.Tree().Path(e.Node))), nil
	case quiz.EventReminder:
		var parts []string
		if e.Period != "" {
			progress := ""
			if e.Count > 0 {
				progress = fmt.Sprintf(txtRemindStudyProgress, e.Right, e.Count)
			}
			parts = append(parts, fmt.Sprintf(txtRemindStudy, p, progress))
		}
		if e.Test != "" {
			parts = append(parts, fmt.Sprintf(txtRemindTest, b.period(e.Test), b.lastDay(e.Until)))
		}
		return strings.Join(parts, "\n"), nil
	case quiz.EventRemindReport:
		what := fmt.Sprintf(txtRemindWhatStudy, p)
		if e.Test != "" {
			what = fmt.Sprintf(txtRemindWhatTest, b.period(e.Test), b.lastDay(e.Until))
		}
		return fmt.Sprintf(txtRemindReport, esc(b.svc.Tree().Name(e.Node)), e.Of, what, e.Count), nil
	case quiz.EventMonthOpen:
		title := ""
		if per, err := b.svc.Cal.Parse(e.Period); err == nil {
			if l := b.svc.Lesson(per); l != nil {
				title = esc(l.Title)
			}
		}
		return fmt.Sprintf(txtRoundMonth, p, title), nil
	case quiz.EventTestOpen:
		return fmt.Sprintf(txtRoundTestOpen, p, b.lastDay(e.Until), e.Count, int(rules.TestDuration.Minutes())), nil
	case quiz.EventTestResult:
		if !e.Tested {
			return fmt.Sprintf(txtRoundTestNone, p), nil
		}
		answers := txtRoundAnswersOpen
		if e.Until.After(e.At) {
			answers = fmt.Sprintf(txtRoundAnswersLater, b.lastDay(e.Until))
		}
		return fmt.Sprintf(txtRoundTestMine, p, e.Score, b.passText(e.Score), answers), nil
	case quiz.EventTestTable:
		f := e.Figures
		if f == nil {
			return "", fmt.Errorf("test table %s without figures", e.Ref)
		}
		return fmt.Sprintf(txtRoundTestNode, p, esc(b.svc.Tree().Name(e.Node)), f.Stats.TestTaken, f.TestDue,
			meanNum(f.TakenMean()), meanNum(f.DueMean()), ratePct(f.PassRate())), nil
	case quiz.EventHalfResult:
		return fmt.Sprintf(txtRoundHalfMine, p, e.Points, e.Of, e.Rank), nil
	case quiz.EventYearResult:
		return fmt.Sprintf(txtRoundYearMine, p, e.Points, e.Stars, starsText(e.Stars)), nil
	case quiz.EventContestBoard, quiz.EventContestResult:
		res, err := b.svc.ContestResultOf(ctx, e.Contest)
		if err != nil {
			return "", err
		}
		if e.Kind == quiz.EventContestBoard {
			return b.boardText(res), nil
		}
		for _, r := range res.Rows {
			if r.User == e.User {
				return b.myResultText(res, r), nil
			}
		}
		return "", quiz.Errorf(quiz.NotFound, "not_a_player")
	case quiz.EventHalfTable, quiz.EventYearTable:
		v, err := b.tableViewer(ctx, e)
		if err != nil {
			return "", err
		}
		per, err := b.svc.Cal.Parse(e.Period)
		if err != nil {
			return "", err
		}
		if e.Kind == quiz.EventHalfTable {
			s, err := b.svc.StandingsOf(ctx, v, e.Node, per)
			if err != nil {
				return "", err
			}
			text, _ := b.rankText(s)
			return text, nil
		}
		y, err := b.svc.YearOf(ctx, v, e.Node, per)
		if err != nil {
			return "", err
		}
		text, _ := b.yearText(y)
		return text, nil
	}
	return "", quiz.Errorf(quiz.Invalid, "unknown_event")
}

// tableViewer is who a table is for: an admin, or the secretary as they
// are now (one who is no longer secretary of the node gets no table).
func (b *Bot) tableViewer(ctx context.Context, e quiz.Event) (quiz.Viewer, error) {
	if e.Admin {
		return quiz.Viewer{ID: e.Chat, Admin: true}, nil
	}
	return b.svc.Viewer(ctx, e.Chat)
}
