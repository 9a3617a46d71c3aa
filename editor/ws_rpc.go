package editor

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/lang/pyval"
)

// The read-only RPC commands of /ws, used by SDKs and agents: {"command":
// name, "request_id": id, "data": {...}} is answered by one
// {"type":"rpc_response", "request_id", "command", "result": {...}} or
// {"type":"rpc_response", "request_id", "command", "error": {"code",
// "message", "retryable"}}. They answer as the tRPC procedures of the same
// name do (through the same REST handlers, for the socket's user). The
// media commands (generate_media, transcribe_audio, generate_text) answer
// an error: this server has no such provider.

// rpcCommand runs one RPC command: it is a tRPC procedure of this server,
// with the command's data as its input (renamed fields first).
type rpcCommand struct {
	proc   string            // the tRPC procedure
	rename map[string]string // data field -> input field
	wrap   string            // when set, an array result is answered as {wrap: [...]}
}

// rpcCommands are the RPC commands of /ws.
var rpcCommands = map[string]rpcCommand{
	"list_workflows":            {proc: "workflows.list"},
	"get_workflow":              {proc: "workflows.get", rename: map[string]string{"workflow_id": "id"}},
	"list_workflow_summaries":   {proc: "workflows.sdkSummaries"},
	"get_workflow_interface":    {proc: "workflows.interface", rename: map[string]string{"workflow_id": "id"}},
	"get_workflow_interfaces":   {proc: "workflows.interfaces", rename: map[string]string{"workflow_ids": "ids"}},
	"list_assets":               {proc: "assets.list"},
	"get_asset":                 {proc: "assets.get", rename: map[string]string{"asset_id": "id"}},
	"list_nodes":                {proc: "nodes.list"},
	"get_node":                  {proc: "nodes.get"},
	"get_node_type_inventory":   {proc: "rpc.node_type_inventory"},
	"get_capabilities":          {proc: "rpc.capabilities"},
	"preflight_workflow":        {proc: "rpc.preflight", rename: map[string]string{"id": "workflow_id"}},
	"list_models":               {proc: "models.all", wrap: "models"},
	"list_providers":            {proc: "models.providers", wrap: "providers"},
	"generate_media":            {},
	"generate_text":             {},
	"transcribe_audio":          {},
	"list_threads":              {proc: "threads.list"},
	"list_messages":             {proc: "messages.list"},
	"get_job":                   {proc: "jobs.get", rename: map[string]string{"job_id": "id"}},
	"list_jobs":                 {proc: "jobs.list"},
	"list_workflow_tools":       {proc: "workflows.tools"},
	"list_example_workflows":    {proc: "workflows.examples"},
	"get_workflow_public":       {proc: "workflows.public.get", rename: map[string]string{"workflow_id": "id"}},
	"list_public_workflows":     {proc: "workflows.public.list"},
	"get_workflow_graph":        {proc: "workflows.get", rename: map[string]string{"workflow_id": "id"}},
	"list_node_types":           {proc: "rpc.node_type_inventory"},
	"get_server_capabilities":   {proc: "rpc.capabilities"},
	"validate_workflow":         {proc: "rpc.preflight", rename: map[string]string{"id": "workflow_id"}},
	"get_workflow_input_schema": {proc: "workflows.interface", rename: map[string]string{"workflow_id": "id"}},
}

// rpc answers an RPC command.
func (u *unifiedSession) rpc(msg *pyval.Dict, cmd string, rc rpcCommand, data *pyval.Dict) {
	reqID := msg.Str("request_id")
	if reqID == "" {
		reqID = data.Str("request_id")
	}
	answer := map[string]any{"type": "rpc_response", "request_id": reqID, "command": cmd}
	fail := func(err error) {
		kind, m := httpapi.Classify(err)
		if kind == httpapi.Internal {
			u.s.log.Error("internal error", "rpc", cmd, "err", err)
		}
		answer["error"] = map[string]any{"code": rpcCode(kind), "message": m,
			"retryable": kind == httpapi.RateLimited || kind == httpapi.Unavailable || kind == httpapi.Upstream}
		u.c.send(answer)
	}
	if reqID == "" {
		fail(invalid("request_id is required for %s", cmd))
		return
	}
	if rc.proc == "" {
		fail(httpapi.Errorf(httpapi.NotFound, "%s is not supported: this server has no image, audio or text generation provider for it", cmd))
		return
	}
	input := pyval.NewDict(data.Len())
	for _, k := range data.Keys() {
		v, _ := data.Get(k)
		if to, ok := rc.rename[k]; ok {
			if data.Has(to) {
				continue
			}
			k = to
		}
		input.Set(k, v)
	}
	raw, err := valueJSON(input)
	if err != nil {
		fail(malformed("data cannot be read: %v", err))
		return
	}
	p, ok := u.s.procs[rc.proc]
	if !ok {
		fail(httpapi.Errorf(httpapi.NotFound, "%s is not supported", cmd))
		return
	}
	c := &trpcCall{s: u.s, ctx: asUser(u.ctx, u.c.user), user: u.c.user, path: rc.proc, input: raw}
	v, err := p.fn(c)
	if err != nil {
		fail(err)
		return
	}
	if b, ok := v.(json.RawMessage); ok {
		var x any
		if err := json.Unmarshal(b, &x); err != nil {
			fail(err)
			return
		}
		v = x
	}
	if _, isList := v.([]any); isList && rc.wrap != "" {
		v = map[string]any{rc.wrap: v}
	}
	answer["result"] = v
	u.c.send(answer)
}

// rpcCode names a kind of failure in an rpc_response error.
func rpcCode(k httpapi.Kind) string {
	switch k {
	case httpapi.NotFound:
		return "not_found"
	case httpapi.Malformed, httpapi.Invalid, httpapi.TooLarge:
		return "invalid_input"
	case httpapi.Unauthorized:
		return "unauthorized"
	case httpapi.Forbidden:
		return "forbidden"
	case httpapi.Conflict, httpapi.ReadOnly:
		return "conflict"
	case httpapi.RateLimited:
		return "rate_limited"
	case httpapi.Unavailable, httpapi.Upstream:
		return "service_unavailable"
	}
	return "internal_error"
}

// rpcProcedures are procedures only the RPC commands use.
func rpcProcedures() map[string]procedure {
	q := func(fn func(c *trpcCall) (any, error)) procedure { return procedure{fn: fn} }
	return map[string]procedure{
		"rpc.node_type_inventory": q(func(c *trpcCall) (any, error) {
			types := []string{}
			for _, m := range c.s.d.Registry.Metadata() {
				types = append(types, m.NodeType)
			}
			return map[string]any{"node_types": types, "count": len(types)}, nil
		}),
		"rpc.capabilities": q(func(c *trpcCall) (any, error) {
			cmds := []string{"run_job", "reconnect_job", "cancel_job", "get_status", "stream_input", "end_input_stream",
				"chat_message", "stop", "resume_chat", "list_chat_turns", "set_mode", "clear_models", "ping"}
			var rpcs []string
			for name, rc := range rpcCommands {
				if rc.proc != "" {
					rpcs = append(rpcs, name)
				}
			}
			slices.Sort(rpcs)
			provs := []string{}
			if c.s.d.Providers != nil {
				provs = c.s.d.Providers.Names()
			}
			return map[string]any{"server": "nodetool", "protocol_version": 1, "commands": cmds, "rpc_commands": rpcs,
				"providers": provs, "node_types": len(c.s.d.Registry.Metadata()), "binary": true, "text": true,
				"queued_jobs": true, "client_job_ids": true, "pause": false, "update_node_properties": false}, nil
		}),
		"rpc.preflight": q(preflight),
	}
}

// preflight checks a workflow (its id, or a graph) before a run: ok, and
// every problem found.
func preflight(c *trpcCall) (any, error) {
	var in struct {
		WorkflowID string          `json:"workflow_id"`
		Graph      json.RawMessage `json:"graph"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	g, err := c.graph(in.WorkflowID, in.Graph)
	if err != nil {
		return nil, err
	}
	problems := []map[string]any{}
	if _, err := c.s.d.Registry.Compile(g); err != nil {
		var verr *engine.ValidationError
		if errors.As(err, &verr) {
			for _, p := range verr.Problems {
				problems = append(problems, map[string]any{"node_id": orNil(p.NodeID), "node_type": orNil(p.NodeType), "message": p.Message})
			}
		} else {
			problems = append(problems, map[string]any{"node_id": nil, "node_type": nil, "message": err.Error()})
		}
	}
	return map[string]any{"ok": len(problems) == 0, "workflow_id": orNil(in.WorkflowID), "problems": problems}, nil
}

// graph returns the graph given, or the stored workflow's (as the caller
// sees it through REST).
func (c *trpcCall) graph(workflowID string, raw json.RawMessage) (*engine.Graph, error) {
	if !isNull(raw) {
		v, err := pyval.Decode(raw)
		if err != nil {
			return nil, malformed("invalid graph: %v", err)
		}
		g, err := engine.GraphFromValue(v)
		if err != nil {
			return nil, invalid("invalid graph: %v", err)
		}
		return g, nil
	}
	if workflowID == "" {
		return nil, invalid("give a workflow_id or a graph")
	}
	wf, err := c.workflow(workflowID)
	if err != nil {
		return nil, err
	}
	return &wf.Graph, nil
}

// workflow reads a workflow the caller can see, through REST.
func (c *trpcCall) workflow(id string) (*engine.Workflow, error) {
	raw, err := c.rest(http.MethodGet, "/api/workflows/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return nil, err
	}
	wf, err := engine.ParseWorkflow(raw)
	if err != nil {
		return nil, err
	}
	return wf, nil
}

// workflowInterface is NodeTool's workflow interface v1: the inputs a run
// takes and the outputs it gives.
func (c *trpcCall) workflowInterface(id string) (map[string]any, error) {
	wf, err := c.workflow(id)
	if err != nil {
		return nil, err
	}
	inputs, outputs := []any{}, []any{}
	diagnostics := []any{}
	plan, err := c.s.d.Registry.Compile(&wf.Graph)
	if err != nil {
		diagnostics = append(diagnostics, map[string]any{"severity": "error", "code": "invalid_graph", "message": err.Error()})
	} else {
		for _, in := range plan.Inputs() {
			inputs = append(inputs, map[string]any{"node_id": in.NodeID, "name": in.Name, "description": "",
				"type": in.Type, "required": false, "default": in.Default})
		}
		for _, n := range wf.Graph.Nodes {
			if n.Type == "nodetool.output.Output" {
				name, _ := n.Data.Get("name")
				outputs = append(outputs, map[string]any{"node_id": n.ID, "name": name, "description": "",
					"type": engine.TypeMeta{Type: "any"}, "stream": false})
			}
		}
	}
	return map[string]any{"version": 1, "workflow_id": wf.ID, "etag": orNil(wf.UpdatedAt), "source": "server",
		"inputs": inputs, "outputs": outputs, "diagnostics": diagnostics}, nil
}

func workflowInterfaceProc(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return c.workflowInterface(id)
}

func workflowInterfacesProc(c *trpcCall) (any, error) {
	var in struct {
		IDs []string `json:"ids"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.IDs) == 0 || len(in.IDs) > 100 {
		return nil, invalid("ids must name 1 to 100 workflows")
	}
	ifaces, errs := []any{}, []any{}
	for _, id := range in.IDs {
		i, err := c.workflowInterface(id)
		if err != nil {
			kind, m := httpapi.Classify(err)
			code := "invalid_graph"
			if kind == httpapi.NotFound {
				code = "workflow_not_found"
			}
			errs = append(errs, map[string]any{"workflow_id": id, "code": code, "message": m})
			continue
		}
		ifaces = append(ifaces, i)
	}
	return map[string]any{"interfaces": ifaces, "errors": errs}, nil
}

// workflowSummariesProc lists the caller's workflows as SDK summaries.
func workflowSummariesProc(c *trpcCall) (any, error) {
	q, err := c.params("limit", "cursor")
	if err != nil {
		return nil, err
	}
	raw, err := c.rest(http.MethodGet, "/api/workflows", q, nil)
	if err != nil {
		return nil, err
	}
	var page struct {
		Workflows []struct {
			ID          string  `json:"id"`
			Name        string  `json:"name"`
			Description string  `json:"description"`
			UpdatedAt   string  `json:"updated_at"`
			RunMode     *string `json:"run_mode"`
		} `json:"workflows"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, err
	}
	out := []any{}
	for _, w := range page.Workflows {
		out = append(out, map[string]any{"id": w.ID, "name": w.Name, "description": w.Description,
			"revision": w.UpdatedAt, "registry_revision": nil, "run_mode": w.RunMode})
	}
	return map[string]any{"workflows": out, "next": orNil(page.Next)}, nil
}
