package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the bot token used when Options.Token is empty.
const DefaultToken = "123456789:TEST-telegramtest_token"

// Options configure a Server. The zero value is a working server with
// pacing on, the real clock and a bot called partyquiz_bot.
type Options struct {
	// Token is the bot token the server accepts (default DefaultToken).
	// Its numeric prefix is the bot's user id.
	Token string
	// BotUsername is the bot's username without "@" (default "partyquiz_bot").
	BotUsername string
	// BotName is the bot's first_name (default "PartyQuiz").
	BotName string
	// Clock drives message dates, pacing, callback expiry and outages
	// (default: the real clock). See ManualClock.
	Clock Clock
	// DisablePacing turns the flood limits off from the start, for load
	// tests. Pacing can also be switched with Server.SetPacing.
	DisablePacing bool
	// Pace tunes the flood limits; zero fields take the defaults.
	Pace Pace
	// CallbackTimeout is how long after a button press answerCallbackQuery
	// is still accepted (default 15s, measured on Clock).
	CallbackTimeout time.Duration
	// GroupPrivacyOff delivers every group message to the bot. By default
	// the bot is in privacy mode, like a new bot on the real server: in
	// groups it receives only commands (for it or for no bot in
	// particular) and replies to its own messages.
	GroupPrivacyOff bool
	// WebhookRetryMin and WebhookRetryMax bound the backoff between
	// redeliveries of an update the webhook refused (defaults 100ms and
	// 5s, real time).
	WebhookRetryMin, WebhookRetryMax time.Duration
	// WebhookTimeout is how long a webhook may take to answer before the
	// delivery counts as failed (default 10s, real time).
	WebhookTimeout time.Duration
	// Logf, if set, receives one line per API call. It must be safe for
	// concurrent use.
	Logf func(format string, args ...any)
}

// Server is a fake Telegram Bot API server listening on a loopback port.
// All methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>".
	URL string

	opts      Options
	clock     Clock
	token     string
	botUser   wUser
	ln        net.Listener
	hs        *http.Server
	closed    chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
	webhookHC *http.Client

	mu sync.Mutex

	chats     map[int64]*chat
	users     map[int64]*User
	files     map[string]*file
	filePaths map[string]*file
	nextFile  int
	queries   map[string]*query
	nextQuery int64
	nextPoll  int
	commands  map[string][]BotCommand
	polls     map[string]*pollState // by poll id; made on first use (polls.go)

	// Updates not yet confirmed (getUpdates) or delivered (webhook).
	updates        []*update
	nextUpdateID   int
	updatesChanged chan struct{}
	allowed        []string
	poll           *poller
	webhook        *webhookState
	waits          []time.Duration // DeliveryWaits
	webhookReplies int

	pacing        bool
	pace          Pace
	global        bucket
	throttleUntil time.Time
	throttleRetry int

	faults      []*Fault
	outageUntil time.Time
	outageMode  OutageMode
	latency     map[string]time.Duration
	stats       map[string]*MethodStats
}

// NewServer starts a Server on 127.0.0.1 and panics if it cannot listen,
// like httptest.NewServer. Call Close when done.
func NewServer(opts Options) *Server {
	s, err := Start(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// Start starts a Server on 127.0.0.1. Call Close when done.
func Start(opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	idPart, _, ok := strings.Cut(opts.Token, ":")
	botID, err := strconv.ParseInt(idPart, 10, 64)
	if !ok || err != nil || botID <= 0 {
		return nil, fmt.Errorf("telegramtest: token %q is not of the form <bot id>:<secret>", opts.Token)
	}
	if opts.BotUsername == "" {
		opts.BotUsername = "partyquiz_bot"
	}
	opts.BotUsername = strings.TrimPrefix(opts.BotUsername, "@")
	if opts.BotName == "" {
		opts.BotName = "PartyQuiz"
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.CallbackTimeout <= 0 {
		opts.CallbackTimeout = 15 * time.Second
	}
	if opts.WebhookRetryMin <= 0 {
		opts.WebhookRetryMin = 100 * time.Millisecond
	}
	if opts.WebhookRetryMax < opts.WebhookRetryMin {
		opts.WebhookRetryMax = max(5*time.Second, opts.WebhookRetryMin)
	}
	if opts.WebhookTimeout <= 0 {
		opts.WebhookTimeout = 10 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("telegramtest: %w", err)
	}
	yes, no := true, false
	s := &Server{
		URL:   "http://" + ln.Addr().String(),
		opts:  opts,
		clock: opts.Clock,
		token: opts.Token,
		botUser: wUser{ID: botID, IsBot: true, FirstName: opts.BotName, Username: opts.BotUsername,
			CanJoinGroups: &yes, CanReadAllGroupMessages: &opts.GroupPrivacyOff, SupportsInlineQueries: &no},
		ln:     ln,
		closed: make(chan struct{}),
		webhookHC: &http.Client{
			Timeout:   opts.WebhookTimeout,
			Transport: &http.Transport{Proxy: nil, DisableKeepAlives: false, MaxIdleConnsPerHost: 8},
		},
		chats:          map[int64]*chat{},
		users:          map[int64]*User{},
		files:          map[string]*file{},
		filePaths:      map[string]*file{},
		queries:        map[string]*query{},
		commands:       map[string][]BotCommand{},
		nextUpdateID:   1,
		updatesChanged: make(chan struct{}),
		pacing:         !opts.DisablePacing,
		pace:           opts.Pace.withDefaults(),
		latency:        map[string]time.Duration{},
		stats:          map[string]*MethodStats{},
	}
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.hs.Serve(ln)
	}()
	return s, nil
}

// Close stops the server: the listener and every connection are closed,
// pending long polls return, webhook delivery and event streams stop.
// Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.mu.Lock()
		s.stopWebhookLocked()
		s.mu.Unlock()
		_ = s.hs.Close()
		s.wg.Wait()
		s.webhookHC.CloseIdleConnections()
	})
}

// Token returns the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// BotID returns the bot's user id.
func (s *Server) BotID() int64 { return s.botUser.ID }

// BotUsername returns the bot's username, without "@".
func (s *Server) BotUsername() string { return s.botUser.Username }

// APIEndpoint returns the endpoint format for
// tgbotapi.NewBotAPIWithAPIEndpoint: URL + "/bot%s/%s".
func (s *Server) APIEndpoint() string { return s.URL + "/bot%s/%s" }

// FileEndpoint returns the file download format, URL + "/file/bot%s/%s",
// to be filled with the token and a file_path from getFile.
func (s *Server) FileEndpoint() string { return s.URL + "/file/bot%s/%s" }

// SetPacing turns the flood limits on or off.
func (s *Server) SetPacing(on bool) {
	s.mu.Lock()
	s.pacing = on
	s.mu.Unlock()
}

// SetPace changes the flood limits; zero fields take the defaults. The
// buckets keep their current contents.
func (s *Server) SetPace(p Pace) {
	s.mu.Lock()
	s.pace = p.withDefaults()
	s.mu.Unlock()
}

// apiError is a failed call: HTTP status and error_code, description, and
// for 429 the retry_after parameter.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }
func forbidden(desc string) *apiError  { return &apiError{code: 403, desc: "Forbidden: " + desc} }
func conflict(desc string) *apiError   { return &apiError{code: 409, desc: "Conflict: " + desc} }
func tooManyRequests(n int) *apiError {
	return &apiError{code: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(n), retryAfter: n}
}

// described is a result that carries a description too, like setWebhook's
// {"ok":true,"result":true,"description":"Webhook was set"}.
type described struct {
	result any
	desc   string
}

type call struct {
	r      *http.Request
	method string
	p      *params
}

type handler func(s *Server, c *call) (any, *apiError)

type methodInfo struct {
	name  string
	fn    handler
	paced bool
}

var methods = map[string]methodInfo{}

func init() {
	for _, m := range []methodInfo{
		{name: "getMe", fn: (*Server).getMe},
		{name: "getUpdates", fn: (*Server).getUpdates},
		{name: "setWebhook", fn: (*Server).setWebhook},
		{name: "deleteWebhook", fn: (*Server).deleteWebhook},
		{name: "getWebhookInfo", fn: (*Server).getWebhookInfo},
		{name: "sendMessage", fn: (*Server).sendMessage, paced: true},
		{name: "sendDocument", fn: (*Server).sendDocument, paced: true},
		{name: "sendPoll", fn: (*Server).sendPoll, paced: true},
		{name: "editMessageText", fn: (*Server).editMessageText, paced: true},
		{name: "editMessageCaption", fn: (*Server).editMessageCaption, paced: true},
		{name: "editMessageReplyMarkup", fn: (*Server).editMessageReplyMarkup, paced: true},
		{name: "deleteMessage", fn: (*Server).deleteMessage},
		{name: "answerCallbackQuery", fn: (*Server).answerCallbackQuery},
		{name: "sendChatAction", fn: (*Server).sendChatAction},
		{name: "getFile", fn: (*Server).getFile},
		{name: "setMyCommands", fn: (*Server).setMyCommands},
		{name: "getMyCommands", fn: (*Server).getMyCommands},
		{name: "deleteMyCommands", fn: (*Server).deleteMyCommands},
		{name: "getChat", fn: (*Server).getChat},
		{name: "leaveChat", fn: (*Server).leaveChat},
	} {
		methods[strings.ToLower(m.name)] = m
	}
	for _, name := range notEmulated {
		notEmulatedSet[strings.ToLower(name)] = name
	}
}

// notEmulated are real Bot API methods this fake does not implement. They
// fail loudly with 501 instead of the 404 an unknown method gets, so that a
// bot using one learns the fake is the problem, not its spelling.
var notEmulated = []string{
	"logOut", "close", "forwardMessage", "forwardMessages", "copyMessage", "copyMessages", "sendPhoto",
	"sendAudio", "sendVideo", "sendAnimation", "sendVoice", "sendVideoNote", "sendMediaGroup",
	"sendLocation", "editMessageLiveLocation", "stopMessageLiveLocation", "sendVenue", "sendContact",
	"sendDice", "getUserProfilePhotos", "banChatMember", "kickChatMember", "unbanChatMember",
	"restrictChatMember", "promoteChatMember", "setChatAdministratorCustomTitle", "banChatSenderChat",
	"unbanChatSenderChat", "setChatPermissions", "exportChatInviteLink", "createChatInviteLink",
	"editChatInviteLink", "revokeChatInviteLink", "approveChatJoinRequest", "declineChatJoinRequest",
	"setChatPhoto", "deleteChatPhoto", "setChatTitle", "setChatDescription", "pinChatMessage",
	"unpinChatMessage", "unpinAllChatMessages", "getChatAdministrators", "getChatMemberCount",
	"getChatMembersCount", "getChatMember", "setChatStickerSet", "deleteChatStickerSet",
	"editMessageMedia", "deleteMessages", "sendSticker", "getStickerSet", "uploadStickerFile",
	"createNewStickerSet", "addStickerToSet", "setStickerPositionInSet", "deleteStickerFromSet",
	"setStickerSetThumb", "answerInlineQuery", "sendInvoice", "answerShippingQuery",
	"answerPreCheckoutQuery", "setPassportDataErrors", "sendGame", "setGameScore", "getGameHighScores",
	"setChatMenuButton", "getChatMenuButton", "setMyDefaultAdministratorRights",
	"getMyDefaultAdministratorRights", "answerWebAppQuery", "createInvoiceLink", "setMyDescription",
	"getMyDescription", "setMyShortDescription", "getMyShortDescription", "setMyName", "getMyName",
	"setMessageReaction",
}

var notEmulatedSet = map[string]string{}

// ServeHTTP serves the Bot API under /bot<token>/<method> and file
// downloads under /file/bot<token>/<file_path>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/file/bot"):
		if s.outage(w, "file") {
			return
		}
		s.serveFile(w, r, strings.TrimPrefix(p, "/file/bot"))
	case strings.HasPrefix(p, "/bot"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/bot"))
	default:
		if s.outage(w, "") {
			return
		}
		writeError(w, &apiError{code: 404, desc: "Not Found"})
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	token, name, ok := strings.Cut(rest, "/")
	if name == "" {
		name = "unknown"
	}
	key := strings.ToLower(name)
	info, known := methods[key]
	if known {
		name = info.name
	} else if real, ok := notEmulatedSet[key]; ok {
		name = real
	}
	if s.outage(w, name) {
		return
	}
	if !ok || strings.Contains(name, "/") {
		s.finish(w, r, name, nil, &apiError{code: 404, desc: "Not Found"})
		return
	}
	if token != s.token {
		s.finish(w, r, name, nil, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	if !known {
		if _, ok := notEmulatedSet[key]; ok {
			s.finish(w, r, name, nil, &apiError{code: 501, desc: "Not Implemented: telegramtest does not emulate " + name})
			return
		}
		s.finish(w, r, name, nil, &apiError{code: 404, desc: "Not Found: method not found"})
		return
	}
	if f := s.takeFault(name); f != nil {
		s.serveFault(w, r, name, f)
		return
	}
	if d := s.latencyFor(name); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closed:
			t.Stop()
			return
		}
	}
	prm, perr := parseParams(w, r)
	if perr != nil {
		s.finish(w, r, name, nil, perr)
		return
	}
	res, aerr := info.fn(s, &call{r: r, method: name, p: prm})
	s.finish(w, r, name, res, aerr)
}

type okEnvelope struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result"`
	Description string `json:"description,omitempty"`
}

type respParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type errEnvelope struct {
	OK          bool        `json:"ok"`
	ErrorCode   int         `json:"error_code"`
	Description string      `json:"description"`
	Parameters  *respParams `json:"parameters,omitempty"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := errEnvelope{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		env.Parameters = &respParams{RetryAfter: e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	body, _ := marshal(env)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.code)
	_, _ = w.Write(body)
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, name string, res any, e *apiError) {
	if e != nil {
		s.count(name, e.code)
		s.logf("%s %s -> %d %s", r.Method, name, e.code, e.desc)
		writeError(w, e)
		return
	}
	env := okEnvelope{OK: true, Result: res}
	if d, ok := res.(described); ok {
		env.Result, env.Description = d.result, d.desc
	}
	body, err := marshal(env)
	if err != nil {
		s.finish(w, r, name, nil, &apiError{code: 500, desc: "Internal Server Error: " + err.Error()})
		return
	}
	s.count(name, 200)
	s.logf("%s %s -> 200", r.Method, name)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("telegramtest: "+format, args...)
	}
}

// serveFile serves GET /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, fpath, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		s.count("file", 401)
		writeError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	f := s.filePaths[fpath]
	s.mu.Unlock()
	if f == nil || f.data == nil {
		s.count("file", 404)
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	s.count("file", 200)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.data)
	}
}

// marshal encodes like the real server: no escaping of <, > and &.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
