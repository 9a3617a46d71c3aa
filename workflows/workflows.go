// Package workflows keeps the workflows a server offers: read-only ones
// loaded from files (or the embedded examples) and the ones users save,
// stored as records in the store. The worker and the editor share it, so both
// apply the same ownership rules, normalisation and API shape.
//
// Ownership: a stored workflow belongs to the user who saved it first. Other
// users see it only when its access is "public"; otherwise it does not exist
// for them (ErrNotFound, never "forbidden", so ids do not leak). Workflows
// from files belong to nobody and everyone may read and run them.
package workflows

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/store"
)

const kind = "workflows"

var (
	// ErrNotFound: no such workflow, or not visible to the caller.
	ErrNotFound = errors.New("workflow not found")
	// ErrReadOnly: the workflow comes from a file and cannot be changed
	// through the API.
	ErrReadOnly = errors.New("workflow is read-only")
	// ErrBadCursor: a page cursor that no earlier page gave. Its message is
	// safe to show a client.
	ErrBadCursor = errors.New("invalid cursor: pass the next value of a previous page")
)

// Entry is one workflow with what the server needs besides its content.
type Entry struct {
	Workflow *engine.Workflow
	Owner    string // "" for workflows from files
	// Source is the file a read-only workflow came from ("" for stored ones).
	Source string
	// Version changes every time the workflow is saved, so callers can
	// cache work derived from it (a compiled plan).
	Version uint64

	stored string // the store's version of the record it was decoded from (shared storage)
}

// ReadOnly reports whether the workflow comes from a file.
func (e *Entry) ReadOnly() bool { return e.Source != "" }

// Fixed is a read-only workflow and where it came from.
type Fixed struct {
	Workflow *engine.Workflow
	Source   string // file path, or "example:<name>"
}

// Repo is the set of workflows. It is safe for concurrent use.
//
// When the store keeps workflows in shared storage (store.DB.Remote: an
// S3 bucket that other servers write too), the repo holds only a cache of
// them: every Get asks the store for the current record (a conditional
// read: an unchanged one is not read again, nor decoded), List and Len
// scan the storage, and Save and Delete check ownership against the
// stored record, so every server sees every other server's writes at once.
type Repo struct {
	db      *store.DB
	remote  bool
	now     func() time.Time
	mu      sync.RWMutex
	entries map[string]*Entry
	version uint64
}

// New builds the repo from read-only workflows and the records in db (nil:
// read-only workflows only). Read-only workflows need unique, non-empty ids;
// a stored workflow with the id of a read-only one is hidden by it.
func New(db *store.DB, fixed []Fixed, now func() time.Time) (*Repo, error) {
	if now == nil {
		now = time.Now
	}
	r := &Repo{db: db, now: now, entries: map[string]*Entry{}, remote: db != nil && db.Remote(kind)}
	if db != nil && !r.remote {
		for _, rec := range db.List(kind) {
			e, err := decodeRecord(rec.Data)
			if err != nil {
				return nil, fmt.Errorf("stored workflow %s: %v", rec.ID, err)
			}
			r.version++
			e.Version = r.version
			r.entries[rec.ID] = e
		}
	}
	for _, f := range fixed {
		id := f.Workflow.ID
		if id == "" {
			return nil, fmt.Errorf("%s: workflow has no id", f.Source)
		}
		if prev, ok := r.entries[id]; ok && prev.Source != "" {
			return nil, fmt.Errorf("%s and %s both define workflow %q", prev.Source, f.Source, id)
		}
		if f.Workflow.CreatedAt == "" {
			f.Workflow.CreatedAt = store.Timestamp(now())
		}
		if f.Workflow.UpdatedAt == "" {
			f.Workflow.UpdatedAt = f.Workflow.CreatedAt
		}
		r.version++
		r.entries[id] = &Entry{Workflow: f.Workflow, Source: f.Source, Version: r.version}
	}
	return r, nil
}

func decodeRecord(data []byte) (*Entry, error) {
	v, err := pyval.Decode(data)
	if err != nil {
		return nil, err
	}
	w, err := engine.WorkflowFromValue(v)
	if err != nil {
		return nil, err
	}
	owner := v.(*pyval.Dict).Str("user_id")
	return &Entry{Workflow: w, Owner: owner}, nil
}

// visible reports whether user may read e.
func visible(e *Entry, user string) bool {
	return e.Source != "" || e.Owner == user || e.Workflow.Access == "public"
}

// Get returns a workflow the user may read.
func (r *Repo) Get(user, id string) (*Entry, error) {
	r.mu.RLock()
	e, ok := r.entries[id]
	r.mu.RUnlock()
	if r.remote && !(ok && e.Source != "") {
		var err error
		if e, err = r.lookup(id); err != nil {
			return nil, err
		}
		ok = e != nil
	}
	if !ok || !visible(e, user) {
		return nil, ErrNotFound
	}
	return e, nil
}

// lookup reads the stored workflow id from shared storage, reusing the
// cached entry when the record has not changed; nil when there is none.
func (r *Repo) lookup(id string) (*Entry, error) {
	rec, found, err := r.db.Lookup(context.Background(), kind, id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !found {
		if e := r.entries[id]; e != nil && e.Source == "" {
			delete(r.entries, id)
		}
		return nil, nil
	}
	return r.refresh(rec)
}

// refresh caches the entry of a stored record, decoding it only if it
// changed. A read-only workflow of the same id hides it. The caller holds
// r.mu.
func (r *Repo) refresh(rec store.Record) (*Entry, error) {
	cur := r.entries[rec.ID]
	if cur != nil && (cur.Source != "" || (cur.stored == rec.Version && rec.Version != "")) {
		return cur, nil
	}
	e, err := decodeRecord(rec.Data)
	if err != nil {
		return nil, fmt.Errorf("stored workflow %s: %v", rec.ID, err)
	}
	r.version++
	e.Version, e.stored = r.version, rec.Version
	r.entries[rec.ID] = e
	return e, nil
}

// scan brings the cache of stored workflows up to date with shared
// storage.
func (r *Repo) scan() error {
	recs, err := r.db.Scan(context.Background(), kind)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[string]bool, len(recs))
	for _, rec := range recs {
		seen[rec.ID] = true
		if _, err := r.refresh(rec); err != nil {
			return err
		}
	}
	for id, e := range r.entries {
		if e.Source == "" && !seen[id] {
			delete(r.entries, id)
		}
	}
	return nil
}

// Query selects a page of workflows.
type Query struct {
	Limit   int    // default 100, at most 1000
	Cursor  string // from a previous Page.Next
	RunMode string // exact match when set
	// Public lists every user's public workflows instead of the caller's.
	Public bool
	// WithFixed includes the read-only workflows (the worker lists them).
	WithFixed bool
}

// Page is one page of a listing. Next is "" when there are no more.
type Page struct {
	Workflows []*engine.Workflow
	Next      string
}

// List returns the caller's workflows (or the public ones), newest first,
// with keyset pagination on (updated_at, id). A cursor it did not give is
// ErrBadCursor.
func (r *Repo) List(user string, q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, 1000)
	var afterTime, afterID string
	if q.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		t, id, ok := strings.Cut(string(raw), "|")
		if err != nil || !ok {
			return Page{}, ErrBadCursor
		}
		afterTime, afterID = t, id
	}
	if r.remote {
		if err := r.scan(); err != nil {
			return Page{}, err
		}
	}
	r.mu.RLock()
	var sel []*Entry
	for _, e := range r.entries {
		switch {
		case e.Source != "" && !q.WithFixed:
			continue
		case q.Public && (e.Source != "" || e.Workflow.Access != "public"):
			continue
		case !q.Public && e.Source == "" && e.Owner != user:
			continue
		case q.RunMode != "" && (e.Workflow.RunMode == nil || *e.Workflow.RunMode != q.RunMode):
			continue
		}
		sel = append(sel, e)
	}
	r.mu.RUnlock()
	slices.SortFunc(sel, func(a, b *Entry) int {
		if c := strings.Compare(b.Workflow.UpdatedAt, a.Workflow.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Workflow.ID, b.Workflow.ID)
	})
	page := Page{Workflows: []*engine.Workflow{}}
	for _, e := range sel {
		w := e.Workflow
		if q.Cursor != "" && (w.UpdatedAt > afterTime || (w.UpdatedAt == afterTime && w.ID <= afterID)) {
			continue
		}
		if len(page.Workflows) == q.Limit {
			last := page.Workflows[len(page.Workflows)-1]
			page.Next = base64.RawURLEncoding.EncodeToString([]byte(last.UpdatedAt + "|" + last.ID))
			break
		}
		page.Workflows = append(page.Workflows, w)
	}
	return page, nil
}

// Save creates or replaces the workflow id for user (an upsert, as PUT does).
// Another user's workflow is ErrNotFound; a read-only one ErrReadOnly.
func (r *Repo) Save(user, id string, req *Request) (*Entry, error) {
	if err := store.ValidateID(id); err != nil {
		return nil, err
	}
	if r.remote {
		// The stored record decides (another server may have written it);
		// the write itself is not under r.mu, which readers need.
		if _, err := r.lookup(id); err != nil {
			return nil, err
		}
	} else {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	now := store.Timestamp(r.now())
	r.readLock()
	prev, exists := r.entries[id]
	r.readUnlock()
	var w engine.Workflow
	if exists {
		if prev.Source != "" {
			return nil, ErrReadOnly
		}
		if prev.Owner != user {
			return nil, ErrNotFound
		}
		w = *prev.Workflow
	} else {
		w = engine.Workflow{ID: id, CreatedAt: now}
	}
	req.apply(&w)
	w.UpdatedAt = now
	return r.put(user, &w)
}

// readLock takes r.mu for reading when it is not already held: in
// shared mode Save and Delete do not hold it across their writes.
func (r *Repo) readLock() {
	if r.remote {
		r.mu.RLock()
	}
}

func (r *Repo) readUnlock() {
	if r.remote {
		r.mu.RUnlock()
	}
}

// Create stores a new workflow with a fresh id.
func (r *Repo) Create(user string, req *Request) (*Entry, error) {
	if !r.remote {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	now := store.Timestamp(r.now())
	w := engine.Workflow{ID: store.NewID(), CreatedAt: now, UpdatedAt: now}
	req.apply(&w)
	return r.put(user, &w)
}

// put writes w durably, then updates the index. The caller holds r.mu,
// but in shared mode, where put takes it to update the index.
func (r *Repo) put(user string, w *engine.Workflow) (*Entry, error) {
	if r.db == nil {
		return nil, errors.New("workflows cannot be saved: no data directory")
	}
	rec := struct {
		*engine.Workflow
		UserID string `json:"user_id"`
	}{w, user}
	if err := r.db.Put(kind, w.ID, rec); err != nil {
		return nil, err
	}
	if r.remote {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	r.version++
	e := &Entry{Workflow: w, Owner: user, Version: r.version}
	r.entries[w.ID] = e
	return e, nil
}

// Delete removes the user's workflow.
func (r *Repo) Delete(user, id string) error {
	if r.remote {
		return r.deleteShared(user, id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[id]
	switch {
	case !ok || (e.Source == "" && e.Owner != user):
		return ErrNotFound
	case e.Source != "":
		return ErrReadOnly
	}
	if _, err := r.db.Delete(kind, id); err != nil {
		return err
	}
	delete(r.entries, id)
	return nil
}

// deleteShared is Delete in shared mode: the stored record decides who
// owns it.
func (r *Repo) deleteShared(user, id string) error {
	r.mu.RLock()
	e, ok := r.entries[id]
	r.mu.RUnlock()
	if ok && e.Source != "" {
		return ErrReadOnly
	}
	e, err := r.lookup(id)
	switch {
	case err != nil:
		return err
	case e == nil || e.Owner != user:
		return ErrNotFound
	}
	if _, err := r.db.Delete(kind, id); err != nil {
		return err
	}
	r.mu.Lock()
	if cur := r.entries[id]; cur != nil && cur.Source == "" {
		delete(r.entries, id)
	}
	r.mu.Unlock()
	return nil
}

// Len reports how many workflows the repo holds (read-only and stored).
// With shared storage the stored ones are counted there (or, when it
// cannot be reached, as last seen).
func (r *Repo) Len() (fixed, stored int) {
	if r.remote {
		r.scan() // best effort: the count is for a banner
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range r.entries {
		if e.Source != "" {
			fixed++
		} else {
			stored++
		}
	}
	return fixed, stored
}
