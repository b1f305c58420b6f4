package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"partyquiz/bot"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// Config is bot.toml. Defaults first, the file over them, the environment
// over the file (TELEGRAM_BOT_TOKEN), then Validate.
type Config struct {
	Telegram  TelegramConfig  `toml:"telegram"`
	Store     StoreConfig     `toml:"store"`
	Bot       BotConfig       `toml:"bot"`
	Questions QuestionsConfig `toml:"questions"`
	Study     StudyConfig     `toml:"study"`
	Test      TestConfig      `toml:"test"`
	Points    PointsConfig    `toml:"points"`
	Rank      RankConfig      `toml:"rank"`
	Remind    RemindConfig    `toml:"remind"`
	Contest   ContestConfig   `toml:"contest"`
	Backup    BackupConfig    `toml:"backup"`
	Ops       OpsConfig       `toml:"ops"`
	Log       LogConfig       `toml:"log"`
	Webapp    WebappConfig    `toml:"webapp"`
}

// TelegramConfig is how the bot reaches the Bot API.
type TelegramConfig struct {
	Token        string `toml:"token"`
	APIEndpoint  string `toml:"api_endpoint"`
	FileEndpoint string `toml:"file_endpoint"`
	PollTimeout  int    `toml:"poll_timeout"` // seconds of a long poll
	// Mode is how updates come: "polling" (getUpdates) or "webhook".
	Mode               string `toml:"mode"`
	WebhookURL         string `toml:"webhook_url"`    // the public HTTPS URL Telegram posts to
	WebhookListen      string `toml:"webhook_listen"` // where the bot serves it, e.g. "127.0.0.1:8443"
	WebhookSecret      string `toml:"webhook_secret"` // "" = a new random one at each start
	WebhookConnections int    `toml:"webhook_connections"`
	// Pace keeps the bot to Telegram's flood limits (bot.DefaultPace);
	// false sends as fast as the server answers (load tests only).
	Pace bool `toml:"pace"`
}

// StoreConfig is where the data lives.
type StoreConfig struct {
	Path    string `toml:"path"`
	MaxSize string `toml:"max_size"` // "" = no cap; e.g. "2GB": the store refuses writes past it
}

// BackupConfig is the scheduled hot backups.
type BackupConfig struct {
	Dir   string `toml:"dir"`   // "" = no scheduled backups
	Every string `toml:"every"` // a Go duration, e.g. "24h"
	Keep  int    `toml:"keep"`  // backups kept in Dir; older ones are deleted
}

// OpsConfig is the operator's HTTP endpoint.
type OpsConfig struct {
	Listen string `toml:"listen"` // "" = off; e.g. "127.0.0.1:9090"
	Pprof  bool   `toml:"pprof"`  // also serve /debug/pprof/ there
}

// LogConfig is the bot's log (standard error).
type LogConfig struct {
	Level  string `toml:"level"`  // "debug", "info", "warn" or "error"
	Format string `toml:"format"` // "text" or "json"
}

// BotConfig is who runs the bot and where.
type BotConfig struct {
	Admins   []int64 `toml:"admins"`
	Timezone string  `toml:"timezone"`
	Org      string  `toml:"org"` // organisation tree file; "" for the built-in sample
}

// QuestionsConfig is where the banks come from.
type QuestionsConfig struct {
	Dir string `toml:"dir"` // "" for the banks built into the program
}

// StudyConfig is 每月一学.
type StudyConfig struct {
	Questions int `toml:"questions"`
	Mistakes  int `toml:"mistakes"`
}

// TestConfig is 季度一测.
type TestConfig struct {
	Questions     int            `toml:"questions"`
	Minutes       int            `toml:"minutes"`
	Attempts      int            `toml:"attempts"`
	Policy        string         `toml:"policy"`
	PassMark      int            `toml:"pass_mark"`
	PartialCredit bool           `toml:"partial_credit"`
	Window        string         `toml:"window"`
	FastSeconds   float64        `toml:"fast_seconds"`
	Mix           map[string]int `toml:"mix"`
}

// PointsConfig is 积分 and 争星.
type PointsConfig struct {
	MonthDone    float64   `toml:"month_done"`
	TestPerScore float64   `toml:"test_per_score"`
	Perfect      float64   `toml:"perfect"`
	AllMonths    float64   `toml:"all_months"`
	Stars        []float64 `toml:"stars"`
}

// RankConfig is 半年一比.
type RankConfig struct {
	StudyWeight   float64 `toml:"study_weight"`
	TestWeight    float64 `toml:"test_weight"`
	MinBranchSize int     `toml:"min_branch_size"`
}

// RemindConfig is the automatic reminders.
type RemindConfig struct {
	Days int `toml:"days"` // before a month ends and before a test window closes; 0 = none
}

// ContestConfig is 有奖知识问答, the live contest in a bound group.
type ContestConfig struct {
	Join             float64   `toml:"join"`              // points for answering at least one question
	Top              []float64 `toml:"top"`               // points for the first, second and third place
	DailyCap         float64   `toml:"daily_cap"`         // the most contest points a member earns a day; 0 = no cap
	CountdownSeconds int       `toml:"countdown_seconds"` // from the call to join to the first question
}

// mixKeys maps the config's type names to question types.
var mixKeys = map[string]questions.Type{
	"single": questions.Single, "multiple": questions.Multiple,
	"truefalse": questions.TrueFalse, "fill": questions.Fill,
}

// DefaultConfig returns the configuration used where bot.toml is silent.
func DefaultConfig() Config {
	r := quiz.DefaultRules()
	mix := map[string]int{}
	for name, t := range mixKeys {
		mix[name] = r.TestMix[t]
	}
	var stars []float64
	for _, p := range r.Stars {
		stars = append(stars, p.Float())
	}
	return Config{
		Telegram: TelegramConfig{
			APIEndpoint:        "https://api.telegram.org/bot%s/%s",
			FileEndpoint:       "https://api.telegram.org/file/bot%s/%s",
			PollTimeout:        50,
			Mode:               "polling",
			WebhookConnections: 40,
			Pace:               true,
		},
		Store: StoreConfig{Path: "data/partyquiz.db"},
		Bot:   BotConfig{Admins: []int64{}, Timezone: "Asia/Shanghai"},
		Study: StudyConfig{Questions: r.StudyQuestions, Mistakes: r.StudyMistakes},
		Test: TestConfig{
			Questions: r.TestQuestions, Minutes: int(r.TestDuration / time.Minute), Attempts: r.TestAttempts,
			Policy: string(r.TestPolicy), PassMark: r.PassMark, Window: string(r.TestWindow),
			FastSeconds: r.FastSeconds, Mix: mix,
		},
		Points: PointsConfig{
			MonthDone: r.Points.MonthDone.Float(), TestPerScore: r.Points.TestPerScore,
			Perfect: r.Points.Perfect.Float(), AllMonths: r.Points.AllMonths.Float(), Stars: stars,
		},
		Rank:   RankConfig{StudyWeight: r.Rank.StudyWeight, TestWeight: r.Rank.TestWeight, MinBranchSize: r.Rank.MinSize},
		Remind: RemindConfig{Days: r.RemindDays},
		Contest: ContestConfig{Join: r.Contest.Join.Float(), DailyCap: r.Contest.DailyCap.Float(),
			Top:              []float64{r.Contest.Top[0].Float(), r.Contest.Top[1].Float(), r.Contest.Top[2].Float()},
			CountdownSeconds: int(r.Contest.Countdown / time.Second)},
		Backup: BackupConfig{Every: "24h", Keep: 7},
		Log:    LogConfig{Level: "info", Format: "text"},
		Webapp: WebappConfig{MaxAge: "1h"},
	}
}

// LoadConfig reads path over the defaults. A missing file is an error
// unless optional is set (the default path may be absent: the defaults
// then work offline). Unknown keys are errors that name the key.
func LoadConfig(path string, optional bool) (Config, error) {
	c := DefaultConfig()
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && optional:
	case err != nil:
		return c, fmt.Errorf("config: %w", err)
	default:
		md, err := toml.Decode(string(data), &c)
		if err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			keys := make([]string, len(und))
			for i, k := range und {
				keys[i] = k.String()
			}
			return c, fmt.Errorf("config %s: unknown key %s", path, strings.Join(keys, ", "))
		}
	}
	if tok := os.Getenv("TELEGRAM_BOT_TOKEN"); tok != "" {
		c.Telegram.Token = tok
	}
	return c, nil
}

var tokenPattern = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// Validate checks the values; the error names the key at fault. It does
// not require a token (chat mode and validate run without one).
func (c Config) Validate() error {
	if c.Telegram.Token != "" && !tokenPattern.MatchString(c.Telegram.Token) {
		return errors.New("telegram.token: not a bot token (it looks like 123456:ABC-DEF…)")
	}
	for _, f := range []struct{ key, v string }{{"telegram.api_endpoint", c.Telegram.APIEndpoint}, {"telegram.file_endpoint", c.Telegram.FileEndpoint}} {
		if strings.Count(f.v, "%s") != 2 || !(strings.HasPrefix(f.v, "https://") || strings.HasPrefix(f.v, "http://")) {
			return fmt.Errorf("%s: %q must be an http(s) URL with two %%s (token, then method or file path)", f.key, f.v)
		}
	}
	if c.Telegram.PollTimeout < 0 || c.Telegram.PollTimeout > 50 {
		return fmt.Errorf("telegram.poll_timeout: %d is not between 0 and 50 seconds", c.Telegram.PollTimeout)
	}
	if err := c.validateWebhook(); err != nil {
		return err
	}
	if c.Store.Path == "" {
		return errors.New("store.path: empty")
	}
	if _, err := c.MaxSize(); err != nil {
		return err
	}
	if err := c.validateOps(); err != nil {
		return err
	}
	if err := c.validateWebapp(); err != nil {
		return err
	}
	for _, id := range c.Bot.Admins {
		if id <= 0 {
			return fmt.Errorf("bot.admins: %d is not a Telegram user id", id)
		}
	}
	if _, err := quiz.NewCalendar(c.Bot.Timezone); err != nil {
		return fmt.Errorf("bot.timezone: %q is not a time zone (e.g. \"Asia/Shanghai\")", c.Bot.Timezone)
	}
	for name := range c.Test.Mix {
		if _, ok := mixKeys[name]; !ok {
			return fmt.Errorf("test.mix.%s: unknown question type (single, multiple, truefalse, fill)", name)
		}
	}
	if _, err := c.Rules(); err != nil {
		return err
	}
	return nil
}

// Rules converts the cycle settings to the engine's rules.
func (c Config) Rules() (quiz.Rules, error) {
	r := quiz.Rules{
		StudyQuestions: c.Study.Questions,
		StudyMistakes:  c.Study.Mistakes,
		TestQuestions:  c.Test.Questions,
		TestMix:        map[questions.Type]int{},
		TestDuration:   time.Duration(c.Test.Minutes) * time.Minute,
		TestAttempts:   c.Test.Attempts,
		TestPolicy:     quiz.Policy(c.Test.Policy),
		PassMark:       c.Test.PassMark,
		PartialCredit:  c.Test.PartialCredit,
		TestWindow:     quiz.Window(c.Test.Window),
		FastSeconds:    c.Test.FastSeconds,
		Points: quiz.PointRules{
			MonthDone: quiz.PointsOf(c.Points.MonthDone), TestPerScore: c.Points.TestPerScore,
			Perfect: quiz.PointsOf(c.Points.Perfect), AllMonths: quiz.PointsOf(c.Points.AllMonths),
		},
		Rank:       quiz.RankConfig{StudyWeight: c.Rank.StudyWeight, TestWeight: c.Rank.TestWeight, MinSize: c.Rank.MinBranchSize},
		RemindDays: c.Remind.Days,
	}
	for name, n := range c.Test.Mix {
		r.TestMix[mixKeys[name]] = n
	}
	for _, s := range c.Points.Stars {
		r.Stars = append(r.Stars, quiz.PointsOf(s))
	}
	if len(c.Contest.Top) != 3 {
		return r, fmt.Errorf("contest.top: want 3 amounts (for the first, second and third place), got %d", len(c.Contest.Top))
	}
	r.Contest = quiz.ContestRules{Join: quiz.PointsOf(c.Contest.Join), DailyCap: quiz.PointsOf(c.Contest.DailyCap),
		Countdown: time.Duration(c.Contest.CountdownSeconds) * time.Second}
	for i, p := range c.Contest.Top {
		r.Contest.Top[i] = quiz.PointsOf(p)
	}
	if err := r.Validate(); err != nil {
		// The engine names its own settings; say where they live here.
		msg := err.Error()
		for _, p := range [][2]string{
			{"study_questions", "study.questions"}, {"study_mistakes", "study.mistakes"},
			{"test_questions", "test.questions"}, {"test_minutes", "test.minutes"},
			{"test_attempts", "test.attempts"}, {"test_policy", "test.policy"},
			{"pass_mark", "test.pass_mark"}, {"test_window", "test.window"},
			{"fast_seconds", "test.fast_seconds"}, {"test_mix", "test.mix"},
			{"stars", "points.stars"}, {"rank weights", "rank.study_weight/rank.test_weight"},
			{"rank min_branch_size", "rank.min_branch_size"}, {"remind days", "remind.days"},
		} {
			if strings.HasPrefix(msg, p[0]+":") {
				msg = p[1] + strings.TrimPrefix(msg, p[0])
				break
			}
		}
		return r, errors.New(msg)
	}
	return r, nil
}

// validateWebhook checks the update mode and the webhook's settings.
func (c Config) validateWebhook() error {
	t := c.Telegram
	switch t.Mode {
	case "polling":
	case "webhook":
		u, err := url.Parse(t.WebhookURL)
		if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
			return fmt.Errorf("telegram.webhook_url: %q must be the public https:// URL Telegram posts updates to", t.WebhookURL)
		}
		if _, _, err := net.SplitHostPort(t.WebhookListen); err != nil {
			return fmt.Errorf("telegram.webhook_listen: %q is not host:port (e.g. \"127.0.0.1:8443\")", t.WebhookListen)
		}
	default:
		return fmt.Errorf("telegram.mode: %q is not \"polling\" or \"webhook\"", t.Mode)
	}
	if t.WebhookSecret != "" && !bot.ValidWebhookSecret(t.WebhookSecret) {
		return errors.New("telegram.webhook_secret: must be 1–256 characters of A-Za-z0-9_- (or empty for a random one)")
	}
	if t.WebhookConnections < 1 || t.WebhookConnections > 100 {
		return fmt.Errorf("telegram.webhook_connections: %d is not between 1 and 100", t.WebhookConnections)
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// validateOps checks backups, the ops endpoint and the log settings.
func (c Config) validateOps() error {
	if _, err := c.BackupEvery(); err != nil {
		return err
	}
	if c.Backup.Keep < 1 {
		return fmt.Errorf("backup.keep: %d, keep at least 1", c.Backup.Keep)
	}
	if c.Ops.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Ops.Listen); err != nil {
			return fmt.Errorf("ops.listen: %q is not host:port (e.g. \"127.0.0.1:9090\")", c.Ops.Listen)
		}
	}
	if _, err := c.LogLevel(); err != nil {
		return err
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return fmt.Errorf("log.format: %q is not \"text\" or \"json\"", c.Log.Format)
	}
	return nil
}

// BackupEvery is backup.every as a duration.
func (c Config) BackupEvery() (time.Duration, error) {
	d, err := time.ParseDuration(c.Backup.Every)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("backup.every: %q is not a duration such as \"24h\" or \"6h30m\"", c.Backup.Every)
	}
	return d, nil
}

// LogLevel is log.level as a slog level.
func (c Config) LogLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return 0, fmt.Errorf("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	return l, nil
}

var sizePattern = regexp.MustCompile(`^([0-9]+) *([KMGT]?B)?$`)

// MaxSize is store.max_size in bytes (0: no cap). Sizes are written like
// "512MB" or "2GiB" (MB and MiB alike are 2^20 bytes here).
func (c Config) MaxSize() (int, error) {
	s := strings.TrimSpace(c.Store.MaxSize)
	if s == "" {
		return 0, nil
	}
	m := sizePattern.FindStringSubmatch(strings.ReplaceAll(strings.ToUpper(s), "IB", "B"))
	if m == nil {
		return 0, fmt.Errorf("store.max_size: %q is not a size such as \"2GB\" or \"500MB\"", c.Store.MaxSize)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store.max_size: %q is too big", c.Store.MaxSize)
	}
	shift := map[string]uint{"": 0, "B": 0, "KB": 10, "MB": 20, "GB": 30, "TB": 40}[m[2]]
	if n > (1<<62)>>shift {
		return 0, fmt.Errorf("store.max_size: %q is too big", c.Store.MaxSize)
	}
	if n<<shift < 1<<20 && n != 0 {
		return 0, fmt.Errorf("store.max_size: %q is under 1MB; the store needs room to work", c.Store.MaxSize)
	}
	return int(n << shift), nil
}

// flagConfig loads and validates the configuration a subcommand's -config
// flag names: as the bot does, bot.toml may be missing unless the flag was
// given.
func flagConfig(fs *flag.FlagSet, path string) (Config, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	c, err := LoadConfig(path, !explicit)
	if err == nil {
		err = c.Validate()
	}
	return c, err
}
