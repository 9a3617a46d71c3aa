package data

import (
	"nodetool/engine"
)

// registerRows adds the nodes that pick, order and iterate rows.
func registerRows(r *engine.Registry) {
	condition := func(desc string) engine.Prop { return engine.P("condition", "str", `""`, desc) }
	filterDesc := " The condition is a pandas query: comparisons (age > 30, name == 'John Doe', 100 <= price <= 200), in lists (status in ['Active', 'Pending']), and, or, not, arithmetic, `quoted column names`, and the methods .str.contains, .str.startswith, .str.endswith, .str.lower, .str.upper, .str.len, .isna, .notna, .isin and .between."
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.Filter",
		Description:  "Keeps the rows of a dataframe that meet a condition (df.query), in their order." + filterDesc,
		Props:        []engine.Prop{frameProp("df", "The DataFrame to filter."), condition("The filtering condition to be applied to the DataFrame, e.g. column_name > 5.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := filterFrame(ctx, in)
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.FindRow",
		Description:  "Returns a dataframe holding the first row that meets a condition (df.query(...).head(1)); it is empty when none does." + filterDesc,
		Props:        []engine.Prop{frameProp("df", "The DataFrame to search."), condition("The condition to filter the DataFrame, e.g. 'column_name == value'.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := filterFrame(ctx, in)
			if err != nil {
				return nil, err
			}
			if f.rows > 1 {
				f = f.take([]int{0})
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.Slice",
		Description: "Takes the rows from start_index up to, not including, end_index (df.iloc[start:end]); negative positions count from the end, and an end of -1 means the last row included.",
		Props: []engine.Prop{
			frameProp("dataframe", "The input dataframe to be sliced."),
			engine.P("start_index", "int", "0", "The starting index of the slice (inclusive)."),
			engine.P("end_index", "int", "-1", "The ending index of the slice (exclusive). Use -1 for the last row."),
		},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			n := int64(f.rows)
			start, end := in.Int("start_index"), in.Int("end_index")
			if end == -1 {
				end = n
			}
			clamp := func(i int64) int64 {
				if i < 0 {
					i += n
				}
				return max(0, min(i, n))
			}
			start, end = clamp(start), clamp(end)
			idx := make([]int, 0, max(end-start, 0))
			for i := start; i < end; i++ {
				idx = append(idx, int(i))
			}
			return single(ctx, f.take(idx))
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.SortByColumn",
		Description: "Sorts the rows by a column, ascending (df.sort_values): missing values last, rows with equal values in their order. Texts sort by code point; a column mixing texts and numbers cannot be sorted.",
		Props:       []engine.Prop{frameProp("df", ""), engine.P("column", "str", `""`, "The column to sort the DataFrame by.")},
		Outputs:     engine.Out("output", "dataframe"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "df")
			if err != nil {
				return nil, err
			}
			c, err := f.col(in.Str("column"))
			if err != nil {
				return nil, err
			}
			idx, err := sortRows(ctx, f, c)
			if err != nil {
				return nil, err
			}
			return single(ctx, f.take(idx))
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.DropDuplicates",
		Description:  "Removes the rows equal in every column to an earlier row (df.drop_duplicates); missing values equal each other, and 1 equals 1.0.",
		Props:        []engine.Prop{frameProp("df", "The input DataFrame.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "df")
			if err != nil {
				return nil, err
			}
			if len(f.cols) == 0 {
				return single(ctx, f)
			}
			keep, err := dedupe(ctx, f)
			if err != nil {
				return nil, err
			}
			return single(ctx, f.take(keep))
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.DropNA",
		Description:  "Removes the rows with a missing value (None or NaN) in any column (df.dropna).",
		Props:        []engine.Prop{frameProp("df", "The input DataFrame.")},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "df")
			if err != nil {
				return nil, err
			}
			var keep []int
		rows:
			for i := range f.rows {
				if err := ctx.Tick(); err != nil {
					return nil, err
				}
				for _, c := range f.cols {
					if c.isNA(i) {
						continue rows
					}
				}
				keep = append(keep, i)
			}
			return single(ctx, f.take(keep))
		},
	})
	iterate := func(slot string) engine.GenFunc {
		return func(ctx *engine.Ctx, in *engine.Inputs, emit engine.Emit) error {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return err
			}
			for i := range f.rows {
				if err := emit(slot, f.record(i)); err != nil {
					return err
				}
				if err := emit("index", int64(i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	r.Add(&engine.NodeDef{
		Type:            "nodetool.data.RowIterator",
		Title:           "Row Iterator",
		Description:     "Streams the rows of a dataframe, each as a dict of its columns, with its position as index.",
		Props:           []engine.Prop{frameProp("dataframe", "The input dataframe.")},
		Outputs:         engine.Out("dict", "dict", "index", "any"),
		StreamingOutput: true,
		Gen:             iterate("dict"),
	})
	r.Add(&engine.NodeDef{
		Type:            "nodetool.data.ForEachRow",
		Description:     "Streams the rows of a dataframe, each as a dict of its columns (ints stay ints, unlike pandas' iterrows), with its position as index.",
		Props:           []engine.Prop{frameProp("dataframe", "The input dataframe.")},
		Outputs:         engine.Out("row", "dict", "index", "any"),
		StreamingOutput: true,
		ExposeAsTool:    true,
		Gen:             iterate("row"),
	})
	r.Add(&engine.NodeDef{
		Type:            "nodetool.data.FilterNone",
		Description:     "Passes on the values streaming into it that are not None.",
		Props:           []engine.Prop{engine.P("value", "any", "[]", "Input stream")},
		Outputs:         engine.Out("output", "any"),
		StreamingOutput: true,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			for {
				h, v, ok, err := inbox.Next(ctx)
				if err != nil || !ok {
					return err
				}
				if h == "value" && v != nil {
					if err := emit("output", v); err != nil {
						return err
					}
				}
			}
		},
	})
}

// filterFrame applies the node's condition to its df.
func filterFrame(ctx *engine.Ctx, in *engine.Inputs) (*frame, error) {
	f, err := frameIn(ctx, in, "df")
	if err != nil {
		return nil, err
	}
	q, err := parseQuery(ctx, in.Str("condition"))
	if err != nil {
		return nil, err
	}
	m, err := q.mask(ctx, f)
	if err != nil {
		return nil, err
	}
	return f.take(rowsWhere(m)), nil
}
