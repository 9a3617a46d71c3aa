package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mapWorkflow is a workflow whose one model node names a cloud model.
const mapWorkflow = `{"nodes":[{"id":"s","type":"nodetool.agents.Summarizer","data":{"text":"hello world",` +
	`"model":{"type":"language_model","provider":"anthropic","id":"claude-sonnet-4-6"}}},` +
	`{"id":"o","type":"nodetool.output.Output","data":{"name":"out"}}],` +
	`"edges":[{"source":"s","sourceHandle":"text","target":"o","targetHandle":"value"}]}`

func writeText(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// --model-map runs a workflow naming a cloud model on a configured one;
// validate and run show the rewrite; without a rule the provider that is
// not configured is named with the flag that would map it.
func TestModelMapCommands(t *testing.T) {
	wf := writeText(t, "map.json", mapWorkflow)

	out, _, code := runCLI(t, "", "validate", "--provider", "fake", wf)
	if code != 1 || !strings.Contains(out, `provider "anthropic" is not configured`) || !strings.Contains(out, "--model-map 'anthropic/*=") {
		t.Errorf("validate without a map = %q (exit %d), want the provider and the flag named", out, code)
	}
	out, _, code = runCLI(t, "", "validate", "--provider", "fake", "--model-map", "*=fake/fake-model", wf)
	if code != 0 || !strings.Contains(out, "model map: node s (nodetool.agents.Summarizer): anthropic/claude-sonnet-4-6 -> fake/fake-model") {
		t.Errorf("validate with a map = %q (exit %d)", out, code)
	}
	out, errOut, code := runCLI(t, "", "run", "--provider", "fake", "--model-map", "openai/*=fake/nope", "--model-map", "anthropic/*=fake/mapped", wf)
	if code != 0 || strings.TrimSpace(out) != `{"out":["Echo: hello world"]}` || !strings.Contains(errOut, "anthropic/claude-sonnet-4-6 -> fake/mapped") {
		t.Errorf("run with a map = %q, stderr %q (exit %d)", out, errOut, code)
	}
	// The environment variable, comma-separated; a flag replaces it.
	env := map[string]string{"NODETOOL_MODEL_MAP": "openai/*=fake/a, anthropic/*=fake/from-env"}
	_, errOut, code = runCLIEnv(t, env, "run", "--provider", "fake", wf)
	if code != 0 || !strings.Contains(errOut, "-> fake/from-env") {
		t.Errorf("run with NODETOOL_MODEL_MAP: stderr %q (exit %d)", errOut, code)
	}
	_, errOut, code = runCLIEnv(t, env, "run", "--provider", "fake", "--model-map", "*=fake/flag", wf)
	if code != 0 || !strings.Contains(errOut, "-> fake/flag") {
		t.Errorf("a flag beats NODETOOL_MODEL_MAP: stderr %q (exit %d)", errOut, code)
	}
	for _, bad := range []string{"anthropic", "*=fake", "a/b=*/c"} {
		_, errOut, code := runCLI(t, "", "run", "--provider", "fake", "--model-map", bad, wf)
		if code != 2 || !strings.Contains(errOut, "--model-map") {
			t.Errorf("--model-map %q: exit %d, stderr %q; want a usage error naming the flag", bad, code, errOut)
		}
	}
	_, errOut, code = runCLIEnv(t, map[string]string{"NODETOOL_MODEL_MAP": "nonsense"}, "validate", "--provider", "fake", wf)
	if code != 2 || !strings.Contains(errOut, "NODETOOL_MODEL_MAP") {
		t.Errorf("a bad NODETOOL_MODEL_MAP: exit %d, stderr %q", code, errOut)
	}
}

// The servers log the rewrites of a run once, at info, with its job id.
func TestModelMapWorkerLog(t *testing.T) {
	env := workerEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "map.json"), []byte(mapWorkflow), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--provider", "fake",
		"--workflows-dir", dir, "--model-map", "anthropic/*=fake/mapped")
	if !strings.Contains(s.stdout.String(), "model map: anthropic/*=fake/mapped") {
		t.Errorf("the banner does not show the map:\n%s", s.stdout)
	}
	code, body := authGet(t, "POST", s.url+"/workflows/map/run", env["WORKER_AUTH_TOKEN"], `{}`)
	if code != 200 || !strings.Contains(body, "Echo: hello world") {
		t.Fatalf("run = %d %s", code, body)
	}
	logs := s.stderr.String()
	if n := strings.Count(logs, "model map: node s (nodetool.agents.Summarizer): anthropic/claude-sonnet-4-6 -> fake/mapped"); n != 1 {
		t.Errorf("the rewrite is logged %d times, want once:\n%s", n, logs)
	}
}
