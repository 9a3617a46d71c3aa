package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"nodetool/lang/pyval"
)

// RunOptions configure one run of a plan.
type RunOptions struct {
	JobID      string
	WorkflowID string
	// Params map input node names to values. Validate them first with
	// Plan.CheckParams; Run refuses unknown params as a failed job.
	Params *pyval.Dict
	// OnEvent receives every event of the run, one call at a time, in the
	// order they are posted. It may block (the run waits), so a subscriber
	// that serves a slow network client should buffer.
	OnEvent func(Event)
	// OnEnd, if set, is called with the result once the run has ended,
	// on the run's goroutine, before Run returns and before Job.Wait
	// does: a caller that only waits to act on the end needs no goroutine
	// of its own for it (a job of the editor's had one each).
	OnEnd func(*Result)
	// Limits are the run's budgets (see Limits for the defaults).
	Limits Limits
	// InboxSize is the capacity of each node's input channel (default 16).
	InboxSize int
	// UserID is whom the run belongs to (the job's owner): nodes that
	// store results (assets) store them as this user's.
	UserID string
	// Workspace is the folder this run's nodes may read and write files in
	// (created by the caller; "" for none). Nodes reach it only through
	// Ctx.Workspace, an os.Root, so no path leaves it.
	Workspace string
	// MakeWorkspace, when Workspace is "", makes the run's workspace the
	// first time a node asks for it (once per run) and returns its path:
	// most runs never touch files, and a folder made and removed per run
	// is two directory operations on every request (see workspace.go).
	MakeWorkspace func() (string, error)
	// Logger receives internal errors (a panic in node code, with its
	// stack). Nil discards them.
	Logger *slog.Logger
	// Observer, if set, is told how the run and each node went (metrics;
	// see observe.go).
	Observer Observer

	scheduler int // schedAuto, or schedConcurrent (tests force it)
}

// Result is the outcome of a run.
type Result struct {
	Status   string           // completed, failed or cancelled
	Outputs  map[string][]any // output node name -> values received
	Error    string           // why the run failed
	NodeID   string           // the node that failed, if one did
	NodeType string
	Duration time.Duration
}

// ControlEvent is sent by a controller node over control edges: run the
// controlled node once with Properties overriding its inputs, or stop it.
// Reply, when set, receives the controlled node's outputs for that run.
type ControlEvent struct {
	Stop       bool
	Target     string // one controlled node, or "" for all
	Properties *pyval.Dict
	Reply      chan<- ControlReply
}

// ControlReply is what a controlled node sends back for a run event.
type ControlReply struct {
	Outputs map[string]any
	Err     error
}

// Job is a run in progress.
type Job struct {
	r    *run
	done chan struct{}
	res  *Result
}

// Run runs the plan to completion and returns its result. Cancelling ctx
// cancels the run, which then ends with status cancelled.
//
// The run executes on the caller's goroutine (Start adds one of its own
// and a channel to wait on): a plain request saves both
// (BenchmarkTextWorkflow).
func (p *Plan) Run(ctx context.Context, opts RunOptions) *Result {
	res := p.newRun(ctx, opts).execute()
	if opts.OnEnd != nil {
		opts.OnEnd(res)
	}
	return res
}

// Start begins a run in the background.
func (p *Plan) Start(ctx context.Context, opts RunOptions) *Job {
	r := p.newRun(ctx, opts)
	j := &Job{r: r, done: make(chan struct{})}
	go func() {
		j.res = r.execute()
		if opts.OnEnd != nil {
			opts.OnEnd(j.res)
		}
		close(j.done)
	}()
	return j
}

// newRun makes the state of one run: an inbox per node, sized by the
// plan. Maps the hot path only reads start nil (see Inbox.init), and the
// inboxes of a sequential run share their backing arrays, so a small run
// allocates a few objects (TestRunAllocs pins how many).
func (p *Plan) newRun(ctx context.Context, opts RunOptions) *run {
	if opts.InboxSize <= 0 {
		opts.InboxSize = 16
	}
	r := &run{plan: p, opts: opts, limits: opts.Limits.withDefaults(), results: map[string][]any{}, start: time.Now()}
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.counters = make([]atomic.Int64, len(p.edges)+1)
	r.inboxes = make([]Inbox, len(p.nodes))
	r.ctxs = make([]Ctx, len(p.nodes))
	r.inputs = make([]Inputs, len(p.nodes))
	var sets []setInput // one backing array for the values edges set
	if k := p.handleCount; k > 0 {
		sets = make([]setInput, k)
	}
	var bufs []delivery
	var opens []int
	if sp := p.seq; sp != nil && opts.scheduler == schedAuto {
		r.seq, r.order = true, sp.order
		bufs = make([]delivery, sp.total)
		opens = make([]int, sp.opens)
	}
	for _, n := range p.nodes {
		counts := n.edgeCount
		handles := n.handles
		if len(n.ctrlIn) > 0 {
			counts = make(map[string]int, len(n.edgeCount)+1)
			for h, c := range n.edgeCount {
				counts[h] = c
			}
			counts[ControlHandle] = len(n.ctrlIn)
			handles = append(append([]string{}, n.handles...), ControlHandle)
		}
		in := &r.inboxes[n.index]
		if r.seq {
			// One backing array for every inbox's buffer and edge counts.
			k := p.seq.buf[n.index]
			in.r, in.buf, bufs = r, bufs[:0:k], bufs[k:]
			in.init(counts, handles, opens[:len(handles):len(handles)])
			opens = opens[len(handles):]
		} else {
			in.init(counts, handles, make([]int, len(handles)))
			if len(counts) > 0 {
				in.ch = make(chan delivery, opts.InboxSize)
			}
		}
		in.ctx, in.limit, in.label = r.ctx, r.limits.Value, n.label()
		if r.limits.Node > 0 {
			nctx, cancel := context.WithCancelCause(r.ctx)
			in.ctx, in.clock = nctx, newNodeClock(r.limits.Node, cancel, in.label)
		}
		r.ctxs[n.index] = Ctx{Context: in.ctx, r: r, n: n}
		k := len(n.handles)
		r.inputs[n.index] = Inputs{n: n, set: sets[:0:k]}
		sets = sets[k:]
		if n.def.Role == RoleInput && n.def.StreamingOutput {
			if r.pushes == nil {
				r.pushes = map[*planNode]chan delivery{}
			}
			r.pushes[n] = make(chan delivery, opts.InboxSize)
		}
	}
	return r
}

// inputsFor returns n's inputs for the run: its slot of r.inputs (made
// with the run, in one allocation for every node) the first time, fresh
// ones after (or for a run newRun did not make). Each node's driver asks
// once.
func (r *run) inputsFor(n *planNode) *Inputs {
	if n.index >= len(r.inputs) { // a run newRun did not make (DriveNode)
		return newInputs(n)
	}
	in := &r.inputs[n.index]
	if in.taken {
		return newInputs(n)
	}
	in.taken = true
	return in
}

// Wait blocks until the run has ended and every node goroutine has exited.
func (j *Job) Wait() *Result {
	<-j.done
	return j.res
}

// Done is closed when the run has ended.
func (j *Job) Done() <-chan struct{} { return j.done }

// Cancel stops the run; it ends with status cancelled.
func (j *Job) Cancel() { j.r.cancel(context.Canceled) }

// Push sends a value into a streaming input node (by its name), as if the
// input had produced it on its output slot.
func (j *Job) Push(inputName string, v any) error {
	return j.sendInput(inputName, delivery{value: v})
}

// EndInput ends a streaming input's stream.
func (j *Job) EndInput(inputName string) error {
	return j.sendInput(inputName, delivery{eos: true})
}

func (j *Job) sendInput(name string, d delivery) error {
	n := j.r.plan.inputs[name]
	if n == nil {
		return fmt.Errorf("no input node named %q", name)
	}
	ch, ok := j.r.pushes[n]
	if !ok {
		return fmt.Errorf("input %q does not stream: its value is set when the run starts", name)
	}
	select {
	case ch <- d:
		return nil
	case <-j.r.ctx.Done():
		return errors.New("the run has ended")
	}
}

type run struct {
	plan    *Plan
	opts    RunOptions
	limits  Limits
	ctx     context.Context
	cancel  context.CancelCauseFunc
	start   time.Time
	inboxes []Inbox  // by planNode.index
	ctxs    []Ctx    // what node code sees of the run, by planNode.index
	inputs  []Inputs // each node's inputs, by planNode.index (see inputsFor)
	pushes  map[*planNode]chan delivery

	evMu     sync.Mutex
	resMu    sync.Mutex
	results  map[string][]any
	held     int64 // estimated bytes of results
	counters []atomic.Int64

	wsOnce sync.Once
	wsDir  string
	wsErr  error

	failMu   sync.Mutex
	failNode *planNode
	failErr  error

	// A sequential run (sequential.go): seq until it turns concurrent;
	// order is the plan's, next the first node not yet run; wg waits for
	// the goroutines of a run that turned concurrent.
	seq   bool
	order []*planNode
	next  int
	wg    sync.WaitGroup
}

func (r *run) execute() *Result {
	if r.limits.Run > 0 {
		t := time.AfterFunc(r.limits.Run, func() {
			r.fail(nil, &LimitError{Limit: LimitRunTimeout, Msg: fmt.Sprintf("the run took over %s, the %s limit", r.limits.Run, LimitRunTimeout)})
		})
		defer t.Stop()
	}
	if !r.quiet() {
		r.post(r.jobUpdate(StatusRunning))
	}
	params := r.opts.Params
	if probs := r.plan.CheckParams(params); len(probs) > 0 {
		verr := &ValidationError{Problems: probs}
		for _, pr := range probs {
			if pr.NodeID != "" {
				if n := r.plan.byID[pr.NodeID]; n != nil {
					r.nodeError(n, pr.Message)
				}
			}
		}
		return r.finish(StatusFailed, verr.Error(), nil)
	}
	// One goroutine per node, but the last node runs on this goroutine,
	// which would otherwise only wait: one goroutine fewer per run
	// (BenchmarkTextWorkflow). Every other node has its own, so a node
	// blocked on a full inbox never holds up the one that would drain it.
	nodes := r.plan.nodes
	switch {
	case len(nodes) == 0:
		return r.finish(StatusCompleted, "", nil)
	case r.seq:
		r.executeSequential()
	default:
		var wg sync.WaitGroup
		for _, n := range nodes[:len(nodes)-1] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.actor(n)
			}()
		}
		r.actor(nodes[len(nodes)-1])
		wg.Wait()
	}

	r.failMu.Lock()
	failNode, failErr := r.failNode, r.failErr
	r.failMu.Unlock()
	switch {
	case failErr != nil:
		return r.finish(StatusFailed, failErr.Error(), failNode)
	case r.ctx.Err() != nil:
		return r.finish(StatusCancelled, "", nil)
	}
	return r.finish(StatusCompleted, "", nil)
}

func (r *run) finish(status, errMsg string, node *planNode) *Result {
	r.cancel(context.Canceled) // release the context's resources
	res := &Result{Status: status, Error: errMsg, Duration: time.Since(r.start)}
	switch status {
	case StatusCompleted:
		r.resMu.Lock()
		res.Outputs = r.results
		r.resMu.Unlock()
	case StatusFailed:
		if node != nil {
			res.NodeID, res.NodeType = node.id, node.node.Type
		}
	}
	if !r.quiet() {
		r.post(r.finalUpdate(res, node))
	}
	r.observeRun(res)
	return res
}

// finalUpdate is the job_update that ends a run, built only for a
// subscriber.
func (r *run) finalUpdate(res *Result, node *planNode) *JobUpdate {
	ju := r.jobUpdate(res.Status)
	d := res.Duration.Seconds()
	ju.Duration = &d
	switch res.Status {
	case StatusCompleted:
		ju.Result = res.Outputs
		ju.Message = strp(fmt.Sprintf("Workflow %s completed in %.2f seconds", r.opts.JobID, d))
	case StatusFailed:
		ju.Error = &res.Error
		if node != nil {
			ju.NodeID = &node.id
		}
	}
	return ju
}

func (r *run) jobUpdate(status string) *JobUpdate {
	return &JobUpdate{Type: "job_update", Status: status, JobID: r.opts.JobID, WorkflowID: r.opts.WorkflowID}
}

func (r *run) post(ev Event) {
	if r.opts.OnEvent == nil {
		return
	}
	r.evMu.Lock()
	defer r.evMu.Unlock()
	r.opts.OnEvent(ev)
}

func (r *run) quiet() bool { return r.opts.OnEvent == nil }

// fail records the first failure (of node n, or of the whole run when n is
// nil) and cancels the rest of the run.
func (r *run) fail(n *planNode, err error) {
	r.failMu.Lock()
	first := r.failErr == nil && r.ctx.Err() == nil
	if first {
		r.failNode, r.failErr = n, err
	}
	r.failMu.Unlock()
	if first {
		if n != nil {
			r.nodeError(n, err.Error())
		}
		r.cancel(err)
	}
}

func (r *run) nodeError(n *planNode, msg string) {
	if r.quiet() {
		return
	}
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	r.post(&NodeUpdate{Type: "node_update", NodeID: n.id, NodeName: n.title, NodeType: n.node.Type,
		Status: "error", Error: &msg, JobID: r.opts.JobID, WorkflowID: r.opts.WorkflowID})
}

// Shared, never-modified payloads of frequent node updates. Subscribers
// must treat events as read-only.
var (
	noProps    = map[string]any{}
	streamDone = map[string]any{"status": "completed"}
)

func (r *run) nodeUpdate(n *planNode, status string, result, props any) {
	if r.quiet() {
		return
	}
	r.post(&NodeUpdate{Type: "node_update", NodeID: n.id, NodeName: n.title, NodeType: n.node.Type,
		Status: status, Result: result, Properties: props, JobID: r.opts.JobID, WorkflowID: r.opts.WorkflowID})
}

// actor drives one node from start to end of stream, then ends the streams
// of all its outgoing edges. A panic in node code fails the node, not the
// process.
func (r *run) actor(n *planNode) {
	defer r.observeNode(n, time.Now())
	in := &r.inboxes[n.index]
	defer in.clock.close()
	defer r.closeOutputs(n)
	defer func() {
		if p := recover(); p != nil {
			if r.opts.Logger != nil {
				r.opts.Logger.Error("node panicked", "node_id", n.id, "node_type", n.node.Type, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			r.fail(n, fmt.Errorf("internal error in %s", n.label()))
		}
	}()
	err := r.drive(n)
	if err == nil {
		return
	}
	// A node that ran out of time fails with its budget's error, whatever
	// its code made of the cancellation.
	if te := in.clock.expired(); te != nil {
		err = te
	}
	// Once the run is ending, a node's error is a consequence of the
	// cancellation, not a cause of its own.
	if r.ctx.Err() == nil {
		r.fail(n, err)
	}
}

// ctxFor returns what node code sees of the run (made once per node in
// newRun, not per call).
func (r *run) ctxFor(n *planNode) *Ctx {
	return &r.ctxs[n.index]
}

func (r *run) drive(n *planNode) error {
	switch {
	case n.def.Role == RoleInput:
		return r.driveInput(n)
	case n.bypassed:
		return r.driveBypass(n)
	case len(n.ctrlIn) > 0:
		return r.driveControlled(n)
	case n.def.Run != nil:
		return r.driveStreamingInput(n)
	}
	return r.driveBatches(n)
}

func (r *run) closeOutputs(n *planNode) {
	for _, o := range n.outputs() {
		for _, e := range n.outEdges[o.Name] {
			r.endEdge(e)
		}
	}
	for _, e := range n.ctrlOut {
		r.endEdge(e)
	}
}

func (r *run) endEdge(e *planEdge) {
	dst, d := &r.inboxes[e.dst.index], delivery{handle: e.edge.TargetHandle, eos: true}
	if !r.deliver(dst, d) {
		select {
		case dst.ch <- d:
		case <-r.ctx.Done():
		}
	}
	if !r.quiet() {
		r.post(&EdgeUpdate{Type: "edge_update", EdgeID: e.id, Status: "drained", JobID: r.opts.JobID, WorkflowID: r.opts.WorkflowID})
	}
}

// emit routes v from a node's output slot to every edge leaving it. A value
// over the max-value budget fails the node.
func (r *run) emit(n *planNode, slot string, v any) error {
	if v == nil {
		return nil
	}
	if slot == ControlHandle || slot == "__control_output__" {
		return r.emitControl(n, v)
	}
	if sz := shallowSize(v); sz > r.limits.Value {
		return &LimitError{Limit: LimitValue, Node: n.label(), Msg: fmt.Sprintf("its output %q is %s, over the %s limit of %s", slot, FormatBytes(sz), LimitValue, FormatBytes(r.limits.Value))}
	}
	edges, ok := n.outEdges[slot]
	if !ok {
		if _, known := n.outputType(slot); !known {
			return fmt.Errorf("%s tried to emit to unknown output %q", n.label(), slot)
		}
		return nil
	}
	src := &r.inboxes[n.index]
	for _, e := range edges {
		if err := r.send(src, &r.inboxes[e.dst.index], delivery{handle: e.edge.TargetHandle, value: v}); err != nil {
			return err
		}
		c := r.counters[e.index].Add(1)
		if !r.quiet() {
			r.post(&EdgeUpdate{Type: "edge_update", EdgeID: e.id, Status: "message_sent", Counter: &c, JobID: r.opts.JobID, WorkflowID: r.opts.WorkflowID})
		}
	}
	return nil
}

func (r *run) emitControl(n *planNode, v any) error {
	ev, ok := v.(*ControlEvent)
	if !ok {
		props, _ := v.(*pyval.Dict)
		ev = &ControlEvent{Properties: props}
	}
	sent := false
	src := &r.inboxes[n.index]
	for _, e := range n.ctrlOut {
		if ev.Target != "" && e.dst.id != ev.Target {
			continue
		}
		if err := r.send(src, &r.inboxes[e.dst.index], delivery{handle: ControlHandle, ctrl: ev}); err != nil {
			return err
		}
		sent = true
	}
	if ev.Target != "" && !sent {
		return fmt.Errorf("%s has no control edge to node %s", n.label(), ev.Target)
	}
	return nil
}

// send delivers d to a node's inbox, waiting while it is full. The
// sender's node-timeout clock does not run while it waits; a sender whose
// clock ran out gets its timeout error.
func (r *run) send(src, dst *Inbox, d delivery) error {
	if r.deliver(dst, d) {
		return src.clock.expired()
	}
	select {
	case dst.ch <- d:
		return src.clock.expired()
	default:
	}
	src.clock.pause()
	select {
	case dst.ch <- d:
	case <-r.ctx.Done():
		return context.Cause(r.ctx)
	}
	src.clock.resume()
	return src.clock.expired()
}

func (r *run) emitter(n *planNode) Emit {
	return func(slot string, v any) error { return r.emit(n, slot, v) }
}

func (r *run) driveInput(n *planNode) error {
	name, _ := n.props["name"].(string)
	ch, streaming := r.pushes[n]
	v := n.props["value"]
	if streaming {
		v = nil // a streaming input sends only what is pushed (or a param)
	}
	if pv, ok := r.opts.Params.Get(name); ok {
		cv, err := n.coerceParam(pv)
		if err != nil {
			return fmt.Errorf("param %q: %v", name, err)
		}
		v = cv
	}
	outs := n.outputs()
	if len(outs) == 0 {
		return nil
	}
	slot := outs[0].Name
	if err := r.emit(n, slot, v); err != nil {
		return err
	}
	if !streaming {
		return nil
	}
	for {
		select {
		case d := <-ch:
			if d.eos {
				return nil
			}
			if err := r.emit(n, slot, d.value); err != nil {
				return err
			}
		case <-r.ctx.Done():
			return context.Cause(r.ctx)
		}
	}
}

// driveBypass forwards every value of the node's first connected input to
// its first output, without running the node.
func (r *run) driveBypass(n *planNode) error {
	inbox := &r.inboxes[n.index]
	first := ""
	for _, p := range n.def.Props {
		if n.edgeCount[p.Name] > 0 {
			first = p.Name
			break
		}
	}
	if first == "" && len(n.handles) > 0 {
		first = n.handles[0]
	}
	outs := n.outputs()
	for {
		h, v, ok, err := inbox.Next(inbox.ctx)
		if err != nil || !ok {
			return err
		}
		if h == first && len(outs) > 0 {
			if err := r.emit(n, outs[0].Name, v); err != nil {
				return err
			}
		}
	}
}

func (r *run) driveStreamingInput(n *planNode) error {
	r.nodeUpdate(n, "running", nil, noProps)
	in := r.inputsFor(n)
	inbox := &r.inboxes[n.index]
	inbox.perItem = true
	inbox.clock.start()
	err := n.def.Run(r.ctxFor(n), in, inbox, r.emitter(n))
	inbox.clock.stop()
	if err != nil {
		return err
	}
	r.nodeUpdate(n, "completed", streamDone, noProps)
	return nil
}

// batchValue is one (handle, value) of an aligned batch.
type batchValue struct {
	handle string
	value  any
}

func (r *run) driveBatches(n *planNode) error {
	in := r.inputsFor(n)
	if len(n.handles) == 0 {
		_, err := r.runBatch(n, in, nil, nil)
		return err
	}
	if n.zipAll {
		for _, h := range n.handles {
			if n.streaming[h] {
				return r.zipLoop(n, in)
			}
		}
	}
	return r.onAnyLoop(n, in)
}

// arrivals reads the inbox and calls f for each value, turning the values
// of an aggregated list handle into one list delivered when its streams end.
// What the node holds meanwhile counts against its max-value budget.
func (r *run) arrivals(n *planNode, f func(h string, v any) error) error {
	inbox := &r.inboxes[n.index]
	agg := map[string][]any{}
	for {
		d, ok, err := inbox.event(inbox.ctx)
		if err != nil || !ok {
			return err
		}
		if n.aggregate[d.handle] {
			if d.eos {
				if !inbox.Open(d.handle) {
					l := agg[d.handle]
					delete(agg, d.handle)
					for _, v := range l {
						inbox.release(v)
					}
					if l == nil {
						l = []any{}
					}
					if err := f(d.handle, l); err != nil {
						return err
					}
				}
				continue
			}
			items, ok := d.value.([]any)
			if !ok {
				items = []any{d.value}
			}
			for _, v := range items {
				if err := inbox.hold(v); err != nil {
					return err
				}
			}
			agg[d.handle] = append(agg[d.handle], items...)
			continue
		}
		if d.eos {
			continue
		}
		if err := f(d.handle, d.value); err != nil {
			return err
		}
	}
}

// onAnyLoop runs the node once every input has a value, then again on each
// later arrival with the latest value of every other input. Values that
// arrive before every input has one are not lost: when the node becomes
// ready it runs once per value queued on the busiest input.
func (r *run) onAnyLoop(n *planNode, in *Inputs) error {
	inbox := &r.inboxes[n.index]
	pending := map[string][]any{}
	current := map[string]any{}
	primed := false
	return r.arrivals(n, func(h string, v any) error {
		if primed {
			current[h] = v
			_, err := r.runBatch(n, in, r.batchOf(n, current), nil)
			return err
		}
		if err := inbox.hold(v); err != nil {
			return err
		}
		pending[h] = append(pending[h], v)
		if len(pending) < len(n.handles) {
			return nil
		}
		primed = true
		rounds := 0
		for _, q := range pending {
			rounds = max(rounds, len(q))
			for _, v := range q {
				inbox.release(v)
			}
		}
		for i := range rounds {
			for hh, q := range pending {
				current[hh] = q[min(i, len(q)-1)]
			}
			if _, err := r.runBatch(n, in, r.batchOf(n, current), nil); err != nil {
				return err
			}
		}
		pending = nil
		return nil
	})
}

func (r *run) batchOf(n *planNode, current map[string]any) []batchValue {
	b := make([]batchValue, 0, len(current))
	for _, h := range n.handles {
		if v, ok := current[h]; ok {
			b = append(b, batchValue{h, v})
		}
	}
	return b
}

// zipLoop pairs streaming inputs item by item; inputs fed by non-streaming
// edges keep their first value for every batch.
func (r *run) zipLoop(n *planNode, in *Inputs) error {
	inbox := &r.inboxes[n.index]
	sticky := map[string]any{}
	queues := map[string][]any{}
	return r.arrivals(n, func(h string, v any) error {
		if n.streaming[h] && !n.aggregate[h] {
			if err := inbox.hold(v); err != nil {
				return err
			}
			queues[h] = append(queues[h], v)
		} else if _, set := sticky[h]; !set {
			sticky[h] = v
		}
		for {
			batch := make([]batchValue, 0, len(n.handles))
			for _, hh := range n.handles {
				if n.streaming[hh] && !n.aggregate[hh] {
					if len(queues[hh]) == 0 {
						return nil
					}
					batch = append(batch, batchValue{hh, queues[hh][0]})
				} else {
					sv, set := sticky[hh]
					if !set {
						return nil
					}
					batch = append(batch, batchValue{hh, sv})
				}
			}
			for _, hh := range n.handles {
				if n.streaming[hh] && !n.aggregate[hh] {
					inbox.release(queues[hh][0])
					queues[hh] = queues[hh][1:]
				}
			}
			if _, err := r.runBatch(n, in, batch, nil); err != nil {
				return err
			}
		}
	})
}

// runBatch assigns a batch of input values and runs the node once. With
// capture set, the outputs are also returned (for control replies).
func (r *run) runBatch(n *planNode, in *Inputs, batch []batchValue, overrides *pyval.Dict) (map[string]any, error) {
	def := n.def
	for _, b := range batch {
		if err := in.Set(b.handle, b.value); err != nil {
			return nil, err
		}
		if def.Process != nil && !r.quiet() {
			r.nodeUpdate(n, "running", nil, map[string]any{b.handle: b.value})
		}
	}
	if overrides != nil {
		saved := map[string]any{}
		var err error
		overrides.Range(func(k string, v any) bool {
			if _, ok := def.Prop(k); !ok && !def.Dynamic {
				err = fmt.Errorf("%s has no property %q", n.label(), k)
				return false
			}
			saved[k] = in.Get(k)
			if e := in.Set(k, v); e != nil {
				err = e
				return false
			}
			return true
		})
		defer func() {
			for k, v := range saved {
				in.restore(k, v)
			}
		}()
		if err != nil {
			return nil, err
		}
	}
	ctx := r.ctxFor(n)
	clock := r.inboxes[n.index].clock
	if def.Process != nil {
		r.nodeUpdate(n, "running", nil, noProps)
		clock.start()
		out, err := def.Process(ctx, in)
		clock.stop()
		if err != nil {
			return nil, err
		}
		if err := clock.expired(); err != nil {
			return nil, err
		}
		result := any(out)
		if def.Role == RoleConstant {
			result = noProps
		}
		r.nodeUpdate(n, "completed", result, noProps)
		for _, o := range n.outputs() {
			if v, ok := out[o.Name]; ok {
				if err := r.emit(n, o.Name, v); err != nil {
					return nil, err
				}
			}
		}
		if len(out) > 0 {
			for slot := range out {
				if _, ok := n.outputType(slot); !ok && slot != ControlHandle && slot != "__control_output__" {
					return nil, fmt.Errorf("%s tried to emit to unknown output %q", n.label(), slot)
				}
			}
		}
		return out, nil
	}
	if !r.quiet() {
		props := make(map[string]any, len(batch))
		for _, b := range batch {
			props[b.handle] = b.value
		}
		r.nodeUpdate(n, "running", nil, props)
	}
	var captured map[string]any
	emit := r.emitter(n)
	if overrides != nil {
		captured = map[string]any{}
		emit = func(slot string, v any) error {
			if v != nil {
				captured[slot] = v
			}
			return r.emit(n, slot, v)
		}
	}
	clock.start()
	err := def.Gen(ctx, in, emit)
	clock.stop()
	if err != nil {
		return nil, err
	}
	if err := clock.expired(); err != nil {
		return nil, err
	}
	r.nodeUpdate(n, "completed", streamDone, noProps)
	return captured, nil
}

// driveControlled runs a node once per run event from its controllers,
// with the latest data inputs and the event's properties on top.
func (r *run) driveControlled(n *planNode) error {
	in := r.inputsFor(n)
	inbox := &r.inboxes[n.index]
	latest := map[string]any{}
	for {
		d, ok, err := inbox.event(inbox.ctx)
		if err != nil || !ok {
			return err
		}
		if d.eos {
			if d.handle == ControlHandle && !inbox.Open(ControlHandle) {
				return nil
			}
			continue
		}
		if d.handle != ControlHandle {
			latest[d.handle] = d.value
			continue
		}
		ev := d.ctrl
		if ev == nil {
			continue
		}
		if ev.Stop {
			return nil
		}
		props := ev.Properties
		if props == nil {
			props = pyval.NewDict(0)
		}
		out, err := r.runBatch(n, in, r.batchOf(n, latest), props)
		if ev.Reply != nil {
			select {
			case ev.Reply <- ControlReply{Outputs: out, Err: err}:
			case <-r.ctx.Done():
				return context.Cause(r.ctx)
			}
		}
		if err != nil {
			return err
		}
	}
}

// addResult appends a value to the output named name, skipping a value
// equal to the last one appended (as the original does). Results past the
// max-results budget fail the output node n.
func (r *run) addResult(n *planNode, name string, v any) error {
	if v == nil {
		return nil
	}
	r.resMu.Lock()
	defer r.resMu.Unlock()
	l := r.results[name]
	if len(l) > 0 && pyval.Equal(l[len(l)-1], v) {
		return nil
	}
	room := r.limits.Results - r.held
	size := DeepSize(v, room) + ItemCost
	if size > room {
		return &LimitError{Limit: LimitResults, Node: n.label(), Msg: fmt.Sprintf("the run's results passed the %s limit of %s", LimitResults, FormatBytes(r.limits.Results))}
	}
	r.held += size
	r.results[name] = append(l, v)
	return nil
}
