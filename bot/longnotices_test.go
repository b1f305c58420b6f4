package bot_test

import (
	"context"
	"strings"
	"testing"

	"partyquiz/quiz"
)

// TestLongNoticesToOneChatInOrder: "a notice longer than one message is
// sent whole, in parts" (issue 10). Two long events for one chat — an
// admin's half-year and year tables are emitted at the same moment at a
// year's end — reach it one after the other: all of the first notice's
// parts, then all of the second's (A A A B B B), never interleaved
// (A B A B A B, as when each next part was queued only once the one
// before was taken).
func TestLongNoticesToOneChatInOrder(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	long := func(mark string) string {
		var lines []string
		for i := 0; i < 900; i++ {
			lines = append(lines, mark+"行"+strings.Repeat("字", 5)+"——"+stems[i%10])
		}
		return strings.Join(lines, "\n") // about 9,000 characters: three messages
	}
	ctx := context.Background()
	if _, err := e.db.Enqueue(ctx, []quiz.Event{
		{Ref: "long:a", Chat: 1001, Text: long("甲")},
		{Ref: "long:b", Chat: 1001, Text: long("乙")},
	}); err != nil {
		t.Fatal(err)
	}
	seq := u.Seq()
	e.bot.RunRounds(ctx) // wakes the sender
	for _, ref := range []string{"long:a", "long:b"} {
		e.eventually("the long events to be sent", func() bool { st, _ := e.db.EventState(ctx, ref); return st == "sent" })
	}
	var order []string
	for _, m := range u.Messages() {
		switch {
		case m.Seq <= seq:
		case strings.Contains(m.Text, "甲行"):
			order = append(order, "A")
		case strings.Contains(m.Text, "乙行"):
			order = append(order, "B")
		}
	}
	changes := 0
	for i := 1; i < len(order); i++ {
		if order[i] != order[i-1] {
			changes++
		}
	}
	if changes > 1 || len(order) < 4 || order[0] != "A" {
		t.Errorf("the parts of two long notices to one chat arrived as %s; want all of the first's, then all of the second's", strings.Join(order, " "))
	}
}
