// Package webapp is the secretaries' and admins' dashboard: a Telegram
// Mini App (a web page opened from a web_app button in the private chat
// with the bot) served by the bot itself, with a small JSON API behind it.
//
// It owns:
//
//   - initData validation (Validate): the query string Telegram hands the
//     page is checked as Telegram specifies — the secret key is
//     HMAC-SHA256(key "WebAppData", message bot token); the data-check
//     string is every field but hash, decoded, as key=value, sorted by
//     key, joined by "\n"; its HMAC-SHA256 under the secret key must equal
//     hash. A key given twice, a missing or malformed user or auth_date,
//     or an auth_date older than Options.MaxAge (or from the future) is
//     refused. Sign builds such data, for tests and the offline demo.
//   - sessions: valid initData is exchanged (POST api/session) for a
//     random bearer token that lives Options.SessionTTL (15 minutes by
//     default) in memory; the page asks for a new one with its initData
//     while that is fresh. A token names a Telegram user id and nothing
//     else.
//   - the JSON API (api/overview, api/ranking, api/year, api/weak,
//     api/member, api/remind, api/makeup, api/export): each call turns the
//     session's user id into a quiz.Viewer with quiz.Service.Viewer — the
//     same Viewer the chat gets — and asks quiz (NodeReport, Standings,
//     Year, Weak, RemindTargets, MemberCard, Export through the bot);
//     the engine's error codes become HTTP statuses (Forbidden 403,
//     NotFound 404, Invalid 400, Conflict 409, Unavailable 503, anything
//     else 500 and a log line). Actions a secretary takes — reminding,
//     a make-up, the spreadsheet — go through Actions, which the bot
//     implements with the very functions its chat handlers call.
//   - the page and its assets (assets/, embedded): index.html, app.js,
//     app.css, and Apache ECharts' "simple" build vendored at a pinned
//     version with its LICENSE and NOTICE (assets/vendor/echarts/). They
//     are gzip-compressed once at start and served compressed to clients
//     that accept it; nothing comes from a CDN. The page reads Telegram's
//     launch parameters (tgWebAppData, tgWebAppThemeParams, …) from the
//     URL fragment itself, so it runs in Telegram, in a test browser and
//     in an ordinary browser opened on a signed link (partyquiz chat).
//
// Authentication failures of any kind — no token, an unknown or expired
// token, forged, expired, replayed or another bot's initData, duplicate
// keys — are 401 with a fixed body and nothing else.
//
// It must never have permission rules of its own: it never decides who
// may see or do what (quiz does, as for the chat), never reads the store
// directly, never words a notice (package bot does, in bot/text.go), and
// never shows a raw error to the page. Its Chinese words are all in the
// page (the table T at the top of assets/app.js); the API sends figures,
// names and the engine's period labels, never sentences.
package webapp
