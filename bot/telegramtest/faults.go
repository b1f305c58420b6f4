package telegramtest

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// BadGatewayHTML is the body nginx sends with a 502, the non-JSON answer a
// bot gets when the proxy in front of the Bot API has a bad moment.
const BadGatewayHTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// Fault makes calls fail on purpose. See Server.InjectFault.
type Fault struct {
	// Method is the Bot API method to fail, in any case; "" fails every
	// method (file downloads included, as method "file").
	Method string
	// Times is how many matching calls fail (default 1).
	Times int
	// Code is the HTTP status and error_code (default 500).
	Code int
	// Description is the error description (default: "Internal Server
	// Error", "Bad Gateway", "Too Many Requests: retry after N", ... by Code).
	Description string
	// RetryAfter is sent as parameters.retry_after and the Retry-After
	// header. A 429 without it gets 1.
	RetryAfter int
	// Body, if set, is sent as is with Content-Type text/html instead of a
	// JSON envelope: what a proxy in front of the API answers. Use
	// BadGatewayHTML for a realistic 502.
	Body string
	// Reset drops the connection without any response (the client sees a
	// connection reset); Code, Description and Body are then ignored.
	Reset bool
	// Delay is waited before failing.
	Delay time.Duration
}

// OutageMode is how calls fail during an outage.
type OutageMode int

const (
	// OutageBadGateway answers every request with HTTP 502 and nginx's
	// HTML page (BadGatewayHTML), which tgbotapi fails to decode.
	OutageBadGateway OutageMode = iota
	// OutageReset drops every connection without a response: the client
	// gets a connection reset / EOF.
	OutageReset
)

// InjectFault makes the next f.Times calls of f.Method (or of any method)
// fail as f describes. Faults are used in the order injected, before the
// request is validated, and count in Stats. Pacing tokens are not used.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	if f.Code == 0 {
		f.Code = 500
	}
	if f.Code == 429 && f.RetryAfter <= 0 {
		f.RetryAfter = 1
	}
	if f.Description == "" {
		switch f.Code {
		case 429:
			f.Description = "Too Many Requests: retry after " + strconv.Itoa(f.RetryAfter)
		case 500:
			f.Description = "Internal Server Error"
		default:
			f.Description = http.StatusText(f.Code)
			if f.Description == "" {
				f.Description = "Error " + strconv.Itoa(f.Code)
			}
		}
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// ClearFaults removes every injected fault that has not fired yet, ends an
// outage or throttle and removes injected latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.outageUntil = time.Time{}
	s.throttleUntil = time.Time{}
	s.latency = map[string]time.Duration{}
	s.mu.Unlock()
}

// Outage makes every request (API calls, file downloads, wrong paths) fail
// for d on the server's Clock, in the given mode. Webhook delivery pauses
// too. With a ManualClock the outage ends when the clock is advanced past
// it, or with EndOutage.
func (s *Server) Outage(d time.Duration, mode OutageMode) {
	s.mu.Lock()
	s.outageUntil = s.clock.Now().Add(d)
	s.outageMode = mode
	s.mu.Unlock()
}

// EndOutage ends an outage now.
func (s *Server) EndOutage() {
	s.mu.Lock()
	s.outageUntil = time.Time{}
	s.mu.Unlock()
	s.wakeUpdates()
}

func (s *Server) inOutageLocked() bool {
	return !s.outageUntil.IsZero() && s.clock.Now().Before(s.outageUntil)
}

// Throttle makes every paced call (the sending and editing methods) fail
// with 429 and retry_after for d on the server's Clock, whether pacing is
// on or not: a 429 storm.
func (s *Server) Throttle(d time.Duration, retryAfter int) {
	if retryAfter <= 0 {
		retryAfter = 1
	}
	s.mu.Lock()
	s.throttleUntil = s.clock.Now().Add(d)
	s.throttleRetry = retryAfter
	s.mu.Unlock()
}

// SetLatency delays every call of method ("" for all methods) by d, real
// time, before it is handled. d <= 0 removes the delay.
func (s *Server) SetLatency(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	if d <= 0 {
		delete(s.latency, key)
		return
	}
	s.latency[key] = d
}

func (s *Server) latencyFor(method string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.latency[strings.ToLower(method)]; ok {
		return d
	}
	return s.latency[""]
}

// outage answers the request if an outage is on and reports whether it did.
func (s *Server) outage(w http.ResponseWriter, name string) bool {
	s.mu.Lock()
	on, mode := s.inOutageLocked(), s.outageMode
	s.mu.Unlock()
	if !on {
		return false
	}
	if mode == OutageReset {
		s.count(name, statusReset)
		resetConn(w)
		return true
	}
	s.count(name, http.StatusBadGateway)
	writeRaw(w, http.StatusBadGateway, BadGatewayHTML)
	return true
}

func (s *Server) takeFault(method string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method == "" || strings.EqualFold(f.Method, method) {
			g := *f
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
			return &g
		}
	}
	return nil
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, name string, f *Fault) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.closed:
		}
		t.Stop()
	}
	switch {
	case f.Reset:
		s.count(name, statusReset)
		resetConn(w)
	case f.Body != "":
		s.count(name, f.Code)
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		writeRaw(w, f.Code, f.Body)
	default:
		e := &apiError{code: f.Code, desc: f.Description}
		if f.Code == 429 || f.RetryAfter > 0 {
			e.retryAfter = f.RetryAfter
		}
		s.finish(w, r, name, nil, e)
	}
}

func writeRaw(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// resetConn closes the connection under the request with SO_LINGER 0, so
// the client sees a reset rather than a clean end.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// statusReset is the pseudo status under which dropped connections count.
const statusReset = -1

// MethodStats counts the calls of one method by outcome.
type MethodStats struct {
	// Calls is every call answered or dropped.
	Calls int
	// OK is calls answered with ok=true.
	OK int
	// ClientErrors is 4xx answers other than 429.
	ClientErrors int
	// TooManyRequests is 429 answers.
	TooManyRequests int
	// ServerErrors is 5xx answers (injected faults, outages, 501).
	ServerErrors int
	// Dropped is connections reset without an answer.
	Dropped int
}

func (s *Server) count(name string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats[name]
	if st == nil {
		st = &MethodStats{}
		s.stats[name] = st
	}
	st.Calls++
	switch {
	case code == statusReset:
		st.Dropped++
	case code == 429:
		st.TooManyRequests++
	case code >= 200 && code < 300:
		st.OK++
	case code >= 400 && code < 500:
		st.ClientErrors++
	case code >= 500:
		st.ServerErrors++
	}
}

// Stats returns the counters of every method called so far, keyed by the
// method's canonical name ("sendMessage"); file downloads count as "file".
func (s *Server) Stats() map[string]MethodStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]MethodStats, len(s.stats))
	for k, v := range s.stats {
		out[k] = *v
	}
	return out
}

// StatsFor returns the counters of one method (canonical name, any case).
func (s *Server) StatsFor(method string) MethodStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if info, ok := methods[strings.ToLower(method)]; ok {
		method = info.name
	}
	if st := s.stats[method]; st != nil {
		return *st
	}
	return MethodStats{}
}

// TooManyRequests returns how many 429 answers the server has served in
// total, whatever their cause (pacing, Throttle or an injected fault).
func (s *Server) TooManyRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.stats {
		n += st.TooManyRequests
	}
	return n
}

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() {
	s.mu.Lock()
	s.stats = map[string]*MethodStats{}
	s.mu.Unlock()
}
