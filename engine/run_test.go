package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
)

// testNodes returns a registry with the core nodes plus a few node types
// that exist only for tests: a sleeper, a panicker and a controller.
func testNodes(t testing.TB) *engine.Registry {
	t.Helper()
	r := nodes.NewRegistry(nodes.Deps{})
	r.Add(&engine.NodeDef{
		Type:    "test.Sleep",
		Props:   []engine.Prop{engine.P("value", "any", "null", ""), engine.P("ms", "int", "1000", "")},
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			select {
			case <-time.After(time.Duration(in.Int("ms")) * time.Millisecond):
				return engine.Single(in.Get("value")), nil
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		},
	})
	r.Add(&engine.NodeDef{
		Type:    "test.Panic",
		Props:   []engine.Prop{engine.P("value", "any", "null", "")},
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			l := in.List("value")
			return engine.Single(l[len(l)+1]), nil // out of range: a real runtime panic
		},
	})
	r.Add(&engine.NodeDef{
		Type:    "test.BadSlot",
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return map[string]any{"nope": 1}, nil
		},
	})
	// test.Controller runs each controlled node once per item of "calls"
	// (a list of property dicts) and emits the replies as a list.
	r.Add(&engine.NodeDef{
		Type:    "test.Controller",
		Props:   []engine.Prop{engine.P("calls", "list[dict]", "[]", "")},
		Outputs: engine.Out("output", "list[any]", engine.ControlHandle, "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			var replies []any
			for _, cn := range ctx.Controlled() {
				for _, c := range in.List("calls") {
					out, err := ctx.RunControlled(cn.ID, c.(*pyval.Dict))
					if err != nil {
						return nil, err
					}
					replies = append(replies, out["output"])
				}
			}
			return engine.Single(replies), nil
		},
	})
	return r
}

// waitGoroutines waits for the goroutine count to fall back to base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines still running, want %d:\n%s", n, base, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const sleepGraph = `{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"v"}},
 {"id":"slow","type":"test.Sleep","data":{"ms":60000}},
 {"id":"l","type":"nodetool.constant.List","data":{"value":[1,2,3]}},
 {"id":"each","type":"nodetool.control.ForEach"},
 {"id":"col","type":"nodetool.control.Collect"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}},
 {"id":"out2","type":"nodetool.output.Output","data":{"name":"items"}}
],"edges":[
 {"id":"e1","source":"in","sourceHandle":"output","target":"slow","targetHandle":"value"},
 {"id":"e2","source":"slow","sourceHandle":"output","target":"out","targetHandle":"value"},
 {"id":"e3","source":"l","sourceHandle":"output","target":"each","targetHandle":"input_list"},
 {"id":"e4","source":"each","sourceHandle":"output","target":"col","targetHandle":"input_item"},
 {"id":"e5","source":"col","sourceHandle":"output","target":"out2","targetHandle":"value"}
]}`

func TestCancelEndsRunAndLeaksNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	p := nodetest.Compile(t, testNodes(t), sleepGraph)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var last engine.Event
	started := make(chan struct{})
	var once sync.Once
	job := p.Start(ctx, engine.RunOptions{JobID: "j", OnEvent: func(e engine.Event) {
		mu.Lock()
		last = e
		mu.Unlock()
		if nu, ok := e.(*engine.NodeUpdate); ok && nu.NodeID == "slow" && nu.Status == "running" {
			once.Do(func() { close(started) })
		}
	}})
	<-started
	cancel()
	res := job.Wait()
	if res.Status != engine.StatusCancelled {
		t.Fatalf("status = %s (%s), want cancelled", res.Status, res.Error)
	}
	mu.Lock()
	ju, ok := last.(*engine.JobUpdate)
	mu.Unlock()
	if !ok || ju.Status != engine.StatusCancelled {
		t.Fatalf("last event = %#v, want job_update cancelled", last)
	}
	waitGoroutines(t, base)
}

func TestJobCancelMethod(t *testing.T) {
	base := runtime.NumGoroutine()
	p := nodetest.Compile(t, testNodes(t), sleepGraph)
	job := p.Start(context.Background(), engine.RunOptions{JobID: "j"})
	time.Sleep(20 * time.Millisecond)
	job.Cancel()
	if res := job.Wait(); res.Status != engine.StatusCancelled {
		t.Fatalf("status = %s, want cancelled", res.Status)
	}
	waitGoroutines(t, base)
}

// OnEnd gets the run's result once, after the final job_update and before
// Run or Wait returns, for a run on the caller's goroutine and one started.
func TestOnEnd(t *testing.T) {
	p := nodetest.Compile(t, testNodes(t), sleepGraph)
	for _, start := range []bool{false, true} {
		var events []engine.Event
		var ended []*engine.Result
		var eventsAtEnd int
		opts := engine.RunOptions{JobID: "j",
			OnEvent: func(e engine.Event) { events = append(events, e) },
			OnEnd: func(r *engine.Result) {
				ended = append(ended, r)
				eventsAtEnd = len(events)
			}}
		var res *engine.Result
		if start {
			ctx, cancel := context.WithCancel(context.Background())
			job := p.Start(ctx, opts)
			cancel()
			res = job.Wait()
		} else {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			res = p.Run(ctx, opts)
		}
		if len(ended) != 1 || ended[0] != res {
			t.Fatalf("start %v: OnEnd got %v, want the result %p once", start, ended, res)
		}
		if ju, ok := events[len(events)-1].(*engine.JobUpdate); !ok || ju.Status != res.Status || eventsAtEnd != len(events) {
			t.Errorf("start %v: OnEnd came before the final job_update (%d of %d events)", start, eventsAtEnd, len(events))
		}
	}
}

func TestNodeErrorFailsAtOnceAndCancelsTheRest(t *testing.T) {
	base := runtime.NumGoroutine()
	src := strings.Replace(sleepGraph, `{"id":"l","type":"nodetool.constant.List","data":{"value":[1,2,3]}}`,
		`{"id":"l","type":"test.Panic"}`, 1)
	p := nodetest.Compile(t, testNodes(t), src)
	start := time.Now()
	var events []engine.Event
	res := p.Run(context.Background(), engine.RunOptions{JobID: "j", OnEvent: func(e engine.Event) { events = append(events, e) }})
	if res.Status != engine.StatusFailed || res.NodeID != "l" || !strings.Contains(res.Error, "internal error in node l") {
		t.Fatalf("result = %+v, want failed in node l with an internal error", res)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatalf("the failure did not cancel the sleeping node")
	}
	last := events[len(events)-1].(*engine.JobUpdate)
	if last.Status != engine.StatusFailed || last.NodeID == nil || *last.NodeID != "l" || last.Error == nil {
		t.Fatalf("final job_update = %+v", last)
	}
	waitGoroutines(t, base)
}

func TestUnknownOutputSlotFails(t *testing.T) {
	p := nodetest.Compile(t, testNodes(t), `{"nodes":[{"id":"b","type":"test.BadSlot"}],"edges":[]}`)
	res := p.Run(context.Background(), engine.RunOptions{})
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, `unknown output "nope"`) {
		t.Fatalf("result = %+v, want an unknown-output failure", res)
	}
}

func TestControlEdges(t *testing.T) {
	src := `{"nodes":[
	 {"id":"ctl","type":"test.Controller","data":{"calls":[{"text":"one"},{"text":"two"}]}},
	 {"id":"up","type":"nodetool.control.Reroute"},
	 {"id":"cat","type":"nodetool.output.Output","data":{"name":"replies"}}
	],"edges":[
	 {"id":"c1","source":"ctl","sourceHandle":"__control__","target":"up","targetHandle":"__control__","edge_type":"control"},
	 {"id":"e1","source":"ctl","sourceHandle":"output","target":"cat","targetHandle":"value"}
	]}`
	// Reroute is streaming-input; a controlled node runs per event
	// through its batch function, so use a buffered node instead.
	src = strings.Replace(src, `"type":"nodetool.control.Reroute"`, `"type":"test.Sleep","data":{"ms":0}`, 1)
	src = strings.ReplaceAll(src, `{"text":`, `{"value":`)
	p := nodetest.Compile(t, testNodes(t), src)
	res := p.Run(context.Background(), engine.RunOptions{})
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status = %s: %s", res.Status, res.Error)
	}
	if got := nodetest.Repr(res.Outputs["replies"]); got != "[['one', 'two']]" {
		t.Fatalf("replies = %s, want [['one', 'two']]", got)
	}
}

func TestControlEdgeValidation(t *testing.T) {
	src := `{"nodes":[{"id":"a","type":"nodetool.constant.String"},{"id":"b","type":"nodetool.text.ToUppercase"}],
	"edges":[{"id":"c","source":"a","sourceHandle":"__control__","target":"b","targetHandle":"text","edge_type":"control"}]}`
	w, _ := engine.ParseWorkflow([]byte(src))
	_, err := nodetest.Registry().Compile(&w.Graph)
	if err == nil || !strings.Contains(err.Error(), `a control edge must target "__control__"`) {
		t.Fatalf("Compile = %v, want a control edge error", err)
	}
}

func TestStreamingInputPush(t *testing.T) {
	src := `{"nodes":[
	 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic","value":null}},
	 {"id":"col","type":"nodetool.control.Collect"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}
	],"edges":[
	 {"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
	 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}
	]}`
	p := nodetest.Compile(t, nodetest.Registry(), src)
	job := p.Start(context.Background(), engine.RunOptions{})
	for _, s := range []string{"a", "b", "c"} {
		if err := job.Push("mic", pyval.DictOf("type", "chunk", "content", s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := job.Push("nosuch", 1); err == nil {
		t.Errorf("Push to an unknown input succeeded")
	}
	if err := job.EndInput("mic"); err != nil {
		t.Fatal(err)
	}
	res := job.Wait()
	if res.Status != engine.StatusCompleted || len(res.Outputs["chunks"]) != 1 || len(res.Outputs["chunks"][0].([]any)) != 3 {
		t.Fatalf("result = %+v, want three collected chunks", res)
	}
}

func TestEventShapes(t *testing.T) {
	res, events := nodetest.RunGraph(t, `{"nodes":[
	 {"id":"s","type":"nodetool.constant.String","data":{"value":"hi"}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}
	],"edges":[{"id":"e","source":"s","sourceHandle":"output","target":"o","targetHandle":"value"}]}`, "")
	if res.Status != engine.StatusCompleted {
		t.Fatal(res.Error)
	}
	want := map[string][]string{
		"job_update":    {"type", "status", "job_id", "workflow_id", "message", "result", "error", "traceback", "node_id", "duration", "run_state"},
		"node_update":   {"type", "node_id", "node_name", "node_type", "status", "error", "result", "properties", "job_id", "workflow_id"},
		"edge_update":   {"type", "edge_id", "status", "counter", "job_id", "workflow_id"},
		"output_update": {"type", "node_id", "node_name", "output_name", "value", "output_type", "metadata", "job_id", "workflow_id"},
	}
	seen := map[string]bool{}
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		if m["type"] != e.EventType() {
			t.Errorf("event %s has type %v", e.EventType(), m["type"])
		}
		if m["job_id"] != "job" || m["workflow_id"] != "wf" {
			t.Errorf("event %s lacks job or workflow id: %s", e.EventType(), b)
		}
		for _, k := range want[e.EventType()] {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks field %q: %s", e.EventType(), k, b)
			}
		}
		seen[e.EventType()] = true
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("no %s event", k)
		}
	}
	last := events[len(events)-1].(*engine.JobUpdate)
	if last.Message == nil || !strings.HasPrefix(*last.Message, "Workflow job completed in ") || last.Duration == nil {
		t.Errorf("final job_update = %+v", last)
	}
}

func TestParseWorkflowForms(t *testing.T) {
	cases := []struct {
		name, src, wantErr string
		nodes              int
	}{
		{"bare graph", `{"nodes":[{"id":"a","type":"nodetool.constant.String"}],"edges":[]}`, "", 1},
		{"full workflow", `{"id":"w","name":"W","graph":{"nodes":[{"id":1,"type":"nodetool.constant.String"}],"edges":[]},"extra_key":{"x":1}}`, "", 1},
		{"missing edges ok", `{"nodes":[]}`, "", 0},
		{"not an object", `[1,2]`, "must be a JSON object", 0},
		{"no graph", `{"name":"x"}`, `no "graph"`, 0},
		{"nodes not list", `{"nodes":{}}`, "graph.nodes must be a list", 0},
		{"node without id", `{"nodes":[{"type":"x"}]}`, `graph.nodes[0]: missing "id"`, 0},
		{"bad data", `{"nodes":[{"id":"a","data":[1]}]}`, `"data" must be an object`, 0},
		{"edge missing target", `{"nodes":[],"edges":[{"source":"a","sourceHandle":"o","targetHandle":"t"}]}`, `graph.edges[0]`, 0},
		{"malformed", `{"nodes":[`, "invalid JSON", 0},
		{"trailing", `{"nodes":[]} x`, "unexpected data", 0},
		{"name not string", `{"name":1,"graph":{"nodes":[]}}`, `"name" must be a string`, 0},
	}
	for _, c := range cases {
		w, err := engine.ParseWorkflow([]byte(c.src))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: ParseWorkflow(%q) error = %v, want %q", c.name, c.src, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ParseWorkflow(%q) = %v", c.name, c.src, err)
			continue
		}
		if len(w.Graph.Nodes) != c.nodes {
			t.Errorf("%s: %d nodes, want %d", c.name, len(w.Graph.Nodes), c.nodes)
		}
	}
}

func TestDataKeysFedByEdgesAreDropped(t *testing.T) {
	// The stale UI value "old" must not be used: the edge delivers "new".
	res, _ := nodetest.RunGraph(t, `{"nodes":[
	 {"id":"s","type":"nodetool.constant.String","data":{"value":"new"}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"r","value":"old"}}
	],"edges":[{"id":"e","source":"s","sourceHandle":"output","target":"o","targetHandle":"value"}]}`, "")
	if got := nodetest.Repr(res.Outputs["r"]); got != "['new']" {
		t.Fatalf("result = %s, want ['new']", got)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	w, _ := engine.ParseWorkflow([]byte(`{"nodes":[{"id":"7","type":"x.Y"}]}`))
	_, err := nodetest.Registry().Compile(&w.Graph)
	var verr *engine.ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].NodeID != "7" || verr.Problems[0].NodeType != "x.Y" {
		t.Fatalf("Compile = %v, want one problem naming node 7", err)
	}
	if got, want := err.Error(), "graph contains errors: unsupported node type x.Y (node 7)"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestCheckParams(t *testing.T) {
	p := nodetest.Compile(t, nodetest.Registry(), `{"nodes":[{"id":"n","type":"nodetool.input.IntegerInput","data":{"name":"count"}}]}`)
	for _, c := range []struct{ params, want string }{
		{`{"count": 3}`, ""},
		{`{"count": 3.0}`, ""},
		{`{"count": "3"}`, `param "count": expects int, got str`},
		{`{"cnt": 3}`, `unknown param "cnt": no input node has that name (inputs: count)`},
	} {
		probs := p.CheckParams(nodetest.MustJSON(t, c.params).(*pyval.Dict))
		got := ""
		if len(probs) > 0 {
			got = probs[0].Message
		}
		if got != c.want {
			t.Errorf("CheckParams(%s) = %q, want %q", c.params, got, c.want)
		}
	}
}

func TestRegistryRefusesBrokenDefinitions(t *testing.T) {
	for name, def := range map[string]*engine.NodeDef{
		"no function":  {Type: "t.A"},
		"two funcs":    {Type: "t.B", Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return nil, nil }, Gen: func(*engine.Ctx, *engine.Inputs, engine.Emit) error { return nil }},
		"dup prop":     {Type: "t.C", Props: []engine.Prop{engine.P("a", "int", "0", ""), engine.P("a", "int", "0", "")}, Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return nil, nil }},
		"bad default":  {Type: "t.D", Props: []engine.Prop{engine.P("a", "int", `"x"`, "")}, Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return nil, nil }},
		"already have": {Type: "nodetool.control.If", Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return nil, nil }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Add did not refuse the definition", name)
				}
			}()
			nodes.NewRegistry(nodes.Deps{}).Add(def)
		}()
	}
}

func TestControlEdgeToStreamingNodeRefused(t *testing.T) {
	src := `{"nodes":[{"id":"ctl","type":"test.Controller"},{"id":"col","type":"nodetool.control.Collect"}],
	"edges":[{"id":"c","source":"ctl","sourceHandle":"__control__","target":"col","targetHandle":"__control__","edge_type":"control"}]}`
	w, _ := engine.ParseWorkflow([]byte(src))
	_, err := testNodes(t).Compile(&w.Graph)
	if err == nil || !strings.Contains(err.Error(), "cannot be controlled") {
		t.Fatalf("Compile = %v, want a refusal of the control edge", err)
	}
}

// TestDroppedEdgesBeforeKeptOnes: with DropInvalidEdges, edges listed
// after dropped ones still count their messages (their counters are the
// plan's, not the file's), and the run completes.
func TestDroppedEdgesBeforeKeptOnes(t *testing.T) {
	src := `{"nodes":[
	{"id":"a","type":"nodetool.input.StringInput","data":{"name":"a","value":"x"}},
	{"id":"u","type":"nodetool.text.ToUppercase"},
	{"id":"o","type":"nodetool.output.Output","data":{"name":"out"}}],
	"edges":[
	{"id":"bad1","source":"a","sourceHandle":"nope","target":"u","targetHandle":"text"},
	{"id":"bad2","source":"a","sourceHandle":"nope","target":"u","targetHandle":"text"},
	{"id":"e1","source":"a","sourceHandle":"output","target":"u","targetHandle":"text"},
	{"id":"e2","source":"u","sourceHandle":"output","target":"o","targetHandle":"value"}]}`
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := testNodes(t).CompileWith(&w.Graph, engine.CompileOptions{DropInvalidEdges: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	counts := map[string]int64{}
	res := p.Run(context.Background(), engine.RunOptions{OnEvent: func(e engine.Event) {
		if u, ok := e.(*engine.EdgeUpdate); ok && u.Counter != nil {
			mu.Lock()
			counts[u.EdgeID] = *u.Counter
			mu.Unlock()
		}
	}})
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := nodetest.Repr(res.Outputs["out"]); got != "['X']" {
		t.Errorf("out = %s, want ['X']", got)
	}
	if counts["e1"] != 1 || counts["e2"] != 1 {
		t.Errorf("edge counters = %v, want e1 and e2 at 1", counts)
	}
}
