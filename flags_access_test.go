package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// runEnv runs the program with args and the environment env.
func runEnv(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"nodetool"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if ee == nil || ee.msg != "" {
			errb.WriteString(err.Error())
		}
	}
	return out.String(), errb.String(), code
}

func writeFlow(t *testing.T, typ, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "flow.json")
	src := fmt.Sprintf(`{"nodes":[{"id":"n","type":%q,"data":%s},{"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}],
		"edges":[{"id":"e","source":"n","sourceHandle":"output","target":"o","targetHandle":"value"}]}`, typ, data)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEgressFlags runs a workflow that fetches a loopback URL: the default
// policy refuses it, naming the flag; --allow-net or NODETOOL_ALLOW_NET
// allow it; --egress none refuses everything.
func TestEgressFlags(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "from loopback")
	}))
	defer srv.Close()
	flow := writeFlow(t, "lib.http.GetRequest", fmt.Sprintf(`{"url":%q}`, srv.URL+"/data?key=SECRET"))
	cases := []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{nil, nil, 1, "--allow-net 127.0.0.1"},
		{nil, []string{"--allow-net", "127.0.0.1"}, 0, `{"r":["from loopback"]}`},
		{nil, []string{"--allow-net", "10.0.0.0/8", "--allow-net", "127.0.0.0/8"}, 0, `{"r":["from loopback"]}`},
		{map[string]string{"NODETOOL_ALLOW_NET": "example.com, 127.0.0.1"}, nil, 0, `{"r":["from loopback"]}`},
		{map[string]string{"NODETOOL_ALLOW_NET": "127.0.0.1"}, []string{"--allow-net", "10.0.0.1"}, 1, "--allow-net 127.0.0.1"},
		{nil, []string{"--egress", "all"}, 0, `{"r":["from loopback"]}`},
		{map[string]string{"NODETOOL_EGRESS": "all"}, []string{"--egress", "none"}, 1, "--egress none"},
		{nil, []string{"--egress", "sometimes"}, 2, "--egress"},
		{map[string]string{"NODETOOL_EGRESS": "open"}, nil, 2, "NODETOOL_EGRESS"},
		{nil, []string{"--allow-net", "10.0.0.0/99"}, 2, "--allow-net"},
	}
	for _, c := range cases {
		args := append([]string{"run", "-q", flow}, c.args...)
		out, errOut, code := runEnv(t, c.env, args...)
		text := out + errOut
		if code != c.code || !strings.Contains(text, c.want) {
			t.Errorf("env %v args %v: exit %d, %q; want exit %d with %q", c.env, c.args, code, text, c.code, c.want)
		}
		if strings.Contains(text, "SECRET") {
			t.Errorf("env %v args %v: the URL's query is shown: %q", c.env, c.args, text)
		}
	}
	if hits.Load() != 4 {
		t.Errorf("server hits = %d, want 4", hits.Load())
	}
	out, _, _ := runEnv(t, nil, "run", "-h")
	for _, flag := range []string{"--egress", "--allow-net", "--workflow-secrets", "NODETOOL_EGRESS", "NODETOOL_ALLOW_NET", "NODETOOL_WORKFLOW_SECRETS"} {
		if !strings.Contains(out, flag) {
			t.Errorf("run -h lacks %s", flag)
		}
	}
}

// TestWorkflowSecrets: a workflow reads only the environment variables
// the operator names.
func TestWorkflowSecrets(t *testing.T) {
	env := map[string]string{"WEATHER_KEY": "w-123", "ANTHROPIC_API_KEY": "sk-ant-server", "NODETOOL_WORKFLOW_SECRETS": "WEATHER_KEY"}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"WEATHER_KEY", nil, "w-123"},
		{"ANTHROPIC_API_KEY", nil, "default"},
		{"HOME", nil, "default"},
		{"ANTHROPIC_API_KEY", []string{"--workflow-secrets", "ANTHROPIC_API_KEY"}, "sk-ant-server"},
		{"WEATHER_KEY", []string{"--workflow-secrets", "OTHER"}, "default"},
	} {
		flow := writeFlow(t, "lib.secret.GetSecret", fmt.Sprintf(`{"name":%q,"default":"default"}`, c.name))
		out, errOut, code := runEnv(t, env, append([]string{"run", "-q", flow}, c.args...)...)
		if code != 0 || strings.TrimSpace(out) != fmt.Sprintf(`{"r":[%q]}`, c.want) {
			t.Errorf("GetSecret(%s) %v = %q (exit %d, %q), want %q", c.name, c.args, out, code, errOut, c.want)
		}
	}
	// serve reads a user's saved secrets first.
	dir := t.TempDir()
	file := filepath.Join(dir, "secrets.json")
	if err := os.WriteFile(file, []byte(`{"1":{"WEATHER_KEY":{"id":"s1","value":"user-key","created_at":"","updated_at":""}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ws := &workflowSecrets{env: map[string]string{"WEATHER_KEY": "env-key", "ONLY_ENV": "e"}, file: file}
	for _, c := range []struct{ user, name, want string }{{"1", "WEATHER_KEY", "user-key"}, {"2", "WEATHER_KEY", "env-key"}, {"1", "ONLY_ENV", "e"}, {"", "WEATHER_KEY", "env-key"}} {
		if v, _, err := ws.Secret(context.Background(), c.user, c.name); err != nil || v != c.want {
			t.Errorf("Secret(%s, %s) = %q, %v; want %q", c.user, c.name, v, err, c.want)
		}
	}
}

// TestAgentShellFlag: Bash is refused unless the operator passes
// --agent-shell (or NODETOOL_AGENT_SHELL=true); a bad value is a usage
// error; the flag beats the environment.
func TestAgentShellFlag(t *testing.T) {
	flow := filepath.Join(t.TempDir(), "agent.json")
	src := `{"nodes":[{"id":"c","type":"anthropic.agents.ClaudeAgent","data":{"prompt":"p","allowed_tools":["Bash"],"model":{"type":"language_model","provider":"fake","id":"fake-model"}}},
		{"id":"o","type":"nodetool.output.Output","data":{"name":"r"}}],
		"edges":[{"id":"e","source":"c","sourceHandle":"text","target":"o","targetHandle":"value"}]}`
	if err := os.WriteFile(flow, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	const refused = "only if its operator starts it with --agent-shell"
	cases := []struct {
		env     map[string]string
		args    []string
		code    int
		refused bool
	}{
		{nil, nil, 0, true},
		{nil, []string{"--agent-shell"}, 0, false},
		{map[string]string{"NODETOOL_AGENT_SHELL": "true"}, nil, 0, false},
		{map[string]string{"NODETOOL_AGENT_SHELL": "true"}, []string{"--agent-shell=false"}, 0, true},
		{map[string]string{"NODETOOL_AGENT_SHELL": "maybe"}, nil, 2, false},
	}
	for _, c := range cases {
		_, errOut, code := runEnv(t, c.env, append([]string{"run", flow, "--provider", "fake"}, c.args...)...)
		if code != c.code || (code == 0 && strings.Contains(errOut, refused) != c.refused) {
			t.Errorf("env %v args %v: exit %d, refused %v; want exit %d, refused %v:\n%s", c.env, c.args, code, strings.Contains(errOut, refused), c.code, c.refused, errOut)
		}
	}
}
