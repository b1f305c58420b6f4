// Package quiz is the domain of partyquiz: what happens when a member
// studies, is tested and earns points, and how branches compare — the
// cycle 每月一学、季度一测、半年一比、年终一评.
//
// It owns the rules and nothing else:
//
//   - periods in the configured time zone (Calendar, Period, sortable keys
//     "2026-11", "2026-Q4", "2026-H2", "2026");
//   - the organisation tree (Tree, Node) and who may see what (Viewer);
//   - draws (Draw: deterministic per member, period and attempt, options
//     shuffled), attempts that keep a snapshot of what was asked (Attempt,
//     Item, Response) and grading (Grade);
//   - the monthly study, the quarterly test with its window, time limit,
//     attempts and pass mark, closing of attempts whose time ran out;
//   - the append-only point ledger (Entry, Points) and stars (Stars);
//   - running totals for reports (NodeStats, Progress, ItemStats) and the
//     half-year ranking (RankConfig.Rank);
//   - the mistake book's Leitner boxes (Mistake);
//   - invites, make-ups (Grant) and manual corrections;
//   - events (Event): what someone must be told, written with the change
//     that causes it, and the rounds (Round) that tell members, secretaries
//     and admins when a period opens or ends, and remind those who have not
//     finished;
//   - groups bound to nodes and the live contest (有奖知识问答, contest.go):
//     its questions, first answers, scores, ranks, teams and points;
//   - publishing banks, the plan and the tree uploaded by admins (Prepare,
//     Publish: publish.go) — what an upload changes, and what members were
//     asked of the questions it removes — and their versions (versions.go:
//     History with who and what changed, PublishedVersion, roll backs by
//     PrepareVersion, published as a new version).
//
// Service runs these rules inside transactions of a Store, which this
// package declares and package store implements with bbolt. Every change
// that belongs together — an answer, its attempt, its ledger entry, the
// totals — happens in one Update, so it is all recorded or none of it is.
//
// It must never import Telegram or bbolt, call time.Now in a rule (time
// comes from Service.Now and is passed down), record an answer, a score or
// a point twice (every ledger entry has a Ref unique per member; an answer
// to an item that has one is refused), or let a viewer see or act outside
// their scope, or hold a word a user reads (events, ledger entries and
// errors carry kinds, keys and numbers; the bot words them). Errors meant
// for users are *Error values with a code and a reason key.
package quiz
