package quiz

import (
	"fmt"
	"sort"

	"partyquiz/questions"
)

// Node is one organisation of the tree: 市委, 片区, 乡镇/部门, or a
// village/community branch (a leaf). IDs are short, stable and
// `A-Za-z0-9_-`: they travel in buttons and invite links.
type Node struct {
	ID     string
	Name   string
	Parent string // "" for the root
}

// Tree is an immutable snapshot of the organisation tree.
type Tree struct {
	root     string
	nodes    map[string]*Node
	children map[string][]string // in the order the file lists them
	depth    map[string]int
}

// NewTree checks and indexes nodes: ids unique, exactly one root, every
// parent present, no cycles. It returns an Invalid error naming the first
// fault (the bank validator reports every fault with its line before a
// tree is ever built from a file).
func NewTree(nodes []Node) (*Tree, error) {
	t := &Tree{nodes: map[string]*Node{}, children: map[string][]string{}, depth: map[string]int{}}
	for i := range nodes {
		n := nodes[i]
		if n.ID == "" {
			return nil, fmt.Errorf("org tree: node without id: %w", Errorf(Invalid, ReasonBadTree))
		}
		if _, dup := t.nodes[n.ID]; dup {
			return nil, fmt.Errorf("org tree: duplicate node %q: %w", n.ID, Errorf(Invalid, ReasonBadTree))
		}
		t.nodes[n.ID] = &n
	}
	for _, n := range nodes {
		if n.Parent == "" {
			if t.root != "" {
				return nil, fmt.Errorf("org tree: two roots %q and %q: %w", t.root, n.ID, Errorf(Invalid, ReasonBadTree))
			}
			t.root = n.ID
			continue
		}
		if _, ok := t.nodes[n.Parent]; !ok {
			return nil, fmt.Errorf("org tree: node %q has unknown parent %q: %w", n.ID, n.Parent, Errorf(Invalid, ReasonBadTree))
		}
		t.children[n.Parent] = append(t.children[n.Parent], n.ID)
	}
	if t.root == "" {
		return nil, fmt.Errorf("org tree: no root: %w", Errorf(Invalid, ReasonBadTree))
	}
	// Every node must be reachable from the root; a cycle is not.
	var walk func(id string, d int)
	walk = func(id string, d int) {
		t.depth[id] = d
		for _, c := range t.children[id] {
			walk(c, d+1)
		}
	}
	walk(t.root, 0)
	if len(t.depth) != len(t.nodes) {
		return nil, fmt.Errorf("org tree: a cycle cuts %d nodes off the root: %w", len(t.nodes)-len(t.depth), Errorf(Invalid, ReasonBadTree))
	}
	return t, nil
}

// Root returns the id of the root node.
func (t *Tree) Root() string { return t.root }

// Node returns the node with the given id, or nil.
func (t *Tree) Node(id string) *Node {
	if t == nil {
		return nil
	}
	return t.nodes[id]
}

// Name returns the name of a node, or its id if the node is gone.
func (t *Tree) Name(id string) string {
	if n := t.Node(id); n != nil {
		return n.Name
	}
	return id
}

// Children returns the children of a node in file order.
func (t *Tree) Children(id string) []string { return t.children[id] }

// IsLeaf reports whether the node has no children: members join leaves.
func (t *Tree) IsLeaf(id string) bool { return t.nodes[id] != nil && len(t.children[id]) == 0 }

// Depth returns 0 for the root, 1 for its children, and so on.
func (t *Tree) Depth(id string) int { return t.depth[id] }

// Len returns the number of nodes.
func (t *Tree) Len() int { return len(t.nodes) }

// Lineage returns the node and its ancestors, the node first and the root
// last. Aggregates are kept for every node of a member's lineage.
func (t *Tree) Lineage(id string) []string {
	var out []string
	for n := t.nodes[id]; n != nil; n = t.nodes[n.Parent] {
		out = append(out, n.ID)
		if n.Parent == "" {
			break
		}
	}
	return out
}

// Within reports whether node lies in the subtree of ancestor (a node is
// within itself).
func (t *Tree) Within(node, ancestor string) bool {
	for n := t.nodes[node]; n != nil; n = t.nodes[n.Parent] {
		if n.ID == ancestor {
			return true
		}
		if n.Parent == "" {
			break
		}
	}
	return false
}

// Subtree returns the node and every node under it, depth first.
func (t *Tree) Subtree(id string) []string {
	var out []string
	var walk func(string)
	walk = func(n string) {
		out = append(out, n)
		for _, c := range t.children[n] {
			walk(c)
		}
	}
	if t.nodes[id] != nil {
		walk(id)
	}
	return out
}

// Leaves returns the branches (leaves) under a node, depth first.
func (t *Tree) Leaves(id string) []string {
	var out []string
	for _, n := range t.Subtree(id) {
		if len(t.children[n]) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// Nodes returns every node, depth first from the root.
func (t *Tree) Nodes() []*Node {
	ids := t.Subtree(t.root)
	out := make([]*Node, len(ids))
	for i, id := range ids {
		out[i] = t.nodes[id]
	}
	return out
}

// Path returns the names from the root's child down to the node, joined
// by " / " — how a branch is named in reports ("第一片区 / 太平镇 / 牛卯坪村").
func (t *Tree) Path(id string) string {
	l := t.Lineage(id)
	if len(l) > 1 {
		l = l[:len(l)-1] // the root is understood
	}
	s := ""
	for i := len(l) - 1; i >= 0; i-- {
		if s != "" {
			s += " / "
		}
		s += t.Name(l[i])
	}
	return s
}

// TreeChange is what replacing one tree by another does.
type TreeChange struct {
	Added   []string
	Removed []string
	Renamed []string
	Moved   []string // parent changed
}

// Diff compares the tree with next.
func (t *Tree) Diff(next *Tree) TreeChange {
	var c TreeChange
	for id, n := range next.nodes {
		old := t.Node(id)
		switch {
		case old == nil:
			c.Added = append(c.Added, id)
		case old.Parent != n.Parent:
			c.Moved = append(c.Moved, id)
		case old.Name != n.Name:
			c.Renamed = append(c.Renamed, id)
		}
	}
	if t != nil {
		for id := range t.nodes {
			if next.Node(id) == nil {
				c.Removed = append(c.Removed, id)
			}
		}
	}
	for _, s := range [][]string{c.Added, c.Removed, c.Renamed, c.Moved} {
		sort.Strings(s)
	}
	return c
}

// TreeOf builds a tree from an organisation file.
func TreeOf(o *questions.Org) (*Tree, error) {
	nodes := make([]Node, len(o.Nodes))
	for i, n := range o.Nodes {
		nodes[i] = Node{ID: n.ID, Name: n.Name, Parent: n.Parent}
	}
	return NewTree(nodes)
}
