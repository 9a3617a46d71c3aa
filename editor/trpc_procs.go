package editor

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"

	"nodetool/httpapi"
)

// The tRPC procedures this server offers, by path: those the current
// NodeTool client calls for workflows (and their tools, examples and
// interfaces), jobs, threads, messages, assets, settings and secrets,
// models and providers, and node metadata. Each runs through the REST
// route that does the same (call.go), reshaping the answer where the
// client expects tRPC's shape (a "next" cursor of null rather than "", an
// {"ok": true} for a delete). Every other path answers NOT_FOUND naming it.
// The table also holds the procedures only /ws's RPC commands call
// ("rpc.*", ws_rpc.go).
func procedureTable() map[string]procedure {
	q := func(fn func(c *trpcCall) (any, error)) procedure { return procedure{fn: fn} }
	m := func(fn func(c *trpcCall) (any, error)) procedure { return procedure{mutation: true, fn: fn} }
	t := map[string]procedure{
		"healthz": q(func(*trpcCall) (any, error) { return map[string]bool{"ok": true}, nil }),

		"workflows.list":         q(workflowsList),
		"workflows.get":          q(byID(http.MethodGet, "/api/workflows/")),
		"workflows.create":       m(workflowsCreate),
		"workflows.update":       m(workflowsUpdate),
		"workflows.delete":       m(deleted(http.MethodDelete, "/api/workflows/")),
		"workflows.autosave":     m(workflowsAutosave),
		"workflows.examples":     q(workflowsExamples),
		"workflows.tools":        q(listWithNext("/api/workflows/tools", "workflows", "limit")),
		"workflows.public.list":  q(listWithNext("/api/workflows/public", "workflows", "limit")),
		"workflows.public.get":   q(byID(http.MethodGet, "/api/workflows/public/")),
		"workflows.interface":    q(workflowInterfaceProc),
		"workflows.interfaces":   q(workflowInterfacesProc),
		"workflows.sdkSummaries": q(workflowSummariesProc),

		"jobs.list":       q(jobsList),
		"jobs.runningAll": q(jobsRunning),
		"jobs.get":        q(byID(http.MethodGet, "/api/jobs/")),
		"jobs.cancel":     m(jobsCancel),

		"threads.list":      q(listWithNext("/api/threads", "threads", "limit", "cursor", "reverse")),
		"threads.get":       q(byID(http.MethodGet, "/api/threads/")),
		"threads.create":    m(bodyTo(http.MethodPost, "/api/threads")),
		"threads.update":    m(threadsUpdate),
		"threads.delete":    m(deleted(http.MethodDelete, "/api/threads/")),
		"threads.summarize": m(threadsSummarize),

		"messages.list":   q(listWithNext("/api/messages", "messages", "thread_id", "limit", "cursor", "reverse")),
		"messages.get":    q(byID(http.MethodGet, "/api/messages/")),
		"messages.create": m(bodyTo(http.MethodPost, "/api/messages")),

		"assets.list":      q(listWithNext("/api/assets", "assets", "parent_id", "content_type", "page_size", "cursor")),
		"assets.get":       q(byID(http.MethodGet, "/api/assets/")),
		"assets.create":    m(bodyTo(http.MethodPost, "/api/assets")),
		"assets.update":    m(assetsUpdate),
		"assets.delete":    m(byID(http.MethodDelete, "/api/assets/")),
		"assets.recursive": q(assetsRecursive),
		"assets.search":    q(assetsSearch),
		"assets.children":  q(assetsChildren),

		"settings.list":           q(fixed(http.MethodGet, "/api/settings")),
		"settings.update":         m(bodyTo(http.MethodPut, "/api/settings")),
		"settings.secrets.list":   q(fixed(http.MethodGet, "/api/settings/secrets")),
		"settings.secrets.get":    q(secretsGet),
		"settings.secrets.upsert": m(secretsUpsert),
		"settings.secrets.delete": m(secretsDelete),

		"nodes.list":             q(nodesList),
		"nodes.get":              q(nodesGet),
		"nodes.replicateStatus":  q(func(*trpcCall) (any, error) { return map[string]bool{"configured": false}, nil }),
		"nodes.dummy":            q(nodesDummy),
		"nodes.validateUsername": q(nodesValidateUsername),
	}
	maps.Copy(t, modelProcedures())
	maps.Copy(t, rpcProcedures())
	return t
}

// urlValues makes query parameters of the non-empty values of q.
func urlValues(q map[string]string) url.Values {
	v := url.Values{}
	for k, s := range q {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// object decodes a call's input as an object of any fields (an absent
// input is empty).
func (c *trpcCall) object() (map[string]json.RawMessage, error) {
	in := map[string]json.RawMessage{}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return in, nil
}

// params reads the named fields of the call's input as query parameters:
// strings as they are, numbers and booleans as JSON writes them.
func (c *trpcCall) params(names ...string) (map[string]string, error) {
	in, err := c.object()
	if err != nil {
		return nil, err
	}
	q := map[string]string{}
	for _, n := range names {
		raw, ok := in[n]
		if !ok || isNull(raw) {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			q[n] = s
			continue
		}
		var num json.Number
		var b bool
		switch {
		case json.Unmarshal(raw, &num) == nil:
			q[n] = num.String()
		case json.Unmarshal(raw, &b) == nil:
			q[n] = strconv.FormatBool(b)
		default:
			return nil, invalid("%s must be a string, a number or a boolean", n)
		}
	}
	return q, nil
}

// id reads the input's required string field name.
func (c *trpcCall) id(name string) (string, error) {
	q, err := c.params(name)
	if err != nil {
		return "", err
	}
	if q[name] == "" {
		return "", invalid("%s is required", name)
	}
	return q[name], nil
}

// byID calls method prefix+{id} with the input's id.
func byID(method, prefix string) func(c *trpcCall) (any, error) {
	return func(c *trpcCall) (any, error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		return c.rest(method, prefix+url.PathEscape(id), nil, nil)
	}
}

// deleted is byID answering {"ok": true}.
func deleted(method, prefix string) func(c *trpcCall) (any, error) {
	call := byID(method, prefix)
	return func(c *trpcCall) (any, error) {
		if _, err := call(c); err != nil {
			return nil, err
		}
		return map[string]bool{"ok": true}, nil
	}
}

// fixed calls a route without input.
func fixed(method, path string) func(c *trpcCall) (any, error) {
	return func(c *trpcCall) (any, error) { return c.rest(method, path, nil, nil) }
}

// bodyTo sends the input as the body of method path.
func bodyTo(method, path string) func(c *trpcCall) (any, error) {
	return func(c *trpcCall) (any, error) {
		body := c.input
		if isNull(body) {
			body = json.RawMessage("{}")
		}
		return c.rest(method, path, nil, body)
	}
}

// listWithNext lists path with the input's fields as parameters; the
// answer's "next" of "" (no more pages) becomes null.
func listWithNext(path, items string, fields ...string) func(c *trpcCall) (any, error) {
	return func(c *trpcCall) (any, error) {
		q, err := c.params(fields...)
		if err != nil {
			return nil, err
		}
		raw, err := c.rest(http.MethodGet, path, q, nil)
		if err != nil {
			return nil, err
		}
		return nullNext(raw, items, "next")
	}
}

// nullNext reshapes {items: [...], next: "..."} with an empty cursor as
// null (tRPC's shapes: "string or null").
func nullNext(raw json.RawMessage, items, next string) (any, error) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{items: in[items], next: json.RawMessage("null")}
	var s string
	if json.Unmarshal(in[next], &s) == nil && s != "" {
		out[next] = in[next]
	}
	if out[items] == nil {
		out[items] = json.RawMessage("[]")
	}
	return out, nil
}

// without returns the input object less the named fields.
func (c *trpcCall) without(names ...string) (map[string]json.RawMessage, error) {
	in, err := c.object()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		delete(in, n)
	}
	return in, nil
}

// defaultAccess gives a workflow body without access the current API's
// default, "private" (REST requires the field).
func defaultAccess(body map[string]json.RawMessage) {
	if isNull(body["access"]) {
		body["access"] = json.RawMessage(`"private"`)
	}
}

func workflowsList(c *trpcCall) (any, error) {
	return listWithNext("/api/workflows", "workflows", "limit", "cursor", "run_mode")(c)
}

func workflowsCreate(c *trpcCall) (any, error) {
	q, err := c.params("from_example_package", "from_example_name")
	if err != nil {
		return nil, err
	}
	body, err := c.without("from_example_package", "from_example_name")
	if err != nil {
		return nil, err
	}
	defaultAccess(body)
	return c.rest(http.MethodPost, "/api/workflows", q, body)
}

func workflowsUpdate(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	body, err := c.without("id", "expected_updated_at")
	if err != nil {
		return nil, err
	}
	defaultAccess(body)
	return c.rest(http.MethodPut, "/api/workflows/"+url.PathEscape(id), nil, body)
}

// workflowsAutosave saves the graph (and name, description, access when
// given) over the stored workflow. No versions are kept.
func workflowsAutosave(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	in, err := c.object()
	if err != nil {
		return nil, err
	}
	if isNull(in["graph"]) {
		return nil, invalid("graph is required")
	}
	raw, err := c.rest(http.MethodGet, "/api/workflows/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return nil, err
	}
	var wf map[string]json.RawMessage
	if err := json.Unmarshal(raw, &wf); err != nil {
		return nil, err
	}
	for _, k := range []string{"graph", "name", "description", "access"} {
		if v, ok := in[k]; ok && !isNull(v) {
			wf[k] = v
		}
	}
	saved, err := c.rest(http.MethodPut, "/api/workflows/"+url.PathEscape(id), nil, wf)
	if err != nil {
		return nil, err
	}
	var out struct {
		UpdatedAt *string `json:"updated_at"`
	}
	json.Unmarshal(saved, &out)
	return map[string]any{"version": nil, "message": "Autosaved successfully", "skipped": false, "updated_at": out.UpdatedAt}, nil
}

func workflowsExamples(c *trpcCall) (any, error) {
	q, err := c.params("query")
	if err != nil {
		return nil, err
	}
	path := "/api/workflows/examples"
	if q["query"] != "" {
		path += "/search"
	}
	raw, err := c.rest(http.MethodGet, path, q, nil)
	if err != nil {
		return nil, err
	}
	return nullNext(raw, "workflows", "next")
}

func jobsList(c *trpcCall) (any, error) {
	q, err := c.params("limit", "workflow_id", "start_key", "cursor")
	if err != nil {
		return nil, err
	}
	if q["start_key"] == "" {
		q["start_key"] = q["cursor"]
	}
	delete(q, "cursor")
	raw, err := c.rest(http.MethodGet, "/api/jobs", q, nil)
	if err != nil {
		return nil, err
	}
	return nullNext(raw, "jobs", "next_start_key")
}

// jobsRunning lists the caller's jobs still running or queued.
func jobsRunning(c *trpcCall) (any, error) {
	raw, err := c.rest(http.MethodGet, "/api/jobs/running/all", nil, nil)
	if err != nil {
		return nil, err
	}
	var all []backgroundJob
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, err
	}
	out := []backgroundJob{}
	for _, j := range all {
		if j.IsRunning || j.Status == "queued" {
			out = append(out, j)
		}
	}
	return out, nil
}

func jobsCancel(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodPost, "/api/jobs/"+url.PathEscape(id)+"/cancel", nil, nil)
}

func threadsUpdate(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	body, err := c.without("id")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodPut, "/api/threads/"+url.PathEscape(id), nil, body)
}

func threadsSummarize(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodPost, "/api/threads/"+url.PathEscape(id)+"/summarize", nil, nil)
}

func assetsUpdate(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	body, err := c.without("id")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodPut, "/api/assets/"+url.PathEscape(id), nil, body)
}

func assetsRecursive(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodGet, "/api/assets/"+url.PathEscape(id)+"/recursive", nil, nil)
}

func assetsSearch(c *trpcCall) (any, error) {
	q, err := c.params("query", "content_type", "page_size", "cursor")
	if err != nil {
		return nil, err
	}
	raw, err := c.rest(http.MethodGet, "/api/assets/search", q, nil)
	if err != nil {
		return nil, err
	}
	return nullNext(raw, "assets", "next_cursor")
}

// assetsChildren lists a folder's direct children, trimmed to id, name
// and content type.
func assetsChildren(c *trpcCall) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	q, err := c.params("limit")
	if err != nil {
		return nil, err
	}
	raw, err := c.rest(http.MethodGet, "/api/assets", map[string]string{"parent_id": id, "page_size": q["limit"]}, nil)
	if err != nil {
		return nil, err
	}
	var page struct {
		Assets []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			ContentType string `json:"content_type"`
		} `json:"assets"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, err
	}
	out := map[string]any{"assets": page.Assets, "next": orNil(page.Next)}
	if page.Assets == nil {
		out["assets"] = []any{}
	}
	return out, nil
}

func secretsGet(c *trpcCall) (any, error) {
	key, err := c.id("key")
	if err != nil {
		return nil, err
	}
	q, err := c.params("decrypt")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodGet, "/api/settings/secrets/"+url.PathEscape(key), q, nil)
}

func secretsUpsert(c *trpcCall) (any, error) {
	key, err := c.id("key")
	if err != nil {
		return nil, err
	}
	body, err := c.without("key")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodPut, "/api/settings/secrets/"+url.PathEscape(key), nil, body)
}

func secretsDelete(c *trpcCall) (any, error) {
	key, err := c.id("key")
	if err != nil {
		return nil, err
	}
	return c.rest(http.MethodDelete, "/api/settings/secrets/"+url.PathEscape(key), nil, nil)
}

func nodesList(c *trpcCall) (any, error) {
	var in nodeQuery
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Fields == "" {
		in.Fields = "summary"
	}
	return map[string]any{"nodes": c.s.nodeList(in)}, nil
}

func nodesGet(c *trpcCall) (any, error) {
	typ, err := c.id("node_type")
	if err != nil {
		return nil, err
	}
	for _, m := range c.s.d.Registry.Metadata() {
		if m.NodeType == typ {
			return m, nil
		}
	}
	return nil, httpapi.Errorf(httpapi.NotFound, "Node type not found: %s", typ)
}

func nodesDummy(*trpcCall) (any, error) {
	return map[string]any{"type": "asset", "uri": "", "asset_id": nil, "data": nil, "metadata": nil}, nil
}

func nodesValidateUsername(c *trpcCall) (any, error) {
	name, err := c.id("username")
	if err != nil {
		return nil, err
	}
	return map[string]bool{"valid": toolNameRE.MatchString(name) && len(name) >= 3 && len(name) <= 32, "available": true}, nil
}
