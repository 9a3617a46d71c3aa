// Package worker serves NodeTool's Worker API: the hardened surface a
// deployment exposes. It lists, syncs and runs workflows (plain JSON or an
// SSE stream of engine events) and serves asset and temp storage. Every route
// but /health, /ping and (unless storage is private) GET and HEAD on
// /storage/* needs the auth the server was started with.
package worker

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/jobs"
	"nodetool/store"
	"nodetool/workflows"
)

// Deps is what the worker needs. Registry, Workflows, Store and Auth are
// required.
type Deps struct {
	Registry  *engine.Registry
	Workflows *workflows.Repo
	Store     *store.DB
	Auth      *authn.Auth
	Logger    *slog.Logger

	MaxBody        int64 // JSON request bodies; default httpapi.DefaultMaxBody
	MaxUpload      int64 // storage PUT bodies; default 2 GiB
	PrivateStorage bool  // /storage/* needs auth too
	// Run is the base of the options of every run: the per-node timeout
	// and the run budgets (whole-run deadline, value and accumulation
	// caps) are set here, once (see Server.runOptions).
	Run engine.RunOptions
	// Limiter bounds the runs going on at once (nil: no limit). A run over
	// it is refused with 429 and Retry-After before its body is read.
	Limiter *jobs.Limiter
	// StreamWriteTimeout drops a stream client that stops reading; default 30s.
	StreamWriteTimeout time.Duration
	// KeepAlive is the interval of SSE keepalive comments; default 15s.
	KeepAlive time.Duration
	// BodyIdleTimeout drops an upload that sends nothing for this long;
	// default 60s. Servers pass their body timeout (httpapi.Timeouts.Body),
	// which bounds every other request body as a whole.
	BodyIdleTimeout time.Duration
	Now             func() time.Time
	// JobDone, if set, is told how every run ended (besides the log).
	JobDone func(JobSummary)
}

// JobSummary is how one run ended.
type JobSummary struct {
	ID, WorkflowID string
	Status         string // completed, failed or cancelled
	Error, NodeID  string
	Duration       time.Duration
}

// Server is the Worker API.
type Server struct {
	d     Deps
	log   *slog.Logger
	plans sync.Map // workflow id -> *cachedPlan
}

type cachedPlan struct {
	version uint64
	plan    *engine.Plan
	err     error
}

// New returns a worker over d.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBody <= 0 {
		d.MaxBody = httpapi.DefaultMaxBody
	}
	if d.MaxUpload <= 0 {
		d.MaxUpload = 2 << 30
	}
	if d.StreamWriteTimeout <= 0 {
		d.StreamWriteTimeout = 30 * time.Second
	}
	if d.KeepAlive <= 0 {
		d.KeepAlive = 15 * time.Second
	}
	if d.BodyIdleTimeout <= 0 {
		d.BodyIdleTimeout = 60 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Limiter == nil {
		d.Limiter = jobs.NewLimiter(0, 0)
	}
	return &Server{d: d, log: d.Logger}
}

// Register adds the worker's routes to mux. Other surfaces (the chat
// routes) may be registered on the same mux; Handler protects them all.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /ping", s.health)

	mux.HandleFunc("GET /workflows", s.listWorkflows)
	mux.HandleFunc("GET /workflows/{id}", s.getWorkflow)
	mux.HandleFunc("PUT /workflows/{id}", s.putWorkflow)
	mux.HandleFunc("DELETE /workflows/{id}", s.deleteWorkflow)
	mux.HandleFunc("POST /workflows/{id}/run", s.runWorkflow)
	mux.HandleFunc("POST /workflows/{id}/run/stream", s.streamWorkflow)

	mux.HandleFunc("GET /admin/storage/{bucket}/{key...}", s.getBlob)
	mux.HandleFunc("PUT /admin/storage/{bucket}/{key...}", s.putBlob)
	mux.HandleFunc("DELETE /admin/storage/{bucket}/{key...}", s.deleteBlob)
	mux.HandleFunc("GET /storage/{bucket}/{key...}", s.getBlob)
}

// Handler wraps mux with the worker's middleware: request logging and
// panic recovery, security headers, CORS ("*", no credentials), storage
// keys checked as sent (400, see httpapi.BlobPaths) and trailing-slash
// tolerance elsewhere, JSON 404/405, and authentication of every non-public
// route.
func (s *Server) Handler(mux *http.ServeMux) http.Handler {
	var h http.Handler = httpapi.JSONErrors(mux)
	h = httpapi.Protect(s.d.Auth, s.public, h)
	h = httpapi.BlobPaths(h, httpapi.TrimSlash(h), true, "/storage/", "/admin/storage/")
	h = httpapi.CORS(true, nil, h)
	h = httpapi.SecurityHeaders(h)
	return httpapi.LogAndRecover(s.log, h)
}

// public reports the routes that need no credentials.
func (s *Server) public(r *http.Request) bool {
	switch r.URL.Path {
	case "/health", "/ping":
		return true
	}
	if !s.d.PrivateStorage && (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(r.URL.Path, "/storage/") {
		return true
	}
	return false
}

// jobDone logs how a run ended and tells Deps.JobDone.
func (s *Server) jobDone(jobID, workflowID string, res *engine.Result) {
	sum := JobSummary{ID: jobID, WorkflowID: workflowID, Status: res.Status, Error: res.Error, NodeID: res.NodeID, Duration: res.Duration}
	s.log.Info("job finished", "job_id", jobID, "workflow_id", workflowID, "status", res.Status,
		"duration_ms", float64(res.Duration.Microseconds())/1000, "node_id", res.NodeID, "error", res.Error)
	if s.d.JobDone != nil {
		s.d.JobDone(sum)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "healthy", "timestamp": store.Timestamp(s.d.Now())})
}
