package jobs

import (
	"context"
	"io"

	"nodetool/engine"
)

// publish is the run's event subscriber: it appends the event to the ring,
// keeps the latest state of each node and edge, and wakes subscribers. It
// never blocks on them.
func (j *Job) publish(ev engine.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring[j.next%uint64(len(j.ring))] = ev
	j.next++
	switch e := ev.(type) {
	case *engine.NodeUpdate:
		if _, ok := j.nodes[e.NodeID]; !ok {
			j.nodeIDs = append(j.nodeIDs, e.NodeID)
		}
		j.nodes[e.NodeID] = e
	case *engine.EdgeUpdate:
		if _, ok := j.edges[e.EdgeID]; !ok {
			j.edgeIDs = append(j.edgeIDs, e.EdgeID)
		}
		j.edges[e.EdgeID] = e
	case *engine.JobUpdate:
		// The status a client sees in the final event is the job's status
		// from now on, even before the run's bookkeeping catches up.
		if e.Status != engine.StatusRunning {
			j.status = e.Status
			if e.Error != nil {
				j.errMsg = *e.Error
			}
		}
	}
	for s := range j.notify {
		s.wake()
	}
}

// Subscriber reads a job's events in order, at its own pace.
type Subscriber struct {
	j      *Job
	next   uint64
	wakeCh chan struct{}
	resync []engine.Event
}

func (s *Subscriber) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

// Subscribe reads the job's events from its start (for the connection that
// started it).
func (j *Job) Subscribe() *Subscriber {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := &Subscriber{j: j, wakeCh: make(chan struct{}, 1)}
	if j.next > uint64(len(j.ring)) {
		s.next = j.next - uint64(len(j.ring))
	}
	j.notify[s] = struct{}{}
	return s
}

// Reconnect subscribes to a job that is already going: the subscriber first
// gets the job's status and the latest update of every node and edge, then
// the events no subscriber has read yet (those produced while no client was
// attached, as far as the ring holds them), then live events. For a job
// that has ended, it gets only the final job_update (with the result).
func (j *Job) Reconnect() *Subscriber {
	j.mu.Lock()
	defer j.mu.Unlock()
	next := j.delivered
	if size := uint64(len(j.ring)); j.next > size && next < j.next-size {
		next = j.next - size
	}
	s := &Subscriber{j: j, wakeCh: make(chan struct{}, 1), next: next}
	select {
	case <-j.done:
		s.resync = []engine.Event{j.finalUpdate()}
		return s
	default:
	}
	s.resync = j.stateLocked()
	j.notify[s] = struct{}{}
	return s
}

// stateLocked is the job's current status and the latest update of every
// node and edge. The caller holds j.mu.
func (j *Job) stateLocked() []engine.Event {
	out := make([]engine.Event, 0, 1+len(j.nodeIDs)+len(j.edgeIDs))
	out = append(out, &engine.JobUpdate{Type: "job_update", Status: j.status, JobID: j.ID, WorkflowID: j.WorkflowID})
	for _, id := range j.nodeIDs {
		out = append(out, j.nodes[id])
	}
	for _, id := range j.edgeIDs {
		out = append(out, j.edges[id])
	}
	return out
}

// finalUpdate is the job_update that ended the job. The caller holds j.mu.
func (j *Job) finalUpdate() engine.Event {
	ju := &engine.JobUpdate{Type: "job_update", Status: j.status, JobID: j.ID, WorkflowID: j.WorkflowID}
	if j.result != nil {
		if j.result.Status == engine.StatusCompleted {
			ju.Result = j.result.Outputs
		}
		if j.result.Error != "" {
			e := j.result.Error
			ju.Error = &e
		}
	}
	return ju
}

// Lagged is returned (once) by Next when the subscriber fell behind the
// job's ring buffer and missed events: the events that follow bring it back
// up to date (the job's status and the latest node and edge states), then
// live events resume.
var Lagged = &engine.LogUpdate{Type: "log_update", Content: "events were dropped because the client fell behind; resynchronising", Severity: "warning"}

// Next returns the next event, waiting for one. It returns io.EOF once the
// job has ended and every event was read, or ctx's error.
func (s *Subscriber) Next(ctx context.Context) (engine.Event, error) {
	j := s.j
	for {
		j.mu.Lock()
		if len(s.resync) > 0 {
			ev := s.resync[0]
			s.resync = s.resync[1:]
			j.mu.Unlock()
			return ev, nil
		}
		size := uint64(len(j.ring))
		if j.next > size && s.next < j.next-size {
			// Fell behind: skip to the present and resend the state
			// (ending with the final update if the job is over).
			s.next = j.next
			s.resync = j.stateLocked()
			select {
			case <-j.done:
				s.resync = append(s.resync[1:], j.finalUpdate())
			default:
			}
			j.mu.Unlock()
			return Lagged, nil
		}
		if s.next < j.next {
			ev := j.ring[s.next%size]
			s.next++
			j.delivered = max(j.delivered, s.next)
			j.mu.Unlock()
			return ev, nil
		}
		j.mu.Unlock()
		select {
		case <-j.done:
			j.mu.Lock()
			more := s.next < j.next || len(s.resync) > 0
			j.mu.Unlock()
			if !more {
				return nil, io.EOF
			}
		case <-s.wakeCh:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close stops the subscription (the job goes on).
func (s *Subscriber) Close() {
	s.j.mu.Lock()
	delete(s.j.notify, s)
	s.j.mu.Unlock()
}

// Watcher receives the lifecycle job_updates (running, completed, failed,
// cancelled) of one user's jobs, for the /updates socket. Its channel is
// bounded; a watcher that does not keep up is dropped (its channel closed)
// rather than slowing anyone down.
type Watcher struct {
	user string
	C    chan *engine.JobUpdate
}

// Watch subscribes to the user's job lifecycle events.
func (m *Manager) Watch(user string) *Watcher {
	w := &Watcher{user: user, C: make(chan *engine.JobUpdate, 64)}
	m.mu.Lock()
	m.watchers[w] = struct{}{}
	m.mu.Unlock()
	return w
}

// Unwatch ends a subscription made by Watch.
func (m *Manager) Unwatch(w *Watcher) {
	m.mu.Lock()
	if _, ok := m.watchers[w]; ok {
		delete(m.watchers, w)
		close(w.C)
	}
	m.mu.Unlock()
}

func (m *Manager) broadcast(j *Job, status, errMsg string) {
	ju := &engine.JobUpdate{Type: "job_update", Status: status, JobID: j.ID, WorkflowID: j.WorkflowID}
	if errMsg != "" {
		ju.Error = &errMsg
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for w := range m.watchers {
		if w.user != j.UserID {
			continue
		}
		select {
		case w.C <- ju:
		default:
			delete(m.watchers, w)
			close(w.C)
		}
	}
}
