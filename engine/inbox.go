package engine

import (
	"context"
	"fmt"
)

// delivery is one message into a node's inbox: a value on a handle, the end
// of one upstream edge's stream, or a control event.
type delivery struct {
	handle string
	value  any
	eos    bool
	ctrl   *ControlEvent
}

type queued struct {
	seq   uint64
	value any
	ctrl  *ControlEvent
}

// Inbox is a node's input buffer. Producers send into a bounded channel (so a
// fast producer waits for a slow consumer); the consumer keeps per-handle
// queues of what it read but has not yet used, so reading one handle never
// blocks producers of another.
type Inbox struct {
	ch chan delivery
	// open counts the edges still streaming into each handle, by its
	// position in handles (a node has a few handles: a scan is cheaper
	// than a map made per node per run).
	open   []int
	queues map[string][]queued
	seq    uint64
	// handles in the order edges declared them, for deterministic scans.
	handles []string

	// ctx is the node's context: the run's, or a child the node-timeout
	// clock cancels.
	ctx   context.Context
	clock *nodeClock
	// perItem restarts the clock's budget at every value read (nodes that
	// drain their own inbox).
	perItem bool
	// held is the estimated bytes of queued values, bounded by limit.
	held, limit int64
	label       string

	// A run on one goroutine (see sequential.go) buffers deliveries in buf
	// (read from next) instead of ch, until the run turns concurrent.
	r    *run
	buf  []delivery
	next int
}

// init sets the handles of an inbox and how many edges feed each (into
// open, of len(handles)), without a channel. A node no edge feeds (an
// input, a constant) gets no counts and no channel: nothing is ever sent to
// it, and its reads see every handle closed at once. queues is made on
// first use (see queue): most nodes never buffer.
func (in *Inbox) init(counts map[string]int, handles []string, open []int) {
	in.handles, in.limit = handles, DefaultMaxValue
	if len(counts) == 0 {
		return
	}
	for i, h := range handles {
		open[i] = counts[h]
	}
	in.open = open
}

// slot is the position of handle in handles, or -1.
func (in *Inbox) slot(handle string) int {
	for i, h := range in.handles {
		if h == handle {
			return i
		}
	}
	return -1
}

// openOn is how many edges into handle are still streaming.
func (in *Inbox) openOn(handle string) int {
	if i := in.slot(handle); i >= 0 && in.open != nil {
		return in.open[i]
	}
	return 0
}

// ended counts the end of one edge's stream into handle.
func (in *Inbox) ended(handle string) {
	if i := in.slot(handle); i >= 0 && in.open != nil {
		in.open[i]--
	}
}

// Connected reports whether any edge feeds handle.
func (in *Inbox) Connected(handle string) bool {
	return in.open != nil && in.slot(handle) >= 0
}

// Open reports whether more values may still arrive on handle, or are
// buffered.
func (in *Inbox) Open(handle string) bool {
	return in.openOn(handle) > 0 || len(in.queues[handle]) > 0
}

// Pending reports whether a value is buffered on handle without blocking.
func (in *Inbox) Pending(handle string) bool {
	return len(in.queues[handle]) > 0
}

func (in *Inbox) allClosed() bool {
	for _, c := range in.open {
		if c > 0 {
			return false
		}
	}
	return true
}

// pull waits for the next delivery. The node-timeout clock does not run
// while the node waits.
func (in *Inbox) pull(ctx context.Context) (delivery, error) {
	if in.r != nil && in.r.seq {
		if in.next < len(in.buf) {
			d := in.buf[in.next]
			in.buf[in.next] = delivery{}
			in.next++
			in.received()
			return d, nil
		}
		// Nothing buffered: whatever this node waits for must come from
		// a node that has not run yet. Give every such node a goroutine.
		in.r.goConcurrent()
	}
	select {
	case d := <-in.ch:
		in.received()
		return d, nil
	default:
	}
	in.clock.pause()
	select {
	case d := <-in.ch:
		in.clock.resume()
		in.received()
		return d, nil
	case <-ctx.Done():
		return delivery{}, context.Cause(ctx)
	}
}

func (in *Inbox) received() {
	if in.perItem {
		in.clock.start()
	}
}

// hold counts a value the node keeps while it waits for other inputs. What
// a node holds is bounded like one value: by the max-value budget.
func (in *Inbox) hold(v any) error {
	in.held += shallowSize(v) + ItemCost
	if in.held > in.limit {
		return &LimitError{Limit: LimitValue, Node: in.label, Msg: fmt.Sprintf("the values waiting on its other inputs passed the %s limit of %s", LimitValue, FormatBytes(in.limit))}
	}
	return nil
}

// release uncounts a held value.
func (in *Inbox) release(v any) { in.held -= shallowSize(v) + ItemCost }

// queue keeps a value that arrived on a handle the node is not reading yet.
func (in *Inbox) queue(d delivery) error {
	if err := in.hold(d.value); err != nil {
		return err
	}
	in.seq++
	if in.queues == nil {
		in.queues = map[string][]queued{}
	}
	in.queues[d.handle] = append(in.queues[d.handle], queued{seq: in.seq, value: d.value, ctrl: d.ctrl})
	return nil
}

// unqueue takes the oldest queued value of a handle.
func (in *Inbox) unqueue(h string) queued {
	q := in.queues[h][0]
	in.queues[h] = in.queues[h][1:]
	in.release(q.value)
	return q
}

// event returns the next thing that happens on the inbox, in arrival
// order: a buffered or newly arrived value, or the end of one edge (eos).
// ok is false once every handle has ended and nothing is buffered.
func (in *Inbox) event(ctx context.Context) (d delivery, ok bool, err error) {
	if h := in.oldestQueued(); h != "" {
		q := in.unqueue(h)
		return delivery{handle: h, value: q.value, ctrl: q.ctrl}, true, nil
	}
	if in.allClosed() {
		return delivery{}, false, nil
	}
	d, err = in.pull(ctx)
	if err != nil {
		return d, false, err
	}
	if d.eos {
		in.ended(d.handle)
	}
	return d, true, nil
}

func (in *Inbox) oldestQueued() string {
	best := ""
	var bestSeq uint64
	for _, h := range in.handles {
		if q := in.queues[h]; len(q) > 0 && (best == "" || q[0].seq < bestSeq) {
			best, bestSeq = h, q[0].seq
		}
	}
	return best
}

// Next returns the next value on any handle, in arrival order. ok is false
// when every input stream has ended.
func (in *Inbox) Next(ctx context.Context) (handle string, v any, ok bool, err error) {
	for {
		d, ok, err := in.event(ctx)
		if !ok || err != nil {
			return "", nil, false, err
		}
		if !d.eos {
			return d.handle, d.value, true, nil
		}
	}
}

// NextOn returns the next value on one handle, buffering values that arrive
// on others meanwhile. ok is false when that handle's streams have ended.
func (in *Inbox) NextOn(ctx context.Context, handle string) (v any, ok bool, err error) {
	for {
		if len(in.queues[handle]) > 0 {
			return in.unqueue(handle).value, true, nil
		}
		if in.openOn(handle) <= 0 {
			return nil, false, nil
		}
		d, err := in.pull(ctx)
		if err != nil {
			return nil, false, err
		}
		switch {
		case d.eos:
			in.ended(d.handle)
		case d.handle == handle:
			return d.value, true, nil
		default:
			if err := in.queue(d); err != nil {
				return nil, false, err
			}
		}
	}
}
