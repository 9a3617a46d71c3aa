package worker

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"nodetool/authn"
	"nodetool/nodes"
	"nodetool/store"
	"nodetool/workflows"
)

// BenchmarkRunRequest is the worker's hot path in-process, through every
// middleware: POST /workflows/upper/run of the 3-node text workflow.
func BenchmarkRunRequest(b *testing.B) {
	db, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	f, err := workflows.Parse([]byte(testWorkflows["upper"]), "test:upper", "upper")
	if err != nil {
		b.Fatal(err)
	}
	repo, err := workflows.New(db, []workflows.Fixed{f}, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := authn.New(authn.Options{Provider: authn.Static, StaticToken: testToken})
	if err != nil {
		b.Fatal(err)
	}
	s := New(Deps{Registry: nodes.NewRegistry(nodes.Deps{}), Workflows: repo, Store: db, Auth: a})
	mux := http.NewServeMux()
	s.Register(mux)
	h := s.Handler(mux)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/workflows/upper/run", strings.NewReader(`{"params":{"text":"hi"}}`))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("run = %d %s", rec.Code, rec.Body)
		}
	}
}
