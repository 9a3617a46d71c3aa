package engine

// A run on one goroutine.
//
// The concurrent scheduler gives every node a goroutine and an inbox
// channel. For the small graphs most requests run (input -> a few text
// nodes -> output) that is most of a run's cost: goroutine starts and
// stack growth, channel handoffs that park and wake goroutines, a 16-slot
// channel buffer per node (BenchmarkTextWorkflow, BenchmarkChain1000).
//
// When a plan allows it (see planSequential), a run instead starts on the
// caller's goroutine and runs the nodes one after another in topological
// order, each to its end, with deliveries buffered in a slice per inbox.
// Every node then finds all its input already buffered, which is one of
// the schedules the concurrent scheduler can take: the same code (actor,
// drive, runBatch, emit) runs, so the events, results, budgets and errors
// are those of the concurrent scheduler.
//
// A run whose nodes do not fit that schedule turns concurrent where it
// stands (goConcurrent): when a node would block, because a delivery does
// not fit the buffer sized at compile time (a stream of many values) or a
// node waits for input nothing has sent yet, every buffered delivery moves
// into a channel and each node that has not run gets its goroutine, as in
// the concurrent scheduler; the blocked node goes on from there.
//
// Plans with control edges or streaming (pushed) inputs never start
// sequential: their nodes wait on each other outside the inboxes. Neither
// do plans where two nodes that do work (not inputs, constants, outputs or
// bypassed nodes) are independent: the concurrent scheduler runs those at
// the same time (two model calls, two downloads), and a sequential run
// would add their times.

// Scheduler choices for RunOptions.scheduler (tests force each).
const (
	schedAuto       = iota // sequential when the plan allows it
	schedConcurrent        // always a goroutine per node
)

// maxSeqBuffer bounds the deliveries buffered for one inbox of a
// sequential run (more turn the run concurrent).
const maxSeqBuffer = 64

// seqPlan is what a sequential run needs of its plan, made at compile time.
type seqPlan struct {
	order []*planNode // topological, ties in graph order
	buf   []int       // deliveries to buffer per node, by index
	total int         // sum of buf
	opens int         // sum of the nodes' handle counts
}

// planSequential decides whether runs of p may start sequential and makes
// their schedule; nil means no.
func planSequential(p *Plan) *seqPlan {
	if p.hasCycle || len(p.nodes) == 0 {
		return nil
	}
	for _, n := range p.nodes {
		if len(n.ctrlIn) > 0 || len(n.ctrlOut) > 0 || (n.def.Role == RoleInput && n.def.StreamingOutput) {
			return nil
		}
	}
	// Kahn's algorithm, taking ready nodes in graph order.
	indeg := make([]int, len(p.nodes))
	for _, n := range p.nodes {
		indeg[n.index] = len(n.inEdges)
	}
	sp := &seqPlan{order: make([]*planNode, 0, len(p.nodes)), buf: make([]int, len(p.nodes))}
	ready := make([]*planNode, 0, len(p.nodes))
	for _, n := range p.nodes {
		if indeg[n.index] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		sp.order = append(sp.order, n)
		for _, o := range sortedSlots(n.outEdges) {
			for _, e := range n.outEdges[o] {
				if indeg[e.dst.index]--; indeg[e.dst.index] == 0 {
					ready = append(ready, e.dst)
				}
			}
		}
	}
	if len(sp.order) != len(p.nodes) {
		return nil
	}
	// values[i] estimates how many values node i emits per output edge: one
	// per value it receives (one if nothing feeds it). Work counts the
	// working nodes on the longest path to each node: all of them are on
	// one path exactly when no two are independent.
	values := make([]int, len(p.nodes))
	work := make([]int, len(p.nodes))
	workers, longest := 0, 0
	for _, n := range sp.order {
		in, w := 0, 0
		for _, e := range n.inEdges {
			in += values[e.src.index]
			w = max(w, work[e.src.index])
		}
		values[n.index] = min(max(in, 1), maxSeqBuffer)
		sp.buf[n.index] = min(in+len(n.inEdges), maxSeqBuffer)
		sp.total += sp.buf[n.index]
		sp.opens += len(n.handles)
		if n.def.Role == RoleNode && !n.bypassed {
			w++
			workers++
		}
		work[n.index] = w
		longest = max(longest, w)
	}
	if longest != workers {
		return nil
	}
	return sp
}

func sortedSlots(m map[string][]*planEdge) []string {
	if len(m) <= 1 {
		for k := range m {
			return []string{k}
		}
		return nil
	}
	return SortedKeys(m)
}

// goConcurrent turns a sequential run into a concurrent one where it
// stands: buffered deliveries move into channels and every node that has
// not run yet gets its goroutine. Only the run's own goroutine calls it,
// while the run is sequential; the goroutines it starts see seq false.
func (r *run) goConcurrent() {
	if !r.seq {
		return
	}
	r.seq = false
	for i := range r.inboxes {
		in := &r.inboxes[i]
		if in.open == nil {
			continue // nothing feeds it
		}
		rest := in.buf[in.next:]
		in.ch = make(chan delivery, max(r.opts.InboxSize, len(rest)))
		for _, d := range rest {
			in.ch <- d
		}
		in.buf, in.next = nil, 0
	}
	for _, n := range r.order[r.next:] {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.actor(n)
		}()
	}
	r.next = len(r.order)
}

// executeSequential runs the nodes in order on this goroutine; once the
// run has turned concurrent, it waits for the nodes' goroutines.
func (r *run) executeSequential() {
	for r.next < len(r.order) {
		n := r.order[r.next]
		r.next++
		r.actor(n)
	}
	r.wg.Wait()
}

// deliver buffers d for dst while the run is sequential and the buffer has
// room, and reports whether it did.
func (r *run) deliver(dst *Inbox, d delivery) bool {
	if !r.seq {
		return false
	}
	if len(dst.buf) < cap(dst.buf) {
		dst.buf = append(dst.buf, d)
		return true
	}
	r.goConcurrent()
	return false
}
