package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"partyquiz/bot"
)

// --- logs ------------------------------------------------------------------

// newLogger is the bot's logger as configured, writing to w, with the
// token taken out of everything it logs.
func newLogger(c Config, w io.Writer) *slog.Logger {
	level, _ := c.LogLevel()
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if c.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(redactToken(h, c.Telegram.Token))
}

// tokenMark is what the log shows where the token was.
const tokenMark = "<token>"

// redactToken wraps h so that the bot token never reaches the log: every
// message and every attribute — errors included, whose text often holds a
// request URL, /bot<token>/getUpdates — has the token (and its secret half,
// and their URL-escaped forms) replaced by "<token>".
func redactToken(h slog.Handler, token string) slog.Handler {
	if token == "" {
		return h
	}
	var pairs []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			pairs = append(pairs, s, tokenMark)
		}
	}
	_, secret, _ := strings.Cut(token, ":")
	for _, s := range []string{token, secret} {
		add(s)
		add(url.PathEscape(s))
		add(url.QueryEscape(s))
	}
	if len(secret) < 8 {
		// A secret this short would blank ordinary words; the whole token
		// is still replaced.
		pairs = pairs[:0]
		add(token)
		add(url.PathEscape(token))
		add(url.QueryEscape(token))
	}
	return &redactHandler{h: h, r: strings.NewReplacer(pairs...)}
}

type redactHandler struct {
	h slog.Handler
	r *strings.Replacer
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Replace(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &redactHandler{h: h.h.WithAttrs(clean), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{h: h.h.WithGroup(h.r.Replace(name)), r: h.r}
}

// attr returns a with the token taken out of its key and value.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	a.Key = h.r.Replace(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Replace(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]slog.Attr, len(g))
		for i, x := range g {
			clean[i] = h.attr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprintf("%+v", x)
		}
		if r := h.r.Replace(s); r != s {
			return slog.String(a.Key, r)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// --- the ops endpoint ----------------------------------------------------------

// ops is the operator's HTTP endpoint: /healthz, /metrics and, if
// configured, /debug/pprof/.
type ops struct {
	metrics *bot.Metrics
	backups *backups // nil without scheduled backups
	store   func(ctx context.Context) error
	path    string // the store file, for its size
	running atomic.Bool
	started time.Time
}

// handler returns the endpoint's routes.
func (o *ops) handler(withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", o.health)
	mux.HandleFunc("GET /metrics", o.serveMetrics)
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// health answers 200 "ok" while the bot runs and the store answers a read
// within two seconds, 503 with the reason otherwise.
func (o *ops) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !o.running.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not running: starting, stopping or not connected to Telegram yet\n")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- o.store(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = errors.New("no answer within 2s")
	}
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "store: %v\n", err)
		return
	}
	io.WriteString(w, "ok\n")
}

// serveMetrics writes the bot's metrics and the process's own in the
// Prometheus text format.
func (o *ops) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if o.metrics != nil {
		o.metrics.WriteTo(w)
	}
	up := 0
	if o.running.Load() {
		up = 1
	}
	fmt.Fprintf(w, "# HELP partyquiz_up 1 while the bot runs.\n# TYPE partyquiz_up gauge\npartyquiz_up %d\n", up)
	fmt.Fprintf(w, "# HELP partyquiz_start_time_seconds When the process started (unix).\n# TYPE partyquiz_start_time_seconds gauge\npartyquiz_start_time_seconds %d\n", o.started.Unix())
	if fi, err := os.Stat(o.path); err == nil {
		fmt.Fprintf(w, "# HELP partyquiz_store_bytes Size of the store file.\n# TYPE partyquiz_store_bytes gauge\npartyquiz_store_bytes %d\n", fi.Size())
	}
	var fs syscall.Statfs_t
	if syscall.Statfs(filepath.Dir(o.path), &fs) == nil {
		fmt.Fprintf(w, "# HELP partyquiz_store_disk_free_bytes Space left for the store file (alert well before 0: a full disk refuses answers).\n# TYPE partyquiz_store_disk_free_bytes gauge\npartyquiz_store_disk_free_bytes %d\n", fs.Bavail*uint64(fs.Bsize))
	}
	if b := o.backups; b != nil {
		fmt.Fprintf(w, "# HELP partyquiz_backups_total Scheduled backups by result.\n# TYPE partyquiz_backups_total counter\n")
		fmt.Fprintf(w, "partyquiz_backups_total{result=\"ok\"} %d\npartyquiz_backups_total{result=\"error\"} %d\n", b.ok.Load(), b.failed.Load())
		fmt.Fprintf(w, "# HELP partyquiz_backup_last_success_seconds When the last backup was completed (unix; 0: none yet).\n# TYPE partyquiz_backup_last_success_seconds gauge\npartyquiz_backup_last_success_seconds %d\n", b.last.Load())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# HELP go_goroutines Goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_inuse_bytes Heap bytes in use.\n# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(w, "# HELP go_memstats_sys_bytes Bytes obtained from the system.\n# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
}

// serveOps listens on addr and serves the endpoint until ctx is done. It
// returns the address it listens on (addr may name port 0) once listening.
func serveOps(addr string, h http.Handler, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("ops.listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ops endpoint stopped", "err", err)
		}
	}()
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		<-done
	}
	log.Info("ops endpoint listening", "addr", ln.Addr().String())
	return ln.Addr().String(), stop, nil
}
