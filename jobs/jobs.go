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
// at once, never queued.
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
	wg       sync.WaitGroup

	rec records
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
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manager{o: o, log: o.Logger, lim: NewLimiter(o.MaxJobs, o.MaxJobsPerUser),
		jobs: map[string]*Job{}, watchers: map[*Watcher]struct{}{}}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.loadRecords()
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
	return func() { m.lim.Release(user) }, nil
}

// RunOptions is the one place a run's options are made: the base options
// (Options.Run: node timeout, run budgets) with the run's own ids, params
// and event sink.
func (m *Manager) RunOptions(o engine.RunOptions) engine.RunOptions {
	r := m.o.Run
	r.JobID, r.WorkflowID, r.Params, r.OnEvent = o.JobID, o.WorkflowID, o.Params, o.OnEvent
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
}

// Close cancels every running job and waits for them to end.
func (m *Manager) Close() {
	m.mu.Lock()
	m.draining = true
	if m.janitor != nil {
		m.janitor.Stop()
	}
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
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
	Params     *pyval.Dict
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
	released  bool              // the limiter slot is given back
	freed     bool              // events and run state dropped (ended, no subscriber)
	done      chan struct{}
}

// Start validates and starts a job, and returns it with a subscriber that
// reads its events from the first. A graph that does not validate still
// makes a job, which fails at once with the problems as node errors (as
// clients expect events, not an error reply). Start refuses a run over a
// limit (a *LimitError, which matches ErrBusy) or during a shutdown
// (ErrShuttingDown).
func (m *Manager) Start(req Request) (*Job, *Subscriber, error) {
	if err := m.admit(req.UserID); err != nil {
		return nil, nil, err
	}
	j := &Job{
		ID: store.NewID(), UserID: req.UserID, WorkflowID: req.WorkflowID, Created: m.o.Now(), m: m,
		status: engine.StatusRunning, ring: ring{maxN: m.o.RingSize, maxBytes: m.o.RingBytes},
		nodes: map[string]*engine.NodeUpdate{}, edges: map[string]*engine.EdgeUpdate{},
		notify: map[*Subscriber]struct{}{}, done: make(chan struct{}),
	}
	j.params, j.omitted = m.recordParams(req.Params)
	sub := j.Subscribe()
	m.mu.Lock()
	m.jobs[j.ID] = j
	m.mu.Unlock()
	m.save(j)
	m.broadcast(j, engine.StatusRunning, "")

	m.wg.Add(1)
	plan, err := m.o.Registry.Compile(req.Graph)
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
		return j, sub, nil
	}
	run := plan.Start(m.ctx, m.RunOptions(engine.RunOptions{JobID: j.ID, WorkflowID: j.WorkflowID, UserID: req.UserID, Params: req.Params, OnEvent: j.publish}))
	j.mu.Lock()
	if j.finished.IsZero() { // not ended already
		j.run = run
	}
	j.mu.Unlock()
	go func() {
		defer m.wg.Done()
		j.end(run.Wait())
	}()
	return j, sub, nil
}

// Run runs plan to its end for user, as a run of the manager (admitted by
// its limits, with its base options, cancelled by a shutdown after the
// grace) but not as a job: it has no record and no subscribers. o gives the
// run's ids, params and event sink. It refuses a run as Start does.
func (m *Manager) Run(ctx context.Context, user string, plan *engine.Plan, o engine.RunOptions) (*engine.Result, error) {
	if err := m.admit(user); err != nil {
		return nil, err
	}
	defer m.lim.Release(user)
	if o.UserID == "" {
		o.UserID = user
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(m.ctx, cancel)
	defer stop()
	return plan.Run(ctx, m.RunOptions(o)), nil
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
		j.m.lim.Release(j.UserID)
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
	j.mu.Unlock()
	if run != nil {
		run.Cancel()
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
