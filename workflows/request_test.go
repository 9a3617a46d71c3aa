package workflows

import (
	"errors"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

func TestParseRequest(t *testing.T) {
	body := `{"name":"N","access":"public","tool_name":"t","package_name":"p","path":"x/y",
		"tags":["a",""],"description":"d","thumbnail":"th","settings":{"i":1,"f":0.5,"s":"v","b":false,"z":null},
		"run_mode":"chat","unknown":{"ignored":[1]},"id":"ignored too",
		"graph":{"nodes":[{"id":"a","type":"t.A","data":{"k":1.0}}],"edges":[]}}`
	req, err := ParseRequest([]byte(body), true)
	if err != nil {
		t.Fatalf("ParseRequest(full) = %v", err)
	}
	w := &engine.Workflow{}
	req.apply(w)
	if got, want := describe(w), "N|public|t|p|x/y|[a ]|d|th|{'i': 1, 'f': 0.5, 's': 'v', 'b': False, 'z': None}|chat|a={'k': 1.0}"; got != want {
		t.Errorf("ParseRequest(full) = %s, want %s", got, want)
	}

	req, err = ParseRequest([]byte(`{"name":"","access":"private"}`), false)
	if err != nil {
		t.Fatalf("ParseRequest(minimal) = %v", err)
	}
	if req.Name != "" || req.Access != "private" || req.Graph != nil || req.Tags != nil || req.Settings != nil ||
		req.ToolName != nil || req.PackageName != nil || req.Path != nil || req.Description != nil || req.Thumbnail != nil || req.RunMode != nil {
		t.Errorf("ParseRequest(minimal) = %+v, want only name and access", req)
	}
}

func TestParseRequestErrors(t *testing.T) {
	const g = `"graph":{"nodes":[],"edges":[]}`
	for _, tc := range []struct {
		name, body   string
		requireGraph bool
		// wantInvalid: a rule is broken (*InvalidError, a 422); otherwise
		// the JSON is malformed (a plain error, a 400).
		wantInvalid bool
		want        string // substring of the message
	}{
		{"truncated", `{"name":"x","access":"private"`, false, false, "invalid JSON"},
		{"empty", ``, false, false, "invalid JSON"},
		{"trailing data", `{"name":"x","access":"private"} {}`, false, false, "invalid JSON"},
		{"trailing comma", `{"name":"x","access":"private",}`, false, false, "invalid JSON"},
		{"number out of range", `{"name":"x","access":"private","settings":{"a":1e999}}`, false, false, "out of range"},
		{"list", `[]`, false, true, "must be a JSON object"},
		{"string", `"x"`, false, true, "must be a JSON object"},
		{"null", `null`, false, true, "must be a JSON object"},
		{"no name", `{"access":"private",` + g + `}`, true, true, `field "name" is required`},
		{"null name", `{"name":null,"access":"private"}`, false, true, `field "name" is required`},
		{"number name", `{"name":1,"access":"private"}`, false, true, `field "name" must be a string`},
		{"no access", `{"name":"x"}`, false, true, `field "access" is required`},
		{"bad access", `{"name":"x","access":"secret"}`, false, true, `field "access" must be "private" or "public"`},
		{"access case", `{"name":"x","access":"Public"}`, false, true, `field "access" must be "private" or "public"`},
		{"tool_name", `{"name":"x","access":"private","tool_name":1}`, false, true, `field "tool_name" must be a string`},
		{"package_name", `{"name":"x","access":"private","package_name":true}`, false, true, `field "package_name" must be a string`},
		{"path", `{"name":"x","access":"private","path":[]}`, false, true, `field "path" must be a string`},
		{"description", `{"name":"x","access":"private","description":{}}`, false, true, `field "description" must be a string`},
		{"thumbnail", `{"name":"x","access":"private","thumbnail":2.5}`, false, true, `field "thumbnail" must be a string`},
		{"run_mode", `{"name":"x","access":"private","run_mode":0}`, false, true, `field "run_mode" must be a string`},
		{"tags not a list", `{"name":"x","access":"private","tags":"a"}`, false, true, `field "tags" must be a list of strings`},
		{"tags of numbers", `{"name":"x","access":"private","tags":["a",1]}`, false, true, `field "tags" must be a list of strings`},
		{"tags with null", `{"name":"x","access":"private","tags":[null]}`, false, true, `field "tags" must be a list of strings`},
		{"settings list", `{"name":"x","access":"private","settings":[]}`, false, true, `field "settings" must be an object`},
		{"settings string", `{"name":"x","access":"private","settings":"a=1"}`, false, true, `field "settings" must be an object`},
		{"setting list", `{"name":"x","access":"private","settings":{"ok":1,"a":[1]}}`, false, true, `setting "a" must be a string, number, boolean or null`},
		{"setting object", `{"name":"x","access":"private","settings":{"o":{}}}`, false, true, `setting "o" must be a string, number, boolean or null`},
		{"no graph for update", `{"name":"x","access":"private"}`, true, true, `field "graph" is required`},
		{"null graph for update", `{"name":"x","access":"private","graph":null}`, true, true, `field "graph" is required`},
		{"graph not an object", `{"name":"x","access":"private","graph":[]}`, false, true, `field "graph"`},
		{"nodes not a list", `{"name":"x","access":"private","graph":{"nodes":{},"edges":[]}}`, false, true, `graph.nodes must be a list`},
		{"edges not a list", `{"name":"x","access":"private","graph":{"nodes":[],"edges":"e"}}`, false, true, `graph.edges must be a list`},
		{"node without id", `{"name":"x","access":"private","graph":{"nodes":[{"type":"t"}],"edges":[]}}`, false, true, `graph.nodes[0]`},
		{"node data not an object", `{"name":"x","access":"private","graph":{"nodes":[{"id":"a","data":[]}],"edges":[]}}`, false, true, `"data" must be an object`},
		{"edge without target", `{"name":"x","access":"private","graph":{"nodes":[],"edges":[{"source":"a","sourceHandle":"o","targetHandle":"i"}]}}`, false, true, `graph.edges[0]`},
	} {
		req, err := ParseRequest([]byte(tc.body), tc.requireGraph)
		if err == nil {
			t.Errorf("ParseRequest(%s) = %+v, want an error", tc.name, req)
			continue
		}
		var inv *InvalidError
		if errors.As(err, &inv) != tc.wantInvalid {
			t.Errorf("ParseRequest(%s) = %T %v, want *InvalidError %v", tc.name, err, err, tc.wantInvalid)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseRequest(%s) = %q, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestNormalise(t *testing.T) {
	body := `{"name":"x","access":"private","graph":{"nodes":[
		{"id":"a","type":"t.A","data":{"value":1,"keep":2}},
		{"id":"b","type":"t.B","data":{"value":"stale","other":"stale","keep":3,"__control__":"c"}},
		{"id":"c","type":"t.C","data":{"x":1}}],
	 "edges":[
		{"source":"a","sourceHandle":"output","target":"b","targetHandle":"value"},
		{"source":"a","sourceHandle":"output","target":"b","targetHandle":"other","edge_type":"data"},
		{"source":"a","sourceHandle":"output","target":"b","targetHandle":"__control__","edge_type":"control"},
		{"source":"b","sourceHandle":"output","target":"c","targetHandle":"missing"},
		{"source":"b","sourceHandle":"output","target":"nowhere","targetHandle":"x"}]}}`
	req, err := ParseRequest([]byte(body), true)
	if err != nil {
		t.Fatalf("ParseRequest = %v", err)
	}
	want := map[string]string{
		"a": "{'value': 1, 'keep': 2}",
		"b": "{'keep': 3, '__control__': 'c'}", // the control edge feeds no data
		"c": "{'x': 1}",
	}
	for _, n := range req.Graph.Nodes {
		if got := pyval.Repr(n.Data); got != want[n.ID] {
			t.Errorf("node %s data after ParseRequest = %s, want %s", n.ID, got, want[n.ID])
		}
	}
	if len(req.Graph.Edges) != 5 {
		t.Errorf("ParseRequest kept %d edges, want all 5", len(req.Graph.Edges))
	}

	// Normalise also copes with nodes built in code without data.
	g := &engine.Graph{
		Nodes: []*engine.Node{{ID: "n"}},
		Edges: []*engine.Edge{{Source: "m", SourceHandle: "o", Target: "n", TargetHandle: "v", EdgeType: engine.EdgeData}},
	}
	Normalise(g)
	if g.Nodes[0].Data != nil {
		t.Errorf("Normalise gave a node without data %s, want it left alone", pyval.Repr(g.Nodes[0].Data))
	}
}
