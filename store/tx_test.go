package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

var t0 = time.Date(2026, 11, 5, 8, 30, 0, 123, time.UTC)

func TestSaltMadeOnceAndKept(t *testing.T) {
	path := t.TempDir() + "/q.db"
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var s1 string
	view(t, db, func(tx quiz.Tx) (err error) { s1, err = tx.Salt(); return err })
	db.Close()
	if len(s1) != 64 {
		t.Fatalf("salt %q: want 64 hex digits", s1)
	}
	db = mustOpenPath(t, path)
	var s2 string
	view(t, db, func(tx quiz.Tx) (err error) { s2, err = tx.Salt(); return err })
	if s1 != s2 {
		t.Fatalf("salt changed on reopen: %q, then %q", s1, s2)
	}
	other := MustOpen(t)
	var s3 string
	view(t, other, func(tx quiz.Tx) (err error) { s3, err = tx.Salt(); return err })
	if s3 == s1 {
		t.Fatal("two files have the same salt")
	}
}

func TestUsers(t *testing.T) {
	db := MustOpen(t)
	u1 := &quiz.User{ID: 7, Name: "张三", Branch: "b1", Joined: t0}
	u2 := &quiz.User{ID: 3, Name: "李四", Branch: "b1", Secretary: []string{"t1", "b2"}, Joined: t0, Unreachable: true}
	u3 := &quiz.User{ID: 5, Name: "王五", Secretary: []string{"city"}}
	update(t, db, func(tx quiz.Tx) error {
		for _, u := range []*quiz.User{u1, u2, u3} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.User(3)
		if err != nil {
			return err
		}
		if got.Name != u2.Name || got.Branch != "b1" || !reflect.DeepEqual(got.Secretary, u2.Secretary) ||
			!got.Joined.Equal(t0) || !got.Unreachable || got.ID != 3 {
			t.Errorf("User(3) = %+v, want %+v", got, u2)
		}
		got.Secretary[0] = "changed"
		again, _ := tx.User(3)
		if again.Secretary[0] != "t1" {
			t.Error("User returned a slice shared with the store")
		}
		if _, err := tx.User(99); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("User(99) error = %v, want ErrNotFound", err)
		}
		ms, err := tx.Members("b1")
		if err != nil {
			return err
		}
		if len(ms) != 2 || ms[0].ID != 3 || ms[1].ID != 7 {
			t.Errorf("Members(b1) = %v, want users 3 and 7", ids(ms))
		}
		var all []int64
		err = tx.ForEachUser(func(u *quiz.User) error { all = append(all, u.ID); return nil })
		if !reflect.DeepEqual(all, []int64{3, 5, 7}) {
			t.Errorf("ForEachUser visited %v, want [3 5 7]", all)
		}
		return err
	})
	// Moving a member moves the index; leaving a branch removes it.
	update(t, db, func(tx quiz.Tx) error {
		u1.Branch = "b2"
		if err := tx.PutUser(u1); err != nil {
			return err
		}
		u2.Branch = ""
		return tx.PutUser(u2)
	})
	view(t, db, func(tx quiz.Tx) error {
		b1, _ := tx.Members("b1")
		b2, _ := tx.Members("b2")
		if len(b1) != 0 || len(b2) != 1 || b2[0].ID != 7 {
			t.Errorf("after moves: b1 %v, b2 %v; want [] and [7]", ids(b1), ids(b2))
		}
		// A branch whose id is a prefix of another's is not confused with it.
		b, _ := tx.Members("b")
		if len(b) != 0 {
			t.Errorf("Members(b) = %v, want none", ids(b))
		}
		return nil
	})
}

func ids(us []*quiz.User) []int64 {
	var out []int64
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func TestForEachUserMayWrite(t *testing.T) {
	db := MustOpen(t)
	update(t, db, func(tx quiz.Tx) error {
		for i := int64(1); i <= 1000; i++ {
			if err := tx.PutUser(&quiz.User{ID: i, Name: "x", Branch: "b1"}); err != nil {
				return err
			}
		}
		return nil
	})
	n := 0
	update(t, db, func(tx quiz.Tx) error {
		n = 0
		return tx.ForEachUser(func(u *quiz.User) error {
			n++
			u.Unreachable = true
			u.Name = "很长很长的名字用来让页面分裂"
			return tx.PutUser(u)
		})
	})
	if n != 1000 {
		t.Fatalf("visited %d users, want 1000", n)
	}
	stop := errors.New("stop")
	n = 0
	err := db.View(context.Background(), func(tx quiz.Tx) error {
		return tx.ForEachUser(func(u *quiz.User) error {
			if !u.Unreachable {
				t.Errorf("user %d not updated", u.ID)
			}
			if n++; n == 300 {
				return stop
			}
			return nil
		})
	})
	if !errors.Is(err, stop) || n != 300 {
		t.Fatalf("ForEachUser stopped after %d with %v, want 300 and stop", n, err)
	}
}

func TestMemberCounts(t *testing.T) {
	db := MustOpen(t)
	update(t, db, func(tx quiz.Tx) error {
		for _, n := range []string{"b1", "t1", "city"} {
			if err := tx.AddMemberCount(n, 2); err != nil {
				return err
			}
		}
		if err := tx.AddMemberCount("b2", 1); err != nil {
			return err
		}
		return tx.AddMemberCount("b2", -1)
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.MemberCounts()
		if err != nil {
			return err
		}
		want := map[string]int64{"b1": 2, "t1": 2, "city": 2}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("MemberCounts = %v, want %v", got, want)
		}
		if n, err := tx.MemberCount("t1"); n != 2 || err != nil {
			t.Errorf("MemberCount(t1) = %d, %v; want 2", n, err)
		}
		if n, err := tx.MemberCount("nowhere"); n != 0 || err != nil {
			t.Errorf("MemberCount(nowhere) = %d, %v; want 0, nil", n, err)
		}
		return nil
	})
}

func TestInvites(t *testing.T) {
	db := MustOpen(t)
	inv := &quiz.Invite{Code: "Abc_123-x", Node: "b1", Role: quiz.RoleSecretary, By: 1, Created: t0,
		Expires: t0.Add(time.Hour), Uses: 2}
	update(t, db, func(tx quiz.Tx) error { return tx.PutInvite(inv) })
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Invite(inv.Code)
		if err != nil {
			return err
		}
		if got.Code != inv.Code || got.Node != "b1" || got.Role != quiz.RoleSecretary || got.By != 1 ||
			!got.Created.Equal(t0) || !got.Expires.Equal(inv.Expires) || got.Uses != 2 || got.Revoked {
			t.Errorf("Invite = %+v, want %+v", got, inv)
		}
		if _, err := tx.Invite("nope"); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("Invite(nope) error = %v, want ErrNotFound", err)
		}
		if _, err := tx.Invite(""); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("Invite(\"\") error = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testItems() []quiz.Item {
	return []quiz.Item{
		{Bank: "b1", QID: "s1", Hash: "h1", Type: questions.Single, Text: "一课？", Options: []string{"A", "B"}, Answer: []int{1}, Explanation: "党课"},
		{Bank: "b1", QID: "f1", Hash: "h2", Type: questions.Fill, Text: "____", Accepted: []string{"统筹", "统一筹划"}, Source: "综述", Mistake: true},
	}
}

func TestAttempts(t *testing.T) {
	db := MustOpen(t)
	a := &quiz.Attempt{User: 9, Kind: quiz.Test, Period: "2026-Q4", N: 1, Branch: "b1", Items: testItems(),
		Responses: make([]quiz.Response, 2), Started: t0, Deadline: t0.Add(30 * time.Minute), Until: t0.Add(24 * time.Hour)}
	update(t, db, func(tx quiz.Tx) error { return tx.CreateAttempt(a) })
	if a.ID == 0 {
		t.Fatal("CreateAttempt did not set an id")
	}
	b := &quiz.Attempt{User: 9, Kind: quiz.Study, Period: "2026-11", N: 1, Branch: "b1", Items: testItems()[:1],
		Responses: make([]quiz.Response, 1), Started: t0, Until: t0.Add(time.Hour)}
	c := &quiz.Attempt{User: 9, Kind: quiz.Test, Period: "2026-Q4", N: 2, Branch: "b1", Items: testItems(),
		Responses: make([]quiz.Response, 2), Started: t0, Deadline: t0.Add(10 * time.Minute), Until: t0.Add(24 * time.Hour)}
	p := &quiz.Attempt{User: 9, Kind: quiz.Practice, N: 1, Branch: "b1", Items: testItems(),
		Responses: make([]quiz.Response, 2), Started: t0}
	update(t, db, func(tx quiz.Tx) error {
		for _, x := range []*quiz.Attempt{b, c, p} {
			if err := tx.CreateAttempt(x); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Attempt(a.ID)
		if err != nil {
			return err
		}
		checkAttempt(t, got, a)
		got.Items[0].Options[0] = "changed"
		got.Items[0].Answer[0] = 7
		got.Items = append(got.Items[:1], quiz.Item{})
		again, _ := tx.Attempt(a.ID)
		checkAttempt(t, again, a)
		if _, err := tx.Attempt(12345); !errors.Is(err, quiz.ErrNotFound) {
			t.Errorf("Attempt(12345) error = %v, want ErrNotFound", err)
		}
		tests, err := tx.Attempts(9, quiz.Test, "2026-Q4")
		if err != nil {
			return err
		}
		if len(tests) != 2 || tests[0].ID != a.ID || tests[1].ID != c.ID {
			t.Errorf("Attempts(test, 2026-Q4) = %v, want [%d %d]", attemptIDs(tests), a.ID, c.ID)
		}
		if none, _ := tx.Attempts(9, quiz.Test, "2026-Q3"); len(none) != 0 {
			t.Errorf("Attempts(test, 2026-Q3) = %v, want none", attemptIDs(none))
		}
		if none, _ := tx.Attempts(8, quiz.Test, "2026-Q4"); len(none) != 0 {
			t.Errorf("another user's Attempts = %v, want none", attemptIDs(none))
		}
		ua, _ := tx.UserAttempts(9, quiz.Test)
		if !reflect.DeepEqual(ua, []uint64{a.ID, c.ID}) {
			t.Errorf("UserAttempts(test) = %v, want [%d %d]", ua, a.ID, c.ID)
		}
		up, _ := tx.UserAttempts(9, quiz.Practice)
		if !reflect.DeepEqual(up, []uint64{p.ID}) {
			t.Errorf("UserAttempts(practice) = %v, want [%d]", up, p.ID)
		}
		pr, _ := tx.Attempts(9, quiz.Practice, "")
		if len(pr) != 1 || pr[0].ID != p.ID {
			t.Errorf("Attempts(practice) = %v, want [%d]", attemptIDs(pr), p.ID)
		}
		return nil
	})

	// Expiring: soonest first (c's deadline, then b's until, then a's
	// deadline); the practice has no end and never expires.
	view(t, db, func(tx quiz.Tx) error {
		got, _ := tx.Expiring(t0.Add(48*time.Hour), 0)
		if want := []uint64{c.ID, a.ID, b.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("Expiring(+48h) = %v, want %v", got, want)
		}
		got, _ = tx.Expiring(t0.Add(48*time.Hour), 2)
		if want := []uint64{c.ID, a.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("Expiring(+48h, 2) = %v, want %v", got, want)
		}
		got, _ = tx.Expiring(t0.Add(30*time.Minute), 10)
		if want := []uint64{c.ID, a.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("Expiring at a's deadline = %v, want %v (at or before)", got, want)
		}
		got, _ = tx.Expiring(t0, 10)
		if len(got) != 0 {
			t.Errorf("Expiring(t0) = %v, want none", got)
		}
		return nil
	})

	// Recording a response and closing.
	update(t, db, func(tx quiz.Tx) error {
		x, err := tx.Attempt(a.ID)
		if err != nil {
			return err
		}
		x.Responses[0] = quiz.Response{Done: true, Choice: []int{1}, Right: true, Credit: 1, At: t0.Add(time.Minute), Seconds: 60}
		if err := tx.PutAttempt(x); err != nil {
			return err
		}
		y, err := tx.Attempt(c.ID)
		if err != nil {
			return err
		}
		y.Closed, y.ClosedAt, y.Score, y.Right, y.Flagged = true, t0.Add(2*time.Minute), 50, 1, true
		return tx.PutAttempt(y)
	})
	view(t, db, func(tx quiz.Tx) error {
		x, _ := tx.Attempt(a.ID)
		r := x.Responses[0]
		if !r.Done || !reflect.DeepEqual(r.Choice, []int{1}) || !r.Right || r.Credit != 1 || !r.At.Equal(t0.Add(time.Minute)) || r.Seconds != 60 {
			t.Errorf("response = %+v", r)
		}
		y, _ := tx.Attempt(c.ID)
		if !y.Closed || !y.ClosedAt.Equal(t0.Add(2*time.Minute)) || y.Score != 50 || y.Right != 1 || !y.Flagged {
			t.Errorf("closed attempt = %+v", y)
		}
		got, _ := tx.Expiring(t0.Add(48*time.Hour), 0)
		if want := []uint64{a.ID, b.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("Expiring after closing %d = %v, want %v", c.ID, got, want)
		}
		return nil
	})
	err := db.Update(context.Background(), func(tx quiz.Tx) error {
		return tx.PutAttempt(&quiz.Attempt{ID: 999})
	})
	if !errors.Is(err, quiz.ErrNotFound) {
		t.Errorf("PutAttempt of an unknown attempt: %v, want ErrNotFound", err)
	}
}

func checkAttempt(t *testing.T, got, want *quiz.Attempt) {
	t.Helper()
	if got.ID != want.ID || got.User != want.User || got.Kind != want.Kind || got.Period != want.Period ||
		got.N != want.N || got.Branch != want.Branch || !got.Started.Equal(want.Started) ||
		!got.Deadline.Equal(want.Deadline) || !got.Until.Equal(want.Until) || got.Closed != want.Closed {
		t.Errorf("attempt = %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(got.Items, want.Items) {
		t.Errorf("items = %+v\nwant %+v", got.Items, want.Items)
	}
	if len(got.Responses) != len(want.Responses) {
		t.Errorf("%d responses, want %d", len(got.Responses), len(want.Responses))
	}
}

func attemptIDs(as []*quiz.Attempt) []uint64 {
	var out []uint64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestLedger(t *testing.T) {
	db := MustOpen(t)
	e1 := quiz.Entry{User: 4, Ref: "month:2026-11", Rule: quiz.RuleMonthDone, Amount: 50, Period: "2026-11", At: 100}
	e2 := quiz.Entry{User: 4, Ref: "fix:abc", Rule: quiz.RuleCorrection, Amount: -20, Period: "2026-11", Note: "更正", At: 101, By: 1}
	e3 := quiz.Entry{User: 5, Ref: "month:2026-11", Rule: quiz.RuleMonthDone, Amount: 50, Period: "2026-11"}
	update(t, db, func(tx quiz.Tx) error {
		for _, e := range []*quiz.Entry{&e1, &e2, &e3} {
			ok, err := tx.AddEntry(e)
			if err != nil || !ok {
				t.Errorf("AddEntry(%s) = %v, %v; want true", e.Ref, ok, err)
			}
		}
		return nil
	})
	if e1.Seq == 0 || e2.Seq <= e1.Seq {
		t.Fatalf("seqs %d, %d: want increasing", e1.Seq, e2.Seq)
	}
	dup := quiz.Entry{User: 4, Ref: "month:2026-11", Rule: quiz.RuleMonthDone, Amount: 999, Period: "2026-11"}
	update(t, db, func(tx quiz.Tx) error {
		ok, err := tx.AddEntry(&dup)
		if err != nil || ok {
			t.Errorf("duplicate AddEntry = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
	if dup.Seq != 0 {
		t.Errorf("duplicate got seq %d", dup.Seq)
	}
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Entries(4)
		if err != nil {
			return err
		}
		if want := []quiz.Entry{e1, e2}; !reflect.DeepEqual(got, want) {
			t.Errorf("Entries(4) = %+v\nwant %+v", got, want)
		}
		if got, _ := tx.Entries(6); len(got) != 0 {
			t.Errorf("Entries(6) = %v, want none", got)
		}
		return nil
	})
	err := db.Update(context.Background(), func(tx quiz.Tx) error {
		_, err := tx.AddEntry(&quiz.Entry{User: 4, Amount: 1})
		return err
	})
	if err == nil {
		t.Error("AddEntry without a ref: no error")
	}
}

func TestProgress(t *testing.T) {
	db := MustOpen(t)
	p := quiz.Progress{StudyDone: true, StudyAt: 77, Makeup: true, Tested: true, TestScore: 85, Attempts: 2,
		Passed: true, Flagged: true, Points: 125, MonthsDone: 11}
	update(t, db, func(tx quiz.Tx) error {
		if err := tx.PutProgress(4, "2026", p); err != nil {
			return err
		}
		return tx.PutProgress(4, "2026-12", quiz.Progress{StudyDone: true})
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Progress(4, "2026")
		if err != nil || got != p {
			t.Errorf("Progress(2026) = %+v, %v; want %+v", got, err, p)
		}
		if got, err := tx.Progress(4, "2026-H2"); got != (quiz.Progress{}) || err != nil {
			t.Errorf("absent Progress = %+v, %v; want zero, nil", got, err)
		}
		return nil
	})
	update(t, db, func(tx quiz.Tx) error { return tx.PutProgress(4, "2026", quiz.Progress{}) })
	view(t, db, func(tx quiz.Tx) error {
		if got, _ := tx.Progress(4, "2026"); got != (quiz.Progress{}) {
			t.Errorf("after zero: %+v", got)
		}
		if got, _ := tx.Progress(4, "2026-12"); !got.StudyDone {
			t.Errorf("month progress lost: %+v", got)
		}
		return nil
	})
}

func TestNodeStats(t *testing.T) {
	db := MustOpen(t)
	d := quiz.NodeStats{StudyDone: 1, TestTaken: 2, ScoreSum: 170, Passed: 2, Flagged: 1, PointSum: -35, Stars: [4]int64{1, -1, 3, 4}}
	update(t, db, func(tx quiz.Tx) error {
		for _, k := range [][2]string{{"b1", "2026-12"}, {"b1", "2026-12"}, {"t1", "2026-12"}, {"b1", "2026-H2"}, {"b1", "2026"}, {"b1", "2026-1"}} {
			if err := tx.AddNodeStats(k[0], k[1], d); err != nil {
				return err
			}
		}
		return tx.AddNodeStats("b2", "2026-12", quiz.NodeStats{})
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.NodeStats("b1", "2026-12")
		if want := d.Add(d); got != want || err != nil {
			t.Errorf("NodeStats(b1, 2026-12) = %+v, %v; want %+v", got, err, want)
		}
		if got, err := tx.NodeStats("b3", "2026-12"); !got.IsZero() || err != nil {
			t.Errorf("absent NodeStats = %+v, %v; want zero, nil", got, err)
		}
		ps, err := tx.PeriodStats("2026-12")
		if err != nil {
			return err
		}
		want := map[string]quiz.NodeStats{"b1": d.Add(d), "t1": d, "b2": {}}
		if !reflect.DeepEqual(ps, want) {
			t.Errorf("PeriodStats(2026-12) = %+v, want %+v", ps, want)
		}
		year, _ := tx.PeriodStats("2026")
		if want := map[string]quiz.NodeStats{"b1": d}; !reflect.DeepEqual(year, want) {
			t.Errorf("PeriodStats(2026) = %+v, want %+v", year, want)
		}
		return nil
	})
}

func TestItemStats(t *testing.T) {
	db := MustOpen(t)
	d := quiz.ItemStats{Answers: 3, Right: 2}
	d.TestN[10], d.TestRight[10], d.TestN[0] = 1, 1, 5
	keys := []string{"b1/s1@abc", "b1/s2@def", "b1/s1@abd"}
	update(t, db, func(tx quiz.Tx) error {
		for _, k := range keys {
			if err := tx.AddItemStats("t1", k, d); err != nil {
				return err
			}
		}
		if err := tx.AddItemStats("t1", keys[0], d); err != nil {
			return err
		}
		return tx.AddItemStats("t", keys[0], d)
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.ItemStats("t1", keys[0])
		if want := d.Add(d); got != want || err != nil {
			t.Errorf("ItemStats = %+v, %v; want %+v", got, err, want)
		}
		if got, err := tx.ItemStats("t1", "b1/x@y"); got != (quiz.ItemStats{}) || err != nil {
			t.Errorf("absent ItemStats = %+v, %v; want zero, nil", got, err)
		}
		var seen []string
		err = tx.NodeItems("t1", func(k string, s quiz.ItemStats) error {
			seen = append(seen, k)
			return nil
		})
		if want := []string{"b1/s1@abc", "b1/s1@abd", "b1/s2@def"}; !reflect.DeepEqual(seen, want) {
			t.Errorf("NodeItems(t1) keys = %v, want %v", seen, want)
		}
		return err
	})
}

func TestMistakes(t *testing.T) {
	db := MustOpen(t)
	it := testItems()[0]
	m := &quiz.Mistake{User: 4, Key: it.Key(), Item: it, Box: 2, Due: t0.Add(72 * time.Hour), Misses: 3, Added: t0}
	m2 := &quiz.Mistake{User: 4, Key: "a/b", Item: testItems()[1], Due: t0}
	update(t, db, func(tx quiz.Tx) error {
		if err := tx.PutMistake(m); err != nil {
			return err
		}
		if err := tx.PutMistake(m2); err != nil {
			return err
		}
		return tx.PutMistake(&quiz.Mistake{User: 5, Key: "x/y", Due: t0})
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Mistake(4, it.Key())
		if err != nil {
			return err
		}
		if got.User != 4 || got.Key != m.Key || got.Box != 2 || !got.Due.Equal(m.Due) || got.Misses != 3 ||
			!got.Added.Equal(t0) || !reflect.DeepEqual(got.Item, it) {
			t.Errorf("Mistake = %+v, want %+v", got, m)
		}
		if got, err := tx.Mistake(4, "none"); got != nil || err != nil {
			t.Errorf("absent Mistake = %v, %v; want nil, nil", got, err)
		}
		all, _ := tx.Mistakes(4)
		if len(all) != 2 || all[0].Key != "a/b" || all[1].Key != m.Key {
			t.Errorf("Mistakes(4) = %v", all)
		}
		return nil
	})
	update(t, db, func(tx quiz.Tx) error { return tx.DeleteMistake(4, "a/b") })
	view(t, db, func(tx quiz.Tx) error {
		all, _ := tx.Mistakes(4)
		if len(all) != 1 || all[0].Key != m.Key {
			t.Errorf("after delete: %v", all)
		}
		return nil
	})
}

func TestGrants(t *testing.T) {
	db := MustOpen(t)
	g1 := quiz.Grant{User: 4, Kind: quiz.Study, Period: "2026-10", Until: t0.Add(72 * time.Hour), By: 1, At: t0.Add(time.Hour), Reason: "病假"}
	g2 := quiz.Grant{User: 4, Kind: quiz.Test, Period: "2026-Q3", Until: t0.Add(24 * time.Hour), By: 1, At: t0}
	g3 := quiz.Grant{User: 4, Kind: quiz.Test, Period: "2026-Q2", Until: t0.Add(24 * time.Hour), By: 2, At: t0}
	update(t, db, func(tx quiz.Tx) error {
		for _, g := range []quiz.Grant{g1, g2, g3, {User: 5, Kind: quiz.Study, Period: "2026-01"}} {
			if err := tx.PutGrant(g); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx quiz.Tx) error {
		got, err := tx.Grants(4)
		if err != nil {
			return err
		}
		want := []quiz.Grant{g2, g3, g1} // oldest first; equal times in the order given
		if len(got) != 3 {
			t.Fatalf("Grants(4) = %+v", got)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.User != w.User || g.Kind != w.Kind || g.Period != w.Period || !g.Until.Equal(w.Until) ||
				g.By != w.By || !g.At.Equal(w.At) || g.Reason != w.Reason {
				t.Errorf("Grants(4)[%d] = %+v, want %+v", i, g, w)
			}
		}
		return nil
	})
}

func TestViewIsReadOnly(t *testing.T) {
	db := MustOpen(t)
	writes := map[string]func(quiz.Tx) error{
		"PutUser":           func(tx quiz.Tx) error { return tx.PutUser(&quiz.User{ID: 1}) },
		"AddMemberCount":    func(tx quiz.Tx) error { return tx.AddMemberCount("b1", 1) },
		"PutInvite":         func(tx quiz.Tx) error { return tx.PutInvite(&quiz.Invite{Code: "x"}) },
		"CreateAttempt":     func(tx quiz.Tx) error { return tx.CreateAttempt(&quiz.Attempt{User: 1, Kind: quiz.Study}) },
		"PutAttempt":        func(tx quiz.Tx) error { return tx.PutAttempt(&quiz.Attempt{ID: 1}) },
		"AddEntry":          func(tx quiz.Tx) error { _, err := tx.AddEntry(&quiz.Entry{User: 1, Ref: "x"}); return err },
		"PutProgress":       func(tx quiz.Tx) error { return tx.PutProgress(1, "2026", quiz.Progress{Points: 1}) },
		"AddNodeStats":      func(tx quiz.Tx) error { return tx.AddNodeStats("b1", "2026", quiz.NodeStats{}) },
		"AddItemStats":      func(tx quiz.Tx) error { return tx.AddItemStats("b1", "k", quiz.ItemStats{}) },
		"PutMistake":        func(tx quiz.Tx) error { return tx.PutMistake(&quiz.Mistake{User: 1, Key: "k"}) },
		"DeleteMistake":     func(tx quiz.Tx) error { return tx.DeleteMistake(1, "k") },
		"PutGrant":          func(tx quiz.Tx) error { return tx.PutGrant(quiz.Grant{User: 1}) },
		"Publish":           func(tx quiz.Tx) error { return tx.Publish(&quiz.Publication{Kind: quiz.PubBank, ID: "b1"}) },
		"ClearMemberCounts": func(tx quiz.Tx) error { return tx.ClearMemberCounts() },
		"AddFlag":           func(tx quiz.Tx) error { return tx.AddFlag(&quiz.Flag{User: 1, Key: "b1/s1"}) },
	}
	for name, w := range writes {
		if err := db.View(context.Background(), w); err == nil {
			t.Errorf("%s in View: no error", name)
		}
	}
}

func TestDialogs(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	if got, err := db.GetDialog(ctx, -100123); got != nil || err != nil {
		t.Fatalf("absent dialog = %q, %v; want nil, nil", got, err)
	}
	data := []byte(`{"step":"name"}`)
	if err := db.PutDialog(ctx, -100123, data); err != nil {
		t.Fatal(err)
	}
	data[0] = 'X' // the store keeps its own copy
	got, err := db.GetDialog(ctx, -100123)
	if err != nil || string(got) != `{"step":"name"}` {
		t.Fatalf("GetDialog = %q, %v", got, err)
	}
	if err := db.DeleteDialog(ctx, -100123); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetDialog(ctx, -100123); got != nil {
		t.Fatalf("after delete: %q", got)
	}
	if err := db.PutDialog(ctx, 5, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDialog(ctx, 5, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetDialog(ctx, 5); got != nil {
		t.Fatalf("after PutDialog(nil): %q", got)
	}
}

func TestCanceledContext(t *testing.T) {
	db := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	fn := func(quiz.Tx) error { ran = true; return nil }
	if err := db.Update(ctx, fn); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context: %v", err)
	}
	if err := db.View(ctx, fn); !errors.Is(err, context.Canceled) {
		t.Errorf("View with a canceled context: %v", err)
	}
	if ran {
		t.Error("fn ran with a canceled context")
	}
}

// TestAttemptRoundTrip stores attempts with every kind of item and
// response and reads them back with the item cache off and after a
// reopen, so that they are decoded from the file.
func TestAttemptRoundTrip(t *testing.T) {
	path := t.TempDir() + "/q.db"
	db := mustOpenPath(t, path, store.Options{ItemCache: -1, MaxBatchDelay: time.Millisecond})
	items := append(testItems(),
		quiz.Item{Bank: "b2", QID: "m1", Hash: "h3", Type: questions.Multiple, Text: "多选", Options: []string{"丙", "甲", "乙", "甲"}, Answer: []int{0, 3}},
		quiz.Item{Bank: "b2", QID: "t1", Type: questions.TrueFalse, Text: "判断", Options: []string{"对", "错"}, Answer: []int{1}},
		// The same question shown in another order shares its text.
		quiz.Item{Bank: "b2", QID: "m1", Hash: "h3", Type: questions.Multiple, Text: "多选", Options: []string{"甲", "乙", "甲", "丙"}, Answer: []int{2, 3}, Mistake: true},
	)
	a := &quiz.Attempt{User: -5, Kind: quiz.Practice, N: 3, Items: items, Responses: []quiz.Response{
		{Done: true, Choice: []int{1}, Right: true, Credit: 1, At: t0.Add(time.Second), Seconds: 1.000000001},
		{Done: true, Text: "统 筹", Right: true, Credit: 1, At: t0.Add(-time.Second), Seconds: 0.25},
		{Done: true, Choice: []int{0}, Credit: 0.5, At: t0.Add(time.Hour)},
		{},
		{Done: true, Choice: []int{2, 3}, Right: true, Credit: 1},
	}, Started: t0, Closed: true, ClosedAt: t0.Add(2 * time.Hour), Score: 70, Right: 3, Flagged: true, Makeup: true}
	update(t, db, func(tx quiz.Tx) error { return tx.CreateAttempt(a) })
	check := func(db *store.DB) {
		t.Helper()
		view(t, db, func(tx quiz.Tx) error {
			got, err := tx.Attempt(a.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got.Items, a.Items) {
				t.Errorf("items = %+v\nwant %+v", got.Items, a.Items)
			}
			for i, r := range got.Responses {
				w := a.Responses[i]
				if r.Done != w.Done || !reflect.DeepEqual(r.Choice, w.Choice) || r.Text != w.Text || r.Right != w.Right ||
					r.Credit != w.Credit || !r.At.Equal(w.At) || r.Seconds != w.Seconds {
					t.Errorf("response %d = %+v, want %+v", i, r, w)
				}
			}
			if got.User != -5 || got.Kind != quiz.Practice || got.N != 3 || !got.Closed || !got.ClosedAt.Equal(a.ClosedAt) ||
				got.Score != 70 || got.Right != 3 || !got.Flagged || !got.Makeup || !got.Started.Equal(t0) ||
				!got.Deadline.IsZero() || !got.Until.IsZero() {
				t.Errorf("attempt = %+v", got)
			}
			return nil
		})
	}
	check(db)
	update(t, db, func(tx quiz.Tx) error {
		return tx.PutMistake(&quiz.Mistake{User: -5, Key: items[4].Key(), Item: items[4], Due: t0})
	})
	db.Close()
	db = mustOpenPath(t, path)
	check(db)
	view(t, db, func(tx quiz.Tx) error {
		m, err := tx.Mistake(-5, items[4].Key())
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(m.Item, items[4]) {
			t.Errorf("mistake item = %+v\nwant %+v", m.Item, items[4])
		}
		return nil
	})
}
