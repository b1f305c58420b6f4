package bot

import (
	"fmt"
	"partyquiz/questions"
	"partyquiz/quiz"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

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
			fmt.Sprintf(txtReviewButton, PeriodName(p), a.Score), "rv:"+id36(a.ID))))
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
	id, ok := r.pressedID(2)
	if !ok {
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
	s.WriteString(fmt.Sprintf(txtReviewHeader, PeriodName(p), a.N, a.Score, a.Right, len(a.Items)))
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
			text += " " + strings.Join(opts, txtSemi)
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
