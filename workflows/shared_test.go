package workflows

import (
	"errors"
	"path/filepath"
	"testing"

	"nodetool/store"
	"nodetool/store/s3"
	"nodetool/store/s3/s3test"
)

// sharedRepos builds two repos, as two servers would, on one S3 bucket
// (the fake) where workflows are a shared kind.
func sharedRepos(t *testing.T, fixed ...Fixed) (a, b *Repo, fake *s3test.Server) {
	t.Helper()
	fake = s3test.NewServer("wf")
	t.Cleanup(fake.Close)
	c, err := s3.New(s3.Config{Endpoint: fake.URL, Bucket: "wf", Credentials: fake.Creds})
	if err != nil {
		t.Fatal(err)
	}
	repo := func() *Repo {
		db, err := store.Open(filepath.Join(t.TempDir(), "data"), store.Options{Storage: store.NewS3Storage(c, "p/"), Shared: []string{"workflows"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		r, err := New(db, fixed, newClock().now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	return repo(), repo(), fake
}

// TestSharedRepo: what one server saves, updates or deletes, the other
// sees at its next call; ownership is checked against the stored record.
func TestSharedRepo(t *testing.T) {
	a, b, fake := sharedRepos(t, fixedWF(t, "upper", upper))
	save(t, a, "u1", "w1", `{"name":"First","access":"private",`+emptyGraph+`}`)
	e, err := b.Get("u1", "w1")
	if err != nil || e.Workflow.Name != "First" || e.Owner != "u1" {
		t.Fatalf("B.Get(w1) after A saved it = %+v, %v", e, err)
	}
	// Unchanged: the cached entry, not decoded again.
	gets := fake.Calls("GetObject")
	e2, err := b.Get("u1", "w1")
	if err != nil || e2 != e || fake.Calls("GetObject") != gets+1 {
		t.Errorf("B.Get(w1) again = %p, %v (%d reads), want the same entry after one conditional read", e2, err, fake.Calls("GetObject")-gets)
	}
	if _, err := b.Get("u2", "w1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("B.Get(w1) as another user = %v, want ErrNotFound", err)
	}
	save(t, a, "u1", "w1", `{"name":"Second","access":"private"}`)
	e3, err := b.Get("u1", "w1")
	if err != nil || e3.Workflow.Name != "Second" || e3.Version == e.Version {
		t.Errorf("B.Get(w1) after A's update = %+v, %v, want Second with a new version", e3, err)
	}
	// B may update it (same owner); another user may not.
	if _, err := b.Save("u2", "w1", request(t, `{"name":"Stolen","access":"private"}`)); !errors.Is(err, ErrNotFound) {
		t.Errorf("B.Save(w1) by another user = %v, want ErrNotFound", err)
	}
	save(t, b, "u1", "w1", `{"name":"Third","access":"private"}`)
	if e, _ := a.Get("u1", "w1"); e == nil || e.Workflow.Name != "Third" {
		t.Errorf("A.Get(w1) after B's update = %+v", e)
	}
	save(t, a, "u1", "w2", `{"name":"Other","access":"private",`+emptyGraph+`}`)
	page, err := b.List("u1", Query{})
	if err != nil || len(page.Workflows) != 2 {
		t.Errorf("B.List = %d workflows, %v, want 2", len(page.Workflows), err)
	}
	if fixed, stored := b.Len(); fixed != 1 || stored != 2 {
		t.Errorf("B.Len = %d, %d, want 1, 2", fixed, stored)
	}
	// The read-only workflow hides a stored one of its id, and is not
	// writable.
	if _, err := b.Save("u1", "upper", request(t, `{"name":"x","access":"private"}`)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Save(upper) = %v, want ErrReadOnly", err)
	}
	if err := b.Delete("u2", "w1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("B.Delete(w1) by another user = %v, want ErrNotFound", err)
	}
	if err := b.Delete("u1", "w1"); err != nil {
		t.Fatalf("B.Delete(w1) = %v", err)
	}
	if _, err := a.Get("u1", "w1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("A.Get(w1) after B deleted it = %v, want ErrNotFound", err)
	}
	if page, _ := a.List("u1", Query{}); len(page.Workflows) != 1 {
		t.Errorf("A.List after delete = %d workflows, want 1", len(page.Workflows))
	}
	// When the storage is gone, reads fail clearly rather than answer
	// from a stale cache.
	fake.Close()
	if _, err := a.Get("u1", "w2"); !errors.Is(err, store.ErrBackend) {
		t.Errorf("A.Get with the storage down = %v, want store.ErrBackend", err)
	}
	if e, err := a.Get("u1", "upper"); err != nil || e.Source == "" {
		t.Errorf("A.Get(upper) with the storage down = %v, want the read-only workflow", err)
	}
}
