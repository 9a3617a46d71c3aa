package agent_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nodetool/agent"
	"nodetool/lang/pyval"
)

// shellAnswer is the Bash tool's answer.
type shellAnswer struct {
	Output    string `json:"output"`
	ExitCode  *int   `json:"exit_code"`
	Error     string `json:"error"`
	Truncated int64  `json:"output_truncated_bytes"`
}

func runBash(t *testing.T, b agent.Budget, dir string, sh *agent.Shell, args string) (shellAnswer, error) {
	t.Helper()
	v, err := pyval.Decode([]byte(args))
	if err != nil {
		t.Fatal(err)
	}
	out, err := agent.BashTool(agent.WorkspaceDir(dir), sh).Call(b, v.(*pyval.Dict))
	var a shellAnswer
	if err == nil {
		if jerr := json.Unmarshal([]byte(out), &a); jerr != nil {
			t.Fatalf("answer %s: %v", out, jerr)
		}
	}
	return a, err
}

// TestBashRunsInTheWorkspaceWithItsOwnEnvironment: a command starts in the
// workspace, sees only the environment the operator's Shell gives it (not
// the server's), and reports its exit status.
func TestBashRunsInTheWorkspaceWithItsOwnEnvironment(t *testing.T) {
	t.Setenv("NODETOOL_TEST_SERVER_SECRET", "s3cr3t-value")
	dir := t.TempDir()
	sh := &agent.Shell{Env: []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}}
	a, err := runBash(t, budget(), dir, sh, `{"command":"pwd; echo made > made.txt; env; exit 3"}`)
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if !strings.HasPrefix(a.Output, dir+"\n") && !strings.HasPrefix(a.Output, real+"\n") {
		t.Errorf("the command did not start in the workspace: %q", a.Output)
	}
	if strings.Contains(a.Output, "s3cr3t-value") || strings.Contains(a.Output, "NODETOOL_TEST_SERVER_SECRET") {
		t.Errorf("the server's environment reached the command: %q", a.Output)
	}
	if !strings.Contains(a.Output, "HOME="+dir) {
		t.Errorf("HOME is not the workspace: %q", a.Output)
	}
	if a.ExitCode == nil || *a.ExitCode != 3 {
		t.Errorf("exit code %v, want 3", a.ExitCode)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "made.txt")); err != nil || string(data) != "made\n" {
		t.Errorf("made.txt = %q, %v", data, err)
	}
}

// TestBashBoundsOutputAndTime: output past 64 KiB is counted, not kept; a
// command past its timeout is killed with its children; a cancelled budget
// stops the agent; bad arguments are answers the model can fix.
func TestBashBoundsOutputAndTime(t *testing.T) {
	dir := t.TempDir()
	sh := &agent.Shell{Env: []string{"PATH=" + os.Getenv("PATH")}}
	a, err := runBash(t, budget(), dir, sh, `{"command":"head -c 200000 /dev/zero | tr '\\0' x"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Output) != 64<<10 || a.Truncated != 200000-64<<10 {
		t.Errorf("output %d bytes, %d dropped (%+v); want 65536 and %d", len(a.Output), a.Truncated, a.Error, 200000-64<<10)
	}
	short := &agent.Shell{Env: sh.Env, Timeout: 200 * time.Millisecond}
	// The child of the shell holds the output pipe: it must die with the
	// group, or Run would wait for it.
	done := make(chan shellAnswer, 1)
	go func() {
		a, _ := runBash(t, budget(), dir, short, `{"command":"sleep 600 & sleep 600"}`)
		done <- a
	}()
	select {
	case a := <-done:
		if !strings.Contains(a.Error, "was killed") {
			t.Errorf("a command past its timeout: %+v", a)
		}
	case <-time.After(time.Minute):
		t.Fatal("a command past its timeout was not killed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := runBash(t, agent.Within(ctx, "", 1<<20), dir, &agent.Shell{}, `{"command":"true"}`); err == nil {
		t.Error("a cancelled budget did not stop the agent")
	}
	for _, args := range []string{`{"command":""}`, `{"command":"` + strings.Repeat("x", 70000) + `"}`} {
		a, err := runBash(t, budget(), dir, sh, args)
		if err != nil || a.Error == "" {
			t.Errorf("%.40s: %+v, %v; want an error answer", args, a, err)
		}
	}
	a, err = runBash(t, budget(), "", sh, `{"command":"true"}`)
	if err != nil || !strings.Contains(a.Error, "no workspace") {
		t.Errorf("without a workspace: %+v, %v", a, err)
	}
}
