package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"nodetool/engine/pyval"
)

// testReg is shared by tests; registries are read-only once built.
var testReg = NewRegistry()

// mustJSON decodes a JSON literal into a value.
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := pyval.Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON literal %q: %v", s, err)
	}
	return v
}

// runGraphJSON loads, compiles and runs a workflow (bare graph or full
// workflow JSON) with optional params JSON, returning the result and every
// event posted.
func runGraphJSON(t testing.TB, src, paramsJSON string) (*Result, []Event) {
	t.Helper()
	w, err := ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatalf("ParseWorkflow: %v", err)
	}
	p, err := testReg.Compile(&w.Graph)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	var params *pyval.Dict
	if paramsJSON != "" {
		params = mustJSON(t, paramsJSON).(*pyval.Dict)
	}
	var mu sync.Mutex
	var events []Event
	res := p.Run(context.Background(), RunOptions{JobID: "job", WorkflowID: "wf", Params: params, OnEvent: func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	return res, events
}

// runNode runs one node of type typ configured with dataJSON (its "data"
// object) and returns every value each output slot produced. Each slot
// feeds an Output node named after it.
func runNode(t testing.TB, typ, dataJSON string) (map[string][]any, *Result) {
	t.Helper()
	def, ok := testReg.Lookup(typ)
	if !ok {
		t.Fatalf("unknown node type %s", typ)
	}
	if dataJSON == "" {
		dataJSON = "{}"
	}
	var nodes, edges []string
	nodes = append(nodes, fmt.Sprintf(`{"id":"n","type":%q,"data":%s}`, typ, dataJSON))
	for i, o := range def.Outputs {
		nodes = append(nodes, fmt.Sprintf(`{"id":"out%d","type":"nodetool.output.Output","data":{"name":%q}}`, i, o.Name))
		edges = append(edges, fmt.Sprintf(`{"id":"e%d","source":"n","sourceHandle":%q,"target":"out%d","targetHandle":"value"}`, i, o.Name, i))
	}
	src := `{"nodes":[` + strings.Join(nodes, ",") + `],"edges":[` + strings.Join(edges, ",") + `]}`
	res, _ := runGraphJSON(t, src, "")
	return res.Outputs, res
}

// nodeOutput runs one node and returns the single value of its output slot,
// failing the test if the run failed.
func nodeOutput(t testing.TB, typ, dataJSON, slot string) any {
	t.Helper()
	outs, res := runNode(t, typ, dataJSON)
	if res.Status != StatusCompleted {
		t.Fatalf("%s %s: status %s, error %q", typ, dataJSON, res.Status, res.Error)
	}
	vals := outs[slot]
	if len(vals) != 1 {
		t.Fatalf("%s %s: slot %s produced %d values (%s), want 1", typ, dataJSON, slot, len(vals), pyval.Repr(vals))
	}
	return vals[0]
}

// nodeError runs one node that must fail and returns its error message.
func nodeError(t testing.TB, typ, dataJSON string) string {
	t.Helper()
	_, res := runNode(t, typ, dataJSON)
	if res.Status != StatusFailed {
		t.Fatalf("%s %s: status %s, want failed", typ, dataJSON, res.Status)
	}
	if res.NodeID != "n" {
		t.Fatalf("%s %s: failed node %q, want n", typ, dataJSON, res.NodeID)
	}
	return res.Error
}

// reprOf renders a value as Python's repr, for compact comparisons.
func reprOf(v any) string { return pyval.Repr(v) }
