package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecondChatAdviceWorks: a second `partyquiz chat` in the folder of a
// running one is refused with advice that works — quit the other one, or
// run in another folder (the chat's file is data/chat.db under the current
// folder; a configuration's store.path is never the chat's, so -config
// could not help) — and a second chat in another folder does start.
func TestSecondChatAdviceWorks(t *testing.T) {
	first, other := t.TempDir(), t.TempDir()
	t.Chdir(first)
	c := startChat(t, "") // the default file, data/chat.db here
	c.waitFor("请发送您的真实姓名")

	second := func() error {
		m := NewMain(&syncBuffer{}, io.Discard)
		return m.Chat(context.Background(), strings.NewReader(""))
	}
	err := second()
	if err == nil {
		t.Fatal("a second chat in the same folder started")
	}
	msg := err.Error()
	for _, want := range []string{"data/chat.db", "/quit", "换一个文件夹"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal lacks %q: %s", want, msg)
		}
	}
	for _, bad := range []string{"-config", "store.path"} {
		if strings.Contains(msg, bad) {
			t.Errorf("the refusal advises %q, which never changes the chat's file: %s", bad, msg)
		}
	}

	// Following the advice: another folder, its own data/chat.db.
	t.Chdir(other)
	if err := second(); err != nil {
		t.Errorf("a second chat in another folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "data", "chat.db")); err != nil {
		t.Errorf("the chat in another folder has no data/chat.db of its own: %v", err)
	}
	c.quit()
}
