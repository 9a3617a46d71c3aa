package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"

	"nodetool/lang/pyval"
)

// Ctx is what a node sees of its run: the run's context (cancelled when the
// run ends or the node times out), its own identity, and ways to report
// progress and logs.
type Ctx struct {
	context.Context
	r     *run
	n     *planNode
	ticks uint32
}

// NodeID is the id of the running node.
func (c *Ctx) NodeID() string { return c.n.id }

// NodeType is the type of the running node.
func (c *Ctx) NodeType() string { return c.n.node.Type }

// Title is the node's display title.
func (c *Ctx) Title() string { return c.n.title }

// JobID is the id of the run.
func (c *Ctx) JobID() string { return c.r.opts.JobID }

// WorkflowID is the id of the workflow being run, if known.
func (c *Ctx) WorkflowID() string { return c.r.opts.WorkflowID }

// UserID is whom the run belongs to (RunOptions.UserID).
func (c *Ctx) UserID() string { return c.r.opts.UserID }

// ErrNoWorkspace is the error of Workspace for a run that has none.
var ErrNoWorkspace = errors.New("this run has no workspace folder for files")

// Workspace opens the run's workspace folder (RunOptions.Workspace) as an
// os.Root, so no name a workflow gives can leave it; the caller closes it.
// A run without one gets ErrNoWorkspace.
func (c *Ctx) Workspace() (*os.Root, error) {
	dir, err := c.r.workspace()
	if err != nil {
		return nil, err
	}
	return os.OpenRoot(dir)
}

// Label names the node in messages: "node n1 (nodetool.text.Concat)".
func (c *Ctx) Label() string { return c.n.label() }

// LimitError reports that this node broke the named budget (LimitValue,
// ...); msg says how, for the user.
func (c *Ctx) LimitError(limit, msg string) *LimitError {
	return &LimitError{Limit: limit, Node: c.n.label(), Msg: msg}
}

// DynamicOutputs lists the output slots the workflow declared on this node
// (a node whose definition has DynamicOutputs).
func (c *Ctx) DynamicOutputs() []Output { return c.n.dynOuts }

// Streaming reports whether input handle is fed by a stream (an edge
// downstream of a streaming output), so values may keep arriving on it.
func (c *Ctx) Streaming(handle string) bool { return c.n.streaming[handle] }

// RecordResult records v as a result of the workflow's output named name
// (output nodes). Results past the run's max-results budget fail the node.
func (c *Ctx) RecordResult(name string, v any) error { return c.r.addResult(c.n, name, v) }

// Log posts a log_update (severity info, warning or error).
func (c *Ctx) Log(severity, content string) {
	c.r.post(&LogUpdate{Type: "log_update", NodeID: c.n.id, NodeName: c.n.title, Content: content,
		Severity: severity, JobID: c.r.opts.JobID, WorkflowID: c.r.opts.WorkflowID})
}

// Progress posts a node_progress event.
func (c *Ctx) Progress(progress, total int64, chunk string) {
	c.r.post(&NodeProgress{Type: "node_progress", NodeID: c.n.id, Progress: progress, Total: total,
		Chunk: chunk, JobID: c.r.opts.JobID, WorkflowID: c.r.opts.WorkflowID})
}

// Post sends any event to the run's subscriber.
func (c *Ctx) Post(ev Event) { c.r.post(ev) }

// OutputSlots lists the node's output slots (dynamic outputs first).
func (c *Ctx) OutputSlots() []Output { return c.n.outputs() }

// ControlledNode describes a node this node controls over a control edge.
type ControlledNode struct {
	ID    string
	Type  string
	Title string
	Def   *NodeDef
	// Props are the node's configured property values.
	Props map[string]any
}

// Controlled lists the nodes this node controls, in edge order.
func (c *Ctx) Controlled() []ControlledNode {
	var out []ControlledNode
	seen := map[string]bool{}
	for _, e := range c.n.ctrlOut {
		if seen[e.dst.id] {
			continue
		}
		seen[e.dst.id] = true
		out = append(out, ControlledNode{ID: e.dst.id, Type: e.dst.node.Type, Title: e.dst.title, Def: e.dst.def, Props: e.dst.props})
	}
	return out
}

// RunControlled runs one controlled node with props overriding its inputs
// and waits for its outputs.
func (c *Ctx) RunControlled(target string, props *pyval.Dict) (map[string]any, error) {
	reply := make(chan ControlReply, 1)
	if err := c.r.emitControl(c.n, &ControlEvent{Target: target, Properties: props, Reply: reply}); err != nil {
		return nil, err
	}
	// The controlled node's work counts against its own budget, not this
	// node's.
	clock := c.r.inboxes[c.n.index].clock
	clock.pause()
	defer clock.resume()
	select {
	case rep := <-reply:
		return rep.Outputs, rep.Err
	case <-c.Done():
		return nil, context.Cause(c)
	}
}

// Inputs holds a node's current property values. Values were checked
// against the property types when assigned, so the typed getters return the
// zero value only when the property is absent.
type Inputs struct {
	n     *planNode
	set   []setInput  // values set in this run, one per name: few (a node's inputs fed by edges)
	dyn   *pyval.Dict // nil until the first dynamic Set: n.dynProps
	taken bool        // handed out by run.inputsFor
}

// setInput is a property's value set in this run, over the plan's.
type setInput struct {
	name string
	v    any
}

// newInputs starts a node's inputs from its plan's values, which it shares:
// values set in the run go to a short list over them, so a run copies no
// property map (a map per node was a third of a small run's allocations;
// TestRunAllocs).
func newInputs(n *planNode) *Inputs {
	return &Inputs{n: n}
}

// ownDyn gives the inputs their own copy of the plan's dynamic
// properties before a change.
func (in *Inputs) ownDyn() {
	if in.dyn == nil {
		in.dyn = in.n.dynProps.Copy()
	}
}

// Set assigns a value to a property (or dynamic property), checking its
// type. A nil value keeps the current one.
func (in *Inputs) Set(name string, v any) error {
	if v == nil {
		return nil
	}
	p, ok := in.n.def.Prop(name)
	if !ok {
		if in.n.def.Dynamic {
			in.ownDyn()
			in.dyn.Set(name, v)
			return nil
		}
		return fmt.Errorf("%s has no input %q", in.n.label(), name)
	}
	cv, err := Coerce(v, p.Type)
	if err != nil {
		return fmt.Errorf("input %q %v", name, err)
	}
	for i := range in.set {
		if in.set[i].name == name {
			in.set[i].v = cv
			return nil
		}
	}
	in.set = append(in.set, setInput{name, cv})
	return nil
}

// restore puts back a value Get returned (nil: a dynamic property that
// was not there), unchecked.
func (in *Inputs) restore(name string, v any) {
	if _, ok := in.n.def.Prop(name); !ok {
		in.ownDyn()
		if v == nil {
			in.dyn.Delete(name)
		} else {
			in.dyn.Set(name, v)
		}
		return
	}
	for i := range in.set {
		if in.set[i].name == name {
			in.set[i].v = v
			return
		}
	}
	in.set = append(in.set, setInput{name, v})
}

// Get returns a property or dynamic property value.
func (in *Inputs) Get(name string) any {
	for i := range in.set {
		if in.set[i].name == name {
			return in.set[i].v
		}
	}
	if v, ok := in.n.props[name]; ok {
		return v
	}
	d := in.dyn
	if d == nil {
		d = in.n.dynProps
	}
	v, _ := d.Get(name)
	return v
}

// Dynamic returns the dynamic properties in order. The dict is the node's
// own; do not modify it.
func (in *Inputs) Dynamic() *pyval.Dict {
	in.ownDyn()
	return in.dyn
}

// Str returns a string property.
func (in *Inputs) Str(name string) string {
	s, _ := in.Get(name).(string)
	return s
}

// Int returns an int property.
func (in *Inputs) Int(name string) int64 {
	switch v := in.Get(name).(type) {
	case int64:
		return v
	case float64:
		if math.IsNaN(v) {
			return 0
		}
		return int64(v)
	case bool:
		if v {
			return 1
		}
	}
	return 0
}

// Float returns a float property (ints convert).
func (in *Inputs) Float(name string) float64 {
	f, _ := pyval.AsNumber(in.Get(name))
	return f
}

// Bool returns a bool property.
func (in *Inputs) Bool(name string) bool {
	b, _ := in.Get(name).(bool)
	return b
}

// List returns a list property (nil when unset).
func (in *Inputs) List(name string) []any {
	l, _ := in.Get(name).([]any)
	return l
}

// Dict returns a dict property (an empty dict when unset).
func (in *Inputs) Dict(name string) *pyval.Dict {
	d, _ := in.Get(name).(*pyval.Dict)
	if d == nil {
		return pyval.NewDict(0)
	}
	return d
}
