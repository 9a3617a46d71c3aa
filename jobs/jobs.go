// Package jobs runs workflows as background jobs that outlive the
// connection that started them, as the editor needs: a job's events go to a
// bounded ring buffer that any number of subscribers read at their own pace,
// so a slow or absent client never blocks the run. A subscriber that falls
// behind the ring is told and brought back up to date from the job's latest
// node and edge states. Jobs are recorded in the store (kind "jobs") when
// they start and when they end.
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
	"nodetool/engine/pyval"
	"nodetool/store"
)

// ErrNotFound: no such job for this user.
var ErrNotFound = errors.New("job not found")

// Options configure a Manager.
type Options struct {
	Registry *engine.Registry
	Store    *store.DB // nil: jobs are not recorded
	Logger   *slog.Logger
	// RingSize is how many recent events a job keeps for its subscribers
	// (default 4096).
	RingSize int
	// Retain is how long a finished job stays in memory (default 10 min).
	Retain time.Duration
	// Limits are every job's run budgets.
	Limits engine.Limits
	Now    func() time.Time
}

// Manager owns the running and recently finished jobs.
type Manager struct {
	o      Options
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex
	jobs map[string]*Job
	// lifecycle subscribers (the /updates sockets), by user.
	watchers map[*Watcher]struct{}
	wg       sync.WaitGroup
}

// New returns a manager. Call Close to cancel every job at shutdown.
func New(o Options) *Manager {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RingSize <= 0 {
		o.RingSize = 4096
	}
	if o.Retain <= 0 {
		o.Retain = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manager{o: o, log: o.Logger, jobs: map[string]*Job{}, watchers: map[*Watcher]struct{}{}}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	return m
}

// Close cancels every running job and waits for them to end.
func (m *Manager) Close() {
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

// stored is a record as kept in the store, with the run's params.
type stored struct {
	Record
	Params any `json:"params"`
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
	run        *engine.Job // nil when the graph did not validate

	mu       sync.Mutex
	status   string
	errMsg   string
	finished time.Time
	ring     []engine.Event // ring[seq % len]
	next     uint64         // sequence number of the next event
	// delivered is the sequence number after the last event any
	// subscriber read: a reconnect replays from there.
	delivered uint64
	nodes     map[string]*engine.NodeUpdate
	nodeIDs   []string
	edges     map[string]*engine.EdgeUpdate
	edgeIDs   []string
	notify    map[*Subscriber]struct{}
	done      chan struct{}
	result    *engine.Result
}

// Start validates and starts a job. A graph that does not validate still
// makes a job, which fails at once with the problems as node errors (as
// clients expect events, not an error reply).
func (m *Manager) Start(req Request) *Job {
	now := m.o.Now()
	j := &Job{
		ID: store.NewID(), UserID: req.UserID, WorkflowID: req.WorkflowID, Created: now, m: m,
		status: engine.StatusRunning, ring: make([]engine.Event, m.o.RingSize),
		nodes: map[string]*engine.NodeUpdate{}, edges: map[string]*engine.EdgeUpdate{},
		notify: map[*Subscriber]struct{}{}, done: make(chan struct{}),
	}
	m.mu.Lock()
	m.jobs[j.ID] = j
	m.mu.Unlock()
	m.save(j, req.Params)
	m.broadcast(j, engine.StatusRunning, "")

	plan, err := m.o.Registry.Compile(req.Graph)
	if err != nil {
		m.wg.Add(1)
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
			j.finish(&engine.Result{Status: engine.StatusFailed, Error: msg})
			j.publish(&engine.JobUpdate{Type: "job_update", Status: engine.StatusFailed, JobID: j.ID, WorkflowID: j.WorkflowID, Error: &msg})
			j.closeOut()
		}()
		return j
	}
	j.run = plan.Start(m.ctx, engine.RunOptions{
		JobID: j.ID, WorkflowID: j.WorkflowID, Params: req.Params, OnEvent: j.publish,
		Limits: m.o.Limits, Logger: m.log,
	})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		res := j.run.Wait()
		j.finish(res)
		j.closeOut()
	}()
	return j
}

// finish records the job's end, in memory and in the store. The final
// job_update event was already published by the engine (or the caller).
func (j *Job) finish(res *engine.Result) {
	j.mu.Lock()
	j.status, j.errMsg, j.finished, j.result = res.Status, res.Error, j.m.o.Now(), res
	j.mu.Unlock()
	j.m.save(j, nil)
	j.m.broadcast(j, res.Status, res.Error)
	j.m.log.Info("job finished", "job_id", j.ID, "workflow_id", j.WorkflowID, "status", res.Status, "error", res.Error)
}

// closeOut marks the job done and wakes its subscribers a last time.
func (j *Job) closeOut() {
	close(j.done)
	j.mu.Lock()
	for s := range j.notify {
		s.wake()
	}
	j.mu.Unlock()
	j.m.evictLater(j)
}

func (m *Manager) evictLater(j *Job) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTimer(m.o.Retain)
		defer t.Stop()
		select {
		case <-t.C:
		case <-m.ctx.Done():
		}
		m.mu.Lock()
		delete(m.jobs, j.ID)
		m.mu.Unlock()
	}()
}

func (m *Manager) save(j *Job, params *pyval.Dict) {
	if m.o.Store == nil {
		return
	}
	rec := stored{Record: j.Record(), Params: params}
	if params == nil {
		if prev, ok := m.o.Store.Get("jobs", j.ID); ok {
			var old struct {
				Params json.RawMessage `json:"params"`
			}
			if json.Unmarshal(prev, &old) == nil && len(old.Params) > 0 {
				rec.Params = old.Params
			}
		}
	}
	data, err := json.Marshal(rec)
	if err == nil {
		err = m.o.Store.PutRaw("jobs", j.ID, data)
	}
	if err != nil {
		m.log.Error("cannot record job", "job_id", j.ID, "err", err)
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
		e := j.errMsg
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
	if j.run != nil {
		j.run.Cancel()
	}
	return true
}

// Push sends a value into a streaming input of the running job.
func (j *Job) Push(input string, v any) error {
	if j.run == nil {
		return errors.New("the job is not running")
	}
	return j.run.Push(input, v)
}

// EndInput ends a streaming input of the running job.
func (j *Job) EndInput(input string) error {
	if j.run == nil {
		return errors.New("the job is not running")
	}
	return j.run.EndInput(input)
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

// Stored returns the user's recorded job (from the store), with the
// in-memory status when the job is still in memory. A recorded job marked
// running that is not in memory was cut off by a restart: it is reported
// (and recorded) as failed.
func (m *Manager) Stored(user, id string) (Record, error) {
	if j, err := m.Get(user, id); err == nil {
		return j.Record(), nil
	}
	if m.o.Store == nil {
		return Record{}, ErrNotFound
	}
	data, ok := m.o.Store.Get("jobs", id)
	if !ok {
		return Record{}, ErrNotFound
	}
	var r stored
	if json.Unmarshal(data, &r) != nil || r.UserID != user {
		return Record{}, ErrNotFound
	}
	return m.reconcile(r), nil
}

// reconcile gives the current state of a recorded job: the in-memory one
// for a job still in memory, and failed for a job recorded as running that
// is not (the server stopped while it ran).
func (m *Manager) reconcile(r stored) Record {
	m.mu.Lock()
	j, live := m.jobs[r.ID]
	m.mu.Unlock()
	if live {
		return j.Record()
	}
	if r.Status != engine.StatusRunning {
		return r.Record
	}
	r.Status = engine.StatusFailed
	msg := "the server stopped while the job was running"
	now := store.Timestamp(m.o.Now())
	r.Error, r.FinishedAt = &msg, &now
	data, err := json.Marshal(r)
	if err == nil {
		err = m.o.Store.PutRaw("jobs", r.ID, data)
	}
	if err != nil {
		m.log.Error("cannot record job", "job_id", r.ID, "err", err)
	}
	return r.Record
}

// List returns the user's recorded jobs, newest first, optionally for one
// workflow, with keyset pagination on the (time-ordered) id.
func (m *Manager) List(user, workflowID string, limit int, after string) ([]Record, string) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []Record
	if m.o.Store == nil {
		return []Record{}, ""
	}
	recs := m.o.Store.List("jobs")
	slices.Reverse(recs)
	for _, rec := range recs {
		if after != "" && rec.ID >= after {
			continue
		}
		var r stored
		if json.Unmarshal(rec.Data, &r) != nil || r.UserID != user || (workflowID != "" && r.WorkflowID != workflowID) {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].ID
		}
		out = append(out, m.reconcile(r))
	}
	if out == nil {
		out = []Record{}
	}
	return out, ""
}
