package bot

import (
	"context"

	"partyquiz/quiz"
)

// RenderEvent is render for the crash test (package bot_test): the
// messages an event is sent as, worded the way the outbox's sender words
// it.
func (b *Bot) RenderEvent(ctx context.Context, e quiz.Event) ([]string, error) {
	return b.render(ctx, e)
}
