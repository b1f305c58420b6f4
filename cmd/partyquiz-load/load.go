package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
	"partyquiz/store"
)

// loadOptions configure `partyquiz load`.
type loadOptions struct {
	Members    int
	Mode       string        // "polling" or "webhook"
	Kills      int           // SIGKILL the bot this many times during the run
	Outage     time.Duration // the Bot API fails (429, 502) for this long during the run
	DiskFull   bool          // the disk fills up during the run, and is freed again
	FullFor    time.Duration // how long the disk stays full
	DiskMethod string        // "auto", "tmpfs" or "maxsize"
	Think      time.Duration // a member's mean pause before each action (0: none)
	Patience   time.Duration // a member with no reply this long sends /study or /test again
	Timeout    time.Duration // the whole run
	Dir        string        // work folder; "" = a temporary one, removed afterwards
	Keep       bool          // keep the work folder
	Seed       uint64
	Profile    string        // CPU profile of the bot (through its pprof endpoint)
	ProfileFor time.Duration // length of that profile
	DriverProf string        // CPU profile of the load process (fake server and members)
	Exe        []string      // the bot's command line; default this executable
	Env        []string      // extra environment for the bot
	Out        io.Writer
	Quiet      bool // no progress lines
}

const loadUsage = `usage: partyquiz load [flags]

Runs the real bot binary against the fake Bot API server (pacing off) over
loopback, with N simulated members who each do this month's study and this
quarter's test at once, and prints answers per second, update-to-reply
latency, the bot's peak memory and an exactly-once check of the store.
Fault runs: -kill N, -outage 30s, -diskfull. See BENCHMARKS.md and
RELIABILITY.md.

`

// runLoad is `partyquiz load`.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := loadOptions{Out: stdout}
	fs := flag.NewFlagSet("partyquiz load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Members, "members", 1000, "simulated members")
	fs.StringVar(&o.Mode, "mode", "polling", `how the bot takes updates: "polling" or "webhook"`)
	fs.IntVar(&o.Kills, "kill", 0, "SIGKILL the bot this many times at random moments, restarting it each time")
	fs.DurationVar(&o.Outage, "outage", 0, "the Bot API answers 429 and 502 for this long during the run")
	fs.BoolVar(&o.DiskFull, "diskfull", false, "fill the store's disk during the run, then free it")
	fs.DurationVar(&o.FullFor, "full-for", 10*time.Second, "how long the disk stays full with -diskfull")
	fs.StringVar(&o.DiskMethod, "disk", "auto", `-diskfull's disk: "tmpfs" (needs root), "maxsize" (store.max_size) or "auto"`)
	fs.DurationVar(&o.Think, "think", 0, "a member's mean pause before each press or message (uniform in 0.5×–1.5×; 0: none, as fast as replies come)")
	fs.DurationVar(&o.Patience, "patience", 10*time.Second, "a member without a reply this long sends /study or /test again")
	fs.DurationVar(&o.Timeout, "timeout", 15*time.Minute, "give up after this long")
	fs.StringVar(&o.Dir, "dir", "", "work folder (default: a temporary one, removed afterwards)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work folder (store, configuration, bot log)")
	fs.Uint64Var(&o.Seed, "seed", 0, "random seed (0: from the clock)")
	fs.StringVar(&o.Profile, "cpuprofile", "", "write a CPU profile of the bot to this file")
	fs.DurationVar(&o.ProfileFor, "profile-for", 8*time.Second, "length of the bot's CPU profile")
	fs.StringVar(&o.DriverProf, "driverprofile", "", "write a CPU profile of the load process (fake server, members) to this file")
	exe := fs.String("bin", "", "the bot binary (default: this program)")
	fs.Usage = func() { fmt.Fprint(stderr, loadUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || o.Members < 1 || (o.Mode != "polling" && o.Mode != "webhook") {
		fs.Usage()
		return 2
	}
	if *exe != "" {
		o.Exe = []string{*exe}
	}
	res, err := runLoadWith(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "partyquiz load:", err)
		return 1
	}
	if !res.Check.OK() {
		return 1
	}
	return 0
}

// loadResult is what a run measured.
type loadResult struct {
	Answers  int64         // answers the members saw accepted
	Elapsed  time.Duration // from the first member's first message to the last one's result
	Latency  []time.Duration
	PeakKB   int64 // the bot's VmHWM, the highest of its processes
	Kills    int
	Resends  int64 // /study or /test sent again after a silence
	Full     int64 // storage-full notices the members saw
	DiskHow  string
	Metrics  map[string]float64 // the last bot process's metrics, by series
	Check    checkReport
	Finished int           // members who finished both
	BotCPU   time.Duration // CPU time of the bot processes
	LoadCPU  time.Duration // CPU time of this process (fake server, members)
}

// quantile returns the q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// loadRun is one run in progress.
type loadRun struct {
	o       loadOptions
	dir     string
	cfgPath string
	cfg     Config
	srv     *telegramtest.Server
	log     *os.File
	opsURL  string
	rng     *rand.Rand
	rngMu   sync.Mutex
	studyN  int
	testN   int

	accepted atomic.Int64
	resends  atomic.Int64
	full     atomic.Int64
	peakKB   atomic.Int64
	botCPU   atomic.Int64  // CPU time (ns) of bot processes that ended
	lastCPU  time.Duration // of them, the last one's (it ran past the end of the run)

	mu    sync.Mutex
	child *botProcess
}

// botProcess is one run of the bot binary.
type botProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func runLoadWith(ctx context.Context, o loadOptions) (*loadResult, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Patience <= 0 {
		o.Patience = 10 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Minute
	}
	if o.FullFor <= 0 {
		o.FullFor = 10 * time.Second
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	if len(o.Exe) == 0 {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		o.Exe = []string{self}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	r := &loadRun{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x9a77))}
	r.dir = o.Dir
	if r.dir == "" {
		d, err := os.MkdirTemp("", "partyquiz-load-")
		if err != nil {
			return nil, err
		}
		r.dir = d
		if !o.Keep {
			defer os.RemoveAll(d)
		}
	} else if err := os.MkdirAll(r.dir, 0o750); err != nil {
		return nil, err
	}
	if os.Getenv("GOGC") == "" {
		// The fake server and the members allocate a lot; collect less
		// often, so that the load process leaves more of the machine to
		// the bot. (The bot runs with the default.)
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	if o.DriverProf != "" {
		f, err := os.Create(o.DriverProf)
		if err != nil {
			return nil, err
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	res := &loadResult{}

	// The store's folder: a small filesystem of its own for -diskfull.
	dataDir := filepath.Join(r.dir, "data")
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	if o.DiskFull {
		how, unmount, err := mountSmallDisk(dataDir, o.DiskMethod)
		if err != nil {
			return nil, err
		}
		defer unmount()
		res.DiskHow = how
	}

	// The fake Bot API, pacing off.
	srv, err := telegramtest.Start(telegramtest.Options{DisablePacing: true, BotUsername: "partyquiz_load_bot",
		WebhookRetryMin: 50 * time.Millisecond, WebhookRetryMax: time.Second})
	if err != nil {
		return nil, err
	}
	r.srv = srv
	defer srv.Close()

	// The bot's configuration.
	c := DefaultConfig()
	c.Telegram.Token = srv.Token()
	c.Telegram.APIEndpoint = srv.APIEndpoint()
	c.Telegram.FileEndpoint = srv.FileEndpoint()
	c.Telegram.PollTimeout = 10
	c.Telegram.Pace = false
	c.Telegram.Mode = o.Mode
	if o.Mode == "webhook" {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		c.Telegram.WebhookListen = "127.0.0.1:" + port
		c.Telegram.WebhookURL = "http://127.0.0.1:" + port + "/telegram"
		c.Telegram.WebhookConnections = 100
	}
	c.Store.Path = filepath.Join(dataDir, "partyquiz.db")
	c.Test.Window = string(quiz.WholeQuarter)
	c.Bot.Admins = []int64{loadAdmin}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.Ops.Listen = "127.0.0.1:" + port
	c.Ops.Pprof = o.Profile != ""
	r.opsURL = "http://127.0.0.1:" + port
	r.studyN = c.Study.Questions
	r.testN = c.Test.Questions
	r.cfg = c

	// Members, joined before the bot starts (as if they had used their
	// invite links earlier).
	t0 := time.Now()
	ids, err := seedMembers(ctx, c, o.Members)
	if err != nil {
		return nil, fmt.Errorf("seed members: %w", err)
	}
	if res.DiskHow == "maxsize" {
		fi, err := os.Stat(c.Store.Path)
		if err != nil {
			return nil, err
		}
		// bbolt grows its file in steps; cap it one step up, so the run
		// hits the cap soon after the start.
		c.Store.MaxSize = strconv.FormatInt(max(fi.Size()*3/2, 2<<20)>>20, 10) + "MB"
		r.cfg = c
	}
	if err := r.writeConfig(); err != nil {
		return nil, err
	}
	r.printf("partyquiz load: %d members (study %d + test %d questions each), %s, think %s, fsync on, pacing off; seeded in %s\n",
		o.Members, r.studyN, r.testN, o.Mode, o.Think, time.Since(t0).Round(time.Millisecond))
	r.printf("  machine: %d CPUs, %s/%s, %s; seed %d; work folder %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.Seed, r.dir)

	logPath := filepath.Join(r.dir, "bot.log")
	r.log, err = os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	defer r.log.Close()
	if err := r.startBot(ctx); err != nil {
		return nil, err
	}
	defer r.stopBot()
	go r.watchMemory(ctx)

	// The members, all at once.
	members := make([]*simMember, len(ids))
	for i, id := range ids {
		members[i] = &simMember{id: id, r: r, u: srv.NewUser(id, memberName(i)),
			accepted: map[string]map[int]bool{"study": {}, "test": {}}, total: map[string]int{},
			rng: rand.New(rand.NewPCG(o.Seed, uint64(id)))}
	}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var faults sync.WaitGroup
	faultErr := make(chan error, 4)
	expected := int64(o.Members * (r.studyN + r.testN))
	if o.Kills > 0 {
		faults.Add(1)
		go func() { defer faults.Done(); res.Kills = r.killer(runCtx, expected, faultErr) }()
	}
	if o.Outage > 0 {
		faults.Add(1)
		go func() { defer faults.Done(); r.outage(runCtx, expected) }()
	}
	if o.DiskFull {
		faults.Add(1)
		go func() { defer faults.Done(); r.fillDisk(runCtx, expected, res.DiskHow, faultErr) }()
	}
	if o.Profile != "" {
		faults.Add(1)
		go func() { defer faults.Done(); r.profile(runCtx, expected) }()
	}
	progressDone := make(chan struct{})
	go r.progress(runCtx, expected, progressDone)

	start := time.Now()
	bot0, load0 := r.childCPU(), selfCPU()
	var wg sync.WaitGroup
	var finished atomic.Int64
	for _, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m.run(runCtx) {
				finished.Add(1)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.LoadCPU = selfCPU() - load0
	bot1 := r.childCPU()
	stopRun()
	faults.Wait()
	<-progressDone
	close(faultErr)
	for err := range faultErr {
		if err != nil {
			return nil, err
		}
	}
	res.Finished = int(finished.Load())
	res.Answers = r.accepted.Load()
	res.Resends = r.resends.Load()
	res.Full = r.full.Load()
	for _, m := range members {
		res.Latency = append(res.Latency, m.lat...)
	}
	slices.Sort(res.Latency)
	res.Metrics = r.scrapeMetrics()
	r.stopBot()
	res.PeakKB = r.peakKB.Load()
	// The bot's CPU during the run: the processes killed meanwhile, and
	// the last one up to the end of the run.
	res.BotCPU = time.Duration(r.botCPU.Load()) - r.lastCPU + bot1 - bot0
	if ctx.Err() != nil {
		r.printf("  the run timed out after %s; %d of %d members finished\n", o.Timeout, res.Finished, o.Members)
	}

	// Exactly once: the store as the program opens it.
	res.Check = checkStore(context.Background(), c, ids, res.Answers)
	r.report(res)
	if o.Keep && res.DiskHow == "tmpfs" {
		// The tmpfs goes away: keep the store next to the log.
		if data, err := os.ReadFile(c.Store.Path); err == nil {
			os.WriteFile(filepath.Join(r.dir, "partyquiz.db"), data, 0o600)
		}
	}
	return res, nil
}

const loadAdmin = 999

func (r *loadRun) printf(format string, args ...any) { fmt.Fprintf(r.o.Out, format, args...) }

func (r *loadRun) writeConfig() error {
	var b bytes.Buffer
	b.WriteString("# Written by partyquiz load.\n")
	if err := toml.NewEncoder(&b).Encode(r.cfg); err != nil {
		return err
	}
	r.cfgPath = filepath.Join(r.dir, "bot.toml")
	return os.WriteFile(r.cfgPath, b.Bytes(), 0o600)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
var givens = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅兰春玉文斌")

// memberName is a plausible Chinese name for member i.
func memberName(i int) string {
	s := surnames[i%len(surnames)]
	g1 := givens[(i/len(surnames))%len(givens)]
	g2 := givens[(i/len(surnames)/len(givens)+i)%len(givens)]
	return string([]rune{s, g1, g2})
}

// seedMembers joins n members to the tree's branches, through invites, in
// the store the bot will open.
func seedMembers(ctx context.Context, c Config, n int) ([]int64, error) {
	m := NewMain(io.Discard, io.Discard)
	db, svc, err := m.open(c)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tree := svc.Tree()
	admin := quiz.Viewer{ID: loadAdmin, Admin: true}
	var codes []string
	for _, leaf := range tree.Leaves(tree.Root()) {
		inv, err := svc.CreateInvite(ctx, admin, leaf, quiz.RoleMember, 0)
		if err != nil {
			return nil, err
		}
		codes = append(codes, inv.Code)
	}
	ids := make([]int64, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range ids {
		ids[i] = 200001 + int64(i)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, _, err := svc.Join(ctx, ids[i], codes[i%len(codes)], memberName(i)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return ids, <-errs
}

// --- the bot process --------------------------------------------------------

// startBot starts the bot binary and waits until its health check passes.
func (r *loadRun) startBot(ctx context.Context) error {
	cmd := exec.Command(r.o.Exe[0], append(append([]string{}, r.o.Exe[1:]...), "-config", r.cfgPath)...)
	cmd.Env = append(append(os.Environ(), "TELEGRAM_BOT_TOKEN="+r.cfg.Telegram.Token), r.o.Env...)
	cmd.Stdout, cmd.Stderr = r.log, r.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the bot: %w", err)
	}
	p := &botProcess{cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	r.mu.Lock()
	r.child = p
	r.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r.healthy() {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("the bot exited at start (%v); its log:\n%s", p.err, tail(filepath.Join(r.dir, "bot.log"), 20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("the bot did not become healthy in 60s")
		}
	}
}

var opsClient = &http.Client{Timeout: 3 * time.Second}

func (r *loadRun) healthy() bool {
	resp, err := opsClient.Get(r.opsURL + "/healthz")
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stopBot stops the running bot cleanly (SIGTERM), or kills it after 30s.
func (r *loadRun) stopBot() {
	r.mu.Lock()
	p := r.child
	r.child = nil
	r.mu.Unlock()
	if p == nil {
		return
	}
	r.sampleMemory(p)
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	r.addCPU(p)
}

// addCPU adds the CPU time of an ended bot process.
func (r *loadRun) addCPU(p *botProcess) {
	if st := p.cmd.ProcessState; st != nil {
		d := st.UserTime() + st.SystemTime()
		r.botCPU.Add(int64(d))
		r.lastCPU = d
	}
}

// childCPU is the CPU time the running bot process has used so far.
func (r *loadRun) childCPU() time.Duration {
	r.mu.Lock()
	p := r.child
	r.mu.Unlock()
	if p == nil {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// selfCPU is the CPU time this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// kill kills the bot with SIGKILL and starts it again.
func (r *loadRun) kill(ctx context.Context) error {
	r.mu.Lock()
	p := r.child
	r.mu.Unlock()
	r.sampleMemory(p)
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	r.addCPU(p)
	return r.startBot(ctx)
}

// sampleMemory records the process's peak resident memory so far.
func (r *loadRun) sampleMemory(p *botProcess) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					for {
						old := r.peakKB.Load()
						if kb <= old || r.peakKB.CompareAndSwap(old, kb) {
							break
						}
					}
				}
			}
		}
	}
}

func (r *loadRun) watchMemory(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		p := r.child
		r.mu.Unlock()
		if p != nil {
			r.sampleMemory(p)
		}
	}
}

// scrapeMetrics reads the bot's /metrics.
func (r *loadRun) scrapeMetrics() map[string]float64 {
	out := map[string]float64{}
	resp, err := opsClient.Get(r.opsURL + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// --- faults --------------------------------------------------------------------

// at waits until the members have had a fraction of the expected answers
// accepted; false if the run ended first.
func (r *loadRun) at(ctx context.Context, expected int64, frac float64) bool {
	for r.accepted.Load() < int64(frac*float64(expected)) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

func (r *loadRun) rand() float64 {
	r.rngMu.Lock()
	defer r.rngMu.Unlock()
	return r.rng.Float64()
}

// killer kills the bot at n random moments of the run (by answers
// accepted, between 5% and 95%) and restarts it each time.
func (r *loadRun) killer(ctx context.Context, expected int64, errs chan<- error) int {
	marks := make([]float64, r.o.Kills)
	for i := range marks {
		marks[i] = 0.05 + 0.9*r.rand()
	}
	slices.Sort(marks)
	kills := 0
	for _, f := range marks {
		if !r.at(ctx, expected, f) {
			break
		}
		if err := r.kill(ctx); err != nil {
			if ctx.Err() == nil {
				errs <- fmt.Errorf("restart after kill %d: %w", kills+1, err)
			}
			return kills
		}
		kills++
		r.printf("  kill %d: SIGKILL at %.0f%% of the answers, restarted\n", kills, 100*float64(r.accepted.Load())/float64(expected))
	}
	return kills
}

// outage makes the Bot API fail from 20% of the answers on, for
// o.Outage: 429 storms (retry_after 2) and 502 outages by turns of 5s.
func (r *loadRun) outage(ctx context.Context, expected int64) {
	if !r.at(ctx, expected, 0.2) {
		return
	}
	r.printf("  outage: from %.0f%% of the answers, %s of 429 and 502 by turns of 5s\n", 100*float64(r.accepted.Load())/float64(expected), r.o.Outage)
	end := time.Now().Add(r.o.Outage)
	for turn := 0; time.Now().Before(end); turn++ {
		d := min(5*time.Second, time.Until(end))
		if turn%2 == 0 {
			r.srv.Throttle(d, 2)
		} else {
			r.srv.Outage(d, telegramtest.OutageBadGateway)
		}
		select {
		case <-ctx.Done():
			r.srv.ClearFaults()
			return
		case <-time.After(d):
		}
	}
	r.srv.ClearFaults()
	r.srv.EndOutage()
	r.printf("  outage over; %d 429s answered\n", r.srv.TooManyRequests())
}

// profile takes a CPU profile of the bot from 10% of the answers on.
func (r *loadRun) profile(ctx context.Context, expected int64) {
	if !r.at(ctx, expected, 0.1) {
		return
	}
	secs := max(1, int(r.o.ProfileFor.Seconds()))
	c := &http.Client{Timeout: time.Duration(secs+30) * time.Second}
	resp, err := c.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", r.opsURL, secs))
	if err != nil {
		r.printf("  cpu profile: %v\n", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(r.o.Profile)
	if err != nil {
		r.printf("  cpu profile: %v\n", err)
		return
	}
	defer f.Close()
	io.Copy(f, resp.Body)
	r.printf("  cpu profile of the bot (%ds) in %s\n", secs, r.o.Profile)
}

// progress prints a line every few seconds.
func (r *loadRun) progress(ctx context.Context, expected int64, done chan<- struct{}) {
	defer close(done)
	if r.o.Quiet {
		return
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	last := int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := r.accepted.Load()
		r.printf("  … %d/%d answers (%d/s), %d re-sends, %d storage-full notices\n", n, expected, (n-last)/5, r.resends.Load(), r.full.Load())
		last = n
	}
}

// --- the disk ----------------------------------------------------------------

// mountSmallDisk gives dir a filesystem of its own that can be filled:
// tmpfs (root only), or else nothing, and the store's max_size stands in.
func mountSmallDisk(dir, method string) (string, func(), error) {
	if method == "auto" || method == "tmpfs" {
		err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1g,mode=0750")
		if err == nil {
			return "tmpfs", func() { syscall.Unmount(dir, 0) }, nil
		}
		if method == "tmpfs" {
			return "", nil, fmt.Errorf("mount a tmpfs for -diskfull (needs root): %w", err)
		}
	}
	if method != "auto" && method != "maxsize" {
		return "", nil, fmt.Errorf("-disk %q: use tmpfs, maxsize or auto", method)
	}
	return "maxsize", func() {}, nil
}

// fillDisk fills the store's disk at 30% of the answers, keeps it full for
// o.FullFor and frees it. With the max_size stand-in, the bot runs into
// its cap by itself; once a member has seen the notice and o.FullFor has
// passed, the bot is restarted without the cap (the operator made room).
func (r *loadRun) fillDisk(ctx context.Context, expected int64, how string, errs chan<- error) {
	if how == "maxsize" {
		r.printf("  disk full: store.max_size = %s stands in for a small disk (no tmpfs)\n", r.cfg.Store.MaxSize)
		for r.full.Load() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		r.printf("  disk full at %.0f%% of the answers\n", 100*float64(r.accepted.Load())/float64(expected))
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.o.FullFor):
		}
		r.cfg.Store.MaxSize = ""
		if err := r.writeConfig(); err != nil {
			errs <- err
			return
		}
		r.stopBot()
		if err := r.startBot(ctx); err != nil && ctx.Err() == nil {
			errs <- err
			return
		}
		r.printf("  space back: the bot restarted without the cap\n")
		return
	}
	if !r.at(ctx, expected, 0.3) {
		return
	}
	filler := filepath.Join(filepath.Dir(r.cfg.Store.Path), "filler")
	f, err := os.Create(filler)
	if err != nil {
		errs <- err
		return
	}
	n := int64(0)
	for _, size := range []int{1 << 20, 64 << 10, 4 << 10, 512} {
		buf := make([]byte, size)
		for {
			k, err := f.Write(buf)
			n += int64(k)
			if err != nil {
				break
			}
		}
	}
	f.Close()
	r.printf("  disk full at %.0f%% of the answers (a %d MB filler on a 1 GB tmpfs)\n", 100*float64(r.accepted.Load())/float64(expected), n>>20)
	select {
	case <-ctx.Done():
	case <-time.After(r.o.FullFor):
	}
	os.Remove(filler)
	r.printf("  space back after %s; %d storage-full notices so far\n", r.o.FullFor, r.full.Load())
}

// --- a simulated member ------------------------------------------------------

// simMember is one member at their phone: they send /study, answer every
// question, then /test, 开始测试 and every question, as fast as replies
// come. With no reply for o.Patience they send the command again, as
// people do; on "storage full" they wait a little and try again.
type simMember struct {
	id       int64
	r        *loadRun
	u        *telegramtest.User
	ev       <-chan telegramtest.Event
	rng      *rand.Rand
	accepted map[string]map[int]bool // kind → item indices seen accepted
	total    map[string]int          // kind → number of items
	lat      []time.Duration
	since    time.Time // when the last action was made, while no reply has come
}

var (
	reProgress = regexp.MustCompile(`^第 (\d+)/(\d+) 题`)
	reResume   = regexp.MustCompile(`已答 (\d+)/(\d+) 题`)
)

// Words of the bot the members react to (bot/text.go).
const (
	wStudyDone     = "本月学习已完成"
	wStudyFinished = "本月学习完成"
	wTestNoTries   = "本季度测试已完成"
	wTestFinished  = "测试已交卷"
	wTimeUp        = "测试时间到"
	wFull          = "存储空间已满"
	wAnswered      = "这道题已经答过了"
	wPlainText     = "请使用命令和按钮操作"
	wFillPrompt    = "✍️ 请直接发送您的答案。"
	wYourAnswer    = "您的答案："
	wTestAnswered  = "已作答："
	wStartTest     = "开始测试"
)

func (m *simMember) run(ctx context.Context) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.ev = m.u.Events(ctx)
	for _, kind := range []string{"study", "test"} {
		if !m.session(ctx, kind) {
			return false
		}
	}
	return true
}

// act does something the bot will answer, after the member's pause for
// thought, and starts its latency clock.
func (m *simMember) act(f func() error) error {
	if t := m.r.o.Think; t > 0 {
		time.Sleep(t/2 + time.Duration(m.rng.Int64N(int64(t))))
	}
	m.since = time.Now()
	return f()
}

// next returns the next event, or false after o.Patience or at the end.
func (m *simMember) next(ctx context.Context, wait time.Duration) (telegramtest.Event, bool) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case ev, ok := <-m.ev:
		if !ok {
			return ev, false
		}
		if !m.since.IsZero() && (ev.Kind == telegramtest.MessageSent || ev.Kind == telegramtest.MessageEdited) {
			m.lat = append(m.lat, time.Since(m.since))
			m.since = time.Time{}
		}
		return ev, true
	case <-t.C:
		return telegramtest.Event{}, false
	case <-ctx.Done():
		return telegramtest.Event{}, false
	}
}

func (m *simMember) accept(kind string, idx int) {
	if !m.accepted[kind][idx] {
		m.accepted[kind][idx] = true
		m.r.accepted.Add(1)
	}
}

func (m *simMember) acceptAll(kind string, n int) {
	if n == 0 {
		n = m.total[kind]
	}
	if n == 0 {
		n = map[string]int{"study": m.r.studyN, "test": m.r.testN}[kind]
	}
	m.total[kind] = n
	for i := 0; i < n; i++ {
		m.accept(kind, i)
	}
}

// session does one kind to the end; false if the run ended first.
func (m *simMember) session(ctx context.Context, kind string) bool {
	for pause := 100 * time.Millisecond; ctx.Err() == nil; pause = min(2*pause, 2*time.Second) {
		q, done := m.enter(ctx, kind)
		if done {
			return true
		}
		for q != nil {
			q, done = m.answer(ctx, kind, *q)
			if done {
				return true
			}
		}
		select { // a silence or a refusal: wait a little before the command again
		case <-ctx.Done():
		case <-time.After(time.Duration(m.rng.Int64N(int64(pause))) + pause/2):
		}
		m.r.resends.Add(1)
	}
	return false
}

// question parses a bot message that shows a question of an attempt,
// asked or answered: its header line names the kind (📝 季度一测 · …, or
// 📖 每月一学 · …), its second line is "第 i/N 题 · type". answered is set
// once the bot has turned it into feedback ("您的答案：…", "已作答：…").
func question(text string) (kind string, idx, n int, answered, ok bool) {
	lines := strings.SplitN(text, "\n", 3)
	if len(lines) < 3 {
		return "", 0, 0, false, false
	}
	switch {
	case strings.Contains(lines[0], "季度一测 ·"):
		kind = "test"
	case strings.Contains(lines[0], "每月一学 ·"), strings.Contains(lines[0], "补学 ·"):
		kind = "study"
	default:
		return "", 0, 0, false, false
	}
	sm := reProgress.FindStringSubmatch(lines[1])
	if sm == nil {
		return "", 0, 0, false, false
	}
	idx, _ = strconv.Atoi(sm[1])
	n, _ = strconv.Atoi(sm[2])
	last := text[strings.LastIndex(text, "\n\n")+2:]
	answered = strings.HasPrefix(last, wYourAnswer) || strings.HasPrefix(last, wTestAnswered)
	return kind, idx, n, answered, true
}

func isQuestion(text string) bool {
	_, _, _, _, ok := question(text)
	return ok
}

// asking reports whether a bot message asks question idx (1-based) of
// kind, to be answered: answer buttons, or the fill-in prompt.
func asking(msg telegramtest.Message, kind string) (idx, n int, ok bool) {
	k, idx, n, answered, ok := question(msg.Text)
	if !ok || answered || k != kind {
		return 0, 0, false
	}
	if strings.HasSuffix(msg.Text, wFillPrompt) {
		return idx, n, true
	}
	for _, row := range msg.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "a:") || strings.HasPrefix(b.Data, "m:") {
				return idx, n, true
			}
		}
	}
	return 0, 0, false
}

// enter sends /study or /test (pressing 开始测试 when offered) and returns
// the question to answer, or done when the bot says it is all done; nil
// and false after a silence or a refusal.
func (m *simMember) enter(ctx context.Context, kind string) (*telegramtest.Message, bool) {
	if err := m.act(func() error { m.u.SendText("/" + kind); return nil }); err != nil {
		return nil, false
	}
	for {
		ev, ok := m.next(ctx, m.r.o.Patience)
		if !ok {
			return nil, false
		}
		msg := ev.Message
		switch {
		case ev.Kind == telegramtest.CallbackAnswered:
			if strings.Contains(ev.Answer.Text, wFull) {
				m.r.full.Add(1)
				return nil, false
			}
			continue
		case ev.Kind != telegramtest.MessageSent && ev.Kind != telegramtest.MessageEdited:
			continue
		case isQuestion(msg.Text): // (its text is a bank's: no status words there)
		case strings.Contains(msg.Text, wFull):
			m.r.full.Add(1)
			return nil, false
		case kind == "study" && strings.Contains(msg.Text, wStudyDone),
			kind == "test" && (strings.Contains(msg.Text, wTestNoTries) || strings.Contains(msg.Text, wTimeUp)):
			m.acceptAll(kind, 0)
			return nil, true
		}
		if sm := reResume.FindStringSubmatch(msg.Text); sm != nil && !isQuestion(msg.Text) {
			k, _ := strconv.Atoi(sm[1])
			n, _ := strconv.Atoi(sm[2])
			m.total[kind] = n
			for i := 0; i < k; i++ {
				m.accept(kind, i)
			}
			continue
		}
		if kind == "test" && ev.Kind == telegramtest.MessageSent {
			for _, row := range msg.Buttons {
				for _, b := range row {
					if b.Text == wStartTest {
						if err := m.act(func() error { _, err := m.u.PressData(msg.ID, b.Data); return err }); err != nil {
							return nil, false
						}
					}
				}
			}
		}
		if idx, n, ok := asking(msg, kind); ok && ev.Kind == telegramtest.MessageSent && !m.accepted[kind][idx-1] {
			m.total[kind] = n
			return &msg, false
		}
	}
}

var fillAnswers = []string{"统筹", "三会一课", "不知道", "两不愁三保障", "民主集中制"}

// answer answers question q and returns the next one (nil to enter again)
// or done when the kind is finished.
func (m *simMember) answer(ctx context.Context, kind string, q telegramtest.Message) (*telegramtest.Message, bool) {
	idx, n, _ := asking(q, kind)
	i := idx - 1
	var press func() error
	var submit string // multiple choice: the toggle pressed, then 提交
	var answers, toggles []telegramtest.Button
	for _, row := range q.Buttons {
		for _, b := range row {
			switch {
			case strings.HasPrefix(b.Data, "a:"):
				answers = append(answers, b)
			case strings.HasPrefix(b.Data, "m:"):
				toggles = append(toggles, b)
			}
		}
	}
	switch {
	case len(answers) > 0:
		b := answers[m.rng.IntN(len(answers))]
		press = func() error { _, err := m.u.PressData(q.ID, b.Data); return err }
	case len(toggles) > 0:
		b := toggles[m.rng.IntN(len(toggles))]
		submit = b.Data
		press = func() error { _, err := m.u.PressData(q.ID, b.Data); return err }
	default:
		text := fillAnswers[m.rng.IntN(len(fillAnswers))]
		press = func() error { m.u.SendText(text); return nil }
	}
	for tries := 0; ; tries++ {
		if err := m.act(press); err != nil {
			return nil, false
		}
		if submit != "" {
			// The toggle shows ☑; then 提交.
			var sub string
			for sub == "" {
				ev, ok := m.next(ctx, m.r.o.Patience)
				if !ok {
					return nil, false
				}
				if ev.Kind == telegramtest.MessageEdited && ev.Message.ID == q.ID {
					for _, row := range ev.Message.Buttons {
						for _, b := range row {
							if strings.HasPrefix(b.Data, "s:") && strings.Contains(strings.Join(ev.Message.ButtonTexts(), ""), "☑") {
								sub = b.Data
							}
						}
					}
				}
				if ev.Kind == telegramtest.CallbackAnswered && ev.Answer.Text != "" {
					return nil, false // stale: enter again
				}
			}
			if err := m.act(func() error { _, err := m.u.PressData(q.ID, sub); return err }); err != nil {
				return nil, false
			}
		}
		again := false
		for !again {
			ev, ok := m.next(ctx, m.r.o.Patience)
			if !ok {
				return nil, false
			}
			msg := ev.Message
			switch ev.Kind {
			case telegramtest.CallbackAnswered:
				switch t := ev.Answer.Text; {
				case t == "":
				case strings.Contains(t, wFull):
					m.r.full.Add(1)
					again = true
				case strings.Contains(t, wAnswered):
					m.accept(kind, i)
					return nil, false
				default: // stale, not current, closed: enter again
					return nil, false
				}
				continue
			case telegramtest.MessageSent, telegramtest.MessageEdited:
			default:
				continue
			}
			switch {
			case isQuestion(msg.Text):
			case strings.Contains(msg.Text, wFull):
				m.r.full.Add(1)
				again = true
				continue
			case strings.Contains(msg.Text, wAnswered):
				m.accept(kind, i)
				return nil, false
			case strings.Contains(msg.Text, wPlainText): // typed where no fill-in was asked: stale
				return nil, false
			case kind == "study" && strings.Contains(msg.Text, wStudyFinished),
				kind == "test" && strings.Contains(msg.Text, wTestFinished):
				m.acceptAll(kind, n)
				return nil, true
			case kind == "test" && strings.Contains(msg.Text, wTimeUp):
				m.acceptAll(kind, n)
				return nil, true
			}
			if k, j, _, answered, ok := question(msg.Text); ok && answered {
				if k == kind && j == idx {
					m.accept(kind, i)
				}
				continue
			}
			// The next question means this answer was recorded: a new
			// message, or (a test) the question's own message edited into it.
			if k, _, ok := asking(msg, kind); ok && k == idx+1 && (ev.Kind == telegramtest.MessageSent || msg.ID == q.ID) {
				m.accept(kind, i)
				return &msg, false
			}
		}
		// Storage full: wait a little and answer again.
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(time.Duration(200+m.rng.IntN(300)) * time.Millisecond * time.Duration(min(tries+1, 5))):
		}
	}
}

// --- the check ------------------------------------------------------------------

// checkReport is what the exactly-once check found.
type checkReport struct {
	Members, Studies, Tests int
	Responses, Entries      int
	Nodes, Periods          int
	Problems                []string
}

// OK reports whether the check found nothing wrong.
func (c checkReport) OK() bool { return len(c.Problems) == 0 }

func (c *checkReport) fail(format string, args ...any) {
	if len(c.Problems) < 50 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// checkStore opens the store the way the program does and checks that
// every member's study and test of this period are complete, each item
// answered once; that the responses are as many as the members saw
// accepted; that each ledger has exactly the entries earned and adds up
// to the progress records; and that every node's totals equal what its
// members' records say.
func checkStore(ctx context.Context, c Config, ids []int64, seen int64) checkReport {
	var rep checkReport
	m := NewMain(io.Discard, io.Discard)
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	db, svc, err := m.open(c)
	if err != nil {
		rep.fail("open the store: %v", err)
		return rep
	}
	defer db.Close()
	rep = checkWith(ctx, db, svc, ids, seen)
	return rep
}

func checkWith(ctx context.Context, db *store.DB, svc *quiz.Service, ids []int64, seen int64) checkReport {
	var rep checkReport
	rep.Members = len(ids)
	now := svc.Now()
	cal, rules, tree := svc.Cal, svc.Rules, svc.Tree()
	month, quarter := cal.Month(now), cal.Quarter(now)
	half, year := cal.Half(now), cal.Year(now)
	periods := []string{month.Key(), quarter.Key(), half.Key(), year.Key()}
	want := map[string]map[string]quiz.NodeStats{} // node → period → totals
	for _, n := range tree.Nodes() {
		want[n.ID] = map[string]quiz.NodeStats{}
	}
	var itemAnswers, testItems int64
	err := db.View(ctx, func(tx quiz.Tx) error {
		for _, id := range ids {
			u, err := tx.User(id)
			if err != nil {
				rep.fail("member %d: %v", id, err)
				continue
			}
			lineage := tree.Lineage(u.Branch)
			add := func(p string, d quiz.NodeStats) {
				for _, n := range lineage {
					want[n][p] = want[n][p].Add(d)
				}
			}
			studies, err := tx.Attempts(id, quiz.Study, month.Key())
			if err != nil {
				return err
			}
			tests, err := tx.Attempts(id, quiz.Test, quarter.Key())
			if err != nil {
				return err
			}
			if len(studies) != 1 || len(tests) != 1 {
				rep.fail("member %d: %d study attempts and %d tests, want 1 and 1", id, len(studies), len(tests))
			}
			var points quiz.Points
			var refs []string
			for _, a := range append(studies, tests...) {
				done := a.Answered()
				rep.Responses += done
				itemAnswers += int64(done)
				if !a.Closed || done != len(a.Items) {
					rep.fail("member %d: %s attempt %d closed=%v with %d of %d items answered", id, a.Kind, a.ID, a.Closed, done, len(a.Items))
				}
				if a.Kind == quiz.Study {
					rep.Studies++
					d := quiz.NodeStats{StudyDone: 1}
					if a.Flagged {
						d.Flagged = 1
					}
					add(month.Key(), d)
					add(half.Key(), d)
					add(year.Key(), d)
					refs = append(refs, "month:"+month.Key())
					points += rules.Points.MonthDone
					continue
				}
				rep.Tests++
				testItems += int64(len(a.Items))
				score, right := a.Tally()
				if score != a.Score || right != a.Right {
					rep.fail("member %d: test scored %d (%d right), its responses say %d (%d)", id, a.Score, a.Right, score, right)
				}
				d := quiz.NodeStats{TestTaken: 1, ScoreSum: int64(a.Score)}
				if a.Score >= rules.PassMark {
					d.Passed = 1
				}
				if a.Flagged {
					d.Flagged = 1
				}
				add(quarter.Key(), d)
				add(half.Key(), d)
				add(year.Key(), d)
				refs = append(refs, "test:"+quarter.Key()+"#1")
				points += rules.Points.TestPoints(a.Score)
				if a.Score == 100 {
					refs = append(refs, "perfect:"+quarter.Key())
					points += rules.Points.Perfect
				}
				p, err := tx.Progress(id, quarter.Key())
				if err != nil {
					return err
				}
				if !p.Tested || p.TestScore != a.Score || p.Attempts != 1 {
					rep.fail("member %d: quarter progress %+v, test scored %d", id, p, a.Score)
				}
			}
			entries, err := tx.Entries(id)
			if err != nil {
				return err
			}
			rep.Entries += len(entries)
			var got []string
			var sum quiz.Points
			for _, e := range entries {
				got = append(got, e.Ref)
				sum += e.Amount
			}
			slices.Sort(got)
			slices.Sort(refs)
			if !slices.Equal(got, refs) {
				rep.fail("member %d: ledger %v, want %v", id, got, refs)
			}
			if sum != points {
				rep.fail("member %d: ledger adds up to %v, the attempts earned %v", id, sum, points)
			}
			for _, k := range []string{half.Key(), year.Key()} {
				p, err := tx.Progress(id, k)
				if err != nil {
					return err
				}
				if p.Points != sum {
					rep.fail("member %d: %s progress has %v points, the ledger %v", id, k, p.Points, sum)
				}
			}
			if p, err := tx.Progress(id, month.Key()); err != nil || !p.StudyDone {
				rep.fail("member %d: month progress %+v, %v: not done", id, p, err)
			}
			if p, err := tx.Progress(id, year.Key()); err != nil || p.MonthsDone != 1 {
				rep.fail("member %d: year progress %+v, %v: want 1 month done", id, p, err)
			}
			d := quiz.NodeStats{PointSum: sum}
			if s := quiz.Stars(sum, rules.Stars); s > 1 {
				d.Stars[s-2] = 1
			}
			add(year.Key(), d)
		}
		for _, n := range tree.Nodes() {
			for _, p := range periods {
				got, err := tx.NodeStats(n.ID, p)
				if err != nil {
					return err
				}
				if got != want[n.ID][p] {
					rep.fail("node %s %s: totals %+v, the members' records say %+v", n.ID, p, got, want[n.ID][p])
				}
			}
		}
		rep.Nodes, rep.Periods = tree.Len(), len(periods)
		var answers, testN int64
		err := tx.NodeItems(tree.Root(), func(key string, s quiz.ItemStats) error {
			answers += s.Answers
			for _, n := range s.TestN {
				testN += n
			}
			return nil
		})
		if err != nil {
			return err
		}
		if answers != itemAnswers || testN != testItems {
			rep.fail("item statistics count %d answers and %d test items, the attempts %d and %d", answers, testN, itemAnswers, testItems)
		}
		return nil
	})
	if err != nil {
		rep.fail("reading the store: %v", err)
	}
	if int64(rep.Responses) != seen {
		rep.fail("%d responses in the store, the members saw %d answers accepted", rep.Responses, seen)
	}
	return rep
}

// --- the report ---------------------------------------------------------------

func (r *loadRun) report(res *loadResult) {
	secs := res.Elapsed.Seconds()
	rate := float64(res.Answers) / secs
	r.printf("  answers accepted: %d in %.1fs = %.0f answers/s (%d of %d members finished)\n", res.Answers, secs, rate, res.Finished, r.o.Members)
	l := res.Latency
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	r.printf("  update-to-reply latency: p50 %s, p90 %s, p99 %s, max %s (%d samples)\n",
		ms(quantile(l, 0.5)), ms(quantile(l, 0.9)), ms(quantile(l, 0.99)), ms(quantile(l, 1)), len(l))
	r.printf("  bot peak memory (VmHWM): %.0f MB\n", float64(res.PeakKB)/1024)
	if res.Answers > 0 {
		r.printf("  CPU during the run: bot %.1fs (%.0fµs an answer), load process with the fake server %.1fs (%.0fµs an answer); %.2f of %d cores busy\n",
			res.BotCPU.Seconds(), float64(res.BotCPU.Microseconds())/float64(res.Answers),
			res.LoadCPU.Seconds(), float64(res.LoadCPU.Microseconds())/float64(res.Answers),
			(res.BotCPU+res.LoadCPU).Seconds()/res.Elapsed.Seconds(), runtime.NumCPU())
	}
	if r.o.Kills > 0 || r.o.Outage > 0 || r.o.DiskFull {
		var faults []string
		if r.o.Kills > 0 {
			faults = append(faults, fmt.Sprintf("%d of %d kills", res.Kills, r.o.Kills))
		}
		if r.o.Outage > 0 {
			faults = append(faults, fmt.Sprintf("a %s Bot API outage", r.o.Outage))
		}
		if r.o.DiskFull {
			faults = append(faults, fmt.Sprintf("a full disk for %s (%s)", r.o.FullFor, res.DiskHow))
		}
		r.printf("  faults: %s; members sent /study or /test again %d times and saw %d storage-full notices\n",
			strings.Join(faults, ", "), res.Resends, res.Full)
	}
	var calls, tooMany float64
	for k, v := range res.Metrics {
		if strings.HasPrefix(k, "partyquiz_telegram_calls_total") {
			calls += v
		}
		if k == "partyquiz_telegram_429_total" {
			tooMany = v
		}
	}
	r.printf("  last bot process: %.0f updates handled, %.0f Bot API calls, %.0f 429s, send queue %.0f at the end\n",
		res.Metrics["partyquiz_updates_handled_total"], calls, tooMany, res.Metrics["partyquiz_send_queue"])
	if h := handleQuantiles(res.Metrics); h != "" {
		r.printf("  bot handling time per update (its histogram): %s\n", h)
	}
	c := res.Check
	if c.OK() {
		r.printf("  exactly-once check: OK: %d members, %d studies and %d tests complete, %d responses = %d answers accepted, %d ledger entries = progress points, totals of %d nodes × %d periods and item statistics match\n",
			c.Members, c.Studies, c.Tests, c.Responses, res.Answers, c.Entries, c.Nodes, c.Periods)
	} else {
		r.printf("  exactly-once check: FAILED (%d problems):\n", len(c.Problems))
		for _, p := range c.Problems {
			r.printf("    %s\n", p)
		}
	}
	if r.o.Kills == 0 && r.o.Outage == 0 && !r.o.DiskFull && r.o.Members >= 1000 {
		verdict := "met"
		if rate < 2000 || quantile(l, 0.99) >= 100*time.Millisecond {
			verdict = "missed"
		}
		r.printf("  goal (>= 2000 answers/s, p99 < 100ms with 1000 members): %s\n", verdict)
	}
}

// handleQuantiles reads p50 and p99 of the bot's handling time off its
// histogram (as "≤ bucket bound").
func handleQuantiles(metrics map[string]float64) string {
	type bucket struct {
		le    float64
		count float64
	}
	var bs []bucket
	for k, v := range metrics {
		le, ok := strings.CutPrefix(k, `partyquiz_handle_seconds_bucket{le="`)
		if !ok {
			continue
		}
		le = strings.TrimSuffix(le, `"}`)
		f, err := strconv.ParseFloat(le, 64)
		if le == "+Inf" {
			f, err = 1e9, nil
		}
		if err == nil {
			bs = append(bs, bucket{f, v})
		}
	}
	if len(bs) == 0 {
		return ""
	}
	slices.SortFunc(bs, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
	total := bs[len(bs)-1].count
	if total == 0 {
		return ""
	}
	at := func(q float64) string {
		for _, b := range bs {
			if b.count >= q*total {
				if b.le >= 1e9 {
					return "> 5s"
				}
				return fmt.Sprintf("≤ %gms", b.le*1000)
			}
		}
		return "?"
	}
	return fmt.Sprintf("p50 %s, p99 %s (%.0f updates)", at(0.5), at(0.99), total)
}
