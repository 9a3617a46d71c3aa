package nodetest

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/nodes"
)

// SmallLimits are small budgets for the budget tests: values of 64 KiB (a
// list holds at most 4096 items), a minute per node.
var SmallLimits = engine.Limits{Value: 64 << 10, Node: time.Minute, Run: 2 * time.Minute}

// Case runs one node with Data and compares the repr of its "output" slot
// with Want. Type may omit the namespace RunCases is given. (An alias of
// an unnamed struct, so that test tables may list their cases unkeyed.)
type Case = struct {
	Type, Data, Want string
}

// RunCases runs each case; ns is prefixed to a Type without a dot
// ("nodetool.text.").
func RunCases(t *testing.T, ns string, cases []Case) {
	t.Helper()
	for _, c := range cases {
		typ := qualify(ns, c.Type)
		v := Output(t, typ, c.Data, "output")
		if l, ok := v.([]any); ok && l == nil {
			t.Errorf("%s(%s) = a nil list, which JSON writes as null", typ, c.Data)
		}
		if got := Repr(v); got != c.Want {
			t.Errorf("%s(%s) = %s, want %s", typ, c.Data, got, c.Want)
		}
	}
}

// RunErrCases runs nodes that must fail with an error containing Want.
func RunErrCases(t *testing.T, ns string, cases []Case) {
	t.Helper()
	for _, c := range cases {
		typ := qualify(ns, c.Type)
		if got := Error(t, typ, c.Data); !strings.Contains(got, c.Want) {
			t.Errorf("%s(%s) error = %q, want it to contain %q", typ, c.Data, got, c.Want)
		}
	}
}

func qualify(ns, typ string) string {
	if strings.Contains(typ, ".") {
		return typ
	}
	return ns + typ
}

// OneNode is node n of type typ configured with data, its output feeding
// an Output node named "r".
func OneNode(typ, data string) string {
	return fmt.Sprintf(`{"nodes":[{"id":"n","type":%q,"data":%s},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
	 "edges":[{"id":"e","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`, typ, data)
}

// RunLimits runs a graph of reg (Registry when nil) within lim.
func RunLimits(t testing.TB, reg *engine.Registry, src string, lim engine.Limits) *engine.Result {
	t.Helper()
	if reg == nil {
		reg = Registry()
	}
	return Compile(t, reg, src).Run(context.Background(), engine.RunOptions{JobID: "j", Limits: lim})
}

// BudgetCase is one node run within SmallLimits: a bomb (Want "") must
// fail in node n with the max-value budget before it builds its value; a
// normal input must give Want (the output's repr).
type BudgetCase = struct {
	Name, Type, Data string
	Want             string
}

// RunBudgetCases runs each budget case; ns is prefixed to a Type without a
// dot.
func RunBudgetCases(t *testing.T, ns string, cases []BudgetCase) {
	t.Helper()
	for _, c := range cases {
		res := RunLimits(t, nil, OneNode(qualify(ns, c.Type), c.Data), SmallLimits)
		if c.Want == "" {
			if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, engine.LimitValue) {
				t.Errorf("%s: status %s, node %q, error %.300q; want failed in n naming %s", c.Name, res.Status, res.NodeID, res.Error, engine.LimitValue)
			}
			if strings.Contains(res.Error, "its output") {
				t.Errorf("%s: the node built the value before the engine refused it: %.300q", c.Name, res.Error)
			}
			continue
		}
		if res.Status != engine.StatusCompleted {
			t.Errorf("%s: status %s, error %.300q; want completed", c.Name, res.Status, res.Error)
			continue
		}
		if got := Repr(res.Outputs["r"][0]); got != c.Want {
			t.Errorf("%s: output %.200s, want %.200s", c.Name, got, c.Want)
		}
	}
}

// WantLimit fails the test unless res failed in node with an error naming
// limit (and the node, when node is set).
func WantLimit(t testing.TB, res *engine.Result, limit, node string) {
	t.Helper()
	if res.Status != engine.StatusFailed || res.NodeID != node || !strings.Contains(res.Error, limit) {
		t.Fatalf("result: status %s, node %q, error %q; want failed in node %q naming %s", res.Status, res.NodeID, res.Error, node, limit)
	}
	if node != "" && !strings.Contains(res.Error, "node "+node+" (") {
		t.Fatalf("error %q does not name node %s", res.Error, node)
	}
}

// WantCompleted fails the test unless res completed.
func WantCompleted(t testing.TB, res *engine.Result) {
	t.Helper()
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s, node %q, error %q; want completed", res.Status, res.NodeID, res.Error)
	}
}

// Rep is strings.Repeat, short for test data.
func Rep(s string, n int) string { return strings.Repeat(s, n) }

// JS quotes s as a JSON string.
func JS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Graph builds workflow JSON node by node.
type Graph struct {
	nodes, edges []string
}

// Node adds a node; data is a JSON object ("" for none).
func (g *Graph) Node(id, typ, data string) *Graph { return g.NodeDyn(id, typ, data, "") }

// NodeDyn adds a node with dynamic properties dyn (a JSON object).
func (g *Graph) NodeDyn(id, typ, data, dyn string) *Graph {
	if data == "" {
		data = "{}"
	}
	n := fmt.Sprintf(`{"id":%q,"type":%q,"data":%s`, id, typ, data)
	if dyn != "" {
		n += `,"dynamic_properties":` + dyn
	}
	g.nodes = append(g.nodes, n+"}")
	return g
}

// Edge connects src's output handle to dst's input handle.
func (g *Graph) Edge(src, out, dst, in string) *Graph {
	g.edges = append(g.edges, fmt.Sprintf(`{"id":"e%d","source":%q,"sourceHandle":%q,"target":%q,"targetHandle":%q}`, len(g.edges), src, out, dst, in))
	return g
}

// Output records src's output under name.
func (g *Graph) Output(src, name string) *Graph {
	id := "out_" + name
	return g.Node(id, "nodetool.output.Output", fmt.Sprintf(`{"name":%q}`, name)).Edge(src, "output", id, "value")
}

// JSON is the workflow as JSON text.
func (g *Graph) JSON() string {
	return `{"nodes":[` + strings.Join(g.nodes, ",") + `],"edges":[` + strings.Join(g.edges, ",") + `]}`
}

// Run compiles and runs the graph on reg (Registry when nil) within lim.
func (g *Graph) Run(t testing.TB, reg *engine.Registry, lim engine.Limits) *engine.Result {
	t.Helper()
	return RunLimits(t, reg, g.JSON(), lim)
}

// SharedDict adds nodes building a dict of 2^levels leaves in levels+1
// small dicts: level i holds level i-1 under "a" and "b". It returns the
// id of the top node.
func (g *Graph) SharedDict(prefix string, levels int) string {
	id := prefix + "0"
	g.NodeDyn(id, "nodetool.dictionary.MakeDictionary", "", `{"x":"leaf"}`)
	for i := 1; i <= levels; i++ {
		next := fmt.Sprintf("%s%d", prefix, i)
		g.NodeDyn(next, "nodetool.dictionary.MakeDictionary", "", `{"a":null,"b":null}`)
		g.Edge(id, "output", next, "a").Edge(id, "output", next, "b")
		id = next
	}
	return id
}

// SharedList adds nodes building a list of 2^levels copies of leaf (a
// node id) in levels lists of two: level i is [level i-1, level i-1]. It
// returns the id of the top node.
func (g *Graph) SharedList(prefix, leaf string, levels int) string {
	id := leaf
	for i := 1; i <= levels; i++ {
		one := fmt.Sprintf("%s%d_one", prefix, i)
		two := fmt.Sprintf("%s%d", prefix, i)
		g.Node(one, "nodetool.list.Append", `{"values":[]}`).Edge(id, "output", one, "value")
		g.Node(two, "nodetool.list.Append", "").Edge(one, "output", two, "values").Edge(id, "output", two, "value")
		id = two
	}
	return id
}

// Pair adds a node making the list [a, b] of two node outputs.
func (g *Graph) Pair(id, a, b string) string {
	g.Node(id+"_one", "nodetool.list.Append", `{"values":[]}`).Edge(a, "output", id+"_one", "value")
	g.Node(id, "nodetool.list.Append", "").Edge(id+"_one", "output", id, "values").Edge(b, "output", id, "value")
	return id
}

// AliasRegistry is the whole library plus test.Alias, which emits a list
// nested depth levels deep whose every level holds the level below twice
// (a few hundred bytes of memory whose text, or a walk of it, is 2**depth
// items long), and test.Deep, which emits a list nested depth levels deep.
var AliasRegistry = sync.OnceValue(func() *engine.Registry {
	r := nodes.NewRegistry(nodes.Deps{})
	r.Add(&engine.NodeDef{
		Type:    "test.Alias",
		Props:   []engine.Prop{engine.P("depth", "int", "0", ""), engine.P("leaf", "any", "null", "")},
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			var v any = in.Get("leaf")
			for range in.Int("depth") {
				v = []any{v, v}
			}
			return engine.Single(v), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:    "test.Deep",
		Props:   []engine.Prop{engine.P("depth", "int", "0", "")},
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			var v any = []any{}
			for range in.Int("depth") {
				v = []any{v}
			}
			return engine.Single(v), nil
		},
	})
	return r
})

// WantValueLimit is WantLimit for the max-value budget.
func WantValueLimit(t testing.TB, res *engine.Result, node string) {
	t.Helper()
	WantLimit(t, res, engine.LimitValue, node)
}

// WaitGoroutines waits until no more goroutines run than base (counted
// before the test started its run), failing the test with every stack if
// some are still running after a generous while: a run must leave nothing
// behind.
func WaitGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
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
