package metrics

import (
	"net/http"
	"runtime"
	rtmetrics "runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the metrics every nodetool server has, and the observers that
// feed them: HTTP requests (httpapi.Instrument), workflow runs and nodes
// (engine.Observer), storage calls (store.Observer), model provider calls
// (Transport), and the Go runtime. Its methods are safe for concurrent
// use and cheap on the request path: a series is looked up in a map that
// is only copied when a new label set first appears.
type Server struct {
	Registry *Registry

	requests   CounterVec
	reqSeconds HistogramVec
	open       GaugeVec
	httpCache  atomic.Pointer[map[requestKey]requestSeries]
	httpMu     sync.Mutex

	runs, nodeFailures, refusals CounterVec
	runSeconds, nodeSeconds      HistogramVec
	nodeCache                    atomic.Pointer[map[string]nodeSeries]
	nodeMu                       sync.Mutex
	runCache                     map[string]requestSeries // by status, made at start

	providerRequests CounterVec
	providerSeconds  HistogramVec

	storageOps     CounterVec
	storageSeconds HistogramVec
	storageBytes   CounterVec
}

type nodeSeries struct {
	duration Histogram
	failures Counter
}

type requestKey struct {
	method, pattern string
	status          int
}

type requestSeries struct {
	count    Counter
	duration Histogram
}

// NewServer registers the families of a server, version being the
// binary's.
func NewServer(version string) *Server {
	r := New()
	s := &Server{Registry: r}
	s.requests = r.Counter("nodetool_http_requests_total", "HTTP requests answered, by route pattern (\"none\": no route matched), method and status code.", "route", "method", "code")
	s.reqSeconds = r.Histogram("nodetool_http_request_duration_seconds", "Time to answer HTTP requests, by route pattern and method (streams and WebSockets: their whole life).", DurationBuckets, "route", "method")
	s.open = r.Gauge("nodetool_open_streams", "Long-lived responses open now: kind=\"sse\" (event streams) or \"websocket\" (upgraded connections).", "kind")
	s.open.With("sse")
	s.open.With("websocket")
	m := map[requestKey]requestSeries{}
	s.httpCache.Store(&m)

	s.runs = r.Counter("nodetool_workflow_runs_total", "Workflow runs finished, by status (completed, failed, cancelled).", "status")
	s.runSeconds = r.Histogram("nodetool_workflow_run_duration_seconds", "Duration of workflow runs, by status.", DurationBuckets, "status")
	s.nodeSeconds = r.Histogram("nodetool_node_duration_seconds", "How long nodes were active in runs (waits for input included), by node type.", DurationBuckets, "node_type")
	s.nodeFailures = r.Counter("nodetool_node_failures_total", "Nodes whose error failed their run, by node type.", "node_type")
	s.refusals = r.Counter("nodetool_budget_refusals_total", "Runs that failed by breaking a budget, by budget (run-timeout, node-timeout, max-value, max-results).", "budget")
	s.runCache = map[string]requestSeries{}
	for _, st := range []string{"completed", "failed", "cancelled"} {
		s.runCache[st] = requestSeries{count: s.runs.With(st), duration: s.runSeconds.With(st)}
	}
	nm := map[string]nodeSeries{}
	s.nodeCache.Store(&nm)

	s.providerRequests = r.Counter("nodetool_provider_requests_total", "HTTP requests to model providers, by provider and status code (\"error\": no answer).", "provider", "code")
	s.providerSeconds = r.Histogram("nodetool_provider_request_duration_seconds", "Time until a model provider's response headers, by provider.", DurationBuckets, "provider")

	s.storageOps = r.Counter("nodetool_storage_operations_total", "Calls to the storage backend, by backend (file, s3), operation and result (ok, not_found, refused, error).", "backend", "op", "result")
	s.storageSeconds = r.Histogram("nodetool_storage_operation_duration_seconds", "Duration of calls to the storage backend (a read: until it is open), by backend and operation.", DurationBuckets, "backend", "op")
	s.storageBytes = r.Counter("nodetool_storage_bytes_total", "Bytes of blob content written to and read from the storage backend, by backend and direction (read, write).", "backend", "direction")

	r.Gauge("nodetool_build_info", "Always 1: the version of the binary and of Go.", "version", "goversion").With(version, runtime.Version()).Add(1)
	start := float64(time.Now().UnixNano()) / 1e9
	r.GaugeFunc("process_start_time_seconds", "Start time of the process since the Unix epoch.", func() float64 { return start })
	r.GaugeFunc("go_goroutines", "Goroutines that currently exist.", func() float64 { return runtimeValue("/sched/goroutines:goroutines") })
	r.GaugeFunc("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", func() float64 { return runtimeValue("/memory/classes/heap/objects:bytes") })
	r.GaugeFunc("go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", func() float64 { return runtimeValue("/memory/classes/total:bytes") })
	r.GaugeFunc("go_gc_heap_goal_bytes", "Heap size the garbage collector aims at for this cycle.", func() float64 { return runtimeValue("/gc/heap/goal:bytes") })
	r.CounterFunc("go_gc_cycles_total", "Completed garbage collection cycles.", func() float64 { return runtimeValue("/gc/cycles/total:gc-cycles") })
	r.CounterFunc("go_memstats_alloc_bytes_total", "Bytes allocated on the heap since the start, freed or not.", func() float64 { return runtimeValue("/gc/heap/allocs:bytes") })
	return s
}

// runtimeValue reads one runtime/metrics sample.
func runtimeValue(name string) float64 {
	sample := []rtmetrics.Sample{{Name: name}}
	rtmetrics.Read(sample)
	switch sample[0].Value.Kind() {
	case rtmetrics.KindUint64:
		return float64(sample[0].Value.Uint64())
	case rtmetrics.KindFloat64:
		return sample[0].Value.Float64()
	}
	return 0
}

// methodLabel bounds the method label to the methods servers route.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions:
		return m
	}
	return "other"
}

// routeLabel is a ServeMux pattern without its method: "/workflows/{id}".
func routeLabel(pattern string) string {
	if pattern == "" {
		return "none"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// ObserveRequest counts a request (httpapi.RequestObserver).
func (s *Server) ObserveRequest(method, pattern string, status int, elapsed time.Duration) {
	k := requestKey{method, pattern, status}
	rs, ok := (*s.httpCache.Load())[k]
	if !ok {
		rs = s.newRequestSeries(k)
	}
	rs.count.Inc()
	rs.duration.Observe(elapsed.Seconds())
}

func (s *Server) newRequestSeries(k requestKey) requestSeries {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	old := *s.httpCache.Load()
	if rs, ok := old[k]; ok {
		return rs
	}
	route, method := routeLabel(k.pattern), methodLabel(k.method)
	rs := requestSeries{count: s.requests.With(route, method, strconv.Itoa(k.status)), duration: s.reqSeconds.With(route, method)}
	m := make(map[requestKey]requestSeries, len(old)+1)
	for key, v := range old {
		m[key] = v
	}
	m[k] = rs
	s.httpCache.Store(&m)
	return rs
}

// Open counts long-lived responses (httpapi.RequestObserver): kind is
// "sse" or "websocket", delta +1 when one starts and -1 when it ends.
func (s *Server) Open(kind string, delta int) { s.open.With(kind).Add(float64(delta)) }

// NodeDone records a node's activity (engine.Observer).
func (s *Server) NodeDone(nodeType string, elapsed time.Duration, failed bool) {
	ns, ok := (*s.nodeCache.Load())[nodeType]
	if !ok {
		ns = s.newNodeSeries(nodeType)
	}
	ns.duration.Observe(elapsed.Seconds())
	if failed {
		ns.failures.Inc()
	}
}

func (s *Server) newNodeSeries(nodeType string) nodeSeries {
	s.nodeMu.Lock()
	defer s.nodeMu.Unlock()
	old := *s.nodeCache.Load()
	if ns, ok := old[nodeType]; ok {
		return ns
	}
	ns := nodeSeries{duration: s.nodeSeconds.With(nodeType), failures: s.nodeFailures.With(nodeType)}
	m := make(map[string]nodeSeries, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[nodeType] = ns
	s.nodeCache.Store(&m)
	return ns
}

// RunDone records a run's end (engine.Observer).
func (s *Server) RunDone(status string, elapsed time.Duration, budget string) {
	rs, ok := s.runCache[status]
	if !ok {
		rs = requestSeries{count: s.runs.With(status), duration: s.runSeconds.With(status)}
	}
	rs.count.Inc()
	rs.duration.Observe(elapsed.Seconds())
	if budget != "" {
		s.refusals.With(budget).Inc()
	}
}

// StorageCall records a call to the storage backend (store.Observer).
func (s *Server) StorageCall(backend, op, result string, elapsed time.Duration, bytes int64) {
	s.storageOps.With(backend, op, result).Inc()
	s.storageSeconds.With(backend, op).Observe(elapsed.Seconds())
	if bytes > 0 && result == "ok" {
		switch op {
		case "get":
			s.storageBytes.With(backend, "read").Add(uint64(bytes))
		case "put", "record_put":
			s.storageBytes.With(backend, "write").Add(uint64(bytes))
		}
	}
}

// Transport wraps base (nil: http.DefaultTransport) so that every request
// is counted for provider, with its status and the wait for its response
// headers.
func (s *Server) Transport(provider string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &providerTransport{s: s, base: base, seconds: s.providerSeconds.With(provider), provider: provider}
}

type providerTransport struct {
	s        *Server
	base     http.RoundTripper
	provider string
	seconds  Histogram
}

func (t *providerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	t.seconds.Observe(time.Since(start).Seconds())
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.s.providerRequests.With(t.provider, code).Inc()
	return resp, err
}
