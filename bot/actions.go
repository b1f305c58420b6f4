package bot

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// The actions a secretary takes, as the chat and the dashboard
// (bot/webapp) both call them: one code path for each, so a reminder or a
// make-up is the same whichever way it was asked for.

// Remind reminds each member under node (one v manages; "" for v's first
// node) who has not finished this month's study or, while its window is
// open, this quarter's test (quiz.Service.Remind: the engine emits the
// reminders). It returns how many were reminded now, how many of those
// members were reminded already today (at most one reminder a day per
// member, whoever asks) and how many cannot be reached (they blocked the
// bot).
func (b *Bot) Remind(ctx context.Context, v quiz.Viewer, node string) (queued, again, unreachable int, err error) {
	res, err := b.svc.Remind(ctx, v, node)
	return res.Queued, res.Again, res.Unreachable, err
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
	doc.Caption = fmt.Sprintf(txtExportDone, esc(b.svc.Tree().Name(node)), PeriodName(b.svc.Cal.Year(now)), rows, b.dateTime(now))
	doc.ParseMode = tgbotapi.ModeHTML
	b.send.Enqueue(chat, doc, nil)
	return rows, nil
}

// GrantMakeup reopens a missed month's study (kind quiz.Study) or a
// missed test (quiz.Test) of period for a member v manages, for days (one
// of quiz.MakeupDays); the engine tells the member. ref names what asked
// (a picker message, a dashboard request): the same ref grants once and
// tells the member once, so granted is false for a repeat. Errors are the
// engine's (quiz.Service.GrantMakeup).
func (b *Bot) GrantMakeup(ctx context.Context, v quiz.Viewer, member int64, kind quiz.Kind, period string, days int, ref string) (g *quiz.Grant, granted bool, err error) {
	return b.svc.GrantMakeup(ctx, v, member, kind, period, days, txtMakeupReason, ref)
}

// makeupWhat names what a make-up reopens ("补学 11月", "补考
// 2026年第四季度") and says how the member takes it.
func (b *Bot) makeupWhat(kind quiz.Kind, period string) (what, how string) {
	p, _ := b.svc.Cal.Parse(period)
	if kind == quiz.Test {
		return fmt.Sprintf(txtMakeupTest, PeriodName(p)), txtMakeupNoticeTest
	}
	return fmt.Sprintf(txtMakeupMonth, p.N), txtMakeupNoticeStudy
}
