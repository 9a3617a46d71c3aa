package data

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// orderOf prepares a column for ordering: cmp compares two rows holding
// values (missing rows are never compared). Object columns must hold only
// texts or only numbers, as Python can order nothing else.
type order struct {
	c    *column
	strs []string
	nums []float64
}

func orderOf(c *column) (*order, error) {
	o := &order{c: c}
	if c.kind != kindObject {
		return o, nil
	}
	var strs, nums int
	var other any
	for _, v := range c.objs {
		switch v.(type) {
		case string:
			strs++
		case int64, float64, bool:
			if !isNAValue(v) {
				nums++
			}
		case nil:
		default:
			other = v
		}
	}
	if other != nil || strs > 0 && nums > 0 {
		a, b := "str", "int"
		if other != nil {
			a = pyval.TypeName(other)
			if strs == 0 {
				b = "float"
				if nums == 0 {
					b = a
				}
			}
		}
		return nil, fmt.Errorf("column %s cannot be ordered: '<' is not supported between %s and %s values", pystr.ClipQuote(c.name), a, b)
	}
	if strs > 0 {
		o.strs = make([]string, len(c.objs))
		for i, v := range c.objs {
			o.strs[i], _ = v.(string)
		}
	} else {
		o.nums = make([]float64, len(c.objs))
		for i, v := range c.objs {
			o.nums[i], _ = pyval.AsNumber(v)
		}
	}
	return o, nil
}

func (o *order) cmp(i, j int) int {
	switch {
	case o.strs != nil:
		return cmp.Compare(o.strs[i], o.strs[j])
	case o.nums != nil:
		return cmp.Compare(o.nums[i], o.nums[j])
	}
	switch o.c.kind {
	case kindInt:
		return cmp.Compare(o.c.ints[i], o.c.ints[j])
	case kindFloat:
		return cmp.Compare(o.c.flts[i], o.c.flts[j])
	case kindBool:
		a, b := o.c.bools[i], o.c.bools[j]
		switch {
		case a == b:
			return 0
		case b:
			return -1
		}
		return 1
	}
	return 0
}

// sortRows orders the rows by column c ascending, as df.sort_values(c):
// missing values last; rows with equal values keep their order (pandas'
// default quicksort does not promise that).
func sortRows(bud pyval.Budget, f *frame, c *column) ([]int, error) {
	o, err := orderOf(c)
	if err != nil {
		return nil, err
	}
	if err := bud.CheckSize(int64(f.rows) * 24); err != nil {
		return nil, err
	}
	idx := make([]int, 0, f.rows)
	var missing []int
	for i := range f.rows {
		if c.isNA(i) {
			missing = append(missing, i)
		} else {
			idx = append(idx, i)
		}
	}
	switch {
	case c.kind == kindInt:
		type pair struct {
			v int64
			i int
		}
		ps := make([]pair, len(idx))
		for k, i := range idx {
			ps[k] = pair{c.ints[i], i}
		}
		slices.SortFunc(ps, func(a, b pair) int {
			if r := cmp.Compare(a.v, b.v); r != 0 {
				return r
			}
			return cmp.Compare(a.i, b.i)
		})
		for k, p := range ps {
			idx[k] = p.i
		}
	case c.kind == kindFloat || o.nums != nil:
		type pair struct {
			v float64
			i int
		}
		ps := make([]pair, len(idx))
		for k, i := range idx {
			if o.nums != nil {
				ps[k] = pair{o.nums[i], i}
			} else {
				ps[k] = pair{c.flts[i], i}
			}
		}
		slices.SortFunc(ps, func(a, b pair) int {
			if r := cmp.Compare(a.v, b.v); r != 0 {
				return r
			}
			return cmp.Compare(a.i, b.i)
		})
		for k, p := range ps {
			idx[k] = p.i
		}
	case o.strs != nil:
		type pair struct {
			v string
			i int
		}
		ps := make([]pair, len(idx))
		for k, i := range idx {
			ps[k] = pair{o.strs[i], i}
		}
		slices.SortFunc(ps, func(a, b pair) int {
			if r := cmp.Compare(a.v, b.v); r != 0 {
				return r
			}
			return cmp.Compare(a.i, b.i)
		})
		for k, p := range ps {
			idx[k] = p.i
		}
	default:
		slices.SortStableFunc(idx, o.cmp)
	}
	if err := bud.Check(); err != nil {
		return nil, err
	}
	return append(idx, missing...), nil
}

// groups numbers the distinct key tuples of the rows: ids[i] is row i's
// group (-1 when a key is missing: group-by drops those rows, as pandas'
// dropna=True), firsts[g] the first row of group g. Groups are numbered in
// order of first appearance.
func groups(bud pyval.Budget, keys []*column, rows int) (ids []int32, firsts []int, err error) {
	if err := bud.CheckSize(int64(rows) * 40); err != nil {
		return nil, nil, err
	}
	ids = make([]int32, rows)
	if len(keys) == 1 && keys[0].kind == kindInt {
		m := map[int64]int32{}
		for i, v := range keys[0].ints {
			if i&4095 == 0 {
				if err := bud.Check(); err != nil {
					return nil, nil, err
				}
			}
			g, ok := m[v]
			if !ok {
				g = int32(len(firsts))
				m[v] = g
				firsts = append(firsts, i)
			}
			ids[i] = g
		}
		return ids, firsts, nil
	}
	m := map[string]int32{}
	var buf []byte
rows:
	for i := range rows {
		if i&4095 == 0 {
			if err := bud.Check(); err != nil {
				return nil, nil, err
			}
		}
		buf = buf[:0]
		for _, k := range keys {
			if k.isNA(i) {
				ids[i] = -1
				continue rows
			}
			switch k.kind {
			case kindInt:
				buf = appendInt(append(buf, 'i'), k.ints[i])
			default:
				v := k.at(i)
				if _, ok := v.([]any); ok {
					return nil, nil, fmt.Errorf("column %s holds lists, which cannot be grouped or compared (unhashable type: 'list')", pystr.ClipQuote(k.name))
				}
				if _, ok := v.(*pyval.Dict); ok {
					return nil, nil, fmt.Errorf("column %s holds dicts, which cannot be grouped or compared (unhashable type: 'dict')", pystr.ClipQuote(k.name))
				}
				buf = appendKey(buf, v)
			}
		}
		g, ok := m[string(buf)]
		if !ok {
			g = int32(len(firsts))
			m[string(buf)] = g
			firsts = append(firsts, i)
		}
		ids[i] = g
	}
	return ids, firsts, nil
}

// sortedGroups returns the groups ordered by their keys (groupby's
// sort=True): the permutation of group numbers.
func sortedGroups(keys []*column, firsts []int) ([]int, error) {
	orders := make([]*order, len(keys))
	for j, k := range keys {
		o, err := orderOf(k)
		if err != nil {
			return nil, err
		}
		orders[j] = o
	}
	perm := make([]int, len(firsts))
	for g := range perm {
		perm[g] = g
	}
	slices.SortStableFunc(perm, func(a, b int) int {
		for _, o := range orders {
			if r := o.cmp(firsts[a], firsts[b]); r != 0 {
				return r
			}
		}
		return 0
	})
	return perm, nil
}

// aggNumeric lists the aggregations that use only numeric columns.
var aggNumeric = map[string]bool{"mean": true, "std": true, "var": true, "median": true}

// aggregate applies fn to column c within each of ng groups (ids as
// groups returns). It reports false when fn skips the column (a numeric
// aggregation of a column that is not numbers).
func aggregate(bud pyval.Budget, c *column, ids []int32, ng int, fn string) (*column, bool, error) {
	out := &column{name: c.name}
	numeric := c.kind != kindObject
	if aggNumeric[fn] && !numeric {
		return nil, false, nil
	}
	if err := bud.CheckSize(int64(ng) * cellCost); err != nil {
		return nil, false, err
	}
	switch fn {
	case "count":
		out.kind, out.ints = kindInt, make([]int64, ng)
		for i, g := range ids {
			if g >= 0 && !c.isNA(i) {
				out.ints[g]++
			}
		}
		return out, true, nil
	case "sum":
		switch c.kind {
		case kindInt, kindBool:
			out.kind, out.ints = kindInt, make([]int64, ng)
			vals := intsOf(c)
			for i, g := range ids {
				if g >= 0 {
					out.ints[g] += vals[i]
				}
			}
		case kindFloat:
			out.kind, out.flts = kindFloat, make([]float64, ng)
			for i, g := range ids {
				if g >= 0 && !math.IsNaN(c.flts[i]) {
					out.flts[g] += c.flts[i]
				}
			}
		default:
			return sumObjects(bud, c, ids, ng)
		}
		return out, true, nil
	case "mean", "std", "var":
		counts := make([]float64, ng)
		sums := make([]float64, ng)
		for i, g := range ids {
			if x := numAt(c, i); g >= 0 && !math.IsNaN(x) {
				counts[g]++
				sums[g] += x
			}
		}
		out.kind, out.flts = kindFloat, make([]float64, ng)
		for g := range sums {
			out.flts[g] = sums[g] / counts[g]
		}
		if fn == "mean" {
			for g := range counts {
				if counts[g] == 0 {
					out.flts[g] = math.NaN()
				}
			}
			return out, true, nil
		}
		ss := make([]float64, ng)
		for i, g := range ids {
			if x := numAt(c, i); g >= 0 && !math.IsNaN(x) {
				d := x - out.flts[g]
				ss[g] += d * d
			}
		}
		for g := range ss {
			v := math.NaN()
			if counts[g] > 1 {
				v = ss[g] / (counts[g] - 1)
			}
			if fn == "std" {
				v = math.Sqrt(v)
			}
			out.flts[g] = v
		}
		return out, true, nil
	case "median":
		members := make([][]float64, ng)
		for i, g := range ids {
			if x := numAt(c, i); g >= 0 && !math.IsNaN(x) {
				members[g] = append(members[g], x)
			}
		}
		out.kind, out.flts = kindFloat, make([]float64, ng)
		for g, m := range members {
			out.flts[g] = median(m)
		}
		return out, true, nil
	case "min", "max":
		return extremes(c, ids, ng, fn == "max")
	case "first", "last":
		pick := make([]int, ng)
		for g := range pick {
			pick[g] = -1
		}
		for i, g := range ids {
			if g < 0 || c.isNA(i) || fn == "first" && pick[g] >= 0 {
				continue
			}
			pick[g] = i
		}
		res := c.take(pick)
		if c.kind == kindInt && slices.Contains(pick, -1) {
			return res, true, nil // cannot happen: int columns have no missing values
		}
		return res, true, nil
	}
	return nil, false, fmt.Errorf("unknown aggregation function %s", pystr.ClipQuote(fn))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

// sumObjects sums an object column per group: texts are joined (as
// Python's + does), numbers added; missing values are skipped.
func sumObjects(bud pyval.Budget, c *column, ids []int32, ng int) (*column, bool, error) {
	sums := make([]any, ng)
	var size int64
	for i, g := range ids {
		v := c.at(i)
		if g < 0 || v == nil {
			continue
		}
		switch acc := sums[g].(type) {
		case nil:
			sums[g] = v
			if s, ok := v.(string); ok {
				size += int64(len(s))
			}
		case string:
			s, ok := v.(string)
			if !ok {
				return nil, false, fmt.Errorf("column %s: cannot add %s to text", pystr.ClipQuote(c.name), pyval.TypeName(v))
			}
			if size += int64(len(s)); size > bud.MaxValue() {
				return nil, false, bud.CheckSize(size)
			}
			sums[g] = acc + s
		default:
			x, ok1 := pyval.AsNumber(acc)
			y, ok2 := pyval.AsNumber(v)
			if !ok1 || !ok2 {
				return nil, false, fmt.Errorf("column %s: cannot add %s and %s", pystr.ClipQuote(c.name), pyval.TypeName(acc), pyval.TypeName(v))
			}
			ai, aInt := acc.(int64)
			vi, vInt := v.(int64)
			if aInt && vInt {
				sums[g] = ai + vi
			} else {
				sums[g] = x + y
			}
		}
		if i&4095 == 0 {
			if err := bud.Check(); err != nil {
				return nil, false, err
			}
		}
	}
	for g, s := range sums {
		if s == nil {
			sums[g] = int64(0) // the sum of nothing
		}
	}
	return &column{name: c.name, objs: sums}, true, nil
}

// extremes is min or max per group, missing values skipped.
func extremes(c *column, ids []int32, ng int, max bool) (*column, bool, error) {
	o, err := orderOf(c)
	if err != nil {
		return nil, false, err
	}
	best := make([]int, ng)
	for g := range best {
		best[g] = -1
	}
	for i, g := range ids {
		if g < 0 || c.isNA(i) {
			continue
		}
		if b := best[g]; b < 0 || max && o.cmp(i, b) > 0 || !max && o.cmp(i, b) < 0 {
			best[g] = i
		}
	}
	return c.take(best), true, nil
}

// concatRows stacks b under a (pd.concat axis=0) when both have the same
// columns: a column's type is the common type of both parts (ints and
// floats give floats; anything else mixed gives objects).
func concatRows(bud pyval.Budget, a, b *frame) (*frame, error) {
	if err := bud.CheckSize(int64(a.rows+b.rows) * int64(len(a.cols)) * cellCost); err != nil {
		return nil, err
	}
	out := &frame{cols: make([]*column, len(a.cols)), rows: a.rows + b.rows}
	for j, ca := range a.cols {
		cb := b.cols[j]
		c := &column{name: ca.name}
		switch {
		case ca.kind == cb.kind && ca.kind == kindInt:
			c.kind, c.ints = kindInt, slices.Concat(ca.ints, cb.ints)
		case ca.kind == cb.kind && ca.kind == kindBool:
			c.kind, c.bools = kindBool, slices.Concat(ca.bools, cb.bools)
		case numericKind(ca.kind) && numericKind(cb.kind) && ca.kind != kindBool && cb.kind != kindBool:
			c.kind, c.flts = kindFloat, make([]float64, 0, out.rows)
			for i := range a.rows {
				c.flts = append(c.flts, numAt(ca, i))
			}
			for i := range b.rows {
				c.flts = append(c.flts, numAt(cb, i))
			}
		default:
			c.objs = make([]any, 0, out.rows)
			for i := range a.rows {
				c.objs = append(c.objs, ca.at(i))
			}
			for i := range b.rows {
				c.objs = append(c.objs, cb.at(i))
			}
		}
		out.cols[j] = c
	}
	// The rows can be reused when no column changed its type.
	same := a.src != nil && b.src != nil
	for j, c := range out.cols {
		same = same && c.kind == a.cols[j].kind && c.kind == b.cols[j].kind
	}
	if same {
		out.src = slices.Concat(a.src, b.src)
	}
	return out, nil
}

// concatColumns puts b's columns beside a's (pd.concat axis=1), matching
// rows by position; the shorter frame's missing rows are missing cells.
func concatColumns(bud pyval.Budget, a, b *frame) (*frame, error) {
	rows := max(a.rows, b.rows)
	if err := bud.CheckSize(int64(rows) * int64(len(a.cols)+len(b.cols)) * cellCost); err != nil {
		return nil, err
	}
	out := &frame{rows: rows}
	for _, part := range []*frame{a, b} {
		idx := make([]int, rows)
		for i := range idx {
			idx[i] = i
			if i >= part.rows {
				idx[i] = -1
			}
		}
		for _, c := range part.cols {
			out.cols = append(out.cols, c.take(idx))
		}
	}
	return out, nil
}

// innerJoin is pd.merge(a, b, on=key): the rows of a with each row of b
// holding an equal key (missing keys match each other, as in pandas), in
// a's order and then b's; a's columns, then b's but the key; other names
// both have get the suffixes _x and _y.
func innerJoin(bud pyval.Budget, a, b *frame, key string) (*frame, error) {
	ka, err := a.col(key)
	if err != nil {
		return nil, fmt.Errorf("dataframe_a: %w", err)
	}
	kb, err := b.col(key)
	if err != nil {
		return nil, fmt.Errorf("dataframe_b: %w", err)
	}
	for _, k := range []*column{ka, kb} {
		if k.kind == kindObject {
			for _, v := range k.objs {
				switch v.(type) {
				case []any, *pyval.Dict:
					return nil, fmt.Errorf("the key column %s holds %s values, which cannot be compared for a join", pystr.ClipQuote(key), pyval.TypeName(v))
				}
			}
		}
	}
	matches := map[string][]int{}
	var buf []byte
	for i := range b.rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		buf = appendKey(buf[:0], kb.at(i))
		matches[string(buf)] = append(matches[string(buf)], i)
	}
	// Count the result before building it: a key repeated on both sides
	// multiplies.
	var total int64
	for i := range a.rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		buf = appendKey(buf[:0], ka.at(i))
		total += int64(len(matches[string(buf)]))
	}
	width := int64(len(a.cols) + len(b.cols) - 1)
	if total > 0 && width > 0 && total > bud.MaxValue()/(width*cellCost) {
		return nil, bud.CheckSize(-1)
	}
	if err := bud.CheckSize(total * (width*cellCost + rowCost)); err != nil {
		return nil, err
	}
	ia := make([]int, 0, total)
	ib := make([]int, 0, total)
	for i := range a.rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		buf = appendKey(buf[:0], ka.at(i))
		for _, j := range matches[string(buf)] {
			ia = append(ia, i)
			ib = append(ib, j)
		}
	}
	inA := map[string]bool{}
	for _, c := range a.cols {
		inA[c.name] = true
	}
	inB := map[string]bool{}
	for _, c := range b.cols {
		inB[c.name] = true
	}
	out := &frame{rows: len(ia)}
	for _, c := range a.cols {
		nc := c.take(ia)
		if c.name != key && inB[c.name] {
			nc.name += "_x"
		}
		out.cols = append(out.cols, nc)
	}
	for _, c := range b.cols {
		if c.name == key {
			continue
		}
		nc := c.take(ib)
		if inA[c.name] {
			nc.name += "_y"
		}
		out.cols = append(out.cols, nc)
	}
	return out, nil
}

// dedupe lists the rows to keep for drop_duplicates: the first of each set
// of rows equal in every column.
func dedupe(bud pyval.Budget, f *frame) ([]int, error) {
	ids, firsts, err := groups(bud, f.cols, f.rows)
	if err != nil {
		return nil, err
	}
	_ = ids
	if len(f.cols) == 0 {
		return nil, nil
	}
	// groups drops rows with a missing key; drop_duplicates counts missing
	// values as equal, so those rows are grouped again by their keys with
	// missing cells included.
	if !slices.Contains(ids, -1) {
		return firsts, nil
	}
	seen := map[string]bool{}
	var keep []int
	var buf []byte
	for i := range f.rows {
		if err := bud.Tick(); err != nil {
			return nil, err
		}
		buf = buf[:0]
		for _, c := range f.cols {
			buf = appendKey(buf, c.at(i))
		}
		if !seen[string(buf)] {
			seen[string(buf)] = true
			keep = append(keep, i)
		}
	}
	return keep, nil
}
