package telegramtest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

const groupID = -1001234567890

// pollGroup is a server on a manual clock with a group of three members.
func pollGroup(t *testing.T) (*telegramtest.Server, *telegramtest.ManualClock, *telegramtest.Group, []*telegramtest.User) {
	t.Helper()
	clock := telegramtest.NewManualClock(time.Time{})
	srv := newServer(t, telegramtest.Options{DisablePacing: true, Clock: clock})
	g := srv.NewGroup(groupID, "某支部群")
	var us []*telegramtest.User
	for i, name := range []string{"张三", "李四", "王五"} {
		u := srv.NewUser(int64(1001+i), name)
		us = append(us, u)
	}
	g.Join(us...)
	return srv, clock, g, us
}

// sendQuiz sends a non-anonymous quiz poll to the group as tgbotapi does.
func sendQuiz(t *testing.T, bot *tgbotapi.BotAPI, open int) tgbotapi.Message {
	t.Helper()
	p := tgbotapi.NewPoll(groupID, "“三会一课”中的“一课”是指？", "党课", "团课", "班会")
	p.Type = "quiz"
	p.IsAnonymous = false
	p.CorrectOptionID = 0
	p.Explanation = "按期上好党课。"
	p.OpenPeriod = open
	m, err := bot.Send(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestQuizPollAnswersInAGroup(t *testing.T) {
	srv, clock, g, us := pollGroup(t)
	bot := newBot(t, srv)
	m := sendQuiz(t, bot, 30)
	if m.Poll == nil || m.Poll.IsAnonymous || m.Poll.Type != "quiz" || m.Poll.OpenPeriod != 30 || m.Poll.CorrectOptionID != 0 {
		t.Fatalf("sent poll = %+v", m.Poll)
	}
	if err := g.Vote(us[1], m.MessageID, 2); err != nil {
		t.Fatal(err)
	}
	if err := g.Vote(us[0], m.MessageID, 0); err != nil {
		t.Fatal(err)
	}
	// A quiz answer cannot change, a stranger cannot vote, one option only.
	if err := g.Vote(us[1], m.MessageID, 0); err == nil {
		t.Error("a second quiz answer was taken")
	}
	if err := g.Vote(srv.NewUser(2001, "路人"), m.MessageID, 0); err == nil {
		t.Error("a vote from outside the group was taken")
	}
	if err := g.Vote(us[2], m.MessageID, 0, 1); err == nil {
		t.Error("two options in a single-answer poll were taken")
	}
	ups := drain(t, srv)
	var answers []string
	var last *tgbotapi.Poll
	for _, u := range ups {
		switch {
		case u.PollAnswer != nil:
			a := u.PollAnswer
			if a.PollID != m.Poll.ID || len(a.OptionIDs) != 1 {
				t.Errorf("poll_answer = %+v", a)
			}
			answers = append(answers, itoa(a.User.ID)+":"+itoa(a.OptionIDs[0]))
		case u.Poll != nil:
			last = u.Poll
		default:
			t.Errorf("unexpected update %+v", u)
		}
	}
	if got, want := strings.Join(answers, ","), "1002:2,1001:0"; got != want {
		t.Errorf("answers in order = %s, want %s", got, want)
	}
	if last == nil || last.TotalVoterCount != 2 || last.Options[0].VoterCount != 1 || last.Options[2].VoterCount != 1 || last.IsClosed {
		t.Errorf("last poll update = %+v", last)
	}
	if got := g.PollVoters(m.MessageID); len(got) != 2 || got[0] != 1002 {
		t.Errorf("voters = %v", got)
	}
	// Every member sees the same poll, with its counts.
	seen, _ := g.Message(m.MessageID)
	if seen.Poll == nil || seen.Poll.Voters != 2 || seen.Poll.Counts[0] != 1 || seen.Poll.Closed {
		t.Errorf("the group sees %+v", seen.Poll)
	}
	// The open period runs on the server's clock.
	clock.Advance(30 * time.Second)
	if err := g.Vote(us[2], m.MessageID, 0); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("vote after the open period: %v", err)
	}
	if seen, _ := g.Message(m.MessageID); !seen.Poll.Closed {
		t.Error("poll not closed after its open period")
	}
}

func TestAnonymousAdminVoteHasNoUser(t *testing.T) {
	srv, _, g, _ := pollGroup(t)
	bot := newBot(t, srv)
	m := sendQuiz(t, bot, 60)
	if err := g.VoteAnonymousAdmin(m.MessageID, 1); err != nil {
		t.Fatal(err)
	}
	env := raw(t, srv, "getUpdates", nil)
	var ups []struct {
		PollAnswer *struct {
			PollID    string          `json:"poll_id"`
			User      json.RawMessage `json:"user"`
			VoterChat *struct {
				ID int64 `json:"id"`
			} `json:"voter_chat"`
			OptionIDs []int `json:"option_ids"`
		} `json:"poll_answer"`
	}
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatal(err)
	}
	if len(ups) == 0 || ups[0].PollAnswer == nil {
		t.Fatalf("updates = %s", env.Result)
	}
	a := ups[0].PollAnswer
	if a.User != nil || a.VoterChat == nil || a.VoterChat.ID != groupID || len(a.OptionIDs) != 1 || a.OptionIDs[0] != 1 {
		t.Errorf("anonymous admin's answer = %s", env.Result)
	}
	// tgbotapi reads the missing user as id 0.
	tu := updatesOf(t, env)
	if tu[0].PollAnswer == nil || tu[0].PollAnswer.User.ID != 0 {
		t.Errorf("tgbotapi sees %+v", tu[0].PollAnswer)
	}
}

func TestRegularPollsRetractAndAnonymousPolls(t *testing.T) {
	srv, _, g, us := pollGroup(t)
	bot := newBot(t, srv)
	p := tgbotapi.NewPoll(groupID, "以下哪些属于“两不愁三保障”？", "不愁吃", "不愁穿", "住房安全")
	p.IsAnonymous = false
	p.AllowsMultipleAnswers = true
	m, err := bot.Send(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Vote(us[0], m.MessageID, 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := g.Vote(us[0], m.MessageID, 1); err == nil {
		t.Error("a second vote without retracting was taken")
	}
	if err := g.Vote(us[0], m.MessageID); err != nil {
		t.Fatalf("retract: %v", err)
	}
	if err := g.Vote(us[0], m.MessageID, 1); err != nil {
		t.Fatalf("vote again: %v", err)
	}
	var opts []string
	for _, u := range drain(t, srv) {
		if u.PollAnswer != nil {
			opts = append(opts, jsonString(u.PollAnswer.OptionIDs))
		}
	}
	if got, want := strings.Join(opts, " "), "[0,2] [] [1]"; got != want {
		t.Errorf("answers = %s, want %s", got, want)
	}
	// An anonymous poll tells the bot the counts, never who voted.
	anon, err := bot.Send(tgbotapi.NewPoll(groupID, "匿名", "是", "否"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Vote(us[1], anon.MessageID, 0); err != nil {
		t.Fatal(err)
	}
	for _, u := range drain(t, srv) {
		if u.PollAnswer != nil {
			t.Errorf("poll_answer for an anonymous poll: %+v", u.PollAnswer)
		}
		if u.Poll == nil || u.Poll.TotalVoterCount != 1 {
			t.Errorf("update = %+v", u)
		}
	}
}

func TestStopPoll(t *testing.T) {
	srv, _, g, us := pollGroup(t)
	bot := newBot(t, srv)
	m := sendQuiz(t, bot, 60)
	text, err := bot.Send(tgbotapi.NewMessage(groupID, "第 1 题"))
	if err != nil {
		t.Fatal(err)
	}
	userMsg := g.SendText(us[0], "/rank")
	gid := itoa(int64(groupID))
	tests := []struct {
		name, msg, want string
	}{
		{"no message", "999", "Bad Request: message with poll to stop not found"},
		{"no message id", "", "Bad Request: message identifier is not specified"},
		{"not a poll", itoa(text.MessageID), "Bad Request: message is not a poll"},
		{"a user's message", itoa(userMsg), "Bad Request: message is not a poll"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, raw(t, srv, "stopPoll", map[string]string{"chat_id": gid, "message_id": tt.msg}), 400, tt.want)
		})
	}
	if err := g.Vote(us[0], m.MessageID, 0); err != nil {
		t.Fatal(err)
	}
	drain(t, srv)
	env := raw(t, srv, "stopPoll", map[string]string{"chat_id": gid, "message_id": itoa(m.MessageID)})
	wantOK(t, env)
	var stopped tgbotapi.Poll
	if err := json.Unmarshal(env.Result, &stopped); err != nil {
		t.Fatal(err)
	}
	if !stopped.IsClosed || stopped.ID != m.Poll.ID || stopped.TotalVoterCount != 1 {
		t.Errorf("stopped poll = %+v", stopped)
	}
	ups := drain(t, srv)
	if len(ups) != 1 || ups[0].Poll == nil || !ups[0].Poll.IsClosed {
		t.Errorf("updates after stopPoll = %+v", ups)
	}
	wantError(t, raw(t, srv, "stopPoll", map[string]string{"chat_id": gid, "message_id": itoa(m.MessageID)}), 400,
		"Bad Request: poll has already been closed")
	if err := g.Vote(us[1], m.MessageID, 0); err == nil {
		t.Error("a vote in a stopped poll was taken")
	}
	// tgbotapi's StopPollConfig reaches it too.
	m2 := sendQuiz(t, bot, 0)
	if _, err := bot.Request(tgbotapi.NewStopPoll(groupID, m2.MessageID)); err != nil {
		t.Errorf("tgbotapi stopPoll: %v", err)
	}
}

func TestSendPollLimits(t *testing.T) {
	srv, _, _, _ := pollGroup(t)
	gid := itoa(int64(groupID))
	quiz := func(extra map[string]string) map[string]string {
		f := map[string]string{"chat_id": gid, "question": "问", "options": `["对","错"]`, "type": "quiz",
			"correct_option_id": "0", "is_anonymous": "false"}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	tests := []struct {
		name  string
		extra map[string]string
		want  string // "" for ok
	}{
		{"explanation of 200", map[string]string{"explanation": strings.Repeat("解", 200)}, ""},
		{"explanation of 201", map[string]string{"explanation": strings.Repeat("解", 201)}, "Bad Request: poll explanation length must not exceed 200"},
		{"two line feeds", map[string]string{"explanation": "一\n二\n三"}, ""},
		{"three line feeds", map[string]string{"explanation": "一\n二\n三\n四"}, "Bad Request: poll explanation must contain at most 2 line feeds"},
		{"open period 5", map[string]string{"open_period": "5"}, ""},
		{"open period 600", map[string]string{"open_period": "600"}, ""},
		{"open period 4", map[string]string{"open_period": "4"}, "Bad Request: wrong open period specified"},
		{"open period 601", map[string]string{"open_period": "601"}, "Bad Request: wrong open period specified"},
		{"question of 300", map[string]string{"question": strings.Repeat("问", 300)}, ""},
		{"no right option", map[string]string{"correct_option_id": "2"}, "Bad Request: wrong correct option id specified"},
		{"ten options", map[string]string{"options": `["1","2","3","4","5","6","7","8","9","10"]`}, ""},
		{"option of 100", map[string]string{"options": `["` + strings.Repeat("项", 100) + `","b"]`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := raw(t, srv, "sendPoll", quiz(tt.extra))
			if tt.want == "" {
				wantOK(t, env)
				return
			}
			wantError(t, env, 400, tt.want)
		})
	}
	// A quiz takes one answer whatever allows_multiple_answers says.
	env := raw(t, srv, "sendPoll", quiz(map[string]string{"allows_multiple_answers": "true"}))
	wantOK(t, env)
	var m tgbotapi.Message
	if err := json.Unmarshal(env.Result, &m); err != nil {
		t.Fatal(err)
	}
	if m.Poll.AllowsMultipleAnswers {
		t.Error("a quiz allows multiple answers")
	}
}

// TestGroupWindow: a group takes at most 20 messages (edits included) in
// any minute, whatever the burst allows; the 429 says when the oldest
// leaves the window.
func TestGroupWindow(t *testing.T) {
	srv, clock := pacedServer(t)
	srv.NewGroup(-100123, "某支部群")
	send := func() envelope {
		return raw(t, srv, "sendMessage", map[string]string{"chat_id": "-100123", "text": "题"})
	}
	for i := 0; i < 5; i++ { // the burst at 0 s
		wantOK(t, send())
	}
	for i := 0; i < 14; i++ { // one every 3 s: 3 s … 42 s
		clock.Advance(3 * time.Second)
		wantOK(t, send())
	}
	clock.Advance(3 * time.Second) // 45 s: the 20th in the minute
	wantOK(t, raw(t, srv, "editMessageText", map[string]string{"chat_id": "-100123", "message_id": "1", "text": "改"}))
	clock.Advance(3 * time.Second) // 48 s: the bucket has a token, the window is full
	want429(t, send(), 12)
	clock.Advance(12 * time.Second) // 60 s: the burst has left the window
	wantOK(t, send())
}
