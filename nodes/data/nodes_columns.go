package data

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// registerColumns adds the nodes that pick, add, rename and fill columns.
func registerColumns(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.SelectColumn",
		Description:  "Keeps the named columns, in the order named (df[columns]); spaces around the names are ignored.",
		Props:        []engine.Prop{frameProp("dataframe", "a dataframe from which columns are to be selected"), engine.P("columns", "str", `""`, "comma separated list of column names")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			names, err := f.names(in.Str("columns"), "columns")
			if err != nil {
				return nil, err
			}
			out := &frame{rows: f.rows}
			for _, n := range names {
				c, _ := f.col(n)
				out.cols = append(out.cols, c)
			}
			return single(ctx, out)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.ExtractColumn",
		Description:  "Returns the values of one column as a list (df[column].tolist()); missing values are None.",
		Props:        []engine.Prop{frameProp("dataframe", "The input dataframe."), engine.P("column_name", "str", `""`, "The name of the column to be converted to a list.")},
		Outputs:      engine.Out("output", "list[any]"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			c, err := f.col(in.Str("column_name"))
			if err != nil {
				return nil, err
			}
			if err := ctx.CheckItems(int64(f.rows)); err != nil {
				return nil, err
			}
			out := make([]any, f.rows)
			for i := range out {
				out[i] = c.at(i)
			}
			return engine.Single(out), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.AddColumn",
		Description: "Sets a column to a list of values, one per row (df[column_name] = values): an existing column is replaced in place, a new one added at the end. The list must have a value per row; a dataframe without columns takes its rows from the list.",
		Props: []engine.Prop{
			frameProp("dataframe", "Dataframe object to add a new column to."),
			engine.P("column_name", "str", `""`, "The name of the new column to be added to the dataframe."),
			engine.P("values", "list[any]", "[]", "A list of any type of elements which will be the new column's values."),
		},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			values := in.List("values")
			if len(f.cols) == 0 && f.rows == 0 {
				f.rows = len(values)
			}
			if len(values) != f.rows {
				return nil, fmt.Errorf("length of values (%d) does not match length of index (%d)", len(values), f.rows)
			}
			if err := ctx.CheckSize(int64(len(values)) * cellCost); err != nil {
				return nil, err
			}
			c := newColumn(in.Str("column_name"), values)
			out := &frame{rows: f.rows, cols: append([]*column(nil), f.cols...)}
			if i := f.index(c.name); i >= 0 {
				out.cols[i] = c
			} else {
				out.cols = append(out.cols, c)
			}
			return single(ctx, out)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.Rename",
		Description:  "Renames columns (df.rename): the map lists old:new pairs separated by commas; names that are not columns are ignored.",
		Props:        []engine.Prop{frameProp("dataframe", "The DataFrame to rename columns."), engine.P("rename_map", "str", `""`, "Column rename mapping in format: old1:new1,old2:new2")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			renames := map[string]string{}
			for _, m := range strings.Split(in.Str("rename_map"), ",") {
				if old, new, ok := strings.Cut(strings.TrimSpace(m), ":"); ok {
					renames[strings.TrimSpace(old)] = strings.TrimSpace(new)
				}
			}
			out := &frame{rows: f.rows, src: f.src}
			for _, c := range f.cols {
				if n, ok := renames[c.name]; ok {
					nc := *c
					nc.name = n
					c = &nc
				}
				out.cols = append(out.cols, c)
			}
			return single(ctx, out)
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.FillNA",
		Description: "Fills missing values (None, NaN): with a value (or a dict of a value per column), with the previous or next value of the column (forward, backward), or with the mean or median of a float column. A text value given to a column of numbers makes it a column of objects, as in pandas.",
		Props: []engine.Prop{
			frameProp("dataframe", "The DataFrame with missing values."),
			engine.P("value", "any", "0", "Value to use for filling missing values."),
			engine.P("method", "str", `"value"`, "Method for filling: value, forward, backward, mean, median"),
			engine.P("columns", "str", `""`, "Comma-separated column names to fill. Leave empty for all columns."),
		},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			out, err := fillNA(ctx, f, in.Get("value"), in.Str("method"), in.Str("columns"))
			if err != nil {
				return nil, err
			}
			return single(ctx, out)
		},
	})
}

// fillNA is the FillNA node's work.
func fillNA(bud pyval.Budget, f *frame, value any, method, columns string) (*frame, error) {
	switch method {
	case "value", "forward", "backward", "mean", "median":
	default:
		return nil, fmt.Errorf("Unknown fill method: %s (use value, forward, backward, mean or median)", pystr.ClipQuote(method))
	}
	var names []string
	if strings.TrimSpace(columns) != "" {
		var err error
		if names, err = f.names(columns, "columns"); err != nil {
			return nil, err
		}
	} else {
		for _, c := range f.cols {
			names = append(names, c.name)
		}
	}
	fills := map[string]any{}
	if method == "value" {
		switch v := value.(type) {
		case nil:
			return nil, errors.New("must specify a fill value (value is None)")
		case []any:
			return nil, errors.New(`"value" must be a scalar or dict, but you passed a list`)
		case *pyval.Dict:
			v.Range(func(k string, x any) bool {
				fills[k] = x
				return true
			})
		default:
			for _, n := range names {
				fills[n] = v
			}
		}
	}
	if err := bud.CheckSize(int64(f.rows) * int64(len(names)) * cellCost); err != nil {
		return nil, err
	}
	selected := map[string]bool{}
	for _, n := range names {
		selected[n] = true
	}
	out := &frame{rows: f.rows, cols: make([]*column, len(f.cols))}
	for j, c := range f.cols {
		out.cols[j] = c
		if !selected[c.name] || c.kind == kindInt || c.kind == kindBool {
			continue
		}
		if err := bud.Check(); err != nil {
			return nil, err
		}
		switch method {
		case "value":
			if v, ok := fills[c.name]; ok && v != nil {
				out.cols[j] = fillValue(c, v)
			}
		case "forward", "backward":
			idx := make([]int, f.rows)
			last := -1
			for k := range f.rows {
				i := k
				if method == "backward" {
					i = f.rows - 1 - k
				}
				if !c.isNA(i) {
					last = i
				}
				idx[i] = last
				if c.isNA(i) && last < 0 {
					idx[i] = i
				}
			}
			out.cols[j] = c.take(idx)
		default:
			if c.kind != kindFloat {
				continue // the original fills only float64 and int64 columns
			}
			ids := make([]int32, f.rows)
			agg, _, err := aggregate(bud, c, ids, 1, method)
			if err != nil {
				return nil, err
			}
			if m := agg.flts[0]; !math.IsNaN(m) {
				out.cols[j] = fillValue(c, m)
			}
		}
	}
	return out, nil
}

// fillValue replaces the missing cells of c with v.
func fillValue(c *column, v any) *column {
	if x, ok := v.(float64); ok && c.kind == kindFloat || c.kind == kindFloat && isNumber(v) {
		if !ok {
			x, _ = pyval.AsNumber(v)
		}
		out := &column{name: c.name, kind: kindFloat, flts: make([]float64, len(c.flts))}
		for i, f := range c.flts {
			if math.IsNaN(f) {
				f = x
			}
			out.flts[i] = f
		}
		return out
	}
	out := &column{name: c.name, objs: make([]any, c.len())}
	for i := range out.objs {
		if c.isNA(i) {
			out.objs[i] = v
		} else {
			out.objs[i] = c.at(i)
		}
	}
	return out
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}
