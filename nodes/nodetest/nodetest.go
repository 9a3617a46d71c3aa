// Package nodetest runs workflows and single nodes for the node library's
// tests, as httptest serves handlers for a server's: every helper compiles
// and runs on the real engine with the whole library registered.
package nodetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/providers"
)

// Registry returns the whole node library with no model provider (LLM
// nodes fail validation). It is built once; registries are read-only.
var Registry = sync.OnceValue(func() *engine.Registry { return nodes.NewRegistry(nodes.Deps{}) })

// FakeModels returns the whole node library with the deterministic fake
// provider as the default model provider ("fake-model").
var FakeModels = sync.OnceValue(func() *engine.Registry {
	set, err := providers.NewSet("fake", "fake-model", providers.NewFake())
	if err != nil {
		panic(err)
	}
	return nodes.NewRegistry(nodes.Deps{Models: set})
})

// MustJSON decodes a JSON literal into a value.
func MustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON literal %q: %v", s, err)
	}
	return v
}

// Compile loads and compiles a workflow (bare graph or full workflow JSON)
// against reg, failing the test on any problem.
func Compile(t testing.TB, reg *engine.Registry, src string) *engine.Plan {
	t.Helper()
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatalf("ParseWorkflow: %v", err)
	}
	p, err := reg.Compile(&w.Graph)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

// RunGraph compiles src against Registry and runs it with optional params
// JSON, returning the result and every event posted.
func RunGraph(t testing.TB, src, paramsJSON string) (*engine.Result, []engine.Event) {
	t.Helper()
	return RunGraphWith(t, Registry(), src, paramsJSON)
}

// RunGraphWith is RunGraph against reg.
func RunGraphWith(t testing.TB, reg *engine.Registry, src, paramsJSON string) (*engine.Result, []engine.Event) {
	t.Helper()
	p := Compile(t, reg, src)
	var params *pyval.Dict
	if paramsJSON != "" {
		params = MustJSON(t, paramsJSON).(*pyval.Dict)
	}
	var mu sync.Mutex
	var events []engine.Event
	res := p.Run(context.Background(), engine.RunOptions{JobID: "job", WorkflowID: "wf", Params: params, OnEvent: func(e engine.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	return res, events
}

// RunNode runs one node of type typ configured with dataJSON (its "data"
// object) and returns every value each output slot produced. Each slot
// feeds an Output node named after it.
func RunNode(t testing.TB, typ, dataJSON string) (map[string][]any, *engine.Result) {
	t.Helper()
	def, ok := Registry().Lookup(typ)
	if !ok {
		t.Fatalf("unknown node type %s", typ)
	}
	if dataJSON == "" {
		dataJSON = "{}"
	}
	var ns, edges []string
	ns = append(ns, fmt.Sprintf(`{"id":"n","type":%q,"data":%s}`, typ, dataJSON))
	for i, o := range def.Outputs {
		ns = append(ns, fmt.Sprintf(`{"id":"out%d","type":"nodetool.output.Output","data":{"name":%q}}`, i, o.Name))
		edges = append(edges, fmt.Sprintf(`{"id":"e%d","source":"n","sourceHandle":%q,"target":"out%d","targetHandle":"value"}`, i, o.Name, i))
	}
	src := `{"nodes":[` + strings.Join(ns, ",") + `],"edges":[` + strings.Join(edges, ",") + `]}`
	res, _ := RunGraph(t, src, "")
	return res.Outputs, res
}

// Output runs one node and returns the single value of its output slot,
// failing the test if the run failed.
func Output(t testing.TB, typ, dataJSON, slot string) any {
	t.Helper()
	outs, res := RunNode(t, typ, dataJSON)
	if res.Status != engine.StatusCompleted {
		t.Fatalf("%s %s: status %s, error %q", typ, dataJSON, res.Status, res.Error)
	}
	vals := outs[slot]
	if len(vals) != 1 {
		t.Fatalf("%s %s: slot %s produced %d values (%s), want 1", typ, dataJSON, slot, len(vals), pyval.Repr(vals))
	}
	return vals[0]
}

// Error runs one node that must fail and returns its error message.
func Error(t testing.TB, typ, dataJSON string) string {
	t.Helper()
	_, res := RunNode(t, typ, dataJSON)
	if res.Status != engine.StatusFailed {
		t.Fatalf("%s %s: status %s, want failed", typ, dataJSON, res.Status)
	}
	if res.NodeID != "n" {
		t.Fatalf("%s %s: failed node %q, want n", typ, dataJSON, res.NodeID)
	}
	return res.Error
}

// Repr renders a value as Python's repr, for compact comparisons.
func Repr(v any) string { return pyval.Repr(v) }
