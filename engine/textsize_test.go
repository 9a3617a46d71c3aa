package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Helpers for the budget tests of the text, template and logic nodes.

// budgetLimits are small budgets: 64 KiB values, so a list holds at most
// 4096 items.
var budgetLimits = Limits{Value: 64 << 10, Node: time.Minute, Run: 2 * time.Minute}

// oneNodeGraph is node n of type typ configured with data, its output
// feeding an Output node.
func oneNodeGraph(typ, data string) string {
	return fmt.Sprintf(`{"nodes":[{"id":"n","type":%q,"data":%s},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
	 "edges":[{"id":"e","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`, typ, data)
}

// runBudget runs a graph of reg (testReg when nil) within lim.
func runBudget(t testing.TB, reg *Registry, src string, lim Limits) *Result {
	t.Helper()
	if reg == nil {
		reg = testReg
	}
	return compileJSON(t, reg, src).Run(context.Background(), RunOptions{JobID: "j", Limits: lim})
}

// budgetCase is one node run within budgetLimits: a bomb must fail with
// the max-value budget in node n, a normal input must give want.
type budgetCase struct {
	name, typ, data string
	want            string // the output's repr; "" for a bomb
}

func runBudgetCases(t *testing.T, cases []budgetCase) {
	t.Helper()
	for _, c := range cases {
		typ := c.typ
		if !strings.Contains(typ, ".") {
			typ = "nodetool.text." + typ
		}
		res := runBudget(t, nil, oneNodeGraph(typ, c.data), budgetLimits)
		if c.want == "" {
			if res.Status != StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, LimitValue) {
				t.Errorf("%s: status %s, node %q, error %.300q; want failed in n naming %s", c.name, res.Status, res.NodeID, res.Error, LimitValue)
			}
			if strings.Contains(res.Error, "its output") {
				t.Errorf("%s: the node built the value before the engine refused it: %.300q", c.name, res.Error)
			}
			continue
		}
		if res.Status != StatusCompleted {
			t.Errorf("%s: status %s, error %.300q; want completed", c.name, res.Status, res.Error)
			continue
		}
		if got := reprOf(res.Outputs["r"][0]); got != c.want {
			t.Errorf("%s: output %.200s, want %.200s", c.name, got, c.want)
		}
	}
}

// rep is strings.Repeat, short for test data.
func rep(s string, n int) string { return strings.Repeat(s, n) }

// js quotes s as a JSON string.
func js(s string) string { return jsonString(s) }

// aliasReg is testReg plus test.Deep, which emits a list nested depth
// levels deep, and test.Alias, which emits a list nested depth
// levels deep whose every level holds the level below twice: a few
// hundred bytes of memory whose text, or a comparison walking it, is
// 2**depth items long.
func aliasReg(t testing.TB) *Registry {
	r := testNodes(t)
	r.Add(&NodeDef{
		Type:    "test.Alias",
		Props:   []Prop{P("depth", "int", "0", ""), P("leaf", "any", "null", "")},
		Outputs: Out("output", "any"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			var v any = in.Get("leaf")
			for range in.Int("depth") {
				v = []any{v, v}
			}
			return Single(v), nil
		},
	})
	r.Add(&NodeDef{
		Type:    "test.Deep",
		Props:   []Prop{P("depth", "int", "0", "")},
		Outputs: Out("output", "any"),
		Process: func(ctx *Ctx, in *Inputs) (map[string]any, error) {
			var v any = []any{}
			for range in.Int("depth") {
				v = []any{v}
			}
			return Single(v), nil
		},
	})
	return r
}

func TestTextSizeHelpers(t *testing.T) {
	if addSize(1, 2) != 3 || addSize(-1, 2) != -1 || addSize(maxSize, 1) != -1 {
		t.Error("addSize")
	}
	if mulSize(3, 4) != 12 || mulSize(-1, 4) != -1 || mulSize(1<<62, 4) != -1 || mulSize(0, maxSize) != 0 {
		t.Error("mulSize")
	}
	if got := clip("héllo", 2); got != "h..." {
		t.Errorf("clip = %q", got)
	}
	if got := clipQuote(rep("x", 1000)); len(got) > 100 {
		t.Errorf("clipQuote gave %d bytes", len(got))
	}
	if n := jsonValueCount(`{"a": [1, 2, "x,y:[{"], "b\"": {}}`); n != 9 {
		t.Errorf("jsonValueCount = %d, want 9", n)
	}
}
