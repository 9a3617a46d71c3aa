package engine

import "testing"

// If keeps the values that wait for their condition within the max-value
// budget: here the condition comes only after the whole stream of values,
// so they all wait.
func TestIfBoundsWaitingValues(t *testing.T) {
	build := func(n int) *graph {
		g := &graph{}
		g.node("seq", "nodetool.list.GenerateSequence", `{"start":0,"stop":`+itoa(n)+`}`)
		g.nodeDyn("row", "nodetool.dictionary.MakeDictionary", "", `{"n":null}`).edge("seq", "output", "row", "n")
		g.node("all", "nodetool.control.Collect", "").edge("seq", "output", "all", "input_item")
		g.node("cond", "lib.json.ValidateJSON", `{"json_schema":{"type":"array"}}`).edge("all", "output", "cond", "data")
		g.node("if", "nodetool.control.If", "").edge("row", "output", "if", "value").edge("cond", "output", "if", "condition")
		g.node("count", "nodetool.control.Collect", "").edge("if", "if_true", "count", "input_item")
		g.node("len", "nodetool.list.Length", "").edge("count", "output", "len", "values")
		return g.output("len", "r")
	}
	// 1,100 waiting dicts of one key take 70,400 bytes: over 64 KiB.
	wantValueLimit(t, build(1100).run(t, nil, smallLimits), "if")
	res := build(500).run(t, nil, smallLimits)
	wantCompleted(t, res)
	if got := res.Outputs["r"]; len(got) != 1 || got[0] != int64(500) {
		t.Errorf("If passed %s values, want 500", reprOf(got))
	}
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}
