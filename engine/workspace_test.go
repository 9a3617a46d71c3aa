package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
)

// A node reaches the run's workspace only through an os.Root: it can
// write inside it, not outside, and a run without one says so.
func TestWorkspace(t *testing.T) {
	r := nodes.NewRegistry(nodes.Deps{})
	r.Add(&engine.NodeDef{
		Type:    "test.WriteFile",
		Props:   []engine.Prop{engine.P("name", "str", `""`, "")},
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			root, err := ctx.Workspace()
			if err != nil {
				return nil, err
			}
			defer root.Close()
			if err := root.WriteFile(in.Str("name"), []byte(ctx.UserID()), 0o600); err != nil {
				return nil, err
			}
			return engine.Single("ok"), nil
		},
	})
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if err := os.Mkdir(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func(name, workspace string) *engine.Result {
		p := nodetest.Compile(t, r, nodetest.OneNode("test.WriteFile", `{"name":`+nodetest.JS(name)+`}`))
		return p.Run(context.Background(), engine.RunOptions{UserID: "u1", Workspace: workspace})
	}
	if res := run("a.txt", ws); res.Status != engine.StatusCompleted {
		t.Fatalf("writing inside the workspace: %s %s", res.Status, res.Error)
	}
	if data, err := os.ReadFile(filepath.Join(ws, "a.txt")); err != nil || string(data) != "u1" {
		t.Fatalf("the file holds %q, %v; want the run's user", data, err)
	}
	for _, escape := range []string{"../out.txt", "/etc/out.txt"} {
		if res := run(escape, ws); res.Status != engine.StatusFailed {
			t.Errorf("writing %q: %s, want failed", escape, res.Status)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written outside the workspace: %v", err)
	}
	if res := run("a.txt", ""); res.Status != engine.StatusFailed || res.Error != engine.ErrNoWorkspace.Error() {
		t.Errorf("a run without a workspace: %s %q", res.Status, res.Error)
	}
}
