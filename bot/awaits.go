package bot

import (
	"context"

	"partyquiz/questions"
)

// AwaitsText reports whether the bot waits for typed text in a private
// chat: a newcomer's real name, a fill-in answer, a note on a wrong
// question, a point correction. A front end that numbers buttons
// (partyquiz chat) sends a typed "1" as text then, and presses a button
// otherwise.
func (b *Bot) AwaitsText(ctx context.Context, chat int64) bool {
	d, err := b.loadDialog(ctx, chat)
	if err != nil || d == nil {
		return false
	}
	switch d.Mode {
	case modeName, modeFlag, modeFix:
		return true
	case modeAttempt:
		a, err := b.svc.Attempt(ctx, chat, d.Attempt)
		if err != nil || a.Closed {
			return false
		}
		i := a.Current()
		return i < len(a.Items) && a.Items[i].Type == questions.Fill
	}
	return false
}
