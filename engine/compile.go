package engine

import (
	"fmt"
	"sort"
	"strings"

	"nodetool/lang/pyval"
)

// Problem is one thing wrong with a graph, found before anything runs.
type Problem struct {
	NodeID   string `json:"node_id,omitempty"`
	NodeType string `json:"node_type,omitempty"`
	EdgeID   string `json:"edge_id,omitempty"`
	Message  string `json:"message"`
}

func (p Problem) String() string { return p.Message }

// ValidationError lists every problem found in a graph.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return "graph contains errors: " + strings.Join(msgs, "; ")
}

// Plan is a validated graph, ready to run any number of times.
type Plan struct {
	// Warnings are problems that were tolerated (see CompileOptions).
	Warnings []Problem

	nodes    []*planNode
	byID     map[string]*planNode
	edges    []*planEdge
	inputs   map[string]*planNode // input nodes by (unique) name
	reg      *Registry
	hasCycle bool
	seq      *seqPlan // nil: runs are concurrent from the start (sequential.go)

	handleCount int // the nodes' inbound data handles, summed (newRun sizes its input values by it)
}

type planNode struct {
	index    int // in Plan.nodes, and of the run's per-node state
	id       string
	lbl      string // see label
	node     *Node
	def      *NodeDef
	title    string
	props    map[string]any // defaults overlaid with data
	dynProps *pyval.Dict    // dynamic property values, in order
	dynOuts  []Output
	zipAll   bool
	bypassed bool

	inEdges    []*planEdge // data edges in
	outEdges   map[string][]*planEdge
	ctrlIn     []*planEdge
	ctrlOut    []*planEdge
	handles    []string // inbound data handles, in first-edge order
	edgeCount  map[string]int
	streaming  map[string]bool // handle fed by at least one streaming edge
	aggregate  map[string]bool // list handle with several edges: collect all
	streamsOut bool            // node is downstream of a streaming source
}

type planEdge struct {
	index     int
	edge      *Edge
	id        string
	src, dst  *planNode
	control   bool
	streaming bool
}

// outputType returns the type of an output slot, class or dynamic.
func (n *planNode) outputType(slot string) (TypeMeta, bool) {
	for _, o := range n.dynOuts {
		if o.Name == slot {
			return o.Type, true
		}
	}
	if o, ok := n.def.Output(slot); ok {
		return o.Type, true
	}
	return TypeMeta{}, false
}

// outputs returns every output slot: dynamic ones first, then the class's.
func (n *planNode) outputs() []Output {
	if len(n.dynOuts) == 0 {
		return n.def.Outputs
	}
	out := append([]Output{}, n.dynOuts...)
	for _, o := range n.def.Outputs {
		if _, dup := n.outputTypeDyn(o.Name); !dup {
			out = append(out, o)
		}
	}
	return out
}

func (n *planNode) outputTypeDyn(slot string) (TypeMeta, bool) {
	for _, o := range n.dynOuts {
		if o.Name == slot {
			return o.Type, true
		}
	}
	return TypeMeta{}, false
}

// propType returns the type of an input handle: a declared property, or any
// for a dynamic property.
func (n *planNode) propType(handle string) (TypeMeta, bool) {
	if p, ok := n.def.Prop(handle); ok {
		return p.Type, true
	}
	if n.def.Dynamic {
		return TypeMeta{Type: "any"}, true
	}
	return TypeMeta{}, false
}

// label names the node in messages: "node n1 (nodetool.text.Concat)".
func (n *planNode) label() string { return n.lbl }

// Compile validates g against the registry and returns a runnable plan, or a
// *ValidationError listing every problem found: unsupported node types,
// edges to missing nodes or handles, type mismatches, missing required
// inputs, invalid property values, unnamed inputs and cycles.
func (r *Registry) Compile(g *Graph) (*Plan, error) {
	return r.CompileWith(g, CompileOptions{})
}

// CompileOptions relax validation.
type CompileOptions struct {
	// DropInvalidEdges drops edges that name a missing node or handle,
	// as NodeTool's own engine does, instead of refusing the graph; each
	// dropped edge is reported in Plan.Warnings.
	DropInvalidEdges bool
}

// CompileWith is Compile with options.
func (r *Registry) CompileWith(g *Graph, o CompileOptions) (*Plan, error) {
	c := &compiler{reg: r, opts: o, g: g, ids: map[string]bool{}, wired: map[string]map[string]bool{},
		p: &Plan{byID: map[string]*planNode{}, inputs: map[string]*planNode{}, reg: r}}
	for _, n := range g.Nodes {
		c.ids[n.ID] = true
	}
	for _, e := range g.Edges {
		if e.EdgeType == EdgeData {
			if c.wired[e.Target] == nil {
				c.wired[e.Target] = map[string]bool{}
			}
			c.wired[e.Target][e.TargetHandle] = true
		}
	}
	for _, n := range g.Nodes {
		c.addNode(n)
	}
	for _, e := range g.Edges {
		c.addEdge(e)
	}
	for _, n := range c.p.nodes {
		c.checkNode(n)
	}
	if cyc := findCycle(c.p.nodes); len(cyc) > 0 {
		c.p.hasCycle = true
		c.add(Problem{NodeID: cyc[0], Message: fmt.Sprintf("the graph has a cycle: %s -> %s", strings.Join(cyc, " -> "), cyc[0])})
	}
	if len(c.probs) > 0 {
		return nil, &ValidationError{Problems: c.probs}
	}
	markStreaming(c.p)
	c.p.seq = planSequential(c.p)
	for _, n := range c.p.nodes {
		c.p.handleCount += len(n.handles)
	}
	return c.p, nil
}

// compiler is the state of one CompileWith: the plan it builds and the
// problems it found.
type compiler struct {
	reg   *Registry
	opts  CompileOptions
	g     *Graph
	p     *Plan
	probs []Problem
	ids   map[string]bool            // every node id of the graph
	wired map[string]map[string]bool // node id -> data handles an edge feeds
}

func (c *compiler) add(pr Problem) { c.probs = append(c.probs, pr) }

// dangling reports an edge to a missing node or handle: a problem, or with
// DropInvalidEdges a warning.
func (c *compiler) dangling(pr Problem) {
	if c.opts.DropInvalidEdges {
		pr.Message += " (edge dropped)"
		c.p.Warnings = append(c.p.Warnings, pr)
		return
	}
	c.add(pr)
}

// nodeProblem reports a problem of node n.
func (c *compiler) nodeProblem(n *planNode, format string, args ...any) {
	c.add(Problem{NodeID: n.id, NodeType: n.node.Type, Message: n.label() + ": " + fmt.Sprintf(format, args...)})
}

// addNode makes the plan node of n: its definition, its property values
// (defaults overlaid with the stored ones an edge does not feed), its
// dynamic outputs, and for an input node its name.
func (c *compiler) addNode(n *Node) {
	if _, dup := c.p.byID[n.ID]; dup {
		c.add(Problem{NodeID: n.ID, NodeType: n.Type, Message: fmt.Sprintf("duplicate node id %s", n.ID)})
		return
	}
	def, ok := c.reg.Lookup(n.Type)
	if !ok {
		msg := fmt.Sprintf("unsupported node type %s (node %s)", n.Type, n.ID)
		if why := c.reg.Missing(n.Type); why != "" {
			msg += ": " + why
		}
		c.add(Problem{NodeID: n.ID, NodeType: n.Type, Message: msg})
		return
	}
	pn := &planNode{
		id: n.ID, lbl: fmt.Sprintf("node %s (%s)", n.ID, n.Type), node: n, def: def, title: def.Title,
		props: make(map[string]any, len(def.Props)), dynProps: pyval.NewDict(0),
		zipAll: n.SyncMode == "zip_all", bypassed: n.Bypassed(),
		outEdges: map[string][]*planEdge{}, edgeCount: map[string]int{},
		streaming: map[string]bool{}, aggregate: map[string]bool{},
	}
	if t := n.Title(); t != "" {
		pn.title = t
	}
	c.p.byID[n.ID] = pn
	pn.index = len(c.p.nodes)
	c.p.nodes = append(c.p.nodes, pn)
	for _, pr := range def.Props {
		pn.props[pr.Name] = pyval.Clone(pr.Default)
	}
	wired := c.wired[n.ID]
	if def.Dynamic {
		n.DynamicProperties.Range(func(k string, v any) bool {
			if wired[k] {
				v = nil // keeps the key's position; the edge delivers the value
			}
			pn.dynProps.Set(k, v)
			return true
		})
	}
	n.Data.Range(func(k string, v any) bool {
		if !wired[k] { // an edge feeds it: the stored UI value is stale
			c.setProp(pn, k, v)
		}
		return true
	})
	if def.DynamicOutputs {
		n.DynamicOutputs.Range(func(k string, v any) bool {
			t, err := typeFromValue(v)
			if err != nil {
				c.nodeProblem(pn, "dynamic output %q: %v", k, err)
				return true
			}
			pn.dynOuts = append(pn.dynOuts, Output{Name: k, Type: t})
			return true
		})
	}
	if def.Role == RoleInput {
		name, _ := pn.props["name"].(string)
		switch {
		case name == "" && def.StreamingOutput:
			// Nothing could end its stream: the run would wait forever.
			c.nodeProblem(pn, "streaming input nodes need a non-empty name")
		case name == "":
			// No param can set it; it runs with its stored value, as in
			// NodeTool, which has no rule about names.
			c.p.Warnings = append(c.p.Warnings, Problem{NodeID: pn.id, NodeType: n.Type,
				Message: fmt.Sprintf("%s has no name: no param can set it, it runs with its stored value", pn.label())})
		case c.p.inputs[name] != nil:
			c.nodeProblem(pn, "another input node (%s) is named %q: input names must be unique", c.p.inputs[name].id, name)
		default:
			c.p.inputs[name] = pn
		}
	}
}

// legacyPath returns the path of a {"type": "file_path"|"folder_path",
// "path": ...} value: the shape NodeTool's older path inputs saved, which
// files exported before those inputs took plain text still hold (its
// "Story to Video Generator" example does).
func legacyPath(v any) (string, bool) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return "", false
	}
	if t := d.Str("type"); t != "file_path" && t != "folder_path" {
		return "", false
	}
	p, ok := d.Get("path")
	s, isStr := p.(string)
	return s, ok && isStr
}

// setProp assigns a stored property value, checking its type.
func (c *compiler) setProp(pn *planNode, name string, v any) {
	prop, ok := pn.def.Prop(name)
	if !ok {
		if pn.def.Dynamic {
			pn.dynProps.Set(name, v)
		}
		return
	}
	if v == nil {
		return
	}
	if p, ok := legacyPath(v); ok && prop.Type.Type == "str" {
		v = p
	}
	cv, err := Coerce(v, prop.Type)
	if err != nil {
		if EmptyValue(v) {
			return // the original skips empty values and keeps the default
		}
		c.nodeProblem(pn, "property %q %v", name, err)
		return
	}
	pn.props[name] = cv
}

// addEdge checks edge i and adds it to the plan: its ends exist, a control
// edge joins control handles of a node that can be controlled, a data
// edge joins an existing output to an existing input of a compatible type.
func (c *compiler) addEdge(e *Edge) {
	pe := &planEdge{edge: e, id: e.id(), control: e.EdgeType == EdgeControl}
	src, sok := c.p.byID[e.Source]
	dst, dok := c.p.byID[e.Target]
	label := "edge " + e.key()
	if !sok && !c.ids[e.Source] {
		c.dangling(Problem{EdgeID: pe.id, NodeID: e.Target, Message: fmt.Sprintf("%s: source node %s does not exist", label, e.Source)})
	}
	if !dok && !c.ids[e.Target] {
		c.dangling(Problem{EdgeID: pe.id, NodeID: e.Source, Message: fmt.Sprintf("%s: target node %s does not exist", label, e.Target)})
	}
	if !sok || !dok {
		return // already reported (missing or unsupported node)
	}
	pe.src, pe.dst = src, dst
	if pe.control {
		c.addControlEdge(pe, label)
		return
	}
	st, ok := src.outputType(e.SourceHandle)
	if !ok {
		c.dangling(Problem{EdgeID: pe.id, NodeID: src.id, NodeType: src.node.Type, Message: fmt.Sprintf("%s: %s has no output %q (outputs: %s)", label, src.label(), e.SourceHandle, slotList(src.outputs()))})
		return
	}
	dt, ok := dst.propType(e.TargetHandle)
	if !ok {
		c.dangling(Problem{EdgeID: pe.id, NodeID: dst.id, NodeType: dst.node.Type, Message: fmt.Sprintf("%s: %s has no input %q", label, dst.label(), e.TargetHandle)})
		return
	}
	if !Compatible(st, dt) {
		c.add(Problem{EdgeID: pe.id, NodeID: dst.id, NodeType: dst.node.Type, Message: fmt.Sprintf("%s: type mismatch: %s output %q is %s but %s input %q expects %s", label, src.label(), e.SourceHandle, st, dst.label(), e.TargetHandle, dt)})
		return
	}
	src.outEdges[e.SourceHandle] = append(src.outEdges[e.SourceHandle], pe)
	dst.inEdges = append(dst.inEdges, pe)
	if dst.edgeCount[e.TargetHandle] == 0 {
		dst.handles = append(dst.handles, e.TargetHandle)
	}
	dst.edgeCount[e.TargetHandle]++
	c.keep(pe)
}

// keep adds pe to the plan's edges; its index (of its message counter) is
// its place there, not in the workflow, whose dropped edges have none.
func (c *compiler) keep(pe *planEdge) {
	pe.index = len(c.p.edges)
	c.p.edges = append(c.p.edges, pe)
}

func (c *compiler) addControlEdge(pe *planEdge, label string) {
	e, src, dst := pe.edge, pe.src, pe.dst
	switch {
	case e.TargetHandle != ControlHandle:
		c.add(Problem{EdgeID: pe.id, NodeID: dst.id, NodeType: dst.node.Type, Message: fmt.Sprintf("%s: a control edge must target %q, not %q", label, ControlHandle, e.TargetHandle)})
	case e.SourceHandle != ControlHandle && e.SourceHandle != "__control_output__":
		c.add(Problem{EdgeID: pe.id, NodeID: src.id, NodeType: src.node.Type, Message: fmt.Sprintf("%s: a control edge must leave %q, not %q", label, ControlHandle, e.SourceHandle)})
	case dst.def.Run != nil || dst.def.Role == RoleInput:
		c.add(Problem{EdgeID: pe.id, NodeID: dst.id, NodeType: dst.node.Type, Message: fmt.Sprintf("%s: %s cannot be controlled: it reads streams or is an input", label, dst.label())})
	default:
		src.ctrlOut = append(src.ctrlOut, pe)
		dst.ctrlIn = append(dst.ctrlIn, pe)
		c.keep(pe)
	}
}

// checkNode checks what needs every edge in place: several edges only into
// a list input (whose values are then gathered), the definition's own
// check, and required inputs.
func (c *compiler) checkNode(n *planNode) {
	for _, h := range n.handles {
		if n.edgeCount[h] < 2 {
			continue
		}
		if t, _ := n.propType(h); !isList(t) {
			c.nodeProblem(n, "%d edges feed input %q, which is not a list; use a Collect node", n.edgeCount[h], h)
			continue
		}
		n.aggregate[h] = true
	}
	if n.bypassed {
		return
	}
	if n.def.Check != nil {
		if err := n.def.Check(n.props, func(h string) bool { return n.edgeCount[h] > 0 }); err != nil {
			c.nodeProblem(n, "%v", err)
		}
	}
	var missing []string
	for _, req := range n.def.RequiredInputs {
		if n.edgeCount[req] == 0 {
			missing = append(missing, req)
		}
	}
	if len(missing) > 0 {
		c.nodeProblem(n, "missing inputs: %s (connect an edge to each)", strings.Join(missing, ", "))
	}
}

func slotList(outs []Output) string {
	if len(outs) == 0 {
		return "none"
	}
	names := make([]string, len(outs))
	for i, o := range outs {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

func EmptyValue(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case []any:
		return len(t) == 0
	case *pyval.Dict:
		return t.Len() == 0
	}
	return false
}

func typeFromValue(v any) (TypeMeta, error) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return TypeMeta{}, fmt.Errorf("must be a type object like {\"type\": \"str\"}")
	}
	t := TypeMeta{Type: d.Str("type")}
	if t.Type == "" {
		return t, fmt.Errorf(`type object has no "type"`)
	}
	if o, ok := d.Get("optional"); ok {
		t.Optional, _ = o.(bool)
	}
	t.TypeName = d.Str("type_name")
	if vals, ok := d.Get("values"); ok {
		t.Values, _ = vals.([]any)
	}
	if args, ok := d.Get("type_args"); ok {
		l, _ := args.([]any)
		for _, a := range l {
			at, err := typeFromValue(a)
			if err != nil {
				return t, err
			}
			t.TypeArgs = append(t.TypeArgs, at)
		}
	}
	return t, nil
}

// findCycle returns the node ids of one cycle over data and control edges,
// or nil.
func findCycle(nodes []*planNode) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[*planNode]int{}
	var stack []*planNode
	var found []string
	var visit func(n *planNode) bool
	visit = func(n *planNode) bool {
		color[n] = grey
		stack = append(stack, n)
		var next []*planNode
		for _, slot := range SortedKeys(n.outEdges) {
			for _, e := range n.outEdges[slot] {
				next = append(next, e.dst)
			}
		}
		for _, e := range n.ctrlOut {
			next = append(next, e.dst)
		}
		for _, m := range next {
			switch color[m] {
			case grey:
				for i, s := range stack {
					if s == m {
						for _, c := range stack[i:] {
							found = append(found, c.id)
						}
						break
					}
				}
				return true
			case white:
				if visit(m) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	for _, n := range nodes {
		if color[n] == white && visit(n) {
			return found
		}
	}
	return nil
}

func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// markStreaming flags every edge downstream of a streaming-output node, and
// records for each node which inbound handles carry streams (engine §3.5).
func markStreaming(p *Plan) {
	queue := []*planNode{}
	seen := map[*planNode]bool{}
	for _, n := range p.nodes {
		if n.def.StreamingOutput && n.def.Role != RoleOutput {
			queue = append(queue, n)
			seen[n] = true
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		n.streamsOut = true
		for _, edges := range n.outEdges {
			for _, e := range edges {
				e.streaming = true
				e.dst.streaming[e.edge.TargetHandle] = true
				if !seen[e.dst] {
					seen[e.dst] = true
					queue = append(queue, e.dst)
				}
			}
		}
	}
}

// CheckParams reports params that no input node takes, and param values the
// input cannot accept.
func (p *Plan) CheckParams(params *pyval.Dict) []Problem {
	var probs []Problem
	params.Range(func(k string, v any) bool {
		n := p.inputs[k]
		if n == nil {
			probs = append(probs, Problem{Message: fmt.Sprintf("unknown param %q: no input node has that name (inputs: %s)", k, p.inputNames())})
			return true
		}
		if _, err := n.coerceParam(v); err != nil {
			probs = append(probs, Problem{NodeID: n.id, NodeType: n.node.Type, Message: fmt.Sprintf("param %q: %v", k, err)})
		}
		return true
	})
	return probs
}

func (p *Plan) inputNames() string {
	names := SortedKeys(p.inputs)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Inputs describes the workflow's input nodes: name, node type and the type
// of value it takes, in graph order.
func (p *Plan) Inputs() []InputInfo {
	var out []InputInfo
	for _, n := range p.nodes {
		if n.def.Role != RoleInput {
			continue
		}
		name, _ := n.props["name"].(string)
		pt, _ := n.def.Prop("value")
		info := InputInfo{Name: name, NodeID: n.id, NodeType: n.node.Type, Default: n.props["value"]}
		if pt != nil {
			info.Type = pt.Type
		}
		out = append(out, info)
	}
	return out
}

// InputInfo describes one input node of a plan.
type InputInfo struct {
	Name     string
	NodeID   string
	NodeType string
	Type     TypeMeta
	Default  any
}

// OutputNames lists the names of the plan's output nodes, in graph order.
func (p *Plan) OutputNames() []string {
	var out []string
	for _, n := range p.nodes {
		if n.def.Role == RoleOutput {
			name, _ := n.props["name"].(string)
			out = append(out, name)
		}
	}
	return out
}

func (n *planNode) coerceParam(v any) (any, error) {
	prop, ok := n.def.Prop("value")
	if !ok || v == nil {
		return v, nil
	}
	return Coerce(v, prop.Type)
}
