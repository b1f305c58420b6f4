package quiz

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Tx getters when the record does not exist.
// Services turn it into an application error with a reason.
var ErrNotFound = errors.New("not found")

// Store runs transactions. It is implemented by package store (bbolt).
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction and makes its effects
	// durable before returning nil. Concurrent Updates may be batched into
	// one disk write, so fn may run more than once: it must act only
	// through tx and be a function of what it reads there. If fn returns
	// an error, nothing it did is kept.
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is what the engine reads and writes inside one transaction. Getters
// return copies the caller may change; ErrNotFound when nothing is there
// unless said otherwise.
type Tx interface {
	// Salt returns the installation's secret for draws, made once.
	Salt() (string, error)

	User(id int64) (*User, error)
	PutUser(u *User) error
	// Members returns the members of a branch, by id.
	Members(branch string) ([]*User, error)
	// ForEachUser visits every user, by id, until fn returns an error.
	ForEachUser(fn func(*User) error) error
	// MemberCount is the number of members of a node's subtree (0, not
	// ErrNotFound, for a node without any).
	MemberCount(node string) (int64, error)
	AddMemberCount(node string, delta int64) error
	// MemberCounts returns the member count of every node that has one.
	MemberCounts() (map[string]int64, error)

	Invite(code string) (*Invite, error)
	PutInvite(inv *Invite) error

	// CreateAttempt stores a new attempt and sets its ID. Its items never
	// change afterwards.
	CreateAttempt(a *Attempt) error
	Attempt(id uint64) (*Attempt, error)
	// PutAttempt stores the attempt's state and responses.
	PutAttempt(a *Attempt) error
	// Attempts returns a user's attempts of a kind and period, by N.
	Attempts(user int64, kind Kind, period string) ([]*Attempt, error)
	// UserAttempts returns the ids of a user's attempts of a kind, oldest first.
	UserAttempts(user int64, kind Kind) ([]uint64, error)
	// Expiring returns up to limit open attempts whose deadline (or end of
	// period) is at or before t, soonest first.
	Expiring(t time.Time, limit int) ([]uint64, error)
	// OpenQuestions visits every open attempt that has a deadline or an
	// end (study and tests still taking answers) with the keys ("bank/id")
	// of the questions it holds, until fn returns an error; keys is only
	// valid during the call.
	OpenQuestions(fn func(attempt uint64, keys []string) error) error

	// AddEntry appends to a user's ledger and sets e.Seq; it returns false,
	// and records nothing, when the user already has an entry with e.Ref.
	// An entry without a Ref is an error.
	AddEntry(e *Entry) (bool, error)
	// Entries returns a user's ledger in order.
	Entries(user int64) ([]Entry, error)

	// Progress returns a user's record for a period (the zero value when
	// there is none).
	Progress(user int64, period string) (Progress, error)
	PutProgress(user int64, period string, p Progress) error
	// UserProgress returns every record of a user, by period key.
	UserProgress(user int64) (map[string]Progress, error)

	// NodeStats returns a node's totals for a period (zero when none).
	NodeStats(node, period string) (NodeStats, error)
	AddNodeStats(node, period string, d NodeStats) error
	// PeriodStats returns the totals of every node for a period.
	PeriodStats(period string) (map[string]NodeStats, error)
	// ForEachNodeStats visits the totals of every node and period, by
	// period then node, until fn returns an error.
	ForEachNodeStats(fn func(node, period string, s NodeStats) error) error

	// ItemStats returns a node's totals for one question version (zero
	// when there are none).
	ItemStats(node, key string) (ItemStats, error)
	AddItemStats(node, key string, d ItemStats) error
	// NodeItems visits a node's totals of every question version.
	NodeItems(node string, fn func(key string, s ItemStats) error) error
	// BankItems visits a node's totals of every version of the questions
	// of one bank (keys "bank/id@hash").
	BankItems(node, bank string, fn func(key string, s ItemStats) error) error

	// Mistake returns one question of a user's mistake book, nil if absent.
	Mistake(user int64, key string) (*Mistake, error)
	PutMistake(m *Mistake) error
	DeleteMistake(user int64, key string) error
	Mistakes(user int64) ([]*Mistake, error)

	// Grants returns a user's make-ups, oldest first.
	Grants(user int64) ([]Grant, error)
	// PutGrant appends a make-up to its user's list and keeps the latest
	// Until of every kind and period for MakeupUntil.
	PutGrant(g Grant) error
	// MakeupUntil returns, for every period of a kind that anyone was
	// ever granted a make-up of, the latest Until of those grants.
	MakeupUntil(kind Kind) (map[string]time.Time, error)

	// Publish stores p as the next version of its kind and id, and sets
	// p.Version.
	Publish(p *Publication) error
	// Publications returns the latest version of every kind and id, by
	// kind then id.
	Publications() ([]Publication, error)
	// PublicationHistory returns every version of one kind and id, oldest
	// first (without their Data).
	PublicationHistory(kind, id string) ([]Publication, error)
	// PublicationVersion returns one version of a kind and id, with its
	// Data.
	PublicationVersion(kind, id string, version int) (*Publication, error)
	// ClearMemberCounts forgets every member count (the tree changed: the
	// engine counts again).
	ClearMemberCounts() error

	// Done reports whether a one-time task of the engine (an upgrade of
	// the totals) has run; MarkDone records that it has.
	Done(task string) (bool, error)
	MarkDone(task string) error

	// Emit puts an event into the outbox with the change it reports, and
	// returns false (adding nothing) when an event with its Ref was ever
	// emitted; it sets e.Seq.
	Emit(e *Event) (bool, error)
	// RoundDone reports whether a round (by key) was marked done;
	// MarkRound marks it, at the moment it was run.
	RoundDone(key string) (bool, error)
	MarkRound(key string, at time.Time) error

	// AddFlag stores a flag and sets f.Seq.
	AddFlag(f *Flag) error
	// Flags returns up to limit flags, newest first.
	Flags(limit int) ([]Flag, error)

	// GroupBind returns the node a group chat is bound to.
	GroupBind(chat int64) (*GroupBind, error)
	PutGroupBind(b *GroupBind) error
	// DeleteGroupBind forgets a group's binding (nothing if there is none).
	DeleteGroupBind(chat int64) error
	// GroupBinds returns every bound group, by chat id.
	GroupBinds() ([]GroupBind, error)

	// CreateContest stores a new contest and sets its ID.
	CreateContest(c *Contest) error
	Contest(id uint64) (*Contest, error)
	PutContest(c *Contest) error
	// ChatContest returns the id of a group's contest that has not
	// finished; SetChatContest sets it (0 clears it).
	ChatContest(chat int64) (uint64, error)
	SetChatContest(chat int64, id uint64) error
	// ActiveContests returns the contests that have not finished, by id.
	ActiveContests() ([]uint64, error)
	// ChatContests returns the ids of every contest held in a group,
	// newest first, at most limit.
	ChatContests(chat int64, limit int) ([]uint64, error)
	// PutContestPoll records which contest and question a poll asks;
	// ContestPoll returns them.
	PutContestPoll(poll string, contest uint64, q int) error
	ContestPoll(poll string) (contest uint64, q int, err error)
	// Player returns one player of a contest; Players all, by user id.
	Player(contest uint64, user int64) (*Player, error)
	PutPlayer(contest uint64, p *Player) error
	Players(contest uint64) ([]Player, error)
	// AddContestAnswer records a's answer and sets a.Seq (the order
	// answers were recorded in); it returns false, and records nothing,
	// when the user already answered that question.
	AddContestAnswer(a *ContestAnswer) (bool, error)
	// ContestAnswers returns a contest's answers, by question then user.
	ContestAnswers(contest uint64) ([]ContestAnswer, error)
}

// Publication is one version of a file an admin published in chat: a
// bank, the study plan or the organisation tree, kept as uploaded so
// that every version stays on record.
type Publication struct {
	Kind    string // PubBank, PubPlan or PubOrg
	ID      string // the bank's id; "plan"; "org"
	Version int    // 1, 2, … per kind and id
	Name    string // the file's name as uploaded
	Data    []byte // the file
	By      int64
	At      time.Time
	Change  *Change // what it changed; nil if that was not recorded (older versions)
}

// Publication kinds.
const (
	PubBank = "bank"
	PubPlan = "plan"
	PubOrg  = "org"
)

// Flag is a member's report that a question is wrong (答题纠错).
type Flag struct {
	Seq     uint64
	User    int64
	Key     string // "bank/id"
	Hash    string
	Text    string // the question as the member saw it
	Note    string // the member's words
	Attempt uint64
	At      time.Time
}
