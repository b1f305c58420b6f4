package webapp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"partyquiz/quiz"
)

// Actions are what a secretary does from the dashboard, done by the bot
// with the same functions its chat handlers call (package bot implements
// it: *bot.Bot).
type Actions interface {
	// Remind queues reminders for the members under node who have not
	// finished; see bot.Bot.Remind.
	Remind(ctx context.Context, v quiz.Viewer, node string) (queued, again, unreachable int, err error)
	// ExportXLSX builds node's spreadsheet; see bot.Bot.ExportXLSX.
	ExportXLSX(ctx context.Context, v quiz.Viewer, node string) (name string, data []byte, rows int, err error)
	// SendExport sends node's spreadsheet to a chat, as /export does.
	SendExport(ctx context.Context, v quiz.Viewer, chat int64, node string) (int, error)
	// GrantMakeup reopens a missed month or test for a member and tells
	// them, once per ref; see bot.Bot.GrantMakeup.
	GrantMakeup(ctx context.Context, v quiz.Viewer, member int64, kind quiz.Kind, period string, days int, ref string) (*quiz.Grant, bool, error)
}

// Options configure the dashboard.
type Options struct {
	Token   string // the bot's token: initData is signed with it
	Service *quiz.Service
	Actions Actions
	// MaxAge is the oldest initData (by auth_date) exchanged for a
	// session; default one hour.
	MaxAge time.Duration
	// SessionTTL is how long a session lasts; default 15 minutes.
	SessionTTL time.Duration
	// Now is the wall clock for auth_date and sessions (not the engine's
	// clock); default time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// maxSessions bounds the sessions kept in memory; past it the oldest
// are dropped (their pages ask for a new one with their initData).
const maxSessions = 20000

// Server is the dashboard: the page, its assets and the JSON API.
type Server struct {
	opts   Options
	svc    *quiz.Service
	mux    *http.ServeMux
	assets *assetSet

	mu       sync.Mutex
	sessions map[string]session
}

// session is a bearer token's user and expiry.
type session struct {
	user    int64
	expires time.Time
}

// New returns the dashboard's server. It returns an error when the
// options lack the token, the service or the actions.
func New(o Options) (*Server, error) {
	if o.Token == "" || o.Service == nil || o.Actions == nil {
		return nil, errors.New("webapp: a token, a service and actions are required")
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Hour
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, svc: o.Service, assets: as, sessions: map[string]session{}, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /api/session", s.createSession)
	s.api("GET /api/overview", s.overview)
	s.api("GET /api/ranking", s.ranking)
	s.api("GET /api/year", s.year)
	s.api("GET /api/weak", s.weak)
	s.api("GET /api/member", s.member)
	s.api("GET /api/remind", s.remindPreview)
	s.api("POST /api/remind", s.remind)
	s.api("POST /api/makeup", s.makeup)
	s.api("POST /api/export", s.sendExport)
	s.mux.HandleFunc("GET /api/export.xlsx", s.download) // a link: the token comes in the query
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound) })
	s.mux.HandleFunc("/", s.serveAsset)
	return s, nil
}

// ServeHTTP serves the dashboard.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// --- sessions ---------------------------------------------------------

// createSession exchanges valid initData for a session token.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var body struct {
		InitData string `json:"init_data"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&body); err != nil {
		writeError(w, http.StatusUnauthorized)
		return
	}
	now := s.opts.Now()
	id, err := Validate(body.InitData, s.opts.Token, now, s.opts.MaxAge)
	if err != nil {
		s.opts.Log.Debug("dashboard: initData refused", "err", err)
		writeError(w, http.StatusUnauthorized)
		return
	}
	v, err := s.svc.Viewer(r.Context(), id.UserID)
	if err != nil {
		s.fail(w, err)
		return
	}
	token := newToken()
	s.mu.Lock()
	s.pruneLocked(now)
	s.sessions[token] = session{user: id.UserID, expires: now.Add(s.opts.SessionTTL)}
	s.mu.Unlock()
	writeJSON(w, s.whoAmI(v, token))
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// pruneLocked drops expired sessions, and the oldest ones past the cap.
func (s *Server) pruneLocked(now time.Time) {
	if len(s.sessions) < maxSessions {
		return
	}
	for t, se := range s.sessions {
		if !now.Before(se.expires) {
			delete(s.sessions, t)
		}
	}
	for len(s.sessions) >= maxSessions {
		var oldest string
		var at time.Time
		for t, se := range s.sessions {
			if oldest == "" || se.expires.Before(at) {
				oldest, at = t, se.expires
			}
		}
		delete(s.sessions, oldest)
	}
}

// viewer returns the Viewer of the request's session, as the chat would
// build it for the same user, or false after answering 401.
func (s *Server) viewer(w http.ResponseWriter, r *http.Request, token string) (quiz.Viewer, bool) {
	s.mu.Lock()
	se, ok := s.sessions[token]
	if ok && !s.opts.Now().Before(se.expires) {
		delete(s.sessions, token)
		ok = false
	}
	s.mu.Unlock()
	if !ok || token == "" {
		writeError(w, http.StatusUnauthorized)
		return quiz.Viewer{}, false
	}
	v, err := s.svc.Viewer(r.Context(), se.user)
	if err != nil {
		s.fail(w, err)
		return quiz.Viewer{}, false
	}
	return v, true
}

// bearer is the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(t)
}

// api registers an endpoint that needs a session.
func (s *Server) api(pattern string, h func(w http.ResponseWriter, r *http.Request, v quiz.Viewer)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		v, ok := s.viewer(w, r, bearer(r))
		if !ok {
			return
		}
		h(w, r, v)
	})
}

// --- answers --------------------------------------------------------------

// statusOf maps an engine error to an HTTP status.
func statusOf(err error) int {
	switch quiz.ErrorCode(err) {
	case quiz.Forbidden:
		return http.StatusForbidden
	case quiz.NotFound:
		return http.StatusNotFound
	case quiz.Invalid:
		return http.StatusBadRequest
	case quiz.Conflict:
		return http.StatusConflict
	case quiz.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers an error: the engine's code as a status with its reason
// key (the page has words for the ones it expects); anything else is 500
// and a log line.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.opts.Log.Error("dashboard: a request failed", "err", err)
		writeError(w, status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": http.StatusText(status), "reason": quiz.ErrorReason(err)})
}

// writeError answers a bare status with a fixed body.
func writeError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": http.StatusText(status)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}
