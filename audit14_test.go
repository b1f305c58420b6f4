package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// Audit of issue 14 (a second chat: "one clear sentence"): the sentence
// advises "用 -config 指定另一个 store.path", but the chat never reads a
// configuration's store.path (chat.go: c.Store.Path = m.ChatPath, always
// data/chat.db), so following the advice gives the same refusal.
func TestAuditSecondChatAdviceWorks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "chat.db")
	c := startChat(t, path)
	c.waitFor("请发送您的真实姓名")
	defer c.quit()

	var out syncBuffer
	m := NewMain(&out, io.Discard)
	m.ChatPath = path // the default file, as `partyquiz chat` uses
	other := filepath.Join(dir, "other.db")
	if err := m.ParseFlags([]string{"-config", writeConfig(t, "[store]\npath = \""+other+"\"\n")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Chat(ctx, strings.NewReader("")) }()
	err := <-done
	if err != nil && strings.Contains(err.Error(), "-config") {
		t.Errorf("following the advice (-config with another store.path) gives the same refusal: %v", err)
	}
}
