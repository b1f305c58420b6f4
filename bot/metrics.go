package bot

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Metrics counts what the bot does, for the Prometheus endpoint. A nil
// *Metrics counts nothing.
type Metrics struct {
	updates  atomic.Int64
	answers  atomic.Int64
	errors   atomic.Int64 // internal errors while handling
	queued   atomic.Int64 // outgoing calls waiting
	tooMany  atomic.Int64 // 429s received
	outbox   atomic.Int64 // outbox messages waiting (rounds, reminders)
	roundErr atomic.Int64 // rounds that failed (and will be tried again)
	retrying atomic.Int64 // rounds waiting to be tried again
	mu       sync.Mutex
	calls    map[[2]string]int64 // method, result → count
	latency  [10]int64           // len(latencyBuckets)+1
	latSum   time.Duration
	latCount int64
}

// latencyBuckets are the upper bounds of the handling-latency histogram.
var latencyBuckets = []time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 5 * time.Second,
}

// NewMetrics returns empty counters.
func NewMetrics() *Metrics { return &Metrics{calls: map[[2]string]int64{}} }

func (m *Metrics) handled(d time.Duration) {
	if m == nil {
		return
	}
	m.updates.Add(1)
	m.mu.Lock()
	i := sort.Search(len(latencyBuckets), func(i int) bool { return d <= latencyBuckets[i] })
	m.latency[i]++
	m.latSum += d
	m.latCount++
	m.mu.Unlock()
}

func (m *Metrics) answered() {
	if m != nil {
		m.answers.Add(1)
	}
}

func (m *Metrics) failed() {
	if m != nil {
		m.errors.Add(1)
	}
}

// Failures is how many updates failed with an internal error (the ones
// logged at ERROR and answered with an apology).
func (m *Metrics) Failures() int64 {
	if m == nil {
		return 0
	}
	return m.errors.Load()
}

// roundFailed counts a round that failed; retrying is how many wait to be
// tried again.
func (m *Metrics) roundFailed(retrying int) {
	if m != nil {
		m.roundErr.Add(1)
		m.retrying.Store(int64(retrying))
	}
}

func (m *Metrics) setRetrying(n int) {
	if m != nil {
		m.retrying.Store(int64(n))
	}
}

func (m *Metrics) queue(delta int) {
	if m != nil {
		m.queued.Add(int64(delta))
	}
}

// SetOutbox records how many outbox messages are waiting.
func (m *Metrics) SetOutbox(n int) {
	if m != nil {
		m.outbox.Store(int64(n))
	}
}

func (m *Metrics) call(method string, err error) {
	if m == nil {
		return
	}
	result := "ok"
	var te *tgbotapi.Error
	switch {
	case err == nil:
	case errors.As(err, &te) && (te.Code == 429 || te.RetryAfter > 0):
		result = "429"
		m.tooMany.Add(1)
	case errors.As(err, &te) && te.Code >= 500:
		result = "5xx"
	case errors.As(err, &te) && te.Code == 403:
		result = "403"
	case errors.As(err, &te):
		result = "4xx"
	default:
		result = "network"
	}
	m.mu.Lock()
	m.calls[[2]string{method, result}]++
	m.mu.Unlock()
}

// Snapshot returns the main counters (for tests and the load command).
func (m *Metrics) Snapshot() (updates, answers, tooMany, queued int64) {
	return m.updates.Load(), m.answers.Load(), m.tooMany.Load(), m.queued.Load()
}

// WriteTo writes the metrics in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var n int64
	p := func(format string, args ...any) {
		k, _ := fmt.Fprintf(w, format, args...)
		n += int64(k)
	}
	p("# HELP partyquiz_updates_handled_total Telegram updates handled.\n# TYPE partyquiz_updates_handled_total counter\npartyquiz_updates_handled_total %d\n", m.updates.Load())
	p("# HELP partyquiz_answers_recorded_total Answers recorded in the store.\n# TYPE partyquiz_answers_recorded_total counter\npartyquiz_answers_recorded_total %d\n", m.answers.Load())
	p("# HELP partyquiz_handler_errors_total Internal errors while handling updates.\n# TYPE partyquiz_handler_errors_total counter\npartyquiz_handler_errors_total %d\n", m.errors.Load())
	p("# HELP partyquiz_telegram_429_total 429 Too Many Requests received.\n# TYPE partyquiz_telegram_429_total counter\npartyquiz_telegram_429_total %d\n", m.tooMany.Load())
	p("# HELP partyquiz_send_queue Outgoing calls waiting.\n# TYPE partyquiz_send_queue gauge\npartyquiz_send_queue %d\n", m.queued.Load())
	p("# HELP partyquiz_outbox_pending Outbox messages (rounds, reminders) waiting.\n# TYPE partyquiz_outbox_pending gauge\npartyquiz_outbox_pending %d\n", m.outbox.Load())
	p("# HELP partyquiz_round_failures_total Rounds that failed; each is tried again after a back-off.\n# TYPE partyquiz_round_failures_total counter\npartyquiz_round_failures_total %d\n", m.roundErr.Load())
	p("# HELP partyquiz_rounds_retrying Rounds waiting to be tried again.\n# TYPE partyquiz_rounds_retrying gauge\npartyquiz_rounds_retrying %d\n", m.retrying.Load())
	m.mu.Lock()
	defer m.mu.Unlock()
	p("# HELP partyquiz_telegram_calls_total Outgoing Bot API calls by method and result.\n# TYPE partyquiz_telegram_calls_total counter\n")
	keys := make([][2]string, 0, len(m.calls))
	for k := range m.calls {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		p("partyquiz_telegram_calls_total{method=%q,result=%q} %d\n", k[0], k[1], m.calls[k])
	}
	p("# HELP partyquiz_handle_seconds Time from receiving an update to having handled it.\n# TYPE partyquiz_handle_seconds histogram\n")
	var cum int64
	for i, b := range latencyBuckets {
		cum += m.latency[i]
		p("partyquiz_handle_seconds_bucket{le=\"%g\"} %d\n", b.Seconds(), cum)
	}
	cum += m.latency[len(latencyBuckets)]
	p("partyquiz_handle_seconds_bucket{le=\"+Inf\"} %d\npartyquiz_handle_seconds_sum %g\npartyquiz_handle_seconds_count %d\n", cum, m.latSum.Seconds(), m.latCount)
	return n, nil
}
