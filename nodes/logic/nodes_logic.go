// Package logic holds the nodetool.boolean and nodetool.numbers nodes:
// comparisons, logical operators, membership and number filters.
package logic

import (
	"errors"
	"fmt"
	"math"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Register adds the nodetool.boolean and nodetool.numbers nodes.
func Register(r *engine.Registry) {
	registerBoolean(r)
	registerNumbers(r)
}

func registerBoolean(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.Compare",
		Description: "Compares two numbers with the chosen operator and returns the result.",
		Props: []engine.Prop{
			engine.P("a", "union[int, float]", "0", "The left-hand number."),
			engine.P("b", "union[int, float]", "0", "The right-hand number."),
			engine.P("comparison", "enum(==,!=,>,<,>=,<=)", `"=="`, "The comparison to apply.").Enum("Comparison"),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b := in.Get("a"), in.Get("b")
			c, err := pyval.Compare(a, b)
			if err != nil {
				return nil, fmt.Errorf("cannot compare a and b: %v", err)
			}
			var res bool
			switch op := in.Str("comparison"); op {
			case "==":
				res = c == 0
			case "!=":
				res = c != 0
			case ">":
				res = c > 0
			case "<":
				res = c < 0
			case ">=":
				res = c >= 0
			case "<=":
				res = c <= 0
			default:
				return nil, fmt.Errorf("unsupported comparison %q: use ==, !=, >, <, >= or <=", op)
			}
			return engine.Single(res), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.LogicalOperator",
		Description: "Combines two booleans with and, or, xor, nand or nor.",
		Props: []engine.Prop{
			engine.P("a", "bool", "false", "The first operand."),
			engine.P("b", "bool", "false", "The second operand."),
			engine.P("operation", "enum(and,or,xor,nand,nor)", `"and"`, "The logical operation.").Enum("BooleanOperation"),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b := in.Bool("a"), in.Bool("b")
			var res bool
			switch op := in.Str("operation"); op {
			case "and":
				res = a && b
			case "or":
				res = a || b
			case "xor":
				res = a != b
			case "nand":
				res = !(a && b)
			case "nor":
				res = !(a || b)
			default:
				return nil, fmt.Errorf("unsupported operation %q: use and, or, xor, nand or nor", op)
			}
			return engine.Single(res), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.Not",
		Description: "Returns the negation of a boolean.",
		Props:       []engine.Prop{engine.P("value", "bool", "false", "The boolean to negate.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(!in.Bool("value")), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.ConditionalSwitch",
		Description: "Returns if_true when the condition holds, otherwise if_false. It waits for every connected input.",
		Props: []engine.Prop{
			engine.P("condition", "bool", "false", "The condition to test."),
			engine.P("if_true", "any", "[]", "The result when the condition is true."),
			engine.P("if_false", "any", "[]", "The result when the condition is false."),
		},
		Outputs: engine.Out("output", "any"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Bool("condition") {
				return engine.Single(in.Get("if_true")), nil
			}
			return engine.Single(in.Get("if_false")), nil
		},
	})
	// IsNone keeps the original's quirk (engine spec Q20): a null arriving
	// on an edge is ignored like every empty value, so the default (an
	// empty list) stays and the result is false. It is true only when the
	// value is explicitly null in the node's own data.
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.IsNone",
		Description: "Reports whether the value is null. A null arriving on an edge is ignored, so through an edge the result is false.",
		Props:       []engine.Prop{engine.P("value", "any", "[]", "The value to test.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(in.Get("value") == nil), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.IsIn",
		Description: "Reports whether the value equals one of the options.",
		Props: []engine.Prop{
			engine.P("value", "any", "[]", "The value to look for."),
			engine.P("options", "list[any]", "[]", "The allowed values."),
		},
		Outputs: engine.Out("output", "bool"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			// Comparing nested values can take far more steps than the
			// values take bytes (a list holding the same list many times):
			// the comparison polls the context as it goes.
			v := in.Get("value")
			for _, o := range in.List("options") {
				if err := ctx.Tick(); err != nil {
					return nil, err
				}
				eq, err := pyval.EqualWithin(ctx, v, o)
				if err != nil {
					if errors.Is(err, pyval.ErrTooDeep) {
						return nil, fmt.Errorf("cannot compare value with the options: %v", err)
					}
					return nil, err
				}
				if eq {
					return engine.Single(true), nil
				}
			}
			return engine.Single(false), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.All",
		Description: "True when every value in the list is true (an empty list gives true).",
		Props:       []engine.Prop{engine.P("values", "list[bool]", "[]", "The booleans to check.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			for _, v := range in.List("values") {
				if !pyval.Truthy(v) {
					return engine.Single(false), nil
				}
			}
			return engine.Single(true), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.boolean.Some",
		Description: "True when at least one value in the list is true (an empty list gives false).",
		Props:       []engine.Prop{engine.P("values", "list[bool]", "[]", "The booleans to check.")},
		Outputs:     engine.Out("output", "bool"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			for _, v := range in.List("values") {
				if pyval.Truthy(v) {
					return engine.Single(true), nil
				}
			}
			return engine.Single(false), nil
		},
	})
}

func registerNumbers(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.numbers.FilterNumber",
		Description: "Passes on the numbers of a stream that match the filter; other items are dropped.",
		Props: []engine.Prop{
			engine.P("value", "float", "0.0", "The stream of numbers to filter."),
			engine.P("filter_type", "enum(greater_than,less_than,equal_to,even,odd,positive,negative)", `"greater_than"`,
				"Which numbers to keep.").Enum("FilterNumberType"),
			engine.P("compare_value", "float", "0", "The number compared against by greater_than, less_than and equal_to."),
		},
		Outputs:         engine.Out("output", "float"),
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return filterNumbers(ctx, in, inbox, emit, func(v any) (bool, error) {
				return matchNumber(in, v)
			})
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.numbers.FilterNumberRange",
		Description: "Passes on the numbers of a stream that lie between min_value and max_value.",
		Props: []engine.Prop{
			engine.P("value", "float", "0.0", "The stream of numbers to filter."),
			engine.P("min_value", "float", "0", "The lower bound."),
			engine.P("max_value", "float", "0", "The upper bound."),
			engine.P("inclusive", "bool", "true", "Whether numbers equal to a bound are kept."),
		},
		Outputs:         engine.Out("output", "float"),
		BasicFields:     []string{"value", "min_value", "max_value", "inclusive"},
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return filterNumbers(ctx, in, inbox, emit, func(v any) (bool, error) {
				lo, err := pyval.Compare(in.Get("min_value"), v)
				if err != nil {
					return false, err
				}
				hi, err := pyval.Compare(v, in.Get("max_value"))
				if err != nil {
					return false, err
				}
				if in.Bool("inclusive") {
					return lo <= 0 && hi <= 0, nil
				}
				return lo < 0 && hi < 0, nil
			})
		},
	})
}

// filterNumbers drives a number stream filter: values on "value" are kept
// when match says so, values on any other handle update that setting for
// the items that follow. Items that are not numbers are skipped (bools
// count as non-numbers here, unlike Python where True is an int). Like the
// original, a value set only in the node's data (no edge) emits nothing.
func filterNumbers(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit, match func(v any) (bool, error)) error {
	for {
		h, v, ok, err := inbox.Next(ctx)
		if err != nil || !ok {
			return err
		}
		if h != "value" {
			if err := in.Set(h, v); err != nil {
				return err
			}
			continue
		}
		switch v.(type) {
		case int64, float64:
		default:
			continue
		}
		keep, err := match(v)
		if err != nil {
			return err
		}
		if keep {
			if err := emit("output", v); err != nil {
				return err
			}
		}
	}
}

// matchNumber applies FilterNumber's current filter to the number v.
func matchNumber(in *engine.Inputs, v any) (bool, error) {
	switch ft := in.Str("filter_type"); ft {
	case "greater_than", "less_than", "equal_to":
		c, err := pyval.Compare(v, in.Get("compare_value"))
		if err != nil {
			return false, err
		}
		switch ft {
		case "greater_than":
			return c > 0, nil
		case "less_than":
			return c < 0, nil
		}
		return c == 0, nil
	case "even", "odd":
		// Python's num % 2 == 0, also on floats: 2.5 is neither divisible
		// by 2, so it counts as odd.
		var even bool
		switch n := v.(type) {
		case int64:
			even = n%2 == 0
		case float64:
			even = math.Mod(n, 2) == 0
		}
		return even == (ft == "even"), nil
	case "positive":
		f, _ := pyval.AsNumber(v)
		return f > 0, nil
	case "negative":
		f, _ := pyval.AsNumber(v)
		return f < 0, nil
	default:
		return false, fmt.Errorf("unsupported filter_type %q", ft)
	}
}
