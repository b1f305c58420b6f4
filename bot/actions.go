package bot

import (
	"context"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// The actions a secretary takes, as the chat and the dashboard
// (bot/webapp) both call them: one code path for each, so a reminder or a
// make-up is the same whichever way it was asked for.

// Remind queues a reminder for each member under node (one v manages; ""
// for v's first node) who has not finished this month's study or, while
// its window is open, this quarter's test. It returns how many reminders
// were queued now, how many of those members were reminded already today
// (at most one reminder a day per member, whoever asks) and how many
// cannot be reached (they blocked the bot). Errors are the engine's
// (RemindTargets) or the outbox's.
func (b *Bot) Remind(ctx context.Context, v quiz.Viewer, node string) (queued, again, unreachable int, err error) {
	targets, blocked, err := b.svc.RemindTargets(ctx, v, node)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(targets) == 0 {
		return 0, 0, blocked, nil
	}
	now := b.svc.Now()
	month, quarter := b.svc.Cal.Month(now), b.svc.Cal.Quarter(now)
	_, end := b.svc.Rules.TestWindowOf(b.svc.Cal, quarter)
	day := now.In(b.svc.Cal.Loc).Format("2006-01-02")
	var ns []quiz.Notice
	for _, t := range targets {
		var parts []string
		if t.Study {
			progress := ""
			if t.Total > 0 {
				progress = fmt.Sprintf(txtRemindStudyProgress, t.Answered, t.Total)
			}
			parts = append(parts, fmt.Sprintf(txtRemindStudy, month, progress))
		}
		if t.Test {
			parts = append(parts, fmt.Sprintf(txtRemindTest, quarter, b.lastDay(end)))
		}
		// At most one reminder a day per member, whoever asks.
		ns = append(ns, quiz.Notice{Ref: fmt.Sprintf("remind:%s:%d", day, t.User.ID), Chat: t.User.ID, Text: strings.Join(parts, "\n")})
	}
	added, err := b.notify(ctx, ns)
	if err != nil {
		return 0, 0, 0, err
	}
	return added, len(ns) - added, blocked, nil
}

// ExportXLSX builds the spreadsheet of node (one v manages; "" for v's
// first node): every member's year, branch by branch. It returns the
// file's name, its bytes and how many members it holds; with no members
// it returns rows 0 and no file. A node too big for one file is the
// engine's ReasonTooMany.
func (b *Bot) ExportXLSX(ctx context.Context, v quiz.Viewer, node string) (name string, data []byte, rows int, err error) {
	list, err := b.svc.Export(ctx, v, node)
	if err != nil {
		return "", nil, 0, err
	}
	if node == "" {
		node = v.Scopes(b.svc.Tree())[0]
	}
	if len(list) == 0 {
		return "", nil, 0, nil
	}
	data, err = b.spreadsheet(ctx, v, node, list)
	if err != nil {
		return "", nil, 0, err
	}
	name = fmt.Sprintf("%s-%s成绩表.xlsx", b.svc.Tree().Name(node), b.svc.Cal.Year(b.svc.Now()).Key())
	return name, data, len(list), nil
}

// SendExport sends the spreadsheet of node (see ExportXLSX) to a chat as
// a document, as /export does, and returns how many members it holds (0:
// nothing was sent).
func (b *Bot) SendExport(ctx context.Context, v quiz.Viewer, chat int64, node string) (int, error) {
	name, data, rows, err := b.ExportXLSX(ctx, v, node)
	if err != nil || rows == 0 {
		return rows, err
	}
	if node == "" {
		node = v.Scopes(b.svc.Tree())[0]
	}
	doc := tgbotapi.NewDocument(chat, tgbotapi.FileBytes{Name: name, Bytes: data})
	now := b.svc.Now()
	doc.Caption = fmt.Sprintf(txtExportDone, esc(b.svc.Tree().Name(node)), b.svc.Cal.Year(now), rows, b.dateTime(now))
	doc.ParseMode = tgbotapi.ModeHTML
	b.send.Enqueue(chat, doc, nil)
	return rows, nil
}

// GrantMakeup reopens a missed month's study (kind quiz.Study) or a
// missed test (quiz.Test) of period for a member v manages, for days (one
// of quiz.MakeupDays), and queues the member's notice. ref names what asked
// (a picker message, a dashboard request): the same ref grants once and
// tells the member once, so granted is false for a repeat. Errors are the
// engine's (quiz.Service.GrantMakeup; no grant) or the outbox's (the grant
// is returned with it: it stands, the notice failed).
func (b *Bot) GrantMakeup(ctx context.Context, v quiz.Viewer, member int64, kind quiz.Kind, period string, days int, ref string) (g *quiz.Grant, granted bool, err error) {
	g, granted, err = b.svc.GrantMakeup(ctx, v, member, kind, period, days, txtMakeupReason, ref)
	if err != nil || !granted {
		return g, granted, err
	}
	what, how := b.makeupWhat(kind, period)
	_, err = b.notify(ctx, []quiz.Notice{{
		Ref:  fmt.Sprintf("makeup:%d:%s", member, g.Ref),
		Chat: member, Text: fmt.Sprintf(txtMakeupNotice, what, b.dateTime(g.Until), how),
	}})
	return g, true, err
}

// makeupWhat names what a make-up reopens ("补学 11月", "补考
// 2026年第四季度") and says how the member takes it.
func (b *Bot) makeupWhat(kind quiz.Kind, period string) (what, how string) {
	p, _ := b.svc.Cal.Parse(period)
	if kind == quiz.Test {
		return fmt.Sprintf(txtMakeupTest, p), txtMakeupNoticeTest
	}
	return fmt.Sprintf(txtMakeupMonth, p.N), txtMakeupNoticeStudy
}
