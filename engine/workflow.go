package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"nodetool/lang/pyval"
)

// Workflow is NodeTool's Workflow object as the app exports it and the APIs
// return it. Only Graph matters for running; the other fields are carried
// through.
type Workflow struct {
	ID                string      `json:"id"`
	Access            string      `json:"access"`
	CreatedAt         string      `json:"created_at"`
	UpdatedAt         string      `json:"updated_at"`
	Name              string      `json:"name"`
	ToolName          *string     `json:"tool_name"`
	Description       string      `json:"description"`
	Tags              []string    `json:"tags"`
	Thumbnail         *string     `json:"thumbnail"`
	ThumbnailURL      *string     `json:"thumbnail_url"`
	Graph             Graph       `json:"graph"`
	InputSchema       any         `json:"input_schema"`
	OutputSchema      any         `json:"output_schema"`
	Settings          *pyval.Dict `json:"settings"`
	PackageName       *string     `json:"package_name"`
	Path              *string     `json:"path"`
	RunMode           *string     `json:"run_mode"`
	RequiredProviders []string    `json:"required_providers"`
	RequiredModels    []string    `json:"required_models"`
	WorkspaceID       *string     `json:"workspace_id"`
	HTMLApp           *string     `json:"html_app"`
}

// Graph is a workflow's nodes and edges.
type Graph struct {
	Nodes []*Node `json:"nodes"`
	Edges []*Edge `json:"edges"`
}

// Node is one node of a graph, as stored in workflow files.
type Node struct {
	ID                string      `json:"id"`
	ParentID          *string     `json:"parent_id"`
	Type              string      `json:"type"`
	Data              *pyval.Dict `json:"data"`
	UIProperties      *pyval.Dict `json:"ui_properties"`
	DynamicProperties *pyval.Dict `json:"dynamic_properties"`
	// DynamicOutputs maps an output name to its TypeMetadata, in file order.
	DynamicOutputs *pyval.Dict `json:"dynamic_outputs"`
	SyncMode       string      `json:"sync_mode"`
}

// Edge types.
const (
	EdgeData    = "data"
	EdgeControl = "control"
)

// ControlHandle is the handle control edges target (and controllers emit on).
const ControlHandle = "__control__"

// Edge connects an output slot to an input property (a data edge) or a
// controller to a controlled node (a control edge).
type Edge struct {
	ID           *string     `json:"id"`
	Source       string      `json:"source"`
	SourceHandle string      `json:"sourceHandle"`
	Target       string      `json:"target"`
	TargetHandle string      `json:"targetHandle"`
	UIProperties *pyval.Dict `json:"ui_properties"`
	EdgeType     string      `json:"edge_type"`
}

// Bypassed reports whether the editor marked the node as bypassed.
func (n *Node) Bypassed() bool {
	v, _ := n.UIProperties.Get("bypassed")
	b, _ := v.(bool)
	return b
}

// Title is the node's own title override from the editor, if any.
func (n *Node) Title() string {
	return n.UIProperties.Str("title")
}

func (e *Edge) id() string {
	if e.ID != nil {
		return *e.ID
	}
	return ""
}

func (e *Edge) key() string {
	if e.ID != nil && *e.ID != "" {
		return *e.ID
	}
	return e.Source + ":" + e.SourceHandle + "->" + e.Target + ":" + e.TargetHandle
}

// ParseWorkflow reads a workflow file: a full Workflow object (with "graph")
// or a bare {"nodes","edges"} graph. Unknown keys are ignored. The error
// names the offending field.
func ParseWorkflow(data []byte) (*Workflow, error) {
	v, err := pyval.Decode(data)
	if err != nil {
		return nil, err
	}
	return WorkflowFromValue(v)
}

// WorkflowFromValue converts a decoded JSON value to a Workflow.
func WorkflowFromValue(v any) (*Workflow, error) {
	top, ok := v.(*pyval.Dict)
	if !ok {
		return nil, errors.New("workflow must be a JSON object")
	}
	w := &Workflow{Access: "private"}
	gv, hasGraph := top.Get("graph")
	if !hasGraph {
		if !top.Has("nodes") {
			return nil, errors.New(`workflow has no "graph" (and is not a bare graph with "nodes" and "edges")`)
		}
		gv = top
	} else {
		if err := w.readMeta(top); err != nil {
			return nil, err
		}
	}
	g, err := GraphFromValue(gv)
	if err != nil {
		return nil, err
	}
	w.Graph = *g
	return w, nil
}

func (w *Workflow) readMeta(top *pyval.Dict) error {
	str := func(key string, dst *string) error {
		v, ok := top.Get(key)
		if !ok || v == nil {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("workflow field %q must be a string", key)
		}
		*dst = s
		return nil
	}
	optStr := func(key string, dst **string) error {
		var s string
		v, ok := top.Get(key)
		if !ok || v == nil {
			return nil
		}
		if err := str(key, &s); err != nil {
			return err
		}
		_ = v
		*dst = &s
		return nil
	}
	strList := func(key string, dst *[]string) error {
		v, ok := top.Get(key)
		if !ok || v == nil {
			return nil
		}
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("workflow field %q must be a list of strings", key)
		}
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("workflow field %q must be a list of strings", key)
			}
			out = append(out, s)
		}
		*dst = out
		return nil
	}
	for _, err := range []error{
		str("id", &w.ID), str("access", &w.Access), str("created_at", &w.CreatedAt),
		str("updated_at", &w.UpdatedAt), str("name", &w.Name), str("description", &w.Description),
		optStr("tool_name", &w.ToolName), optStr("thumbnail", &w.Thumbnail),
		optStr("thumbnail_url", &w.ThumbnailURL), optStr("package_name", &w.PackageName),
		optStr("path", &w.Path), optStr("run_mode", &w.RunMode),
		optStr("workspace_id", &w.WorkspaceID), optStr("html_app", &w.HTMLApp),
		strList("tags", &w.Tags), strList("required_providers", &w.RequiredProviders),
		strList("required_models", &w.RequiredModels),
	} {
		if err != nil {
			return err
		}
	}
	w.InputSchema, _ = top.Get("input_schema")
	w.OutputSchema, _ = top.Get("output_schema")
	if s, ok := top.Get("settings"); ok && s != nil {
		d, ok := s.(*pyval.Dict)
		if !ok {
			return errors.New(`workflow field "settings" must be an object`)
		}
		w.Settings = d
	}
	return nil
}

// GraphFromValue converts a decoded {"nodes","edges"} object to a Graph.
func GraphFromValue(v any) (*Graph, error) {
	gd, ok := v.(*pyval.Dict)
	if !ok {
		return nil, errors.New("graph must be an object with nodes and edges")
	}
	g := &Graph{Nodes: []*Node{}, Edges: []*Edge{}}
	nv, _ := gd.Get("nodes")
	if nv != nil {
		nl, ok := nv.([]any)
		if !ok {
			return nil, errors.New("graph.nodes must be a list")
		}
		for i, e := range nl {
			n, err := nodeFromValue(e)
			if err != nil {
				return nil, fmt.Errorf("graph.nodes[%d]: %w", i, err)
			}
			g.Nodes = append(g.Nodes, n)
		}
	}
	ev, _ := gd.Get("edges")
	if ev != nil {
		el, ok := ev.([]any)
		if !ok {
			return nil, errors.New("graph.edges must be a list")
		}
		for i, e := range el {
			ed, err := edgeFromValue(e)
			if err != nil {
				return nil, fmt.Errorf("graph.edges[%d]: %w", i, err)
			}
			g.Edges = append(g.Edges, ed)
		}
	}
	return g, nil
}

// idString accepts a string id, or an integer id as some exporters write.
func idString(d *pyval.Dict, key string, required bool) (string, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		if required {
			return "", fmt.Errorf("missing %q", key)
		}
		return "", nil
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	}
	return "", fmt.Errorf("%q must be a string", key)
}

func optDict(d *pyval.Dict, key string) (*pyval.Dict, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return pyval.NewDict(0), nil
	}
	m, ok := v.(*pyval.Dict)
	if !ok {
		return nil, fmt.Errorf("%q must be an object", key)
	}
	return m, nil
}

func nodeFromValue(v any) (*Node, error) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, errors.New("a node must be an object")
	}
	n := &Node{}
	var err error
	if n.ID, err = idString(d, "id", true); err != nil {
		return nil, err
	}
	if n.ID == "" {
		return nil, errors.New(`"id" must not be empty`)
	}
	if n.Type, err = idString(d, "type", false); err != nil {
		return nil, fmt.Errorf("node %s: %w", n.ID, err)
	}
	if n.Type == "" {
		n.Type = "default"
	}
	if p, _ := idString(d, "parent_id", false); p != "" {
		n.ParentID = &p
	}
	for _, f := range []struct {
		key string
		dst **pyval.Dict
	}{{"data", &n.Data}, {"ui_properties", &n.UIProperties}, {"dynamic_properties", &n.DynamicProperties}, {"dynamic_outputs", &n.DynamicOutputs}} {
		if *f.dst, err = optDict(d, f.key); err != nil {
			return nil, fmt.Errorf("node %s: %w", n.ID, err)
		}
	}
	n.SyncMode, _ = idString(d, "sync_mode", false)
	if n.SyncMode != "zip_all" {
		n.SyncMode = "on_any"
	}
	return n, nil
}

func edgeFromValue(v any) (*Edge, error) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, errors.New("an edge must be an object")
	}
	e := &Edge{EdgeType: EdgeData}
	if id, err := idString(d, "id", false); err != nil {
		return nil, err
	} else if _, present := d.Get("id"); present && id != "" {
		e.ID = &id
	}
	var err error
	for _, f := range []struct {
		key string
		dst *string
	}{{"source", &e.Source}, {"sourceHandle", &e.SourceHandle}, {"target", &e.Target}, {"targetHandle", &e.TargetHandle}} {
		if *f.dst, err = idString(d, f.key, true); err != nil {
			return nil, fmt.Errorf("edge %s: %w", e.key(), err)
		}
	}
	if t, _ := idString(d, "edge_type", false); t == EdgeControl {
		e.EdgeType = EdgeControl
	}
	if u, ok := d.Get("ui_properties"); ok {
		e.UIProperties, _ = u.(*pyval.Dict)
	}
	return e, nil
}

// MarshalJSON writes the node with every field present, as NodeTool does.
func (n *Node) MarshalJSON() ([]byte, error) {
	type plain Node
	c := plain(*n)
	for _, p := range []**pyval.Dict{&c.Data, &c.UIProperties, &c.DynamicProperties, &c.DynamicOutputs} {
		if *p == nil {
			*p = pyval.NewDict(0)
		}
	}
	return json.Marshal(c)
}
