package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"partyquiz/quiz"
)

// TestReminderPendingPastItsPeriod: a reminder still waiting in the outbox
// when its month or test window is over (a long queue, or the bot down
// after the round ran) is checked when it is sent: one for a month that
// has ended is not sent (failed, for good), one for an ended month and a
// closed test is not sent either, a secretary's summary of a month over is
// not sent, and one for this month is sent as it is.
func TestReminderPendingPastItsPeriod(t *testing.T) {
	e := newEnv(t) // 2026-11-10
	u := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记乙", "qingshan")
	ctx := context.Background()
	closed := time.Date(2026, 10, 1, 0, 0, 0, 0, e.cal.Loc) // Q3's window
	events := []quiz.Event{
		{Ref: "due:october", Chat: 1001, Kind: quiz.EventReminder, Period: "2026-10", Right: 2, Count: 10},
		{Ref: "due:october-q3", Chat: 1001, Kind: quiz.EventReminder, Period: "2026-10", Test: "2026-Q3", Until: closed},
		{Ref: "due:report", Chat: 2001, Kind: quiz.EventRemindReport, Period: "2026-10", Node: "qingshan", Count: 1, Of: 1},
		{Ref: "due:november", Chat: 1001, Kind: quiz.EventReminder, Period: "2026-11", Right: 3, Count: 10},
	}
	useq, sseq := u.Seq(), sec.Seq()
	if _, err := e.db.Enqueue(ctx, events); err != nil {
		t.Fatal(err)
	}
	e.bot.RunRounds(ctx) // wakes the sender
	for _, ev := range events {
		e.eventually("the reminders to be settled", func() bool { st, _ := e.db.EventState(ctx, ev.Ref); return st != "pending" })
	}
	for _, ref := range []string{"due:october", "due:october-q3", "due:report"} {
		if st, _ := e.db.EventState(ctx, ref); !strings.HasPrefix(st, "failed") {
			t.Errorf("%s, of a period over, is %q; want failed (not sent)", ref, st)
		}
	}
	if st, _ := e.db.EventState(ctx, "due:november"); st != "sent" {
		t.Errorf("this month's reminder is %q; want sent", st)
	}
	var told []string
	for _, m := range u.Messages() {
		if m.Seq > useq {
			told = append(told, m.Text)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "11月") || !strings.Contains(told[0], "3/10") {
		t.Errorf("the member was told %q; want only November's reminder", told)
	}
	for _, m := range sec.Messages() {
		if m.Seq > sseq && strings.Contains(m.Text, "自动提醒") {
			t.Errorf("the secretary was sent the summary of a month over: %q", m.Text)
		}
	}
}
