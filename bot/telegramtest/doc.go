// Package telegramtest is a fake Telegram Bot API server that behaves like
// the real one in everything partyquiz's bot touches, over real HTTP on
// 127.0.0.1. The project's end-to-end tests run the real bot (tgbotapi
// v5.5.1) against it, and `partyquiz chat` runs it in-process so that a
// person at a terminal can play a Telegram user.
//
// # What it owns
//
// Server is the fake API: /bot<token>/<method> (method names in any case;
// POST form-urlencoded, multipart, JSON, or GET query parameters) and file
// downloads at /file/bot<token>/<file_path>. It keeps the chats, messages,
// files, callback queries and the update queue, and answers with the real
// envelopes, codes and descriptions: the tables of shared/TELEGRAM.md, HTML
// parse_mode parsed by a port of tdlib's parser (same error messages and
// byte offsets), inline keyboard rules, message, caption and
// callback-answer limits, "message is not modified", getUpdates offsets,
// long polls and 409 conflicts, webhooks with the secret token header,
// redelivery and a method carried in the webhook's answer (run as the real
// server runs it, result unknown to the bot), and flood limits (429 with
// retry_after and Retry-After).
//
// The simulation side is what tests and the terminal chat drive: User (a
// person and their private chat), Group, and Chat (reading a chat:
// Messages, Last, Wait, WaitAfter, Events). Users send text, commands,
// documents, photos, stickers, voice, locations and contacts, press inline
// buttons (Press, PressOn, PressData), block and unblock the bot; they see
// each bot message in its current state, with buttons, documents and the
// toasts of answered presses. Groups have members (Group.Join; whoever
// posts there joins); members vote in the bot's polls (Group.Vote, one
// answer per quiz, open_period and stopPoll on the server's Clock) and the
// bot gets poll_answer and poll updates; an anonymous admin's vote
// (Group.VoteAnonymousAdmin) comes without a user. A group takes at most
// 20 messages, edits included, in any minute (Pace.GroupWindow).
//
// Tests break things on purpose with InjectFault (the next N calls fail
// with a code, a non-JSON body or a reset connection), Outage (every call
// fails for a while, 502 or reset), Throttle (a 429 storm) and SetLatency,
// and read the counters with Stats and TooManyRequests. A ManualClock makes
// pacing, callback expiry and outages instant and deterministic.
//
// # What it must never do
//
//   - Talk to the network beyond loopback: it listens on 127.0.0.1 only,
//     delivers webhooks only to loopback addresses, and never fetches a URL
//     a bot passes as a file.
//   - Be lenient where the real server is strict. Where the fake cannot
//     emulate something (MarkdownV2, inline mode, most media methods) it
//     fails loudly (400 naming telegramtest, or 501) instead of accepting.
//   - Depend on package testing, or block on a slow reader: it is part of
//     the product's offline mode, and is safe for concurrent use.
package telegramtest
