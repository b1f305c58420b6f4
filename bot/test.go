package bot

import (
	"fmt"
	"partyquiz/quiz"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

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
		r.Reply(fmt.Sprintf(txtTestNotOpen, PeriodName(q), b.day(info.WindowStart), b.lastDay(info.WindowEnd)))
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
	intro := fmt.Sprintf(txtTestIntro, PeriodName(q), rules.TestQuestions, int(rules.TestDuration.Minutes()), rules.PassMark, tries, b.lastDay(info.WindowEnd))
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
