package metrics

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestExposition(t *testing.T) {
	r := New()
	c := r.Counter("test_requests_total", "Requests.\nSecond line with \\.", "route", "code")
	c.With("/a/{id}", "200").Add(3)
	c.With(`/q"uote\`, "500").Inc()
	g := r.Gauge("test_open", "Open things.", "kind")
	g.With("sse").Add(2)
	g.With("sse").Add(-0.5)
	h := r.Histogram("test_duration_seconds", "Durations.", []float64{0.1, 1}, "route")
	for _, v := range []float64{0.05, 0.1, 0.5, 2} {
		h.With("/a").Observe(v)
	}
	r.GaugeFunc("test_value", "A value.", func() float64 { return 42 })
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP test_duration_seconds Durations.
# TYPE test_duration_seconds histogram
test_duration_seconds_bucket{route="/a",le="0.1"} 2
test_duration_seconds_bucket{route="/a",le="1"} 3
test_duration_seconds_bucket{route="/a",le="+Inf"} 4
test_duration_seconds_sum{route="/a"} 2.65
test_duration_seconds_count{route="/a"} 4
# HELP test_open Open things.
# TYPE test_open gauge
test_open{kind="sse"} 1.5
# HELP test_requests_total Requests.\nSecond line with \\.
# TYPE test_requests_total counter
test_requests_total{route="/a/{id}",code="200"} 3
test_requests_total{route="/q\"uote\\",code="500"} 1
# HELP test_value A value.
# TYPE test_value gauge
test_value 42
`
	if b.String() != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRegistryRefusesBadNames(t *testing.T) {
	for _, f := range []func(r *Registry){
		func(r *Registry) { r.Counter("bad-name", "x") },
		func(r *Registry) { r.Counter("ok_total", "x", "le") },
		func(r *Registry) { r.Counter("ok_total", "x", "0bad") },
		func(r *Registry) { r.Counter("dup_total", "x"); r.Counter("dup_total", "x") },
		func(r *Registry) { r.Histogram("h_seconds", "x", []float64{1, 0.5}) },
		func(r *Registry) { r.Counter("n_total", "x", "a").With("1", "2") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("a bad registration or label count did not panic")
				}
			}()
			f(New())
		}()
	}
}

// TestConcurrentUse counts from many goroutines while others scrape.
func TestConcurrentUse(t *testing.T) {
	s := NewServer("test")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				s.ObserveRequest("GET", []string{"GET /a", "GET /b/{id}", ""}[i%3], 200+g%2, time.Millisecond)
				s.NodeDone("nodetool.text.Concat", time.Microsecond, i%10 == 0)
				s.RunDone("completed", time.Millisecond, "")
				s.StorageCall("s3", "get", "ok", time.Millisecond, 10)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			var b strings.Builder
			s.Registry.WriteTo(&b)
		}
	})
	wg.Wait()
	var b strings.Builder
	s.Registry.WriteTo(&b)
	out := b.String()
	for _, want := range []string{
		`nodetool_http_requests_total{route="/a",method="GET",code="200"} 1336`,
		`nodetool_http_requests_total{route="none",method="GET",code="201"} 1332`,
		`nodetool_workflow_runs_total{status="completed"} 8000`,
		`nodetool_node_failures_total{node_type="nodetool.text.Concat"} 800`,
		`nodetool_storage_bytes_total{backend="s3",direction="read"} 80000`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
}

// BenchmarkObserveRequest is the cost the metrics middleware adds to a
// request (go test -bench ObserveRequest ./metrics).
func BenchmarkObserveRequest(b *testing.B) {
	s := NewServer("bench")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.ObserveRequest("POST", "POST /workflows/{id}/run", 200, 3*time.Millisecond)
		}
	})
}
