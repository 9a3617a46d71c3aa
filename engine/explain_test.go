package engine_test

import (
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes"
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
