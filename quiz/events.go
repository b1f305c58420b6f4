package quiz

import "time"

// An Event is something the engine did that someone must be told: a test
// closed because its time ran out, a make-up granted, points corrected, a
// question flagged, a secretary invite used, a reminder, and every round —
// a month's study opening, a test window opening and closing, a half
// year's ranking, a year's stars. The engine writes an event in the
// transaction of the change it reports (Tx.Emit), so nothing that was
// recorded can fail to be told and nothing is told that was not recorded;
// the store keeps it in its outbox until the bot has sent it. The bot words
// it (bot/notify.go) when it sends it: an event carries what happened —
// kinds, keys, numbers, a user's own words — never a Chinese sentence.
//
// Ref makes an event unique for good: an event whose Ref was ever emitted
// is never emitted again, so a redelivered update, a double tap or a round
// run again after a crash cannot tell anyone twice.
type Event struct {
	Seq   uint64    // order in the outbox, set by the store
	Ref   string    // e.g. "round:test-close:2026-Q4:1001", "makeup:1001:chat-42"
	Chat  int64     // who is told: a user's private chat
	Kind  EventKind // what happened
	At    time.Time // when
	Parts int       // how many of its messages were sent already (a long one is sent in parts)

	// What happened; which fields a kind uses is said by the kind.
	Period  string    // a month, quarter, half-year or year key
	Test    string    // a quarter key (a reminder of a test)
	Node    string    // the node a table or summary is about
	User    int64     // the member concerned: who flagged, who used an invite, who corrected
	Name    string    // that member's name when it happened
	Subject Kind      // a make-up's kind: Study or Test
	Admin   bool      // a table for an admin (the whole tree)
	Tested  bool      // a test result: the member took the test
	Passed  bool      // …and passed it
	Score   int       // a test's score, 0–100
	Right   int       // items answered right
	Count   int       // items asked; questions of a test; members reminded
	Of      int       // a place among how many; members who had not finished
	Rank    int       // a place in a ranking
	Stars   int       // 1–5
	Points  Points    // points of a half year or a year; a correction's amount
	Until   time.Time // a make-up's end; a window's end; when answers open
	Key     string    // a question's "bank/id"
	Note    string    // a user's own words: a flag's note, a correction's reason
	Quote   string    // a question's text as the member saw it (a flag)
	Figures *Figures  // a node's figures for Period (a test-close table)
	Contest uint64    // a contest's id

	// Text is a notice worded before events existed, sent as it is: only
	// what an older program left in the outbox.
	Text string
}

// EventKind is what an event reports.
type EventKind string

// Event kinds, with the fields each uses besides Chat and At.
const (
	EventTimeUp        EventKind = "time_up"        // a test closed when its time ran out: Period, Score, Right, Count, Passed
	EventMakeup        EventKind = "makeup"         // a make-up granted to the member: Subject, Period, Until
	EventCorrection    EventKind = "correction"     // the member's points corrected: Points (the amount), Note (why), User (by whom), Name
	EventFlag          EventKind = "flag"           // to an admin: a member flagged a question: User, Name, Key, Note, Quote
	EventInviteUsed    EventKind = "invite_used"    // to who made it: a secretary invite used: User, Name, Node
	EventReminder      EventKind = "reminder"       // to a member: Period (a month not finished; Right of Count answered), Test and Until (a test not taken)
	EventRemindReport  EventKind = "remind_report"  // to a secretary: reminders sent by the engine itself: Node, Count reminded, Of not finished, Until
	EventMonthOpen     EventKind = "month_open"     // the month's study opened: Period
	EventTestOpen      EventKind = "test_open"      // the quarter's test window opened: Period, Until (its end), Count (questions)
	EventTestResult    EventKind = "test_result"    // the window closed: Period, Tested, Score, Passed, Until (when answers open)
	EventTestTable     EventKind = "test_table"     // to a secretary or an admin: Period, Node, Figures, Admin
	EventHalfResult    EventKind = "half_result"    // the half year ended: Period, Points, Rank, Of
	EventHalfTable     EventKind = "half_table"     // to a secretary or an admin: Period, Node, Admin
	EventYearResult    EventKind = "year_result"    // the year ended: Period, Points, Stars
	EventYearTable     EventKind = "year_table"     // to a secretary or an admin: Period, Node, Admin
	EventContestBoard  EventKind = "contest_board"  // to the group: a contest finished: Contest
	EventContestResult EventKind = "contest_result" // to a player: their own result of a contest: Contest, User
)

// EventText is the kind of an event that is only a worded Text (left by an
// older program).
const EventText EventKind = ""
