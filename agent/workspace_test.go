package agent_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/agent"
	"nodetool/lang/pyval"
)

func budget() agent.Budget { return agent.Within(context.Background(), "u1", 1<<20) }

// call runs a tool with JSON arguments and returns its answer.
func call(t *testing.T, tool agent.Tool, args string) string {
	t.Helper()
	v, err := pyval.Decode([]byte(args))
	if err != nil {
		t.Fatalf("bad args %s: %v", args, err)
	}
	out, err := tool.Call(budget(), v.(*pyval.Dict))
	if err != nil {
		t.Fatalf("%s(%s): %v", tool.Def().Name, args, err)
	}
	return out
}

// isError reports whether a tool's answer is an {"error": ...} object (or
// NodeTool's {"success": false, ...}).
func isError(out string) bool {
	var m map[string]any
	if json.Unmarshal([]byte(out), &m) != nil {
		return false
	}
	_, e := m["error"]
	return e || m["success"] == false
}

// sandbox is a workspace folder beside a secret file it must never reach,
// with links planted inside that lead to it.
type sandbox struct {
	ws, outside, secret string
}

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	base := t.TempDir()
	s := sandbox{ws: filepath.Join(base, "ws"), outside: filepath.Join(base, "outside")}
	for _, d := range []string{s.ws, s.outside, filepath.Join(s.ws, "notes")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s.secret = filepath.Join(s.outside, "secret.txt")
	write(t, s.secret, "TOP-SECRET\n")
	write(t, filepath.Join(s.ws, "notes", "a.md"), "alpha\nbeta\ngamma needle\n")
	write(t, filepath.Join(s.ws, "b.txt"), "needle in b\n")
	for name, target := range map[string]string{"link.txt": s.secret, "linkdir": s.outside, "notes/inner.txt": filepath.Join(s.ws, "b.txt")} {
		if err := os.Symlink(target, filepath.Join(s.ws, name)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s sandbox) untouched(t *testing.T) {
	t.Helper()
	if b, err := os.ReadFile(s.secret); err != nil || string(b) != "TOP-SECRET\n" {
		t.Errorf("the file outside the workspace changed: %q %v", b, err)
	}
	entries, _ := os.ReadDir(s.outside)
	if len(entries) != 1 {
		t.Errorf("files appeared outside the workspace: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.ws), "escape.txt")); err == nil {
		t.Errorf("a file was written beside the workspace")
	}
}

// No workspace tool reads, lists or writes anything outside the workspace:
// not by "..", not by an absolute path, not through a planted link (to a
// file, to a folder, or even to a file inside).
func TestWorkspaceToolsStayInside(t *testing.T) {
	s := newSandbox(t)
	w := agent.WorkspaceDir(s.ws)
	escapes := []string{"../outside/secret.txt", "notes/../../outside/secret.txt", s.secret, "/etc/passwd",
		"link.txt", "linkdir/secret.txt", "notes/inner.txt", "linkdir", "../escape.txt", filepath.Join(s.ws, "..", "escape.txt")}
	for _, p := range escapes {
		js, _ := json.Marshal(p)
		for _, c := range []struct {
			tool agent.Tool
			args string
		}{
			{agent.ReadTool(w), `{"file_path":` + string(js) + `}`},
			{agent.WriteTool(w), `{"file_path":` + string(js) + `,"content":"pwned"}`},
			{agent.EditTool(w), `{"file_path":` + string(js) + `,"old_string":"TOP","new_string":"pwned"}`},
			{agent.GlobTool(w), `{"pattern":"*","path":` + string(js) + `}`},
			{agent.GrepTool(w), `{"pattern":"SECRET","path":` + string(js) + `}`},
			{agent.ReadFileTool(w), `{"path":` + string(js) + `}`},
			{agent.WriteFileTool(w), `{"path":` + string(js) + `,"content":"pwned"}`},
			{agent.ListDirectoryTool(w), `{"path":` + string(js) + `}`},
		} {
			out := call(t, c.tool, c.args)
			if strings.Contains(out, "TOP-SECRET") || strings.Contains(out, "secret.txt\n") {
				t.Errorf("%s(%s) read outside: %s", c.tool.Def().Name, c.args, out)
			}
			if !isError(out) && !strings.HasPrefix(out, "No ") {
				t.Errorf("%s(%s) = %s, want a refusal", c.tool.Def().Name, c.args, out)
			}
		}
	}
	// Walking tools do not follow the links either.
	for _, c := range []struct {
		tool agent.Tool
		args string
	}{
		{agent.GlobTool(w), `{"pattern":"**/*"}`},
		{agent.GrepTool(w), `{"pattern":"SECRET","output_mode":"content"}`},
		{agent.ListDirectoryTool(w), `{"path":".","recursive":true}`},
	} {
		if out := call(t, c.tool, c.args); strings.Contains(out, "TOP-SECRET") || strings.Contains(out, "secret.txt") || strings.Contains(out, "link") {
			t.Errorf("%s(%s) went through a link: %s", c.tool.Def().Name, c.args, out)
		}
	}
	s.untouched(t)
}

func TestWorkspaceTools(t *testing.T) {
	s := newSandbox(t)
	w := agent.WorkspaceDir(s.ws)

	if out := call(t, agent.ReadTool(w), `{"file_path":"notes/a.md"}`); out != "     1\talpha\n     2\tbeta\n     3\tgamma needle\n" {
		t.Errorf("Read = %q", out)
	}
	if out := call(t, agent.ReadTool(w), `{"file_path":"/workspace/notes/a.md","offset":2,"limit":1}`); out != "     2\tbeta\n" {
		t.Errorf("Read with offset and limit = %q", out)
	}
	abs, _ := json.Marshal(filepath.Join(s.ws, "b.txt"))
	if out := call(t, agent.ReadTool(w), `{"file_path":`+string(abs)+`}`); !strings.Contains(out, "needle in b") {
		t.Errorf("Read by the workspace's own absolute path = %q", out)
	}
	if out := call(t, agent.WriteTool(w), `{"file_path":"out/report.md","content":"# Report\nneedle\n"}`); !strings.Contains(out, "created") {
		t.Errorf("Write = %q", out)
	}
	if b, _ := os.ReadFile(filepath.Join(s.ws, "out", "report.md")); string(b) != "# Report\nneedle\n" {
		t.Errorf("the written file holds %q", b)
	}
	if fi, _ := os.Stat(filepath.Join(s.ws, "out", "report.md")); fi.Mode().Perm() != 0o600 {
		t.Errorf("a written file has mode %v", fi.Mode().Perm())
	}
	if out := call(t, agent.EditTool(w), `{"file_path":"out/report.md","old_string":"needle","new_string":"pin"}`); isError(out) {
		t.Errorf("Edit = %q", out)
	}
	if out := call(t, agent.EditTool(w), `{"file_path":"out/report.md","old_string":"absent","new_string":"x"}`); !isError(out) {
		t.Errorf("Edit of a missing string = %q", out)
	}
	write(t, filepath.Join(s.ws, "twice.txt"), "x x")
	if out := call(t, agent.EditTool(w), `{"file_path":"twice.txt","old_string":"x","new_string":"y"}`); !isError(out) || !strings.Contains(out, "2 times") {
		t.Errorf("Edit of a repeated string = %q", out)
	}
	call(t, agent.EditTool(w), `{"file_path":"twice.txt","old_string":"x","new_string":"y","replace_all":true}`)
	if b, _ := os.ReadFile(filepath.Join(s.ws, "twice.txt")); string(b) != "y y" {
		t.Errorf("replace_all left %q", b)
	}
	if out := call(t, agent.GlobTool(w), `{"pattern":"**/*.md"}`); !strings.Contains(out, "notes/a.md") || !strings.Contains(out, "out/report.md") {
		t.Errorf("Glob **/*.md = %q", out)
	}
	if out := call(t, agent.GlobTool(w), `{"pattern":"*.txt"}`); strings.Contains(out, "notes/") || !strings.Contains(out, "b.txt") {
		t.Errorf("Glob *.txt = %q", out)
	}
	if out := call(t, agent.GrepTool(w), `{"pattern":"needle"}`); !strings.Contains(out, "b.txt") || !strings.Contains(out, "notes/a.md") {
		t.Errorf("Grep = %q", out)
	}
	if out := call(t, agent.GrepTool(w), `{"pattern":"NEEDLE","-i":true,"output_mode":"content","-n":true,"glob":"*.md"}`); out != "notes/a.md:3:gamma needle" {
		t.Errorf("Grep content = %q", out)
	}
	if out := call(t, agent.GrepTool(w), `{"pattern":"(unclosed"}`); !isError(out) {
		t.Errorf("Grep with a bad pattern = %q", out)
	}
	// NodeTool's tools.
	if out := call(t, agent.WriteFileTool(w), `{"path":"findings/1.txt","content":"one"}`); !strings.Contains(out, `"created":true`) {
		t.Errorf("write_file = %q", out)
	}
	call(t, agent.WriteFileTool(w), `{"path":"findings/1.txt","content":" two","append":true}`)
	if out := call(t, agent.ReadFileTool(w), `{"path":"findings/1.txt"}`); !strings.Contains(out, `"content":"one two"`) {
		t.Errorf("read_file = %q", out)
	}
	if out := call(t, agent.ReadFileTool(w), `{"path":"notes/a.md","start_line":2,"end_line":3}`); !strings.Contains(out, `"content":"beta\ngamma needle\n"`) {
		t.Errorf("read_file with lines = %q", out)
	}
	out := call(t, agent.ListDirectoryTool(w), `{"path":"."}`)
	if !strings.Contains(out, `"findings"`) || !strings.Contains(out, `"b.txt"`) || strings.Contains(out, "link.txt") || strings.Contains(out, "findings/1.txt") {
		t.Errorf("list_directory = %q", out)
	}
	// A run without a workspace says so.
	if out := call(t, agent.ReadTool(nil), `{"file_path":"x"}`); !isError(out) || !strings.Contains(out, "no workspace") {
		t.Errorf("Read without a workspace = %q", out)
	}
	s.untouched(t)
}

// Files over the value budget are refused for the model, not read.
func TestWorkspaceToolsAreBounded(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "big.txt"), strings.Repeat("x", 3<<20))
	w := agent.WorkspaceDir(dir)
	args, _ := pyval.Decode([]byte(`{"file_path":"big.txt","old_string":"x","new_string":"y"}`))
	out, err := agent.EditTool(w).Call(agent.Within(context.Background(), "", 1<<20), args.(*pyval.Dict))
	if err != nil || !isError(out) || !strings.Contains(out, "limit") {
		t.Errorf("Edit of a file over the budget = %q, %v", out, err)
	}
	args, _ = pyval.Decode([]byte(`{"file_path":"big.txt"}`))
	out, err = agent.ReadTool(w).Call(agent.Within(context.Background(), "", 1<<20), args.(*pyval.Dict))
	if err != nil || len(out) > 300<<10 {
		t.Errorf("Read of one huge line: %d bytes, %v", len(out), err)
	}
}
