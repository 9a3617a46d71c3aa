package engine_test

import (
	"context"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// text7 is the load tool's 7-node text workflow (testdata/loadtest).
const text7 = `{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hello"}},
 {"id":"a","type":"nodetool.text.ToUppercase"},
 {"id":"b","type":"nodetool.text.Concat","data":{"b":" and more"}},
 {"id":"c","type":"nodetool.text.ToLowercase"},
 {"id":"d","type":"nodetool.text.Replace","data":{"old":"more","new":"less"}},
 {"id":"e","type":"nodetool.text.ToUppercase"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
"edges":[
 {"id":"1","source":"in","sourceHandle":"output","target":"a","targetHandle":"text"},
 {"id":"2","source":"a","sourceHandle":"output","target":"b","targetHandle":"a"},
 {"id":"3","source":"b","sourceHandle":"output","target":"c","targetHandle":"text"},
 {"id":"4","source":"c","sourceHandle":"output","target":"d","targetHandle":"text"},
 {"id":"5","source":"d","sourceHandle":"output","target":"e","targetHandle":"text"},
 {"id":"6","source":"e","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

// BenchmarkText7 runs the 7-node text workflow quietly on one goroutine.
func BenchmarkText7(b *testing.B) {
	p := nodetest.Compile(b, nodetest.Registry(), text7)
	b.ReportAllocs()
	for b.Loop() {
		res := p.Run(context.Background(), engine.RunOptions{})
		if res.Status != engine.StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}

// The allocations of the quiet 7-node run, pinned with a little headroom:
// a node's inputs and their edge-fed values come from slices the run makes
// once, so each node adds only what its own code allocates.
func TestRun7Allocs(t *testing.T) {
	p := nodetest.Compile(t, nodetest.Registry(), text7)
	allocs := testing.AllocsPerRun(200, func() {
		if res := p.Run(context.Background(), engine.RunOptions{}); res.Status != engine.StatusCompleted {
			t.Fatal(res.Error)
		}
	})
	const pinned = 52
	if allocs > pinned {
		t.Errorf("a quiet 7-node run allocates %.0f objects, over the %d pinned", allocs, pinned)
	}
	t.Logf("quiet 7-node run: %.0f allocations", allocs)
}
