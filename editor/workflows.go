package editor

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/lang/pyval"
	"nodetool/store"
	"nodetool/workflows"
)

func user(r *http.Request) string { return authn.UserID(r.Context()) }

// limitParam reads an optional positive integer query parameter.
func (s *Server) limitParam(w http.ResponseWriter, r *http.Request, name string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		s.fail(w, r, malformed("%s must be a positive integer", name))
		return 0, false
	}
	return n, true
}

var workflowColumns = map[string]bool{"id": true, "name": true, "description": true, "thumbnail": true,
	"thumbnail_url": true, "access": true, "user_id": true, "created_at": true, "updated_at": true, "tags": true,
	"graph": true, "settings": true, "run_mode": true}

func (s *Server) page(w http.ResponseWriter, r *http.Request, q workflows.Query) {
	limit, ok := s.limitParam(w, r, "limit", 100)
	if !ok {
		return
	}
	if cols := r.URL.Query().Get("columns"); cols != "" {
		for _, c := range strings.Split(cols, ",") {
			if !workflowColumns[strings.TrimSpace(c)] {
				s.fail(w, r, malformed("unknown column %s", strconvQuote(c)))
				return
			}
		}
	}
	q.Limit, q.Cursor, q.RunMode = limit, r.URL.Query().Get("cursor"), r.URL.Query().Get("run_mode")
	page, err := s.d.Workflows.List(user(r), q)
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

func strconvQuote(s string) string { return strconv.Quote(s) }

func (s *Server) listWorkflows(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, workflows.Query{})
}

func (s *Server) listPublic(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, workflows.Query{Public: true})
}

func (s *Server) getPublic(w http.ResponseWriter, r *http.Request) {
	e, err := s.d.Workflows.Get(user(r), r.PathValue("id"))
	if err != nil || e.Workflow.Access != "public" {
		s.fail(w, r, errWorkflowNotFound)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, workflows.Present(e.Workflow))
}

func (s *Server) listTools(w http.ResponseWriter, r *http.Request) {
	limit, ok := s.limitParam(w, r, "limit", 100)
	if !ok {
		return
	}
	page, err := s.d.Workflows.List(user(r), workflows.Query{Limit: limit, Cursor: r.URL.Query().Get("cursor"), RunMode: "tool"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type tool struct {
		Name        string  `json:"name"`
		ToolName    *string `json:"tool_name"`
		Description string  `json:"description"`
	}
	out := []tool{}
	for _, wf := range page.Workflows {
		if wf.ToolName != nil {
			out = append(out, tool{wf.Name, wf.ToolName, wf.Description})
		}
	}
	var next *string
	if page.Next != "" {
		next = &page.Next
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": next, "workflows": out})
}

// exampleSummary is an example as listed: its metadata and an empty graph.
func exampleSummary(wf *engine.Workflow) *engine.Workflow {
	c := *workflows.Present(wf)
	c.Graph = engine.Graph{Nodes: []*engine.Node{}, Edges: []*engine.Edge{}}
	c.Access = "public"
	if c.PackageName == nil {
		pkg := "nodetool"
		c.PackageName = &pkg
	}
	return &c
}

func (s *Server) listExamples(w http.ResponseWriter, r *http.Request) {
	out := []*engine.Workflow{}
	for _, ex := range s.d.Examples {
		out = append(out, exampleSummary(ex))
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": nil, "workflows": out})
}

func (s *Server) searchExamples(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("query")))
	if q == "" {
		s.fail(w, r, httpapi.Errorf(httpapi.Invalid, "query is required"))
		return
	}
	out := []*engine.Workflow{}
	for _, ex := range s.d.Examples {
		hit := strings.Contains(strings.ToLower(ex.Name+" "+ex.Description), q)
		for _, n := range ex.Graph.Nodes {
			hit = hit || strings.Contains(strings.ToLower(n.Type), q)
		}
		if hit {
			out = append(out, exampleSummary(ex))
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"next": nil, "workflows": out})
}

func (s *Server) findExample(pkg, name string) *engine.Workflow {
	for _, ex := range s.d.Examples {
		if ex.Name == name || ex.ID == name {
			if p := ex.PackageName; pkg == "" || pkg == "nodetool" || (p != nil && *p == pkg) {
				return ex
			}
		}
	}
	return nil
}

func (s *Server) getExample(w http.ResponseWriter, r *http.Request) {
	ex := s.findExample(r.PathValue("package"), r.PathValue("name"))
	if ex == nil {
		s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Example '%s' not found in package '%s'", r.PathValue("name"), r.PathValue("package")))
		return
	}
	c := *workflows.Present(ex)
	c.Access = "public"
	httpapi.WriteJSON(w, http.StatusOK, &c)
}

func (s *Server) createWorkflow(w http.ResponseWriter, r *http.Request) {
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return
	}
	req, err := workflows.ParseRequest(body, false)
	if err != nil {
		s.fail(w, r, httpapi.DecodeError(err))
		return
	}
	q := r.URL.Query()
	if pkg, name := q.Get("from_example_package"), q.Get("from_example_name"); pkg != "" && name != "" {
		ex := s.findExample(pkg, name)
		if ex == nil {
			s.fail(w, r, httpapi.Errorf(httpapi.NotFound, "Example '%s' not found in package '%s'", name, pkg))
			return
		}
		g := cloneGraph(&ex.Graph)
		req.Graph = g
		if req.Description == nil || *req.Description == "" {
			req.Description = &ex.Description
		}
		if len(req.Tags) == 0 {
			req.Tags = ex.Tags
		}
	}
	if req.Graph == nil {
		s.fail(w, r, malformed("Invalid workflow: give a graph, or from_example_package and from_example_name"))
		return
	}
	e, err := s.d.Workflows.Create(user(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, workflows.Present(e.Workflow))
}

// cloneGraph deep-copies a graph through JSON, so a copy of an example can
// be changed without touching the example.
func cloneGraph(g *engine.Graph) *engine.Graph {
	data, _ := json.Marshal(g)
	v, _ := pyval.Decode(data)
	c, err := engine.GraphFromValue(v)
	if err != nil {
		return &engine.Graph{Nodes: []*engine.Node{}, Edges: []*engine.Edge{}}
	}
	return c
}

func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) {
	e, err := s.d.Workflows.Get(user(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, errWorkflowNotFound)
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
	e, err := s.d.Workflows.Save(user(r), r.PathValue("id"), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, workflows.Present(e.Workflow))
}

func (s *Server) deleteWorkflow(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Workflows.Delete(user(r), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, nil)
}

// runWorkflow runs a stored workflow in-process: {"params": {...}} in, the
// last value of each output out; with ?stream=true every event as NDJSON,
// ending with {"type":"job_completed"} (or "job_failed").
func (s *Server) runWorkflow(w http.ResponseWriter, r *http.Request) {
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return
	}
	params := pyval.NewDict(0)
	if len(bytes.TrimSpace(body)) > 0 {
		v, err := pyval.Decode(body)
		if err != nil {
			s.fail(w, r, httpapi.DecodeError(err))
			return
		}
		d, ok := v.(*pyval.Dict)
		if !ok {
			s.fail(w, r, httpapi.Errorf(httpapi.Invalid, `the body must be {"params": {...}}`))
			return
		}
		if pv, ok := d.Get("params"); ok && pv != nil {
			if params, ok = pv.(*pyval.Dict); !ok {
				s.fail(w, r, httpapi.Errorf(httpapi.Invalid, `"params" must be an object`))
				return
			}
		}
	}
	e, err := s.d.Workflows.Get(user(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, errWorkflowNotFound)
		return
	}
	plan, err := s.d.Registry.Compile(&e.Workflow.Graph)
	if err != nil {
		s.fail(w, r, invalid("workflow cannot run: %v", err)) // a *engine.ValidationError: the graph's problems
		return
	}
	if probs := plan.CheckParams(params); len(probs) > 0 {
		s.fail(w, r, invalid("%s", probs[0].Message))
		return
	}
	release, err := s.d.Jobs.Admit(user(r))
	if err != nil {
		s.fail(w, r, err) // over a job limit (429, Retry-After) or shutting down (503)
		return
	}
	defer release()
	jobID := store.NewID()
	mkWS, done := s.d.Jobs.WorkspaceOnDemand(jobID)
	defer done()
	s.d.Jobs.LogRun(&e.Workflow.Graph, jobID, e.Workflow.ID)
	opts := s.d.Jobs.RunOptions(engine.RunOptions{JobID: jobID, WorkflowID: e.Workflow.ID, UserID: user(r), Params: params, MakeWorkspace: mkWS})
	if r.URL.Query().Get("stream") != "true" {
		res := plan.Run(r.Context(), opts)
		if res.Status != engine.StatusCompleted {
			// A failed run is a 500 whose detail is the node's error (CONTRACT
			// §4): the run's own message, about the user's workflow.
			httpapi.WriteJSON(w, http.StatusInternalServerError, map[string]any{"detail": res.Error, "node_id": res.NodeID})
			return
		}
		out := map[string]any{}
		for k, vs := range res.Outputs {
			if len(vs) > 0 {
				out[k] = vs[len(vs)-1]
			}
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	opts.OnEvent = func(ev engine.Event) {
		if enc.Encode(ev) != nil || rc.Flush() != nil {
			cancel() // the client is gone or stopped reading: stop the run
		}
	}
	res := plan.Run(ctx, opts)
	if res.Status == engine.StatusCompleted {
		enc.Encode(map[string]string{"type": "job_completed", "job_id": jobID})
	} else {
		enc.Encode(map[string]string{"type": "job_failed", "job_id": jobID, "error": res.Error})
	}
	rc.Flush()
}
