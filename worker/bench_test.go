package worker

import (
	"net/http"
	"net/http/httptest"
	"strings"
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

// BenchmarkStreamRequest is POST /run/stream of the 3-node workflow through
// every middleware: the run's events, the complete event and [DONE].
func BenchmarkStreamRequest(b *testing.B) {
	h, _ := speedEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/workflows/upper/run/stream", strings.NewReader(`{"params":{"text":"hi"}}`))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"type":"complete"`) {
			b.Fatalf("stream = %d %s", rec.Code, rec.Body)
		}
	}
}
