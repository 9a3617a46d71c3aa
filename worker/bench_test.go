package worker

import (
	"net/http"
	"testing"
)

// BenchmarkRunRequest is the worker's hot path in-process, through every
// middleware, configured as the server command does (workspaces, a run
// deadline): POST /workflows/upper/run of the 3-node text workflow.
func BenchmarkRunRequest(b *testing.B) {
	h, _ := speedEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if rec := runRequest(h, "upper", `{"params":{"text":"hi"}}`); rec.Code != http.StatusOK {
			b.Fatalf("run = %d %s", rec.Code, rec.Body)
		}
	}
}
