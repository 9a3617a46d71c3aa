package engine_test

import (
	"context"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
)

// TestUnsupportedTypeSaysWhatItNeeds: a type the registry lacks is refused
// with the note of its longest matching prefix; a registered type is never
// refused, whatever a note says.
func TestUnsupportedTypeSaysWhatItNeeds(t *testing.T) {
	r := nodes.NewRegistry(nodes.Deps{})
	r.Explain("acme.", "it needs the Acme service")
	r.Explain("acme.special.", "it needs Acme's special plan")
	r.Explain("nodetool.text.", "this note must not apply")
	src := `{"nodes":[
	{"id":"a","type":"acme.Thing"},
	{"id":"b","type":"acme.special.Thing"},
	{"id":"c","type":"other.Thing"},
	{"id":"t","type":"nodetool.text.ToUppercase"}],"edges":[]}`
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Compile(&w.Graph)
	if err == nil {
		t.Fatal("compiled a workflow of unsupported types")
	}
	msg := err.Error()
	for _, want := range []string{
		"unsupported node type acme.Thing (node a): it needs the Acme service",
		"unsupported node type acme.special.Thing (node b): it needs Acme's special plan",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal does not say %q:\n%s", want, msg)
		}
	}
	if !strings.Contains(msg, "unsupported node type other.Thing (node c)") || strings.Contains(msg, "other.Thing (node c):") {
		t.Errorf("a type without a note got one:\n%s", msg)
	}
	if strings.Contains(msg, "(node t)") || strings.Contains(msg, "must not apply") {
		t.Errorf("a registered type was refused:\n%s", msg)
	}
	if got := r.Missing("lib.sqlite.Query"); !strings.Contains(got, "SQLite") {
		t.Errorf("the library's note for lib.sqlite = %q", got)
	}
}

// TestLegacyPathsAndNamelessInputs: a path input saved in the older
// {"type": "file_path", "path": ...} shape takes its path; an input node
// without a name runs with its stored value and a warning (no param can set
// it), unless it streams, when nothing could end its stream.
func TestLegacyPathsAndNamelessInputs(t *testing.T) {
	r := nodes.NewRegistry(nodes.Deps{})
	src := `{"nodes":[
	{"id":"f","type":"nodetool.input.FolderPathInput","data":{"name":"","value":{"type":"file_path","path":"/data/ghibli"}}},
	{"id":"o","type":"nodetool.output.Output","data":{"name":"out"}}],
	"edges":[{"id":"e","source":"f","sourceHandle":"output","target":"o","targetHandle":"value"}]}`
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Compile(&w.Graph)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, "has no name") {
		t.Errorf("warnings = %+v, want one about the nameless input", p.Warnings)
	}
	res := p.Run(context.Background(), engine.RunOptions{})
	if res.Status != engine.StatusCompleted || nodetest.Repr(res.Outputs["out"]) != "['/data/ghibli']" {
		t.Errorf("run: %s %q, outputs %v", res.Status, res.Error, res.Outputs)
	}
	if probs := p.CheckParams(pyval.DictOf("", "x")); len(probs) == 0 {
		t.Error("a param with an empty name set the nameless input")
	}
	w, _ = engine.ParseWorkflow([]byte(`{"nodes":[{"id":"a","type":"nodetool.input.RealtimeAudioInput","data":{"name":""}}],"edges":[]}`))
	if _, err := r.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "streaming input nodes need a non-empty name") {
		t.Errorf("a nameless streaming input: %v", err)
	}
	// Only path shapes are taken apart: another dict is still refused.
	w, _ = engine.ParseWorkflow([]byte(`{"nodes":[{"id":"s","type":"nodetool.input.StringInput","data":{"name":"s","value":{"type":"image","path":"x"}}}],"edges":[]}`))
	if _, err := r.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), `property "value" expects str`) {
		t.Errorf("a non-path dict for a str: %v", err)
	}
}
