package bot

import (
	"fmt"
	"slices"
)

// A dialog that interrupts an attempt — a member's note on a wrong
// question (答题纠错), a secretary's point correction — keeps the attempt
// in progress in its Attempt field, so that when it ends, by its answer or
// by /cancel, the user is back at the question they were answering,
// ready to answer it (a typed fill-in answer included), instead of
// stranded with "请使用命令和按钮操作".

// interrupting is the attempt in progress a new dialog must keep: the
// chat's current attempt, or the one an interrupting dialog already keeps.
func interrupting(d *dialog) uint64 {
	if d == nil || !slices.Contains([]string{modeAttempt, modeFlag, modeFix, modeFixConfirm}, d.Mode) {
		return 0
	}
	return d.Attempt
}

// resume ends an interrupting dialog: the attempt it kept, if still open,
// is the chat's dialog again and its current question is shown again;
// otherwise the dialog is dropped. It reports whether a question was
// shown.
func (b *Bot) resume(r *Request, att uint64) (bool, error) {
	if att != 0 {
		a, err := b.svc.Attempt(r.Ctx, r.From, att)
		if err == nil && !a.Closed && !a.Expired(b.svc.Now()) && a.Current() < len(a.Items) {
			r.Reply(fmt.Sprintf(txtResume, a.Answered(), len(a.Items)))
			return true, b.ask(r, a)
		}
	}
	return false, b.saveDialog(r.Ctx, r.Chat, nil)
}
