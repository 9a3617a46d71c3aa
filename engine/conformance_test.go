package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// conformanceCase is one file of ../testdata/conformance: a workflow, the
// params to run it with, and what must come out. Expectations are written by
// hand from the engine's documented semantics, not recorded from a run.
type conformanceCase struct {
	Description string          `json:"description"`
	Workflow    json.RawMessage `json:"workflow"`
	Params      json.RawMessage `json:"params"`
	// Models "fake" runs the case with the deterministic fake provider
	// as the default model provider (for LLM nodes).
	Models string `json:"models"`
	Expect struct {
		// Problems: validation must fail, with one problem containing
		// each of these substrings.
		Problems []string `json:"problems"`
		// Status of the run: completed, failed or cancelled.
		Status string `json:"status"`
		// Result must equal the run's outputs exactly (Python equality:
		// 1 == 1.0); "absent" keys must not be there.
		Result json.RawMessage `json:"result"`
		// ErrorContains and FailedNode check a failed run.
		ErrorContains string `json:"error_contains"`
		FailedNode    string `json:"failed_node"`
		// Events counts events by type ("preview_update": 3), and by
		// type and node ("node_update:If:completed": 1).
		Events map[string]int `json:"events"`
		// EdgeMessages counts message_sent events per edge id.
		EdgeMessages map[string]int `json:"edge_messages"`
		// NodeOrder lists node ids whose first "completed" node_update
		// must appear in this order.
		NodeOrder []string `json:"node_order"`
		// Outputs checks the structure of output values, for results
		// that are not worth spelling out (model answers).
		Outputs map[string]outputShape `json:"outputs"`
	} `json:"expect"`
}

// outputShape describes the values an output node received.
type outputShape struct {
	Count    *int     `json:"count"`    // how many values
	Type     string   `json:"type"`     // each value's Python type name: str, int, list, dict, ...
	Keys     []string `json:"keys"`     // each dict value has these keys
	Length   *int     `json:"length"`   // each list value has this many items
	Contains string   `json:"contains"` // each str value contains this
	JSON     bool     `json:"json"`     // each str value is valid JSON
}

func checkShape(t *testing.T, name string, vals []any, want outputShape) {
	t.Helper()
	if want.Count != nil && len(vals) != *want.Count {
		t.Errorf("output %s: %d values, want %d (%s)", name, len(vals), *want.Count, pyval.Repr(vals))
	}
	for i, v := range vals {
		if want.Type != "" && pyval.TypeName(v) != want.Type {
			t.Errorf("output %s[%d] is %s, want %s: %s", name, i, pyval.TypeName(v), want.Type, pyval.Repr(v))
		}
		for _, k := range want.Keys {
			if d, ok := v.(*pyval.Dict); !ok || !d.Has(k) {
				t.Errorf("output %s[%d] has no key %q: %s", name, i, k, pyval.Repr(v))
			}
		}
		if want.Length != nil {
			if l, ok := v.([]any); !ok || len(l) != *want.Length {
				t.Errorf("output %s[%d] is not a list of %d items: %s", name, i, *want.Length, pyval.Repr(v))
			}
		}
		s, isStr := v.(string)
		if want.Contains != "" && (!isStr || !strings.Contains(s, want.Contains)) {
			t.Errorf("output %s[%d] = %s, want a string containing %q", name, i, pyval.Repr(v), want.Contains)
		}
		if want.JSON && (!isStr || !json.Valid([]byte(s))) {
			t.Errorf("output %s[%d] = %s, want JSON text", name, i, pyval.Repr(v))
		}
	}
}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob("../testdata/conformance/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance cases found: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c conformanceCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatalf("bad case file: %v", err)
			}
			for _, sc := range schedulers {
				t.Run(sc.name, func(t *testing.T) { checkCase(t, &c, sc.opts) })
			}
		})
	}
}

// schedulers are the ways a run can be scheduled: on one goroutine when
// the plan allows it (else concurrent), and concurrent from the start. Every
// case must come out the same through both.
var schedulers = []struct {
	name string
	opts func(engine.RunOptions) engine.RunOptions
}{
	{"auto", func(o engine.RunOptions) engine.RunOptions { return o }},
	{"concurrent", engine.ConcurrentRun},
}

func checkCase(t *testing.T, c *conformanceCase, sched func(engine.RunOptions) engine.RunOptions) {
	w, err := engine.ParseWorkflow(c.Workflow)
	if err != nil {
		t.Fatalf("ParseWorkflow: %v", err)
	}
	reg := nodetest.Registry()
	switch c.Models {
	case "":
	case "fake":
		reg = nodetest.FakeModels()
	default:
		t.Fatalf("models %q: only \"fake\" is known", c.Models)
	}
	plan, err := reg.Compile(&w.Graph)
	if len(c.Expect.Problems) > 0 {
		verr, ok := err.(*engine.ValidationError)
		if !ok {
			t.Fatalf("Compile error = %v, want a ValidationError", err)
		}
		for _, want := range c.Expect.Problems {
			found := false
			for _, p := range verr.Problems {
				if strings.Contains(p.Message, want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem contains %q; problems: %v", want, verr.Problems)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	var params *pyval.Dict
	if len(c.Params) > 0 {
		v, err := pyval.Decode(c.Params)
		if err != nil {
			t.Fatalf("params: %v", err)
		}
		params = v.(*pyval.Dict)
	}
	var mu sync.Mutex
	var events []engine.Event
	res := plan.Run(context.Background(), sched(engine.RunOptions{JobID: "job", WorkflowID: "wf", Params: params, OnEvent: func(e engine.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}}))
	if res.Status != c.Expect.Status {
		t.Fatalf("status = %s (error %q), want %s", res.Status, res.Error, c.Expect.Status)
	}
	if c.Expect.ErrorContains != "" && !strings.Contains(res.Error, c.Expect.ErrorContains) {
		t.Errorf("error = %q, want it to contain %q", res.Error, c.Expect.ErrorContains)
	}
	if c.Expect.FailedNode != "" && res.NodeID != c.Expect.FailedNode {
		t.Errorf("failed node = %q, want %q", res.NodeID, c.Expect.FailedNode)
	}
	if len(c.Expect.Result) > 0 {
		want, err := pyval.Decode(c.Expect.Result)
		if err != nil {
			t.Fatalf("expect.result: %v", err)
		}
		got := pyval.NewDict(len(res.Outputs))
		for _, k := range engine.SortedKeys(res.Outputs) {
			got.Set(k, res.Outputs[k])
		}
		if !pyval.Equal(got, want) {
			t.Errorf("result = %s, want %s", pyval.Repr(got), pyval.Repr(want))
		}
	}
	for _, name := range engine.SortedKeys(c.Expect.Outputs) {
		checkShape(t, name, res.Outputs[name], c.Expect.Outputs[name])
	}
	counts := map[string]int{}
	edgeMsgs := map[string]int{}
	completedAt := map[string]int{}
	for i, e := range events {
		counts[e.EventType()]++
		switch ev := e.(type) {
		case *engine.NodeUpdate:
			counts["node_update:"+ev.NodeID+":"+ev.Status]++
			if _, seen := completedAt[ev.NodeID]; !seen && ev.Status == "completed" {
				completedAt[ev.NodeID] = i
			}
		case *engine.EdgeUpdate:
			if ev.Status == "message_sent" {
				edgeMsgs[ev.EdgeID]++
			}
		}
	}
	for k, want := range c.Expect.Events {
		if counts[k] != want {
			t.Errorf("%d %s events, want %d", counts[k], k, want)
		}
	}
	for k, want := range c.Expect.EdgeMessages {
		if edgeMsgs[k] != want {
			t.Errorf("edge %s: %d messages, want %d", k, edgeMsgs[k], want)
		}
	}
	for i := 1; i < len(c.Expect.NodeOrder); i++ {
		a, b := c.Expect.NodeOrder[i-1], c.Expect.NodeOrder[i]
		ia, oka := completedAt[a]
		ib, okb := completedAt[b]
		if !oka || !okb || ia > ib {
			t.Errorf("node %s must complete before node %s (completed at events %d/%v and %d/%v)", a, b, ia, oka, ib, okb)
		}
	}
	if last, ok := events[len(events)-1].(*engine.JobUpdate); !ok || last.Status != res.Status {
		t.Errorf("last event = %#v, want the final job_update", events[len(events)-1])
	}
}
