// Package worker serves NodeTool's Worker API: the hardened surface a
// deployment exposes. It lists, syncs and runs workflows (plain JSON or an
// SSE stream of engine events) and serves asset and temp storage. Every route
// but /health, /ping and (unless storage is private) GET and HEAD on
// /storage/* needs the auth the server was started with: routes.go lists
// every route with who may call it.
package worker

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
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
	// ReadyCache is how long /ready keeps the storage backend's answer;
	// default 2s.
	ReadyCache time.Duration
	// Workspaces give every run a folder of its own for files (see
	// engine.RunOptions.Workspace), removed when the run ends; nil: runs
	// have none.
	Workspaces *jobs.Workspaces
	// RunLog, if set, says what to log (at info) when a run starts, such
	// as how the model map rewrites the workflow's models.
	RunLog func(g *engine.Graph) []string
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
	d         Deps
	log       *slog.Logger
	plans     sync.Map // workflow id -> *cachedPlan
	readiness *readiness
	streams   atomic.Int64 // SSE run streams open
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
	if d.ReadyCache <= 0 {
		d.ReadyCache = 2 * time.Second
	}
	s := &Server{d: d, log: d.Logger}
	s.readiness = &readiness{check: d.Store.Storage().Check, period: d.ReadyCache, now: d.Now, log: d.Logger}
	return s
}

// Running is how many runs are going on (for metrics).
func (s *Server) Running() int { return s.d.Limiter.Running("") }

// Streams is how many SSE run streams are open (for metrics).
func (s *Server) Streams() int64 { return s.streams.Load() }

// jobDone logs how a run ended and tells Deps.JobDone.
func (s *Server) jobDone(jobID, workflowID string, res *engine.Result) {
	// Enabled first: at the default level (warn) the line's arguments are
	// not even boxed (BenchmarkRunRequest).
	if s.log.Enabled(context.Background(), slog.LevelInfo) {
		s.log.Info("job finished", "job_id", jobID, "workflow_id", workflowID, "status", res.Status,
			"duration_ms", float64(res.Duration.Microseconds())/1000, "node_id", res.NodeID, "error", res.Error)
	}
	if s.d.JobDone != nil {
		s.d.JobDone(JobSummary{ID: jobID, WorkflowID: workflowID, Status: res.Status, Error: res.Error, NodeID: res.NodeID, Duration: res.Duration})
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "healthy", "timestamp": store.Timestamp(s.d.Now())})
}
