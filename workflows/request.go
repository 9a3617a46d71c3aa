package workflows

import (
	"fmt"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Request is the body of a workflow create or update (NodeTool's
// WorkflowRequest). Unknown fields are ignored, so a full Workflow object
// is accepted too.
type Request struct {
	Name        string
	Access      string
	ToolName    *string
	PackageName *string
	Path        *string
	Tags        []string
	Description *string
	Thumbnail   *string
	Graph       *engine.Graph
	Settings    *pyval.Dict
	RunMode     *string
}

// InvalidError is a well-formed request that breaks a rule (a 422).
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func invalid(format string, a ...any) error { return &InvalidError{Msg: fmt.Sprintf(format, a...)} }

// ParseRequest reads a WorkflowRequest. Malformed JSON is an ordinary error
// (a 400); a body that breaks the rules is an *InvalidError naming the field
// (a 422). requireGraph is set for updates.
func ParseRequest(data []byte, requireGraph bool) (*Request, error) {
	v, err := pyval.Decode(data)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, invalid("the body must be a JSON object with name, access and graph")
	}
	req := &Request{}
	str := func(key string, required bool) (*string, error) {
		x, ok := d.Get(key)
		if !ok || x == nil {
			if required {
				return nil, invalid("field %q is required", key)
			}
			return nil, nil
		}
		s, ok := x.(string)
		if !ok {
			return nil, invalid("field %q must be a string", key)
		}
		return &s, nil
	}
	name, err := str("name", true)
	if err != nil {
		return nil, err
	}
	access, err := str("access", true)
	if err != nil {
		return nil, err
	}
	if *access != "private" && *access != "public" {
		return nil, invalid(`field "access" must be "private" or "public"`)
	}
	req.Name, req.Access = *name, *access
	for _, f := range []struct {
		key string
		dst **string
	}{{"tool_name", &req.ToolName}, {"package_name", &req.PackageName}, {"path", &req.Path},
		{"description", &req.Description}, {"thumbnail", &req.Thumbnail}, {"run_mode", &req.RunMode}} {
		if *f.dst, err = str(f.key, false); err != nil {
			return nil, err
		}
	}
	if tv, ok := d.Get("tags"); ok && tv != nil {
		l, ok := tv.([]any)
		if !ok {
			return nil, invalid(`field "tags" must be a list of strings`)
		}
		req.Tags = []string{}
		for _, t := range l {
			s, ok := t.(string)
			if !ok {
				return nil, invalid(`field "tags" must be a list of strings`)
			}
			req.Tags = append(req.Tags, s)
		}
	}
	if sv, ok := d.Get("settings"); ok && sv != nil {
		s, ok := sv.(*pyval.Dict)
		if !ok {
			return nil, invalid(`field "settings" must be an object`)
		}
		bad := ""
		s.Range(func(k string, v any) bool {
			switch v.(type) {
			case nil, bool, int64, float64, string:
				return true
			}
			bad = k
			return false
		})
		if bad != "" {
			return nil, invalid(`setting %q must be a string, number, boolean or null`, bad)
		}
		req.Settings = s
	}
	gv, ok := d.Get("graph")
	if !ok || gv == nil {
		if requireGraph {
			return nil, invalid(`field "graph" is required: {"nodes": [...], "edges": [...]}`)
		}
		return req, nil
	}
	g, err := engine.GraphFromValue(gv)
	if err != nil {
		return nil, invalid("field \"graph\": %v", err)
	}
	Normalise(g)
	req.Graph = g
	return req, nil
}

// apply overwrites w's fields from the request, as an update does: null
// clears a field, except thumbnail, which is only replaced when given.
func (req *Request) apply(w *engine.Workflow) {
	w.Name = req.Name
	w.Access = req.Access
	w.ToolName = req.ToolName
	w.PackageName = req.PackageName
	w.Path = req.Path
	w.Tags = req.Tags
	w.Description = ""
	if req.Description != nil {
		w.Description = *req.Description
	}
	if req.Graph != nil {
		w.Graph = *req.Graph
	}
	if w.Graph.Nodes == nil {
		w.Graph = engine.Graph{Nodes: []*engine.Node{}, Edges: []*engine.Edge{}}
	}
	w.Settings = req.Settings
	w.RunMode = req.RunMode
	if req.Thumbnail != nil {
		w.Thumbnail = req.Thumbnail
	}
}

// Normalise removes from each node's data the properties that an edge
// feeds ("remove connected slots"), so a stored graph keeps no stale value
// for them.
func Normalise(g *engine.Graph) {
	byID := make(map[string]*engine.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	for _, e := range g.Edges {
		if n := byID[e.Target]; n != nil && e.EdgeType != engine.EdgeControl {
			n.Data.Delete(e.TargetHandle)
		}
	}
}
