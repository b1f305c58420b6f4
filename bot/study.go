package bot

import (
	"fmt"
	"partyquiz/quiz"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

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
		head := fmt.Sprintf(txtNoLesson, PeriodName(sess.Period))
		if a.Makeup {
			head = fmt.Sprintf(txtMakeupHeader, PeriodName(sess.Period))
		}
		if l := sess.Lesson; l != nil {
			head = fmt.Sprintf(txtLesson, PeriodName(sess.Period), esc(l.Title), esc(strings.TrimSpace(l.Lesson)))
		}
		r.Reply(head + "\n\n" + fmt.Sprintf(txtStudyIntro, len(a.Items))) // one message, one call
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
		label, data := fmt.Sprintf(txtMakeupButton, PeriodName(p)), "mk:"+g.Period
		if kind == quiz.Test {
			label, data = fmt.Sprintf(txtMakeupTestButton, PeriodName(p)), "mt:"+g.Period
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(label, data)))
	}
	if len(rows) > 0 {
		offer := fmt.Sprintf(txtMakeupOffer, until)
		if kind == quiz.Test {
			offer = fmt.Sprintf(txtMakeupOfferTest, until)
		}
		kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
		r.ReplyKB(offer, &kb)
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
