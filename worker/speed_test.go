package worker

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/store"
	"nodetool/workflows"
)

// appendResults writes the bytes encoding/json writes for the same
// results, whatever the values.
func TestResultsEncoding(t *testing.T) {
	d := pyval.NewDict(0)
	d.Set("b", 1.0)
	d.Set("a", []any{"x<y", int64(2)})
	for _, outputs := range []map[string][]any{
		{},
		{"result": {"LOAD"}},
		{"result": {"first", "last"}, "empty": {}},
		{"z": {"plain"}, "a": {`quote " back \ slash`}, "m": {"<b>&amp;</b>"}},
		{"u": {"héllo \u2028 ☃"}, "c": {"tab\tnew\nline\x01"}, "bad": {"\xff"}},
		{"n": {int64(42)}, "f": {2.5}, "t": {true}, "d": {d}, "l": {[]any{"a", nil}}},
		{"<key>": {"v"}, "k\"q": {"v"}},
	} {
		want, err := json.Marshal(map[string]any{"results": lastValues(outputs)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendResults(nil, outputs)
		if err != nil || string(got) != string(want) {
			t.Errorf("appendResults(%v) = %s, %v; want %s", outputs, got, err, want)
		}
	}
	if _, err := appendResults(nil, map[string][]any{"x": {math.NaN()}}); err == nil {
		t.Error("NaN was encoded")
	}
}

// writeNode writes a file in the run's workspace; the worker tests below
// add it to the registry.
var writeNode = &engine.NodeDef{
	Type:    "test.WriteFile",
	Props:   []engine.Prop{engine.P("name", "str", `""`, "")},
	Outputs: engine.Out("output", "str"),
	Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
		root, err := ctx.Workspace()
		if err != nil {
			return nil, err
		}
		defer root.Close()
		if err := root.WriteFile(in.Str("name"), []byte("x"), 0o600); err != nil {
			return nil, err
		}
		return engine.Single("wrote"), nil
	},
}

const writesWorkflow = `{"id":"writes","name":"Writes","graph":{"nodes":[
 {"id":"w1","type":"test.WriteFile","data":{"name":"a.txt"}},
 {"id":"w2","type":"test.WriteFile","data":{"name":"b.txt"}},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e1","source":"w1","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`

// speedEnv is a worker as the server command makes it (workspaces, the
// default log level), in process, and its handler.
func speedEnv(t testing.TB) (http.Handler, *jobs.Workspaces) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var fixed []workflows.Fixed
	for name, src := range map[string]string{"upper": testWorkflows["upper"], "writes": writesWorkflow} {
		f, err := workflows.Parse([]byte(src), "test:"+name, name)
		if err != nil {
			t.Fatal(err)
		}
		fixed = append(fixed, f)
	}
	repo, err := workflows.New(db, fixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := authn.New(authn.Options{Provider: authn.Static, StaticToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	spaces, err := jobs.NewWorkspaces(filepath.Join(t.TempDir(), "workspaces"))
	if err != nil {
		t.Fatal(err)
	}
	reg := nodes.NewRegistry(nodes.Deps{})
	reg.Add(writeNode)
	s := New(Deps{Registry: reg, Workflows: repo, Store: db, Auth: a, Workspaces: spaces,
		Run: engine.RunOptions{Limits: engine.Limits{Run: 3600e9}}})
	mux := http.NewServeMux()
	s.Register(mux)
	return s.Handler(mux), spaces
}

func runRequest(h http.Handler, id, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/workflows/"+id+"/run", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A run gets its workspace folder when a node first asks for it, shares
// it between its nodes, and it is removed when the run ends; a run whose
// nodes never ask leaves nothing either.
func TestWorkspaceOnDemand(t *testing.T) {
	h, spaces := speedEnv(t)
	for _, id := range []string{"upper", "writes"} {
		rec := runRequest(h, id, `{}`)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", id, rec.Code, rec.Body)
		}
		entries, err := os.ReadDir(spaces.Dir())
		if err != nil || len(entries) != 0 {
			t.Errorf("%s: the workspaces folder holds %v (%v) after the run", id, entries, err)
		}
	}
	if rec := runRequest(h, "writes", `{}`); rec.Body.String() != `{"results":{"result":"wrote"}}` {
		t.Errorf("writes = %s", rec.Body)
	}
}

// The allocations of POST /workflows/upper/run through every middleware
// (the recorder and request included), pinned with a little headroom: a
// change that adds work to every request shows here.
func TestRunRequestAllocs(t *testing.T) {
	h, _ := speedEnv(t)
	allocs := testing.AllocsPerRun(200, func() {
		if rec := runRequest(h, "upper", `{"text":"hi"}`); rec.Code != http.StatusOK {
			t.Fatalf("run = %d %s", rec.Code, rec.Body)
		}
	})
	const pinned = 95
	if allocs > pinned {
		t.Errorf("a run request allocates %.0f objects, over the %d pinned", allocs, pinned)
	}
	t.Logf("%.0f allocations per run request", allocs)
}

// The allocations of POST /workflows/upper/run/stream through every
// middleware (recorder and request included): the run on the handler's
// goroutine, its events written into the response's buffer, one timer for
// flushes and keepalives. Measured 110 (122 with -race, whose sync.Pools
// drop some of what is put back), pinned with headroom for a flush the
// timer may add when the machine is slow.
func TestStreamRequestAllocs(t *testing.T) {
	h, _ := speedEnv(t)
	allocs := testing.AllocsPerRun(200, func() {
		req := httptest.NewRequest("POST", "/workflows/upper/run/stream", strings.NewReader(`{"text":"hi"}`))
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.HasSuffix(rec.Body.String(), "data: [DONE]\n\n") {
			t.Fatalf("stream = %d %s", rec.Code, rec.Body)
		}
	})
	const pinned = 125 // 130 when each burst of events was flushed from the handler, the run on a goroutine of its own
	if allocs > pinned {
		t.Errorf("a stream request allocates %.0f objects, over the %d pinned", allocs, pinned)
	}
	t.Logf("%.0f allocations per stream request", allocs)
}

// appendEvent writes the bytes encoding/json's Encoder (HTML escaping off,
// as the stream's) writes for the same event, whatever the values.
func TestEventEncoding(t *testing.T) {
	d := pyval.NewDict(0)
	d.Set("b", 1.0)
	d.Set("a", []any{"x<y", int64(2)})
	str := func(s string) *string { return &s }
	n := int64(7)
	values := []any{nil, "", "LOAD", `quote " back \ slash`, "<b>&amp;</b>", "héllo \u2028 ☃", "tab\tnew\nline\x01\x7f", "\xff",
		int64(42), -3, true, false, 2.5, 75.0, 1e21, 1e-7, 123456789.125, math.Copysign(0, -1), 1e-6, 5e-324, d, []any{"a", nil, 1.5},
		[]any(nil), map[string]any{}, map[string]any(nil), map[string]any{"z": "1", "a": map[string]any{"<k>": []any{true}}},
		map[string]any{"k\"q": "v", "é": 1}, []string{"typed"}, struct{ A int }{1}}
	var events []any
	for _, v := range values {
		events = append(events,
			&engine.NodeUpdate{Type: "node_update", NodeID: "n<1>", NodeName: "Up", NodeType: "nodetool.text.ToUppercase", Status: "completed", Result: v, Properties: v, JobID: "j", WorkflowID: "w"},
			completeEvent{Type: "complete", Results: map[string]any{"result": v, "other": "x"}},
			&engine.JobUpdate{Type: "job_update", Status: "completed", JobID: "j", Result: map[string][]any{"r": {v, "last"}, "e": nil}},
		)
	}
	dur := 0.000123
	events = append(events,
		&engine.NodeUpdate{Type: "node_update", NodeID: "n", Status: "error", Error: str("it \"failed\"\n"), Properties: map[string]any{}},
		&engine.EdgeUpdate{Type: "edge_update", EdgeID: "e1", Status: "message_sent", Counter: &n, JobID: "j", WorkflowID: "w"},
		&engine.EdgeUpdate{Type: "edge_update", EdgeID: "e1", Status: "drained"},
		&engine.JobUpdate{Type: "job_update", Status: "running", JobID: "j", WorkflowID: "w"},
		&engine.JobUpdate{Type: "job_update", Status: "completed", Message: str("Workflow j completed in 0.00 seconds"), Duration: &dur, Result: map[string][]any{}},
		&engine.JobUpdate{Type: "job_update", Status: "failed", Error: str("boom <x>"), NodeID: str("n"), Traceback: str("t"), RunState: map[string]any{"s": 1}},
		errorEvent{Type: "error", Error: "the run was cancelled"},
		errorEvent{Type: "error", Error: "node \u2029 failed", NodeID: str("n1")},
		&engine.LogUpdate{Type: "log_update", NodeID: "n", Content: "<hello>", Severity: "info"},
	)
	for _, ev := range events {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
		got, err := appendEvent(nil, ev)
		if err != nil || string(got)+"\n" != want.String() {
			t.Errorf("appendEvent(%#v) =\n%s, %v; want\n%s", ev, got, err, want.String())
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1)} {
		if _, err := appendEvent(nil, &engine.NodeUpdate{Result: bad}); err == nil {
			t.Errorf("%v was encoded", bad)
		}
	}
}
