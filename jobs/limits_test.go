package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/store"
)

// echo passes each pushed chunk straight to an output: one output_update
// per push, holding the chunk.
const echo = `{"nodes":[
 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}],
 "edges":[{"id":"e1","source":"mic","sourceHandle":"chunk","target":"out","targetHandle":"value"}]}`

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, 2)
	for _, u := range []string{"a", "a", "b"} {
		if err := l.Acquire(u); err != nil {
			t.Fatalf("Acquire(%q) = %v", u, err)
		}
	}
	for _, tc := range []struct {
		user, want string
	}{
		{"a", "at most 3 at once on this server (--max-jobs)"}, // the server's limit comes first
		{"c", "--max-jobs)"},
	} {
		err := l.Acquire(tc.user)
		var le *LimitError
		if !errors.As(err, &le) || !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Acquire(%q) over the limit = %v, want a LimitError containing %q", tc.user, err, tc.want)
		}
	}
	l.Release("b")
	if err := l.Acquire("a"); err == nil || !strings.Contains(err.Error(), "at most 2 per user at once (--max-jobs-per-user)") {
		t.Errorf("Acquire(a) over the user's limit = %v", err)
	}
	if err := l.Acquire("c"); err != nil {
		t.Errorf("Acquire(c) under both limits = %v", err)
	}
	if got := []int{l.Running(""), l.Running("a"), l.Running("b")}; fmt.Sprint(got) != "[3 2 0]" {
		t.Errorf("Running = %v, want [3 2 0]", got)
	}
	unlimited := NewLimiter(0, 0)
	for range 1000 {
		if err := unlimited.Acquire("u"); err != nil {
			t.Fatalf("no limit: %v", err)
		}
	}
}

// TestStartOverLimit: a run over a limit is refused at once, nothing is
// started or recorded, and the slot is free again as soon as the first
// job's final update is out.
func TestStartOverLimit(t *testing.T) {
	m, db := newManager(t, Options{MaxJobs: 2, MaxJobsPerUser: 1})
	j, s := start(t, m, Request{UserID: "a", Graph: graph(t, mic)})
	_, _, err := m.Start(Request{UserID: "a", Graph: graph(t, upper)})
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "--max-jobs-per-user") {
		t.Fatalf("second job of a = %v, want the per-user limit", err)
	}
	if _, err := m.Run(context.Background(), "a", nil, engine.RunOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Run for a over the limit = %v", err)
	}
	start(t, m, Request{UserID: "b", Graph: graph(t, mic)})
	if _, _, err := m.Start(Request{UserID: "c", Graph: graph(t, upper)}); !strings.Contains(fmt.Sprint(err), "at most 2 at once on this server (--max-jobs)") {
		t.Fatalf("third job = %v, want the server's limit", err)
	}
	m.w.flush()
	if n := len(db.List("jobs")); n != 2 {
		t.Errorf("%d job records, want 2 (refusals are not recorded)", n)
	}
	j.EndInput("mic")
	if ju := last(drain(t, s)); ju.Status != "completed" {
		t.Fatalf("first job ended %s", ju.Status)
	}
	if _, s, err := m.Start(Request{UserID: "a", Graph: graph(t, upper)}); err != nil {
		t.Errorf("a job after the first ended = %v", err)
	} else {
		drain(t, s)
	}
}

// TestRingBoundedInBytes: a job's buffered events stay within the byte
// budget however big they are; a subscriber that fell behind is told and
// resynchronised; the newest event is kept even when it alone is over.
func TestRingBoundedInBytes(t *testing.T) {
	m, _ := newManager(t, Options{RingBytes: 1 << 20})
	j, s := start(t, m, Request{UserID: "u", Graph: graph(t, echo)})
	big := strings.Repeat("x", 256<<10)
	for range 20 {
		if err := j.Push("mic", pyval.DictOf("type", "chunk", "content", big)); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		j.mu.Lock()
		defer j.mu.Unlock()
		if n := len(j.ring.items) - j.ring.head; j.ring.bytes > 1<<20 && n > 1 {
			t.Errorf("%s: the ring holds %d events of about %d bytes, over the 1 MiB budget", when, n, j.ring.bytes)
		}
	}
	check("after 20 pushes of 256 KiB")
	huge := strings.Repeat("y", 3<<20)
	j.Push("mic", pyval.DictOf("type", "chunk", "content", huge))
	j.EndInput("mic")
	evs := drain(t, s)
	check("at the end")
	lagged, sawHuge := false, false
	for _, e := range evs {
		lagged = lagged || e == Lagged
		if ou, ok := e.(*engine.OutputUpdate); ok && strings.Contains(pyval.Repr(ou.Value), "yyyy") {
			sawHuge = true
		}
	}
	if !lagged || last(evs).Status != "completed" {
		t.Errorf("the subscriber that fell behind: lagged=%v, last %#v", lagged, evs[len(evs)-1])
	}
	_ = sawHuge // it may have been dropped with the rest: only the newest event is sure to stay
}

// TestFinishedJobLetsGo: once a job has ended and its subscriber is done,
// its events, node states and run are dropped; the final update (with
// the result) stays for reconnects; at most MaxFinished finished jobs stay
// in memory, and their records remain.
func TestFinishedJobLetsGo(t *testing.T) {
	m, _ := newManager(t, Options{MaxFinished: 2})
	var ids []string
	for i := range 3 {
		j, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper), Params: pyval.DictOf("text", fmt.Sprint("run ", i))})
		drain(t, s)
		s.Close()
		j.mu.Lock()
		freed := j.ring.items == nil && j.nodes == nil && j.edges == nil && j.run == nil && j.final != nil
		j.mu.Unlock()
		if !freed {
			t.Errorf("job %d kept its events or run after it ended", i)
		}
		evs := drain(t, j.Reconnect())
		if len(evs) != 1 || last(evs).Status != "completed" || pyval.Repr(last(evs).Result["result"]) != fmt.Sprintf("['RUN %d']", i) {
			t.Errorf("reconnect to finished job %d = %v", i, evs)
		}
		ids = append(ids, j.ID)
	}
	if _, err := m.Get("u", ids[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("the oldest of 3 finished jobs is still in memory (MaxFinished 2)")
	}
	for _, id := range ids {
		if rec, err := m.Stored("u", id); err != nil || rec.Status != "completed" {
			t.Errorf("record of %s = %+v, %v", id, rec, err)
		}
	}
}

// TestFinishedJobLeavesAfterRetain: a finished job leaves memory after
// Retain even when nothing else happens.
func TestFinishedJobLeavesAfterRetain(t *testing.T) {
	m, _ := newManager(t, Options{Retain: 50 * time.Millisecond})
	j, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper)})
	drain(t, s)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := m.Get("u", j.ID); errors.Is(err, ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a finished job stayed in memory 10 s with Retain 50 ms")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestParamsCapped: params within the limit are recorded as given; bigger
// ones are recorded as omitted, with their size and the limit.
func TestParamsCapped(t *testing.T) {
	m, db := newManager(t, Options{MaxParams: 1024})
	for _, tc := range []struct {
		name  string
		text  string
		whole bool
	}{
		{"small", "hi", true},
		{"just over", strings.Repeat("a", 1100), false},
		{"huge", strings.Repeat("b", 8<<20), false},
	} {
		_, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper), Params: pyval.DictOf("text", tc.text)})
		evs := drain(t, s)
		id := last(evs).JobID
		m.w.flush()
		data, _ := db.Get("jobs", id)
		var rec struct {
			Status  string          `json:"status"`
			Params  json.RawMessage `json:"params"`
			Omitted *struct {
				Bytes int64 `json:"bytes"`
				Limit int   `json:"limit"`
			} `json:"params_omitted"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.Status != "completed":
			t.Errorf("%s: status %s", tc.name, rec.Status)
		case tc.whole && string(rec.Params) != `{"text":"hi"}`:
			t.Errorf("%s: params recorded as %s", tc.name, rec.Params)
		case !tc.whole && (string(rec.Params) != "null" || rec.Omitted == nil || rec.Omitted.Bytes < int64(len(tc.text)) || rec.Omitted.Limit != 1024):
			t.Errorf("%s: params %s, omitted %+v; want null and a marker", tc.name, rec.Params, rec.Omitted)
		case len(data) > 2048:
			t.Errorf("%s: the record is %d bytes", tc.name, len(data))
		}
	}
}

// clock is a settable time for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRecordsExpireAndAreCapped: beyond MaxRecords the oldest finished
// records go; after Retention a finished record goes; a running job's
// record stays, however old.
func TestRecordsExpireAndAreCapped(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m, db := newManager(t, Options{MaxRecords: 3, Retention: time.Hour, Now: clk.now})
	running, _ := start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	var ids []string
	for range 4 {
		clk.add(time.Second) // jobs started at one instant have no order
		_, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper)})
		ids = append(ids, last(drain(t, s)).JobID)
	}
	listed := func() []string {
		recs, _ := m.List("u", "", 100, "")
		var out []string
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	// 5 records, cap 3: the two oldest finished ones went.
	want := []string{ids[3], ids[2], running.ID}
	if got := listed(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after 5 jobs with MaxRecords 3: %v, want %v", got, want)
	}
	m.w.flush()
	if n := len(db.List("jobs")); n != 3 {
		t.Errorf("%d records in the store, want 3", n)
	}
	clk.add(2 * time.Hour)
	_, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper)})
	newest := last(drain(t, s)).JobID
	if got := listed(); fmt.Sprint(got) != fmt.Sprint([]string{newest, running.ID}) {
		t.Errorf("after the retention: %v, want the new job and the running one", got)
	}
	m.w.flush()
	if _, ok := db.Get("jobs", ids[3]); ok {
		t.Errorf("an expired record is still in the store")
	}
}

// TestRecordsRepairedAtStart: a new manager on a store written by an
// older version (big params, a job cut off while running, an expired
// record) rewrites the big record without its params, marks the cut-off
// job failed and deletes the expired one.
func TestRecordsRepairedAtStart(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	put := func(id, status string, finished time.Time, params string) {
		rec := fmt.Sprintf(`{"id":%q,"user_id":"u","job_type":"workflow","status":%q,"workflow_id":"w","started_at":%q,"finished_at":%s,"error":null,"cost":null,"params":%s}`,
			id, status, store.Timestamp(finished), map[bool]string{true: "null", false: fmt.Sprintf("%q", store.Timestamp(finished))}[status == "running"], params)
		if err := db.PutRaw("jobs", id, []byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	put("01big", "completed", now.Add(-time.Hour), `{"text":"`+strings.Repeat("z", 1<<20)+`"}`)
	put("02cut", "running", now.Add(-time.Hour), `{}`)
	put("03old", "completed", now.Add(-90*24*time.Hour), `{}`)
	m := New(Options{Registry: nodes.NewRegistry(nodes.Deps{}), Store: db})
	defer m.Close()
	if data, _ := db.Get("jobs", "01big"); len(data) > 1024 || !strings.Contains(string(data), `"params_omitted":{"bytes":`) {
		t.Errorf("the big record is %d bytes: %.200s", len(data), data)
	}
	if rec, err := m.Stored("u", "02cut"); err != nil || rec.Status != "failed" || rec.Error == nil || !strings.Contains(*rec.Error, "stopped") {
		t.Errorf("the cut-off job = %+v, %v; want failed", rec, err)
	}
	if _, ok := db.Get("jobs", "03old"); ok {
		t.Errorf("a record past the retention was kept")
	}
	if recs, _ := m.List("u", "", 10, ""); len(recs) != 2 {
		t.Errorf("List = %+v, want the two kept records", recs)
	}
}

// TestShutdownGrace: Shutdown refuses new runs, lets a run that ends
// within the grace complete, cancels the rest when the grace is over, and
// returns once they have ended.
func TestShutdownGrace(t *testing.T) {
	m, _ := newManager(t, Options{})
	short, ss := start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	_, ls := start(t, m, Request{UserID: "u", Graph: graph(t, mic)})
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	go func() {
		m.Shutdown(ctx)
		close(ended)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, err := m.Start(Request{UserID: "u", Graph: graph(t, upper)})
		if errors.Is(err, ErrShuttingDown) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("Start during the shutdown = %v, want ErrShuttingDown", err)
		}
		time.Sleep(time.Millisecond) // Shutdown has not begun yet; that job ends in it
	}
	short.EndInput("mic")
	if ju := last(drain(t, ss)); ju.Status != "completed" {
		t.Errorf("the job that ended within the grace: %s", ju.Status)
	}
	select {
	case <-ended:
		t.Fatal("Shutdown returned during the grace with a job running")
	default:
	}
	cancel()
	if ju := last(drain(t, ls)); ju.Status != "cancelled" {
		t.Errorf("the job still running after the grace: %s, want cancelled", ju.Status)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return after the jobs ended")
	}
}

func TestSizeOf(t *testing.T) {
	strs := make([]any, 100000)
	for i := range strs {
		strs[i] = "0123456789"
	}
	nested := make([]any, 1000)
	for i := range nested {
		nested[i] = pyval.DictOf("k", strings.Repeat("v", 1000))
	}
	for _, tc := range []struct {
		name     string
		v        any
		min, max int64
	}{
		{"string", strings.Repeat("s", 1<<20), 1 << 20, 1<<20 + 64},
		{"bytes", make([]byte, 1<<20), 1 << 20, 1<<20 + 64},
		{"many strings", strs, 100000 * 10, 100000 * 64},
		{"dicts of big strings", nested, 1000 * 1000, 1000 * 1200},
		{"nil", nil, 0, 64},
	} {
		if got := sizeOf(tc.v); got < tc.min || got > tc.max {
			t.Errorf("sizeOf(%s) = %d, want %d..%d", tc.name, got, tc.min, tc.max)
		}
	}
}

// TestFinishedResultsBounded: past FinishedBytes, the oldest finished
// jobs lose their outputs; their status stays.
func TestFinishedResultsBounded(t *testing.T) {
	m, _ := newManager(t, Options{FinishedBytes: 100 << 10})
	var jobs []*Job
	for range 2 {
		j, s := start(t, m, Request{UserID: "u", Graph: graph(t, upper), Params: pyval.DictOf("text", strings.Repeat("a", 60<<10))})
		drain(t, s)
		s.Close()
		jobs = append(jobs, j)
	}
	for i, wantResult := range []bool{false, true} {
		ju := last(drain(t, jobs[i].Reconnect()))
		if ju.Status != "completed" || (ju.Result != nil) != wantResult {
			t.Errorf("reconnect to job %d: status %s, result kept %v; want completed, %v", i, ju.Status, ju.Result != nil, wantResult)
		}
	}
}

// BenchmarkLimiter is what admission adds to every run (the worker's hot
// path): one Acquire and one Release.
func BenchmarkLimiter(b *testing.B) {
	l := NewLimiter(64, 16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Acquire("1"); err == nil {
				l.Release("1")
			}
		}
	})
}
