package questions

import (
	"fmt"
	"unicode/utf8"
)

// MaxLessonRunes bounds a month's lesson so that it fits one message.
const MaxLessonRunes = MessageLimit - MessageReserve

// Plan is the study plan (学习计划): for each calendar month its lesson (the
// pocket-book page) and the banks its practice questions come from, and for
// each quarter the banks its test draws from. The plan applies to every
// year; the admin publishes a new one when the year's content changes.
type Plan struct {
	Title    string
	Months   [12]*MonthPlan // Months[0] is January; nil: no entry
	Quarters [4][]string    // test banks; nil: the banks of the quarter's months
	File     string
	Builtin  bool           // built into the program (Builtin)
	lines    map[string]int // bank reference → line, for cross-checks
}

// MonthPlan is one month of the plan.
type MonthPlan struct {
	Month  int // 1–12
	Title  string
	Lesson string
	Banks  []string
	Line   int
}

// Month returns the plan of month m (1–12), or nil.
func (p *Plan) Month(m int) *MonthPlan {
	if p == nil || m < 1 || m > 12 {
		return nil
	}
	return p.Months[m-1]
}

// QuarterBanks returns the banks the test of quarter q (1–4) draws from:
// the quarter's own list, or else every bank of its three months. Nil means
// the plan does not say (the engine then draws from every bank).
func (p *Plan) QuarterBanks(q int) []string {
	if p == nil || q < 1 || q > 4 {
		return nil
	}
	if p.Quarters[q-1] != nil {
		return p.Quarters[q-1]
	}
	var out []string
	seen := map[string]bool{}
	for m := 3*(q-1) + 1; m <= 3*q; m++ {
		if mp := p.Month(m); mp != nil {
			for _, b := range mp.Banks {
				if !seen[b] {
					seen[b] = true
					out = append(out, b)
				}
			}
		}
	}
	return out
}

var (
	planKeys    = []string{"title", "month", "quarter"}
	monthKeys   = []string{"month", "title", "lesson", "banks"}
	quarterKeys = []string{"quarter", "banks"}
)

func parsePlan(pl *problemList, z *lazyLayout, m map[string]any) *Plan {
	lay := z.get() // plans are small: their lines are worth having at hand
	top := fieldReader{pl: pl, m: m, line: func(k string) int { return lay.topLine(k, 1) }}
	checkKeys(pl, m, planKeys, top.line, "")
	p := &Plan{lines: map[string]int{}}
	p.Title, _ = top.text("title", "计划名称", false)

	months, _ := tablesOf(pl, z, m, "month")
	for i, t := range months {
		sec := lay.sectionAt("month", i)
		r := fieldReader{pl: pl, m: t, line: sec.keyLine, where: fmt.Sprintf("第 %d 个 [[month]]：", i+1)}
		checkKeys(pl, t, monthKeys, sec.keyLine, r.where)
		n, ok := t["month"].(int64)
		if !ok || n < 1 || n > 12 {
			pl.add(sec.keyLine("month"), "%smonth 应当是 1 到 12 的数字", r.where)
			continue
		}
		if p.Months[n-1] != nil {
			pl.add(sec.keyLine("month"), "%s%d 月写了两次，第 %d 行已经有了", r.where, n, p.Months[n-1].Line)
			continue
		}
		mp := &MonthPlan{Month: int(n), Line: sec.line}
		mp.Title, _ = r.text("title", "本月学习主题", true)
		mp.Lesson, _ = r.text("lesson", "本月学习内容", true)
		if c := utf8.RuneCountInString(mp.Lesson); c > MaxLessonRunes {
			pl.add(sec.keyLine("lesson"), "%s学习内容有 %d 个字，一条消息最多 %d 个字", r.where, c, MaxLessonRunes)
		}
		mp.Banks, _ = r.textList("banks", "本月题库编号", false)
		if len(mp.Banks) == 0 {
			pl.add(sec.keyLine("banks"), "%s缺少 banks（本月练习题来自哪些题库）", r.where)
		}
		p.noteRefs(mp.Banks, sec.keyLine("banks"))
		p.Months[n-1] = mp
	}
	quarters, _ := tablesOf(pl, z, m, "quarter")
	for i, t := range quarters {
		sec := lay.sectionAt("quarter", i)
		r := fieldReader{pl: pl, m: t, line: sec.keyLine, where: fmt.Sprintf("第 %d 个 [[quarter]]：", i+1)}
		checkKeys(pl, t, quarterKeys, sec.keyLine, r.where)
		n, ok := t["quarter"].(int64)
		if !ok || n < 1 || n > 4 {
			pl.add(sec.keyLine("quarter"), "%squarter 应当是 1 到 4 的数字", r.where)
			continue
		}
		banks, _ := r.textList("banks", "本季度测试题库编号", false)
		if len(banks) == 0 {
			pl.add(sec.keyLine("banks"), "%s缺少 banks（本季度测试题来自哪些题库）", r.where)
			continue
		}
		p.noteRefs(banks, sec.keyLine("banks"))
		p.Quarters[n-1] = banks
	}
	return p // kept even with problems so that its bank references are checked too
}

// noteRefs remembers the first line naming each bank, for the check that
// the banks exist.
func (p *Plan) noteRefs(banks []string, line int) {
	for _, b := range banks {
		if _, seen := p.lines[b]; !seen {
			p.lines[b] = line
		}
	}
}

// tablesOf returns the [[name]] tables of m, reporting a [name] or a value
// written where tables belong.
func tablesOf(pl *problemList, z *lazyLayout, m map[string]any, name string) ([]map[string]any, bool) {
	switch v := m[name].(type) {
	case nil:
		return nil, true
	case []map[string]any:
		return v, true
	default:
		lay := z.get()
		line := lay.topLine(name, 1)
		if secs := lay.tables[name]; len(secs) > 0 {
			line = secs[0].line
		}
		pl.add(line, "%s 要写成 [[%s]]（两层方括号）", name, name)
		return nil, false
	}
}
