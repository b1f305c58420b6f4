package main

import (
	"context"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"partyquiz/bot/telegramtest"
)

// --- a simulated member ------------------------------------------------------

// simMember is one member at their phone: with -join they open their
// invite link (/start code) and give their name; then they send /study,
// answer every question, then /test, 开始测试 and every question, as fast
// as replies come. With no reply for o.Patience they send the command
// again, as people do; on "storage full" they wait a little and try
// again. The script is the same whoever serves them, bot or floor.
type simMember struct {
	id       int64
	r        *loadRun
	u        *telegramtest.User
	name     string
	code     string // the invite to join with (-join)
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
	wAskName       = "真实姓名"
	wJoined        = "您已加入"
	wAlreadyJoined = "无需重复加入"
)

func (m *simMember) run(ctx context.Context) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.ev = m.u.Events(ctx)
	if m.code != "" && !m.join(ctx) {
		return false
	}
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
	m.r.actions.Add(1)
	return f()
}

// join opens the invite link and gives the name asked for; false if the
// run ended first.
func (m *simMember) join(ctx context.Context) bool {
	for pause := 100 * time.Millisecond; ctx.Err() == nil; pause = min(2*pause, 2*time.Second) {
		m.act(func() error { m.u.SendText("/start " + m.code); return nil })
		asked := false
		for !asked {
			ev, ok := m.next(ctx, m.r.o.Patience)
			if !ok {
				break
			}
			if ev.Kind != telegramtest.MessageSent && ev.Kind != telegramtest.MessageEdited {
				continue
			}
			switch t := ev.Message.Text; {
			case strings.Contains(t, wAlreadyJoined):
				return true
			case strings.Contains(t, wAskName):
				asked = true
			}
		}
		if asked {
			m.act(func() error { m.u.SendText(m.name); return nil })
			for {
				ev, ok := m.next(ctx, m.r.o.Patience)
				if !ok {
					break
				}
				if ev.Kind != telegramtest.MessageSent && ev.Kind != telegramtest.MessageEdited {
					continue
				}
				if t := ev.Message.Text; strings.Contains(t, wJoined) || strings.Contains(t, wAlreadyJoined) {
					return true
				}
			}
		}
		select { // a silence: wait a little before the link again
		case <-ctx.Done():
		case <-time.After(time.Duration(m.rng.Int64N(int64(pause))) + pause/2):
		}
		m.r.resends.Add(1)
	}
	return false
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
// asked or answered: a header line names the kind (📝 季度一测 · …, or
// 📖 每月一学 · …), the next is "第 i/N 题 · type" (the first such pair: a
// message may open with the echo of a typed answer). answered is set once
// the bot has turned it into feedback ("您的答案：…", "已作答：…").
func question(text string) (kind string, idx, n int, answered, ok bool) {
	lines := strings.Split(text, "\n")
	for i := 0; i+2 < len(lines); i++ {
		switch {
		case strings.Contains(lines[i], "季度一测 ·"):
			kind = "test"
		case strings.Contains(lines[i], "每月一学 ·"), strings.Contains(lines[i], "补学 ·"):
			kind = "study"
		default:
			continue
		}
		sm := reProgress.FindStringSubmatch(lines[i+1])
		if sm == nil {
			continue
		}
		idx, _ = strconv.Atoi(sm[1])
		n, _ = strconv.Atoi(sm[2])
		last := text[strings.LastIndex(text, "\n\n")+2:]
		answered = strings.HasPrefix(last, wYourAnswer) || strings.HasPrefix(last, wTestAnswered)
		return kind, idx, n, answered, true
	}
	return "", 0, 0, false, false
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
			case kind == "study" && strings.Contains(msg.Text, wStudyFinished),
				kind == "test" && strings.Contains(msg.Text, wTestFinished):
				// (before the question test: the result may share the
				// last answer's message)
				m.acceptAll(kind, n)
				return nil, true
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
