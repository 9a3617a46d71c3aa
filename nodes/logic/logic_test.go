package logic_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

func TestBooleanCompare(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{`{}`, true}, // 0 == 0
		{`{"a": 1, "b": 1.0, "comparison": "=="}`, true},
		{`{"a": 1, "b": 2, "comparison": "=="}`, false},
		{`{"a": 1, "b": 2, "comparison": "!="}`, true},
		{`{"a": 1.5, "b": 1.5, "comparison": "!="}`, false},
		{`{"a": 3, "b": 2.5, "comparison": ">"}`, true},
		{`{"a": 2, "b": 2, "comparison": ">"}`, false},
		{`{"a": -1, "b": 0, "comparison": "<"}`, true},
		{`{"a": 2, "b": 2.0, "comparison": ">="}`, true},
		{`{"a": 1.9, "b": 2, "comparison": ">="}`, false},
		{`{"a": 2, "b": 2, "comparison": "<="}`, true},
		{`{"a": 2.1, "b": 2, "comparison": "<="}`, false},
		// Ints compare exactly, even beyond float precision.
		{`{"a": 9007199254740993, "b": 9007199254740992, "comparison": ">"}`, true},
	}
	for _, tt := range tests {
		if got := nodetest.Output(t, "nodetool.boolean.Compare", tt.data, "output"); got != tt.want {
			t.Errorf("Compare(%s) = %v, want %v", tt.data, got, tt.want)
		}
	}
}

func TestBooleanLogicalOperator(t *testing.T) {
	want := map[string][4]bool{ // (F,F), (F,T), (T,F), (T,T)
		"and":  {false, false, false, true},
		"or":   {false, true, true, true},
		"xor":  {false, true, true, false},
		"nand": {true, true, true, false},
		"nor":  {true, false, false, false},
	}
	for op, w := range want {
		for i, ab := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			data := fmt.Sprintf(`{"a": %v, "b": %v, "operation": %q}`, ab[0], ab[1], op)
			if got := nodetest.Output(t, "nodetool.boolean.LogicalOperator", data, "output"); got != w[i] {
				t.Errorf("LogicalOperator(%s) = %v, want %v", data, got, w[i])
			}
		}
	}
	if got := nodetest.Output(t, "nodetool.boolean.LogicalOperator", `{}`, "output"); got != false {
		t.Errorf("LogicalOperator({}) = %v, want false", got)
	}
}

func TestBooleanNot(t *testing.T) {
	for data, want := range map[string]bool{`{}`: true, `{"value": false}`: true, `{"value": true}`: false} {
		if got := nodetest.Output(t, "nodetool.boolean.Not", data, "output"); got != want {
			t.Errorf("Not(%s) = %v, want %v", data, got, want)
		}
	}
}

func TestBooleanConditionalSwitch(t *testing.T) {
	tests := []struct{ data, want string }{
		{`{"condition": true, "if_true": "yes", "if_false": "no"}`, `'yes'`},
		{`{"condition": false, "if_true": "yes", "if_false": "no"}`, `'no'`},
		{`{"condition": true, "if_true": {"k": [1, 2]}}`, `{'k': [1, 2]}`},
		{`{"condition": true, "if_false": 3}`, `[]`}, // unset branch: the empty default
		{`{"if_true": 0}`, `[]`},
		{`{"if_false": 0}`, `0`},
	}
	for _, tt := range tests {
		if got := nodetest.Repr(nodetest.Output(t, "nodetool.boolean.ConditionalSwitch", tt.data, "output")); got != tt.want {
			t.Errorf("ConditionalSwitch(%s) = %s, want %s", tt.data, got, tt.want)
		}
	}
}

func TestBooleanConditionalSwitchWaitsForWiredInputs(t *testing.T) {
	// The condition and both branches arrive on edges; the switch runs once
	// with all of them.
	g := `{"nodes": [
		{"id": "c", "type": "nodetool.constant.Bool", "data": {"value": false}},
		{"id": "t", "type": "nodetool.constant.String", "data": {"value": "T"}},
		{"id": "f", "type": "nodetool.constant.Integer", "data": {"value": 7}},
		{"id": "s", "type": "nodetool.boolean.ConditionalSwitch", "data": {"condition": true}},
		{"id": "o", "type": "nodetool.output.Output", "data": {"name": "result"}}],
	"edges": [
		{"source": "c", "sourceHandle": "output", "target": "s", "targetHandle": "condition"},
		{"source": "t", "sourceHandle": "output", "target": "s", "targetHandle": "if_true"},
		{"source": "f", "sourceHandle": "output", "target": "s", "targetHandle": "if_false"},
		{"source": "s", "sourceHandle": "output", "target": "o", "targetHandle": "value"}]}`
	res, _ := nodetest.RunGraph(t, g, "")
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := nodetest.Repr(res.Outputs["result"]); got != "[7]" {
		t.Errorf("ConditionalSwitch through edges = %s, want [7]", got)
	}
}

func TestBooleanIsNone(t *testing.T) {
	// Q20 (mimicked): null is an empty value, so it never replaces the
	// default, neither from data nor from an edge; the result is false.
	for _, data := range []string{`{}`, `{"value": null}`, `{"value": 0}`, `{"value": ""}`, `{"value": []}`} {
		if got := nodetest.Output(t, "nodetool.boolean.IsNone", data, "output"); got != false {
			t.Errorf("IsNone(%s) = %v, want false", data, got)
		}
	}
	g := `{"nodes": [
		{"id": "l", "type": "nodetool.constant.List", "data": {"value": [null]}},
		{"id": "fe", "type": "nodetool.control.ForEach", "data": {}},
		{"id": "n", "type": "nodetool.boolean.IsNone", "data": {}},
		{"id": "o", "type": "nodetool.output.Output", "data": {"name": "result"}}],
	"edges": [
		{"source": "l", "sourceHandle": "output", "target": "fe", "targetHandle": "input_list"},
		{"source": "fe", "sourceHandle": "index", "target": "n", "targetHandle": "value"},
		{"source": "n", "sourceHandle": "output", "target": "o", "targetHandle": "value"}]}`
	res, _ := nodetest.RunGraph(t, g, "")
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	if got := nodetest.Repr(res.Outputs["result"]); got != "[False]" {
		t.Errorf("IsNone(index 0) = %s, want [False]", got)
	}
}

func TestBooleanIsIn(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{`{"value": 2, "options": [1, 2.0, 3]}`, true},
		{`{"value": "a", "options": ["b", "c"]}`, false},
		{`{"value": "a", "options": []}`, false},
		{`{"value": "a"}`, false},
		{`{"value": [1, 2], "options": [[1], [1, 2]]}`, true},
		{`{"value": {"k": 1}, "options": [{"k": 1.0}]}`, true},
		{`{"value": true, "options": [1]}`, true}, // Python: True == 1
		{`{"value": "1", "options": [1]}`, false},
		{`{"value": 0, "options": [null, "", false]}`, true},
	}
	for _, tt := range tests {
		if got := nodetest.Output(t, "nodetool.boolean.IsIn", tt.data, "output"); got != tt.want {
			t.Errorf("IsIn(%s) = %v, want %v", tt.data, got, tt.want)
		}
	}
}

func TestBooleanAllSome(t *testing.T) {
	tests := []struct {
		values   string
		all, any bool
	}{
		{`[]`, true, false},
		{`[true]`, true, true},
		{`[false]`, false, false},
		{`[true, true, true]`, true, true},
		{`[true, false, true]`, false, true},
		{`[false, false]`, false, false},
		{`true`, true, true}, // a single bool becomes a one-item list
	}
	for _, tt := range tests {
		data := `{"values": ` + tt.values + `}`
		if got := nodetest.Output(t, "nodetool.boolean.All", data, "output"); got != tt.all {
			t.Errorf("All(%s) = %v, want %v", tt.values, got, tt.all)
		}
		if got := nodetest.Output(t, "nodetool.boolean.Some", data, "output"); got != tt.any {
			t.Errorf("Some(%s) = %v, want %v", tt.values, got, tt.any)
		}
	}
	for _, typ := range []string{"nodetool.boolean.All", "nodetool.boolean.Some"} {
		want := typ == "nodetool.boolean.All"
		if got := nodetest.Output(t, typ, `{}`, "output"); got != want {
			t.Errorf("%s({}) = %v, want %v", typ, got, want)
		}
	}
}

// filterGraph builds constant.List -> control.ForEach -> filter -> control.Collect
// -> Output "result". extraEdges are added as given (they may refer to
// nodes "fe" and "f").
func filterGraph(filterType, listJSON, filterData, extraEdges string) string {
	if extraEdges != "" {
		extraEdges = "," + extraEdges
	}
	return fmt.Sprintf(`{"nodes": [
		{"id": "l", "type": "nodetool.constant.List", "data": {"value": %s}},
		{"id": "fe", "type": "nodetool.control.ForEach", "data": {}},
		{"id": "f", "type": %q, "data": %s},
		{"id": "c", "type": "nodetool.control.Collect", "data": {}},
		{"id": "o", "type": "nodetool.output.Output", "data": {"name": "result"}}],
	"edges": [
		{"source": "l", "sourceHandle": "output", "target": "fe", "targetHandle": "input_list"},
		{"source": "fe", "sourceHandle": "output", "target": "f", "targetHandle": "value"},
		{"source": "f", "sourceHandle": "output", "target": "c", "targetHandle": "input_item"},
		{"source": "c", "sourceHandle": "output", "target": "o", "targetHandle": "value"}%s]}`,
		listJSON, filterType, filterData, extraEdges)
}

// runFilterGraph runs a filter graph and returns the collected list.
func runFilterGraph(t *testing.T, g string) string {
	t.Helper()
	res, _ := nodetest.RunGraph(t, g, "")
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	vals := res.Outputs["result"]
	if len(vals) != 1 {
		t.Fatalf("result = %s, want one collected list", nodetest.Repr(vals))
	}
	return nodetest.Repr(vals[0])
}

func TestFilterNumberGraph(t *testing.T) {
	list := `[-3, -2, 0, 1, 2, 2.5, 4.0, "7", true, [5], {"x": 9}, null, 10]`
	tests := []struct{ data, want string }{
		{`{}`, `[1, 2, 2.5, 4.0, 10]`}, // greater_than 0
		{`{"filter_type": "greater_than", "compare_value": 2}`, `[2.5, 4.0, 10]`},
		{`{"filter_type": "less_than", "compare_value": 0}`, `[-3, -2]`},
		{`{"filter_type": "equal_to", "compare_value": 4}`, `[4.0]`},
		{`{"filter_type": "equal_to", "compare_value": 2.5}`, `[2.5]`},
		{`{"filter_type": "even"}`, `[-2, 0, 2, 4.0, 10]`},
		{`{"filter_type": "odd"}`, `[-3, 1, 2.5]`}, // 2.5 % 2 != 0, as in Python
		{`{"filter_type": "positive"}`, `[1, 2, 2.5, 4.0, 10]`},
		{`{"filter_type": "negative"}`, `[-3, -2]`},
		{`{"filter_type": "less_than", "compare_value": -100}`, `[]`},
	}
	for _, tt := range tests {
		got := runFilterGraph(t, filterGraph("nodetool.numbers.FilterNumber", list, tt.data, ""))
		if got != tt.want {
			t.Errorf("FilterNumber(%s) = %s, want %s", tt.data, got, tt.want)
		}
	}
	if got := runFilterGraph(t, filterGraph("nodetool.numbers.FilterNumber", `[]`, `{}`, "")); got != "[]" {
		t.Errorf("FilterNumber(empty stream) = %s, want []", got)
	}
}

func TestFilterNumberConfigMidStream(t *testing.T) {
	// ForEach emits each item, then its index; the index drives
	// compare_value, so item k is compared with k-1 (item 0 with the
	// default 0: data of a wired handle is dropped).
	edge := `{"source": "fe", "sourceHandle": "index", "target": "f", "targetHandle": "compare_value"}`
	got := runFilterGraph(t, filterGraph("nodetool.numbers.FilterNumber", `[5, 0, 3, 1, 10]`, `{"compare_value": -100}`, edge))
	if want := `[5, 3, 10]`; got != want {
		t.Errorf("FilterNumber(compare_value from index) = %s, want %s", got, want)
	}
}

func TestFilterNumberBadConfig(t *testing.T) {
	g := filterGraph("nodetool.numbers.FilterNumber", `[1, 2]`, `{}`,
		`{"source": "fe", "sourceHandle": "output", "target": "f", "targetHandle": "filter_type"}`)
	res, _ := nodetest.RunGraph(t, g, "")
	if res.Status != engine.StatusFailed || res.NodeID != "f" || !strings.Contains(res.Error, "filter_type") {
		t.Errorf("FilterNumber(filter_type=1) = %s %s %q, want failed f naming filter_type", res.Status, res.NodeID, res.Error)
	}
}

func TestFilterNumberUnwiredValue(t *testing.T) {
	// Like the original, a value set only in data is not a stream item.
	outs, res := nodetest.RunNode(t, "nodetool.numbers.FilterNumber", `{"value": 5}`)
	if res.Status != engine.StatusCompleted || len(outs["output"]) != 0 {
		t.Errorf("FilterNumber(value=5, unwired) = %s %s, want completed with no output", res.Status, nodetest.Repr(outs["output"]))
	}
}

func TestFilterNumberRangeGraph(t *testing.T) {
	list := `[-1, 0, 0.5, 1, 2, 2.0001, 3, "2", false]`
	tests := []struct{ data, want string }{
		{`{}`, `[0]`}, // min = max = 0, inclusive
		{`{"min_value": 0, "max_value": 2}`, `[0, 0.5, 1, 2]`},
		{`{"min_value": 0, "max_value": 2, "inclusive": false}`, `[0.5, 1]`},
		{`{"min_value": 0, "max_value": 0, "inclusive": false}`, `[]`},
		{`{"min_value": 3, "max_value": 1}`, `[]`},
		{`{"min_value": -10, "max_value": 10}`, `[-1, 0, 0.5, 1, 2, 2.0001, 3]`},
	}
	for _, tt := range tests {
		got := runFilterGraph(t, filterGraph("nodetool.numbers.FilterNumberRange", list, tt.data, ""))
		if got != tt.want {
			t.Errorf("FilterNumberRange(%s) = %s, want %s", tt.data, got, tt.want)
		}
	}
	// min_value follows the index: item k must be >= k-1 and <= 100. Item
	// 0 meets the default min_value 0 (data of a wired handle is dropped).
	edge := `{"source": "fe", "sourceHandle": "index", "target": "f", "targetHandle": "min_value"}`
	got := runFilterGraph(t, filterGraph("nodetool.numbers.FilterNumberRange", `[0, -1, 0, 5, 2]`, `{"min_value": -10, "max_value": 100}`, edge))
	if want := `[0, 5]`; got != want {
		t.Errorf("FilterNumberRange(min_value from index) = %s, want %s", got, want)
	}
}

// driveStream runs a streaming-input node on a scripted inbox: each step
// delivers a value on a handle, in order, then every handle ends. It
// returns what the node emitted on "output".
func driveStream(t *testing.T, typ, dataJSON string, steps [][2]any) ([]any, error) {
	t.Helper()
	def, ok := nodetest.Registry().Lookup(typ)
	if !ok {
		t.Fatalf("unknown node type %s", typ)
	}
	props := map[string]any{}
	for _, p := range def.Props {
		props[p.Name] = p.Default
	}
	nodetest.MustJSON(t, dataJSON).(*pyval.Dict).Range(func(k string, v any) bool {
		props[k] = v
		return true
	})
	var script []engine.Delivery
	for _, st := range steps {
		script = append(script, engine.Delivery{Handle: st[0].(string), Value: st[1]})
	}
	out, err := engine.DriveNode(context.Background(), def, props, script)
	return out["output"], err
}

func TestFilterNumberSettingsChangeMidStream(t *testing.T) {
	out, err := driveStream(t, "nodetool.numbers.FilterNumber", `{}`, [][2]any{
		{"value", int64(1)}, {"value", int64(-1)},
		{"filter_type", "negative"},
		{"value", int64(2)}, {"value", int64(-2)},
		{"filter_type", "less_than"}, {"compare_value", int64(10)},
		{"value", 9.5}, {"value", int64(11)}, {"value", "x"},
		{"filter_type", "even"},
		{"value", int64(4)}, {"value", int64(5)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := nodetest.Repr(out), "[1, -2, 9.5, 4]"; got != want {
		t.Errorf("FilterNumber(changing settings) = %s, want %s", got, want)
	}
	_, err = driveStream(t, "nodetool.numbers.FilterNumber", `{}`, [][2]any{{"filter_type", "bigger"}})
	if err == nil || !strings.Contains(err.Error(), "filter_type") {
		t.Errorf("FilterNumber(filter_type=bigger) error = %v, want one naming filter_type", err)
	}
	_, err = driveStream(t, "nodetool.numbers.FilterNumber", `{}`, [][2]any{{"compare_value", "ten"}})
	if err == nil || !strings.Contains(err.Error(), "compare_value") {
		t.Errorf("FilterNumber(compare_value=ten) error = %v, want one naming compare_value", err)
	}
}

func TestFilterNumberRangeSettingsChangeMidStream(t *testing.T) {
	out, err := driveStream(t, "nodetool.numbers.FilterNumberRange", `{"min_value": 1, "max_value": 3}`, [][2]any{
		{"value", int64(1)}, {"value", int64(3)},
		{"inclusive", false},
		{"value", int64(1)}, {"value", int64(2)}, {"value", int64(3)},
		{"max_value", int64(10)}, {"inclusive", true},
		{"value", int64(10)}, {"value", 10.5}, {"value", nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := nodetest.Repr(out), "[1, 3, 2, 10]"; got != want {
		t.Errorf("FilterNumberRange(changing settings) = %s, want %s", got, want)
	}
	_, err = driveStream(t, "nodetool.numbers.FilterNumberRange", `{}`, [][2]any{{"inclusive", "yes"}})
	if err == nil || !strings.Contains(err.Error(), "inclusive") {
		t.Errorf("FilterNumberRange(inclusive=yes) error = %v, want one naming inclusive", err)
	}
}

// TestBooleanIsInBudget compares values whose unfolded size is far larger
// than their memory (a list holding the same list twice, 40 levels deep):
// the comparison polls its context and stops at the node timeout; a value
// found by identity and an ordinary one still work.
func TestBooleanIsInBudget(t *testing.T) {
	reg := nodetest.AliasRegistry()
	graph := func(optionsFrom string) string {
		return `{"nodes":[
		 {"id":"a","type":"test.Alias","data":{"depth":40,"leaf":"x"}},
		 {"id":"b","type":"test.Alias","data":{"depth":40,"leaf":"x"}},
		 {"id":"l","type":"nodetool.list.Append","data":{"values":[]}},
		 {"id":"n","type":"nodetool.boolean.IsIn"},
		 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
		 "edges":[{"id":"e1","source":"a","sourceHandle":"output","target":"n","targetHandle":"value"},
		 {"id":"e2","source":"` + optionsFrom + `","sourceHandle":"output","target":"l","targetHandle":"value"},
		 {"id":"e3","source":"l","sourceHandle":"output","target":"n","targetHandle":"options"},
		 {"id":"e4","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	}
	res := nodetest.RunLimits(t, reg, graph("b"), engine.Limits{Node: 50 * time.Millisecond})
	nodetest.WantLimit(t, res, engine.LimitNodeTimeout, "n")
	res = nodetest.RunLimits(t, reg, graph("a"), engine.Limits{Node: time.Minute})
	if res.Status != engine.StatusCompleted || res.Outputs["r"][0] != true {
		t.Fatalf("IsIn(x, [x]): %s %q %v", res.Status, res.Error, res.Outputs)
	}
	res = nodetest.RunLimits(t, reg, `{"nodes":[
	 {"id":"a","type":"test.Deep","data":{"depth":1100}},
	 {"id":"b","type":"test.Deep","data":{"depth":1100}},
	 {"id":"l","type":"nodetool.list.Append","data":{"values":[]}},
	 {"id":"n","type":"nodetool.boolean.IsIn"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}],
	 "edges":[{"id":"e1","source":"a","sourceHandle":"output","target":"n","targetHandle":"value"},
	 {"id":"e2","source":"b","sourceHandle":"output","target":"l","targetHandle":"value"},
	 {"id":"e3","source":"l","sourceHandle":"output","target":"n","targetHandle":"options"},
	 {"id":"e4","source":"n","sourceHandle":"output","target":"out","targetHandle":"value"}]}`, engine.Limits{})
	if res.Status != engine.StatusFailed || res.NodeID != "n" || !strings.Contains(res.Error, "nested too deeply") {
		t.Errorf("IsIn on 1100 levels: %s %q %q", res.Status, res.NodeID, res.Error)
	}
}
