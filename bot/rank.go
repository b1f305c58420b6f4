package bot

import (
	"fmt"
	"partyquiz/quiz"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// nodeCommand handles a command whose argument names a node.
func nodeCommand(show func(*Request, string) error) Handler {
	return func(r *Request) error {
		node, ok := r.Bot.nodeArg(r)
		if !ok {
			return nil
		}
		return show(r, node)
	}
}

// nodeArg reads a command's node argument — a name, part of one, or an
// id — as the node's id ("" for none given). When it names no node or
// several, it says so and reports false.
func (b *Bot) nodeArg(r *Request) (string, bool) {
	arg := strings.TrimSpace(r.Args)
	if arg == "" {
		return "", true
	}
	nodes := b.findNodes(r.Viewer, arg)
	switch {
	case len(nodes) == 1:
		return nodes[0], true
	case len(nodes) == 0:
		r.Reply(fmt.Sprintf(txtNodeNotFound, esc(truncate(arg, 20))))
		return "", false
	}
	tree := b.svc.Tree()
	var names []string
	for i, n := range nodes {
		if i == 10 {
			names = append(names, txtRankEllipsis)
			break
		}
		names = append(names, esc(tree.Name(n)))
	}
	r.Reply(fmt.Sprintf(txtNodeAmbiguous, len(nodes), esc(truncate(arg, 20)), strings.Join(names, "、")))
	return "", false
}

// nodeButton handles a "prefix:<node>" button.
func nodeButton(show func(*Request, string) error) Handler {
	return func(r *Request) error {
		if len(r.Data) != 2 {
			r.Toast(txtButtonUnknown)
			return nil
		}
		return show(r, r.Data[1]) // a refusal is the press's answer
	}
}

// withBack adds a 返回上级 row to a drill-down's keyboard (kb may be
// nil): prefix and the node above node, while the viewer may see it.
func (b *Bot) withBack(r *Request, kb *tgbotapi.InlineKeyboardMarkup, prefix, node string) *tgbotapi.InlineKeyboardMarkup {
	up := b.upOf(r.Viewer, node)
	if up == "" {
		return kb
	}
	if kb == nil {
		kb = &tgbotapi.InlineKeyboardMarkup{}
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtBack, prefix+up)))
	return kb
}

func showRank(r *Request, node string) error {
	b := r.Bot
	st, err := b.svc.Standings(r.Ctx, r.Viewer, node)
	if err != nil {
		return err
	}
	text, kb := b.rankText(st)
	r.ReplyKB(text, b.withBack(r, kb, "rk:", st.Node))
	return nil
}

func (b *Bot) rankText(st *quiz.Standings) (string, *tgbotapi.InlineKeyboardMarkup) {
	tree := b.svc.Tree()
	rules := b.svc.Rules
	var s strings.Builder
	fmt.Fprintf(&s, txtRankHeader, PeriodName(st.Half))
	if st.Branch != "" && st.BranchFigures != nil {
		f := st.BranchFigures
		if st.BranchRank == 0 {
			s.WriteString("\n" + fmt.Sprintf(txtRankBranchOut, esc(tree.Name(st.Branch))))
		} else {
			s.WriteString("\n" + fmt.Sprintf(txtRankBranch, esc(tree.Name(st.Branch)), st.BranchOf, st.BranchRank, percent(f.StudyRate()), score(f.DueMean())))
		}
	}
	if len(st.Rows) > 0 {
		sw, tw := weights(rules.Rank)
		s.WriteString("\n" + fmt.Sprintf(txtRankRows, esc(tree.Name(st.Node)), sw, tw))
		for _, row := range st.Rows {
			s.WriteString("\n" + b.rankRow(row))
		}
	}
	if len(st.Leaves) > len(st.Rows) {
		const edge = 10
		ranked := st.Leaves[:quiz.RankedCount(st.Leaves)] // the ranked come first
		if len(ranked) > 2*edge {
			s.WriteString("\n" + fmt.Sprintf(txtRankLeaves, edge, edge))
			for _, row := range ranked[:edge] {
				s.WriteString("\n" + b.rankRow(row))
			}
			s.WriteString("\n" + txtRankEllipsis)
			for _, row := range ranked[len(ranked)-edge:] {
				s.WriteString("\n" + b.rankRow(row))
			}
		} else if len(ranked) > 0 {
			s.WriteString("\n" + txtRankLeavesAll)
			for _, row := range ranked {
				s.WriteString("\n" + b.rankRow(row))
			}
		}
		if n := len(st.Leaves) - len(ranked); n > 0 {
			s.WriteString("\n" + fmt.Sprintf(txtRankLeavesOut, n))
		}
	}
	if len(st.Members) > 0 {
		s.WriteString("\n" + txtRankMembers)
		for _, m := range st.Members {
			s.WriteString("\n" + fmt.Sprintf(txtRankMember, m.Rank, esc(m.User.Name), m.Points))
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, row := range st.Rows {
		if len(rows) == 20 {
			break
		}
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(tree.Name(row.Node), 30), "rk:"+row.Node)))
	}
	if len(rows) == 0 {
		return s.String(), nil
	}
	s.WriteString("\n\n" + txtRankPickNode)
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return s.String(), &kb
}

func (b *Bot) rankRow(row quiz.Standing) string {
	tree := b.svc.Tree()
	if row.Rank == 0 {
		if row.Members == 0 {
			return fmt.Sprintf(txtRankEmpty, esc(tree.Name(row.Node)))
		}
		return fmt.Sprintf(txtRankNothing, esc(tree.Name(row.Node)))
	}
	small, change := "", ""
	if row.Small {
		small = fmt.Sprintf(txtRankSmall, b.svc.Rules.Rank.MinSize)
	}
	if !isNaN(row.Change) {
		change = fmt.Sprintf(txtRankChange, signed(row.Change))
	}
	return fmt.Sprintf(txtRankRow, row.Rank, esc(tree.Name(row.Node)), score(row.Value), percent(row.StudyRate()), score(row.DueMean()), change, small)
}

func weights(c quiz.RankConfig) (string, string) {
	total := c.StudyWeight + c.TestWeight
	return fmt.Sprintf("%.0f%%", 100*c.StudyWeight/total), fmt.Sprintf("%.0f%%", 100*c.TestWeight/total)
}

func signed(f float64) string {
	if f >= 0 {
		return "+" + score(f)
	}
	return score(f)
}

func showYear(r *Request, node string) error {
	b := r.Bot
	y, err := b.svc.Year(r.Ctx, r.Viewer, node)
	if err != nil {
		return err
	}
	text, kb := b.yearText(y)
	r.ReplyKB(text, b.withBack(r, kb, "yr:", y.Node))
	return nil
}

func (b *Bot) yearText(y *quiz.YearReport) (string, *tgbotapi.InlineKeyboardMarkup) {
	tree := b.svc.Tree()
	var s strings.Builder
	if b.svc.Now().Before(y.Year.End) {
		fmt.Fprintf(&s, txtYearHeader, PeriodName(y.Year))
	} else {
		fmt.Fprintf(&s, txtYearHeaderFinal, PeriodName(y.Year))
	}
	if y.Own != nil {
		s.WriteString("\n" + fmt.Sprintf(txtYearOwn, y.Own.Points, starsText(y.Own.Stars), y.Own.Stars))
		if y.Own.Rank > 0 {
			s.WriteString(fmt.Sprintf(txtYearOwnRank, y.Own.Rank))
		}
	}
	var rules []string
	for i, t := range b.svc.Rules.Stars {
		rules = append(rules, fmt.Sprintf(txtYearStarRule, i+2, t))
	}
	s.WriteString("\n" + fmt.Sprintf(txtYearStars, strings.Join(rules, txtComma)))
	dist := func(c [5]int64) string { return fmt.Sprintf(txtStarDist, c[4], c[3], c[2], c[1], c[0]) }
	name := y.Total.Node
	s.WriteString("\n" + fmt.Sprintf(txtYearNode, esc(tree.Name(name)), y.Total.Members, score(y.Total.MeanPoints), dist(y.Total.Stars)))
	if len(y.Members) > 0 {
		s.WriteString("\n" + fmt.Sprintf(txtYearMembers, esc(tree.Name(name))))
		for _, m := range y.Members {
			s.WriteString("\n" + fmt.Sprintf(txtYearMember, m.Rank, esc(m.User.Name), m.Points, starsText(m.Stars)))
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	if len(y.Children) > 0 {
		s.WriteString("\n" + txtYearChildren)
		for _, c := range y.Children {
			if c.Members == 0 { // nobody to average
				s.WriteString("\n" + fmt.Sprintf(txtYearChildEmpty, esc(tree.Name(c.Node))))
			} else {
				s.WriteString("\n" + fmt.Sprintf(txtYearChild, esc(tree.Name(c.Node)), c.Members, score(c.MeanPoints), dist(c.Stars)))
			}
			if len(rows) < 20 {
				rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(truncate(tree.Name(c.Node), 30), "yr:"+c.Node)))
			}
		}
	}
	if len(rows) == 0 {
		return s.String(), nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return s.String(), &kb
}
