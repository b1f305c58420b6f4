package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// update is one update waiting for the bot.
type update struct {
	id       int
	kind     string
	chatID   int64
	body     json.RawMessage
	inflight bool
	attempts int
	nextTry  time.Time // real time; webhook redelivery
	at       time.Time // real time; when it was made
	taken    bool      // handed to the bot at least once
}

type wUpdate struct {
	UpdateID      int                 `json:"update_id"`
	Message       *wMessage           `json:"message,omitempty"`
	EditedMessage *wMessage           `json:"edited_message,omitempty"`
	CallbackQuery *wCallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *wChatMemberUpdated `json:"my_chat_member,omitempty"`
	Poll          *wPoll              `json:"poll,omitempty"`
	PollAnswer    *wPollAnswer        `json:"poll_answer,omitempty"`
}

// poller is the getUpdates request currently waiting.
type poller struct {
	terminated chan struct{}
	reason     string
}

type webhookState struct {
	url        string
	secret     string
	maxConns   int
	allowed    []string
	ctx        context.Context
	cancel     context.CancelFunc
	lastErrAt  time.Time
	lastErrMsg string
}

// defaultUpdateKinds are what the bot gets when allowed_updates was never
// given or given empty: everything except chat_member and friends.
var defaultUpdateKinds = map[string]bool{"message": true, "edited_message": true, "callback_query": true, "my_chat_member": true,
	"poll": true, "poll_answer": true}

func (s *Server) wakeUpdatesLocked() {
	close(s.updatesChanged)
	s.updatesChanged = make(chan struct{})
}

func (s *Server) wakeUpdates() {
	s.mu.Lock()
	s.wakeUpdatesLocked()
	s.mu.Unlock()
}

// enqueueLocked adds an update for the bot, unless allowed_updates excludes
// its kind (the real server never stores those).
func (s *Server) enqueueLocked(chatID int64, fill func(u *wUpdate) string) {
	w := &wUpdate{UpdateID: s.nextUpdateID}
	kind := fill(w)
	if len(s.allowed) > 0 {
		ok := false
		for _, a := range s.allowed {
			ok = ok || a == kind
		}
		if !ok {
			return
		}
	} else if !defaultUpdateKinds[kind] {
		return
	}
	s.nextUpdateID++
	body, _ := marshal(w)
	s.updates = append(s.updates, &update{id: w.UpdateID, kind: kind, chatID: chatID, body: body, at: time.Now()})
	s.wakeUpdatesLocked()
}

// maxWaits bounds the delivery waits kept (DeliveryWaits).
const maxWaits = 1 << 20

// takenLocked records, the first time an update is handed to the bot, how
// long it waited for the bot to take it.
func (s *Server) takenLocked(u *update) {
	if !u.taken {
		u.taken = true
		if len(s.waits) < maxWaits {
			s.waits = append(s.waits, time.Since(u.at))
		}
	}
}

// DeliveryWaits returns, for each update handed to the bot (the first
// time, by getUpdates or the webhook), how long it had waited for the bot
// to take it: in polling mode, for the bot's next getUpdates. The load
// command reports them beside the bot's own stages.
func (s *Server) DeliveryWaits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}

func parseAllowed(raw string) ([]string, bool) {
	if strings.TrimSpace(raw) == "" {
		return nil, false
	}
	var list []string
	if json.Unmarshal([]byte(raw), &list) != nil {
		return nil, false
	}
	return list, true
}

func clamp(v, lo, hi int) int {
	return max(lo, min(hi, v))
}

func (s *Server) getUpdates(c *call) (any, *apiError) {
	offset, _ := c.p.int("offset")
	limit, ok := c.p.int("limit")
	if !ok || limit == 0 {
		limit = 100
	}
	limit = clamp(limit, 1, 100)
	timeout, _ := c.p.int("timeout")
	timeout = clamp(timeout, 0, 50)
	allowed, hasAllowed := parseAllowed(c.p.str("allowed_updates"))

	s.mu.Lock()
	if s.webhook != nil {
		s.mu.Unlock()
		return nil, conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	}
	if hasAllowed {
		s.allowed = allowed
	}
	from := s.confirmLocked(offset)
	if s.poll != nil {
		s.poll.reason = "terminated by other getUpdates request; make sure that only one bot instance is running"
		close(s.poll.terminated)
	}
	me := &poller{terminated: make(chan struct{})}
	s.poll = me
	done := func() json.RawMessage {
		if s.poll == me {
			s.poll = nil
		}
		return s.collectLocked(from, limit, true)
	}
	var timer *time.Timer
	if timeout > 0 {
		timer = time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
	}
	for {
		if res := s.collectLocked(from, limit, false); timeout == 0 || string(res) != "[]" {
			res = done()
			s.mu.Unlock()
			return res, nil
		}
		wake := s.updatesChanged
		s.mu.Unlock()
		select {
		case <-wake:
		case <-me.terminated:
			s.mu.Lock()
			reason := me.reason
			s.mu.Unlock()
			return nil, conflict(reason)
		case <-timer.C:
			s.mu.Lock()
			res := done()
			s.mu.Unlock()
			return res, nil
		case <-c.r.Context().Done():
			s.mu.Lock()
			res := done()
			s.mu.Unlock()
			return res, nil
		case <-s.closed:
			return json.RawMessage("[]"), nil
		}
		s.mu.Lock()
	}
}

// confirmLocked forgets the updates an offset confirms and returns the
// smallest update_id still to return.
func (s *Server) confirmLocked(offset int) int {
	switch {
	case offset > 0:
		k := 0
		for k < len(s.updates) && s.updates[k].id < offset {
			k++
		}
		s.updates = append([]*update(nil), s.updates[k:]...)
		return offset
	case offset < 0:
		if n := -offset; len(s.updates) > n {
			s.updates = append([]*update(nil), s.updates[len(s.updates)-n:]...)
		}
	}
	return 0
}

// collectLocked returns up to limit updates from update_id from on, as
// getUpdates answers them; take marks them handed to the bot (the answer
// is going out: DeliveryWaits).
func (s *Server) collectLocked(from, limit int, take bool) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	n := 0
	for _, u := range s.updates {
		if u.id < from {
			continue
		}
		if n == limit {
			break
		}
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(u.body)
		n++
		if take {
			s.takenLocked(u)
		}
	}
	b.WriteByte(']')
	return b.Bytes()
}

func validSecretToken(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !isASCIIAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) setWebhook(c *call) (any, *apiError) {
	p := c.p
	raw := strings.TrimSpace(p.str("url"))
	secret := p.str("secret_token")
	if len(secret) > 256 {
		return nil, badRequest("secret token is too long")
	}
	if !validSecretToken(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConns, ok := p.int("max_connections")
	if !ok || maxConns == 0 {
		maxConns = 40
	}
	maxConns = clamp(maxConns, 1, 100)
	drop := p.bool("drop_pending_updates")
	allowed, hasAllowed := parseAllowed(p.str("allowed_updates"))
	if raw == "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		was := s.webhook != nil
		s.stopWebhookLocked()
		if drop {
			s.updates = nil
		}
		if !was {
			return described{result: true, desc: "Webhook is already deleted"}, nil
		}
		return described{result: true, desc: "Webhook was deleted"}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	if !isLoopbackHost(u.Hostname()) {
		return nil, badRequest("bad webhook: telegramtest delivers only to loopback addresses, not " + u.Hostname())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.poll != nil {
		s.poll.reason = "terminated by setWebhook request"
		close(s.poll.terminated)
		s.poll = nil
	}
	s.stopWebhookLocked()
	if drop {
		s.updates = nil
	}
	if hasAllowed {
		s.allowed = allowed
	}
	ctx, cancel := context.WithCancel(context.Background())
	wh := &webhookState{url: u.String(), secret: secret, maxConns: maxConns, allowed: allowed, ctx: ctx, cancel: cancel}
	s.webhook = wh
	select {
	case <-s.closed:
		cancel()
	default:
		s.wg.Add(1)
		go s.webhookLoop(wh)
	}
	return described{result: true, desc: "Webhook was set"}, nil
}

func (s *Server) stopWebhookLocked() {
	if s.webhook == nil {
		return
	}
	s.webhook.cancel()
	s.webhook = nil
	for _, u := range s.updates {
		u.inflight = false
		u.nextTry = time.Time{}
	}
	s.wakeUpdatesLocked()
}

func (s *Server) deleteWebhook(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.webhook != nil
	s.stopWebhookLocked()
	if c.p.bool("drop_pending_updates") {
		s.updates = nil
	}
	if !was {
		return described{result: true, desc: "Webhook is already deleted"}, nil
	}
	return described{result: true, desc: "Webhook was deleted"}, nil
}

// WebhookInfo is what getWebhookInfo reports.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

// WebhookInfo returns what getWebhookInfo would report now.
func (s *Server) WebhookInfo() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookInfoLocked()
}

func (s *Server) webhookInfoLocked() WebhookInfo {
	info := WebhookInfo{PendingUpdateCount: len(s.updates)}
	if wh := s.webhook; wh != nil {
		info.URL = wh.url
		info.MaxConnections = wh.maxConns
		info.AllowedUpdates = s.allowed
		if !wh.lastErrAt.IsZero() {
			info.LastErrorDate = wh.lastErrAt.Unix()
			info.LastErrorMessage = wh.lastErrMsg
		}
	}
	return info
}

func (s *Server) getWebhookInfo(*call) (any, *apiError) {
	return s.WebhookInfo(), nil
}

// webhookLoop delivers updates while wh is the webhook: per chat one at a
// time and in order, up to max_connections at once, each refused delivery
// retried after a growing delay.
func (s *Server) webhookLoop(wh *webhookState) {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.webhook != wh {
			s.mu.Unlock()
			return
		}
		now := time.Now()
		var next time.Time
		var batch []*update
		if s.inOutageLocked() {
			next = now.Add(20 * time.Millisecond)
		} else {
			inflight := 0
			for _, u := range s.updates {
				if u.inflight {
					inflight++
				}
			}
			busy := map[int64]bool{}
			for _, u := range s.updates {
				if busy[u.chatID] {
					continue
				}
				busy[u.chatID] = true
				if u.inflight {
					continue
				}
				if u.nextTry.After(now) {
					if next.IsZero() || u.nextTry.Before(next) {
						next = u.nextTry
					}
					continue
				}
				if inflight >= wh.maxConns {
					break
				}
				u.inflight = true
				s.takenLocked(u)
				inflight++
				batch = append(batch, u)
			}
		}
		wake := s.updatesChanged
		for _, u := range batch {
			s.wg.Add(1)
			go s.deliver(wh, u)
		}
		s.mu.Unlock()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-wake:
		case <-timer.C:
		case <-wh.ctx.Done():
			return
		}
	}
}

func (s *Server) deliver(wh *webhookState, u *update) {
	defer s.wg.Done()
	errMsg := s.postUpdate(wh, u)
	s.mu.Lock()
	defer s.mu.Unlock()
	u.inflight = false
	k := -1
	for i, v := range s.updates {
		if v == u {
			k = i
			break
		}
	}
	if k < 0 {
		return // dropped meanwhile
	}
	if errMsg == "" {
		s.updates = append(s.updates[:k:k], s.updates[k+1:]...)
	} else if wh.ctx.Err() == nil {
		u.attempts++
		backoff := s.opts.WebhookRetryMin
		for i := 1; i < u.attempts && backoff < s.opts.WebhookRetryMax; i++ {
			backoff *= 2
		}
		u.nextTry = time.Now().Add(min(backoff, s.opts.WebhookRetryMax))
		wh.lastErrAt = s.clock.Now()
		wh.lastErrMsg = errMsg
	}
	s.wakeUpdatesLocked()
}

// postUpdate sends one update to the webhook and returns "" on success or the
// last_error_message to report. A reply carrying a method call (Telegram's
// "reply to the webhook" feature) is executed like an API call.
func (s *Server) postUpdate(wh *webhookState, u *update) string {
	req, err := http.NewRequestWithContext(wh.ctx, http.MethodPost, wh.url, bytes.NewReader(u.body))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	if wh.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
	}
	resp, err := s.webhookHC.Do(req)
	if err != nil {
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return "Read timeout expired"
		case errors.Is(err, syscall.ECONNREFUSED):
			return "Connection refused"
		case errors.Is(err, os.ErrDeadlineExceeded):
			return "Read timeout expired"
		}
		return "Connection failed: " + err.Error()
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxRequestBytes))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Sprintf("Wrong response from the webhook: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	s.replyCall(resp.Header.Get("Content-Type"), body)
	return ""
}

// replyCall runs a method call sent back in a webhook response body, as
// the real server does (telegram-bot-api's WebhookActor): only from a 2xx
// answer; the body's parameters read like a request's (JSON object,
// form-urlencoded or multipart), "method" naming the method in any case;
// setWebhook, deleteWebhook, close, logOut and every get… method are
// ignored; the call is made like any other (limits, faults, counters) but
// nobody learns its result, and the update counts as delivered without
// waiting for it — the chat's next update may come first.
func (s *Server) replyCall(contentType string, body []byte) {
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	read, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return
	}
	read.Header.Set("Content-Type", contentType)
	p, perr := parseParams(discardResponse{}, read)
	if perr != nil {
		return
	}
	method := strings.ToLower(p.str("method"))
	switch {
	case method == "", strings.Contains(method, "/"), method == "setwebhook", method == "deletewebhook",
		method == "close", method == "logout", strings.HasPrefix(method, "get"):
		return
	}
	req, err := http.NewRequest(http.MethodPost, "/bot"+s.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", contentType)
	s.mu.Lock()
	s.webhookReplies++
	s.mu.Unlock()
	select {
	case <-s.closed:
		return
	default:
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.ServeHTTP(discardResponse{}, req)
	}()
}

// discardResponse is a ResponseWriter for calls whose answer nobody reads.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (discardResponse) WriteHeader(int)             {}

// WebhookReplies returns how many method calls came in webhook responses.
func (s *Server) WebhookReplies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookReplies
}

// PendingUpdates returns how many updates wait for the bot: not yet
// confirmed through getUpdates, or not yet accepted by the webhook.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Polling reports whether a getUpdates request is waiting for updates now.
func (s *Server) Polling() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poll != nil
}
