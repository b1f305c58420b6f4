package store_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// TestContestRecords: a contest's state, players, polls and answers come
// back as written, after the file is closed and opened again; an answer is
// recorded once per player and question, whatever is delivered again.
func TestContestRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db := mustOpenPath(t, path)
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := &quiz.Contest{Chat: -100500, Node: "taiping", Host: 50,
		Setup: quiz.ContestSetup{Chat: -100500, Source: quiz.FromBanks, Banks: []string{"b1"}, Questions: 2, Seconds: 20,
			Teams: quiz.TeamsPicked, TeamCount: 3},
		Items: []quiz.Item{{Bank: "b1", QID: "s1", Type: questions.Single, Text: "问", Options: []string{"甲", "乙"}, Answer: []int{1}}},
		Phase: quiz.PhaseAsking, Asked: []quiz.AskedQuestion{{Polls: []quiz.ContestPoll{{ID: "p1", Msg: 7, Opened: at}}}},
		Created: at, StartAt: at.Add(time.Minute), Lobby: 3}
	update(t, db, func(tx quiz.Tx) error {
		if err := tx.PutGroupBind(&quiz.GroupBind{Chat: -100500, Node: "taiping", Title: "群", By: 50, At: at}); err != nil {
			return err
		}
		if err := tx.CreateContest(c); err != nil {
			return err
		}
		if err := tx.SetChatContest(c.Chat, c.ID); err != nil {
			return err
		}
		if err := tx.PutContestPoll("p1", c.ID, 0); err != nil {
			return err
		}
		return tx.PutPlayer(c.ID, &quiz.Player{User: 101, Name: "张三", Team: 2, Branch: "niumaoping", Scores: true, Joined: at})
	})
	first := &quiz.ContestAnswer{Contest: c.ID, Q: 0, User: 101, Poll: "p1", Choice: []int{1}, At: at.Add(time.Second), Right: true, Score: 975}
	update(t, db, func(tx quiz.Tx) error {
		ok, err := tx.AddContestAnswer(first)
		if err != nil || !ok {
			t.Errorf("first answer: %v %v", ok, err)
		}
		again := *first
		again.Choice, again.Right = []int{0}, false
		if ok, err := tx.AddContestAnswer(&again); err != nil || ok {
			t.Errorf("second answer recorded: %v %v", ok, err)
		}
		other := &quiz.ContestAnswer{Contest: c.ID, Q: 0, User: 102, Poll: "p1", Choice: []int{0}, At: at.Add(2 * time.Second)}
		if ok, err := tx.AddContestAnswer(other); err != nil || !ok || other.Seq <= first.Seq {
			t.Errorf("other answer: %v %v seq %d after %d", ok, err, other.Seq, first.Seq)
		}
		if _, err := tx.AddContestAnswer(&quiz.ContestAnswer{Contest: c.ID, Poll: "p1", Choice: []int{0}}); err == nil {
			t.Error("an answer without a user was recorded")
		}
		return nil
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, path)
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Contest(c.ID)
		if err != nil {
			return err
		}
		if got.Chat != c.Chat || got.Setup.TeamCount != 3 || got.Setup.Banks[0] != "b1" || len(got.Items) != 1 ||
			got.Items[0].Answer[0] != 1 || got.Phase != quiz.PhaseAsking || got.Lobby != 3 ||
			!got.Asked[0].Polls[0].Opened.Equal(at) || !got.StartAt.Equal(at.Add(time.Minute)) {
			t.Errorf("contest = %+v", got)
		}
		if id, err := tx.ChatContest(c.Chat); err != nil || id != c.ID {
			t.Errorf("chat contest = %d, %v", id, err)
		}
		if id, q, err := tx.ContestPoll("p1"); err != nil || id != c.ID || q != 0 {
			t.Errorf("poll = %d %d %v", id, q, err)
		}
		if _, _, err := tx.ContestPoll("p2"); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("unknown poll: %v", err)
		}
		ps, err := tx.Players(c.ID)
		if err != nil || len(ps) != 1 || ps[0].Team != 2 || !ps[0].Scores || ps[0].Name != "张三" {
			t.Errorf("players = %+v, %v", ps, err)
		}
		as, err := tx.ContestAnswers(c.ID)
		if err != nil || len(as) != 2 || as[0].User != 101 || as[0].Choice[0] != 1 || !as[0].Right || as[0].Score != 975 ||
			as[0].Seq != first.Seq || !as[0].At.Equal(first.At) {
			t.Errorf("answers = %+v, %v", as, err)
		}
		bs, err := tx.GroupBinds()
		if err != nil || len(bs) != 1 || bs[0].Node != "taiping" || bs[0].Title != "群" {
			t.Errorf("binds = %+v, %v", bs, err)
		}
		return nil
	})
}

// TestChatContests lists a group's contests newest first, and only its own.
func TestChatContests(t *testing.T) {
	db := MustOpen(t)
	var ids []uint64
	update(t, db, func(tx quiz.Tx) error {
		ids = nil
		for i, chat := range []int64{-100500, -100600, -100500, -1, -100500} {
			c := &quiz.Contest{Chat: chat, Node: "n", Phase: quiz.PhaseFinished, Created: time.Unix(int64(i), 0)}
			if err := tx.CreateContest(c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.ChatContests(-100500, 0)
		if err != nil || len(got) != 3 || got[0] != ids[4] || got[2] != ids[0] {
			t.Errorf("contests of -100500 = %v, %v (ids %v)", got, err, ids)
		}
		if got, _ := tx.ChatContests(-100500, 2); len(got) != 2 {
			t.Errorf("limit 2: %v", got)
		}
		if got, _ := tx.ChatContests(-1, 0); len(got) != 1 || got[0] != ids[3] {
			t.Errorf("contests of -1 = %v", got)
		}
		if got, _ := tx.ChatContests(-7, 0); len(got) != 0 {
			t.Errorf("contests of a group without any = %v", got)
		}
		return nil
	})
}
