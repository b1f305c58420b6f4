package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// API is the part of tgbotapi the bot calls: Request for every method
// (Send decodes a Message and fails on methods that return true).
type API interface {
	Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
}

// Pace is how fast the sender may send. Zero rates mean no limit (a load
// test against a fake server with pacing off).
type Pace struct {
	Global float64 // messages a second in total; Telegram allows about 30
	Chat   float64 // messages a second to one private chat; about 1
	Burst  int     // short bursts to one chat
	Group  float64 // messages a second to one group; 20 a minute
}

// DefaultPace is Telegram's published limits, with a margin.
var DefaultPace = Pace{Global: 25, Chat: 1, Burst: 3, Group: 20.0 / 60}

// outgoing is one call waiting to be made.
type outgoing struct {
	chat int64
	c    tgbotapi.Chattable
	done func(*tgbotapi.APIResponse, error) // optional, called once with the final result
	skip func() bool                        // optional: true when the call is no longer to be made (EnqueueGroup)
	at   time.Time                          // when it was queued
}

// Sender makes outgoing Bot API calls in order per chat, paced to
// Telegram's limits, retrying what can be retried: a 429 waits retry_after
// and sends again; a 5xx, a timeout or a reset connection backs off and
// sends again; a 403 marks the chat unreachable and drops what is queued
// for it; any other 400 is a bug, logged and dropped. Nothing is dropped
// on a 429 or an outage, and nothing is sent twice on purpose.
type Sender struct {
	api         API
	log         *slog.Logger
	global      *rate.Limiter
	pace        Pace
	unreachable func(chat int64)
	metrics     *Metrics

	mu      sync.Mutex
	queues  map[int64][]outgoing
	running map[int64]bool
	wg      sync.WaitGroup
	ctx     context.Context
	stop    context.CancelFunc
	closing bool
	flood   *floodHold    // 429s hold back the calls they concern together
	slots   chan struct{} // a slot for each queued call in flight (maxInFlight)
	direct  chan struct{} // a slot for each Call in flight (maxDirect)
}

// maxInFlight is the most queued calls (Enqueue) the sender has in flight
// at once, and maxDirect the most Calls: together fewer than the
// connections the bot's transport keeps (newTransport: 128, one of them
// the long poll's), so that a call never waits for a connection to be
// dialled and no connection is closed only to be dialled again for the
// next call. Without pacing (a load test) hundreds of chats' replies used
// to go out at once on as many connections, and dialling them was 7.6 %
// of the bot's CPU (BENCHMARKS.md, lever 11); with Telegram's pacing
// (25 calls a second) the slots fill only if Telegram takes seconds to
// answer each call. Calls have slots of their own, so that a press is
// answered within its seconds even then.
const (
	maxInFlight = 96
	maxDirect   = 24
)

// NewSender returns a sender over api. unreachable is called (once per
// failure) for a chat that answered 403.
func NewSender(api API, pace Pace, log *slog.Logger, m *Metrics, unreachable func(chat int64)) *Sender {
	ctx, stop := context.WithCancel(context.Background())
	s := &Sender{api: api, log: log, pace: pace, unreachable: unreachable, metrics: m,
		queues: map[int64][]outgoing{}, running: map[int64]bool{}, ctx: ctx, stop: stop, flood: newFloodHold(),
		slots: make(chan struct{}, maxInFlight), direct: make(chan struct{}, maxDirect)}
	if pace.Global > 0 {
		s.global = rate.NewLimiter(rate.Limit(pace.Global), max(1, int(pace.Global)))
	}
	return s
}

// Enqueue queues a call for chat; calls to one chat are made in order.
func (s *Sender) Enqueue(chat int64, c tgbotapi.Chattable, done func(*tgbotapi.APIResponse, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		if done != nil {
			go done(nil, errSenderClosed)
		}
		return
	}
	s.queues[chat] = append(s.queues[chat], outgoing{chat: chat, c: c, done: done, at: time.Now()})
	s.metrics.queue(1)
	if !s.running[chat] {
		s.running[chat] = true
		s.wg.Add(1)
		go s.drain(chat)
	}
}

// EnqueueGroup queues calls for chat to be made one after the other, with
// no other call to the chat between them (the parts of a long notice): the
// calls queued before come first, those queued after come after. done is
// called after each with its index in cs and its result; once a call
// failed, or done returned false, the rest are not made and done is not
// called for them.
func (s *Sender) EnqueueGroup(chat int64, cs []tgbotapi.Chattable, done func(i int, resp *tgbotapi.APIResponse, err error) bool) {
	if len(cs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		go done(0, nil, errSenderClosed)
		return
	}
	// Only the chat's drain touches stopped: it makes the calls and
	// reports them (dropChat included) one at a time.
	stopped := false
	skip := func() bool { return stopped }
	now := time.Now()
	for i, c := range cs {
		s.queues[chat] = append(s.queues[chat], outgoing{chat: chat, c: c, skip: skip, at: now,
			done: func(resp *tgbotapi.APIResponse, err error) {
				if !stopped && (!done(i, resp, err) || err != nil) {
					stopped = true
				}
			}})
	}
	s.metrics.queue(len(cs))
	if !s.running[chat] {
		s.running[chat] = true
		s.wg.Add(1)
		go s.drain(chat)
	}
}

// Call makes a call now, outside the per-chat queues and pacing, with the
// same retries (for answerCallbackQuery, which Telegram does not pace and
// which must be answered within seconds, and for getFile).
func (s *Sender) Call(ctx context.Context, c tgbotapi.Chattable, attempts int) (*tgbotapi.APIResponse, error) {
	var resp *tgbotapi.APIResponse
	var err error
	for i := 0; i < attempts; i++ {
		resp, err = s.request(ctx, s.direct, c, time.Time{})
		s.metrics.call(methodOf(c), err)
		wait, retry := retryAfter(err, i)
		if !retry {
			return resp, err
		}
		select {
		case <-ctx.Done():
			return resp, err
		case <-time.After(wait):
		}
	}
	return resp, err
}

var errSenderClosed = errors.New("sender closed")

// request makes one call once one of slots is free (maxInFlight,
// maxDirect); queued, if set, is when the call was queued, for the
// send_queue stage (which ends once the call has its slot).
func (s *Sender) request(ctx context.Context, slots chan struct{}, c tgbotapi.Chattable, queued time.Time) (*tgbotapi.APIResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-slots }()
	if !queued.IsZero() {
		s.metrics.Stage(StageSendQueue, time.Since(queued))
	}
	start := time.Now()
	resp, err := s.api.Request(c)
	s.metrics.Stage(StageCall, time.Since(start))
	return resp, err
}

// Close stops taking calls and waits up to grace for the queued ones to be
// made; what is left after that is logged and dropped.
func (s *Sender) Close(grace time.Duration) {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		s.stop()
		<-done
	}
	s.stop()
}

// Idle reports whether nothing is queued or in flight.
func (s *Sender) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.running) == 0
}

func (s *Sender) drain(chat int64) {
	defer s.wg.Done()
	var chatLimit *rate.Limiter
	if r := s.chatRate(chat); r > 0 {
		chatLimit = rate.NewLimiter(rate.Limit(r), max(1, s.pace.Burst))
	}
	for {
		s.mu.Lock()
		q := s.queues[chat]
		if len(q) == 0 {
			delete(s.queues, chat)
			delete(s.running, chat)
			s.mu.Unlock()
			return
		}
		o := q[0]
		s.queues[chat] = q[1:]
		s.mu.Unlock()
		s.metrics.queue(-1)
		if o.skip != nil && o.skip() {
			continue // the rest of a group whose earlier call failed
		}

		resp, err := s.send(o, chatLimit)
		if o.done != nil {
			o.done(resp, err)
		}
		if isBlocked(err) {
			s.dropChat(chat)
			if s.unreachable != nil {
				s.unreachable(chat)
			}
		}
	}
}

// chatRate is the pace for one chat: groups have negative ids.
func (s *Sender) chatRate(chat int64) float64 {
	if chat < 0 {
		return s.pace.Group
	}
	return s.pace.Chat
}

func (s *Sender) dropChat(chat int64) {
	s.mu.Lock()
	n := len(s.queues[chat])
	dropped := s.queues[chat]
	s.queues[chat] = nil
	s.mu.Unlock()
	s.metrics.queue(-n)
	for _, o := range dropped {
		if o.done != nil {
			o.done(nil, errBlocked)
		}
	}
}

var errBlocked = errors.New("chat unreachable")

// send makes one call, waiting for the pace and retrying until it is made,
// refused for good, or the sender is stopped.
func (s *Sender) send(o outgoing, chatLimit *rate.Limiter) (*tgbotapi.APIResponse, error) {
	for attempt := 0; ; attempt++ {
		if chatLimit != nil {
			if err := chatLimit.Wait(s.ctx); err != nil {
				return nil, err
			}
		}
		if s.global != nil {
			if err := s.global.Wait(s.ctx); err != nil {
				return nil, err
			}
		}
		probe, err := s.flood.wait(s.ctx, o.chat)
		if err != nil {
			return nil, err
		}
		queued := time.Time{}
		if attempt == 0 {
			queued = o.at
		}
		resp, err := s.request(s.ctx, s.slots, o.c, queued)
		if err != nil && s.ctx.Err() != nil && errors.Is(err, s.ctx.Err()) {
			s.flood.settle(o.chat, probe, 0)
			return nil, err // stopped while waiting for a slot
		}
		s.metrics.call(methodOf(o.c), err)
		wait, retry := retryAfter(err, attempt)
		if is429(err) {
			s.flood.settle(o.chat, probe, wait) // held together: the wait below is the hold's
			wait = 0
		} else {
			s.flood.settle(o.chat, probe, 0)
		}
		if !retry {
			if err != nil && !isBlocked(err) && !isHarmless(err) {
				s.log.Error("telegram refused a call", "method", methodOf(o.c), "chat", o.chat, "err", err)
			}
			return resp, err
		}
		s.log.Warn("telegram call will be retried", "method", methodOf(o.c), "chat", o.chat, "wait", wait, "err", err)
		if err := sleep(s.ctx, wait); err != nil {
			return resp, err
		}
	}
}

// retryAfter says whether err is worth another try and how long to wait:
// the server's retry_after for a 429, a growing, jittered backoff (up to
// 30 s) for a 5xx or a failure of the connection; never for a 4xx.
func retryAfter(err error, attempt int) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch {
		case te.RetryAfter > 0:
			return time.Duration(te.RetryAfter) * time.Second, true
		case te.Code == 429:
			return time.Second, true
		case te.Code >= 500:
			return backoff(attempt), true
		case te.Code == 0 && strings.Contains(te.Message, "Too Many Requests"):
			return time.Second, true // multipart uploads come back without a code
		}
		return 0, false
	}
	if errors.Is(err, errSenderClosed) || errors.Is(err, context.Canceled) {
		return 0, false
	}
	// Not an API answer: a network failure, or a proxy's HTML error page.
	return backoff(attempt), true
}

func backoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt, 6)
	d = min(d, 30*time.Second)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// is429 reports Telegram's Too Many Requests.
func is429(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && (te.Code == 429 || te.RetryAfter > 0 || (te.Code == 0 && strings.Contains(te.Message, "Too Many Requests")))
}

// isBlocked reports a 403: the user blocked the bot or never started it.
func isBlocked(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == 403
}

// isHarmless reports refusals that need no attention: an edit that
// changes nothing, a callback answered too late.
func isHarmless(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return false
	}
	return strings.Contains(te.Message, "message is not modified") || strings.Contains(te.Message, "query is too old")
}

// methodOf names the Bot API method of a call, for logs and metrics.
func methodOf(c tgbotapi.Chattable) string {
	switch c.(type) {
	case tgbotapi.MessageConfig:
		return "sendMessage"
	case tgbotapi.EditMessageTextConfig:
		return "editMessageText"
	case tgbotapi.EditMessageReplyMarkupConfig:
		return "editMessageReplyMarkup"
	case tgbotapi.CallbackConfig:
		return "answerCallbackQuery"
	case tgbotapi.DocumentConfig:
		return "sendDocument"
	case tgbotapi.SetMyCommandsConfig:
		return "setMyCommands"
	case tgbotapi.FileConfig:
		return "getFile"
	}
	return "other"
}
