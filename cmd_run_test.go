package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the program with args and returns stdout, stderr and the exit
// status it would exit with.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), append([]string{"nodetool"}, args...), getenv, strings.NewReader(stdin), &out, &errb)
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

func TestRunExamples(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "examples/uppercase.json"}, `{"result":["HELLO, WORLD"]}`},
		{[]string{"run", "uppercase", "--param", "text=hi there"}, `{"result":["HI THERE"]}`},
		{[]string{"run", "--param", "score=49", "grade"}, `{"report":["Score 49 out of 100: FAIL."]}`},
		{[]string{"run", "grade", "--param", "score=72"}, `{"report":["Score 72 out of 100: PASS (passed by 22 points)."]}`},
		{[]string{"run", "word-shout"}, `{"shouted":["ONE-SMALL-STEP"]}`},
		{[]string{"run", "list-stats"}, `{"doubled":[[6,2,8,2,10,18,4,12]],"summary":["sum 31, mean 3.88, max 9"]}`},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(t, "", c.args...)
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("nodetool %s = %q (exit %d, stderr %q), want %q", strings.Join(c.args, " "), out, code, errOut, c.want)
		}
		if !strings.Contains(errOut, "completed") {
			t.Errorf("nodetool %s: stderr %q has no progress", strings.Join(c.args, " "), errOut)
		}
	}
}

func TestRunJSONL(t *testing.T) {
	out, _, code := runCLI(t, "", "run", "uppercase", "--jsonl")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	var last map[string]any
	n := 0
	for sc.Scan() {
		n++
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %d is not JSON: %q", n, sc.Text())
		}
		if last["type"] == nil {
			t.Fatalf("line %d has no type: %q", n, sc.Text())
		}
	}
	if n < 5 || last["type"] != "job_update" || last["status"] != "completed" {
		t.Fatalf("%d lines, last %v; want events ending with job_update completed", n, last)
	}
}

func TestRunStdinRequest(t *testing.T) {
	out, errOut, code := runCLI(t, `{"params":{"text":"from stdin"}}`, "run", "uppercase", "--stdin")
	if code != 0 || strings.TrimSpace(out) != `{"result":["FROM STDIN"]}` {
		t.Fatalf("run --stdin = %q, %q, %d", out, errOut, code)
	}
	graph, _ := os.ReadFile("examples/uppercase.json")
	var wf map[string]json.RawMessage
	json.Unmarshal(graph, &wf)
	req := `{"params":{"text":"graph too"},"graph":` + string(wf["graph"]) + `}`
	out, errOut, code = runCLI(t, req, "run", "--stdin", "-q")
	if code != 0 || strings.TrimSpace(out) != `{"result":["GRAPH TOO"]}` || errOut != "" {
		t.Fatalf("run --stdin with graph = %q, %q, %d", out, errOut, code)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	failing := write("fail.json", `{"nodes":[{"id":"l","type":"nodetool.constant.List","data":{"value":[]}},{"id":"s","type":"nodetool.list.Sum"}],
		"edges":[{"source":"l","sourceHandle":"output","target":"s","targetHandle":"values"}]}`)
	invalid := write("invalid.json", `{"nodes":[{"id":"x","type":"openai.agents.RealtimeAgent"}]}`)
	malformed := write("bad.json", `{"nodes":[`)
	cases := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		errWant string
	}{
		{"no args", "", []string{}, 2, "Usage"},
		{"unknown command", "", []string{"fly"}, 2, `unknown command "fly"`},
		{"missing file", "", []string{"run", filepath.Join(dir, "nope.json")}, 2, "no such file, and no example of that name"},
		{"malformed", "", []string{"run", malformed}, 2, "invalid JSON"},
		{"unknown param", "", []string{"run", "uppercase", "--param", "txt=x"}, 2, `the workflow has no input named "txt" (inputs: text)`},
		{"bad param format", "", []string{"run", "uppercase", "--param", "text"}, 2, "use name=value"},
		{"bad int", "", []string{"run", "grade", "--param", "score=high"}, 2, `"high" is not an integer`},
		{"bad stdin", "not json", []string{"run", "uppercase", "--stdin"}, 2, "stdin: invalid JSON"},
		{"stdin unknown param", `{"params":{"nope":1}}`, []string{"run", "uppercase", "--stdin"}, 2, `unknown param "nope"`},
		{"two workflows", "", []string{"run", "uppercase", "grade"}, 2, "run takes one workflow"},
		{"failing node", "", []string{"run", failing}, 1, "failed in node s (nodetool.list.Sum)"},
		{"invalid graph", "", []string{"run", invalid}, 1, "unsupported node type openai.agents.RealtimeAgent (node x)"},
		{"unknown flag", "", []string{"run", "uppercase", "--nope"}, 2, "flag provided but not defined"},
	}
	for _, c := range cases {
		_, errOut, code := runCLI(t, c.stdin, c.args...)
		if code != c.code || !strings.Contains(errOut, c.errWant) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", c.name, code, errOut, c.code, c.errWant)
		}
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"nodes":[{"id":"a","type":"nodetool.image.Blur"},{"id":"b","type":"nodetool.text.Concat"}],
		"edges":[{"source":"b","sourceHandle":"nope","target":"b","targetHandle":"a"}]}`), 0o600)
	out, _, code := runCLI(t, "", "validate", "examples/uppercase.json", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"examples/uppercase.json: OK (3 nodes, 2 edges)",
		"bad.json: 2 problem(s)",
		"  - unsupported node type nodetool.image.Blur (node a)",
		`has no output "nope"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = runCLI(t, "", "validate", "examples/grade.json", "examples/word-shout.json", "examples/list-stats.json")
	if code != 0 || strings.Count(out, ": OK") != 3 {
		t.Fatalf("validate examples: exit %d\n%s", code, out)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "nodetool ") {
		t.Errorf("version = %q, %d", out, code)
	}
	out, _, code = runCLI(t, "", "-h")
	if code != 0 || !strings.Contains(out, "nodetool run FILE|EXAMPLE") {
		t.Errorf("-h = %q, %d", out, code)
	}
	// Every command's help goes to stdout with exit 0 and names the
	// environment variables it reads; a bad flag goes to stderr, exit 2.
	for _, c := range []struct {
		cmd  string
		want []string
	}{
		{"run", []string{"--param name=value", "NODETOOL_MAX_VALUE", "NODETOOL_PROVIDER", "(default 64MiB)", "uppercase"}},
		{"validate", []string{"--drop-invalid-edges", "OPENAI_API_KEY"}},
		{"token", []string{"--show", "WORKER_AUTH_TOKEN_FILE", "NODETOOL_CONFIG_DIR", "TOKEN=$(nodetool token --show)"}},
		{"worker", []string{"--max-body size", "(default 16MiB)", "PORT", "WORKER_AUTH_TOKEN", "SUPABASE_JWT_SECRET", "at least 32 bytes", "NODETOOL_DATA_DIR", "NODETOOL_RUN_TIMEOUT", "OLLAMA_API_URL"}},
		{"serve", []string{"--ws-keepalive duration", "(default 2GiB)", "NODETOOL_ENABLE_TERMINAL_WS", "NODETOOL_CONFIG_DIR", "SUPABASE_URL", "AUTH_VERIFY_IP_RATE"}},
		{"chat-server", []string{"--provider string", "fake", "AUTH_PROVIDER", "ANTHROPIC_API_KEY"}},
	} {
		for _, args := range [][]string{{c.cmd, "-h"}, {c.cmd, "--help"}, {"help", c.cmd}} {
			out, errOut, code := runCLI(t, "", args...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: nodetool "+c.cmd) {
				t.Errorf("nodetool %s: exit %d, stdout %.60q, stderr %q; want the help on stdout, exit 0", strings.Join(args, " "), code, out, errOut)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("nodetool %s lacks %q", strings.Join(args, " "), w)
				}
			}
		}
		out, errOut, code := runCLI(t, "", c.cmd, "--no-such-flag")
		if code != 2 || out != "" || !strings.Contains(errOut, "no-such-flag") || !strings.Contains(errOut, "nodetool "+c.cmd+" -h") {
			t.Errorf("nodetool %s --no-such-flag: exit %d, stdout %q, stderr %q; want exit 2 and the error on stderr", c.cmd, code, out, errOut)
		}
	}
}
