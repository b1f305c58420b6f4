package bot

import (
	"fmt"
	"partyquiz/questions"
	"partyquiz/quiz"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

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
	a := res.Attempt
	if res.Expired {
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		switch {
		case a.Kind != quiz.Test:
			r.Reply(txtStudyClosed)
		case r.Callback != nil:
			r.Toast(txtTimeUpShort) // the engine tells the score (EventTimeUp)
		default:
			r.Reply(txtTimeUpShort)
		}
		return nil
	}
	r.Toast("")
	b.metrics.answered()

	if a.Kind == quiz.Test && msgID != 0 && !res.Closed {
		// A test shows no feedback: the question's message becomes the
		// next question, one call instead of two for every answer.
		next := a.Current()
		b.editHTML(r.Chat, msgID, b.questionText(a, next, b.svc.Now()), questionKeyboard(a, next, 0))
		return nil
	}
	if a.Kind == quiz.Test && msgID == 0 && !res.Closed {
		// A typed test answer: its echo and the next question in one
		// message, one call instead of two.
		next := a.Current()
		r.ReplyKB(fmt.Sprintf(txtAnsweredTest, responseText(&a.Items[idx], res.Response))+"\n\n"+
			b.questionText(a, next, b.svc.Now()), questionKeyboard(a, next, 0))
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
	if !res.Closed {
		if msgID != 0 {
			b.editHTML(r.Chat, msgID, shown, flag)
		} else {
			r.ReplyKB(shown, flag)
		}
		next := a.Current()
		b.sendHTML(r.Chat, b.questionText(a, next, b.svc.Now()), questionKeyboard(a, next, 0))
		return nil
	}
	_ = b.saveDialog(r.Ctx, r.Chat, nil)
	earned := earnedText(res.Earned)
	var result string
	switch a.Kind {
	case quiz.Study:
		result = fmt.Sprintf(txtStudyFinished, a.Right, len(a.Items))
		if earned != "" {
			result += "\n" + earned
		}
		result += "\n" + txtStudyNext
	case quiz.Test:
		result = fmt.Sprintf(txtTestFinished, a.Score, b.passText(a.Score), b.svc.Rules.PassMark, a.Right, len(a.Items))
		if earned != "" {
			result += "\n" + earned
		}
		result += "\n" + fmt.Sprintf(txtTestAfter, b.lastDay(a.Until))
	case quiz.Practice:
		next, err := b.practiceNext(r)
		if err != nil {
			return err
		}
		result = fmt.Sprintf(txtPracticeDone, a.Right, len(a.Items)) + "\n" + next
	}
	// The last answer's feedback and the result in one message, one call
	// instead of two (a test's last answer shows no feedback: its question's
	// message becomes the result); as two when too long for one.
	if a.Kind == quiz.Test {
		shown = ""
	}
	combined := result
	if shown != "" {
		combined = shown + "\n\n" + result
	}
	if visibleLen(combined) > maxMessage {
		if msgID != 0 {
			b.editHTML(r.Chat, msgID, shown, flag)
		} else {
			r.ReplyKB(shown, flag)
		}
		r.Reply(result)
		return nil
	}
	if msgID != 0 {
		b.editHTML(r.Chat, msgID, combined, flag)
	} else {
		r.ReplyKB(combined, flag)
	}
	return nil
}

// practiceNext says what to do after a round of the mistake book: another
// round while questions are due, else when the next come and what else
// there is to do.
func (b *Bot) practiceNext(r *Request) (string, error) {
	book, err := b.svc.MistakeBook(r.Ctx, r.From)
	if err != nil {
		return "", err
	}
	if book.Due > 0 {
		return fmt.Sprintf(txtPracticeMore, book.Due), nil
	}
	next := ""
	if !book.NextDue.IsZero() {
		next = fmt.Sprintf(txtPracticeNextDue, b.day(book.NextDue))
	}
	return fmt.Sprintf(txtPracticeRest, next), nil
}
