package workflows

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/store"
)

// t0 is the first time the test clock reports.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a deterministic time source for Repo: each call to now returns
// the current time, then moves it on by step.
type clock struct {
	t    time.Time
	step time.Duration
}

func newClock() *clock { return &clock{t: t0, step: time.Second} }

func (c *clock) now() time.Time {
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

// stamp is how the repo writes the time the clock will report next.
func (c *clock) stamp() string { return store.Timestamp(c.t) }

// openDB opens a store in dir and closes it when the test ends.
func openDB(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("store.Open(%q) = %v", dir, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newRepo opens a fresh store and builds a repo over it and fixed.
func newRepo(t *testing.T, c *clock, fixed ...Fixed) (*Repo, *store.DB) {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "data"))
	r, err := New(db, fixed, c.now)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return r, db
}

// reopen closes db, opens its directory again and builds a new repo.
func reopen(t *testing.T, db *store.DB, c *clock, fixed ...Fixed) (*Repo, *store.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	db = openDB(t, db.Dir())
	r, err := New(db, fixed, c.now)
	if err != nil {
		t.Fatalf("New after reopening = %v", err)
	}
	return r, db
}

// request parses body as a workflow request.
func request(t *testing.T, body string) *Request {
	t.Helper()
	req, err := ParseRequest([]byte(body), false)
	if err != nil {
		t.Fatalf("ParseRequest(%s) = %v", body, err)
	}
	return req
}

// fixedWF parses src as a read-only workflow named name.
func fixedWF(t *testing.T, name, src string) Fixed {
	t.Helper()
	f, err := Parse([]byte(src), "test:"+name, name)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", name, err)
	}
	return f
}

// save stores body as user's workflow id.
func save(t *testing.T, r *Repo, user, id, body string) *Entry {
	t.Helper()
	e, err := r.Save(user, id, request(t, body))
	if err != nil {
		t.Fatalf("Save(%q, %q) = %v", user, id, err)
	}
	return e
}

// toJSON marshals v for comparisons.
func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%T) = %v", v, err)
	}
	return string(b)
}

// ids lists the workflows' ids.
func ids(ws []*engine.Workflow) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.ID
	}
	return out
}
