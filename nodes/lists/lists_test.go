package lists_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/lists"
	"nodetool/nodes/nodetest"
)

const digits = `[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]`

func TestListLengthRangeAndSequence(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Length", `{}`, `0`},
		{"nodetool.list.Length", `{"values": [1, [2, 3], null]}`, `3`},
		{"nodetool.list.ListRange", `{"stop": 5}`, `[0, 1, 2, 3, 4]`},
		{"nodetool.list.ListRange", `{"start": 5, "stop": 0, "step": -2}`, `[5, 3, 1]`},
		{"nodetool.list.ListRange", `{"start": -3, "stop": 4, "step": 3}`, `[-3, 0, 3]`},
		{"nodetool.list.ListRange", `{}`, `[]`},
		{"nodetool.list.ListRange", `{"start": 3, "stop": 1}`, `[]`},
		{"nodetool.list.ListRange", `{"start": 9223372036854775806, "stop": 9223372036854775807}`, `[9223372036854775806]`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.list.ListRange", `{"stop": 5, "step": 0}`, "step must not be 0"},
		{"nodetool.list.ListRange", `{"stop": 100000000}`, "over the max-value limit"},
		{"nodetool.list.ListRange", `{"start": -9223372036854775808, "stop": 9223372036854775807}`, "over the max-value limit"},
		{"nodetool.list.GenerateSequence", `{"stop": 5, "step": 0}`, "step must not be 0"},
	})
	seq := []struct{ data, want string }{
		{`{"stop": 4}`, `[0, 1, 2, 3]`},
		{`{"start": 10, "stop": 0, "step": -4}`, `[10, 6, 2]`},
		{`{}`, `[]`},
	}
	for _, c := range seq {
		outs, res := nodetest.RunNode(t, "nodetool.list.GenerateSequence", c.data)
		if res.Status != engine.StatusCompleted {
			t.Fatalf("GenerateSequence(%s): status %s, error %q", c.data, res.Status, res.Error)
		}
		got := outs["output"]
		if got == nil {
			got = []any{}
		}
		if nodetest.Repr(got) != c.want {
			t.Errorf("GenerateSequence(%s) streamed %s, want %s", c.data, nodetest.Repr(got), c.want)
		}
	}
}

func TestListSliceAndIndexing(t *testing.T) {
	slice := func(extra string) string { return `{"values": ` + digits + extra + `}` }
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Slice", slice(`, "start": 2, "stop": 5`), `[2, 3, 4]`},
		{"nodetool.list.Slice", slice(`, "start": -3`), `[7, 8, 9]`},
		{"nodetool.list.Slice", slice(`, "stop": -1`), `[0, 1, 2, 3, 4, 5, 6, 7, 8]`},
		{"nodetool.list.Slice", slice(`, "step": 2`), `[0, 2, 4, 6, 8]`},
		// start is always given, so a negative step from the default start
		// takes only the first item, as in the original.
		{"nodetool.list.Slice", slice(`, "step": -1`), `[0]`},
		{"nodetool.list.Slice", slice(`, "start": 9, "step": -1`), `[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]`},
		{"nodetool.list.Slice", slice(`, "start": 8, "stop": 2, "step": -2`), `[8, 6, 4]`},
		{"nodetool.list.Slice", slice(`, "start": -1, "step": -3`), `[9, 6, 3, 0]`},
		{"nodetool.list.Slice", slice(`, "start": 100`), `[]`},
		{"nodetool.list.Slice", slice(`, "start": -100, "stop": 3`), `[0, 1, 2]`},
		{"nodetool.list.Slice", slice(`, "start": -100, "step": -1`), `[]`},
		{"nodetool.list.Slice", slice(`, "start": 100, "step": -1`), `[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]`},
		{"nodetool.list.Slice", `{"start": 1}`, `[]`},
		{"nodetool.list.GetElement", `{"values": ["a", "b", "c"]}`, `'a'`},
		{"nodetool.list.GetElement", `{"values": ["a", "b", "c"], "index": -1}`, `'c'`},
		{"nodetool.list.GetElement", `{"values": ["a", "b", "c"], "index": -3}`, `'a'`},
		{"nodetool.list.GetElement", `{"values": [[1, 2], {"k": 1}], "index": 1}`, `{'k': 1}`},
		{"nodetool.list.SelectElements", `{"values": ["a", "b", "c"], "indices": [2, 0, -1]}`, `['c', 'a', 'c']`},
		{"nodetool.list.SelectElements", `{"values": ["a", "b", "c"], "indices": [1.0]}`, `['b']`},
		{"nodetool.list.SelectElements", `{"values": ["a", "b", "c"]}`, `[]`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.list.Slice", slice(`, "step": 0`), "slice step must not be 0"},
		{"nodetool.list.GetElement", `{"values": ["a", "b", "c"], "index": 3}`, "index 3 is out of range for a list of 3 items"},
		{"nodetool.list.GetElement", `{"values": ["a", "b", "c"], "index": -4}`, "index -4 is out of range for a list of 3 items"},
		{"nodetool.list.GetElement", `{}`, "index 0 is out of range: the list is empty"},
		{"nodetool.list.SelectElements", `{"values": ["a"], "indices": [0, 5]}`, "index 5 is out of range for a list of 1 items"},
		{"nodetool.list.SelectElements", `{"indices": [0]}`, "the list is empty"},
	})
}

func TestListBuildingReturnsNewLists(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Append", `{"values": [1, 2], "value": 3}`, `[1, 2, 3]`},
		{"nodetool.list.Append", `{"values": [1], "value": [2, 3]}`, `[1, [2, 3]]`},
		{"nodetool.list.Append", `{"value": "x"}`, `['x']`},
		// The unset value is the original's empty tuple, written [].
		{"nodetool.list.Append", `{"values": [1]}`, `[1, []]`},
		{"nodetool.list.Extend", `{"values": [1], "other_values": [2, [3]]}`, `[1, 2, [3]]`},
		{"nodetool.list.Extend", `{"other_values": [2]}`, `[2]`},
		{"nodetool.list.Extend", `{}`, `[]`},
		{"nodetool.list.Reverse", `{"values": [1, "a", [2]]}`, `[[2], 'a', 1]`},
		{"nodetool.list.Reverse", `{}`, `[]`},
		{"nodetool.list.Chunk", `{"values": [1, 2, 3, 4, 5], "chunk_size": 2}`, `[[1, 2], [3, 4], [5]]`},
		{"nodetool.list.Chunk", `{"values": [1, 2, 3]}`, `[[1], [2], [3]]`},
		{"nodetool.list.Chunk", `{"values": [1, 2, 3], "chunk_size": 9223372036854775807}`, `[[1, 2, 3]]`},
		{"nodetool.list.Chunk", `{}`, `[]`},
		{"nodetool.list.Flatten", `{"values": [[1, [2, [3]]], 4, []]}`, `[1, 2, 3, 4]`},
		{"nodetool.list.Flatten", `{"values": [[1, [2, [3]]], 4], "max_depth": 0}`, `[[1, [2, [3]]], 4]`},
		{"nodetool.list.Flatten", `{"values": [[1, [2, [3]]], 4], "max_depth": 1}`, `[1, [2, [3]], 4]`},
		{"nodetool.list.Flatten", `{"values": [{"a": [1]}, "ab"]}`, `[{'a': [1]}, 'ab']`},
		{"nodetool.list.Flatten", `{}`, `[]`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.list.Chunk", `{"values": [1], "chunk_size": 0}`, "chunk_size must be at least 1, got 0"},
		{"nodetool.list.Chunk", `{"values": [1], "chunk_size": -2}`, "chunk_size must be at least 1"},
		{"nodetool.list.Flatten", `{"values": [[1]], "max_depth": -2}`, "max_depth must be -1"},
	})

	// One list feeds Append, Extend and an output: the original list must
	// reach the output unchanged (quirk Q16 fixed).
	src := `{"nodes":[
	 {"id":"c","type":"nodetool.constant.List","data":{"value":[1,2]}},
	 {"id":"app","type":"nodetool.list.Append","data":{"value":3}},
	 {"id":"ext","type":"nodetool.list.Extend","data":{"other_values":[4]}},
	 {"id":"o1","type":"nodetool.output.Output","data":{"name":"orig"}},
	 {"id":"o2","type":"nodetool.output.Output","data":{"name":"appended"}},
	 {"id":"o3","type":"nodetool.output.Output","data":{"name":"extended"}}],
	"edges":[
	 {"id":"e1","source":"c","sourceHandle":"output","target":"app","targetHandle":"values"},
	 {"id":"e2","source":"c","sourceHandle":"output","target":"ext","targetHandle":"values"},
	 {"id":"e3","source":"app","sourceHandle":"output","target":"o2","targetHandle":"value"},
	 {"id":"e4","source":"ext","sourceHandle":"output","target":"o3","targetHandle":"value"},
	 {"id":"e5","source":"c","sourceHandle":"output","target":"o1","targetHandle":"value"}]}`
	for range 20 {
		res, _ := nodetest.RunGraph(t, src, "")
		if res.Status != engine.StatusCompleted {
			t.Fatalf("run failed: %s", res.Error)
		}
		for name, want := range map[string]string{"orig": "[[1, 2]]", "appended": "[[1, 2, 3]]", "extended": "[[1, 2, 4]]"} {
			if got := nodetest.Repr(res.Outputs[name]); got != want {
				t.Fatalf("output %s = %s, want %s", name, got, want)
			}
		}
	}
}

func TestListSetOperationsKeepFirstSeenOrder(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Dedupe", `{"values": [3, 1, 3, 2, 1]}`, `[3, 1, 2]`},
		// 1, 1.0 and True are one value in Python; "1" is another.
		{"nodetool.list.Dedupe", `{"values": [1, 1.0, true, "1", 2.5, 2.5]}`, `[1, '1', 2.5]`},
		{"nodetool.list.Dedupe", `{"values": [[1], [1], {"a": 1, "b": 2}, {"b": 2, "a": 1}, null, null]}`, `[[1], {'a': 1, 'b': 2}, None]`},
		{"nodetool.list.Dedupe", `{}`, `[]`},
		{"nodetool.list.Intersection", `{"list1": [4, 1, 2, 2, 3], "list2": [3, 2, 5]}`, `[2, 3]`},
		{"nodetool.list.Intersection", `{"list1": [[1], {"a": 1}, "x"], "list2": [{"a": 1}, [1]]}`, `[[1], {'a': 1}]`},
		{"nodetool.list.Intersection", `{"list1": [1, 2]}`, `[]`},
		{"nodetool.list.Union", `{"list1": [2, 1, 2], "list2": [3, 1.0, 4]}`, `[2, 1, 3, 4]`},
		{"nodetool.list.Union", `{"list2": ["b", "a", "b"]}`, `['b', 'a']`},
		{"nodetool.list.Difference", `{"list1": [1, 2, 3, 2, 4], "list2": [2, 4.0]}`, `[1, 3]`},
		{"nodetool.list.Difference", `{"list1": [[1], [2]], "list2": [[2]]}`, `[[1]]`},
		{"nodetool.list.Difference", `{"list2": [1]}`, `[]`},
	})
}

func TestListSortAndRandomize(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Sort", `{"values": [3, 1.5, 2, -1]}`, `[-1, 1.5, 2, 3]`},
		{"nodetool.list.Sort", `{"values": [3, 1.5, 2, -1], "order": "descending"}`, `[3, 2, 1.5, -1]`},
		{"nodetool.list.Sort", `{"values": ["b", "B", "a"]}`, `['B', 'a', 'b']`},
		{"nodetool.list.Sort", `{"values": [[1, 2], [1], [0, 5]]}`, `[[0, 5], [1], [1, 2]]`},
		// Equal items keep their order in both directions, as in Python.
		{"nodetool.list.Sort", `{"values": [1, 1.0, true], "order": "descending"}`, `[1, 1.0, True]`},
		{"nodetool.list.Sort", `{"values": [null]}`, `[None]`},
		{"nodetool.list.Sort", `{}`, `[]`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.list.Sort", `{"values": [1, "a"]}`, "cannot sort the list: '<' not supported between instances of 'str' and 'int'"},
		{"nodetool.list.Sort", `{"values": [{"a": 1}, {"a": 2}]}`, "cannot sort the list"},
		{"nodetool.list.Sort", `{"values": [null, null]}`, "cannot sort the list"},
	})

	in := []any{int64(1), int64(2), int64(3), int64(4), int64(5), "a", int64(2)}
	data := `{"values": [1, 2, 3, 4, 5, "a", 2]}`
	orders := map[string]bool{}
	for range 30 {
		got, ok := nodetest.Output(t, "nodetool.list.Randomize", data, "output").([]any)
		if !ok || len(got) != len(in) {
			t.Fatalf("Randomize(%s) = %s, want a permutation", data, nodetest.Repr(got))
		}
		orders[nodetest.Repr(got)] = true
		sorted := slices.SortedFunc(slices.Values(got), func(a, b any) int { return strings.Compare(nodetest.Repr(a), nodetest.Repr(b)) })
		want := slices.SortedFunc(slices.Values(in), func(a, b any) int { return strings.Compare(nodetest.Repr(a), nodetest.Repr(b)) })
		if nodetest.Repr(sorted) != nodetest.Repr(want) {
			t.Fatalf("Randomize(%s) = %s, not a permutation of the input", data, nodetest.Repr(got))
		}
	}
	if len(orders) < 2 {
		t.Errorf("Randomize gave the same order 30 times: %v", orders)
	}
	nodetest.RunCases(t, "", []nodetest.Case{{"nodetool.list.Randomize", `{}`, `[]`}})
}

func TestListAggregates(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Sum", `{"values": [1, 2, 3]}`, `6`},
		{"nodetool.list.Sum", `{"values": [1, 2.5]}`, `3.5`},
		{"nodetool.list.Sum", `{"values": [0.1, 0.2]}`, `0.30000000000000004`},
		{"nodetool.list.Sum", `{"values": [-5]}`, `-5`},
		{"nodetool.list.Sum", `{"values": [9223372036854775806, 1]}`, `9223372036854775807`},
		{"nodetool.list.Average", `{"values": [1, 2]}`, `1.5`},
		{"nodetool.list.Average", `{"values": [2, 2]}`, `2.0`},
		{"nodetool.list.Average", `{"values": [1.5]}`, `1.5`},
		{"nodetool.list.Product", `{"values": [2, 3, 4]}`, `24`},
		{"nodetool.list.Product", `{"values": [2, 0.5]}`, `1.0`},
		{"nodetool.list.Product", `{"values": [7]}`, `7`},
		{"nodetool.list.Product", `{"values": [-3, 0, 9223372036854775807]}`, `0`},
		{"nodetool.list.Minimum", `{"values": [3, 1.0, 1, 2]}`, `1.0`},
		{"nodetool.list.Minimum", `{"values": [-2]}`, `-2`},
		{"nodetool.list.Maximum", `{"values": [1, 3, 3.0, 2]}`, `3`},
		{"nodetool.list.Maximum", `{"values": [1.5, -7]}`, `1.5`},
	})
	nodetest.RunErrCases(t, "", []nodetest.Case{
		{"nodetool.list.Sum", `{}`, "cannot compute the sum of an empty list"},
		{"nodetool.list.Average", `{}`, "cannot compute the average of an empty list"},
		{"nodetool.list.Product", `{}`, "cannot compute the product of an empty list"},
		{"nodetool.list.Minimum", `{}`, "cannot compute the minimum of an empty list"},
		{"nodetool.list.Maximum", `{}`, "cannot compute the maximum of an empty list"},
		{"nodetool.list.Sum", `{"values": [9223372036854775807, 1]}`, "the sum is too large for a 64-bit integer"},
		{"nodetool.list.Sum", `{"values": [-9223372036854775808, -1]}`, "the sum is too large"},
		{"nodetool.list.Average", `{"values": [9223372036854775807, 1]}`, "too large"},
		{"nodetool.list.Product", `{"values": [4294967296, 4294967296]}`, "the product is too large for a 64-bit integer"},
		{"nodetool.list.Product", `{"values": [1e300, 1e300]}`, "the product is too large to represent"},
		{"nodetool.list.Sum", `{"values": [1.7e308, 1.7e308]}`, "the sum is too large to represent"},
	})

	// A list of the wrong element type arriving on an edge fails the node
	// with a clear message instead of reaching the arithmetic.
	for _, typ := range []string{"Sum", "Average", "Product", "Minimum", "Maximum"} {
		src := fmt.Sprintf(`{"nodes":[
		 {"id":"c","type":"nodetool.constant.List","data":{"value":[1,"a"]}},
		 {"id":"n","type":"nodetool.list.%s","data":{}},
		 {"id":"o","type":"nodetool.output.Output","data":{"name":"o"}}],
		"edges":[
		 {"id":"e1","source":"c","sourceHandle":"output","target":"n","targetHandle":"values"},
		 {"id":"e2","source":"n","sourceHandle":"output","target":"o","targetHandle":"value"}]}`, typ)
		res, _ := nodetest.RunGraph(t, src, "")
		if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, "list[float]") {
			t.Errorf("%s([1, 'a']) = status %s node %q error %q, want a failure of n naming list[float]", typ, res.Status, res.NodeID, res.Error)
		}
	}

	// Values that bypass input checks (such as booleans, which Python
	// counts as ints) and non-numbers are handled by the helpers.
	checks := []struct {
		values []any
		want   string
	}{
		{[]any{int64(1), "a"}, "item 1 is a str, not a number"},
		{[]any{[]any{}}, "item 0 is a list, not a number"},
		{[]any{nil}, "item 0 is a NoneType, not a number"},
		{[]any{int64(1), 2.5, true}, ""},
	}
	for _, c := range checks {
		err := lists.ListCheckNumbers(c.values, "sum")
		got := ""
		if err != nil {
			got = err.Error()
		}
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("lists.ListCheckNumbers(%s) = %q, want %q", pyval.Repr(c.values), got, c.want)
		}
	}
	sum, err := lists.ListFold([]any{true, true, int64(1)}, "sum", func(a, b int64) (int64, bool) { return a + b, true }, func(a, b float64) float64 { return a + b })
	if err != nil || nodetest.Repr(sum) != "3" {
		t.Errorf("lists.ListFold([True, True, 1]) = %v, %v, want 3", nodetest.Repr(sum), err)
	}
}

// Nodes that build a list check its size before building it.
func TestListNodesCheckSizeFirst(t *testing.T) {
	// 3,000 numbers take 48,000 bytes: under the 64 KiB budget, twice
	// that is over.
	cases := []struct{ name, typ, data, in1, in2 string }{
		{"Extend", "nodetool.list.Extend", "", "values", "other_values"},
		{"Union", "nodetool.list.Union", "", "list1", "list2"},
		{"Chunk of one", "nodetool.list.Chunk", `{"chunk_size":1}`, "values", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &nodetest.Graph{}
			g.Node("r", "nodetool.list.ListRange", `{"start":0,"stop":3000}`)
			g.Node("n", c.typ, c.data).Edge("r", "output", "n", c.in1)
			if c.in2 != "" {
				g.Node("r2", "nodetool.list.ListRange", `{"start":3000,"stop":6000}`).Edge("r2", "output", "n", c.in2)
			}
			nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")
		})
	}
	g := &nodetest.Graph{}
	g.Node("r", "nodetool.list.ListRange", `{"start":0,"stop":4096}`) // exactly 64 KiB
	g.Node("n", "nodetool.list.Append", `{"value":1}`).Edge("r", "output", "n", "values")
	nodetest.WantValueLimit(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits), "n")

	g = &nodetest.Graph{}
	g.Node("r", "nodetool.list.ListRange", `{"start":0,"stop":3000}`)
	g.Node("n", "nodetool.list.Chunk", `{"chunk_size":1000}`).Edge("r", "output", "n", "values")
	nodetest.WantCompleted(t, g.Output("n", "r").Run(t, nil, nodetest.SmallLimits))
}

// Flatten counts what it would build: a list that holds one list 2^40
// times is refused after the budget's worth of items, not built.
func TestListFlattenSharedSublists(t *testing.T) {
	g := &nodetest.Graph{}
	g.Node("leaf", "nodetool.list.ListRange", `{"start":0,"stop":10}`)
	top := g.SharedList("l", "leaf", 40)
	g.Node("flat", "nodetool.list.Flatten", "").Edge(top, "output", "flat", "values")
	nodetest.WantValueLimit(t, g.Output("flat", "r").Run(t, nil, nodetest.SmallLimits), "flat")

	g = &nodetest.Graph{}
	g.Node("leaf", "nodetool.list.ListRange", `{"start":0,"stop":10}`)
	top = g.SharedList("l", "leaf", 8)
	g.Node("flat", "nodetool.list.Flatten", "").Edge(top, "output", "flat", "values")
	res := g.Output("flat", "r").Run(t, nil, nodetest.SmallLimits)
	nodetest.WantCompleted(t, res)
	if got := len(res.Outputs["r"][0].([]any)); got != 10<<8 {
		t.Errorf("Flatten gave %d items, want %d", got, 10<<8)
	}
}

// Set operations and sorting compare a list or dict with itself at once,
// however large it is written out; comparing two large equal values polls
// the node's context, so the node-timeout budget stops it.
func TestListSetOperationsOnSharedValues(t *testing.T) {
	g := &nodetest.Graph{}
	d := g.SharedDict("d", 60)
	two := g.Pair("two", d, d)
	g.Node("dedupe", "nodetool.list.Dedupe", "").Edge(two, "output", "dedupe", "values")
	g.Node("union", "nodetool.list.Union", "").Edge(two, "output", "union", "list1").Edge(two, "output", "union", "list2")
	g.Node("inter", "nodetool.list.Intersection", "").Edge(two, "output", "inter", "list1").Edge(two, "output", "inter", "list2")
	g.Node("sort", "nodetool.list.Sort", "").Edge(g.Pair("lists", two, two), "output", "sort", "values")
	// The results are counted: recording the values themselves would
	// walk them.
	for _, name := range []string{"dedupe", "union", "inter", "sort"} {
		g.Node(name+"_len", "nodetool.list.Length", "").Edge(name, "output", name+"_len", "values").Output(name+"_len", name)
	}
	res := g.Run(t, nil, nodetest.SmallLimits)
	nodetest.WantCompleted(t, res)
	for name, want := range map[string]int64{"dedupe": 1, "union": 1, "inter": 1, "sort": 2} {
		if got := res.Outputs[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s gave %s items, want %d", name, nodetest.Repr(got), want)
		}
	}

	for _, typ := range []string{"nodetool.list.Dedupe", "nodetool.list.Sort"} {
		t.Run(typ, func(t *testing.T) {
			g := &nodetest.Graph{}
			a := g.SharedList("a", g.SharedDict("da", 2), 60)
			b := g.SharedList("b", g.SharedDict("db", 2), 60)
			g.Node("n", typ, "").Edge(g.Pair("ab", a, b), "output", "n", "values")
			lim := nodetest.SmallLimits
			lim.Node = 100 * time.Millisecond
			nodetest.WantLimit(t, g.Output("n", "r").Run(t, nil, lim), engine.LimitNodeTimeout, "n")
		})
	}
}

// A huge step takes one item, not a position past the end of the list.
func TestListSliceHugeStep(t *testing.T) {
	nodetest.RunCases(t, "", []nodetest.Case{
		{"nodetool.list.Slice", `{"values": [1, 2, 3], "start": 1, "step": 9223372036854775807}`, "[2]"},
		{"nodetool.list.Slice", `{"values": [1, 2, 3], "start": -1, "step": -9223372036854775808}`, "[3]"},
	})
}
