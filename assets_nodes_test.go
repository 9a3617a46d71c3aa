package main

import (
	"context"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/store"
)

// TestAssetFolderNodes: the Load * Assets nodes read the files of a
// folder of the editor's store (records and blobs as the asset routes
// write them), only the run's user's, filtered by content type.
func TestAssetFolderNodes(t *testing.T) {
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs, err := db.Blobs("assets")
	if err != nil {
		t.Fatal(err)
	}
	add := func(id, user, parent, name, ct, ext, body string) {
		t.Helper()
		size := int64(len(body))
		if err := db.Put("assets", id, map[string]any{"id": id, "user_id": user, "parent_id": parent, "name": name, "content_type": ct, "size": size}); err != nil {
			t.Fatal(err)
		}
		if ct != "folder" {
			if _, err := blobs.Put(context.Background(), id+"."+ext, strings.NewReader(body), 1<<20); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("f1", "u1", "u1", "data", "folder", "", "")
	add("a1", "u1", "f1", "one.csv", "text/csv", "csv", "a,b\n1,x\n")
	add("a2", "u1", "f1", "two.json", "application/json", "json", `{"k": [1, 2]}`)
	add("a3", "u1", "f1", "notes.txt", "text/plain", "txt", "héllo")
	add("a4", "u1", "u1", "top.csv", "text/csv", "csv", "z\n9\n")
	add("f2", "u2", "u2", "theirs", "folder", "", "")
	add("b1", "u2", "f2", "theirs.csv", "text/csv", "csv", "s\n1\n")
	add("f3", "u1", "u1", "broken", "folder", "", "")
	add("a5", "u1", "f3", "bad.json", "application/json", "json", `{"k": `)
	reg := nodes.NewRegistry(nodes.Deps{Assets: storeAssets{db}})
	run := func(user, typ, folder string) *engine.Result {
		var g nodetest.Graph
		g.Node("n", typ, `{"folder":{"type":"folder","asset_id":`+nodetest.JS(folder)+`}}`)
		def, _ := reg.Lookup(typ)
		for _, o := range def.Outputs {
			g.Node("o"+o.Name, "nodetool.output.Output", `{"name":`+nodetest.JS(o.Name)+`}`).Edge("n", o.Name, "o"+o.Name, "value")
		}
		return nodetest.Compile(t, reg, g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", UserID: user})
	}
	res := run("u1", "nodetool.data.LoadCSVAssets", "f1")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["name"]); got != `['one.csv']` {
		t.Errorf("LoadCSVAssets names = %s", got)
	}
	cols, _ := res.Outputs["dataframe"][0].(*pyval.Dict).Get("columns")
	if got := pyval.Repr(cols); !strings.Contains(got, "'name': 'a'") {
		t.Errorf("LoadCSVAssets frame columns = %s", got)
	}
	res = run("u1", "nodetool.data.LoadCSVAssets", "u1") // the home folder
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["name"]); got != `['top.csv']` {
		t.Errorf("LoadCSVAssets of the home folder = %s", got)
	}
	res = run("u1", "nodetool.text.LoadTextAssets", "f1")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["name"]) + nodetest.Repr(res.Outputs["text"]); got != `['one.csv', 'notes.txt'][{'type': 'text', 'uri': '', 'asset_id': 'a1', 'data': 'a,b\n1,x\n', 'metadata': None}, {'type': 'text', 'uri': '', 'asset_id': 'a3', 'data': 'héllo', 'metadata': None}]` {
		t.Errorf("LoadTextAssets = %s", got)
	}
	res = run("u1", "lib.json.LoadJSONAssets", "f1")
	nodetest.WantCompleted(t, res)
	if got := nodetest.Repr(res.Outputs["json"]) + nodetest.Repr(res.Outputs["name"]); got != `[{'k': [1, 2]}]['two.json']` {
		t.Errorf("LoadJSONAssets = %s", got)
	}
	res = run("u1", "lib.json.LoadJSONAssets", "f3")
	if !strings.Contains(res.Error, "Invalid JSON in file bad.json") {
		t.Errorf("LoadJSONAssets of a bad file: %q", res.Error)
	}
	for _, c := range []struct{ user, typ, folder, want string }{
		{"u1", "nodetool.data.LoadCSVAssets", "f2", "asset folder f2 not found"}, // another user's
		{"u2", "nodetool.data.LoadCSVAssets", "f1", "asset folder f1 not found"},
		{"u1", "nodetool.data.LoadCSVAssets", "a1", "asset folder a1 not found"}, // a file
		{"u1", "nodetool.data.LoadCSVAssets", "", "Please select an asset folder."},
		{"", "nodetool.data.LoadCSVAssets", "f1", "the run has no user"},
	} {
		if res := run(c.user, c.typ, c.folder); !strings.Contains(res.Error, c.want) {
			t.Errorf("%s of %q as %q: %q, want %q", c.typ, c.folder, c.user, res.Error, c.want)
		}
	}
	// A process without an asset store says so.
	var g nodetest.Graph
	g.Node("n", "lib.json.LoadJSONAssets", `{"folder":{"type":"folder","asset_id":"f1"}}`)
	if res := nodetest.Compile(t, nodetest.Registry(), g.JSON()).Run(context.Background(), engine.RunOptions{JobID: "j", UserID: "u1"}); !strings.Contains(res.Error, "this process has no asset store") {
		t.Errorf("LoadJSONAssets without a store: %q", res.Error)
	}
	// A file over the value budget is refused before it is read.
	res = nodetest.Compile(t, reg, `{"nodes":[{"id":"n","type":"nodetool.text.LoadTextAssets","data":{"folder":{"type":"folder","asset_id":"f1"}}}],"edges":[]}`).Run(context.Background(),
		engine.RunOptions{JobID: "j", UserID: "u1", Limits: engine.Limits{Value: 4}})
	nodetest.WantValueLimit(t, res, "n")
}
