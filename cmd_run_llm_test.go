package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An Agent workflow: it needs a model provider.
const agentWorkflow = `{"name":"ask","graph":{"nodes":[
 {"id":"q","type":"nodetool.input.StringInput","data":{"name":"question","value":"why is the sky blue"}},
 {"id":"a","type":"nodetool.agents.Agent","data":{"model":{"type":"language_model","provider":"empty","id":""}}},
 {"id":"o","type":"nodetool.output.Output","data":{"name":"answer"}}],
 "edges":[{"id":"e1","source":"q","sourceHandle":"output","target":"a","targetHandle":"prompt"},
          {"id":"e2","source":"a","sourceHandle":"text","target":"o","targetHandle":"value"}]}}`

func TestRunWithProvider(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ask.json")
	if err := os.WriteFile(file, []byte(agentWorkflow), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "run", file, "-q", "--provider", "fake")
	if code != 0 || strings.TrimSpace(out) != `{"answer":["Echo: why is the sky blue"]}` {
		t.Errorf("run --provider fake: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	_, errs, code = runCLI(t, "", "run", file, "-q")
	if code != 1 || !strings.Contains(errs, "no model given for provider ollama") || !strings.Contains(errs, "--default-model") {
		t.Errorf("run without a provider (ollama by default) or model: exit %d, stderr %q", code, errs)
	}
	_, errs, code = runCLI(t, "", "run", file, "--provider", "bogus")
	if code != 2 || !strings.Contains(errs, `--provider: "bogus" is not one of ollama, openai, anthropic, fake`) {
		t.Errorf("run --provider bogus: exit %d, stderr %q", code, errs)
	}
	_, errs, code = runCLI(t, "", "run", file, "-q", "--provider", "ollama")
	if code != 1 || !strings.Contains(errs, "--default-model") {
		t.Errorf("run --provider ollama without a model: exit %d, stderr %q", code, errs)
	}
	out, _, code = runCLI(t, "", "validate", file, "--provider", "fake", "--default-model", "fake-tools")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("validate --provider fake: exit %d, %q", code, out)
	}
}
