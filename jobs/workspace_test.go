package jobs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/store"
)

// writeWS is a workflow whose node writes note.txt into the run's
// workspace.
const writeWS = `{"nodes":[{"id":"w","type":"test.WriteWorkspace"},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
 "edges":[{"id":"e1","source":"w","sourceHandle":"output","target":"out","targetHandle":"value"}]}`

func wsRegistry() *engine.Registry {
	r := nodes.NewRegistry(nodes.Deps{})
	r.Add(&engine.NodeDef{
		Type:    "test.WriteWorkspace",
		Outputs: engine.Out("output", "str"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			root, err := ctx.Workspace()
			if err != nil {
				return nil, err
			}
			defer root.Close()
			return engine.Single("ok"), root.WriteFile("note.txt", []byte(ctx.JobID()), 0o600)
		},
	})
	return r
}

func exists(t *testing.T, p string) bool {
	t.Helper()
	_, err := os.Lstat(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

func TestWorkspacesMakeRemoveSweep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	w, err := NewWorkspaces(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the workspaces folder: %v %v, want mode 0700", fi.Mode(), err)
	}
	p, err := w.Make("abc")
	if err != nil || p != filepath.Join(dir, "abc") {
		t.Fatalf("Make = %q, %v", p, err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o700 {
		t.Errorf("a workspace has mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := w.Make("abc"); err == nil {
		t.Errorf("Make of an existing workspace succeeded")
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", `a\b`} {
		if _, err := w.Make(bad); err == nil {
			t.Errorf("Make(%q) succeeded", bad)
		}
		if err := w.Remove(bad); err == nil {
			t.Errorf("Remove(%q) succeeded", bad)
		}
	}
	// A link planted in the folder is removed, not followed.
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "f"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Make("keepme"); err != nil {
		t.Fatal(err)
	}
	n, err := w.Sweep(func(id string) bool { return id == "keepme" })
	if err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2 removed", n, err)
	}
	if exists(t, p) || exists(t, filepath.Join(dir, "link")) || !exists(t, filepath.Join(dir, "keepme")) {
		t.Errorf("Sweep removed the wrong folders")
	}
	if !exists(t, filepath.Join(outside, "keep")) {
		t.Errorf("Sweep followed a link out of the folder")
	}
	if err := w.Remove("nothing-here"); err != nil {
		t.Errorf("Remove of a missing workspace = %v", err)
	}
	var none *Workspaces
	if p, err := none.Make("x"); p != "" || err != nil {
		t.Errorf("a nil Workspaces made %q, %v", p, err)
	}
}

// A job's workspace holds what its nodes wrote, stays while its record
// does, and goes with it; a Run's goes when the run ends; a new manager
// removes the workspaces no record keeps.
func TestJobWorkspaces(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	data := t.TempDir()
	db, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := NewWorkspaces(filepath.Join(data, "workspaces"))
	if err != nil {
		t.Fatal(err)
	}
	reg := wsRegistry()
	m := New(Options{Registry: reg, Store: db, Workspaces: ws, Retention: time.Hour, Now: clk.now})
	defer m.Close()

	j, sub := start(t, m, Request{UserID: "u", Graph: graph(t, writeWS)})
	if ju := last(drain(t, sub)); ju.Status != engine.StatusCompleted {
		t.Fatalf("job: %s %v", ju.Status, ju.Error)
	}
	id := j.ID
	note := filepath.Join(ws.Dir(), id, "note.txt")
	if b, err := os.ReadFile(note); err != nil || string(b) != id {
		t.Fatalf("the job's file: %q, %v", b, err)
	}

	plan, err := reg.Compile(graph(t, writeWS))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), "u", plan, engine.RunOptions{JobID: "chatrun"})
	if err != nil || res.Status != engine.StatusCompleted {
		t.Fatalf("Run: %v %v", res, err)
	}
	if exists(t, filepath.Join(ws.Dir(), "chatrun")) {
		t.Errorf("a Run's workspace outlived the run")
	}

	// A leftover no record keeps goes at the next start.
	if _, err := ws.Make("leftover"); err != nil {
		t.Fatal(err)
	}
	m.w.flush() // as a server's shutdown does
	m2 := New(Options{Registry: reg, Store: db, Workspaces: ws, Retention: time.Hour, Now: clk.now})
	defer m2.Close()
	if exists(t, filepath.Join(ws.Dir(), "leftover")) || !exists(t, note) {
		t.Errorf("the sweep at start removed the wrong workspaces")
	}

	// Past the retention the record goes, and the workspace with it.
	clk.add(2 * time.Hour)
	j2, s := start(t, m2, Request{UserID: "u", Graph: graph(t, writeWS)})
	drain(t, s)
	select { // the job has ended: its record is saved and the old ones swept
	case <-j2.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not end")
	}
	if exists(t, filepath.Join(ws.Dir(), id)) {
		t.Errorf("the workspace of an expired job is still there")
	}
}

// A job or Run whose nodes never ask for a workspace leaves no folder, with
// or without a record to keep it.
func TestWorkspaceOnDemand(t *testing.T) {
	const noFiles = `{"nodes":[{"id":"c","type":"nodetool.constant.String","data":{"value":"x"}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}],
	 "edges":[{"id":"e1","source":"c","sourceHandle":"output","target":"out","targetHandle":"value"}]}`
	data := t.TempDir()
	db, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := NewWorkspaces(filepath.Join(data, "workspaces"))
	if err != nil {
		t.Fatal(err)
	}
	reg := wsRegistry()
	for _, st := range []*store.DB{db, nil} {
		m := New(Options{Registry: reg, Store: st, Workspaces: ws, Retention: time.Hour})
		_, sub := start(t, m, Request{UserID: "u", Graph: graph(t, noFiles)})
		if ju := last(drain(t, sub)); ju.Status != engine.StatusCompleted {
			t.Fatalf("job: %s", ju.Status)
		}
		plan, err := reg.Compile(graph(t, noFiles))
		if err != nil {
			t.Fatal(err)
		}
		if res, err := m.Run(context.Background(), "u", plan, engine.RunOptions{}); err != nil || res.Status != engine.StatusCompleted {
			t.Fatalf("Run: %v %v", res, err)
		}
		m.Close()
		if entries, err := os.ReadDir(ws.Dir()); err != nil || len(entries) != 0 {
			t.Errorf("store %v: the workspaces folder holds %v (%v)", st != nil, entries, err)
		}
	}
}

// The record sweep of the process that ran a job removes the workspace
// the job made (the sweep knows which jobs made one).
func TestSweepRemovesWorkspaceMadeHere(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	data := t.TempDir()
	db, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := NewWorkspaces(filepath.Join(data, "workspaces"))
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Registry: wsRegistry(), Store: db, Workspaces: ws, Retention: time.Hour, Now: clk.now})
	defer m.Close()
	j, sub := start(t, m, Request{UserID: "u", Graph: graph(t, writeWS)})
	drain(t, sub)
	<-j.done
	if !exists(t, filepath.Join(ws.Dir(), j.ID)) {
		t.Fatal("the job made no workspace")
	}
	clk.add(2 * time.Hour)
	j2, s := start(t, m, Request{UserID: "u", Graph: graph(t, writeWS)})
	drain(t, s)
	<-j2.done
	if exists(t, filepath.Join(ws.Dir(), j.ID)) {
		t.Errorf("the workspace of an expired job is still there")
	}
	if !exists(t, filepath.Join(ws.Dir(), j2.ID)) {
		t.Errorf("the workspace of the job just run is gone")
	}
}
