// Package bot is partyquiz's Telegram side: it takes updates from the Bot
// API, routes them to handlers, calls the engine (package quiz) and sends
// replies in Chinese.
//
// It owns:
//
//   - taking updates (Bot.Run): long polling with GetUpdates in its own
//     loop, or a webhook checked by its secret token; either way an update
//     is confirmed to Telegram only after it has been handled and its
//     effects are in the store; updates of one chat in order, chats in
//     parallel;
//   - the routing table (Route: commands and callback-data prefixes to
//     handlers, with the role each needs) and the guard that every private
//     message and every button press gets an answer and no panic escapes;
//     a button press is matched by the kind of chat it came from: in a
//     group or supergroup only the routes marked Group (the contest's call
//     to join), in a private chat only the others, anything else being an
//     unknown button;
//   - outgoing calls (Sender): paced to Telegram's limits, in order per
//     chat, retried on 429 (after retry_after), 5xx and network failures,
//     stopped for a user who blocked the bot;
//   - rendering: every text a user reads is in text.go; bank and user text
//     is HTML-escaped where it is put in; long texts are split at lines;
//     callback data is compact and under 64 bytes;
//   - dialog state kept in the store (Dialogs), so a restart loses nothing;
//   - sending the engine's events (Outbox, notify.go): every event the
//     engine recorded with a change — a month's study opening, test
//     results, the half year's ranking, the year's stars, reminders, a
//     make-up, a correction, a flag for the admins, a test whose time ran
//     out — worded in Chinese when it is sent, a long one in parts, each
//     part once, at Telegram's pace; and running the engine's rounds when
//     they are due (a failed one is retried with a back-off and holds up
//     none of the others);
//   - the secretaries' and admins' flows: reports, reminders, make-ups
//     (secretary.go), point corrections confirmed first (fix.go), invites
//     by name or from the tree (invite.go), the export as a printable
//     report (export.go), bank uploads (admin.go, xlsx.go); /banks and the
//     card of each bank, the plan and the tree (banks.go): versions, files,
//     roll backs through the same 发布 confirmation as an upload;
//   - dialogs that interrupt an attempt give it back when they end
//     (resume.go), and AwaitsText says when the bot waits for typed text;
//   - groups and the live contest (contest.go, contest_run.go): the
//     commands a group is answered (/bind, /unbind, /rank), /contest as
//     the host's console, each contest run by the engine's clock as polls
//     in the group, answers taken from poll_answer updates.
//
// It must never: show a raw error or a Go value to a user, record anything
// itself (the engine does, before any reply is sent), trust callback data
// (every press is checked by the engine), or know about bbolt.
package bot
