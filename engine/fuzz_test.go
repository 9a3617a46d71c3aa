package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/nodes"
)

// FuzzLoadWorkflow feeds arbitrary bytes to the loader and validator, and
// runs whatever validates under a short deadline: nothing may panic, and a
// run must always end.
func FuzzLoadWorkflow(f *testing.F) {
	files, _ := filepath.Glob("../testdata/conformance/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var c struct {
			Workflow json.RawMessage `json:"workflow"`
		}
		if json.Unmarshal(data, &c) == nil {
			f.Add([]byte(c.Workflow))
		}
	}
	examples, _ := filepath.Glob("../examples/*.json")
	for _, file := range examples {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"nodes":[{"id":"a","type":"nodetool.control.ForEach","data":{"input_list":[1,[2],{"x":null}]},"sync_mode":"zip_all"}],"edges":[{"source":"a","sourceHandle":"output","target":"a","targetHandle":"input_list"}]}`))
	f.Add([]byte(`{"graph":{"nodes":[{"id":1,"type":null,"dynamic_outputs":{"x":{"type":"list","type_args":[{}]}}}]}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	reg := nodes.NewRegistry(nodes.Deps{})
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := engine.ParseWorkflow(data)
		if err != nil {
			return
		}
		plan, err := reg.Compile(&w.Graph)
		if err != nil {
			return
		}
		if len(w.Graph.Nodes) > 20 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		done := make(chan *engine.Result, 1)
		go func() { done <- plan.Run(ctx, engine.RunOptions{OnEvent: func(e engine.Event) { json.Marshal(e) }}) }()
		select {
		case res := <-done:
			switch res.Status {
			case engine.StatusCompleted, engine.StatusFailed, engine.StatusCancelled:
			default:
				t.Fatalf("run ended with status %q", res.Status)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run did not end 10s after its deadline")
		}
	})
}
