package editor

import (
	"context"
	"errors"
	"testing"
)

// TestReadAsset: workflow nodes read a user's uploaded asset through
// ReadAsset; another user's asset, a folder and a missing id are not
// found; an asset over the bound is refused before it is read.
func TestReadAsset(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	a := file(t, e.A, "pic.png", "image/png", "", "\x89PNG fake content")
	dir := folder(t, e.A, "photos", "")
	ctx := context.Background()
	b, err := ReadAsset(ctx, e.DB, "user-a", a.ID, 1<<20)
	if err != nil || string(b) != "\x89PNG fake content" {
		t.Fatalf("ReadAsset = %q, %v", b, err)
	}
	for _, c := range []struct{ user, id string }{{"user-b", a.ID}, {"user-a", dir.ID}, {"user-a", "nope"}} {
		if _, err := ReadAsset(ctx, e.DB, c.user, c.id, 1<<20); !errors.Is(err, ErrAssetNotFound) {
			t.Errorf("ReadAsset(%s, %s) = %v, want not found", c.user, c.id, err)
		}
	}
	if _, err := ReadAsset(ctx, e.DB, "user-a", a.ID, 4); !errors.Is(err, ErrAssetTooLarge) {
		t.Errorf("ReadAsset over the bound = %v", err)
	}
}
