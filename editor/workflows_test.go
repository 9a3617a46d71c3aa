package editor

import (
	"testing"

	"nodetool/workflows"
)

// TestReadOnlyWorkflowIsConflict: a workflow loaded from a file cannot be
// changed through the API: PUT and DELETE answer 409 saying why, as the
// worker does (one error table), while GET serves it.
func TestReadOnlyWorkflowIsConflict(t *testing.T) {
	e := newTestEditor(t, testOptions{deps: func(d *Deps) {
		f, err := workflows.Parse([]byte(`{"id":"fixed","name":"Fixed","graph":{"nodes":[],"edges":[]}}`), "fixed.json", "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Workflows, err = workflows.New(d.Store, []workflows.Fixed{f}, nil); err != nil {
			t.Fatal(err)
		}
	}})
	for _, c := range []*testClient{e.Local, e.A} {
		c.json(t, "GET", "/api/workflows/fixed", nil, 200, nil)
		c.wantDetail(t, "PUT", "/api/workflows/fixed", `{"name":"x","access":"private","graph":{"nodes":[],"edges":[]}}`, 409, "read-only")
		c.wantDetail(t, "DELETE", "/api/workflows/fixed", "", 409, "loaded from a file")
	}
}
