package control_test

import (
	"testing"

	"nodetool/nodes/nodetest"
)

// If keeps the values that wait for their condition within the max-value
// budget: here the condition comes only after the whole stream of values,
// so they all wait.
func TestIfBoundsWaitingValues(t *testing.T) {
	build := func(n int) *nodetest.Graph {
		g := &nodetest.Graph{}
		g.Node("seq", "nodetool.list.GenerateSequence", `{"start":0,"stop":`+itoa(n)+`}`)
		g.NodeDyn("row", "nodetool.dictionary.MakeDictionary", "", `{"n":null}`).Edge("seq", "output", "row", "n")
		g.Node("all", "nodetool.control.Collect", "").Edge("seq", "output", "all", "input_item")
		g.Node("cond", "lib.json.ValidateJSON", `{"json_schema":{"type":"array"}}`).Edge("all", "output", "cond", "data")
		g.Node("if", "nodetool.control.If", "").Edge("row", "output", "if", "value").Edge("cond", "output", "if", "condition")
		g.Node("count", "nodetool.control.Collect", "").Edge("if", "if_true", "count", "input_item")
		g.Node("len", "nodetool.list.Length", "").Edge("count", "output", "len", "values")
		return g.Output("len", "r")
	}
	// 1,100 waiting dicts of one key take 70,400 bytes: over 64 KiB.
	nodetest.WantValueLimit(t, build(1100).Run(t, nil, nodetest.SmallLimits), "if")
	res := build(500).Run(t, nil, nodetest.SmallLimits)
	nodetest.WantCompleted(t, res)
	if got := res.Outputs["r"]; len(got) != 1 || got[0] != int64(500) {
		t.Errorf("If passed %s values, want 500", nodetest.Repr(got))
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
