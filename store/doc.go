// Package store keeps everything partyquiz records in one bbolt file. DB
// implements quiz.Store: View runs a read-only transaction, Update a
// read-write one that is on disk (fsync) before it returns; concurrent
// Updates share one commit (group commit, group.go: at once when no commit
// is in flight, together while one is), which is what lets a few thousand
// answers a second be recorded durably without making anyone wait at rest.
//
// # Layout
//
// Every bucket is created when the file is opened. Keys are built from
// fixed-width big-endian integers and strings that never contain 0x00
// (node ids, period keys, kinds), joined by 0x00 where a variable-length
// part is followed by another, so that the keys of one user, node or
// period are one contiguous range. "id(8)" is an int64 as 8 big-endian
// bytes (two's complement); "t(8)" an instant as unix nanoseconds with
// the sign bit flipped, so that it sorts as time does. JSON values use
// short field names, instants as unix nanoseconds (0: none), and come back
// in UTC.
//
//	bucket          key                                      value
//	meta            "version"                                schema version, uint64 BE
//	                "salt"                                   the draws' secret, 64 hex digits, made once
//	                "outbox_pending"                         events in outbox, uint64 BE
//	                "task:" name                             an engine upgrade that has run (quiz.UpgradeTasks)
//	users           user id(8)                               JSON user (name, branch, secretary of, joined, unreachable)
//	branch_members  branch 0x00 user id(8)                   empty: the index behind Members
//	member_counts   node                                     int64 BE: members in the node's subtree (absent: 0)
//	invites         code                                     JSON invite
//	attempts        attempt id, uint64 BE (bucket sequence)  open key(8), then binary header and responses
//	attempt_items   attempt id, uint64 BE                    binary item references, written once
//	item_texts      16-byte SHA-256 prefix of the text       JSON text of a question version, options sorted
//	user_attempts   user id(8) kind 0x00 period 0x00 N(4)    attempt id, uint64 BE
//	open_attempts   t(8) attempt id(8)                       empty: open attempts by when they stop taking answers
//	ledger          user id(8) seq(8) (bucket sequence)      JSON entry
//	ledger_refs     user id(8) ref                           seq(8): an entry's Ref, unique per user
//	progress        user id(8) period key                    JSON quiz.Progress (absent: the zero value)
//	node_stats      period key 0x00 node                     varint counters of quiz.NodeStats
//	item_stats      node 0x00 "bank/id@hash"                 varint counters of quiz.ItemStats
//	mistakes        user id(8) "bank/id"                     JSON mistake: box, due, misses, item reference
//	grants          user id(8) t(8) seq(8)                   JSON make-up (seq: bucket sequence, for ties)
//	dialogs         chat id(8)                               the bot's dialog state, opaque bytes
//	publications    kind 0x00 id 0x00 version(4)             JSON publication: name, by, at, what it changed (absent in older records)
//	pub_data        kind 0x00 id 0x00 version(4)             the published file as uploaded
//	flags           seq(8) (bucket sequence)                 JSON flag on a question
//	outbox          seq(8) (bucket sequence)                 JSON event, while it is pending
//	outbox_refs     ref                                      'p' seq(8) | 's' at(8) | 'f' at(8) reason
//	rounds          key                                      unix nanoseconds when first marked done
//	makeups         kind 0x00 period                         int64 BE: the latest Until of its make-ups
//	inbox           update id, uint64 BE                     an update taken from Telegram, as received, until handled
//	group_binds     chat id(8)                               JSON group binding: node, title, by, at
//	contests        contest id, uint64 BE (bucket sequence)  JSON contest: setup, questions, phase, polls asked
//	chat_contest    chat id(8)                               contest id(8): the group's contest not yet finished
//	chat_contests   chat id(8) contest id(8)                 empty: every contest of a group, in order
//	contest_polls   poll id                                  contest id(8) question(2): what a poll asks
//	contest_players contest id(8) user id(8)                 JSON player: name, team, branch, scores
//	contest_answers contest id(8) question(2) user id(8)     JSON answer: poll, choice, at, seq (bucket sequence), right, score
//
// An attempt's value starts with its open key: the t(8) of the earlier of
// its Deadline and Until while it is open, 0 when it is closed or has
// neither; it is also the first half of its open_attempts key, so
// PutAttempt moves or removes that key without decoding the old header.
// Then a format byte (1) and the header — user, kind, period, N, branch,
// started, deadline, until, flags, closed at, score, right — and each
// response: flags, choices, text, credit unless 0 or 1, the time of the
// answer in nanoseconds after Started, seconds (uvarints, zig-zag
// varints, length-prefixed strings, 8-byte floats; a decoder ignores
// bytes after the fields it knows). A test of 20 answers is about 420
// bytes.
//
// Items never change after CreateAttempt, so recording an answer rewrites
// only the header. OpenQuestions (what the open attempts ask, for an
// upload that removes questions) reads only the text keys of the items of
// the attempts in open_attempts. An item is stored as a reference: the key of its text
// in item_texts (shared by every member who was asked that version of
// the question), the order its options were shown in, its right answers
// and its mistake flag — about 24 bytes instead of 450. Mistakes keep
// their item the same way. Decoded items are kept in an in-memory LRU
// cache (Options.ItemCache attempts; only committed items enter it) and
// decoded texts in a bounded map.
//
// Counters (node_stats, item_stats) are signed varints in field order:
// NodeStats StudyDone, TestTaken, ScoreSum, Passed, Flagged, PointSum,
// Stars[0..3]; ItemStats Answers, Right, TestN[0..10], TestRight[0..10]. A
// shorter value decodes with the missing fields zero, so a new field is
// appended without a migration; a node_stats record is kept when it adds
// up to zero, since PeriodStats reports every node that had any activity.
//
// Publications keep every version. A publication's data is apart from
// its record, so that PublicationHistory reads no data, and Publications
// reads only the latest version's of each kind and id: one seek past the
// last key of the kind and id (its prefix with the final 0x00 made 0x01)
// and one step back.
//
// A contest answer is put only when its key is absent: the first answer
// of a player to a question is kept, and one delivered again (or after a
// restart) finds its key and is not recorded. Its seq, from the bucket's
// sequence, is the order answers were recorded in, which ranks the
// fastest. chat_contest holds at most one contest per group, removed in
// the transaction that finishes it.
//
// The outbox holds the engine's events still to be sent, by seq. The
// engine writes an event in the transaction of the change it reports
// (Tx.Emit); the refs of a transaction's events are written in key order
// when its function returns, and Emitted is signalled once it is on disk.
// PartSent records how many messages of a long event were sent; Done
// removes one and records the outcome under its Ref in outbox_refs ('p'
// pending with its seq, 's' sent, 'f' failed with the reason; at is unix
// nanoseconds), which is kept for good, so that a Ref is queued at most
// once. meta's "outbox_pending" counts the outbox, changed in the same
// transactions, so PendingCount reads one key; Open counts the outbox once
// if the key is missing. Enqueue queues many events outside a change, in a
// transaction of its own (not a batch), its refs in key order, which keeps
// a single call of 100,000 events quick. An event left by an older program
// (a worded notice) reads back as an event of kind quiz.EventText.
//
// Update shares commits (group commit; bbolt's Batch when
// Options.MaxBatchDelay is set, as some tests do). A function that returns an
// application error other than Internal (a refusal: a double tap, an
// answer to a closed item) without having written anything does not roll
// the batch back: the others commit and the refusal goes to its caller
// alone.
//
// # Versions
//
// The schema version is in meta. Open runs migrations[v] for every
// version v from the file's up to SchemaVersion()-1, each in its own
// transaction that also records v+1, then creates any missing bucket. A
// file written by a newer program is refused. A new bucket needs no new
// version: Open creates it in a file of the same version (publications,
// pub_data, flags, outbox, outbox_refs and rounds came that way, with
// "outbox_pending"). Only a change to the format of an existing bucket
// bumps the version and adds a migration.
//
// # Checking
//
// Check (check.go) reads a stopped bot's file in one read-only transaction
// and holds the records written together against each other — attempts,
// progress, the ledger and its index, points, node totals, question
// statistics, member counts, the outbox — for `partyquiz check` after a
// restore or a crash. It changes nothing.
//
// # Errors
//
// Getters return errors wrapping quiz.ErrNotFound where quiz.Tx says so.
// A full disk (ENOSPC or EDQUOT anywhere in the chain, or Options.MaxSize
// reached) comes back as quiz.Errorf(quiz.Unavailable,
// quiz.ReasonStorageFull) wrapping the cause; nothing of that Update is
// kept.
package store
