package engine_test

import (
	"context"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// The allocations of a 3-node text run with no subscriber, pinned with a
// little headroom (BenchmarkTextWorkflow/quiet measures its speed). Events
// are built only for a subscriber: with none, the run allocates fewer
// objects than it posts events.
func TestRunAllocs(t *testing.T) {
	p := nodetest.Compile(t, nodetest.Registry(), textWorkflow)
	var events int
	count := func(engine.Event) { events++ }
	run := func(o engine.RunOptions) {
		if res := p.Run(context.Background(), o); res.Status != engine.StatusCompleted {
			t.Fatal(res.Error)
		}
	}
	quiet := testing.AllocsPerRun(200, func() { run(engine.RunOptions{}) })
	listened := testing.AllocsPerRun(200, func() { run(engine.RunOptions{OnEvent: count}) })
	perRun := events / 201
	const pinned = 44
	if quiet > pinned {
		t.Errorf("a quiet 3-node run allocates %.0f objects, over the %d pinned", quiet, pinned)
	}
	if listened-quiet < float64(perRun) {
		t.Errorf("a run with a subscriber allocates %.0f objects, a quiet one %.0f: fewer than its %d events apart", listened, quiet, perRun)
	}
	t.Logf("quiet run: %.0f allocations; with a subscriber: %.0f (%d events)", quiet, listened, perRun)
}

// A run's workspace is made when a node first asks for it, once.
func TestMakeWorkspaceOnDemand(t *testing.T) {
	made := 0
	mk := func() (string, error) { made++; return t.TempDir(), nil }
	p := nodetest.Compile(t, nodetest.Registry(), textWorkflow)
	if res := p.Run(context.Background(), engine.RunOptions{MakeWorkspace: mk}); res.Status != engine.StatusCompleted || made != 0 {
		t.Errorf("a run whose nodes use no files: %s, workspace made %d times", res.Status, made)
	}
}
