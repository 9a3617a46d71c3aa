package engine_test

import (
	"context"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// The allocations of a 3-node text run with no subscriber, pinned with a
// little headroom (BenchmarkTextWorkflow/quiet measures its speed). Events
// are built only for a subscriber: with none, the run allocates fewer
// objects than it posts events.
func TestRunAllocs(t *testing.T) {
	p := nodetest.Compile(t, nodetest.Registry(), textWorkflow)
	var events int
	count := func(engine.Event) { events++ }
	run := func(o engine.RunOptions) {
		if res := p.Run(context.Background(), o); res.Status != engine.StatusCompleted {
			t.Fatal(res.Error)
		}
	}
	quiet := testing.AllocsPerRun(200, func() { run(engine.RunOptions{}) })
	listened := testing.AllocsPerRun(200, func() { run(engine.RunOptions{OnEvent: count}) })
	perRun := events / 201
	const pinned = 26
	if quiet > pinned {
		t.Errorf("a quiet 3-node run allocates %.0f objects, over the %d pinned", quiet, pinned)
	}
	if listened-quiet < float64(perRun) {
		t.Errorf("a run with a subscriber allocates %.0f objects, a quiet one %.0f: fewer than its %d events apart", listened, quiet, perRun)
	}
	t.Logf("quiet run: %.0f allocations; with a subscriber: %.0f (%d events)", quiet, listened, perRun)
}

// A run's workspace is made when a node first asks for it, once.
func TestMakeWorkspaceOnDemand(t *testing.T) {
	made := 0
	mk := func() (string, error) { made++; return t.TempDir(), nil }
	p := nodetest.Compile(t, nodetest.Registry(), textWorkflow)
	if res := p.Run(context.Background(), engine.RunOptions{MakeWorkspace: mk}); res.Status != engine.StatusCompleted || made != 0 {
		t.Errorf("a run whose nodes use no files: %s, workspace made %d times", res.Status, made)
	}
}

// The allocations of the 1,000-node chain with no subscriber, on one
// goroutine: a few objects per node (BenchmarkChain1000Quiet measures it).
func TestChainAllocs(t *testing.T) {
	p := nodetest.Compile(t, nodetest.Registry(), chainJSON(1000))
	if !p.StartsSequential() {
		t.Fatal("a chain should start on one goroutine")
	}
	allocs := testing.AllocsPerRun(20, func() {
		if res := p.Run(context.Background(), engine.RunOptions{}); res.Status != engine.StatusCompleted {
			t.Fatal(res.Error)
		}
	})
	const pinned = 2200
	if allocs > pinned {
		t.Errorf("a quiet 1,000-node chain allocates %.0f objects, over the %d pinned", allocs, pinned)
	}
	t.Logf("quiet 1,000-node chain: %.0f allocations", allocs)
}

// Runs start on one goroutine only when no parallelism is lost and no node
// waits on another outside its inbox.
func TestStartsSequential(t *testing.T) {
	node := func(id, typ string) string { return `{"id":"` + id + `","type":"` + typ + `"}` }
	edge := func(id, src, dst, handle string) string {
		return `{"id":"` + id + `","source":"` + src + `","sourceHandle":"output","target":"` + dst + `","targetHandle":"` + handle + `"}`
	}
	in := `{"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"x"}}`
	out := `{"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}`
	for _, c := range []struct {
		name, graph string
		want        bool
	}{
		{"text chain", textWorkflow, true},
		{"reroute chain", chainJSON(10), true},
		{"two independent text nodes", `{"nodes":[` + in + `,` + node("a", "nodetool.text.ToUppercase") + `,` + node("b", "nodetool.text.ToLowercase") + `,` + node("c", "nodetool.text.Concat") + `,` + out + `],"edges":[` +
			edge("e1", "in", "a", "text") + `,` + edge("e2", "in", "b", "text") + `,` + edge("e3", "a", "c", "a") + `,` + edge("e4", "b", "c", "b") + `,` + edge("e5", "c", "out", "value") + `]}`, false},
		{"two text nodes in a row", `{"nodes":[` + in + `,` + node("a", "nodetool.text.ToUppercase") + `,` + node("b", "nodetool.text.ToLowercase") + `,` + out + `],"edges":[` +
			edge("e1", "in", "a", "text") + `,` + edge("e2", "a", "b", "text") + `,` + edge("e3", "b", "out", "value") + `]}`, true},
	} {
		p := nodetest.Compile(t, nodetest.Registry(), c.graph)
		if got := p.StartsSequential(); got != c.want {
			t.Errorf("%s: starts sequential %v, want %v", c.name, got, c.want)
		}
		for _, sched := range []func(engine.RunOptions) engine.RunOptions{same, engine.ConcurrentRun} {
			if res := p.Run(context.Background(), sched(engine.RunOptions{})); res.Status != engine.StatusCompleted {
				t.Errorf("%s: %s %s", c.name, res.Status, res.Error)
			}
		}
	}
}

// A run that starts on one goroutine and meets a stream longer than its
// buffers turns concurrent where it stands and loses nothing.
func TestSequentialTurnsConcurrent(t *testing.T) {
	p := nodetest.Compile(t, nodetest.Registry(), `{"nodes":[
	 {"id":"seq","type":"nodetool.list.GenerateSequence","data":{"start":0,"stop":1000,"step":1}},
	 {"id":"col","type":"nodetool.control.Collect"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"items"}}
	],"edges":[
	 {"id":"e1","source":"seq","sourceHandle":"output","target":"col","targetHandle":"input_item"},
	 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}
	]}`)
	if !p.StartsSequential() {
		t.Fatal("the plan should start on one goroutine")
	}
	for _, sched := range []func(engine.RunOptions) engine.RunOptions{same, engine.ConcurrentRun} {
		sent := 0
		res := p.Run(context.Background(), sched(engine.RunOptions{OnEvent: func(e engine.Event) {
			if eu, ok := e.(*engine.EdgeUpdate); ok && eu.Status == "message_sent" && eu.EdgeID == "e1" {
				sent++
			}
		}}))
		if res.Status != engine.StatusCompleted {
			t.Fatalf("%s: %s", res.Status, res.Error)
		}
		if items, _ := res.Outputs["items"][0].([]any); len(items) != 1000 || !pyval.Equal(items[999], 999) || sent != 1000 {
			t.Errorf("got %d items, %d messages on e1; want 1000 ending with 999", len(items), sent)
		}
	}
}
