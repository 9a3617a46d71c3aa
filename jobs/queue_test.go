package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/store"
)

// next reads one event, failing the test after a generous deadline.
func next(t *testing.T, s *Subscriber) engine.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return ev
}

func wantQueued(t *testing.T, ev engine.Event, pos int) {
	t.Helper()
	q, ok := ev.(*QueuedUpdate)
	if !ok || q.Status != StatusQueued || q.QueuePosition != pos {
		t.Fatalf("event %#v, want job_update queued at position %d", ev, pos)
	}
}

func lastStatus(t *testing.T, s *Subscriber) string {
	t.Helper()
	evs := drain(t, s)
	ju, ok := evs[len(evs)-1].(*engine.JobUpdate)
	if !ok {
		t.Fatalf("last event %#v", evs[len(evs)-1])
	}
	return ju.Status
}

func TestClientJobID(t *testing.T) {
	m, _ := newManager(t, Options{})
	id := "0b6f6f3e-2c3a-4a59-9d7e-2d1c2e4c9a11"
	j, s := start(t, m, Request{UserID: "u", WorkflowID: "wf", Graph: graph(t, upper), JobID: id})
	if j.ID != id {
		t.Fatalf("job id %q, want the client's %q", j.ID, id)
	}
	if st := lastStatus(t, s); st != engine.StatusCompleted {
		t.Fatalf("job ended %s", st)
	}
	// In use while in memory, and once only recorded; by any user.
	for _, user := range []string{"u", "other"} {
		if _, _, err := m.Start(Request{UserID: user, Graph: graph(t, upper), JobID: id}); !errors.Is(err, ErrDuplicateJobID) {
			t.Errorf("Start(%s, duplicate id) error = %v, want ErrDuplicateJobID", user, err)
		}
	}
	for _, bad := range []string{".hidden", "a/b", "a b", strings.Repeat("x", 129), "ü"} {
		if _, _, err := m.Start(Request{UserID: "u", Graph: graph(t, upper), JobID: bad}); !errors.Is(err, ErrBadJobID) {
			t.Errorf("Start(job id %q) error = %v, want ErrBadJobID", bad, err)
		}
	}
}

// TestListOrdersByStartTime: a client's ids (UUIDs) are not time-ordered;
// the listing still is, newest first, and pages by id.
func TestListOrdersByStartTime(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m, _ := newManager(t, Options{Now: c.now})
	ids := []string{"ffff-first", "0000-second", "8888-third", ""}
	for _, id := range ids {
		_, s := start(t, m, Request{UserID: "u", WorkflowID: "wf", Graph: graph(t, upper), JobID: id})
		drain(t, s)
		c.add(time.Second)
	}
	recs, _ := m.List("u", "", 10, "")
	if len(recs) != 4 || recs[1].ID != "8888-third" || recs[2].ID != "0000-second" || recs[3].ID != "ffff-first" {
		t.Fatalf("List = %v, want the newest first", recs)
	}
	page, next := m.List("u", "", 2, "")
	if len(page) != 2 || next != "8888-third" {
		t.Fatalf("first page %v next %q", page, next)
	}
	page, next = m.List("u", "", 2, next)
	if len(page) != 2 || page[0].ID != "0000-second" || page[1].ID != "ffff-first" || next != "" {
		t.Fatalf("second page %v next %q", page, next)
	}
}

func TestQueue(t *testing.T) {
	m, _ := newManager(t, Options{MaxJobs: 1, MaxQueued: 2})
	a, sa := start(t, m, Request{UserID: "u", WorkflowID: "wf", Graph: graph(t, mic)})
	// Without Queue a run over the limit is refused, as before.
	if _, _, err := m.Start(Request{UserID: "u", Graph: graph(t, upper)}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Start over the limit = %v, want ErrBusy", err)
	}
	b, sb := start(t, m, Request{UserID: "u", WorkflowID: "wf", Graph: graph(t, upper), Queue: true, JobID: "job-b"})
	c, sc := start(t, m, Request{UserID: "v", WorkflowID: "wf", Graph: graph(t, upper), Queue: true})
	wantQueued(t, next(t, sb), 1)
	wantQueued(t, next(t, sc), 2)
	if b.Status() != StatusQueued || m.Queued() != 2 {
		t.Fatalf("b is %s, %d queued", b.Status(), m.Queued())
	}
	if rec, _ := m.Stored("u", "job-b"); rec.Status != StatusQueued {
		t.Errorf("record of a queued job: %+v", rec)
	}
	// The queue is full.
	if _, _, err := m.Start(Request{UserID: "u", Graph: graph(t, upper), Queue: true}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Start with a full queue = %v, want ErrBusy", err)
	}
	// A reconnect to a queued job gets its place.
	wantQueued(t, next(t, c.Reconnect()), 2)
	// Cancelling b moves c up; it ends cancelled at once.
	if !b.Cancel() {
		t.Fatal("Cancel(queued) = false")
	}
	if st := lastStatus(t, sb); st != engine.StatusCancelled {
		t.Fatalf("cancelled queued job ended %s", st)
	}
	wantQueued(t, next(t, sc), 1)
	// a ends: c starts and completes.
	a.EndInput("mic")
	if st := lastStatus(t, sa); st != engine.StatusCompleted {
		t.Fatalf("a ended %s", st)
	}
	if st := lastStatus(t, sc); st != engine.StatusCompleted {
		t.Fatalf("c ended %s", st)
	}
	if m.Running("") != 0 || m.Queued() != 0 {
		t.Errorf("after all: %d running, %d queued", m.Running(""), m.Queued())
	}
}

// TestQueueSkipsHeldBackUsers: a job held back by its user's own limit
// does not block another user's job behind it.
func TestQueueSkipsHeldBackUsers(t *testing.T) {
	m, _ := newManager(t, Options{MaxJobs: 2, MaxJobsPerUser: 1})
	a, sa := start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	x, _ := start(t, m, Request{UserID: "v", Graph: graph(t, mic)})
	_, su := start(t, m, Request{UserID: "u", Graph: graph(t, upper), Queue: true})
	_, sv := start(t, m, Request{UserID: "v", Graph: graph(t, upper), Queue: true})
	wantQueued(t, next(t, su), 1)
	wantQueued(t, next(t, sv), 2)
	x.EndInput("mic") // v's slot frees: v's queued job starts, u's waits
	if st := lastStatus(t, sv); st != engine.StatusCompleted {
		t.Fatalf("v's queued job ended %s", st)
	}
	if m.Queued() != 1 {
		t.Fatalf("%d queued, want u's job alone", m.Queued())
	}
	a.EndInput("mic")
	drain(t, sa)
	if st := lastStatus(t, su); st != engine.StatusCompleted {
		t.Fatalf("u's queued job ended %s", st)
	}
}

func TestShutdownCancelsQueue(t *testing.T) {
	m, db := newManager(t, Options{MaxJobs: 1})
	start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	q, sq := start(t, m, Request{UserID: "u", Graph: graph(t, upper), Queue: true})
	next(t, sq)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Shutdown(ctx)
	if st := lastStatus(t, sq); st != engine.StatusCancelled {
		t.Fatalf("queued job at shutdown ended %s", st)
	}
	// A record left "queued" by a crash is repaired at the next start.
	m2 := New(Options{Registry: m.o.Registry, Store: db})
	defer m2.Close()
	if rec, err := m2.Stored("u", q.ID); err != nil || rec.Status != engine.StatusCancelled {
		t.Errorf("record after shutdown %+v, %v", rec, err)
	}
	db.PutRaw("jobs", "crashed", []byte(`{"id":"crashed","user_id":"u","job_type":"workflow","status":"queued","workflow_id":"","started_at":"`+store.Timestamp(time.Now())+`"}`))
	m3 := New(Options{Registry: m.o.Registry, Store: db})
	defer m3.Close()
	if rec, _ := m3.Stored("u", "crashed"); rec.Status != engine.StatusFailed {
		t.Errorf("a queued record after a crash: %+v, want failed", rec)
	}
}
