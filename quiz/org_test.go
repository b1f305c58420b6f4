package quiz_test

import (
	"reflect"
	"testing"

	"partyquiz/quiz"
)

func sampleTree(t *testing.T) *quiz.Tree {
	t.Helper()
	tree, err := quiz.NewTree([]quiz.Node{
		{ID: "city", Name: "市委"},
		{ID: "p1", Name: "第一片区", Parent: "city"},
		{ID: "p2", Name: "第二片区", Parent: "city"},
		{ID: "tp", Name: "太平镇", Parent: "p1"},
		{ID: "dz", Name: "大竹镇", Parent: "p2"},
		{ID: "nmp", Name: "牛卯坪村", Parent: "tp"},
		{ID: "lwp", Name: "老洼坪村", Parent: "tp"},
		{ID: "jzy", Name: "荆竹园村", Parent: "dz"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestTree(t *testing.T) {
	tree := sampleTree(t)
	if got := tree.Lineage("nmp"); !reflect.DeepEqual(got, []string{"nmp", "tp", "p1", "city"}) {
		t.Errorf("Lineage: %v", got)
	}
	if !tree.Within("nmp", "p1") || tree.Within("nmp", "p2") || !tree.Within("p1", "p1") {
		t.Error("Within")
	}
	if got := tree.Leaves("city"); !reflect.DeepEqual(got, []string{"nmp", "lwp", "jzy"}) {
		t.Errorf("Leaves: %v", got)
	}
	if !tree.IsLeaf("jzy") || tree.IsLeaf("tp") || tree.IsLeaf("nope") {
		t.Error("IsLeaf")
	}
	if got := tree.Path("nmp"); got != "第一片区 / 太平镇 / 牛卯坪村" {
		t.Errorf("Path: %q", got)
	}
	if tree.Depth("nmp") != 3 || tree.Root() != "city" || tree.Len() != 8 {
		t.Error("Depth, Root or Len")
	}
}

func TestTreeInvalid(t *testing.T) {
	tests := map[string][]quiz.Node{
		"two roots":      {{ID: "a"}, {ID: "b"}},
		"no root":        {{ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}},
		"unknown parent": {{ID: "a"}, {ID: "b", Parent: "x"}},
		"duplicate":      {{ID: "a"}, {ID: "a", Parent: "a"}},
		"cycle":          {{ID: "r"}, {ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}},
		"empty id":       {{ID: ""}},
	}
	for name, nodes := range tests {
		if _, err := quiz.NewTree(nodes); err == nil || quiz.ErrorCode(err) != quiz.Invalid {
			t.Errorf("%s: got %v, want an invalid error", name, err)
		}
	}
}

func TestTreeDiff(t *testing.T) {
	old := sampleTree(t)
	next, err := quiz.NewTree([]quiz.Node{
		{ID: "city", Name: "市委"},
		{ID: "p1", Name: "第一片区", Parent: "city"},
		{ID: "p2", Name: "第二片区（新）", Parent: "city"},
		{ID: "tp", Name: "太平镇", Parent: "p2"},
		{ID: "nmp", Name: "牛卯坪村", Parent: "tp"},
		{ID: "new", Name: "新村", Parent: "tp"},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := old.Diff(next)
	want := quiz.TreeChange{Added: []string{"new"}, Removed: []string{"dz", "jzy", "lwp"}, Renamed: []string{"p2"}, Moved: []string{"tp"}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Diff: got %+v, want %+v", d, want)
	}
}

func TestViewerScope(t *testing.T) {
	tree := sampleTree(t)
	admin := quiz.Viewer{ID: 1, Admin: true}
	sec := quiz.Viewer{ID: 2, User: &quiz.User{ID: 2, Secretary: []string{"tp"}}}
	mem := quiz.Viewer{ID: 3, User: &quiz.User{ID: 3, Branch: "nmp"}}
	stranger := quiz.Viewer{ID: 4}
	tests := []struct {
		v    quiz.Viewer
		node string
		want bool
	}{
		{admin, "jzy", true}, {admin, "city", true}, {admin, "nope", false},
		{sec, "tp", true}, {sec, "nmp", true}, {sec, "p1", false}, {sec, "jzy", false},
		{mem, "nmp", false}, {stranger, "nmp", false},
	}
	for _, tt := range tests {
		if got := tt.v.CanManage(tree, tt.node); got != tt.want {
			t.Errorf("viewer %d CanManage(%s) = %v, want %v", tt.v.ID, tt.node, got, tt.want)
		}
	}
}
