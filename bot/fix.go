package bot

import (
	"fmt"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/quiz"
)

// A point correction (调整积分) from a member's card: the secretary types
// "+2 原因", sees who, how many and why, and confirms with 确认调整; only
// then is it booked (once, however often the button is pressed) and the
// member told, with the reason.

// pendingFix is a correction waiting for 确认调整, kept in the dialog: the
// member, the amount, the reason as typed, and the ref of the message that
// typed it (a redelivered message or a second press books nothing twice).
type pendingFix struct {
	Member int64
	Amount quiz.Points
	Ref    string
	Reason string
}

func (p pendingFix) encode() string {
	return strings.Join([]string{strconv.FormatInt(p.Member, 10), strconv.FormatInt(int64(p.Amount), 10), p.Ref, p.Reason}, "\n")
}

func decodeFix(s string) (pendingFix, bool) {
	f := strings.SplitN(s, "\n", 4)
	if len(f) != 4 {
		return pendingFix{}, false
	}
	id, err1 := strconv.ParseInt(f[0], 10, 64)
	amount, err2 := strconv.ParseInt(f[1], 10, 64)
	return pendingFix{Member: id, Amount: quiz.Points(amount), Ref: f[2], Reason: f[3]}, err1 == nil && err2 == nil
}

// token ties the confirmation's buttons to this correction.
func (p pendingFix) token() string { return shortHash(p.encode()) }

// signedPoints formats points with their sign: +2, -1.5.
func signedPoints(p quiz.Points) string {
	if p > 0 {
		return "+" + p.String()
	}
	return p.String()
}

// pressFix asks for a point correction.
func pressFix(r *Request) error {
	id, ok := memberArg(r, 1)
	if !ok {
		r.Toast(txtButtonUnknown)
		return nil
	}
	card, err := r.Bot.svc.MemberCard(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	r.Toast("")
	d := &dialog{Mode: modeFix, Data: strconv.FormatInt(id, 10), Attempt: interrupting(r.Dialog)}
	if err := r.Bot.saveDialog(r.Ctx, r.Chat, d); err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtAskFix, esc(card.User.Name)))
	return nil
}

// fixText reads "+2 reason" and asks to confirm the correction.
func fixText(r *Request) error {
	b := r.Bot
	id, err := strconv.ParseInt(r.Dialog.Data, 10, 64)
	if r.Dialog.Mode == modeFixConfirm {
		p, ok := decodeFix(r.Dialog.Data)
		id, err = p.Member, nil
		if !ok {
			err = fmt.Errorf("a pending correction that does not decode")
		}
	}
	if err != nil {
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		return err
	}
	amount, reason, ok := parseFix(r.Msg.Text)
	if max := quiz.PointsOf(quiz.MaxCorrection); amount > max || amount < -max {
		ok = false
	}
	if !ok {
		r.Reply(txtBadFix)
		return nil
	}
	card, err := b.svc.MemberCard(r.Ctx, r.Viewer, id)
	if err != nil {
		return err
	}
	p := pendingFix{Member: id, Amount: amount, Ref: fmt.Sprintf("%d-%d", r.Chat, r.Msg.MessageID), Reason: reason}
	if err := b.saveDialog(r.Ctx, r.Chat, &dialog{Mode: modeFixConfirm, Data: p.encode(), Attempt: r.Dialog.Attempt}); err != nil {
		return err
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtFixConfirm, "fxc:y:"+p.token()),
		tgbotapi.NewInlineKeyboardButtonData(txtCancel, "fxc:n:"+p.token())))
	r.ReplyKB(fmt.Sprintf(txtFixAsk, esc(card.User.Name), esc(b.svc.Tree().Path(card.User.Branch)),
		signedPoints(amount), esc(reason), esc(card.User.Name)), &kb)
	return nil
}

// pressFixConfirm books the correction shown (确认调整) or drops it (取消):
// only the newest confirmation's buttons do anything.
func pressFixConfirm(r *Request) error {
	b := r.Bot
	if len(r.Data) != 3 || (r.Data[1] != "y" && r.Data[1] != "n") {
		r.Toast(txtButtonUnknown)
		return nil
	}
	d := r.Dialog
	var p pendingFix
	ok := d != nil && d.Mode == modeFixConfirm
	if ok {
		p, ok = decodeFix(d.Data)
	}
	if !ok || p.token() != r.Data[2] {
		r.Toast(txtButtonStale)
		b.dropKeyboard(r)
		return nil
	}
	if r.Data[1] == "n" {
		r.Toast("")
		b.dropKeyboard(r)
		r.Reply(txtFixCancelled)
		_, err := b.resume(r, d.Attempt)
		return err
	}
	// The ledger keeps the reason as typed; the engine tells the member.
	e, err := b.svc.Correct(r.Ctx, r.Viewer, p.Member, p.Amount, p.Reason, p.Ref)
	if err != nil {
		return err
	}
	r.Toast("")
	b.dropKeyboard(r)
	card, err := b.svc.MemberCard(r.Ctx, r.Viewer, p.Member)
	if err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtFixed, esc(card.User.Name), signedPoints(e.Amount), esc(p.Reason)))
	_, err = b.resume(r, d.Attempt)
	return err
}
