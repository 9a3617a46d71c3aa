package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
	stream := httpapi.NewSSE(w, s.d.StreamWriteTimeout, true)

	// Events are written as the run posts them but flushed by this
	// goroutine, woken by flushReq: the events a run posts while a flush
	// is under way leave together with the next one, and the last ones
	// with [DONE] (one write to the socket for several events, at no
	// delay: BenchmarkStreamRequest).
	var buf []byte
	flushReq := make(chan struct{}, 1)
	send := func(v any, flush bool) error {
		var err error
		if buf, err = appendEvent(buf[:0], v); err != nil {
			return err
		}
		if flush {
			return stream.Event(buf)
		}
		return stream.Buffer(buf)
	}
	opts.OnEvent = func(ev engine.Event) {
		if err := send(ev, false); err != nil {
			cancel() // the client is gone or stuck: stop the run
			return
		}
		select {
		case flushReq <- struct{}{}:
		default:
		}
	}
	// The handler goroutine waits for the run, flushes its events and
	// sends the keepalives itself: an idle stream costs no goroutine of its
	// own.
	job := p.plan.Start(ctx, opts)
	tick := time.NewTicker(s.d.KeepAlive)
	for waiting := true; waiting; {
		select {
		case <-job.Done():
			waiting = false
		case <-flushReq:
			if stream.Flush() != nil {
				cancel()
			}
		case <-tick.C:
			if stream.Comment("keepalive") != nil {
				cancel()
			}
		}
	}
	tick.Stop()
	res := job.Wait()
	s.jobDone(jobID, p.entry.Workflow.ID, res)
	switch res.Status {
	case engine.StatusCompleted:
		send(completeEvent{Type: "complete", Results: lastValues(res.Outputs)}, false)
	case engine.StatusFailed:
		ev := errorEvent{Type: "error", Error: res.Error}
		if res.NodeID != "" {
			ev.NodeID = &res.NodeID
		}
		send(ev, false)
	default:
		send(errorEvent{Type: "error", Error: "the run was cancelled"}, false)
	}
	stream.Event([]byte("[DONE]"))
	if err := stream.Err(); err != nil {
		s.log.Info("stream client went away", "workflow_id", p.entry.Workflow.ID, "status", res.Status, "err", fmt.Sprint(err))
	}
}
