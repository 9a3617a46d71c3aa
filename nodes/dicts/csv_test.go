package dicts_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

func runWorkspace(t *testing.T, g *nodetest.Graph, dir string) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, nodetest.Registry(), g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: dir})
}

func TestDictCSVFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o700); err != nil {
		t.Fatal(err)
	}
	var g nodetest.Graph
	g.Node("save", "nodetool.dictionary.SaveCSVFile", `{"data":[{"a":1,"b":"x, y"},{"b":null,"a":2.5},{"a":true,"b":[1,"q"]}],"folder":"out","filename":"d%%.csv"}`)
	nodetest.WantCompleted(t, runWorkspace(t, &g, dir))
	// csv.DictWriter: the first dict's keys, \r\n, QUOTE_MINIMAL, str().
	want := "a,b\r\n1,\"x, y\"\r\n2.5,\r\nTrue,\"[1, 'q']\"\r\n"
	got, err := os.ReadFile(filepath.Join(dir, "out", "d%.csv"))
	if err != nil || string(got) != want {
		t.Fatalf("SaveCSVFile wrote %q (%v), want %q", got, err, want)
	}
	// csv.DictReader: texts; a short line's missing field is None; a
	// blank line is skipped.
	if err := os.WriteFile(filepath.Join(dir, "in.csv"), []byte("a,b\r\n1,\"x, y\"\r\n\r\n2\r\n\"q\"\"\",\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var g2 nodetest.Graph
	g2.Node("load", "nodetool.dictionary.LoadCSVFile", `{"path":"in.csv"}`).Output("load", "r")
	res := runWorkspace(t, &g2, dir)
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["r"][0]); got != `[{'a': '1', 'b': 'x, y'}, {'a': '2', 'b': None}, {'a': 'q"', 'b': ''}]` {
		t.Errorf("LoadCSVFile = %s", got)
	}
	for _, c := range []struct{ typ, data, want string }{
		{"nodetool.dictionary.SaveCSVFile", `{"data":[],"folder":"out","filename":"x.csv"}`, "'data' field cannot be empty"},
		{"nodetool.dictionary.SaveCSVFile", `{"data":[{"a":1},{"b":2}],"folder":"out","filename":"x.csv"}`, `dict contains fields not in fieldnames: "b"`},
		{"nodetool.dictionary.SaveCSVFile", `{"data":[{"a":1}],"folder":"../..","filename":"x.csv"}`, "leaves the run's workspace folder"},
		{"nodetool.dictionary.SaveCSVFile", `{"data":[{"a":1}],"folder":"out","filename":""}`, "filename cannot be empty"},
		{"nodetool.dictionary.LoadCSVFile", `{"path":"/etc/passwd"}`, "paths are relative to the run's workspace folder"},
		{"nodetool.dictionary.LoadCSVFile", `{"path":""}`, "path cannot be empty"},
	} {
		var g nodetest.Graph
		g.Node("n", c.typ, c.data)
		if res := runWorkspace(t, &g, dir); !strings.Contains(res.Error, c.want) {
			t.Errorf("%s(%s): %q, want it to contain %q", c.typ, c.data, res.Error, c.want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "wide.csv"), []byte("a\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var g3 nodetest.Graph
	g3.Node("n", "nodetool.dictionary.LoadCSVFile", `{"path":"wide.csv"}`)
	if res := runWorkspace(t, &g3, dir); !strings.Contains(res.Error, "line 2 has 2 fields, more than the header's 1") {
		t.Errorf("LoadCSVFile of a wide line: %q", res.Error)
	}
	// A file of commas is refused by its field count before the record is
	// built.
	if err := os.WriteFile(filepath.Join(dir, "commas.csv"), []byte(strings.Repeat(",", 100_000)), 0o600); err != nil {
		t.Fatal(err)
	}
	var g4 nodetest.Graph
	g4.Node("n", "nodetool.dictionary.LoadCSVFile", `{"path":"commas.csv"}`)
	res = nodetest.Compile(t, nodetest.Registry(), g4.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: dir, Limits: nodetest.SmallLimits})
	nodetest.WantValueLimit(t, res, "n")
}
