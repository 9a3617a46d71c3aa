package lists_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// TestSaveList: the values one per line, as Python's str() prints them,
// in a file of the run's workspace; without a workspace, or with a name
// that leaves it, or past max-value, the node fails.
func TestSaveList(t *testing.T) {
	dir := t.TempDir()
	run := func(data, ws string, lim engine.Limits) *engine.Result {
		var g nodetest.Graph
		g.Node("n", "nodetool.list.SaveList", data).Output("n", "r")
		return nodetest.Compile(t, nodetest.Registry(), g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: ws, Limits: lim})
	}
	res := run(`{"values":["a", 1, 2.5, true, null, [1, "x"], {"k": "v"}],"name":"list-%Y.txt"}`, dir, engine.Limits{})
	nodetest.WantCompleted(t, res)
	matches, _ := filepath.Glob(filepath.Join(dir, "list-*.txt"))
	if len(matches) != 1 {
		t.Fatalf("SaveList wrote %v", matches)
	}
	if b, _ := os.ReadFile(matches[0]); string(b) != "a\n1\n2.5\nTrue\nNone\n[1, 'x']\n{'k': 'v'}" {
		t.Errorf("SaveList wrote %q", b)
	}
	if got := nodetest.Repr(res.Outputs["r"]); !strings.Contains(got, "'uri': '"+filepath.Base(matches[0])+"'") {
		t.Errorf("SaveList = %s", got)
	}
	for _, c := range []struct {
		data, ws, want string
		lim            engine.Limits
	}{
		{`{"values":["x"]}`, "", "workspace", engine.Limits{}},
		{`{"values":["x"],"name":"../escape.txt"}`, dir, "plain name", engine.Limits{}},
		{`{"values":["` + strings.Repeat("x", 600) + `","` + strings.Repeat("y", 600) + `"]}`, dir, engine.LimitValue, engine.Limits{Value: 1000}},
	} {
		res := run(c.data, c.ws, c.lim)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("%.60s: %s %q, want failed with %q", c.data, res.Status, res.Error, c.want)
		}
	}
}
