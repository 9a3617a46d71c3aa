package engine_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

// limitNodes adds node types that misbehave on purpose: a generator that
// never stops, a CPU loop that only polls Tick, a streaming-input node that
// spins on its first item, and a node that builds a value of any size.
func limitNodes(t testing.TB) *engine.Registry {
	r := testNodes(t)
	r.Add(&engine.NodeDef{
		Type:            "test.Spew",
		Outputs:         engine.Out("output", "str"),
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			for {
				if err := emit("output", "x"); err != nil {
					return err
				}
			}
		},
	})
	r.Add(&engine.NodeDef{
		Type:            "test.Never",
		Outputs:         engine.Out("output", "str"),
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			<-ctx.Done()
			return context.Cause(ctx)
		},
	})
	r.Add(&engine.NodeDef{
		Type:    "test.Busy",
		Props:   []engine.Prop{engine.P("value", "any", "null", "")},
		Outputs: engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			for {
				if err := ctx.Tick(); err != nil {
					return nil, err
				}
			}
		},
	})
	r.Add(&engine.NodeDef{
		Type:    "test.SpinOnItem",
		Props:   []engine.Prop{engine.P("value", "any", "null", "")},
		Outputs: engine.Out("output", "any"),
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			for {
				_, _, ok, err := inbox.Next(ctx)
				if err != nil || !ok {
					return err
				}
				for {
					if err := ctx.Tick(); err != nil {
						return err
					}
				}
			}
		},
	})
	r.Add(&engine.NodeDef{
		Type:    "test.Make",
		Props:   []engine.Prop{engine.P("size", "int", "0", ""), engine.P("check", "bool", "false", "")},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			n := in.Int("size")
			if in.Bool("check") {
				if err := ctx.CheckSize(n); err != nil {
					return nil, err
				}
			}
			return engine.Single(strings.Repeat("x", int(n))), nil
		},
	})
	return r
}

func wantLimit(t *testing.T, res *engine.Result, limit, node string) {
	t.Helper()
	if res.Status != engine.StatusFailed || res.NodeID != node || !strings.Contains(res.Error, limit) {
		t.Fatalf("result: status %s, node %q, error %q; want failed in node %q naming %s", res.Status, res.NodeID, res.Error, node, limit)
	}
	if node != "" && !strings.Contains(res.Error, "node "+node+" (") {
		t.Fatalf("error %q does not name node %s", res.Error, node)
	}
}

func TestNodeTimeoutByKindOfNode(t *testing.T) {
	r := limitNodes(t)
	cases := []struct {
		name, graph, node string
	}{
		{"buffered node waiting on a timer", sleepGraph, "slow"},
		{"CPU loop polling Tick", `{"nodes":[{"id":"b","type":"test.Busy"}],"edges":[]}`, "b"},
		{"generator that never checks its context", `{"nodes":[
		 {"id":"g","type":"test.Spew"},{"id":"p","type":"nodetool.workflows.base_node.Preview"}
		],"edges":[{"id":"e","source":"g","sourceHandle":"output","target":"p","targetHandle":"value"}]}`, "g"},
		{"streaming-input node spinning on an item", `{"nodes":[
		 {"id":"c","type":"nodetool.constant.Integer","data":{"value":1}},{"id":"s","type":"test.SpinOnItem"}
		],"edges":[{"id":"e","source":"c","sourceHandle":"output","target":"s","targetHandle":"value"}]}`, "s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			p := nodetest.Compile(t, r, tc.graph)
			// A second of work: far more than the other nodes of these
			// graphs need for one item, however loaded the machine.
			res := p.Run(context.Background(), engine.RunOptions{JobID: "j", Limits: engine.Limits{Node: time.Second}})
			wantLimit(t, res, engine.LimitNodeTimeout, tc.node)
			waitGoroutines(t, base)
		})
	}
}

// Time a node spends waiting for input is not work: a streaming-input node
// that waits longer than its budget between items still completes.
func TestNodeTimeoutExcludesWaitingForInput(t *testing.T) {
	src := `{"nodes":[
	 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic","value":null}},
	 {"id":"col","type":"nodetool.control.Collect"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}
	],"edges":[
	 {"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
	 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}
	]}`
	p := nodetest.Compile(t, nodetest.Registry(), src)
	job := p.Start(context.Background(), engine.RunOptions{Limits: engine.Limits{Node: time.Second}})
	for _, s := range []string{"a", "b"} {
		if err := job.Push("mic", pyval.DictOf("type", "chunk", "content", s)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // longer than the budget, all of it waiting
	}
	if err := job.EndInput("mic"); err != nil {
		t.Fatal(err)
	}
	if res := job.Wait(); res.Status != engine.StatusCompleted {
		t.Fatalf("result = %+v, want completed", res)
	}
}

func TestRunTimeout(t *testing.T) {
	base := runtime.NumGoroutine()
	p := nodetest.Compile(t, testNodes(t), sleepGraph)
	var last engine.Event
	res := p.Run(context.Background(), engine.RunOptions{JobID: "j", Limits: engine.Limits{Run: 50 * time.Millisecond}, OnEvent: func(e engine.Event) { last = e }})
	if res.Status != engine.StatusFailed || res.NodeID != "" || !strings.Contains(res.Error, engine.LimitRunTimeout) {
		t.Fatalf("result = %+v, want failed naming %s", res, engine.LimitRunTimeout)
	}
	if ju, ok := last.(*engine.JobUpdate); !ok || ju.Status != engine.StatusFailed || ju.Error == nil || *ju.Error != res.Error {
		t.Fatalf("last event = %#v, want job_update failed with the error", last)
	}
	waitGoroutines(t, base)
}

func TestMaxValue(t *testing.T) {
	r := limitNodes(t)
	lim := engine.Limits{Value: 1000}
	for _, check := range []string{"true", "false"} {
		p := nodetest.Compile(t, r, `{"nodes":[
		 {"id":"m","type":"test.Make","data":{"size":5000,"check":`+check+`}},
		 {"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}
		],"edges":[{"id":"e","source":"m","sourceHandle":"output","target":"o","targetHandle":"value"}]}`)
		res := p.Run(context.Background(), engine.RunOptions{Limits: lim})
		wantLimit(t, res, engine.LimitValue, "m")
		if !strings.Contains(res.Error, "1000 B") {
			t.Errorf("error %q does not give the limit", res.Error)
		}
	}
	p := nodetest.Compile(t, r, `{"nodes":[{"id":"m","type":"test.Make","data":{"size":1000,"check":true}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}
	],"edges":[{"id":"e","source":"m","sourceHandle":"output","target":"o","targetHandle":"value"}]}`)
	if res := p.Run(context.Background(), engine.RunOptions{Limits: lim}); res.Status != engine.StatusCompleted {
		t.Fatalf("a value at the limit: %+v, want completed", res)
	}
}

func TestMaxResults(t *testing.T) {
	// 100 texts of 0 to 99 bytes (about 6,500 bytes with their overhead)
	// reach one output: over a 3,000-byte budget.
	p := nodetest.Compile(t, limitNodes(t), `{"nodes":[
	 {"id":"r","type":"nodetool.list.ListRange","data":{"start":0,"stop":100,"step":1}},
	 {"id":"each","type":"nodetool.control.ForEach"},
	 {"id":"m","type":"test.Make","data":{"size":1000}},
	 {"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}
	],"edges":[
	 {"id":"e1","source":"r","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"m","targetHandle":"size"},
	 {"id":"e3","source":"m","sourceHandle":"output","target":"o","targetHandle":"value"}
	]}`)
	res := p.Run(context.Background(), engine.RunOptions{Limits: engine.Limits{Results: 3000}})
	wantLimit(t, res, engine.LimitResults, "o")
}

// A node that waits for one input holds what arrives on the others; what it
// holds is bounded.
func TestHeldValuesAreBounded(t *testing.T) {
	p := nodetest.Compile(t, limitNodes(t), `{"nodes":[
	 {"id":"g","type":"test.Spew"},
	 {"id":"n","type":"test.Never"},
	 {"id":"z","type":"nodetool.text.Concat","sync_mode":"zip_all"},
	 {"id":"p","type":"nodetool.workflows.base_node.Preview"}
	],"edges":[
	 {"id":"e1","source":"g","sourceHandle":"output","target":"z","targetHandle":"a"},
	 {"id":"e2","source":"n","sourceHandle":"output","target":"z","targetHandle":"b"},
	 {"id":"e3","source":"z","sourceHandle":"output","target":"p","targetHandle":"value"}
	]}`)
	res := p.Run(context.Background(), engine.RunOptions{Limits: engine.Limits{Value: 10_000}})
	wantLimit(t, res, engine.LimitValue, "z")
}

func TestDuplicateInputNamesRefused(t *testing.T) {
	w, err := engine.ParseWorkflow([]byte(`{"nodes":[
	 {"id":"a","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
	 {"id":"b","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}}
	],"edges":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = nodetest.Registry().Compile(&w.Graph)
	var ve *engine.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].NodeID != "b" || !strings.Contains(err.Error(), `named "mic"`) {
		t.Fatalf("Compile = %v, want one problem on node b naming the duplicate", err)
	}
}

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {64 << 20, "64 MiB"}, {1 << 40, "1 TiB"}} {
		if got := engine.FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
