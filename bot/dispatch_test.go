package bot

import (
	"context"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestDispatcherForgets: the dispatcher remembers the updates it took only
// until Telegram can no longer deliver them again (before the offset last
// asked from), so a bot that runs for months does not grow with every
// update; one that can still come again is still skipped.
func TestDispatcherForgets(t *testing.T) {
	d := newDispatcher(&Bot{}, context.Background())
	ups := func(ids ...int) []tgbotapi.Update {
		var out []tgbotapi.Update
		for _, id := range ids {
			out = append(out, tgbotapi.Update{UpdateID: id})
		}
		return out
	}
	for first := 1; first < 10000; first += 100 {
		var ids []int
		for id := first; id < first+100; id++ {
			ids = append(ids, id)
		}
		if got, _ := d.fresh(ups(ids...), nil); len(got) != 100 {
			t.Fatalf("fresh gave %d of 100 new updates", len(got))
		}
		d.forget(first) // the poll that returned them asked from first
	}
	if n := len(d.seen); n > 100 {
		t.Errorf("remembers %d updates after 10,000, want at most the last poll's 100", n)
	}
	if got, _ := d.fresh(ups(9950), nil); len(got) != 0 {
		t.Error("an update of the last poll, delivered again, was taken again")
	}
}
