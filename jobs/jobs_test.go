package jobs

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/store"
)

func graph(t *testing.T, src string) *engine.Graph {
	t.Helper()
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return &w.Graph
}

const upper = `{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hi"}},
 {"id":"up","type":"nodetool.text.ToUppercase"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e1","source":"in","sourceHandle":"output","target":"up","targetHandle":"text"},
 {"id":"e2","source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

// mic waits for pushed chunks and collects them.
const mic = `{"nodes":[
 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
 {"id":"col","type":"nodetool.control.Collect"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}],
 "edges":[{"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

func newManager(t *testing.T, o Options) (*Manager, *store.DB) {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	o.Registry = nodes.NewRegistry(nodes.Deps{})
	o.Store = db
	m := New(o)
	t.Cleanup(m.Close)
	return m, db
}

// start starts a job and fails the test if it is refused.
func start(t *testing.T, m *Manager, req Request) (*Job, *Subscriber) {
	t.Helper()
	j, s, err := m.Start(req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return j, s
}

func drain(t *testing.T, s *Subscriber) []engine.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []engine.Event
	for {
		ev, err := s.Next(ctx)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, ev)
	}
}

func last(evs []engine.Event) *engine.JobUpdate {
	ju, _ := evs[len(evs)-1].(*engine.JobUpdate)
	return ju
}

func TestJobRunsAndIsRecorded(t *testing.T) {
	m, _ := newManager(t, Options{})
	params := pyval.DictOf("text", "job")
	j, sub := start(t, m, Request{UserID: "u1", WorkflowID: "wf", Graph: graph(t, upper), Params: params})
	evs := drain(t, sub)
	if first, ok := evs[0].(*engine.JobUpdate); !ok || first.Status != "running" || first.JobID != j.ID {
		t.Errorf("first event = %#v, want job_update running with the job id", evs[0])
	}
	ju := last(evs)
	if ju == nil || ju.Status != "completed" || pyval.Repr(ju.Result["result"]) != "['JOB']" {
		t.Fatalf("last event = %#v, want job_update completed with the result", evs[len(evs)-1])
	}
	rec, err := m.Stored("u1", j.ID)
	if err != nil || rec.Status != "completed" || rec.FinishedAt == nil || rec.WorkflowID != "wf" {
		t.Fatalf("Stored = %+v, %v", rec, err)
	}
	if _, err := m.Stored("u2", j.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another user's job: %v, want ErrNotFound", err)
	}
	if _, err := m.Get("u2", j.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get another user's job: %v, want ErrNotFound", err)
	}
	list, next := m.List("u1", "", 10, "")
	if len(list) != 1 || list[0].ID != j.ID || next != "" {
		t.Errorf("List = %+v, %q", list, next)
	}
}

func TestInvalidGraphFailsAsAJob(t *testing.T) {
	m, _ := newManager(t, Options{})
	_, sub := start(t, m, Request{UserID: "u", Graph: graph(t, `{"nodes":[{"id":"v","type":"openai.agents.RealtimeAgent"}]}`)})
	evs := drain(t, sub)
	var nodeErr bool
	for _, e := range evs {
		if nu, ok := e.(*engine.NodeUpdate); ok && nu.NodeID == "v" && nu.Status == "error" && strings.Contains(*nu.Error, "unsupported node type") {
			nodeErr = true
		}
	}
	if ju := last(evs); !nodeErr || ju == nil || ju.Status != "failed" {
		t.Fatalf("events = %v, want a node error for v and job_update failed", evs)
	}
}

func TestReconnectReplaysStateThenLive(t *testing.T) {
	m, _ := newManager(t, Options{})
	j, first := start(t, m, Request{UserID: "u", WorkflowID: "wf", Graph: graph(t, mic)})
	if ev, err := first.Next(context.Background()); err != nil || ev.(*engine.JobUpdate).Status != "running" {
		t.Fatalf("first event %v %v", ev, err)
	}
	first.Close() // the client goes away; the job goes on
	time.Sleep(20 * time.Millisecond)
	if j.Status() != "running" {
		t.Fatalf("status %s after the client left, want running", j.Status())
	}
	j.Push("mic", pyval.DictOf("type", "chunk", "content", "a"))

	s := j.Reconnect()
	ev, _ := s.Next(context.Background())
	if ju, ok := ev.(*engine.JobUpdate); !ok || ju.Status != "running" {
		t.Fatalf("reconnect starts with %#v, want job_update running", ev)
	}
	// Node states follow (col and out are running).
	seen := map[string]bool{}
	for range 2 {
		ev, _ := s.Next(context.Background())
		if nu, ok := ev.(*engine.NodeUpdate); ok {
			seen[nu.NodeID] = true
		}
	}
	if !seen["col"] || !seen["out"] {
		t.Fatalf("replayed node states %v, want col and out", seen)
	}
	j.Push("mic", pyval.DictOf("type", "chunk", "content", "b"))
	j.EndInput("mic")
	evs := drain(t, s)
	ju := last(evs)
	if ju == nil || ju.Status != "completed" || len(ju.Result["chunks"][0].([]any)) != 2 {
		t.Fatalf("after reconnect the job ended with %#v", evs[len(evs)-1])
	}
	// A reconnect after the end gets just the final update, with the result.
	evs = drain(t, j.Reconnect())
	if len(evs) != 1 || last(evs).Status != "completed" || last(evs).Result == nil {
		t.Fatalf("reconnect after the end = %v", evs)
	}
}

func TestTwoSubscribersBothGetEverything(t *testing.T) {
	m, _ := newManager(t, Options{})
	j, a := start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	b := j.Subscribe()
	for _, c := range []string{"1", "2", "3"} {
		j.Push("mic", pyval.DictOf("type", "chunk", "content", c))
	}
	j.EndInput("mic")
	ea, eb := drain(t, a), drain(t, b)
	if len(ea) != len(eb) || last(ea).Status != "completed" || last(eb).Status != "completed" {
		t.Fatalf("subscribers got %d and %d events", len(ea), len(eb))
	}
}

func TestLaggingSubscriberIsResyncedAndNeverBlocksTheJob(t *testing.T) {
	m, _ := newManager(t, Options{RingSize: 16})
	items := make([]any, 500)
	for i := range items {
		items[i] = "x"
	}
	list, _ := pyval.DictOf("l", items).Get("l")
	b, _ := pyval.DictOf("value", list).MarshalJSON()
	src := `{"nodes":[{"id":"l","type":"nodetool.constant.List","data":` + string(b) + `},
	 {"id":"each","type":"nodetool.control.ForEach"},{"id":"up","type":"nodetool.text.ToUppercase"},
	 {"id":"col","type":"nodetool.control.Collect"},{"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
	 "edges":[{"id":"e1","source":"l","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"up","targetHandle":"text"},
	 {"id":"e3","source":"up","sourceHandle":"output","target":"col","targetHandle":"input_item"},
	 {"id":"e4","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	j, s := start(t, m, Request{UserID: "u", Graph: graph(t, src)}) // s never reads until the job is over
	select {
	case <-j.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a subscriber that does not read blocked the job")
	}
	evs := drain(t, s)
	lagged := false
	for _, e := range evs {
		if e == Lagged {
			lagged = true
		}
	}
	if !lagged || last(evs) == nil || last(evs).Status != "completed" {
		t.Fatalf("lagging subscriber: lagged=%v, %d events, last %#v", lagged, len(evs), evs[len(evs)-1])
	}
}

func TestCancel(t *testing.T) {
	m, _ := newManager(t, Options{})
	base := runtime.NumGoroutine()
	w := m.Watch("u")
	j, s := start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	if !j.Cancel() {
		t.Fatal("Cancel of a running job = false")
	}
	evs := drain(t, s)
	if ju := last(evs); ju == nil || ju.Status != "cancelled" {
		t.Fatalf("last event %#v, want job_update cancelled", evs[len(evs)-1])
	}
	if j.Cancel() {
		t.Error("Cancel of an ended job = true")
	}
	var statuses []string
	for range 2 {
		select {
		case ju := <-w.C:
			statuses = append(statuses, ju.Status)
		case <-time.After(5 * time.Second):
			t.Fatal("the watcher got no lifecycle event")
		}
	}
	if strings.Join(statuses, ",") != "running,cancelled" {
		t.Errorf("lifecycle events %v", statuses)
	}
	m.Unwatch(w)
	m.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines left, want %d", n, base)
	}
}

func TestSlowWatcherIsDropped(t *testing.T) {
	m, _ := newManager(t, Options{})
	w := m.Watch("u")
	for range 100 {
		j, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper)})
		s.Close()
		<-j.Done()
	}
	n := 0
	for range w.C {
		n++
	}
	if n == 0 || n > 64 {
		t.Fatalf("a watcher that never read got %d events before being dropped; want its buffer's worth", n)
	}
}

func TestRestartReconcilesRunningJobs(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m1 := New(Options{Registry: nodes.NewRegistry(nodes.Deps{}), Store: db})
	j, _ := start(t, m1, Request{UserID: "u", Graph: graph(t, mic)})
	if rec, _ := m1.Stored("u", j.ID); rec.Status != "running" {
		t.Fatalf("status %s, want running", rec.Status)
	}
	// A new manager on the same store (its record written): the job is
	// gone from memory.
	m1.w.flush()
	m2 := New(Options{Registry: nodes.NewRegistry(nodes.Deps{}), Store: db})
	rec, err := m2.Stored("u", j.ID)
	if err != nil || rec.Status != "failed" || rec.Error == nil || !strings.Contains(*rec.Error, "stopped") {
		t.Fatalf("after restart = %+v, %v; want failed", rec, err)
	}
	m1.Close()
	m2.Close()
}
