package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// chainJSON builds constant -> n Reroute nodes -> Output.
func chainJSON(n int) string {
	var b strings.Builder
	b.WriteString(`{"nodes":[{"id":"src","type":"nodetool.constant.String","data":{"value":"x"}},{"id":"out","type":"nodetool.output.Output","data":{"name":"r"}}`)
	for i := range n {
		fmt.Fprintf(&b, `,{"id":"r%d","type":"nodetool.control.Reroute"}`, i)
	}
	b.WriteString(`],"edges":[{"id":"e0","source":"src","sourceHandle":"output","target":"r0","targetHandle":"input_value"}`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `,{"id":"e%d","source":"r%d","sourceHandle":"output","target":"r%d","targetHandle":"input_value"}`, i, i-1, i)
	}
	fmt.Fprintf(&b, `,{"id":"last","source":"r%d","sourceHandle":"output","target":"out","targetHandle":"value"}]}`, n-1)
	return b.String()
}

func discard(engine.Event) {}

// BenchmarkChain1000 runs a chain of 1,000 pass-through nodes (load and
// validation excluded), with events delivered to a subscriber.
func BenchmarkChain1000(b *testing.B) {
	p := nodetest.Compile(b, nodetest.Registry(), chainJSON(1000))
	b.ReportAllocs()
	for b.Loop() {
		if res := p.Run(context.Background(), engine.RunOptions{OnEvent: discard}); res.Status != engine.StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}

// BenchmarkGraph10000 loads, validates and runs a 10,000-node chain.
func BenchmarkGraph10000(b *testing.B) {
	src := []byte(chainJSON(10000))
	b.ReportAllocs()
	for b.Loop() {
		w, err := engine.ParseWorkflow(src)
		if err != nil {
			b.Fatal(err)
		}
		p, err := nodetest.Registry().Compile(&w.Graph)
		if err != nil {
			b.Fatal(err)
		}
		if res := p.Run(context.Background(), engine.RunOptions{OnEvent: discard}); res.Status != engine.StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}

const textWorkflow = `{"nodes":[
 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hello"}},
 {"id":"up","type":"nodetool.text.ToUppercase"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}
],"edges":[
 {"id":"e1","source":"in","sourceHandle":"output","target":"up","targetHandle":"text"},
 {"id":"e2","source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}
]}`

// BenchmarkTextWorkflow runs input -> ToUppercase -> output in parallel on
// every core (load excluded), as a server would for concurrent requests.
// The "events" variant delivers every event to a subscriber, as a streaming
// request does; "quiet" collects only the result, as a plain run does.
func BenchmarkTextWorkflow(b *testing.B) {
	p := nodetest.Compile(b, nodetest.Registry(), textWorkflow)
	for _, bc := range []struct {
		name    string
		onEvent func(engine.Event)
		sched   func(engine.RunOptions) engine.RunOptions
	}{{"quiet", nil, same}, {"events", discard, same}, {"quiet-concurrent", nil, engine.ConcurrentRun}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res := p.Run(context.Background(), bc.sched(engine.RunOptions{OnEvent: bc.onEvent}))
					if res.Status != engine.StatusCompleted || res.Outputs["result"][0] != "HELLO" {
						b.Error("unexpected result", res.Status, res.Error)
						return
					}
				}
			})
		})
	}
}

// BenchmarkStream100k streams 100,000 items through ForEach ->
// ToUppercase -> Collect.
func BenchmarkStream100k(b *testing.B) {
	items := make([]string, 100000)
	for i := range items {
		items[i] = fmt.Sprintf(`"item %d"`, i)
	}
	src := `{"nodes":[
	 {"id":"l","type":"nodetool.constant.List","data":{"value":[` + strings.Join(items, ",") + `]}},
	 {"id":"each","type":"nodetool.control.ForEach"},
	 {"id":"up","type":"nodetool.text.ToUppercase"},
	 {"id":"col","type":"nodetool.control.Collect"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"items"}}
	],"edges":[
	 {"id":"e1","source":"l","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"up","targetHandle":"text"},
	 {"id":"e3","source":"up","sourceHandle":"output","target":"col","targetHandle":"input_item"},
	 {"id":"e4","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}
	]}`
	p := nodetest.Compile(b, nodetest.Registry(), src)
	for _, bc := range []struct {
		name    string
		onEvent func(engine.Event)
	}{{"quiet", nil}, {"events", discard}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res := p.Run(context.Background(), engine.RunOptions{OnEvent: bc.onEvent})
				if res.Status != engine.StatusCompleted || len(res.Outputs["items"][0].([]any)) != 100000 {
					b.Fatal("unexpected result", res.Status, res.Error)
				}
			}
		})
	}
}

// BenchmarkChain1000Quiet runs the 1,000-node chain with no subscriber, as
// a plain /run request does: on one goroutine (the plan allows it), and
// with the concurrent scheduler forced.
func BenchmarkChain1000Quiet(b *testing.B) {
	p := nodetest.Compile(b, nodetest.Registry(), chainJSON(1000))
	for _, bc := range []struct {
		name  string
		sched func(engine.RunOptions) engine.RunOptions
	}{{"sequential", same}, {"concurrent", engine.ConcurrentRun}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := p.Run(context.Background(), bc.sched(engine.RunOptions{})); res.Status != engine.StatusCompleted {
					b.Fatal(res.Error)
				}
			}
		})
	}
}

func same(o engine.RunOptions) engine.RunOptions { return o }
