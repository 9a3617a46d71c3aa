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

// registerCombine adds the nodes that combine two dataframes.
func registerCombine(r *engine.Registry) {
	two := func(desc string) []engine.Prop {
		return []engine.Prop{frameProp("dataframe_a", "First DataFrame to be "+desc+"."), frameProp("dataframe_b", "Second DataFrame to be "+desc+".")}
	}
	both := func(ctx *engine.Ctx, in *engine.Inputs) (*frame, *frame, error) {
		a, err := frameIn(ctx, in, "dataframe_a")
		if err != nil {
			return nil, nil, err
		}
		b, err := frameIn(ctx, in, "dataframe_b")
		return a, b, err
	}
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.Merge",
		Description:  "Puts the columns of the second dataframe beside those of the first (pd.concat(axis=1)), row by row; the shorter one's missing rows are missing values.",
		Props:        two("merged"),
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b, err := both(ctx, in)
			if err != nil {
				return nil, err
			}
			f, err := concatColumns(ctx, a, b)
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.Append",
		Description:  "Puts the rows of the second dataframe under those of the first (pd.concat); both must have the same columns, unless one is empty.",
		Props:        two("appended"),
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b, err := both(ctx, in)
			if err != nil {
				return nil, err
			}
			if a.rows == 0 || len(a.cols) == 0 {
				return single(ctx, b)
			}
			if b.rows == 0 || len(b.cols) == 0 {
				return single(ctx, a)
			}
			same := len(a.cols) == len(b.cols)
			for j := 0; same && j < len(a.cols); j++ {
				same = a.cols[j].name == b.cols[j].name
			}
			if !same {
				return nil, fmt.Errorf("columns in dataframe A (%s) do not match columns in dataframe B (%s)", a.columnList(), b.columnList())
			}
			f, err := concatRows(ctx, a, b)
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.data.Join",
		Description:  "Joins two dataframes on a column both have (pd.merge, inner): a row for each pair of rows with equal values there, in the first dataframe's order. The other columns of both follow; a name both have gets _x and _y.",
		Props:        append(two("merged"), engine.P("join_on", "str", `""`, "The column name on which to join the two dataframes.")),
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, b, err := both(ctx, in)
			if err != nil {
				return nil, err
			}
			key := in.Str("join_on")
			if strings.TrimSpace(key) == "" {
				return nil, errors.New("join_on is empty: name the column to join on")
			}
			if a.index(key) < 0 && b.index(key) < 0 {
				key = strings.TrimSpace(key)
			}
			f, err := innerJoin(ctx, a, b, key)
			if err != nil {
				return nil, err
			}
			return single(ctx, f)
		},
	})
}

// registerGroups adds Aggregate and Pivot.
func registerGroups(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.Aggregate",
		Description: "Groups the rows by one or more columns and aggregates every other column per group (df.groupby(columns).agg().reset_index()): sum, mean, count, min, max, std, var, median, first, last. Groups come sorted by their keys; rows with a missing key are left out. mean, std, var and median skip the columns that are not numbers (pandas fails on them).",
		Props: []engine.Prop{
			frameProp("dataframe", "The DataFrame to group."),
			engine.P("columns", "str", `""`, "Comma-separated column names to group by."),
			engine.P("aggregation", "str", `"sum"`, "Aggregation function: sum, mean, count, min, max, std, var, median, first, last"),
		},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			out, err := groupBy(ctx, f, in.Str("columns"), in.Str("aggregation"))
			if err != nil {
				return nil, err
			}
			return single(ctx, out)
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.data.Pivot",
		Description: "Reshapes long data to wide (df.pivot_table): a row per value of index, a column per value of columns (both sorted), each cell the aggregation (sum, mean, count, min, max, first, last) of values where they meet; a missing combination is a missing value.",
		Props: []engine.Prop{
			frameProp("dataframe", "The DataFrame to pivot."),
			engine.P("index", "str", `""`, "Column name to use as index (rows)."),
			engine.P("columns", "str", `""`, "Column name to use as columns."),
			engine.P("values", "str", `""`, "Column name to use as values."),
			engine.P("aggfunc", "str", `"sum"`, "Aggregation function: sum, mean, count, min, max, first, last"),
		},
		Outputs:      engine.Out("output", "dataframe"),
		ExposeAsTool: true,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			f, err := frameIn(ctx, in, "dataframe")
			if err != nil {
				return nil, err
			}
			out, err := pivot(ctx, f, in.Str("index"), in.Str("columns"), in.Str("values"), in.Str("aggfunc"))
			if err != nil {
				return nil, err
			}
			return single(ctx, out)
		},
	})
}

// aggregations are the functions Aggregate accepts.
var aggregations = map[string]bool{"sum": true, "mean": true, "count": true, "min": true, "max": true,
	"std": true, "var": true, "median": true, "first": true, "last": true}

// groupBy is the Aggregate node's work.
func groupBy(bud pyval.Budget, f *frame, columns, fn string) (*frame, error) {
	if !aggregations[fn] {
		return nil, fmt.Errorf("Unknown aggregation function: %s (use sum, mean, count, min, max, std, var, median, first or last)", pystr.ClipQuote(fn))
	}
	names, err := f.names(columns, "columns")
	if err != nil {
		return nil, err
	}
	isKey := map[string]bool{}
	var keys []*column
	for _, n := range names {
		c, _ := f.col(n)
		keys = append(keys, c)
		isKey[n] = true
	}
	ids, firsts, err := groups(bud, keys, f.rows)
	if err != nil {
		return nil, err
	}
	perm, err := sortedGroups(keys, firsts)
	if err != nil {
		return nil, err
	}
	out := &frame{rows: len(perm)}
	reps := make([]int, len(perm))
	for k, g := range perm {
		reps[k] = firsts[g]
	}
	for _, k := range keys {
		out.cols = append(out.cols, k.take(reps))
	}
	for _, c := range f.cols {
		if isKey[c.name] {
			continue
		}
		agg, kept, err := aggregate(bud, c, ids, len(firsts), fn)
		if err != nil {
			return nil, err
		}
		if kept {
			out.cols = append(out.cols, agg.take(perm))
		}
	}
	return out, nil
}

var pivotAggs = map[string]bool{"sum": true, "mean": true, "count": true, "min": true, "max": true, "first": true, "last": true}

// pivot is the Pivot node's work.
func pivot(bud pyval.Budget, f *frame, index, columns, values, fn string) (*frame, error) {
	if !pivotAggs[fn] {
		return nil, fmt.Errorf("Unknown aggregation function: %s (use sum, mean, count, min, max, first or last)", pystr.ClipQuote(fn))
	}
	var cols [3]*column
	for i, n := range []string{index, columns, values} {
		what := [3]string{"index", "columns", "values"}[i]
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("%s is empty: name a column", what)
		}
		if f.index(n) < 0 {
			n = strings.TrimSpace(n)
		}
		c, err := f.col(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		cols[i] = c
	}
	ic, cc, vc := cols[0], cols[1], cols[2]
	pairIDs, pairFirsts, err := groups(bud, []*column{ic, cc}, f.rows)
	if err != nil {
		return nil, err
	}
	agg, kept, err := aggregate(bud, vc, pairIDs, len(pairFirsts), fn)
	if err != nil {
		return nil, err
	}
	if !kept {
		return nil, fmt.Errorf("%s needs numbers, and column %s holds %s", fn, pystr.ClipQuote(vc.name), "objects")
	}
	if fn == "mean" && vc.kind == kindInt {
		// pivot_table gives int means back their ints when all are whole.
		whole := true
		for _, x := range agg.flts {
			if x != math.Trunc(x) || math.IsInf(x, 0) {
				whole = false
				break
			}
		}
		if whole {
			ints := make([]int64, len(agg.flts))
			for i, x := range agg.flts {
				ints[i] = int64(x)
			}
			agg = &column{name: agg.name, kind: kindInt, ints: ints}
		}
	}
	// The distinct index and column values, sorted, among the rows kept.
	iSub, cSub := ic.take(pairFirsts), cc.take(pairFirsts)
	rowOf, rowFirsts, err := groups(bud, []*column{iSub}, len(pairFirsts))
	if err != nil {
		return nil, err
	}
	colOf, colFirsts, err := groups(bud, []*column{cSub}, len(pairFirsts))
	if err != nil {
		return nil, err
	}
	nr, nc := int64(len(rowFirsts)), int64(len(colFirsts))
	if nc > 0 && nr > bud.MaxValue()/(nc*cellCost) {
		return nil, bud.CheckSize(-1)
	}
	if err := bud.CheckSize(nr*nc*cellCost + nr*rowCost); err != nil {
		return nil, err
	}
	rowPerm, err := sortedGroups([]*column{iSub}, rowFirsts)
	if err != nil {
		return nil, err
	}
	colPerm, err := sortedGroups([]*column{cSub}, colFirsts)
	if err != nil {
		return nil, err
	}
	rowRank := make([]int, nr)
	for k, g := range rowPerm {
		rowRank[g] = k
	}
	colRank := make([]int, nc)
	for k, g := range colPerm {
		colRank[g] = k
	}
	grid := make([][]int, nc)
	for j := range grid {
		grid[j] = make([]int, nr)
		for i := range grid[j] {
			grid[j][i] = -1
		}
	}
	for p := range pairFirsts {
		grid[colRank[colOf[p]]][rowRank[rowOf[p]]] = p
	}
	if int64(len(pairFirsts)) < nr*nc {
		// A missing cell makes the whole table floats (or objects), as
		// unstacking does.
		agg = agg.nullable()
	}
	reps := make([]int, nr)
	for k, g := range rowPerm {
		reps[k] = rowFirsts[g]
	}
	out := &frame{rows: int(nr), cols: []*column{iSub.take(reps)}}
	for k, g := range colPerm {
		if err := bud.Check(); err != nil {
			return nil, err
		}
		c := agg.take(grid[k])
		allNA := true
		for i := range c.len() {
			if !c.isNA(i) {
				allNA = false
				break
			}
		}
		if allNA && nr > 0 {
			continue // pivot_table's dropna drops all-missing columns
		}
		label := cSub.at(colFirsts[g])
		if s, ok := label.(string); ok {
			c.name = s
		} else {
			c.name = pyval.Str(label)
		}
		out.cols = append(out.cols, c)
	}
	return out, nil
}
