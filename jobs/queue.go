package jobs

import (
	"errors"
	"slices"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// The queue
//
// A run the limits hold back (Options.MaxJobs, Options.MaxJobsPerUser)
// is refused at once unless its Request asks to queue, as the unified
// socket (/ws) does: then it becomes a job in status "queued", with a
// place in one server-wide FIFO queue of at most Options.MaxQueued jobs
// (past that, it is refused as before). A queued job holds no slot and no
// run; it has a record, answers Get, Cancel and Reconnect, and its
// subscribers get a job_update {"status": "queued", "queue_position": N}
// (1: it starts next) when it is queued and whenever its place changes.
// Each time a run gives its slot back, the queue is walked in order and
// every job that now fits its limits starts (a job held back by its
// user's own limit does not block other users' jobs behind it). Cancelling
// a queued job ends it at once (cancelled); a shutdown cancels every
// queued job, which never starts.

// StatusQueued is the status of a job waiting in the queue.
const StatusQueued = "queued"

// DefaultMaxQueued bounds the queue unless Options.MaxQueued is set.
const DefaultMaxQueued = 256

// The errors of a client's job id (Request.JobID), safe to show.
var (
	ErrBadJobID       = errors.New(`invalid job_id: use 1 to 128 characters of A-Z, a-z, 0-9, "_", "." and "-" (a UUID), or none`)
	ErrDuplicateJobID = errors.New("job_id is already in use: send a new id for each run")
)

// QueuedUpdate is the job_update of a queued job: NodeTool's JobUpdate
// with status "queued" and the job's place in the queue.
type QueuedUpdate struct {
	Type          string  `json:"type"`
	Status        string  `json:"status"`
	JobID         string  `json:"job_id"`
	WorkflowID    string  `json:"workflow_id"`
	QueuePosition int     `json:"queue_position"`
	Message       *string `json:"message"`
}

func (*QueuedUpdate) EventType() string { return "job_update" }

// queued is a job waiting for a slot, with what its run needs.
type queued struct {
	j      *Job
	graph  *engine.Graph
	source []byte
	params *pyval.Dict
}

// admitJob registers a new job: it takes a slot for it, or queues it
// (req.Queue, while the queue has room), or refuses it. It reports
// whether the job was queued.
func (m *Manager) admitJob(j *Job, req Request) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.draining {
		return false, ErrShuttingDown
	}
	if _, dup := m.jobs[j.ID]; dup || m.rec.has(j.ID) {
		return false, ErrDuplicateJobID
	}
	err := m.lim.Acquire(j.UserID)
	if err != nil && (!req.Queue || len(m.queue) >= m.o.MaxQueued) {
		return false, err
	}
	m.jobs[j.ID] = j
	if err == nil {
		return false, nil
	}
	m.queue = append(m.queue, queued{j: j, graph: req.Graph, source: req.GraphSource, params: req.Params})
	j.mu.Lock()
	j.status, j.released, j.queuePos = StatusQueued, true, len(m.queue)
	j.mu.Unlock()
	announceLocked(j)
	return true, nil
}

// announceLocked publishes a queued job's place. The caller holds m.mu,
// so the job cannot start meanwhile: no "queued" follows its "running".
func announceLocked(j *Job) {
	j.mu.Lock()
	ev := &QueuedUpdate{Type: "job_update", Status: StatusQueued, JobID: j.ID, WorkflowID: j.WorkflowID, QueuePosition: j.queuePos}
	j.mu.Unlock()
	j.publish(ev)
}

// renumberLocked gives the queued jobs from index i on their new places
// and announces those that moved. The caller holds m.mu.
func (m *Manager) renumberLocked(i int) {
	for ; i < len(m.queue); i++ {
		j := m.queue[i].j
		j.mu.Lock()
		moved := j.queuePos != i+1
		j.queuePos = i + 1
		j.mu.Unlock()
		if moved {
			announceLocked(j)
		}
	}
}

// unqueue takes a job out of the queue and ends it, cancelled; reason,
// when set, is the job's error. It does nothing to a job no longer
// queued (it is starting: Cancel's flag stops it).
func (m *Manager) unqueue(j *Job, reason string) {
	m.mu.Lock()
	at := -1
	for i, q := range m.queue {
		if q.j == j {
			at = i
			break
		}
	}
	if at < 0 {
		m.mu.Unlock()
		return
	}
	m.queue = slices.Delete(m.queue, at, at+1) // clears the freed slot
	m.renumberLocked(at)
	m.mu.Unlock()
	ju := &engine.JobUpdate{Type: "job_update", Status: engine.StatusCancelled, JobID: j.ID, WorkflowID: j.WorkflowID}
	res := &engine.Result{Status: engine.StatusCancelled}
	if reason != "" {
		ju.Error, res.Error = &reason, reason
	}
	j.publish(ju)
	j.end(res)
}

// releaseSlot gives a run's slot back and starts the queued jobs that
// now fit.
func (m *Manager) releaseSlot(user string) {
	m.lim.Release(user)
	m.promote()
}

// promote starts, in queue order, every queued job whose limits now have
// room, and announces the new places of those that still wait.
func (m *Manager) promote() {
	m.mu.Lock()
	if len(m.queue) == 0 || m.draining {
		m.mu.Unlock()
		return
	}
	var start []queued
	keep := m.queue[:0]
	for _, q := range m.queue {
		if m.lim.Acquire(q.j.UserID) == nil {
			q.j.mu.Lock()
			q.j.status, q.j.released, q.j.queuePos = engine.StatusRunning, false, 0
			q.j.mu.Unlock()
			start = append(start, q)
			continue
		}
		keep = append(keep, q)
	}
	clear(m.queue[len(keep):])
	m.queue = keep
	m.renumberLocked(0)
	m.mu.Unlock()
	for _, q := range start {
		m.save(q.j)
		m.broadcast(q.j, engine.StatusRunning, "")
		m.launch(q.j, q.graph, q.source, q.params)
	}
}

// cancelQueue ends every queued job (a shutdown: they never start).
func (m *Manager) cancelQueue() {
	m.mu.Lock()
	q := append([]queued(nil), m.queue...)
	m.mu.Unlock()
	for _, e := range q {
		m.unqueue(e.j, "the server is shutting down: the job was queued and never started")
	}
}

// Queued is how many jobs wait in the queue.
func (m *Manager) Queued() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.queue)
}
