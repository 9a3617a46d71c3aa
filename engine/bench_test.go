package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
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

func discard(Event) {}

// BenchmarkChain1000 runs a chain of 1,000 pass-through nodes (load and
// validation excluded), with events delivered to a subscriber.
func BenchmarkChain1000(b *testing.B) {
	p := compileJSON(b, testReg, chainJSON(1000))
	b.ReportAllocs()
	for b.Loop() {
		if res := p.Run(context.Background(), RunOptions{OnEvent: discard}); res.Status != StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}

// BenchmarkGraph10000 loads, validates and runs a 10,000-node chain.
func BenchmarkGraph10000(b *testing.B) {
	src := []byte(chainJSON(10000))
	b.ReportAllocs()
	for b.Loop() {
		w, err := ParseWorkflow(src)
		if err != nil {
			b.Fatal(err)
		}
		p, err := testReg.Compile(&w.Graph)
		if err != nil {
			b.Fatal(err)
		}
		if res := p.Run(context.Background(), RunOptions{OnEvent: discard}); res.Status != StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}
