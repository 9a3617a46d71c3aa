package llm_test

import (
	"context"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

// The cost of an agent turn beyond the provider's own time: the fake
// provider answers in process, so a workflow run of one agent turn minus
// the provider alone is what the engine and the agent loop add.
//
//	go test ./nodes/llm -run '^$' -bench 'Turn' -benchmem

func benchRun(b *testing.B, src string) {
	reg := nodetest.FakeModels()
	p := nodetest.Compile(b, reg, src)
	ws := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res := p.Run(context.Background(), engine.RunOptions{Workspace: ws})
		if res.Status != engine.StatusCompleted {
			b.Fatalf("%s: %s", res.Status, res.Error)
		}
	}
}

// BenchmarkProviderTurn is the fake provider alone: one streamed answer,
// the same as the agent's turn gets.
func BenchmarkProviderTurn(b *testing.B) {
	p := providers.NewFake()
	req := &providers.Request{Model: "fake-model", Messages: []providers.Message{{Role: "user", Content: "Summarize the agent frameworks of 2026 in one line."}}}
	b.ReportAllocs()
	for range b.N {
		s, err := p.Stream(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := providers.Collect(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClaudeAgentTurn is a whole workflow run of a ClaudeAgent that
// answers in one model turn.
func BenchmarkClaudeAgentTurn(b *testing.B) {
	benchRun(b, claude(`{"prompt":"Summarize the agent frameworks of 2026 in one line.","allowed_tools":[]}`, "", ""))
}

// BenchmarkClaudeAgentToolTurns is a ClaudeAgent run of two model turns:
// a Glob call on the workspace, then the answer.
func BenchmarkClaudeAgentToolTurns(b *testing.B) {
	benchRun(b, claude(`{"prompt":"List the files.","allowed_tools":["Glob"]}`, "", ""))
}

// BenchmarkEmptyRun is the run of a workflow of one constant into an
// output: the engine's fixed cost of a run, for comparison.
func BenchmarkEmptyRun(b *testing.B) {
	benchRun(b, `{"nodes":[{"id":"c","type":"nodetool.constant.String","data":{"value":"x"}},{"id":"o","type":"nodetool.output.Output","data":{"name":"o"}}],
		"edges":[{"source":"c","sourceHandle":"output","target":"o","targetHandle":"value"}]}`)
}
