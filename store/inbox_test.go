package store_test

import (
	"context"
	"slices"
	"testing"
)

// TestInbox: updates held stay until handled; an update handled before it
// was held (the bot handles while the inbox writes) is not kept; what is
// held survives closing and opening the store.
func TestInbox(t *testing.T) {
	path := t.TempDir() + "/inbox.db"
	db := mustOpenPath(t, path)
	ctx := context.Background()
	if err := db.Hold(ctx, map[int][]byte{1: []byte(`{"update_id":1}`), 2: []byte(`{"update_id":2}`)}, nil); err != nil {
		t.Fatal(err)
	}
	// 3 was handled before its Hold, which also forgets 1.
	if err := db.Hold(ctx, map[int][]byte{3: []byte(`{"update_id":3}`), 4: []byte(`{"update_id":4}`)}, []int{1, 3}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = mustOpenPath(t, path)
	ids, data, err := db.Held(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int{2, 4}) || len(data) != 2 || string(data[1]) != `{"update_id":4}` {
		t.Errorf("held %v %q, want 2 and 4", ids, data)
	}
}
