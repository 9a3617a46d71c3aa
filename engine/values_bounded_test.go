package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"nodetool/engine/pyval"
)

// graph builds workflow JSON node by node, for the budget tests.
type graph struct {
	nodes, edges []string
}

// node adds a node; data and dyn are JSON objects ("" for none).
func (g *graph) node(id, typ, data string) *graph { return g.nodeDyn(id, typ, data, "") }

func (g *graph) nodeDyn(id, typ, data, dyn string) *graph {
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

// edge connects src's output handle to dst's input handle.
func (g *graph) edge(src, out, dst, in string) *graph {
	g.edges = append(g.edges, fmt.Sprintf(`{"id":"e%d","source":%q,"sourceHandle":%q,"target":%q,"targetHandle":%q}`, len(g.edges), src, out, dst, in))
	return g
}

// output records src's output under name.
func (g *graph) output(src, name string) *graph {
	id := "out_" + name
	return g.node(id, "nodetool.output.Output", fmt.Sprintf(`{"name":%q}`, name)).edge(src, "output", id, "value")
}

func (g *graph) json() string {
	return `{"nodes":[` + strings.Join(g.nodes, ",") + `],"edges":[` + strings.Join(g.edges, ",") + `]}`
}

// run compiles and runs the graph on reg (testReg when nil) within lim.
func (g *graph) run(t *testing.T, reg *Registry, lim Limits) *Result {
	t.Helper()
	if reg == nil {
		reg = testReg
	}
	return compileJSON(t, reg, g.json()).Run(context.Background(), RunOptions{JobID: "j", Limits: lim})
}

// sharedDict adds nodes building a dict of 2^levels leaves in levels+1
// small dicts: level i holds level i-1 under "a" and "b". It returns the
// id of the top node.
func (g *graph) sharedDict(prefix string, levels int) string {
	id := prefix + "0"
	g.nodeDyn(id, "nodetool.dictionary.MakeDictionary", "", `{"x":"leaf"}`)
	for i := 1; i <= levels; i++ {
		next := fmt.Sprintf("%s%d", prefix, i)
		g.nodeDyn(next, "nodetool.dictionary.MakeDictionary", "", `{"a":null,"b":null}`)
		g.edge(id, "output", next, "a").edge(id, "output", next, "b")
		id = next
	}
	return id
}

// sharedList adds nodes building a list of 2^levels copies of leaf (a
// node id) in levels lists of two: level i is [level i-1, level i-1]. It
// returns the id of the top node.
func (g *graph) sharedList(prefix, leaf string, levels int) string {
	id := leaf
	for i := 1; i <= levels; i++ {
		one := fmt.Sprintf("%s%d_one", prefix, i)
		two := fmt.Sprintf("%s%d", prefix, i)
		g.node(one, "nodetool.list.Append", `{"values":[]}`).edge(id, "output", one, "value")
		g.node(two, "nodetool.list.Append", "").edge(one, "output", two, "values").edge(id, "output", two, "value")
		id = two
	}
	return id
}

// pair adds a node making the list [a, b] of two node outputs.
func (g *graph) pair(id, a, b string) string {
	g.node(id+"_one", "nodetool.list.Append", `{"values":[]}`).edge(a, "output", id+"_one", "value")
	g.node(id, "nodetool.list.Append", "").edge(id+"_one", "output", id, "values").edge(b, "output", id, "value")
	return id
}

// small budgets for the budget tests: values of 64 KiB, a minute per node
// (tests of the node-timeout set their own).
var smallLimits = Limits{Value: 64 << 10, Node: time.Minute, Run: 2 * time.Minute}

func wantValueLimit(t *testing.T, res *Result, node string) {
	t.Helper()
	wantLimit(t, res, LimitValue, node)
}

func wantCompleted(t *testing.T, res *Result) {
	t.Helper()
	if res.Status != StatusCompleted {
		t.Fatalf("status %s, node %q, error %q; want completed", res.Status, res.NodeID, res.Error)
	}
}

func TestValueEqualAndHashAgree(t *testing.T) {
	shared := mustJSON(t, `{"k": [1, 2.5, "x"]}`)
	values := []any{
		nil, true, false, int64(0), int64(1), int64(-7), 1.0, 0.0, -0.0, 2.5, float64(1 << 62), int64(1 << 62),
		"", "a", "é", []any{}, []any{int64(1), "a"}, []any{1.0, "a"}, []any{true, "a"},
		mustJSON(t, `{}`), mustJSON(t, `{"a": 1, "b": [1, 2]}`), mustJSON(t, `{"b": [1.0, 2], "a": true}`),
		[]any{shared, shared}, []any{mustJSON(t, `{"k": [1, 2.5, "x"]}`), shared},
	}
	for _, jsonBools := range []bool{false, true} {
		h := newValueHasher(nil, jsonBools)
		for _, a := range values {
			for _, b := range values {
				eq, err := valueEqual(nil, a, b, jsonBools)
				if err != nil {
					t.Fatal(err)
				}
				want := pyval.Equal(a, b)
				if jsonBools {
					want = jsonSchemaEqual(a, b)
				}
				if eq != want {
					t.Errorf("valueEqual(%s, %s, %v) = %v, want %v", reprOf(a), reprOf(b), jsonBools, eq, want)
				}
				ha, _ := h.hash(a)
				hb, _ := h.hash(b)
				if eq && ha != hb {
					t.Errorf("hash(%s) != hash(%s) with jsonBools %v, though they are equal", reprOf(a), reprOf(b), jsonBools)
				}
			}
		}
	}
}

// jsonSchemaEqual is JSON Schema's equality written out plainly: booleans
// equal only booleans, numbers by value, containers item by item.
func jsonSchemaEqual(a, b any) bool {
	_, ab := a.(bool)
	_, bb := b.(bool)
	if ab || bb {
		return ab && bb && a == b
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonSchemaEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, ok := y.Get(k)
			if !ok || !jsonSchemaEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return pyval.Equal(a, b)
}

// A value that holds one dict 2^60 times hashes in a step per distinct
// dict, and compares equal to itself at once.
func TestValueWalkersOnSharedValues(t *testing.T) {
	v := any(pyval.DictOf("x", "leaf"))
	for range 60 {
		v = pyval.DictOf("a", v, "b", v)
	}
	h := newValueHasher(nil, false)
	if _, err := h.hash(v); err != nil {
		t.Fatal(err)
	}
	if len(h.memo) > 61 {
		t.Errorf("hashing remembered %d containers, want at most 61", len(h.memo))
	}
	s := newValueSet(nil, false)
	for range 3 {
		if _, err := s.add(v); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.buckets); n != 1 {
		t.Errorf("the set holds %d buckets, want 1", n)
	}
	if c, err := valueCompare(nil, []any{v}, []any{v}); err != nil || c != 0 {
		t.Errorf("valueCompare of a list with itself = %d, %v", c, err)
	}
}

func TestSizeWalkersMatchTheWriters(t *testing.T) {
	values := []any{
		nil, true, false, int64(-12345), 0.1, 1e22, -0.0, "plain", "quo\"te\\ back\nline\ttab\x01\x7f", "é ☃ 😀", "bad \xff byte",
		"it's", `"both' quotes"`, []any{}, mustJSON(t, `{}`), []byte{0, 10, 200},
		mustJSON(t, `{"a": [1, 2.5, {"b": null, "c": [true, "x"]}], "é": {"d": []}}`),
		[]any{mustJSON(t, `[[[]]]`), "\u2028\u0085"},
	}
	for _, v := range values {
		for _, o := range []pyval.DumpOptions{{Indent: -1}, {Indent: -1, EnsureASCII: true}, {Indent: 0}, {Indent: 3, EnsureASCII: true}} {
			n, err := jsonSize(nil, v, o, 1<<20)
			if want := int64(len(pyval.Dumps(v, o))); err != nil || n != want {
				t.Errorf("jsonSize(%s, %+v) = %d, %v; want %d", reprOf(v), o, n, err, want)
			}
		}
		if n, _ := reprSize(nil, v, 1<<20); n != int64(len(pyval.Repr(v))) {
			t.Errorf("reprSize(%s) = %d, want %d", reprOf(v), n, len(pyval.Repr(v)))
		}
		if n, _ := marshalSize(nil, v, 1<<20); n < int64(len(jsonText(v))) {
			t.Errorf("marshalSize(%s) = %d, under the true %d", reprOf(v), n, len(jsonText(v)))
		}
	}
	// The walk stops past its limit, so a huge value costs the limit.
	big := any("x")
	for range 64 {
		big = []any{big, big}
	}
	if n, _ := jsonSize(nil, big, pyval.DumpOptions{Indent: 2}, 1000); n != 1001 {
		t.Errorf("jsonSize of a 2^64-leaf value = %d, want the limit plus one", n)
	}
	if n, _ := jsonSize(nil, []any{int64(1)}, pyval.DumpOptions{Indent: 1 << 40}, 1<<20); n <= 1<<20 {
		t.Errorf("jsonSize with a huge indent = %d, want over the limit", n)
	}
}

func TestDecodeJSONBoundedMatchesDecode(t *testing.T) {
	docs := []string{`{"a": [1, 2.5, -3e2, "x", true, null, {}], "b": {"c": []}}`, `[]`, `"s"`, `12345678901234567890`, `[1, 2`, `{"a" 1}`, `1 2`, ``}
	for _, d := range docs {
		want, werr := pyval.Decode([]byte(d))
		got, gerr := decodeJSONBounded(nil, []byte(d))
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !pyval.Equal(got, want) {
			t.Errorf("decodeJSONBounded(%q) = %s, %v; want %s, %v", d, reprOf(got), gerr, reprOf(want), werr)
		}
	}
	deep := strings.Repeat("[", pyval.MaxDepth+1) + strings.Repeat("]", pyval.MaxDepth+1)
	if _, err := decodeJSONBounded(nil, []byte(deep)); err == nil || !strings.Contains(err.Error(), "nesting deeper") {
		t.Errorf("decodeJSONBounded(too deep) error %v", err)
	}
	// Three bytes of text, several times that of dict: 22 million of them
	// do not fit a 64 MiB budget.
	bomb := "[" + strings.Repeat("{},", 22_000_000) + "{}]"
	if _, err := decodeJSONBounded(nil, []byte(bomb)); err == nil || !strings.Contains(err.Error(), "max-value") {
		t.Errorf("decodeJSONBounded(22 million empty dicts) error %v, want the max-value budget", err)
	}
}
