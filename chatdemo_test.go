package main

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestChatContest: in `partyquiz chat` the person at the terminal hosts a
// contest in the demo group from the private chat; the simulated members
// join and answer; the terminal votes with 群N; the leaderboard names them.
func TestChatContest(t *testing.T) {
	if testing.Short() {
		t.Skip("a contest in real time")
	}
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	var out syncBuffer
	m := NewMain(&out, io.Discard)
	m.ChatPath = filepath.Join(t.TempDir(), "chat.db")
	m.Config.Contest.CountdownSeconds = 10
	in, typed := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- m.Chat(context.Background(), in) }()
	waitFor := func(re string) string {
		t.Helper()
		p := regexp.MustCompile(re)
		deadline := time.Now().Add(30 * time.Second)
		for {
			if ms := p.FindAllStringSubmatch(out.String(), -1); len(ms) > 0 {
				last := ms[len(ms)-1]
				return last[len(last)-1]
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the terminal:\n%s", re, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("真实姓名") // the first start joins the demo branch
	io.WriteString(typed, "演示党员\n")
	waitFor("您已加入")
	io.WriteString(typed, "群 /rank\n")
	waitFor(`演示群 ════\n📊 (\S+)`)
	io.WriteString(typed, "/contest\n")
	waitFor("准备有奖知识问答")
	io.WriteString(typed, waitFor(`\[(\d+)\] 10 秒`)+"\n")
	waitFor("每题：10 秒")
	io.WriteString(typed, waitFor(`\[(\d+)\] 开始报名`)+"\n")
	waitFor(`演示群 ════\n📣 (有奖知识问答)`)
	start := waitFor(`\[(\d+)\] 立即开始`)
	time.Sleep(5 * time.Second) // the simulated members join
	io.WriteString(typed, start+"\n")
	waitFor(`\[投票\] (第 1/10 题)`)
	io.WriteString(typed, "群1\n")
	time.Sleep(8 * time.Second) // the simulated members answer
	io.WriteString(typed, "/contest\n")
	io.WriteString(typed, waitFor(`\[(\d+)\] 结束比赛`)+"\n")
	board := waitFor(`(最终成绩[^═]*)`)
	for _, name := range []string{"张三", "李四", "王五", "演示党员"} {
		if !strings.Contains(board, name) {
			t.Errorf("%s is not on the leaderboard:\n%s", name, board)
		}
	}
	if !strings.Contains(board, "提前结束") {
		t.Errorf("a stopped contest's board:\n%s", board)
	}
	io.WriteString(typed, "/quit\n")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("chat did not end")
	}
}
