package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// hostileCase is one file of ../testdata/hostile (see its README).
type hostileCase struct {
	Attack   string          `json:"attack"`
	Expect   string          `json:"expect"`
	Node     string          `json:"node"`
	Params   json.RawMessage `json:"params"`
	Workflow json.RawMessage `json:"workflow"`
}

// hostileLimits are small budgets, so that attacks that must fill a budget
// before they fail do it quickly under the race detector.
var hostileLimits = engine.Limits{Run: 2 * time.Minute, Node: time.Minute, Value: 4 << 20, Results: 16 << 20}

// TestHostileCorpus runs every attack of the corpus: each must be refused
// before it runs or fail inside its budgets, with an error naming the node
// and the limit.
func TestHostileCorpus(t *testing.T) {
	files, err := filepath.Glob("../testdata/hostile/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no hostile workflows found: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var c hostileCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatalf("bad case file: %v", err)
			}
			if c.Attack == "" || c.Expect == "" {
				t.Fatalf("case file needs an attack and an expect")
			}
			for _, sc := range schedulers {
				t.Run(sc.name, func(t *testing.T) { checkHostile(t, &c, sc.opts) })
			}
		})
	}
}

func checkHostile(t *testing.T, c *hostileCase, sched func(engine.RunOptions) engine.RunOptions) {
	w, err := engine.ParseWorkflow(c.Workflow)
	if err != nil {
		if !strings.Contains(err.Error(), c.Expect) {
			t.Fatalf("ParseWorkflow = %v, want an error containing %q", err, c.Expect)
		}
		return
	}
	plan, err := nodetest.FakeModels().Compile(&w.Graph)
	if err != nil {
		if c.Node != "" || !strings.Contains(err.Error(), c.Expect) {
			t.Fatalf("Compile = %v, want a run failing in node %q with %q", err, c.Node, c.Expect)
		}
		return
	}
	params := pyval.NewDict(0)
	if len(c.Params) > 0 {
		v, err := pyval.Decode(c.Params)
		if d, ok := v.(*pyval.Dict); err != nil || !ok {
			t.Fatalf("params: %v", err)
		} else {
			params = d
		}
	}
	res := plan.Run(context.Background(), sched(engine.RunOptions{JobID: "hostile", Params: params, Limits: hostileLimits}))
	if c.Expect == "completed" {
		if res.Status != engine.StatusCompleted {
			t.Fatalf("%s: status %s, node %q, error %q; want completed", c.Attack, res.Status, res.NodeID, res.Error)
		}
		return
	}
	if res.Status != engine.StatusFailed || res.NodeID != c.Node || !strings.Contains(res.Error, c.Expect) {
		t.Fatalf("%s: status %s, node %q, error %q; want failed in node %q with %q", c.Attack, res.Status, res.NodeID, res.Error, c.Node, c.Expect)
	}
}
