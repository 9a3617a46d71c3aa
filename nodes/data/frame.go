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

// A dataframe travels between nodes as NodeTool's DataframeRef, a dict:
//
//	{"type": "dataframe", "uri": "", "asset_id": null, "data": [[row], ...],
//	 "metadata": null, "columns": [{"name", "data_type", "description"}, ...]}
//
// (DataframeRef.from_pandas: rows as lists, data_type "int", "float" or
// "object"). Inside a node it is a frame: one typed slice per column, with
// the dtype pandas would give the column, so that filters, sorts and
// group-bys work on plain slices and only the edges box values.

// kind is a column's dtype.
type kind uint8

const (
	kindObject kind = iota // any values; nil (None) and NaN are missing
	kindInt                // int64, never missing
	kindFloat              // float64, NaN is missing
	kindBool               // bool, never missing
)

// column is one column of a frame; the slice of its kind holds the cells.
type column struct {
	name  string
	kind  kind
	ints  []int64
	flts  []float64
	bools []bool
	objs  []any
}

// frame is a dataframe: columns of equal length. src, when set, holds the
// rows of the DataframeRef the frame was read from (or a selection of
// them) exactly as they will be written back, so an operation that only
// picks or reorders rows reuses them instead of boxing every cell again.
type frame struct {
	cols []*column
	rows int
	src  []any
}

// cellCost is what a cell costs in a frame and again in the rows written
// from it; rowCost is a row's list.
const (
	cellCost = 24
	rowCost  = 32
)

func (c *column) len() int {
	switch c.kind {
	case kindInt:
		return len(c.ints)
	case kindFloat:
		return len(c.flts)
	case kindBool:
		return len(c.bools)
	}
	return len(c.objs)
}

// isNA reports whether cell i is missing (None or NaN), as pandas' isna.
func (c *column) isNA(i int) bool {
	switch c.kind {
	case kindFloat:
		return math.IsNaN(c.flts[i])
	case kindObject:
		return isNAValue(c.objs[i])
	}
	return false
}

func isNAValue(v any) bool {
	if v == nil {
		return true
	}
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}

// at returns cell i as a value: NaN and None are nil.
func (c *column) at(i int) any {
	switch c.kind {
	case kindInt:
		return c.ints[i]
	case kindFloat:
		if math.IsNaN(c.flts[i]) {
			return nil
		}
		return c.flts[i]
	case kindBool:
		return c.bools[i]
	}
	if isNAValue(c.objs[i]) {
		return nil
	}
	return c.objs[i]
}

// dataType is the column's ColumnDef data_type, as dtype_name writes it.
func (c *column) dataType() string {
	switch c.kind {
	case kindInt:
		return "int"
	case kindFloat:
		return "float"
	}
	return "object"
}

// take returns the column's cells at idx; -1 is a missing cell, which
// turns an int column into floats and a bool column into objects, as
// pandas' reindexing does.
func (c *column) take(idx []int) *column {
	out := &column{name: c.name, kind: c.kind}
	missing := false
	for _, i := range idx {
		if i < 0 {
			missing = true
			break
		}
	}
	if missing && c.kind == kindInt {
		out.kind = kindFloat
		out.flts = make([]float64, len(idx))
		for k, i := range idx {
			if i < 0 {
				out.flts[k] = math.NaN()
			} else {
				out.flts[k] = float64(c.ints[i])
			}
		}
		return out
	}
	if missing && c.kind == kindBool {
		out.kind = kindObject
		out.objs = make([]any, len(idx))
		for k, i := range idx {
			if i >= 0 {
				out.objs[k] = c.bools[i]
			}
		}
		return out
	}
	switch c.kind {
	case kindInt:
		out.ints = make([]int64, len(idx))
		for k, i := range idx {
			out.ints[k] = c.ints[i]
		}
	case kindFloat:
		out.flts = make([]float64, len(idx))
		for k, i := range idx {
			if i < 0 {
				out.flts[k] = math.NaN()
			} else {
				out.flts[k] = c.flts[i]
			}
		}
	case kindBool:
		out.bools = make([]bool, len(idx))
		for k, i := range idx {
			out.bools[k] = c.bools[i]
		}
	default:
		out.objs = make([]any, len(idx))
		for k, i := range idx {
			if i >= 0 {
				out.objs[k] = c.objs[i]
			}
		}
	}
	return out
}

// nullable returns the column in a type that can hold missing values:
// ints become floats, booleans objects.
func (c *column) nullable() *column {
	switch c.kind {
	case kindInt:
		out := &column{name: c.name, kind: kindFloat, flts: make([]float64, len(c.ints))}
		for i, v := range c.ints {
			out.flts[i] = float64(v)
		}
		return out
	case kindBool:
		out := &column{name: c.name, objs: make([]any, len(c.bools))}
		for i, v := range c.bools {
			out.objs[i] = v
		}
		return out
	}
	return c
}

// take returns the frame's rows at idx (none missing), in that order.
func (f *frame) take(idx []int) *frame {
	out := &frame{cols: make([]*column, len(f.cols)), rows: len(idx)}
	for j, c := range f.cols {
		out.cols[j] = c.take(idx)
	}
	if f.src != nil {
		out.src = make([]any, len(idx))
		for k, i := range idx {
			out.src[k] = f.src[i]
		}
	}
	return out
}

// col returns the named column (the first of that name), or an error
// naming the frame's columns, as pandas' KeyError does.
func (f *frame) col(name string) (*column, error) {
	if i := f.index(name); i >= 0 {
		return f.cols[i], nil
	}
	return nil, f.noColumn(name)
}

func (f *frame) index(name string) int {
	for i, c := range f.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

func (f *frame) noColumn(name string) error {
	if len(f.cols) == 0 {
		return fmt.Errorf("column %s not found: the dataframe has no columns", pystr.ClipQuote(name))
	}
	return fmt.Errorf("column %s not found; the columns are %s", pystr.ClipQuote(name), f.columnList())
}

// columnList names the columns for messages.
func (f *frame) columnList() string {
	var b strings.Builder
	for i, c := range f.cols {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(f.cols)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pystr.ClipQuote(c.name))
	}
	return b.String()
}

// names splits a comma-separated list of column names, trimming the spaces
// around each, and checks that each is a column; a name that is a column
// with its spaces is taken as it is.
func (f *frame) names(list, what string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("%s is empty: give the column names, separated by commas", what)
	}
	var out []string
	for _, n := range strings.Split(list, ",") {
		if f.index(n) < 0 {
			n = strings.TrimSpace(n)
		}
		if f.index(n) < 0 {
			return nil, f.noColumn(n)
		}
		out = append(out, n)
	}
	return out, nil
}

// newColumn builds a column from values with the dtype pandas infers for
// them (lib.maybe_convert_objects): all ints give int64; numbers with a
// None or NaN among them give float64 (None becomes NaN); all bools give
// bool; anything else, and a column of only None, stays object.
func newColumn(name string, cells []any) *column {
	var ints, floats, bools, nulls, others int
	for _, v := range cells {
		switch t := v.(type) {
		case nil:
			nulls++
		case int64:
			ints++
		case float64:
			if math.IsNaN(t) {
				nulls++
			} else {
				floats++
			}
		case bool:
			bools++
		default:
			others++
		}
	}
	c := &column{name: name}
	n := len(cells)
	switch {
	case n > 0 && ints == n:
		c.kind, c.ints = kindInt, make([]int64, n)
		for i, v := range cells {
			c.ints[i] = v.(int64)
		}
	case others == 0 && bools == 0 && ints+floats > 0:
		c.kind, c.flts = kindFloat, make([]float64, n)
		for i, v := range cells {
			switch t := v.(type) {
			case int64:
				c.flts[i] = float64(t)
			case float64:
				c.flts[i] = t
			default:
				c.flts[i] = math.NaN()
			}
		}
	case n > 0 && bools == n:
		c.kind, c.bools = kindBool, make([]bool, n)
		for i, v := range cells {
			c.bools[i] = v.(bool)
		}
	default:
		c.objs = make([]any, n)
		copy(c.objs, cells)
	}
	return c
}

// verbatim reports whether writing the column back gives exactly cells:
// pandas' inference changed nothing (no int became a float, no NaN became
// None).
func verbatim(c *column, cells []any) bool {
	switch c.kind {
	case kindFloat:
		for _, v := range cells {
			if f, ok := v.(float64); !ok || math.IsNaN(f) {
				return false
			}
		}
	case kindObject:
		for _, v := range cells {
			if f, ok := v.(float64); ok && math.IsNaN(f) {
				return false
			}
		}
	}
	return true
}

// errNotDataframe is the error for a value that is not a DataframeRef.
var errNotDataframe = errors.New("not a dataframe")

// readFrame reads a DataframeRef as dataframe_to_pandas does:
// pd.DataFrame(data, columns=[names]). An unset dataframe is an empty
// frame. Rows are lists (or dicts, read by column name); a row shorter
// than the columns is padded with None, a longer one is an error.
func readFrame(bud pyval.Budget, v any) (*frame, error) {
	if v == nil {
		return &frame{}, nil
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, fmt.Errorf("%w: got %s", errNotDataframe, pyval.TypeName(v))
	}
	cv, _ := d.Get("columns")
	dv, _ := d.Get("data")
	colList, _ := cv.([]any)
	rows, _ := dv.([]any)
	if dv != nil && rows == nil {
		return nil, fmt.Errorf("the dataframe's data is %s, not a list of rows", pyval.TypeName(dv))
	}
	if len(colList) == 0 {
		if len(rows) > 0 {
			return nil, errors.New("the dataframe has rows but no columns")
		}
		if uri := d.Str("uri"); uri != "" || d.Str("asset_id") != "" {
			return nil, errors.New("the dataframe refers to a stored asset or URI; only dataframes holding their rows (columns and data) can be read here")
		}
		return &frame{}, nil
	}
	names := make([]string, len(colList))
	for i, c := range colList {
		switch t := c.(type) {
		case *pyval.Dict:
			nv, _ := t.Get("name")
			if s, ok := nv.(string); ok {
				names[i] = s
			} else {
				names[i] = pyval.Str(nv)
			}
		case string:
			names[i] = t
		default:
			return nil, fmt.Errorf("the dataframe's column %d is %s, not a column definition", i, pyval.TypeName(c))
		}
	}
	nc, nr := len(names), len(rows)
	if err := bud.CheckSize(int64(nc) * int64(nr) * cellCost); err != nil {
		return nil, err
	}
	// cells[j] holds column j while its dtype is inferred.
	cells := make([][]any, nc)
	for j := range cells {
		cells[j] = make([]any, nr)
	}
	exact := true // every row is a list of exactly nc cells
	for i, r := range rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		switch t := r.(type) {
		case []any:
			if len(t) > nc {
				return nil, fmt.Errorf("%d columns passed, passed data had %d columns (row %d)", nc, len(t), i)
			}
			if len(t) != nc {
				exact = false
			}
			for j, v := range t {
				cells[j][i] = v
			}
		case *pyval.Dict:
			exact = false
			for j, n := range names {
				cells[j][i], _ = t.Get(n)
			}
		default:
			return nil, fmt.Errorf("row %d of the dataframe is %s, not a list", i, pyval.TypeName(r))
		}
	}
	f := &frame{cols: make([]*column, nc), rows: nr}
	for j, n := range names {
		f.cols[j] = newColumn(n, cells[j])
		if exact && !verbatim(f.cols[j], cells[j]) {
			exact = false
		}
	}
	if exact {
		f.src = rows
	}
	return f, nil
}

// value writes the frame as a DataframeRef (DataframeRef.from_pandas):
// rows as lists, NaN as None. Each column keeps its own type: pandas'
// values.tolist() turns the ints of a frame whose other columns are all
// floats into floats; this does not.
func (f *frame) value(bud pyval.Budget) (*pyval.Dict, error) {
	cols := make([]any, len(f.cols))
	for j, c := range f.cols {
		cols[j] = pyval.DictOf("name", c.name, "data_type", c.dataType(), "description", "")
	}
	var data []any
	if f.src != nil {
		data = f.src
	} else {
		nc := len(f.cols)
		if err := bud.CheckSize(int64(f.rows) * (rowCost + int64(nc)*engine.ItemCost)); err != nil {
			return nil, err
		}
		data = make([]any, f.rows)
		cells := make([]any, f.rows*nc) // one allocation for every row's cells
		for j, c := range f.cols {
			for i := range f.rows {
				cells[i*nc+j] = c.at(i)
			}
		}
		for i := range data {
			if i&4095 == 0 {
				if err := bud.Check(); err != nil {
					return nil, err
				}
			}
			data[i] = cells[i*nc : (i+1)*nc : (i+1)*nc]
		}
	}
	return dataframe(cols, data), nil
}

// dataframe is NodeTool's DataframeRef for columns and rows.
func dataframe(cols, data []any) *pyval.Dict {
	if data == nil {
		data = []any{}
	}
	if cols == nil {
		cols = []any{}
	}
	return pyval.DictOf("type", "dataframe", "uri", "", "asset_id", nil, "data", data, "metadata", nil, "columns", cols)
}

// records writes the frame as df.to_dict("records"): a dict per row, NaN
// as None; of two columns with one name the last wins.
func (f *frame) records(bud pyval.Budget) ([]any, error) {
	nc := len(f.cols)
	if err := bud.CheckSize(int64(f.rows) * (pyval.DictCost(nc) + int64(nc)*engine.ItemCost)); err != nil {
		return nil, err
	}
	out := make([]any, f.rows)
	for i := range out {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		out[i] = f.record(i)
	}
	return out, nil
}

// record is row i as a dict.
func (f *frame) record(i int) *pyval.Dict {
	d := pyval.NewDict(len(f.cols))
	for _, c := range f.cols {
		d.Set(c.name, c.at(i))
	}
	return d
}

// fromRecords builds a frame from dicts as pd.DataFrame(list_of_dicts):
// the columns are every key in order of first appearance, a missing key a
// missing cell.
func fromRecords(bud pyval.Budget, rows []*pyval.Dict) (*frame, error) {
	var names []string
	seen := map[string]int{}
	for _, r := range rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		for _, k := range r.Keys() {
			if _, ok := seen[k]; !ok {
				seen[k] = len(names)
				names = append(names, k)
			}
		}
	}
	if err := bud.CheckSize(int64(len(names)) * int64(len(rows)) * cellCost); err != nil {
		return nil, err
	}
	cells := make([][]any, len(names))
	for j := range cells {
		cells[j] = make([]any, len(rows))
	}
	for i, r := range rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		r.Range(func(k string, v any) bool {
			cells[seen[k]][i] = v
			return true
		})
	}
	f := &frame{cols: make([]*column, len(names)), rows: len(rows)}
	for j, n := range names {
		f.cols[j] = newColumn(n, cells[j])
	}
	return f, nil
}
