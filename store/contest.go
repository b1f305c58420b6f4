package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"partyquiz/quiz"
)

// Contests (有奖知识问答): bound groups, contests, their players, answers
// and polls. See doc.go for the layout. Every answer is put only if its
// key (contest, question, user) is absent, so the first answer of a player
// to a question is the one kept, whatever is delivered again.

// Buckets of contests.
var (
	bucketGroupBinds     = []byte("group_binds")
	bucketContests       = []byte("contests")
	bucketChatContest    = []byte("chat_contest")
	bucketChatContests   = []byte("chat_contests")
	bucketContestPolls   = []byte("contest_polls")
	bucketContestPlayers = []byte("contest_players")
	bucketContestAnswers = []byte("contest_answers")
)

func init() {
	allBuckets = append(allBuckets, bucketGroupBinds, bucketContests, bucketChatContest, bucketChatContests,
		bucketContestPolls, bucketContestPlayers, bucketContestAnswers)
}

type bindRecord struct {
	Node  string `json:"n"`
	Title string `json:"t,omitempty"`
	By    int64  `json:"b,omitempty"`
	At    int64  `json:"a,omitempty"`
}

// GroupBind returns the node a group chat is bound to, or ErrNotFound.
func (t *tx) GroupBind(chat int64) (*quiz.GroupBind, error) {
	v := t.bucket(bucketGroupBinds).Get(idKey(chat))
	if v == nil {
		return nil, notFound("group %d", chat)
	}
	return decodeBind(chat, v)
}

func decodeBind(chat int64, v []byte) (*quiz.GroupBind, error) {
	var r bindRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("store: group %d: %w", chat, err)
	}
	return &quiz.GroupBind{Chat: chat, Node: r.Node, Title: r.Title, By: r.By, At: fromNanos(r.At)}, nil
}

// PutGroupBind binds a group chat to a node.
func (t *tx) PutGroupBind(b *quiz.GroupBind) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("node", b.Node); err != nil {
		return err
	}
	v, err := json.Marshal(bindRecord{Node: b.Node, Title: b.Title, By: b.By, At: nanos(b.At)})
	if err != nil {
		return err
	}
	return t.bucket(bucketGroupBinds).Put(idKey(b.Chat), v)
}

// DeleteGroupBind forgets a group's binding.
func (t *tx) DeleteGroupBind(chat int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.bucket(bucketGroupBinds).Delete(idKey(chat))
}

// GroupBinds returns every bound group, by chat id (as unsigned bytes:
// group ids are negative, so the newest supergroups come first).
func (t *tx) GroupBinds() ([]quiz.GroupBind, error) {
	var out []quiz.GroupBind
	err := t.bucket(bucketGroupBinds).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return errors.New("store: corrupt group key")
		}
		b, err := decodeBind(int64(binary.BigEndian.Uint64(k)), v)
		if err != nil {
			return err
		}
		out = append(out, *b)
		return nil
	})
	return out, err
}

// contestRecord is a contest's state; its questions are kept whole (a
// contest asks at most 30).
type contestRecord struct {
	Chat        int64         `json:"ch"`
	Node        string        `json:"n"`
	Host        int64         `json:"h"`
	Source      string        `json:"src"`
	Banks       []string      `json:"bk,omitempty"`
	Questions   int           `json:"q"`
	Seconds     int           `json:"s"`
	Teams       string        `json:"tm,omitempty"`
	TeamCount   int           `json:"tc,omitempty"`
	Items       []quiz.Item   `json:"it"`
	Phase       string        `json:"ph"`
	Current     int           `json:"cur,omitempty"`
	Asked       []askedRecord `json:"as,omitempty"`
	Paused      bool          `json:"pa,omitempty"`
	Interrupted bool          `json:"in,omitempty"`
	Created     int64         `json:"cr"`
	StartAt     int64         `json:"st,omitempty"`
	Finished    int64         `json:"fi,omitempty"`
	Stopped     bool          `json:"so,omitempty"`
	Lobby       int           `json:"lb,omitempty"`
}

type askedRecord struct {
	Polls    []pollRecord `json:"p,omitempty"`
	Revealed int64        `json:"r,omitempty"`
}

type pollRecord struct {
	ID     string `json:"i"`
	Msg    int    `json:"m,omitempty"`
	Opened int64  `json:"o,omitempty"`
}

func encodeContest(c *quiz.Contest) ([]byte, error) {
	r := contestRecord{Chat: c.Chat, Node: c.Node, Host: c.Host, Source: string(c.Setup.Source), Banks: c.Setup.Banks,
		Questions: c.Setup.Questions, Seconds: c.Setup.Seconds, Teams: string(c.Setup.Teams), TeamCount: c.Setup.TeamCount,
		Items: c.Items, Phase: string(c.Phase), Current: c.Current, Paused: c.Paused, Interrupted: c.Interrupted,
		Created: nanos(c.Created), StartAt: nanos(c.StartAt), Finished: nanos(c.Finished), Stopped: c.Stopped, Lobby: c.Lobby}
	for _, a := range c.Asked {
		ar := askedRecord{Revealed: nanos(a.Revealed)}
		for _, p := range a.Polls {
			ar.Polls = append(ar.Polls, pollRecord{ID: p.ID, Msg: p.Msg, Opened: nanos(p.Opened)})
		}
		r.Asked = append(r.Asked, ar)
	}
	return json.Marshal(r)
}

func decodeContest(id uint64, v []byte) (*quiz.Contest, error) {
	var r contestRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("store: contest %d: %w", id, err)
	}
	c := &quiz.Contest{ID: id, Chat: r.Chat, Node: r.Node, Host: r.Host,
		Setup: quiz.ContestSetup{Chat: r.Chat, Source: quiz.ContestSource(r.Source), Banks: r.Banks, Questions: r.Questions,
			Seconds: r.Seconds, Teams: quiz.TeamMode(r.Teams), TeamCount: r.TeamCount},
		Items: r.Items, Phase: quiz.ContestPhase(r.Phase), Current: r.Current, Paused: r.Paused, Interrupted: r.Interrupted,
		Created: fromNanos(r.Created), StartAt: fromNanos(r.StartAt), Finished: fromNanos(r.Finished), Stopped: r.Stopped, Lobby: r.Lobby}
	for _, a := range r.Asked {
		aq := quiz.AskedQuestion{Revealed: fromNanos(a.Revealed)}
		for _, p := range a.Polls {
			aq.Polls = append(aq.Polls, quiz.ContestPoll{ID: p.ID, Msg: p.Msg, Opened: fromNanos(p.Opened)})
		}
		c.Asked = append(c.Asked, aq)
	}
	return c, nil
}

// CreateContest stores a new contest, sets its ID (the bucket's sequence)
// and lists it under its group.
func (t *tx) CreateContest(c *quiz.Contest) error {
	if err := t.writable(); err != nil {
		return err
	}
	b := t.bucket(bucketContests)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	c.ID = id
	if err := t.PutContest(c); err != nil {
		return err
	}
	return t.bucket(bucketChatContests).Put(append(idKey(c.Chat), u64Key(id)...), nil)
}

// Contest returns a contest, or ErrNotFound.
func (t *tx) Contest(id uint64) (*quiz.Contest, error) {
	v := t.bucket(bucketContests).Get(u64Key(id))
	if v == nil {
		return nil, notFound("contest %d", id)
	}
	return decodeContest(id, v)
}

// PutContest stores a contest's state.
func (t *tx) PutContest(c *quiz.Contest) error {
	if err := t.writable(); err != nil {
		return err
	}
	if c.ID == 0 {
		return errors.New("store: contest without an id")
	}
	v, err := encodeContest(c)
	if err != nil {
		return err
	}
	return t.bucket(bucketContests).Put(u64Key(c.ID), v)
}

// ChatContest returns the id of a group's contest that has not finished,
// or ErrNotFound.
func (t *tx) ChatContest(chat int64) (uint64, error) {
	v := t.bucket(bucketChatContest).Get(idKey(chat))
	if len(v) != 8 {
		return 0, notFound("contest of group %d", chat)
	}
	return binary.BigEndian.Uint64(v), nil
}

// SetChatContest sets a group's contest in progress; 0 clears it.
func (t *tx) SetChatContest(chat int64, id uint64) error {
	if err := t.writable(); err != nil {
		return err
	}
	b := t.bucket(bucketChatContest)
	if id == 0 {
		return b.Delete(idKey(chat))
	}
	return b.Put(idKey(chat), u64Key(id))
}

// ActiveContests returns the contests that have not finished, by id.
func (t *tx) ActiveContests() ([]uint64, error) {
	var out []uint64
	err := t.bucket(bucketChatContest).ForEach(func(_, v []byte) error {
		if len(v) != 8 {
			return errors.New("store: corrupt group contest")
		}
		out = append(out, binary.BigEndian.Uint64(v))
		return nil
	})
	sortU64(out)
	return out, err
}

func sortU64(a []uint64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// ChatContests returns the ids of a group's contests, newest first, at
// most limit (all when limit <= 0).
func (t *tx) ChatContests(chat int64, limit int) ([]uint64, error) {
	prefix := idKey(chat)
	var out []uint64
	c := t.bucket(bucketChatContests).Cursor()
	// Seek past the group's last key and step back.
	var k []byte
	if uint64(chat) != ^uint64(0) {
		k, _ = c.Seek(u64Key(uint64(chat) + 1))
	}
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && len(k) == 16 && string(k[:8]) == string(prefix); k, _ = c.Prev() {
		out = append(out, binary.BigEndian.Uint64(k[8:]))
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// PutContestPoll records which contest and question a poll asks.
func (t *tx) PutContestPoll(poll string, contest uint64, q int) error {
	if err := t.writable(); err != nil {
		return err
	}
	if poll == "" {
		return errors.New("store: poll without an id")
	}
	v := binary.BigEndian.AppendUint16(u64Key(contest), uint16(q))
	return t.bucket(bucketContestPolls).Put([]byte(poll), v)
}

// ContestPoll returns the contest and question a poll asks, or
// ErrNotFound.
func (t *tx) ContestPoll(poll string) (uint64, int, error) {
	v := t.bucket(bucketContestPolls).Get([]byte(poll))
	if len(v) != 10 {
		return 0, 0, notFound("poll %s", poll)
	}
	return binary.BigEndian.Uint64(v), int(binary.BigEndian.Uint16(v[8:])), nil
}

type playerRecord struct {
	Name   string `json:"n,omitempty"`
	Team   int    `json:"t,omitempty"`
	Branch string `json:"b,omitempty"`
	Scores bool   `json:"s,omitempty"`
	Joined int64  `json:"j,omitempty"`
}

func playerKey(contest uint64, user int64) []byte { return append(u64Key(contest), idKey(user)...) }

func decodePlayer(user int64, v []byte) (*quiz.Player, error) {
	var r playerRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("store: player %d: %w", user, err)
	}
	return &quiz.Player{User: user, Name: r.Name, Team: r.Team, Branch: r.Branch, Scores: r.Scores, Joined: fromNanos(r.Joined)}, nil
}

// Player returns one player of a contest, or ErrNotFound.
func (t *tx) Player(contest uint64, user int64) (*quiz.Player, error) {
	v := t.bucket(bucketContestPlayers).Get(playerKey(contest, user))
	if v == nil {
		return nil, notFound("player %d of contest %d", user, contest)
	}
	return decodePlayer(user, v)
}

// PutPlayer stores a player of a contest.
func (t *tx) PutPlayer(contest uint64, p *quiz.Player) error {
	if err := t.writable(); err != nil {
		return err
	}
	v, err := json.Marshal(playerRecord{Name: p.Name, Team: p.Team, Branch: p.Branch, Scores: p.Scores, Joined: nanos(p.Joined)})
	if err != nil {
		return err
	}
	return t.bucket(bucketContestPlayers).Put(playerKey(contest, p.User), v)
}

// Players returns a contest's players, by user id.
func (t *tx) Players(contest uint64) ([]quiz.Player, error) {
	var out []quiz.Player
	err := scan(t.bucket(bucketContestPlayers), u64Key(contest), func(k, v []byte) error {
		p, err := decodePlayer(int64(binary.BigEndian.Uint64(k[8:])), v)
		if err != nil {
			return err
		}
		out = append(out, *p)
		return nil
	})
	return out, err
}

type answerRecord struct {
	Poll   string `json:"p"`
	Choice []int  `json:"c"`
	At     int64  `json:"a"`
	Seq    uint64 `json:"n"`
	Right  bool   `json:"r,omitempty"`
	Score  int    `json:"s,omitempty"`
}

func answerKey(contest uint64, q int, user int64) []byte {
	return append(binary.BigEndian.AppendUint16(u64Key(contest), uint16(q)), idKey(user)...)
}

// AddContestAnswer records an answer unless the user already answered
// that question (then it returns false and records nothing); it sets
// a.Seq from the bucket's sequence.
func (t *tx) AddContestAnswer(a *quiz.ContestAnswer) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	if a.User == 0 {
		return false, errors.New("store: contest answer without a user")
	}
	b := t.bucket(bucketContestAnswers)
	key := answerKey(a.Contest, a.Q, a.User)
	if b.Get(key) != nil {
		return false, nil
	}
	seq, err := b.NextSequence()
	if err != nil {
		return false, err
	}
	v, err := json.Marshal(answerRecord{Poll: a.Poll, Choice: a.Choice, At: nanos(a.At), Seq: seq, Right: a.Right, Score: a.Score})
	if err != nil {
		return false, err
	}
	if err := b.Put(key, v); err != nil {
		return false, err
	}
	a.Seq = seq
	return true, nil
}

// ContestAnswers returns a contest's answers, by question then user.
func (t *tx) ContestAnswers(contest uint64) ([]quiz.ContestAnswer, error) {
	var out []quiz.ContestAnswer
	err := scan(t.bucket(bucketContestAnswers), u64Key(contest), func(k, v []byte) error {
		if len(k) != 18 {
			return errors.New("store: corrupt contest answer key")
		}
		var r answerRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("store: contest answer: %w", err)
		}
		out = append(out, quiz.ContestAnswer{Contest: contest, Q: int(binary.BigEndian.Uint16(k[8:10])),
			User: int64(binary.BigEndian.Uint64(k[10:])), Poll: r.Poll, Choice: r.Choice, At: fromNanos(r.At),
			Seq: r.Seq, Right: r.Right, Score: r.Score})
		return nil
	})
	return out, err
}
