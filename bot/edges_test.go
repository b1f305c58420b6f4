package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// TestHalfAndYearRoundsSkipNewcomers (issue 9, found by an audit: item 4, the rounds'
// messages): three members of 2026; a fourth joins on 1 January 2027 at
// 08:00, before the rounds run at 09:05. The test-close round already
// leaves the newcomer out; the 半年一比 and 年终一评 of 2026 must too — the
// newcomer is not told a rank or stars for a half year and a year they
// were not a member of, and is not counted in "本支部 N 人".
func TestHalfAndYearRoundsSkipNewcomers(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 12, 3, 10, 0))
	for i := int64(0); i < 3; i++ {
		e.member(1001+i, "党员"+stems[i], "qingshan")
	}
	e.engineStudy(1001, true, 10*time.Second)
	e.clock.Set(at(2027, 1, 1, 8, 0))
	nu := e.member(1009, "新党员", "qingshan")
	e.clock.Set(at(2027, 1, 1, 9, 5))
	e.bot.RunRounds(context.Background())
	m := e.waitAfter(e.srv.User(1002), 0, "2026年下半年半年一比")
	if !strings.Contains(m.Text, "在本支部 3 人中") {
		t.Errorf("the half-year round counts a member who joined after it ended: %s", m.Text)
	}
	e.waitAfter(e.srv.User(1002), 0, "2026年年终一评")
	e.settle()
	time.Sleep(200 * time.Millisecond)
	for _, k := range []string{"半年一比", "年终一评"} {
		if n := count(nu, k); n != 0 {
			t.Errorf("a member who joined on 1 January 2027 was sent 2026's %s (%d times)", k, n)
		}
	}
}

// TestGarbageInKnownPrefixes (issue 9, found by an audit: item 12): garbage data in a
// known manager prefix, pressed by a secretary whose scope holds the node
// and by the admin, is an unknown button — answered with a toast that
// says so — never an internal error (系统出了点问题 and an ERROR line).
// ("br:" and the like with no node show the presser's own node, as
// /branch does: not garbage.)
func TestGarbageInKnownPrefixes(t *testing.T) {
	e := newEnv(t)
	e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记甲", "qingshan")
	admin := e.srv.NewUser(adminID, "组织部")
	e.send(admin, "/start", "欢迎")
	data := []string{
		"br", "br:nowhere", "bm", "bm:nowhere", "mb", "mb:", "mb:!!", "mb:-zz", "mb:zzzzzzzzzzzzzzzzzz",
		"mk1", "mk1:zz", "mk1:zz:s", "mk1:!!:s:2026-11", "mk1:rh:s:garbage", "mk1:rh:t:2026-13",
		"mk2", "mk2:!!:s:2026-11:7", "mk2:rh:s:2026-11:x", "mk2:rh:s:2026-11",
		"fx", "fx:", "fx:!!", "fxc", "fxc:y", "fxc:q:1", "fxc:y:", "ivx", "ivx:", "ivx:nosuchcode",
		"pub", "pub:y", "pub:q:x", "rk", "rk:nowhere", "yr", "yr:nowhere",
		"iv", "iv:", "iv:qingshan", "iv:qingshan:q", "iv:nowhere:m", "bx", "bx:", "bx:nosuchbank", "bk", "bk:", "bk:x:y:z",
		"cs", "cs:", "cs:src:nowhere", "cs:n:999", "cb", "cb:nosuchbank", "cc", "cc:zz", "cc:zz:start", "cc:!!:stop", "cp", "cp:!!",
	}
	for _, u := range []*telegramtest.User{sec, admin} {
		e.pressGarbage(u, data)
	}
}

// pressGarbage presses each data on u's newest message: each is answered
// with a toast that says something, never 系统出了点问题, and counts no
// internal error.
func (e *env) pressGarbage(u *telegramtest.User, data []string) {
	e.t.Helper()
	msg := u.Messages()[len(u.Messages())-1]
	for _, d := range data {
		seq := u.Seq()
		before, failures := len(u.Answers()), e.metrics.Failures()
		if _, err := u.PressData(msg.ID, d); err != nil {
			e.t.Fatal(err)
		}
		e.eventually("an answer to "+d, func() bool { return len(u.Answers()) > before })
		e.settle()
		a := u.Answers()[len(u.Answers())-1]
		if a.Text == "" || strings.Contains(a.Text, "出了点问题") || strings.Contains(after(u, seq), "出了点问题") {
			e.t.Errorf("user %d %q: answered %q", u.ID(), d, a.Text)
		}
		if n := e.metrics.Failures() - failures; n != 0 {
			e.t.Errorf("user %d %q: %d internal errors", u.ID(), d, n)
		}
	}
}

// TestGarbageInMemberPrefixes (issue 9, found by an audit: item 12 names `mk:`): garbage
// data in a known prefix pressed by a member is an unknown button, not
// 系统出了点问题 with an internal error counted.
func TestGarbageInMemberPrefixes(t *testing.T) {
	e := newEnv(t)
	u := e.member(1001, "党员甲", "qingshan")
	data := []string{
		"mk", "mk:garbage", "mk:2026-13", "mk:2026-Q1", "mt", "mt:garbage", "mt:2026-11", "mt:2026-Q9",
		"a", "a:zz", "a:zz:zz:zz", "m:zz:zz", "s:zz", "ts", "ts:zz", "rv", "rv:zz", "rv:2030-Q1", "mv", "mv:zz", "fl", "fl:zz", "cj", "cj:zz",
	}
	e.pressGarbage(u, data)
}

// TestStaleCardAfterMove (issue 9, found by an audit: item 12, stale data): a secretary
// opened a member's card; the member then moved to a branch of another
// township. Every button of the stale card changes nothing, says why,
// and shows nothing more of the member.
func TestStaleCardAfterMove(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(at(2026, 10, 12, 10, 0))
	u := e.member(1001, "党员甲", "qingshan")
	sec := e.secretary(2001, "书记", "qingshan")
	e.clock.Set(at(2026, 11, 12, 10, 0))
	e.memberCard(sec, "党员甲")
	card := sec.Messages()[len(sec.Messages())-1]
	e.send(u, "/start "+e.invite("niumaoping", quiz.RoleMember), "牛卯坪")
	e.press(u, "确认转入", "牛卯坪村党支部")
	ledger := len(e.ledger(1001))
	for _, row := range card.Buttons {
		for _, btn := range row {
			if btn.Data == "" || strings.HasPrefix(btn.Data, "bm:") || strings.HasPrefix(btn.Data, "br:") {
				continue // 返回上级: the secretary's own node
			}
			seq := sec.Seq()
			before := len(sec.Answers())
			if _, err := sec.PressData(card.ID, btn.Data); err != nil {
				t.Fatal(err)
			}
			e.eventually("an answer to "+btn.Data, func() bool { return len(sec.Answers()) > before })
			e.settle()
			if a := sec.Answers()[len(sec.Answers())-1]; a.Text == "" {
				t.Errorf("%s (%s): refused with an empty toast", btn.Text, btn.Data)
			}
			if s := after(sec, seq); strings.Contains(s, "党员甲") || strings.Contains(s, "请选择期限") {
				t.Errorf("%s (%s): acted on a stale card: %s", btn.Text, btn.Data, s)
			}
		}
	}
	if gs := e.grants(1001); len(gs) != 0 || len(e.ledger(1001)) != ledger {
		t.Errorf("a stale card granted or booked: %+v", gs)
	}
	if n := e.metrics.Failures(); n != 0 {
		t.Errorf("%d internal errors", n)
	}
}
