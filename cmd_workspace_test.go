package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writerWorkflow is a ClaudeAgent on the fake provider, which calls the
// first tool it is offered: Write, with example values, so the run
// writes "example file_path" into its workspace.
const writerWorkflow = `{"nodes":[{"id":"c","type":"anthropic.agents.ClaudeAgent","data":{"prompt":"write","allowed_tools":["Write"]}},
 {"id":"o","type":"nodetool.output.Output","data":{"name":"text"}}],
 "edges":[{"source":"c","sourceHandle":"text","target":"o","targetHandle":"value"}]}`

const writtenFile = "example file_path"

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// nodetool run gives a run a temporary workspace, removed at exit, or
// --workspace DIR, kept; nothing lands in the current folder.
func TestRunWorkspace(t *testing.T) {
	wf := writeText(t, "writer.json", writerWorkflow)
	cwd, _ := os.Getwd()
	tmp := t.TempDir()
	out, errOut, code := runCLIEnv(t, map[string]string{"TMPDIR": tmp}, "run", "--provider", "fake", wf)
	if code != 0 || !strings.Contains(out, "File created successfully") {
		t.Fatalf("run = %q %q (exit %d)", out, errOut, code)
	}
	if left := entries(t, tmp); len(left) != 0 {
		t.Errorf("the temporary workspace was not removed: %v", left)
	}
	if _, err := os.Stat(filepath.Join(cwd, writtenFile)); err == nil {
		t.Fatalf("the run wrote into the current folder")
	}
	ws := filepath.Join(t.TempDir(), "mine")
	_, errOut, code = runCLI(t, "", "run", "--provider", "fake", "--workspace", ws, wf)
	if code != 0 {
		t.Fatalf("run --workspace: exit %d, %s", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(ws, writtenFile)); err != nil || string(b) != "example content" {
		t.Errorf("--workspace: the file holds %q, %v", b, err)
	}
	if fi, err := os.Stat(ws); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("--workspace made %v, %v; want mode 0700", fi.Mode(), err)
	}
	env := map[string]string{"NODETOOL_WORKSPACE": filepath.Join(t.TempDir(), "env")}
	if _, _, code := runCLIEnv(t, env, "run", "--provider", "fake", wf); code != 0 || len(entries(t, env["NODETOOL_WORKSPACE"])) != 1 {
		t.Errorf("NODETOOL_WORKSPACE: exit %d, %v", code, entries(t, env["NODETOOL_WORKSPACE"]))
	}
	notDir := writeText(t, "plain", "x")
	if _, errOut, code := runCLI(t, "", "run", "--provider", "fake", "--workspace", notDir, wf); code != 1 || !strings.Contains(errOut, "--workspace") {
		t.Errorf("--workspace naming a file: exit %d, %q", code, errOut)
	}
}

// The worker runs each workflow in <data>/workspaces/<job id> and removes
// it when the run ends; leftovers of an earlier process go at start.
func TestWorkerWorkspace(t *testing.T) {
	env := workerEnv(t)
	data := env["NODETOOL_DATA_DIR"]
	leftover := filepath.Join(data, "workspaces", "old-run")
	if err := os.MkdirAll(leftover, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "writer.json"), []byte(writerWorkflow), 0o600)
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--provider", "fake", "--workflows-dir", dir)
	if _, err := os.Stat(leftover); err == nil {
		t.Errorf("a leftover workspace survived the start")
	}
	code, body := authGet(t, "POST", s.url+"/workflows/writer/run", env["WORKER_AUTH_TOKEN"], `{}`)
	if code != 200 || !strings.Contains(body, "File created successfully") {
		t.Fatalf("run = %d %s", code, body)
	}
	if left := entries(t, filepath.Join(data, "workspaces")); len(left) != 0 {
		t.Errorf("workspaces left after the run: %v", left)
	}
	if fi, err := os.Stat(filepath.Join(data, "workspaces")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the workspaces folder: %v %v", fi, err)
	}
}

// serve keeps a job's workspace (its files) under <data>/workspaces/<job id>.
func TestServeWorkspace(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	s := startServer(t, map[string]string{"HOME": dir, "NODETOOL_DATA_DIR": data}, "serve", "--port", "0", "--provider", "fake", "--log-level", "warn")
	p := dialSock(t, s.url, "/predict")
	var graph any
	json.Unmarshal([]byte(writerWorkflow), &graph)
	p.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": "wf", "graph": graph}})
	id := p.next(reply)["job_id"].(string)
	p.next(jobEnded(id, "completed"))
	if b, err := os.ReadFile(filepath.Join(data, "workspaces", id, writtenFile)); err != nil || string(b) != "example content" {
		t.Errorf("the job's workspace file: %q, %v", b, err)
	}
	if left := entries(t, filepath.Join(data, "workspaces")); len(left) != 1 {
		t.Errorf("workspaces: %v, want the job's only", left)
	}
}
