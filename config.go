package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

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
}

// TelegramConfig is how the bot reaches the Bot API.
type TelegramConfig struct {
	Token        string `toml:"token"`
	APIEndpoint  string `toml:"api_endpoint"`
	FileEndpoint string `toml:"file_endpoint"`
	PollTimeout  int    `toml:"poll_timeout"` // seconds of a long poll
}

// StoreConfig is where the data lives.
type StoreConfig struct {
	Path string `toml:"path"`
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
			APIEndpoint:  "https://api.telegram.org/bot%s/%s",
			FileEndpoint: "https://api.telegram.org/file/bot%s/%s",
			PollTimeout:  50,
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
		Rank: RankConfig{StudyWeight: r.Rank.StudyWeight, TestWeight: r.Rank.TestWeight, MinBranchSize: r.Rank.MinSize},
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
	if c.Store.Path == "" {
		return errors.New("store.path: empty")
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
		Rank: quiz.RankConfig{StudyWeight: c.Rank.StudyWeight, TestWeight: c.Rank.TestWeight, MinSize: c.Rank.MinBranchSize},
	}
	for name, n := range c.Test.Mix {
		r.TestMix[mixKeys[name]] = n
	}
	for _, s := range c.Points.Stars {
		r.Stars = append(r.Stars, quiz.PointsOf(s))
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
			{"rank min_branch_size", "rank.min_branch_size"},
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
