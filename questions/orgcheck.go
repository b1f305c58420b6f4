package questions

import "fmt"

// The problems the engine finds when it checks an uploaded file against
// what is recorded (members, secretaries), worded here with the
// validator's other problems so that the engine holds no words of its own.

// ProblemTreeCycle: the organisation tree's parents do not make a tree.
func ProblemTreeCycle(file string) Problem {
	return Problem{File: file, Msg: "组织架构的上下级关系不成立，请检查每个组织的 parent"}
}

// ProblemUnknownKind: a file that is none of a bank, a plan or a tree.
func ProblemUnknownKind(file string) Problem {
	return Problem{File: file, Msg: "看不出这是题库、学习计划还是组织架构"}
}

// ProblemNodeHasMembers: a node removed that still has members.
func ProblemNodeHasMembers(file, node string, members int) Problem {
	return Problem{File: file, Msg: fmt.Sprintf("组织 %q 还有 %d 名党员，不能删除；请先请他们通过新的邀请链接转到其他党支部", node, members)}
}

// ProblemBranchGetsChildren: a branch with members given sub-organisations.
func ProblemBranchGetsChildren(file string, line int, node string, members int) Problem {
	return Problem{File: file, Line: line, Msg: fmt.Sprintf("组织 %q 有 %d 名党员，不能再有下级组织", node, members)}
}

// ProblemNodeHasSecretaries: a node removed that still has a secretary.
func ProblemNodeHasSecretaries(file, node string) Problem {
	return Problem{File: file, Msg: fmt.Sprintf("组织 %q 还有书记，不能删除", node)}
}

// VersionName names a published version of a file in its problems:
// "sanhui.toml（第 2 版）".
func VersionName(file string, version int) string {
	return fmt.Sprintf("%s（第 %d 版）", file, version)
}
