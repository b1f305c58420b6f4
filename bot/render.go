package bot

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// maxMessage is the most characters the bot puts in one message; Telegram
// allows 4096 after entity parsing, and splitting at lines leaves room.
const maxMessage = 4000

// esc escapes text from banks, names and users for HTML messages.
func esc(s string) string { return html.EscapeString(s) }

// stripTags turns a short HTML text into plain text (for toasts).
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

// visibleLen counts the characters a user sees of an HTML text.
func visibleLen(s string) int { return utf8.RuneCountInString(stripTags(s)) }

// splitMessage splits a long HTML text into messages at line breaks. Every
// line the bot renders closes its own tags, so a split never breaks one.
// A single line longer than a message is cut (it never is: banks are
// checked for length).
func splitMessage(text string) []string {
	if visibleLen(text) <= maxMessage {
		return []string{text}
	}
	var out []string
	var cur strings.Builder
	n := 0
	for _, line := range strings.Split(text, "\n") {
		l := visibleLen(line) + 1
		if n+l > maxMessage && cur.Len() > 0 {
			out = append(out, strings.TrimRight(cur.String(), "\n"))
			cur.Reset()
			n = 0
		}
		if l > maxMessage {
			line = esc(truncate(stripTags(line), maxMessage-1))
			l = maxMessage
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		n += l
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, strings.TrimRight(cur.String(), "\n"))
	}
	return out
}

// firstPart is the part of a text that fits one message (for edits).
func firstPart(text string) string { return splitMessage(text)[0] }

// PeriodName is a period as users read it: 2026年11月, 2026年第四季度,
// 2026年下半年, 2026年.
func PeriodName(p quiz.Period) string {
	switch p.Kind {
	case quiz.Month:
		return fmt.Sprintf(txtPeriodMonth, p.Year, p.N)
	case quiz.Quarter:
		return fmt.Sprintf(txtPeriodQuarter, p.Year, txtNumerals[p.N-1])
	case quiz.Half:
		return fmt.Sprintf(txtPeriodHalf, p.Year, txtHalves[p.N-1])
	}
	return fmt.Sprintf(txtPeriodYear, p.Year)
}

// period names a period by its key ("" for a key that is not one).
func (b *Bot) period(key string) string {
	p, err := b.svc.Cal.Parse(key)
	if err != nil {
		return ""
	}
	return PeriodName(p)
}

// day formats a date as 12月31日.
func (b *Bot) day(t time.Time) string {
	t = t.In(b.svc.Cal.Loc)
	return fmt.Sprintf(txtDay, t.Month(), t.Day())
}

// lastDay formats the last day before an exclusive end: 12月31日 for the
// first instant of January 1.
func (b *Bot) lastDay(end time.Time) string { return b.day(end.Add(-time.Second)) }

// dateTime formats 12月31日 18:05.
func (b *Bot) dateTime(t time.Time) string {
	t = t.In(b.svc.Cal.Loc)
	return fmt.Sprintf(txtDateTime, t.Month(), t.Day(), t.Hour(), t.Minute())
}

// percent formats a 0–1 rate as 87.5%.
func percent(f float64) string {
	if math.IsNaN(f) {
		return txtRankNone
	}
	return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
}

// wholePercent formats a 0–1 threshold as 30%.
func wholePercent(f float64) string { return strconv.Itoa(int(math.Round(100*f))) + "%" }

// score formats a 0–100 figure with one decimal.
func score(f float64) string {
	if math.IsNaN(f) {
		return txtRankNoTest
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// starsText draws n stars: ★★★☆☆.
func starsText(n int) string { return strings.Repeat("★", n) + strings.Repeat("☆", 5-n) }

// --- callback data ------------------------------------------------------

// Callback data is short text, at most 64 bytes, "kind:field:field…";
// numbers in base 36. Every press is checked by the engine, so forged
// data can change nothing: it can only name something the engine refuses.

func id36(id uint64) string { return strconv.FormatUint(id, 36) }

func parseID36(s string) (uint64, bool) {
	v, err := strconv.ParseUint(s, 36, 64)
	return v, err == nil
}

// pressedID reads the id36 at index 1 of a button's data of n parts
// (prefix:id…). Data of another shape is an unknown button: the press is
// told so and ok is false.
func (r *Request) pressedID(n int) (id uint64, ok bool) {
	if len(r.Data) == n {
		id, ok = parseID36(r.Data[1])
	}
	if !ok {
		r.Toast(txtButtonUnknown)
	}
	return id, ok
}

func parseSmall(s string, max int) (int, bool) {
	v, err := strconv.Atoi(s)
	return v, err == nil && v >= 0 && v <= max
}

// answerData is the data of an option button: "a:<attempt>:<item>:<option>".
func answerData(att uint64, idx, opt int) string {
	return fmt.Sprintf("a:%s:%d:%d", id36(att), idx, opt)
}

// toggleData and submitData carry a multiple choice's selection as a bit
// mask, so the keyboard itself holds the state and survives a restart.
func toggleData(att uint64, idx, mask int) string {
	return fmt.Sprintf("m:%s:%d:%d", id36(att), idx, mask)
}

func submitData(att uint64, idx, mask int) string {
	return fmt.Sprintf("s:%s:%d:%d", id36(att), idx, mask)
}

// parseAnswerData reads "k:<attempt>:<item>:<n>".
func parseAnswerData(d []string) (att uint64, idx, n int, ok bool) {
	if len(d) != 4 {
		return 0, 0, 0, false
	}
	att, ok1 := parseID36(d[1])
	idx, ok2 := parseSmall(d[2], 200)
	n, ok3 := parseSmall(d[3], 1<<questions.MaxOptions-1)
	return att, idx, n, ok1 && ok2 && ok3
}

// --- questions ----------------------------------------------------------

// header is the first line of a question message for an attempt.
func (b *Bot) header(a *quiz.Attempt) string {
	switch a.Kind {
	case quiz.Test:
		p, _ := b.svc.Cal.Parse(a.Period)
		return fmt.Sprintf(txtTestHeader, PeriodName(p))
	case quiz.Practice:
		return txtMistakesHeader
	}
	p, _ := b.svc.Cal.Parse(a.Period)
	if a.Makeup {
		return fmt.Sprintf(txtMakeupHeader, PeriodName(p))
	}
	return fmt.Sprintf(txtStudyHeader, PeriodName(p))
}

// questionText renders item idx as it is asked: its header with the
// time left of a test, the question, its options, and how to answer.
func (b *Bot) questionText(a *quiz.Attempt, idx int, now time.Time) string {
	it := &a.Items[idx]
	var extra string
	if a.Kind == quiz.Test {
		extra = " · " + timeLeft(a.Deadline.Sub(now))
	}
	if it.Mistake && a.Kind != quiz.Practice {
		extra += txtFromMistakes
	}
	s := b.questionBody(a, idx, extra)
	switch it.Type {
	case questions.Fill:
		if n := blanks(it); n > 1 {
			s += "\n\n" + fmt.Sprintf(txtFillPromptBlanks, n)
			break
		}
		s += "\n\n" + txtFillPrompt
	case questions.Multiple:
		s += "\n\n" + txtMultiPrompt
	}
	return s
}

func timeLeft(d time.Duration) string {
	if d < time.Minute {
		return txtTimeLeftSec
	}
	return fmt.Sprintf(txtTimeLeft, int(d/time.Minute))
}

// questionKeyboard is the buttons of item idx: a letter per option, 对/错,
// or toggles and 提交 for multiple choice (mask: the options selected).
func questionKeyboard(a *quiz.Attempt, idx, mask int) *tgbotapi.InlineKeyboardMarkup {
	it := &a.Items[idx]
	var rows [][]tgbotapi.InlineKeyboardButton
	var row []tgbotapi.InlineKeyboardButton
	flush := func() {
		if len(row) > 0 {
			rows = append(rows, row)
			row = nil
		}
	}
	switch it.Type {
	case questions.Fill:
		return nil
	case questions.TrueFalse:
		for i, o := range it.Options {
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(o, answerData(a.ID, idx, i)))
		}
	case questions.Single:
		for i := range it.Options {
			if len(row) == 4 {
				flush()
			}
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(questions.Letter(i), answerData(a.ID, idx, i)))
		}
	case questions.Multiple:
		for i := range it.Options {
			if len(row) == 4 {
				flush()
			}
			mark := "☐ "
			if mask&(1<<i) != 0 {
				mark = "☑ "
			}
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(mark+questions.Letter(i), toggleData(a.ID, idx, mask^(1<<i))))
		}
		flush()
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(txtSubmit, submitData(a.ID, idx, mask)))
	}
	flush()
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// responseText is a response as the member gave it: "B", "ACD", "对", or
// the typed text.
func responseText(it *quiz.Item, r quiz.Response) string {
	if !r.Done {
		return txtNoAnswer
	}
	if it.Type == questions.Fill {
		return esc(r.Text)
	}
	if it.Type == questions.TrueFalse && len(r.Choice) == 1 {
		return it.Options[r.Choice[0]]
	}
	var s strings.Builder
	for _, c := range r.Choice {
		s.WriteString(questions.Letter(c))
	}
	return s.String()
}

// feedbackText is the question with the member's answer, whether it was
// right, the right answer and the explanation (study and practice).
func (b *Bot) feedbackText(a *quiz.Attempt, idx int, r quiz.Response) string {
	it := &a.Items[idx]
	var s strings.Builder
	s.WriteString(b.questionBody(a, idx, ""))
	s.WriteString("\n\n")
	s.WriteString(fmt.Sprintf(txtYourAnswer, responseText(it, r)))
	s.WriteString("  ")
	if r.Right {
		s.WriteString(txtRight)
	} else {
		s.WriteString(fmt.Sprintf(txtWrong, rightText(it)))
	}
	if it.Explanation != "" {
		s.WriteString("\n" + fmt.Sprintf(txtExplanation, esc(it.Explanation)))
	}
	if it.Source != "" {
		s.WriteString("\n" + fmt.Sprintf(txtSource, esc(it.Source)))
	}
	return s.String()
}

// rightText is the right answer as feedback and reviews show it: "B", "对",
// the accepted answers — and, for a choice question without an explanation
// to say why, the right options' text, since options are shuffled and a
// letter alone says little ("B. 党课").
func rightText(it *quiz.Item) string {
	if it.Explanation != "" || (it.Type != questions.Single && it.Type != questions.Multiple) {
		return esc(it.AnswerText())
	}
	parts := make([]string, 0, len(it.Answer))
	for _, i := range it.Answer {
		if i >= 0 && i < len(it.Options) {
			parts = append(parts, questions.Letter(i)+". "+esc(it.Options[i]))
		}
	}
	return strings.Join(parts, "；")
}

// blanks is the number of blanks of a 填空 item.
func blanks(it *quiz.Item) int {
	q := questions.Question{Type: it.Type, Accepted: it.Accepted}
	return len(q.Blanks())
}

// answeredTestText is a test question once answered: no right or wrong.
func (b *Bot) answeredTestText(a *quiz.Attempt, idx int, r quiz.Response) string {
	return b.questionBody(a, idx, "") + "\n\n" + fmt.Sprintf(txtAnsweredTest, responseText(&a.Items[idx], r))
}

// questionBody is the question: the attempt's header, its progress line
// (followed by extra), the text and the options.
func (b *Bot) questionBody(a *quiz.Attempt, idx int, extra string) string {
	it := &a.Items[idx]
	var s strings.Builder
	s.WriteString(b.header(a))
	s.WriteString("\n")
	s.WriteString(fmt.Sprintf(txtProgress, idx+1, len(a.Items), it.Type))
	s.WriteString(extra)
	s.WriteString("\n\n")
	s.WriteString(esc(it.Text))
	if it.Type == questions.Single || it.Type == questions.Multiple {
		s.WriteString("\n")
		for i, o := range it.Options {
			fmt.Fprintf(&s, "\n%s. %s", questions.Letter(i), esc(o))
		}
	}
	return s.String()
}

// passText words a score against the pass mark.
func (b *Bot) passText(score int) string {
	if score >= b.svc.Rules.PassMark {
		return txtPassed
	}
	return txtFailed
}

// earnedText lists points earned, or "".
func earnedText(es []quiz.Entry) string {
	var parts []string
	for _, e := range es {
		sign := "+"
		if e.Amount < 0 {
			sign = ""
		}
		parts = append(parts, sign+e.Amount.String())
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf(txtPointsEarned, strings.Join(parts, " "))
}

func isNaN(f float64) bool { return math.IsNaN(f) }

func unixTime(sec int64) time.Time { return time.Unix(sec, 0) }

// meanNum formats a 0–100 mean of quiz.Figures with one decimal, a dash
// when there is none.
func meanNum(f float64) string {
	if math.IsNaN(f) {
		return txtNoFigure
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// ratePct formats a 0–1 rate of quiz.Figures as 33.3%, a dash when there
// is none (nothing was owed).
func ratePct(f float64) string {
	if math.IsNaN(f) {
		return txtNoFigure
	}
	return percent(f)
}
