package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/lang/pyval"
	"nodetool/store"
	"nodetool/workflows"
)

func (s *Server) listWorkflows(w http.ResponseWriter, r *http.Request) {
	q := workflows.Query{Limit: 1000, Cursor: r.URL.Query().Get("cursor"), WithFixed: true}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.fail(w, r, httpapi.Errorf(httpapi.Malformed, "limit must be a positive integer"))
			return
		}
		q.Limit = n
	}
	page, err := s.d.Workflows.List(authn.UserID(r.Context()), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]*engine.Workflow, len(page.Workflows))
	for i, wf := range page.Workflows {
		out[i] = workflows.Present(wf)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": page.Next, "workflows": out})
}

func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) {
	e, err := s.d.Workflows.Get(authn.UserID(r.Context()), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err) // workflows.ErrNotFound
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, workflows.Present(e.Workflow))
}

func (s *Server) putWorkflow(w http.ResponseWriter, r *http.Request) {
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return
	}
	req, err := workflows.ParseRequest(body, true)
	if err != nil {
		s.fail(w, r, httpapi.DecodeError(err))
		return
	}
	e, err := s.d.Workflows.Save(authn.UserID(r.Context()), r.PathValue("id"), req)
	if err != nil {
		s.fail(w, r, err) // not found, read-only (409), an invalid id
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, workflows.Present(e.Workflow))
}

func (s *Server) deleteWorkflow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.d.Workflows.Delete(authn.UserID(r.Context()), id); err != nil {
		s.fail(w, r, err) // not found, read-only (409), an invalid id
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "message": "Workflow " + id + " deleted"})
}

// fail answers a handler's error through the one error table
// (httpapi.WriteError): its kind's status and safe message; the cause of
// an internal error goes to the log only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, s.log, err)
}

// prepared is a run that passed every check and may start.
type prepared struct {
	entry  *workflows.Entry
	plan   *engine.Plan
	params *pyval.Dict
}

// prepare reads the params, finds the workflow and its compiled plan, and
// checks the params. It answers the request itself on any problem.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request) (*prepared, bool) {
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return nil, false
	}
	params, err := parseParams(body)
	if err != nil {
		s.fail(w, r, httpapi.DecodeError(err))
		return nil, false
	}
	id := r.PathValue("id")
	e, err := s.d.Workflows.Get(authn.UserID(r.Context()), id)
	if errors.Is(err, workflows.ErrNotFound) {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Workflow %s not found", id))
		return nil, false
	}
	if err != nil {
		s.fail(w, r, err) // the storage backend failed: 502 or 503
		return nil, false
	}
	plan, err := s.plan(e)
	if err != nil {
		var verr *engine.ValidationError
		if errors.As(err, &verr) {
			msgs := make([]string, len(verr.Problems))
			for i, p := range verr.Problems {
				msgs[i] = p.Message
			}
			httpapi.WriteJSON(w, httpapi.Invalid.Status(), map[string]any{
				"detail":   "workflow " + id + " cannot run: " + strings.Join(msgs, "; "),
				"problems": verr.Problems,
			})
			return nil, false
		}
		s.fail(w, r, err)
		return nil, false
	}
	if probs := plan.CheckParams(params); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Message
		}
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, "%s", strings.Join(msgs, "; ")))
		return nil, false
	}
	return &prepared{entry: e, plan: plan, params: params}, true
}

// plan returns the compiled plan of a workflow, compiling it once per
// saved version.
func (s *Server) plan(e *workflows.Entry) (*engine.Plan, error) {
	id := e.Workflow.ID
	if c, ok := s.plans.Load(id); ok && c.(*cachedPlan).version == e.Version {
		return c.(*cachedPlan).plan, c.(*cachedPlan).err
	}
	plan, err := s.d.Registry.Compile(&e.Workflow.Graph)
	s.plans.Store(id, &cachedPlan{version: e.Version, plan: plan, err: err})
	return plan, err
}

// parseParams reads a run body: the params object itself, or the
// {"params": {...}} envelope. An empty body means no params.
func parseParams(body []byte) (*pyval.Dict, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return pyval.NewDict(0), nil
	}
	v, err := pyval.Decode(body)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, &workflows.InvalidError{Msg: `the body must be a JSON object of params, such as {"text": "hi"}`}
	}
	if d.Len() == 1 {
		if inner, ok := d.Get("params"); ok {
			if pd, ok := inner.(*pyval.Dict); ok {
				return pd, nil
			}
		}
	}
	return d, nil
}

// The events that end a stream.
type completeEvent struct {
	Type    string         `json:"type"`
	Results map[string]any `json:"results"`
}

type errorEvent struct {
	Type   string  `json:"type"`
	Error  string  `json:"error"`
	NodeID *string `json:"node_id"`
}

// lastValues keeps the last value each output produced.
func lastValues(outputs map[string][]any) map[string]any {
	res := make(map[string]any, len(outputs))
	for k, vs := range outputs {
		if len(vs) > 0 {
			res[k] = vs[len(vs)-1]
		}
	}
	return res
}

// runOptions is the one place a run's options are made: the base options
// (Deps.Run: node timeout, run budgets) with the run's own ids, params and
// workspace folder. Call done when the run has ended: it removes the
// workspace.
func (s *Server) runOptions(p *prepared, jobID string) (o engine.RunOptions, done func(), err error) {
	o = s.d.Run
	o.JobID, o.WorkflowID, o.Params = jobID, p.entry.Workflow.ID, p.params
	if o.Logger == nil {
		o.Logger = s.log
	}
	if s.d.RunLog != nil {
		for _, line := range s.d.RunLog(&p.entry.Workflow.Graph) {
			s.log.Info(line, "job_id", jobID, "workflow_id", o.WorkflowID)
		}
	}
	if s.d.Workspaces == nil {
		return o, func() {}, nil
	}
	// The workspace is made when a node first asks for it (most runs never
	// do), and removed at the end only if it was.
	var made bool
	o.MakeWorkspace = func() (string, error) {
		made = true
		return s.d.Workspaces.Make(jobID)
	}
	return o, func() {
		if !made {
			return
		}
		if err := s.d.Workspaces.Remove(jobID); err != nil {
			s.log.Warn("removing a run's workspace", "job_id", jobID, "err", err)
		}
	}, nil
}

// admit counts a run of the caller, or answers 429 (with Retry-After and
// the limit's name and flag) when too many are going on. Every admitted
// run ends with Limiter.Release(user).
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (user string, ok bool) {
	user = authn.UserID(r.Context())
	if err := s.d.Limiter.Acquire(user); err != nil {
		s.fail(w, r, err) // a *jobs.LimitError
		return "", false
	}
	return user, true
}

func (s *Server) runWorkflow(w http.ResponseWriter, r *http.Request) {
	user, ok := s.admit(w, r)
	if !ok {
		return
	}
	defer s.d.Limiter.Release(user)
	p, ok := s.prepare(w, r)
	if !ok {
		return
	}
	jobID := store.NewID()
	opts, done, err := s.runOptions(p, jobID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res := p.plan.Run(r.Context(), opts)
	done()
	s.jobDone(jobID, p.entry.Workflow.ID, res)
	switch res.Status {
	case engine.StatusCompleted:
		bp := resultBufs.Get().(*[]byte)
		b, err := appendResults((*bp)[:0], res.Outputs)
		if err != nil {
			s.fail(w, r, err) // a value JSON cannot carry (NaN): 500
		} else {
			httpapi.WriteJSONBytes(w, http.StatusOK, b)
		}
		if cap(b) <= 64<<10 {
			*bp = b[:0]
			resultBufs.Put(bp)
		}
	case engine.StatusFailed:
		// A 500 whose detail is the node's error (CONTRACT §4): the run's
		// own message, about the user's workflow.
		body := map[string]any{"detail": res.Error, "node_id": nil}
		if res.NodeID != "" {
			body["node_id"] = res.NodeID
		}
		httpapi.WriteJSON(w, http.StatusInternalServerError, body)
	default:
		s.fail(w, r, httpapi.Errorf(httpapi.Unavailable, "the run was cancelled before it finished"))
	}
}

// streamWorkflow runs a workflow and streams its events as SSE: every
// engine event, then {"type":"complete","results":{...}} (or
// {"type":"error",...}), then [DONE]. A client that goes away cancels the
// run.
func (s *Server) streamWorkflow(w http.ResponseWriter, r *http.Request) {
	user, ok := s.admit(w, r)
	if !ok {
		return
	}
	defer s.d.Limiter.Release(user)
	p, ok := s.prepare(w, r)
	if !ok {
		return
	}
	jobID := store.NewID()
	opts, done, err := s.runOptions(p, jobID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer done()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	s.streams.Add(1)
	defer s.streams.Add(-1)
	stream := httpapi.NewSSEBuffered(w, s.d.StreamWriteTimeout, true)
	out := newStreamOut(stream, cancel, s.d.KeepAlive)
	opts.OnEvent = out.post
	// The run executes on this goroutine (as /run's does) and writes its
	// events into the response's buffer; out's timer sends them within
	// streamFlushDelay, and a keepalive comment after KeepAlive without a
	// write (see streamOut).
	res := p.plan.Run(ctx, opts)
	out.stop()
	s.jobDone(jobID, p.entry.Workflow.ID, res)
	var last any
	switch res.Status {
	case engine.StatusCompleted:
		last = completeEvent{Type: "complete", Results: lastValues(res.Outputs)}
	case engine.StatusFailed:
		ev := errorEvent{Type: "error", Error: res.Error}
		if res.NodeID != "" {
			ev.NodeID = &res.NodeID
		}
		last = ev
	default:
		last = errorEvent{Type: "error", Error: "the run was cancelled"}
	}
	stream.BufferWith(func(b []byte) ([]byte, error) { return appendEvent(b, last) })
	// [DONE] leaves with the rest when the handler returns: net/http
	// then writes what is buffered and the end of the chunked body in one
	// write, where a flush here would make two.
	stream.Buffer([]byte("[DONE]"))
	err = stream.Err()
	if err == nil && r.Context().Err() != nil {
		err = context.Cause(r.Context())
	}
	if err != nil {
		s.log.Info("stream client went away", "workflow_id", p.entry.Workflow.ID, "status", res.Status, "err", fmt.Sprint(err))
	}
}

// streamFlushDelay is the longest a /run/stream event waits in the
// response's buffer. A run that ends sooner (a few text nodes) sends all
// its events, the complete event and [DONE] with its headers in one write;
// a longer one sends what it posted every streamFlushDelay at most.
// Flushing at each event, or each burst of them, cost a write system call
// and a wake-up of the client each, and /run/stream reached 37% of
// /health's throughput (the load tool's -what speed; 50% is the target).
const streamFlushDelay = time.Millisecond

// streamOut writes a run's events into its SSE stream as the run posts
// them (engine.RunOptions.OnEvent), from whichever goroutine posts them.
// One timer, not a goroutine, flushes them: streamFlushDelay after the
// first event that is not yet sent, and sends a keepalive comment when
// nothing was written for keepAlive. A write that fails (the client went
// away or stopped reading) cancels the run.
type streamOut struct {
	stream    *httpapi.SSE
	cancel    context.CancelFunc
	keepAlive time.Duration

	mu      sync.Mutex
	timer   *time.Timer
	pending bool // events buffered, not flushed
	stopped bool
}

func newStreamOut(stream *httpapi.SSE, cancel context.CancelFunc, keepAlive time.Duration) *streamOut {
	o := &streamOut{stream: stream, cancel: cancel, keepAlive: keepAlive}
	o.timer = time.AfterFunc(keepAlive, o.tick)
	return o
}

// post writes one event into the stream's buffer.
func (o *streamOut) post(ev engine.Event) {
	err := o.stream.BufferWith(func(b []byte) ([]byte, error) { return appendEvent(b, ev) })
	if err != nil {
		o.cancel() // the client is gone or stuck, or the event has no JSON (NaN)
		return
	}
	o.mu.Lock()
	if !o.pending && !o.stopped {
		o.pending = true
		o.timer.Reset(streamFlushDelay)
	}
	o.mu.Unlock()
}

// tick flushes what is pending, or sends a keepalive, and re-arms.
func (o *streamOut) tick() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return
	}
	var err error
	if o.pending {
		o.pending = false
		err = o.stream.Flush()
	} else {
		err = o.stream.Comment("keepalive")
	}
	if err != nil {
		o.cancel()
		return
	}
	o.timer.Reset(o.keepAlive)
}

// stop ends the timer's work: what is pending leaves with the stream's
// last write.
func (o *streamOut) stop() {
	o.mu.Lock()
	o.stopped = true
	o.timer.Stop()
	o.mu.Unlock()
}
