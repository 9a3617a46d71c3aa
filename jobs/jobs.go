// Package jobs runs workflows as background jobs that outlive the
// connection that started them, as the editor needs: a job's events go to a
// bounded ring buffer that any number of subscribers read at their own pace,
// so a slow or absent client never blocks the run. A subscriber that falls
// behind the ring is told and brought back up to date from the job's latest
// node and edge states.
//
// Every run the manager starts (background jobs with Start, a chat's
// workflow runs with Run) gets its options from one place (Options.Run,
// where the run budgets are set) and is admitted by one Limiter
// (Options.MaxJobs, Options.MaxJobsPerUser): over a limit a run is refused
// at once, unless its request asks to wait in the bounded queue (queue.go).
// A job's id is the manager's own or, when the client names one, the
// client's (unique, a valid record id).
//
// Memory is bounded: a job's ring holds at most RingSize events and about
// RingBytes bytes (events are measured cheaply, see eventSize); a finished
// job drops its events and run state as soon as no subscriber reads them,
// keeps only its final update, and leaves memory after Retain (or sooner
// when more than MaxFinished jobs have finished).
//
// Jobs are recorded in the store (kind "jobs") when they start and when
// they end; see records.go for what a record holds and how long it lives.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/store"
)

// ErrNotFound: no such job for this user.
var ErrNotFound = errors.New("job not found")

// Options configure a Manager. Zero values take the defaults given.
type Options struct {
	Registry *engine.Registry
	Store    *store.DB // nil: jobs are not recorded
	Logger   *slog.Logger
	// Run is the base of the options of every run the manager starts: the
	// per-node timeout and the run budgets (whole-run deadline, value and
	// accumulation caps) are set here, once, for Start and Run alike.
	// JobID, WorkflowID, Params and OnEvent are set per run.
	Run engine.RunOptions
	// MaxJobs bounds the runs going on at once; MaxJobsPerUser bounds
	// them per user (0: no limit).
	MaxJobs, MaxJobsPerUser int
	// MaxQueued bounds the jobs waiting for a slot (default 256): see
	// queue.go. Only requests that ask to queue are queued.
	MaxQueued int
	// RingSize is how many recent events a job keeps for its subscribers
	// (default 4096); RingBytes bounds their estimated size (default
	// 8 MiB). The newest event is always kept.
	RingSize  int
	RingBytes int64
	// Retain is how long a finished job stays in memory for reconnects
	// and get_status (default 1 min); MaxFinished bounds how many
	// finished jobs stay (default 256), and FinishedBytes the estimated
	// size of their final updates (default 64 MiB): past it, the oldest
	// lose their result (a reconnect then gets the final status without
	// the outputs).
	Retain        time.Duration
	MaxFinished   int
	FinishedBytes int64
	// Retention is how long a finished job's record is kept (default
	// 30 days); MaxRecords bounds the records kept (default 5000; the
	// oldest finished ones go first). MaxParams bounds the bytes of a
	// run's params kept in its record (default 4 KiB): bigger params are
	// recorded as omitted.
	Retention  time.Duration
	MaxRecords int
	MaxParams  int
	Now        func() time.Time
	// Workspaces give every run a folder of its own for files (see
	// engine.RunOptions.Workspace): a job's stays until its record is
	// deleted (Retention, MaxRecords; at once when there is no Store), a
	// Run's until the run ends. Nil: runs have none.
	Workspaces *Workspaces
	// RunLog, if set, says what to log (at info) when a run starts, such
	// as how the model map rewrites the workflow's models.
	RunLog func(g *engine.Graph) []string
}

// Defaults of Options.
const (
	DefaultRingSize    = 4096
	DefaultRingBytes   = 8 << 20
	DefaultRetain      = time.Minute
	DefaultMaxFinished = 256
	DefaultFinishedMem = 64 << 20
	DefaultRetention   = 30 * 24 * time.Hour
	DefaultMaxRecords  = 5000
	DefaultMaxParams   = 4 << 10
)

// cancelWait bounds how long a shutdown waits for cancelled runs to end.
const cancelWait = 10 * time.Second

// Manager owns the running and recently finished jobs.
type Manager struct {
	o      Options
	log    *slog.Logger
	lim    *Limiter
	ctx    context.Context // cancelled by Shutdown (after the grace) and Close
	cancel context.CancelFunc

	mu            sync.Mutex
	draining      bool
	jobs          map[string]*Job
	finished      []retired // finished jobs still in memory, oldest first
	finishedBytes int64     // the estimated size of their final updates
	janitor       *time.Timer
	// lifecycle subscribers (the /updates sockets), by user.
	watchers map[*Watcher]struct{}
	// queue holds the jobs waiting for a slot, first first (queue.go).
	queue []queued
	wg    sync.WaitGroup

	rec   records
	w     recordWriter
	plans planCache
}

type retired struct {
	j    *Job
	at   time.Time
	size int64 // of the final update; 0 once its result is dropped
}

// New returns a manager. It loads the job records (see records.go). Call
// Shutdown to end the jobs at a server shutdown, and Close at the end.
func New(o Options) *Manager {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RingSize <= 0 {
		o.RingSize = DefaultRingSize
	}
	if o.RingBytes <= 0 {
		o.RingBytes = DefaultRingBytes
	}
	if o.Retain <= 0 {
		o.Retain = DefaultRetain
	}
	if o.MaxFinished <= 0 {
		o.MaxFinished = DefaultMaxFinished
	}
	if o.FinishedBytes <= 0 {
		o.FinishedBytes = DefaultFinishedMem
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	if o.MaxParams <= 0 {
		o.MaxParams = DefaultMaxParams
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = DefaultMaxQueued
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manager{o: o, log: o.Logger, lim: NewLimiter(o.MaxJobs, o.MaxJobsPerUser),
		jobs: map[string]*Job{}, watchers: map[*Watcher]struct{}{}}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.loadRecords()
	m.w.flush() // the store is repaired and swept before the first job
	return m
}

// Running is how many runs of user are going on (of every user when user
// is "").
func (m *Manager) Running(user string) int { return m.lim.Running(user) }

// admit counts a new run, or refuses it (shutting down, over a limit).
func (m *Manager) admit(user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.draining {
		return ErrShuttingDown
	}
	return m.lim.Acquire(user)
}

// Admit counts a run that the caller drives itself (a synchronous REST run)
// under the manager's limits, or refuses it with a *LimitError or
// ErrShuttingDown. Call release when the run has ended; give the run
// RunOptions.
func (m *Manager) Admit(user string) (release func(), err error) {
	if err := m.admit(user); err != nil {
		return nil, err
	}
	return func() { m.releaseSlot(user) }, nil
}

// RunOptions is the one place a run's options are made: the base options
// (Options.Run: node timeout, run budgets) with the run's own ids, owner,
// params, event sink and end.
func (m *Manager) RunOptions(o engine.RunOptions) engine.RunOptions {
	r := m.o.Run
	r.JobID, r.WorkflowID, r.Params, r.OnEvent, r.OnEnd, r.UserID = o.JobID, o.WorkflowID, o.Params, o.OnEvent, o.OnEnd, o.UserID
	r.Workspace, r.MakeWorkspace = o.Workspace, o.MakeWorkspace
	if r.Logger == nil {
		r.Logger = m.log
	}
	return r
}

// Shutdown ends the jobs for a server shutdown: no new run is admitted,
// running ones may finish until ctx is done, then the rest are cancelled
// (they end with job_update cancelled). It returns once every run has
// ended, or cancelWait after the cancellation if some did not.
func (m *Manager) Shutdown(ctx context.Context) {
	m.mu.Lock()
	m.draining = true
	m.mu.Unlock()
	m.cancelQueue()
	if !m.lim.wait(ctx) {
		m.log.Info("cancelling the jobs still running after the shutdown grace", "jobs", m.lim.Running(""))
	}
	m.cancel()
	ended := make(chan struct{})
	go func() {
		m.wg.Wait()
		m.lim.wait(context.Background())
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(cancelWait):
		m.log.Warn("some jobs did not end after being cancelled", "jobs", m.lim.Running(""))
	}
	m.w.flush()
}

// Close cancels every running job and waits for them to end.
func (m *Manager) Close() {
	m.mu.Lock()
	m.draining = true
	if m.janitor != nil {
		m.janitor.Stop()
	}
	m.mu.Unlock()
	m.cancelQueue()
	m.cancel()
	m.wg.Wait()
	m.w.flush()
}

// Record is a job as stored and as the REST API shows it (NodeTool's
// JobResponse).
type Record struct {
	ID         string   `json:"id"`
	UserID     string   `json:"user_id"`
	JobType    string   `json:"job_type"`
	Status     string   `json:"status"`
	WorkflowID string   `json:"workflow_id"`
	StartedAt  string   `json:"started_at"`
	FinishedAt *string  `json:"finished_at"`
	Error      *string  `json:"error"`
	Cost       *float64 `json:"cost"`
}

// Request starts a job.
type Request struct {
	UserID     string
	WorkflowID string
	Graph      *engine.Graph // the graph to run (the editor's unsaved one, or the stored one)
	// GraphSource, when Graph is nil, is the graph as the client sent it
	// (its encoding, e.g. the MessagePack of a run_job's graph), which
	// DecodeGraph turns into the graph to run; when the last run of
	// WorkflowID by UserID brought the same bytes, its graph and plan are
	// used without decoding them (see plans.go). A source DecodeGraph
	// refuses fails Start with a *GraphError. The manager may keep
	// GraphSource: the caller must not change it afterwards.
	GraphSource []byte
	DecodeGraph func([]byte) (*engine.Graph, error)
	Params      *pyval.Dict
	// JobID is the client's id for the job ("": the manager makes one).
	// It must be a valid record id (store.ValidateID: 1 to 128 of
	// A-Z a-z 0-9 _ . -, such as a UUID) and in use by no other job,
	// running or recorded: Start refuses it otherwise (ErrBadJobID,
	// ErrDuplicateJobID).
	JobID string
	// Queue makes a run over a limit wait for a slot (status "queued",
	// see queue.go) instead of being refused, while the queue has room.
	Queue bool
}

// Job is a running or recently finished workflow run.
type Job struct {
	ID         string
	UserID     string
	WorkflowID string
	Created    time.Time
	m          *Manager

	mu       sync.Mutex
	run      *engine.Job // nil when the graph did not validate, and once ended
	status   string
	errMsg   string
	finished time.Time
	params   json.RawMessage // as recorded
	omitted  *omittedParams  // set when the params were too big to record
	ring     ring
	// delivered is the sequence number after the last event any
	// subscriber read: a reconnect replays from there.
	delivered uint64
	nodes     map[string]*engine.NodeUpdate
	nodeIDs   []string
	edges     map[string]*engine.EdgeUpdate
	edgeIDs   []string
	notify    map[*Subscriber]struct{}
	final     *engine.JobUpdate // the job_update that ended the job
	released  bool              // the limiter slot is given back (or was never taken: queued)
	freed     bool              // events and run state dropped (ended, no subscriber)
	done      chan struct{}

	// queuePos is the job's place in the queue (1 starts next) while it is
	// queued; cancelled is set by Cancel, so a queued job that is being
	// started when it is cancelled stops as soon as it runs.
	queuePos  int
	cancelled bool
}

// Start validates and starts a job, and returns it with a subscriber that
// reads its events from the first. A graph that does not validate still
// makes a job, which fails at once with the problems as node errors (as
// clients expect events, not an error reply). Start refuses a run over a
// limit (a *LimitError, which matches ErrBusy) unless req.Queue asks it
// to wait in the queue (see queue.go), a run during a shutdown
// (ErrShuttingDown), and a client's job id that is malformed or in use
// (ErrBadJobID, ErrDuplicateJobID).
func (m *Manager) Start(req Request) (*Job, *Subscriber, error) {
	if req.Graph == nil {
		g, err := m.sourceGraph(req.GraphSource, req.DecodeGraph, req.UserID, req.WorkflowID)
		if err != nil {
			return nil, nil, &GraphError{err}
		}
		req.Graph = g
	}
	id := req.JobID
	if id == "" {
		id = store.NewID()
	} else if err := store.ValidateID(id); err != nil {
		return nil, nil, ErrBadJobID
	}
	j := &Job{
		ID: id, UserID: req.UserID, WorkflowID: req.WorkflowID, Created: m.o.Now(), m: m,
		status: engine.StatusRunning, ring: ring{maxN: m.o.RingSize, maxBytes: m.o.RingBytes},
		nodes: map[string]*engine.NodeUpdate{}, edges: map[string]*engine.EdgeUpdate{},
		notify: map[*Subscriber]struct{}{}, done: make(chan struct{}),
	}
	sub := j.Subscribe()
	queued, err := m.admitJob(j, req)
	if err != nil {
		return nil, nil, err
	}
	j.params, j.omitted = m.recordParams(req.Params)
	m.save(j)
	if queued {
		m.broadcast(j, StatusQueued, "")
		return j, sub, nil
	}
	m.broadcast(j, engine.StatusRunning, "")
	m.launch(j, req.Graph, req.GraphSource, req.Params)
	return j, sub, nil
}

// launch starts the run of a job that holds a limiter slot.
func (m *Manager) launch(j *Job, graph *engine.Graph, source []byte, params *pyval.Dict) {
	m.wg.Add(1)
	plan, err := m.compile(graph, source, j.UserID, j.WorkflowID)
	if err != nil {
		go func() {
			defer m.wg.Done()
			j.publish(&engine.JobUpdate{Type: "job_update", Status: engine.StatusRunning, JobID: j.ID, WorkflowID: j.WorkflowID})
			var verr *engine.ValidationError
			if errors.As(err, &verr) {
				for _, p := range verr.Problems {
					if p.NodeID != "" {
						msg := p.Message
						j.publish(&engine.NodeUpdate{Type: "node_update", NodeID: p.NodeID, NodeType: p.NodeType, NodeName: p.NodeType,
							Status: "error", Error: &msg, JobID: j.ID, WorkflowID: j.WorkflowID})
					}
				}
			}
			msg := err.Error()
			j.publish(&engine.JobUpdate{Type: "job_update", Status: engine.StatusFailed, JobID: j.ID, WorkflowID: j.WorkflowID, Error: &msg})
			j.end(&engine.Result{Status: engine.StatusFailed, Error: msg})
		}()
		return
	}
	m.logRun(graph, j.ID, j.WorkflowID)
	mk, removeWS := m.WorkspaceOnDemand(j.ID)
	end := func(res *engine.Result) {
		defer m.wg.Done()
		j.end(res)
		if m.o.Store == nil { // no record keeps it
			removeWS()
		}
	}
	run := plan.Start(m.ctx, m.RunOptions(engine.RunOptions{JobID: j.ID, WorkflowID: j.WorkflowID, UserID: j.UserID, Params: params,
		OnEvent: j.publish, OnEnd: end, MakeWorkspace: mk}))
	j.mu.Lock()
	if j.finished.IsZero() { // not ended already
		j.run = run
	}
	cancelled := j.cancelled
	j.mu.Unlock()
	if cancelled {
		run.Cancel()
	}
}

// Run runs plan to its end for user, as a run of the manager (admitted by
// its limits, with its base options, cancelled by a shutdown after the
// grace) but not as a job: it has no record and no subscribers. o gives the
// run's ids, params and event sink. It refuses a run as Start does.
func (m *Manager) Run(ctx context.Context, user string, plan *engine.Plan, o engine.RunOptions) (*engine.Result, error) {
	if err := m.admit(user); err != nil {
		return nil, err
	}
	defer m.releaseSlot(user)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(m.ctx, cancel)
	defer stop()
	o.UserID = user
	if o.JobID == "" {
		o.JobID = store.NewID()
	}
	mk, removeWS := m.WorkspaceOnDemand(o.JobID)
	defer removeWS()
	o.MakeWorkspace = mk
	return plan.Run(ctx, m.RunOptions(o)), nil
}

// LogRun logs what Options.RunLog says of a run that starts (Start logs
// its jobs itself).
func (m *Manager) LogRun(g *engine.Graph, jobID, workflowID string) { m.logRun(g, jobID, workflowID) }

// logRun logs what Options.RunLog says of a run that starts.
func (m *Manager) logRun(g *engine.Graph, jobID, workflowID string) {
	if m.o.RunLog == nil {
		return
	}
	for _, line := range m.o.RunLog(g) {
		m.log.Info(line, "job_id", jobID, "workflow_id", workflowID)
	}
}

// Workspace makes the workspace of a run the caller drives itself (see
// Admit) and returns its path for RunOptions.Workspace ("" without
// Options.Workspaces); call done when the run has ended, to remove it.
func (m *Manager) Workspace(runID string) (path string, done func(), err error) {
	path, err = m.o.Workspaces.Make(runID)
	if err != nil {
		return "", nil, err
	}
	return path, func() { m.removeWorkspace(runID) }, nil
}

// WorkspaceOnDemand gives a run a workspace made when one of its nodes
// first asks for it (engine.RunOptions.MakeWorkspace; nil without
// Options.Workspaces): most runs never touch files, and a folder made and
// removed per job is several system calls and two changes of one shared
// directory on every run (the editor's /predict and /ws jobs). done
// removes the workspace if it was made; a job whose record keeps its
// workspace does not call it (the sweep of its record removes it).
func (m *Manager) WorkspaceOnDemand(runID string) (mk func() (string, error), done func()) {
	if m.o.Workspaces == nil {
		return nil, func() {}
	}
	var made atomic.Bool
	mk = func() (string, error) {
		made.Store(true)
		m.rec.noteWorkspace(runID) // before it exists: a sweep then removes it whatever happens
		return m.o.Workspaces.Make(runID)
	}
	return mk, func() {
		if made.Load() {
			m.removeWorkspace(runID)
		}
	}
}

// removeWorkspace removes a run's workspace, logging a failure.
func (m *Manager) removeWorkspace(id string) {
	m.rec.dropWorkspace(id)
	if err := m.o.Workspaces.Remove(id); err != nil {
		m.log.Warn("removing a run's workspace", "job_id", id, "err", err)
	}
}

// end records the job's end (in memory, in the store, to the watchers),
// marks it done, wakes its subscribers a last time and lets its memory go.
func (j *Job) end(res *engine.Result) {
	m := j.m
	j.mu.Lock()
	if j.final == nil {
		// The run ended without its final update (it always posts one;
		// this keeps subscribers from waiting if it ever did not).
		ju := &engine.JobUpdate{Type: "job_update", Status: res.Status, JobID: j.ID, WorkflowID: j.WorkflowID}
		if res.Error != "" {
			e := res.Error
			ju.Error = &e
		}
		j.final = ju
	}
	j.status, j.errMsg, j.finished = res.Status, res.Error, m.o.Now()
	j.run = nil
	j.mu.Unlock()
	m.save(j)
	m.sweepIfDue()
	m.broadcast(j, res.Status, res.Error)
	m.log.Info("job finished", "job_id", j.ID, "workflow_id", j.WorkflowID, "status", res.Status, "error", res.Error)
	m.retire(j)

	close(j.done)
	j.mu.Lock()
	for s := range j.notify {
		s.wake()
	}
	if len(j.notify) == 0 {
		j.freeLocked()
	}
	j.mu.Unlock()
	j.release()
}

// release gives the job's limiter slot back, once: at its final update,
// so a client that saw the job end can start another.
func (j *Job) release() {
	j.mu.Lock()
	done := j.released
	j.released = true
	j.mu.Unlock()
	if !done {
		j.m.releaseSlot(j.UserID)
	}
}

// dropResult replaces the final update kept for reconnects by one without
// the outputs (the subscribers still reading have their own reference).
func (j *Job) dropResult() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.final != nil && j.final.Result != nil {
		f := *j.final
		f.Result = nil
		msg := "the job's outputs are no longer held in memory"
		f.Message = &msg
		j.final = &f
	}
}

// freeLocked drops what only a running job or a reading subscriber needs:
// the events, the node and edge states, the run. The final update stays.
// The caller holds j.mu; the job has ended.
func (j *Job) freeLocked() {
	j.freed = true
	j.ring.release()
	j.nodes, j.nodeIDs, j.edges, j.edgeIDs = nil, nil, nil, nil
	j.run = nil
}

// retire keeps a finished job in memory for Retain, and at most
// MaxFinished of them, within FinishedBytes.
func (m *Manager) retire(j *Job) {
	j.mu.Lock()
	size := eventSize(j.final)
	j.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finished = append(m.finished, retired{j: j, at: m.o.Now(), size: size})
	m.finishedBytes += size
	m.pruneLocked()
}

// pruneLocked drops finished jobs past their time or over the count,
// drops the results of the oldest while their final updates are over
// FinishedBytes, and arms the janitor for the next one. The caller holds
// m.mu.
func (m *Manager) pruneLocked() {
	now := m.o.Now()
	for len(m.finished) > 0 && (len(m.finished) > m.o.MaxFinished || !now.Before(m.finished[0].at.Add(m.o.Retain))) {
		delete(m.jobs, m.finished[0].j.ID)
		m.finishedBytes -= m.finished[0].size
		m.finished[0] = retired{}
		m.finished = m.finished[1:]
	}
	for i := 0; i < len(m.finished) && m.finishedBytes > m.o.FinishedBytes; i++ {
		if r := &m.finished[i]; r.size > 0 {
			r.j.dropResult()
			m.finishedBytes -= r.size
			r.size = 0
		}
	}
	if len(m.finished) > 0 && m.janitor == nil && !m.draining {
		m.janitor = time.AfterFunc(m.finished[0].at.Add(m.o.Retain).Sub(now), func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.janitor = nil
			m.pruneLocked()
		})
	}
}

// Record describes the job as the REST API shows it.
func (j *Job) Record() Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := Record{ID: j.ID, UserID: j.UserID, JobType: "workflow", Status: j.status, WorkflowID: j.WorkflowID,
		StartedAt: store.Timestamp(j.Created)}
	if !j.finished.IsZero() {
		f := store.Timestamp(j.finished)
		r.FinishedAt = &f
	}
	if j.errMsg != "" {
		e := truncate(j.errMsg, maxRecordError)
		r.Error = &e
	}
	return r
}

// Status is the job's current status.
func (j *Job) Status() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

// Done is closed when the job has ended and its last event is published.
func (j *Job) Done() <-chan struct{} { return j.done }

// Cancel stops the job; it ends with job_update cancelled. It reports
// false when the job had already ended.
func (j *Job) Cancel() bool {
	select {
	case <-j.done:
		return false
	default:
	}
	j.mu.Lock()
	run := j.run
	j.cancelled = true
	queued := j.status == StatusQueued
	j.mu.Unlock()
	if run != nil {
		run.Cancel()
	}
	if queued {
		j.m.unqueue(j, "")
	}
	return true
}

// Push sends a value into a streaming input of the running job.
func (j *Job) Push(input string, v any) error {
	j.mu.Lock()
	run := j.run
	j.mu.Unlock()
	if run == nil {
		return errors.New("the job is not running")
	}
	return run.Push(input, v)
}

// EndInput ends a streaming input of the running job.
func (j *Job) EndInput(input string) error {
	j.mu.Lock()
	run := j.run
	j.mu.Unlock()
	if run == nil {
		return errors.New("the job is not running")
	}
	return run.EndInput(input)
}

// Get returns a job of the user (in memory).
func (m *Manager) Get(user, id string) (*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok || j.UserID != user {
		return nil, ErrNotFound
	}
	return j, nil
}

// InMemory lists the user's jobs still in memory, oldest first.
func (m *Manager) InMemory(user string) []*Job {
	m.mu.Lock()
	var out []*Job
	for _, j := range m.jobs {
		if j.UserID == user {
			out = append(out, j)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b *Job) int { return a.Created.Compare(b.Created) })
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
