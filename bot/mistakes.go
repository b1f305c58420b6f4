package bot

import (
	"fmt"
	"partyquiz/quiz"
)

func mistakes(r *Request) error {
	b := r.Bot
	a, err := b.svc.StartPractice(r.Ctx, r.From)
	if quiz.ErrorReason(err) == quiz.ReasonNoMistakes {
		book, err := b.svc.MistakeBook(r.Ctx, r.From)
		if err != nil {
			return err
		}
		r.Reply(txtMistakesEmpty + b.waitingText(book))
		return nil
	}
	if err != nil {
		return err
	}
	book, err := b.svc.MistakeBook(r.Ctx, r.From)
	if err != nil {
		return err
	}
	next := ""
	if !book.NextDue.IsZero() {
		next = fmt.Sprintf(txtMistakesNext, b.day(book.NextDue))
	}
	r.Reply(txtMistakesHeader + "\n" + fmt.Sprintf(txtMistakesIntro, book.Count, book.Due, next, len(a.Items)) + b.waitingText(book))
	return b.ask(r, a)
}

// waitingText says when the questions of a test still open come into the
// mistake book ("" when there are none).
func (b *Bot) waitingText(book quiz.Book) string {
	if book.Waiting == 0 {
		return ""
	}
	return "\n" + fmt.Sprintf(txtMistakesWaiting, book.Waiting, b.lastDay(book.WaitUntil))
}
