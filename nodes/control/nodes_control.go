// Package control holds the nodetool.control nodes: If, ForEach, Collect
// and Reroute.
package control

import (
	"nodetool/engine"
	"nodetool/nodes/bounded"
)

// Register adds the nodetool.control nodes.
func Register(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:            "nodetool.control.If",
		Description:     "Routes each value to if_true or if_false by its condition. The other output gets nothing, so nodes after it do not run for that value.",
		Props:           []engine.Prop{engine.P("condition", "bool", "false", "The condition to test."), engine.P("value", "any", "[]", "The value to route.")},
		Outputs:         engine.Out("if_true", "any", "if_false", "any"),
		BasicFields:     []string{"condition", "value"},
		StreamingOutput: true,
		Run:             runIf,
	})
	r.Add(&engine.NodeDef{
		Type:            "nodetool.control.ForEach",
		Title:           "For Each",
		Description:     "Emits each item of a list in order, with its index, so the nodes after it run once per item.",
		Props:           []engine.Prop{engine.P("input_list", "list[any]", "[]", "The list to iterate over.")},
		Outputs:         engine.Out("output", "any", "index", "int"),
		BasicFields:     []string{"input_list"},
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			for i, item := range in.List("input_list") {
				if err := emit("output", item); err != nil {
					return err
				}
				if err := emit("index", int64(i)); err != nil {
					return err
				}
			}
			return nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.control.Collect",
		Description: "Gathers every item that reaches it and emits them as one list when its input stream ends.",
		Props:       []engine.Prop{engine.P("input_item", "any", "[]", "An item to collect.")},
		Outputs:     engine.Out("output", "list[any]"),
		BasicFields: []string{"input_item"},
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			items := []any{}
			var size int64
			for {
				v, ok, err := inbox.NextOn(ctx, "input_item")
				if err != nil {
					return err
				}
				if !ok {
					return emit("output", items)
				}
				if size += engine.ItemSize(v); size > ctx.MaxValue() {
					return ctx.CheckSize(size)
				}
				items = append(items, v)
			}
		},
	})
	r.Add(&engine.NodeDef{
		Type:            "nodetool.control.Reroute",
		Description:     "Passes every value through unchanged; use it to tidy edges on the canvas.",
		Props:           []engine.Prop{engine.P("input_value", "any", "[]", "The value to pass through.")},
		Outputs:         engine.Out("output", "any"),
		BasicFields:     []string{"input_value"},
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			for {
				v, ok, err := inbox.NextOn(ctx, "input_value")
				if err != nil || !ok {
					return err
				}
				if err := emit("output", v); err != nil {
					return err
				}
			}
		},
	})
}

// runIf routes values by condition. Unlike the original, a value never
// races its condition: when the condition is wired, each value waits for
// it. A streamed condition pairs with values one to one (the last one is
// reused once the condition stream ends); a one-shot condition applies to
// every value. What waits for its pair (values, or streamed conditions)
// is bounded by the max-value budget, like what waits in the inbox.
func runIf(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
	condWired := inbox.Connected("condition")
	condStream := condWired && ctx.Streaming("condition")
	condSeen := false
	var conds []bool
	var values []any
	var held int64 // estimated bytes of conds and values
	gotValue := false

	route := func(cond bool, v any) error {
		if cond {
			return emit("if_true", v)
		}
		return emit("if_false", v)
	}
	flush := func() error {
		for len(values) > 0 {
			cond := in.Bool("condition")
			switch {
			case condStream && len(conds) > 0:
				cond, conds = conds[0], conds[1:]
				held -= engine.ItemCost
				if err := in.Set("condition", cond); err != nil {
					return err
				}
			case condWired && inbox.Open("condition") && (condStream || !condSeen):
				return nil // wait for the condition
			}
			v := values[0]
			values = values[1:]
			held -= engine.ItemSize(v)
			if err := route(cond, v); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		h, v, ok, err := inbox.Next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch h {
		case "condition":
			if err := in.Set("condition", v); err != nil {
				return err
			}
			// A streamed condition waits for its value; once no value
			// can come, there is nothing to pair it with.
			if condStream && (len(values) > 0 || inbox.Open("value")) {
				if held += engine.ItemCost; held > ctx.MaxValue() {
					return bounded.HeldError(ctx)
				}
				conds = append(conds, in.Bool("condition"))
			}
			condSeen = true
		case "value":
			gotValue = true
			if held += engine.ItemSize(v); held > ctx.MaxValue() {
				return bounded.HeldError(ctx)
			}
			values = append(values, v)
		}
		if err := flush(); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if !gotValue && !inbox.Connected("value") {
		return route(in.Bool("condition"), in.Get("value"))
	}
	return nil
}
