package bot

import "slices"

// A text prompt is a dialog that waits for one typed message: a member's
// note on a wrong question (答题纠错), a secretary's "分数 原因" for a point
// correction and its confirmation (which takes the text typed again). A
// command sent instead leaves the prompt: the prompt ends and the command
// runs, so that the next typed text is never read as the abandoned
// prompt's answer — not after a restart either, since dialogs are stored.
// The join's name prompt is not one of them: it keeps asking
// (nameWanted), and /cancel ends every prompt its own way (cancel).

// textPrompts are the dialog modes a command ends.
var textPrompts = []string{modeFlag, modeFix, modeFixConfirm}

// leavePrompt ends the text prompt a command was sent in, if any: the
// attempt the prompt interrupted, if any, is the chat's dialog again (not
// shown again: the command answers), else the dialog is dropped.
func (b *Bot) leavePrompt(r *Request) error {
	d := r.Dialog
	if d == nil || r.Command == "cancel" || !slices.Contains(textPrompts, d.Mode) {
		return nil
	}
	var kept *dialog
	if d.Attempt != 0 {
		kept = &dialog{Mode: modeAttempt, Attempt: d.Attempt}
	}
	r.Dialog = kept
	return b.saveDialog(r.Ctx, r.Chat, kept)
}
