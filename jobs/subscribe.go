package jobs

import (
	"context"
	"errors"
	"io"
	"time"

	"nodetool/engine"
)

// ring is a job's recent events, oldest first, bounded in count (maxN)
// and in estimated bytes (maxBytes): past either, the oldest go. The
// newest event is always kept, whatever its size.
type ring struct {
	items    []ringItem // items[head:] are the events first, first+1, ...
	head     int
	first    uint64 // sequence number of items[head]
	bytes    int64
	maxN     int
	maxBytes int64
}

type ringItem struct {
	ev   engine.Event
	size int64
}

// end is the sequence number of the next event.
func (r *ring) end() uint64 { return r.first + uint64(len(r.items)-r.head) }

// at returns event seq, which must be in [first, end).
func (r *ring) at(seq uint64) engine.Event { return r.items[r.head+int(seq-r.first)].ev }

func (r *ring) push(ev engine.Event, size int64) {
	r.items = append(r.items, ringItem{ev: ev, size: size})
	r.bytes += size
	for n := len(r.items) - r.head; n > 1 && (n > r.maxN || r.bytes > r.maxBytes); n-- {
		r.bytes -= r.items[r.head].size
		r.items[r.head] = ringItem{}
		r.head++
		r.first++
	}
	if r.head >= 64 && 2*r.head >= len(r.items) { // move the live part down
		n := copy(r.items, r.items[r.head:])
		clear(r.items[n:])
		r.items, r.head = r.items[:n], 0
	}
}

// release drops every event; the sequence goes on.
func (r *ring) release() {
	r.first = r.end()
	r.items, r.head, r.bytes = nil, 0, 0
}

// publish is the run's event subscriber: it appends the event to the ring,
// keeps the latest state of each node and edge, and wakes subscribers. It
// never blocks on them. The final job_update gives the job's limiter slot
// back.
func (j *Job) publish(ev engine.Event) {
	size := eventSize(ev)
	j.mu.Lock()
	j.ring.push(ev, size)
	final := false
	switch e := ev.(type) {
	case *engine.NodeUpdate:
		if j.nodes != nil {
			if _, ok := j.nodes[e.NodeID]; !ok {
				j.nodeIDs = append(j.nodeIDs, e.NodeID)
			}
			j.nodes[e.NodeID] = e
		}
	case *engine.EdgeUpdate:
		if j.edges != nil {
			if _, ok := j.edges[e.EdgeID]; !ok {
				j.edgeIDs = append(j.edgeIDs, e.EdgeID)
			}
			j.edges[e.EdgeID] = e
		}
	case *engine.JobUpdate:
		// The status a client sees in the final event is the job's status
		// from now on, even before the run's bookkeeping catches up.
		if e.Status != engine.StatusRunning && j.final == nil {
			j.status, j.final, final = e.Status, e, true
			if e.Error != nil {
				j.errMsg = *e.Error
			}
		}
	}
	for s := range j.notify {
		s.wake()
	}
	j.mu.Unlock()
	if final {
		j.release()
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

// Subscribe reads the job's events from the oldest one still buffered
// (for a job that has ended and dropped its events: the final update).
func (j *Job) Subscribe() *Subscriber {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := &Subscriber{j: j, wakeCh: make(chan struct{}, 1), next: j.ring.first}
	if j.freed {
		s.resync = []engine.Event{j.final}
		return s
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
	s := &Subscriber{j: j, wakeCh: make(chan struct{}, 1), next: max(j.delivered, j.ring.first)}
	if j.final != nil {
		s.resync, s.next = []engine.Event{j.final}, j.ring.end()
	} else {
		s.resync = j.stateLocked()
	}
	if !j.freed {
		j.notify[s] = struct{}{}
	}
	return s
}

// stateLocked is the job's current status and the latest update of every
// node and edge. The caller holds j.mu; the job has not ended.
func (j *Job) stateLocked() []engine.Event {
	out := make([]engine.Event, 0, 1+len(j.nodeIDs)+len(j.edgeIDs))
	if j.status == StatusQueued {
		return append(out, &QueuedUpdate{Type: "job_update", Status: StatusQueued, JobID: j.ID, WorkflowID: j.WorkflowID, QueuePosition: j.queuePos})
	}
	out = append(out, &engine.JobUpdate{Type: "job_update", Status: j.status, JobID: j.ID, WorkflowID: j.WorkflowID})
	for _, id := range j.nodeIDs {
		out = append(out, j.nodes[id])
	}
	for _, id := range j.edgeIDs {
		out = append(out, j.edges[id])
	}
	return out
}

// Lagged is returned (once) by Next when the subscriber fell behind the
// job's ring buffer and missed events: the events that follow bring it back
// up to date (the job's status and the latest node and edge states, or the
// final update of a job that has ended), then live events resume.
var Lagged = &engine.LogUpdate{Type: "log_update", Content: "events were dropped because the client fell behind; resynchronising", Severity: "warning"}

// Next returns the next event, waiting for one. It returns io.EOF once the
// job has ended and every event was read, or ctx's error.
func (s *Subscriber) Next(ctx context.Context) (engine.Event, error) {
	return s.NextBefore(ctx, nil)
}

// ErrNotYet is NextBefore's error when its time came before an event.
var ErrNotYet = errors.New("jobs: no event yet")

// NextBefore is Next, but it waits only until give delivers (a timer's
// channel; nil waits as Next does) and then returns ErrNotYet.
func (s *Subscriber) NextBefore(ctx context.Context, give <-chan time.Time) (engine.Event, error) {
	j := s.j
	for {
		j.mu.Lock()
		if len(s.resync) > 0 {
			ev := s.resync[0]
			s.resync[0] = nil
			s.resync = s.resync[1:]
			j.mu.Unlock()
			return ev, nil
		}
		end := j.ring.end()
		if s.next < j.ring.first {
			// Fell behind: skip to the present and resend the state.
			s.next = end
			if j.final != nil {
				s.resync = []engine.Event{j.final}
			} else {
				s.resync = j.stateLocked()
			}
			j.mu.Unlock()
			return Lagged, nil
		}
		if s.next < end {
			ev := j.ring.at(s.next)
			s.next++
			j.delivered = max(j.delivered, s.next)
			j.mu.Unlock()
			return ev, nil
		}
		j.mu.Unlock()
		select {
		case <-j.done:
			j.mu.Lock()
			more := s.next < j.ring.end() || len(s.resync) > 0
			j.mu.Unlock()
			if !more {
				return nil, io.EOF
			}
		case <-s.wakeCh:
		case <-give:
			return nil, ErrNotYet
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Pending reports whether Next has an event to return without waiting.
func (s *Subscriber) Pending() bool {
	j := s.j
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(s.resync) > 0 || s.next < j.ring.end()
}

// Close stops the subscription (the job goes on). The last subscriber of a
// job that has ended lets its events go.
func (s *Subscriber) Close() {
	j := s.j
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.notify, s)
	if len(j.notify) == 0 && !j.freed {
		select {
		case <-j.done:
			j.freeLocked()
		default:
		}
	}
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
