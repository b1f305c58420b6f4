package quiz_test

import (
	"context"
	"strings"
	"testing"

	"partyquiz/quiz"
)

const versionBank = `id = "vb"
title = "版本题库"

[[question]]
id = "1"
type = "判断"
text = "党小组会属于“三会”。"
answer = "对"

[[question]]
id = "2"
type = "判断"
text = "党员大会一般每季度召开一次。"
answer = "对"
`

// TestHistory: versions newest first, with who published them; a change
// recorded at publishing, and one worked out from the data for a version
// an older program published (the first such stays unknown); admins only;
// a version that is not there.
func TestHistory(t *testing.T) {
	f := newFixture(t, quiz.DefaultRules())
	ctx := context.Background()
	f.join(t, 1, "qingshan") // the admin is also a member: named "党员"
	admin := f.viewer(t, 1)
	v2 := strings.Replace(versionBank, "一次", "一次以上", 1) + "\n[[question]]\nid = \"3\"\ntype = \"判断\"\ntext = \"主题党日每月一次。\"\nanswer = \"对\"\n"
	// Two versions as an older program kept them: no change recorded.
	if err := f.db.Update(ctx, func(tx quiz.Tx) error {
		for _, data := range []string{versionBank, v2} {
			if err := tx.Publish(&quiz.Publication{Kind: quiz.PubBank, ID: "vb", Name: "vb.toml", Data: []byte(data), By: 99, At: f.now}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A third, published now; the content is laid over the built-in one
	// as a restart would.
	c, err := quiz.PublishedContent(ctx, f.db, f.svc.Content().Catalog, f.svc.Tree())
	if err != nil {
		t.Fatal(err)
	}
	f.svc.SetContent(c)
	d, err := f.svc.Prepare(ctx, admin, "vb.toml", []byte(strings.Replace(v2, `title = "版本题库"`, `title = "新名称"`, 1)))
	if err != nil || len(d.Problems) > 0 || !d.Retitled || d.OldTitle != "版本题库" || d.Empty() {
		t.Fatalf("a title-only change: %+v %v", d, err)
	}
	if _, err := f.svc.Publish(ctx, admin, d); err != nil {
		t.Fatal(err)
	}

	hist, err := f.svc.History(ctx, admin, quiz.PubBank, "vb")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].Version != 3 || hist[2].Version != 1 {
		t.Fatalf("history: %+v", hist)
	}
	if c := hist[0].Change; c == nil || !c.Retitled || c.Added+c.Changed+c.Removed != 0 || hist[0].ByName != "党员" {
		t.Errorf("version 3: %+v by %q", c, hist[0].ByName)
	}
	if c := hist[1].Change; c == nil || c.Added != 1 || c.Changed != 1 || c.Removed != 0 || hist[1].ByName != "" || hist[1].By != 99 {
		t.Errorf("version 2 (worked out from the data): %+v by %q", c, hist[1].ByName)
	}
	if hist[2].Change != nil {
		t.Errorf("version 1: %+v, want unknown", hist[2].Change)
	}

	// A roll back to version 1 removes question 3, and restores the title.
	back, err := f.svc.PrepareVersion(ctx, admin, quiz.PubBank, "vb", 1)
	if err != nil || back.Restores != 1 || len(back.Bank.Removed) != 1 || back.Bank.Removed[0] != "3" || !back.Retitled {
		t.Fatalf("roll back: %+v %v", back, err)
	}
	if c := back.Change(); c.Restored != 1 || c.Removed != 1 || c.Changed != 1 {
		t.Errorf("the roll back's change: %+v", c)
	}

	f.join(t, 5, "qingshan")
	if _, err := f.svc.History(ctx, f.viewer(t, 5), quiz.PubBank, "vb"); quiz.ErrorCode(err) != quiz.Forbidden {
		t.Errorf("a member's history: %v", err)
	}
	if _, err := f.svc.PrepareVersion(ctx, admin, quiz.PubBank, "vb", 4); quiz.ErrorReason(err) != quiz.ReasonNoVersion {
		t.Errorf("version 4: %v", err)
	}
}
