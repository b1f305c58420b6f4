package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
	"partyquiz/questions"
	"partyquiz/quiz"
	"partyquiz/store"
)

// loadOptions configure a run.
type loadOptions struct {
	Members    int
	Mode       string        // "polling" or "webhook"
	Floor      bool          // serve the members with the protocol floor instead of the bot
	Durable    bool          // the floor keeps every update but a toggle's fdatasync'ed before its reply (floorlog.go); with -compare, a third kind of run
	Join       bool          // members join through an invite in chat (/start code, their name) first
	Kills      int           // SIGKILL the bot this many times during the run
	Outage     time.Duration // the Bot API fails (429, 502) for this long during the run
	DiskFull   bool          // the disk fills up during the run, and is freed again
	FullFor    time.Duration // how long the disk stays full
	SlowChat   time.Duration // an admin's uploads download this slowly (getFile's latency) the whole run
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
	Bin        string        // the partyquiz binary
	Self       []string      // this program's command line, to start the floor bot
	Env        []string      // extra environment for the bot and the floor
	BotEnv     []string      // extra environment for the bot only (GOGC=…, GODEBUG=…)
	Out        io.Writer
	Quiet      bool   // no progress lines
	Label      string // "floor" or "bot", for compare runs
}

const loadUsage = `usage: go run ./cmd/partyquiz-load [flags]

Runs the real partyquiz binary (built with the go command, or -bin) against
the fake Bot API server (pacing off) over loopback, with N simulated
members who each do this month's study and this quarter's test at once
(-join: after joining through an invite link in chat), and prints answers
and actions per second, update-to-reply latency, Bot API calls, CPU and
peak memory, and an exactly-once check of the store.

-floor serves the same members with the protocol floor instead: a minimal
bot on the same client library, no storage, no logic. -compare runs floor
and bot in turns (-rounds of each) and prints both and the ratio.
-durable-floor: the floor keeps every update (but a toggle's press) in an
fdatasync'ed log before it replies, the least a bot that loses no answer
must do (with -compare: a third run each round).
Fault runs: -kill N, -outage 30s, -diskfull. -rest FILE measures the bot's
memory at rest on an existing store. See BENCHMARKS.md and RELIABILITY.md.

`

// runLoad is the command.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := loadOptions{Out: stdout}
	fs := flag.NewFlagSet("partyquiz-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Members, "members", 1000, "simulated members")
	fs.StringVar(&o.Mode, "mode", "polling", `how the bot takes updates: "polling" or "webhook"`)
	fs.BoolVar(&o.Floor, "floor", false, "serve the members with the protocol floor (no storage, no logic) instead of the bot")
	fs.BoolVar(&o.Durable, "durable-floor", false, "the floor keeps every update (but a toggle's press) in a log, fdatasync'ed, before it replies (the least a bot that loses no answer must do); with -compare, run it too in each round")
	compare := fs.Bool("compare", false, "run the floor and the bot in turns and print both and the ratio")
	rounds := fs.Int("rounds", 2, "with -compare: runs of each")
	against := fs.String("against", "", "with -compare: another partyquiz binary to run in each round too (a change's before)")
	fs.BoolVar(&o.Join, "join", false, "members join through an invite link in chat (/start code, then their name) before studying")
	fs.IntVar(&o.Kills, "kill", 0, "SIGKILL the bot this many times at random moments, restarting it each time")
	fs.DurationVar(&o.Outage, "outage", 0, "the Bot API answers 429 and 502 for this long during the run")
	fs.BoolVar(&o.DiskFull, "diskfull", false, "fill the store's disk during the run, then free it")
	fs.DurationVar(&o.SlowChat, "slowchat", 0, "an admin uploads banks one after the other the whole run, each download (getFile) taking this long")
	fs.DurationVar(&o.FullFor, "full-for", 10*time.Second, "how long the disk stays full with -diskfull")
	fs.StringVar(&o.DiskMethod, "disk", "auto", `-diskfull's disk: "tmpfs" (needs root), "maxsize" (store.max_size) or "auto"`)
	fs.DurationVar(&o.Think, "think", 0, "a member's mean pause before each press or message (uniform in 0.5×–1.5×; 0: none, as fast as replies come)")
	fs.DurationVar(&o.Patience, "patience", 10*time.Second, "a member without a reply this long sends /study or /test again")
	fs.DurationVar(&o.Timeout, "timeout", 15*time.Minute, "give up a run after this long")
	fs.StringVar(&o.Dir, "dir", "", "work folder (default: a temporary one, removed afterwards)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work folder (store, configuration, bot log)")
	fs.Uint64Var(&o.Seed, "seed", 0, "random seed (0: from the clock)")
	fs.StringVar(&o.Profile, "cpuprofile", "", "write a CPU profile of the bot to this file")
	fs.DurationVar(&o.ProfileFor, "profile-for", 8*time.Second, "length of the bot's CPU profile")
	fs.StringVar(&o.DriverProf, "driverprofile", "", "write a CPU profile of the load process (fake server, members) to this file")
	fs.StringVar(&o.Bin, "bin", "", "the partyquiz binary (default: built from this module with go build)")
	rest := fs.String("rest", "", "instead of a run: start the bot on this store (a copy: the bot opens it read-write) with no traffic and print its memory at rest")
	restFor := fs.Duration("rest-for", 20*time.Second, "with -rest: how long the bot rests before its memory is read")
	botEnv := fs.String("botenv", "", "extra environment for the bot, e.g. GOGC=200 (space-separated)")
	fs.Usage = func() { fmt.Fprint(stderr, loadUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	faults := o.Kills > 0 || o.Outage > 0 || o.DiskFull || o.SlowChat > 0
	if fs.NArg() > 0 || o.Members < 1 || (o.Mode != "polling" && o.Mode != "webhook") ||
		(*compare && (o.Floor || *rounds < 1)) || (o.Durable && !o.Floor && !*compare) || ((o.Floor || *compare) && faults) || (*against != "" && !*compare) {
		if (o.Floor || *compare) && faults {
			fmt.Fprintln(stderr, "partyquiz-load: the fault runs are for the bot, not with -floor or -compare")
		}
		fs.Usage()
		return 2
	}
	o.BotEnv = strings.Fields(*botEnv)
	if (!o.Floor || *compare) && o.Bin == "" {
		bin, cleanup, err := buildBot(o.Out)
		if err != nil {
			fmt.Fprintln(stderr, "partyquiz-load:", err)
			return 1
		}
		defer cleanup()
		o.Bin = bin
	}
	if *rest != "" {
		if err := runRest(ctx, o, *rest, *restFor); err != nil {
			fmt.Fprintln(stderr, "partyquiz-load:", err)
			return 1
		}
		return 0
	}
	if *compare {
		if err := runCompare(ctx, o, *rounds, *against); err != nil {
			fmt.Fprintln(stderr, "partyquiz-load:", err)
			return 1
		}
		return 0
	}
	res, err := runLoadWith(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "partyquiz-load:", err)
		return 1
	}
	if !res.Check.OK() {
		return 1
	}
	return 0
}

// buildBot builds the partyquiz binary of this module into a temporary
// folder and returns its path.
func buildBot(out io.Writer) (string, func(), error) {
	dir, err := os.MkdirTemp("", "partyquiz-load-bin-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "partyquiz")
	t0 := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "partyquiz")
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build the bot (go build partyquiz; run from the partyquiz module, or pass -bin): %v\n%s", err, msg.String())
	}
	fmt.Fprintf(out, "partyquiz-load: built the bot in %s\n", time.Since(t0).Round(100*time.Millisecond))
	return bin, cleanup, nil
}

// loadResult is what a run measured.
type loadResult struct {
	Floor    bool
	Answers  int64         // answers the members saw accepted
	Actions  int64         // texts and presses the members sent, each awaiting a reply
	Elapsed  time.Duration // from the first member's first message to the last one's result
	Latency  []time.Duration
	Waits    []time.Duration // each update's wait at the fake Telegram for the bot to take it
	PeakKB   int64           // the bot's VmHWM, the highest of its processes
	Kills    int
	Resends  int64 // /study or /test sent again after a silence
	Full     int64 // storage-full notices the members saw
	DiskHow  string
	Metrics  map[string]float64 // the last bot process's metrics, by series
	Calls    map[string]int     // Bot API calls the fake server answered, by method
	Replies  int                // of them, methods carried in webhook responses
	Check    loadCheck
	Finished int           // members who finished both
	BotCPU   time.Duration // CPU time of the bot processes
	LoadCPU  time.Duration // CPU time of this process (fake server, members)

	SlowUploads []time.Duration // -slowchat: each upload's time to its answer
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
	cfg     botConfig
	srv     *telegramtest.Server
	log     *os.File
	opsURL  string
	rng     *rand.Rand
	rngMu   sync.Mutex
	studyN  int
	testN   int

	accepted atomic.Int64
	actions  atomic.Int64
	resends  atomic.Int64
	full     atomic.Int64
	peakKB   atomic.Int64
	botCPU   atomic.Int64  // CPU time (ns) of bot processes that ended
	lastCPU  time.Duration // of them, the last one's (it ran past the end of the run)

	mu    sync.Mutex
	child *botProcess
}

// botProcess is one run of the bot binary (or of the floor bot).
type botProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Sizes of the members' script (bot.toml's [study] and [test] questions).
const (
	studyQuestions = 10
	testQuestions  = 20
)

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
	if o.Floor && len(o.Self) == 0 {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		o.Self = []string{self}
	}
	if !o.Floor && o.Bin == "" {
		return nil, errors.New("no bot binary")
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	r := &loadRun{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x9a77)), studyN: studyQuestions, testN: testQuestions}
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
	res := &loadResult{Floor: o.Floor}

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

	// The bot's configuration: the defaults but for these.
	c := botConfig{}
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
	c.Bot.Admins = []int64{loadAdmin}
	c.Bot.Timezone = loadZone
	c.Study.Questions = r.studyN
	c.Test.Questions = r.testN
	c.Test.Window = string(quiz.WholeQuarter)
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.Ops.Listen = "127.0.0.1:" + port
	c.Ops.Pprof = o.Profile != ""
	r.opsURL = "http://127.0.0.1:" + port
	r.cfg = c

	// Members: joined before the bot starts (as if they had used their
	// invite links earlier), or with invites to use in chat.
	t0 := time.Now()
	var ids []int64
	var codes []string
	if !o.Floor {
		ids, codes, err = seedMembers(ctx, c, o.Members, o.Join)
		if err != nil {
			return nil, fmt.Errorf("seed members: %w", err)
		}
	} else {
		ids, codes = floorMembers(o.Members)
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
	who, script := "the bot, fsync on", "study %d + test %d questions each"
	switch {
	case o.Floor && o.Durable:
		who = "the durable floor (every update but a toggle's in an fdatasync'ed log before its reply)"
	case o.Floor:
		who = "the protocol floor (no storage)"
	}
	if o.Join {
		script = "join, name, study %d + test %d questions each"
	}
	r.printf("partyquiz-load: %d members ("+script+"), %s, %s, think %s, pacing off; set up in %s\n",
		o.Members, r.studyN, r.testN, who, o.Mode, o.Think, time.Since(t0).Round(time.Millisecond))
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
		members[i] = &simMember{id: id, r: r, u: srv.NewUser(id, memberName(i)), name: memberName(i),
			accepted: map[string]map[int]bool{"study": {}, "test": {}}, total: map[string]int{},
			rng: rand.New(rand.NewPCG(o.Seed, uint64(id)))}
		if o.Join {
			members[i].code = codes[i%len(codes)]
		}
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
	if o.SlowChat > 0 && !o.Floor {
		faults.Add(1)
		go func() { defer faults.Done(); res.SlowUploads = r.slowChat(runCtx) }()
	}
	if o.Profile != "" && !o.Floor {
		faults.Add(1)
		go func() { defer faults.Done(); r.profile(runCtx, expected) }()
	}
	progressDone := make(chan struct{})
	go r.progress(runCtx, expected, progressDone)

	srv.ResetStats()
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
	res.Actions = r.actions.Load()
	res.Resends = r.resends.Load()
	res.Full = r.full.Load()
	res.Calls = map[string]int{}
	for k, v := range srv.Stats() {
		res.Calls[k] = v.Calls
	}
	res.Replies = srv.WebhookReplies()
	res.Waits = srv.DeliveryWaits()
	slices.Sort(res.Waits)
	for _, m := range members {
		res.Latency = append(res.Latency, m.lat...)
	}
	slices.Sort(res.Latency)
	if !o.Floor {
		res.Metrics = r.scrapeMetrics()
	}
	r.stopBot()
	res.PeakKB = r.peakKB.Load()
	// The bot's CPU during the run: the processes killed meanwhile, and
	// the last one up to the end of the run.
	res.BotCPU = time.Duration(r.botCPU.Load()) - r.lastCPU + bot1 - bot0
	if ctx.Err() != nil {
		r.printf("  the run timed out after %s; %d of %d members finished\n", o.Timeout, res.Finished, o.Members)
	}

	// Exactly once: the product's own check of the store, and what these
	// members saw accepted.
	if !o.Floor {
		res.Check = r.checkStore(context.Background(), ids, res.Answers)
	}
	r.report(res)
	if o.Keep && res.DiskHow == "tmpfs" {
		// The tmpfs goes away: keep the store next to the log.
		if data, err := os.ReadFile(c.Store.Path); err == nil {
			os.WriteFile(filepath.Join(r.dir, "partyquiz.db"), data, 0o600)
		}
	}
	return res, nil
}

const (
	loadAdmin = 999
	loadZone  = "Asia/Shanghai"
)

func (r *loadRun) printf(format string, args ...any) {
	if r.o.Label != "" {
		format = "[" + r.o.Label + "] " + format
	}
	fmt.Fprintf(r.o.Out, format, args...)
}

// botConfig is the part of partyquiz's bot.toml a run sets; the rest
// keeps the product's defaults.
type botConfig struct {
	Telegram struct {
		Token              string `toml:"token"`
		APIEndpoint        string `toml:"api_endpoint"`
		FileEndpoint       string `toml:"file_endpoint"`
		PollTimeout        int    `toml:"poll_timeout"`
		Mode               string `toml:"mode"`
		WebhookURL         string `toml:"webhook_url,omitempty"`
		WebhookListen      string `toml:"webhook_listen,omitempty"`
		WebhookConnections int    `toml:"webhook_connections,omitzero"`
		Pace               bool   `toml:"pace"`
	} `toml:"telegram"`
	Store struct {
		Path    string `toml:"path"`
		MaxSize string `toml:"max_size,omitempty"`
	} `toml:"store"`
	Bot struct {
		Admins   []int64 `toml:"admins"`
		Timezone string  `toml:"timezone"`
	} `toml:"bot"`
	Study struct {
		Questions int `toml:"questions"`
	} `toml:"study"`
	Test struct {
		Questions int    `toml:"questions"`
		Window    string `toml:"window"`
	} `toml:"test"`
	Ops struct {
		Listen string `toml:"listen"`
		Pprof  bool   `toml:"pprof"`
	} `toml:"ops"`
}

func (r *loadRun) writeConfig() error {
	var b bytes.Buffer
	b.WriteString("# Written by partyquiz-load.\n")
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

// memberIDs are the simulated members' Telegram ids.
func memberIDs(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = 200001 + int64(i)
	}
	return ids
}

// seedMembers opens the store the bot will open, with its built-in banks
// and tree, makes a member invite for every branch, and joins n members
// to the branches in turn through them — or, with join, leaves that to
// the members in chat and returns the codes.
func seedMembers(ctx context.Context, c botConfig, n int, join bool) ([]int64, []string, error) {
	cat, err := questions.Builtin()
	if err != nil {
		return nil, nil, err
	}
	tree, err := quiz.TreeOf(cat.Org)
	if err != nil {
		return nil, nil, err
	}
	cal, err := quiz.NewCalendar(c.Bot.Timezone)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(c.Store.Path, store.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	svc := quiz.NewService(db, cal, quiz.DefaultRules(), time.Now, c.Bot.Admins, &quiz.Content{Catalog: cat, Tree: tree})
	admin := quiz.Viewer{ID: loadAdmin, Admin: true}
	var codes []string
	for _, leaf := range tree.Leaves(tree.Root()) {
		inv, err := svc.CreateInvite(ctx, admin, leaf, quiz.RoleMember, 0)
		if err != nil {
			return nil, nil, err
		}
		codes = append(codes, inv.Code)
	}
	ids := memberIDs(n)
	if join {
		return ids, codes, nil
	}
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range ids {
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
	return ids, codes, <-errs
}

// --- the bot process --------------------------------------------------------

// startBot starts the bot binary (or the floor bot) and waits until it
// takes updates.
func (r *loadRun) startBot(ctx context.Context) error {
	var cmd *exec.Cmd
	env := append(append(os.Environ(), "TELEGRAM_BOT_TOKEN="+r.cfg.Telegram.Token), r.o.Env...)
	if r.o.Floor {
		args := append(append([]string{}, r.o.Self[1:]...), floorCommand, "-config", r.cfgPath)
		if r.o.Durable {
			args = append(args, "-durable", filepath.Join(filepath.Dir(r.cfg.Store.Path), "floor.log"))
		}
		cmd = exec.Command(r.o.Self[0], args...)
	} else {
		cmd = exec.Command(r.o.Bin, "-config", r.cfgPath)
		env = append(env, r.o.BotEnv...)
	}
	cmd.Env = env
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
		if r.ready() {
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
			return errors.New("the bot did not become ready in 60s")
		}
	}
}

var opsClient = &http.Client{Timeout: 3 * time.Second}

// ready reports whether the bot takes updates: its health check, or (the
// floor, which has none) a poll or a webhook at the fake server.
func (r *loadRun) ready() bool {
	if r.o.Floor {
		if r.o.Mode == "webhook" {
			return r.srv.WebhookInfo().URL != ""
		}
		return r.srv.Polling()
	}
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
