// Package lists holds the nodetool.list nodes: ranges, slicing, sorting,
// set operations, folds and the rest of Python's list handling.
package lists

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// Register adds the nodetool.list nodes.
func Register(r *engine.Registry) {
	registerAccess(r)
	registerBuild(r)
	registerOrder(r)
	registerSets(r)
	registerAggregates(r)
	registerSave(r)
}

// values declares a node's "values" input, a list.
func values(desc string) engine.Prop { return engine.P("values", "list[any]", "[]", desc) }

// registerAccess adds the nodes that measure, make and read lists: Length,
// ListRange, GenerateSequence, Slice, SelectElements, GetElement.
func registerAccess(r *engine.Registry) {
	rangeProps := []engine.Prop{
		engine.P("start", "int", "0", "The first number."),
		engine.P("stop", "int", "0", "The number to stop before."),
		engine.P("step", "int", "1", "The difference between consecutive numbers; negative counts down."),
	}
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Length",
		Description: "Counts the items in a list.",
		Props:       []engine.Prop{values("The list to count.")},
		Outputs:     engine.Out("output", "int"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(int64(len(in.List("values")))), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.ListRange",
		Description: "Makes a list of the integers from start up to, but not including, stop, counting by step.",
		Props:       rangeProps,
		Outputs:     engine.Out("output", "list[int]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			start, stop, step := in.Int("start"), in.Int("stop"), in.Int("step")
			n, err := pystr.RangeLen(start, stop, step)
			if err != nil {
				return nil, err
			}
			if err := ctx.CheckItems(n); err != nil {
				return nil, fmt.Errorf("%w; Generate Sequence streams the numbers instead", err)
			}
			out := make([]any, 0, n)
			for i, v := int64(0), start; i < n; i, v = i+1, v+step {
				out = append(out, v)
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:            "nodetool.list.GenerateSequence",
		Description:     "Streams the integers from start up to, but not including, stop, counting by step, one at a time.",
		Props:           rangeProps,
		Outputs:         engine.Out("output", "int"),
		StreamingOutput: true,
		Gen: func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			start, stop, step := in.Int("start"), in.Int("stop"), in.Int("step")
			n, err := pystr.RangeLen(start, stop, step)
			if err != nil {
				return err
			}
			for i, v := int64(0), start; i < n; i, v = i+1, v+step {
				if err := emit("output", v); err != nil {
					return err
				}
			}
			return nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Slice",
		Description: "Takes part of a list as Python's values[start:stop:step] does; negative positions count from the end, and a stop of 0 means the end of the list.",
		Props: []engine.Prop{
			values("The list to slice."),
			engine.P("start", "int", "0", "Position of the first item taken; negative counts from the end."),
			engine.P("stop", "int", "0", "Position to stop before; 0 means the end of the list."),
			engine.P("step", "int", "1", "Take every step-th item; negative walks backwards."),
		},
		Outputs:     engine.Out("output", "list[any]"),
		BasicFields: []string{"values", "start", "stop", "step"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			start := in.Int("start")
			var stop *int64
			if s := in.Int("stop"); s != 0 {
				stop = &s
			}
			out, err := listSlice(in.List("values"), &start, stop, in.Int("step"))
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.SelectElements",
		Description: "Picks the items at the given positions, in the order given; negative positions count from the end.",
		Props:       []engine.Prop{values("The list to pick from."), engine.P("indices", "list[int]", "[]", "The positions to pick.")},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			list := in.List("values")
			out := make([]any, 0, len(in.List("indices")))
			for _, ix := range in.List("indices") {
				i, ok := ix.(int64)
				if f, isFloat := ix.(float64); isFloat {
					i, ok = int64(f), f == math.Trunc(f)
				}
				if !ok {
					return nil, fmt.Errorf("indices must be whole numbers, got %s", ListShortRepr(ix))
				}
				v, err := listAt(list, i)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.GetElement",
		Description: "Returns the item at a position; negative positions count from the end.",
		Props:       []engine.Prop{values("The list to read."), engine.P("index", "int", "0", "The position of the item.")},
		Outputs:     engine.Out("output", "any"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v, err := listAt(in.List("values"), in.Int("index"))
			if err != nil {
				return nil, err
			}
			return engine.Single(v), nil
		},
	})
}

// registerBuild adds the nodes that build lists from lists: Append, Extend,
// Chunk, Flatten.
func registerBuild(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Append",
		Description: "Returns a new list with the value added at the end.",
		Props:       []engine.Prop{values("The list to add to."), engine.P("value", "any", "[]", "The value to add.")},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			list := in.List("values")
			if err := ctx.CheckItems(int64(len(list)) + 1); err != nil {
				return nil, err
			}
			out := make([]any, len(list), len(list)+1)
			copy(out, list)
			return engine.Single(append(out, in.Get("value"))), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Extend",
		Description: "Returns a new list holding the items of the first list followed by those of the second.",
		Props:       []engine.Prop{values("The first list."), engine.P("other_values", "list[any]", "[]", "The items to add at the end.")},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b := in.List("values"), in.List("other_values")
			if err := ctx.CheckItems(int64(len(a)) + int64(len(b))); err != nil {
				return nil, err
			}
			out := make([]any, 0, len(a)+len(b))
			return engine.Single(append(append(out, a...), b...)), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Chunk",
		Description: "Splits a list into consecutive pieces of chunk_size items; the last piece may be shorter.",
		Props:       []engine.Prop{values("The list to split."), engine.P("chunk_size", "int", "1", "Number of items per piece (at least 1).")},
		Outputs:     engine.Out("output", "list[list[any]]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			size := in.Int("chunk_size")
			if size < 1 {
				return nil, fmt.Errorf("chunk_size must be at least 1, got %d", size)
			}
			list := in.List("values")
			chunks := int64(len(list)) / size
			if int64(len(list))%size != 0 {
				chunks++
			}
			// Every item moves into a chunk, and every chunk is a list.
			if err := ctx.CheckSize(int64(len(list))*engine.ItemCost + chunks*2*engine.ItemCost); err != nil {
				return nil, err
			}
			out := make([]any, 0, chunks)
			for i := 0; i < len(list); {
				end := len(list)
				if int64(end-i) > size {
					end = i + int(size)
				}
				out = append(out, slices.Clone(list[i:end]))
				i = end
			}
			return engine.Single(out), nil
		},
	})
	maxDepth := engine.P("max_depth", "int", "-1", "How many levels of nesting to remove; -1 removes all.")
	minDepth := -1.0
	maxDepth.Min = &minDepth
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Flatten",
		Description: "Replaces nested lists by their items, up to max_depth levels deep (-1: all levels).",
		Props:       []engine.Prop{values("The nested list."), maxDepth},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			depth := in.Int("max_depth")
			if depth < -1 {
				return nil, fmt.Errorf("max_depth must be -1 (no limit) or at least 0, got %d", depth)
			}
			list := in.List("values")
			n, err := listFlatLen(ctx, list, 0, depth, ctx.MaxValue()/engine.ItemCost)
			if err != nil {
				return nil, err
			}
			if err := ctx.CheckItems(n); err != nil {
				return nil, err
			}
			out, err := listFlatten(ctx, make([]any, 0, n), list, 0, depth)
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
}

// registerOrder adds the nodes that reorder or thin a list: Dedupe,
// Reverse, Randomize, Sort.
func registerOrder(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Dedupe",
		Description: "Removes repeated items, keeping the first of each in its original position.",
		Props:       []engine.Prop{values("The list to clean up.")},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out, err := listDistinct(ctx, in.List("values"))
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Reverse",
		Description: "Returns the list in reverse order.",
		Props:       []engine.Prop{values("The list to reverse.")},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out := append([]any{}, in.List("values")...)
			slices.Reverse(out)
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Randomize",
		Description: "Returns the items of the list in a random order.",
		Props:       []engine.Prop{values("The list to shuffle.")},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out := append([]any{}, in.List("values")...)
			rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Sort",
		Description: "Sorts the list as Python's sorted() does: numbers by value, text alphabetically, lists item by item.",
		Props: []engine.Prop{
			values("The list to sort."),
			engine.P("order", "enum(ascending, descending)", `"ascending"`, "Smallest first or largest first.").Enum("SortOrder"),
		},
		Outputs: engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out, err := pyval.SortWithin(ctx, in.List("values"), in.Str("order") == "descending")
			if err != nil {
				if engine.IsLimit(err) || ctx.Err() != nil {
					return nil, err
				}
				return nil, fmt.Errorf("cannot sort the list: %v; sort only items of one kind (numbers, text or lists)", err)
			}
			if out == nil {
				out = []any{}
			}
			return engine.Single(out), nil
		},
	})
}

// registerSets adds the set operations on two lists: Intersection, Union,
// Difference.
func registerSets(r *engine.Registry) {
	list1 := engine.P("list1", "list[any]", "[]", "The first list.")
	list2 := engine.P("list2", "list[any]", "[]", "The second list.")
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Intersection",
		Description: "Returns the items found in both lists, once each, in the order of the first list.",
		Props:       []engine.Prop{list1, list2},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out, err := listFilterBySet(ctx, in.List("list1"), in.List("list2"), true)
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Union",
		Description: "Returns the items found in either list, once each, in first-seen order.",
		Props:       []engine.Prop{list1, list2},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out, err := listDistinct(ctx, in.List("list1"), in.List("list2"))
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.list.Difference",
		Description: "Returns the items of the first list that are not in the second, once each, in their original order.",
		Props:       []engine.Prop{list1, list2},
		Outputs:     engine.Out("output", "list[any]"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			out, err := listFilterBySet(ctx, in.List("list1"), in.List("list2"), false)
			if err != nil {
				return nil, err
			}
			return engine.Single(out), nil
		},
	})
}

// registerAggregates adds the nodes that reduce a list of numbers to one:
// Sum, Average, Product, Minimum, Maximum.
func registerAggregates(r *engine.Registry) {
	numbers := engine.P("values", "list[float]", "[]", "The numbers to aggregate.")
	aggregate := func(class, desc string, f func([]any) (any, error)) {
		r.Add(&engine.NodeDef{
			Type:        "nodetool.list." + class,
			Description: desc,
			Props:       []engine.Prop{numbers},
			Outputs:     engine.Out("output", "float"),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				v, err := f(in.List("values"))
				if err != nil {
					return nil, err
				}
				return engine.Single(v), nil
			},
		})
	}
	addFloat := func(a, b float64) float64 { return a + b }
	aggregate("Sum", "Adds up a list of numbers. Whole numbers give a whole number.", func(l []any) (any, error) {
		return listFold(l, "sum", listAddInt64, addFloat)
	})
	aggregate("Average", "Computes the mean of a list of numbers.", func(l []any) (any, error) {
		s, err := listFold(l, "average", listAddInt64, addFloat)
		if err != nil {
			return nil, err
		}
		f, _ := pyval.AsNumber(s)
		return listFinite(f/float64(len(l)), "average")
	})
	aggregate("Product", "Multiplies a list of numbers together. Whole numbers give a whole number.", func(l []any) (any, error) {
		return listFold(l, "product", listMulInt64, func(a, b float64) float64 { return a * b })
	})
	aggregate("Minimum", "Returns the smallest number in a list.", func(l []any) (any, error) {
		return listExtreme(l, "minimum", -1)
	})
	aggregate("Maximum", "Returns the largest number in a list.", func(l []any) (any, error) {
		return listExtreme(l, "maximum", 1)
	})
}

// listAt returns list[i] with Python's negative indexing.
func listAt(list []any, i int64) (any, error) {
	n := int64(len(list))
	j := i
	if j < 0 {
		j += n
	}
	if j < 0 || j >= n {
		if n == 0 {
			return nil, fmt.Errorf("index %d is out of range: the list is empty", i)
		}
		return nil, fmt.Errorf("index %d is out of range for a list of %d items (valid: %d to %d)", i, n, -n, n-1)
	}
	return list[j], nil
}

// listSlice is Python's list[start:stop:step]; a nil bound is omitted.
func listSlice(list []any, start, stop *int64, step int64) ([]any, error) {
	if step == 0 {
		return nil, fmt.Errorf("slice step must not be 0")
	}
	n := int64(len(list))
	adjust := func(p *int64, def, lo, hi int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	var b, e int64
	if step > 0 {
		b, e = adjust(start, 0, 0, n), adjust(stop, n, 0, n)
	} else {
		b, e = adjust(start, n-1, -1, n-1), adjust(stop, -1, -1, n-1)
	}
	// Counted, so a huge step cannot overflow the position.
	count, _ := pystr.RangeLen(b, e, step)
	out := make([]any, 0, count)
	for i, k := b, int64(0); k < count; i, k = i+step, k+1 {
		out = append(out, list[i])
	}
	return out, nil
}

// listDistinct returns the items of the lists without repeats, keeping the
// first of each, in order.
func listDistinct(ctx *engine.Ctx, lists ...[]any) ([]any, error) {
	var total int64
	for _, l := range lists {
		total += int64(len(l))
	}
	if err := ctx.CheckItems(total); err != nil {
		return nil, err
	}
	seen := pyval.NewSet(ctx, false)
	out := []any{}
	for _, l := range lists {
		for _, v := range l {
			added, err := seen.Add(v)
			if err != nil {
				return nil, err
			}
			if added {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// listFilterBySet returns the distinct items of list1 that are (keep) or
// are not (!keep) in list2, in the order of list1.
func listFilterBySet(ctx *engine.Ctx, list1, list2 []any, keep bool) ([]any, error) {
	other := pyval.NewSet(ctx, false)
	for _, v := range list2 {
		if _, err := other.Add(v); err != nil {
			return nil, err
		}
	}
	distinct, err := listDistinct(ctx, list1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, v := range distinct {
		in, err := other.Has(v)
		if err != nil {
			return nil, err
		}
		if in == keep {
			out = append(out, v)
		}
	}
	return out, nil
}

// listShortRepr is Python's repr of a scalar, or the type of a list or dict,
// for error messages.
func ListShortRepr(v any) string {
	switch v.(type) {
	case []any, *pyval.Dict:
		return ListArticle(pyval.TypeName(v)) + " " + pyval.TypeName(v)
	}
	return pystr.ClipCount(pyval.Repr(v), 200)
}

// listFlatLen counts the items listFlatten would produce, polling ctx and
// stopping once the count passes max.
func listFlatLen(ctx *engine.Ctx, list []any, depth, maxDepth, max int64) (int64, error) {
	var n int64
	for _, v := range list {
		if err := ctx.Tick(); err != nil {
			return 0, err
		}
		if sub, ok := v.([]any); ok && (maxDepth == -1 || depth < maxDepth) {
			k, err := listFlatLen(ctx, sub, depth+1, maxDepth, max-n)
			if err != nil {
				return 0, err
			}
			n += k
		} else {
			n++
		}
		if n > max {
			return n, nil
		}
	}
	return n, nil
}

func listFlatten(ctx *engine.Ctx, out, list []any, depth, maxDepth int64) ([]any, error) {
	for _, v := range list {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		if sub, ok := v.([]any); ok && (maxDepth == -1 || depth < maxDepth) {
			var err error
			if out, err = listFlatten(ctx, out, sub, depth+1, maxDepth); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// listCheckNumbers checks that a list is non-empty and holds only numbers.
func listCheckNumbers(l []any, what string) error {
	if len(l) == 0 {
		return fmt.Errorf("cannot compute the %s of an empty list", what)
	}
	for i, v := range l {
		if _, ok := pyval.AsNumber(v); !ok {
			return fmt.Errorf("cannot compute the %s: item %d is %s %s, not a number", what, i, ListArticle(pyval.TypeName(v)), pyval.TypeName(v))
		}
	}
	return nil
}

func ListArticle(typeName string) string {
	if typeName != "" && slices.Contains([]byte("aeiouAEIOU"), typeName[0]) {
		return "an"
	}
	return "a"
}

// listFold combines the numbers of l left to right. While every item is
// a whole number (int or bool) it works on int64, as Python's ints do;
// the first float switches to float arithmetic.
func listFold(l []any, what string, fi func(a, b int64) (int64, bool), ff func(a, b float64) float64) (any, error) {
	if err := listCheckNumbers(l, what); err != nil {
		return nil, err
	}
	asInt := func(v any) (int64, bool) {
		switch t := v.(type) {
		case int64:
			return t, true
		case bool:
			if t {
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	var acc any = l[0]
	if i, ok := asInt(acc); ok {
		acc = i
	}
	for _, v := range l[1:] {
		a, aInt := acc.(int64)
		b, bInt := asInt(v)
		if aInt && bInt {
			r, ok := fi(a, b)
			if !ok {
				return nil, fmt.Errorf("the %s is too large for a 64-bit integer", what)
			}
			acc = r
			continue
		}
		x, _ := pyval.AsNumber(acc)
		y, _ := pyval.AsNumber(v)
		acc = ff(x, y)
	}
	if f, ok := acc.(float64); ok {
		return listFinite(f, what)
	}
	return acc, nil
}

// listAddInt64 adds, reporting false on overflow.
func listAddInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// listMulInt64 multiplies, reporting false on overflow.
func listMulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

func listFinite(f float64, what string) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("the %s is too large to represent as a number", what)
	}
	return f, nil
}

// extreme returns the first smallest (sign -1) or largest (sign 1) item,
// unchanged, as Python's min and max do.
func listExtreme(l []any, what string, sign int) (any, error) {
	if err := listCheckNumbers(l, what); err != nil {
		return nil, err
	}
	best := l[0]
	for _, v := range l[1:] {
		if c, _ := pyval.Compare(v, best); c == sign {
			best = v
		}
	}
	return best, nil
}
