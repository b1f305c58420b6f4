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
	latency  [len(latencyBuckets) + 1]int64
	latSum   time.Duration
	latCount int64
	stages   [numStages]stageHist
}

// Stage is a step on an update's way to its reply, timed for the
// partyquiz_stage_seconds histogram: where the time of a slow reply went.
type Stage int

// The stages. Handling itself (routing, the engine, its commit) is
// partyquiz_handle_seconds.
const (
	StagePollHold  Stage = iota // polling: a poll's updates made durable in the inbox, before the next poll
	StageQueued                 // an update waiting for its chat's earlier ones (polling)
	StageCommit                 // one store commit, shared by the Updates that came together
	StageSendQueue              // a call waiting for its chat's earlier calls, the pace and a free slot
	StageCall                   // one Bot API call's round trip
	numStages
)

var stageNames = [numStages]string{"poll_hold", "queued", "commit", "send_queue", "call"}

// stageBuckets are the upper bounds of the stages' histograms: at rest
// these steps take fractions of a millisecond.
var stageBuckets = [...]time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond,
	2 * time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond, 7500 * time.Microsecond,
	10 * time.Millisecond, 15 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 5 * time.Second,
}

type stageHist struct {
	counts [len(stageBuckets) + 1]atomic.Int64
	sum    atomic.Int64 // nanoseconds
}

// Stage records how long one step took.
func (m *Metrics) Stage(s Stage, d time.Duration) {
	if m == nil || s < 0 || s >= numStages {
		return
	}
	h := &m.stages[s]
	i := sort.Search(len(stageBuckets), func(i int) bool { return d <= stageBuckets[i] })
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// latencyBuckets are the upper bounds of the handling-latency histogram:
// the stages' (at rest an update is handled in a few milliseconds, most
// of them its commit).
var latencyBuckets = stageBuckets

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
	p("# HELP partyquiz_stage_seconds Steps on an update's way to its reply: poll_hold (a poll's updates made durable before the next poll), queued (waiting for the chat's earlier updates), commit (one store commit), send_queue (a call waiting for its chat's earlier calls, the pace and a free slot), call (one Bot API call).\n# TYPE partyquiz_stage_seconds histogram\n")
	for s := range numStages {
		h := &m.stages[s]
		var cum int64
		for i, b := range stageBuckets {
			cum += h.counts[i].Load()
			p("partyquiz_stage_seconds_bucket{stage=%q,le=\"%g\"} %d\n", stageNames[s], b.Seconds(), cum)
		}
		cum += h.counts[len(stageBuckets)].Load()
		p("partyquiz_stage_seconds_bucket{stage=%q,le=\"+Inf\"} %d\npartyquiz_stage_seconds_sum{stage=%q} %g\npartyquiz_stage_seconds_count{stage=%q} %d\n",
			stageNames[s], cum, stageNames[s], time.Duration(h.sum.Load()).Seconds(), stageNames[s], cum)
	}
	return n, nil
}
