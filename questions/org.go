package questions

import (
	"fmt"
	"unicode/utf8"
)

// MaxNodeIDLen bounds an organisation's id: it travels in buttons and
// invite links.
const MaxNodeIDLen = 16

// MaxNodeNameRunes bounds an organisation's name.
const MaxNodeNameRunes = 30

// Org is the organisation tree file: 市委 → 片区 → 乡镇/部门 → 村/社区 branch,
// one [[node]] per organisation, each naming its parent.
type Org struct {
	Title   string
	Nodes   []OrgNode
	File    string
	Builtin bool // built into the program (Builtin)
}

// OrgNode is one organisation of the tree file.
type OrgNode struct {
	ID     string
	Name   string
	Parent string // "" for the root
	Line   int
}

var (
	orgKeys  = []string{"title", "node"}
	nodeKeys = []string{"id", "name", "parent"}
)

// parseOrg reads the tree and checks it whole: ids unique and well
// formed, exactly one root, every parent present, no cycles.
func parseOrg(pl *problemList, z *lazyLayout, m map[string]any) *Org {
	lay := z.get() // org files are small: their lines are worth having at hand
	top := fieldReader{pl: pl, m: m, line: func(k string) int { return lay.topLine(k, 1) }}
	checkKeys(pl, m, orgKeys, top.line, "")
	o := &Org{}
	o.Title, _ = top.text("title", "名称", false)
	tables, ok := tablesOf(pl, z, m, "node")
	if ok && len(tables) == 0 {
		pl.add(1, "组织架构里没有组织：每个组织以一行 [[node]] 开头")
	}
	byID := map[string]*OrgNode{}
	for i, t := range tables {
		sec := lay.sectionAt("node", i)
		r := fieldReader{pl: pl, m: t, line: sec.keyLine, where: fmt.Sprintf("第 %d 个组织：", i+1)}
		checkKeys(pl, t, nodeKeys, sec.keyLine, r.where)
		n := OrgNode{Line: sec.line}
		n.ID, _ = r.text("id", "组织编号", true)
		n.Name, _ = r.text("name", "组织名称", true)
		n.Parent, _ = r.text("parent", "上级组织编号", false)
		if n.ID == "" {
			continue
		}
		if len(n.ID) > MaxNodeIDLen || !idPattern.MatchString(n.ID) {
			pl.add(sec.keyLine("id"), "%s组织编号 %q 只能用英文字母、数字、- 和 _，最长 %d 个字符", r.where, n.ID, MaxNodeIDLen)
			continue
		}
		if c := utf8.RuneCountInString(n.Name); c > MaxNodeNameRunes {
			pl.add(sec.keyLine("name"), "%s组织名称有 %d 个字，最多 %d 个字", r.where, c, MaxNodeNameRunes)
		}
		if prev, dup := byID[n.ID]; dup {
			pl.add(sec.keyLine("id"), "%s组织编号 %q 重复了，第 %d 行已经用过", r.where, n.ID, prev.Line)
			continue
		}
		o.Nodes = append(o.Nodes, n)
		byID[n.ID] = &o.Nodes[len(o.Nodes)-1]
	}
	// Re-point the index at the final slice (append may have moved it).
	for i := range o.Nodes {
		byID[o.Nodes[i].ID] = &o.Nodes[i]
	}
	var roots []*OrgNode
	for i := range o.Nodes {
		n := &o.Nodes[i]
		switch {
		case n.Parent == "":
			roots = append(roots, n)
		case byID[n.Parent] == nil:
			pl.add(n.Line, "组织 %q 的上级 %q 不存在", n.ID, n.Parent)
		case n.Parent == n.ID:
			pl.add(n.Line, "组织 %q 的上级不能是它自己", n.ID)
		}
	}
	switch {
	case len(o.Nodes) > 0 && len(roots) == 0:
		pl.add(1, "没有最上级组织：最上级组织（如市委）不写 parent")
	case len(roots) > 1:
		for _, r := range roots[1:] {
			pl.add(r.Line, "只能有一个最上级组织，%q 已经是（第 %d 行）；组织 %q 缺少 parent", roots[0].ID, roots[0].Line, r.ID)
		}
	}
	// Cycles: walk up from every node; a walk longer than the tree loops.
	for i := range o.Nodes {
		n := &o.Nodes[i]
		steps := 0
		for p := byID[n.Parent]; p != nil && steps <= len(o.Nodes); p = byID[p.Parent] {
			steps++
			if p.ID == n.ID {
				pl.add(n.Line, "组织 %q 的上下级关系绕成了一个圈", n.ID)
				break
			}
		}
	}
	return o
}
