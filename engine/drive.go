package engine

import (
	"context"
	"fmt"
	"maps"

	"nodetool/lang/pyval"
)

// Delivery is one scripted input of DriveNode: a value on an input handle.
type Delivery struct {
	Handle string
	Value  any
}

// DriveNode runs one node of def outside any workflow, for the node
// library's tests: its properties are def's defaults overlaid with props
// (assigned as given, without type checks, so a test can reach a node's own
// checks), its inbox delivers script in order and then ends every handle,
// and what it emits is returned by output slot. A buffered or generator
// node runs once with props and ignores script. The run has the default
// budgets and no event subscriber.
func DriveNode(ctx context.Context, def *NodeDef, props map[string]any, script []Delivery) (map[string][]any, error) {
	n := &planNode{id: "n", lbl: fmt.Sprintf("node n (%s)", def.Type), node: &Node{ID: "n", Type: def.Type}, def: def,
		props: map[string]any{}, dynProps: pyval.NewDict(0)}
	for _, p := range def.Props {
		n.props[p.Name] = p.Default
	}
	maps.Copy(n.props, props)
	r := &run{limits: Limits{}.withDefaults()}
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	defer r.cancel(context.Canceled)
	counts := map[string]int{}
	var handles []string
	for _, d := range script {
		if counts[d.Handle] == 0 {
			handles = append(handles, d.Handle)
		}
		counts[d.Handle] = 1
	}
	r.inboxes = make([]Inbox, 1) // n.index is 0
	inbox := &r.inboxes[0]
	inbox.init(counts, handles, make([]int, len(handles)))
	inbox.ch = make(chan delivery, len(script)+len(handles))
	inbox.ctx = r.ctx
	for _, d := range script {
		inbox.ch <- delivery{handle: d.Handle, value: d.Value}
	}
	for _, h := range handles {
		inbox.ch <- delivery{handle: h, eos: true}
	}
	out := map[string][]any{}
	emit := func(slot string, v any) error {
		if v != nil {
			out[slot] = append(out[slot], v)
		}
		return nil
	}
	c := &Ctx{Context: r.ctx, r: r, n: n}
	in := r.inputsFor(n)
	var err error
	switch {
	case def.Run != nil:
		err = def.Run(c, in, inbox, emit)
	case def.Gen != nil:
		err = def.Gen(c, in, emit)
	default:
		var res map[string]any
		res, err = def.Process(c, in)
		for k, v := range res {
			emit(k, v)
		}
	}
	return out, err
}
