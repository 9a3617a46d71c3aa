package data

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pyre"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// qv is the value of a query expression: a series (a column as long as the
// frame) or a scalar (list literals are scalars holding []any).
type qv struct {
	col  *column
	lit  any
	name string // the column a series comes from, for messages
}

func (v qv) series() bool { return v.col != nil }

// mask evaluates the query against f and returns the rows it keeps.
func (q *query) mask(bud pyval.Budget, f *frame) ([]bool, error) {
	e := &qeval{bud: bud, f: f}
	v, err := e.eval(q.root)
	if err != nil {
		if engine.IsLimit(err) || bud.Check() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("condition %q: %v", q.src, err)
	}
	if !v.series() {
		return nil, fmt.Errorf("condition %q does not depend on any column: compare a column, such as age > 30", q.src)
	}
	if v.col.kind != kindBool {
		return nil, fmt.Errorf("condition %q gives the values of %s, not true or false for each row; compare it, such as %s > 0", q.src, describeSeries(v), pystr.ClipCount(v.name, 40))
	}
	return v.col.bools, nil
}

// rowsWhere lists the rows whose mask is true.
func rowsWhere(m []bool) []int {
	n := 0
	for _, b := range m {
		if b {
			n++
		}
	}
	idx := make([]int, 0, n)
	for i, b := range m {
		if b {
			idx = append(idx, i)
		}
	}
	return idx
}

type qeval struct {
	bud pyval.Budget
	f   *frame
}

// checkRows charges a new column of the frame's length to the budget.
func (e *qeval) checkRows() error {
	if err := e.bud.CheckSize(int64(e.f.rows) * 8); err != nil {
		return err
	}
	return e.bud.Check()
}

func describeSeries(v qv) string {
	kind := map[kind]string{kindInt: "ints", kindFloat: "floats", kindBool: "booleans", kindObject: "objects"}[v.col.kind]
	if v.name != "" {
		return "column " + pystr.ClipQuote(v.name) + " (" + kind + ")"
	}
	return "an expression (" + kind + ")"
}

func (e *qeval) eval(n qnode) (qv, error) {
	switch t := n.(type) {
	case qLit:
		return qv{lit: t.v}, nil
	case qName:
		if c, err := e.f.col(t.name); err == nil {
			return qv{col: c, name: t.name}, nil
		}
		if t.name == "index" {
			c := &column{name: "index", kind: kindInt, ints: make([]int64, e.f.rows)}
			for i := range c.ints {
				c.ints[i] = int64(i)
			}
			return qv{col: c, name: "index"}, nil
		}
		return qv{}, fmt.Errorf("name %s is not defined: no column has that name (the columns are %s)", pystr.ClipQuote(t.name), e.f.columnList())
	case qList:
		items := make([]any, len(t.items))
		for i, x := range t.items {
			v, err := e.eval(x)
			if err != nil {
				return qv{}, err
			}
			if v.series() {
				return qv{}, errors.New("a list may hold only values, not columns")
			}
			items[i] = v.lit
		}
		return qv{lit: items}, nil
	case qUnary:
		return e.unary(t)
	case qBool:
		return e.boolean(t)
	case qCompare:
		var result qv
		left, err := e.eval(t.operands[0])
		if err != nil {
			return qv{}, err
		}
		for i, op := range t.ops {
			right, err := e.eval(t.operands[i+1])
			if err != nil {
				return qv{}, err
			}
			r, err := e.compare(op, left, right)
			if err != nil {
				return qv{}, err
			}
			if i == 0 {
				result = r
			} else if result, err = e.combine(true, result, r); err != nil {
				return qv{}, err
			}
			left = right
		}
		return result, nil
	case qArith:
		l, err := e.eval(t.l)
		if err != nil {
			return qv{}, err
		}
		r, err := e.eval(t.r)
		if err != nil {
			return qv{}, err
		}
		return e.arith(t.op, l, r)
	case qCall:
		return e.call(t)
	}
	return qv{}, errors.New("unsupported expression")
}

// boolSeries returns v's truth values: a bool column, or a bool scalar
// (series is nil).
func boolOf(v qv, what string) ([]bool, bool, error) {
	if v.series() {
		if v.col.kind != kindBool {
			return nil, false, fmt.Errorf("'%s' needs true or false values, got %s", what, describeSeries(v))
		}
		return v.col.bools, false, nil
	}
	b, ok := v.lit.(bool)
	if !ok {
		return nil, false, fmt.Errorf("'%s' needs true or false values, got %s", what, pystr.ClipCount(pyval.Repr(v.lit), 60))
	}
	return nil, b, nil
}

func (e *qeval) unary(t qUnary) (qv, error) {
	x, err := e.eval(t.x)
	if err != nil {
		return qv{}, err
	}
	switch t.op {
	case "not", "~":
		bs, b, err := boolOf(x, t.op)
		if err != nil {
			return qv{}, err
		}
		if bs == nil {
			return qv{lit: !b}, nil
		}
		if err := e.checkRows(); err != nil {
			return qv{}, err
		}
		out := make([]bool, len(bs))
		for i, v := range bs {
			out[i] = !v
		}
		return boolSeries(out), nil
	case "+":
		return e.arith("+", qv{lit: int64(0)}, x)
	}
	return e.arith("-", qv{lit: int64(0)}, x)
}

func boolSeries(b []bool) qv { return qv{col: &column{kind: kindBool, bools: b}} }

func (e *qeval) boolean(t qBool) (qv, error) {
	var acc qv
	for i, x := range t.xs {
		v, err := e.eval(x)
		if err != nil {
			return qv{}, err
		}
		if i == 0 {
			word := "or"
			if t.and {
				word = "and"
			}
			if _, _, err := boolOf(v, word); err != nil {
				return qv{}, err
			}
			acc = v
			continue
		}
		if acc, err = e.combine(t.and, acc, v); err != nil {
			return qv{}, err
		}
	}
	return acc, nil
}

// combine is a and b (or a or b), element-wise.
func (e *qeval) combine(and bool, a, b qv) (qv, error) {
	word := "or"
	if and {
		word = "and"
	}
	as, ab, err := boolOf(a, word)
	if err != nil {
		return qv{}, err
	}
	bs, bb, err := boolOf(b, word)
	if err != nil {
		return qv{}, err
	}
	if as == nil && bs == nil {
		if and {
			return qv{lit: ab && bb}, nil
		}
		return qv{lit: ab || bb}, nil
	}
	if err := e.checkRows(); err != nil {
		return qv{}, err
	}
	out := make([]bool, e.f.rows)
	for i := range out {
		x, y := ab, bb
		if as != nil {
			x = as[i]
		}
		if bs != nil {
			y = bs[i]
		}
		if and {
			out[i] = x && y
		} else {
			out[i] = x || y
		}
	}
	return boolSeries(out), nil
}

// numeric reports whether a column's cells are numbers (bools count, as in
// numpy).
func numericKind(k kind) bool { return k == kindInt || k == kindFloat || k == kindBool }

// numAt returns a numeric column's cell i as a float (NaN when missing).
func numAt(c *column, i int) float64 {
	switch c.kind {
	case kindInt:
		return float64(c.ints[i])
	case kindFloat:
		return c.flts[i]
	case kindBool:
		if c.bools[i] {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// compare applies one comparison operator element-wise.
func (e *qeval) compare(op string, l, r qv) (qv, error) {
	if op == "in" || op == "not in" {
		return e.isin(l, r, op == "not in", op)
	}
	if !l.series() && !r.series() {
		ok, err := cmpValues(op, l.lit, r.lit)
		return qv{lit: ok}, err
	}
	if err := e.checkRows(); err != nil {
		return qv{}, err
	}
	out := make([]bool, e.f.rows)
	// Fast paths: a numeric column against a number, a text column
	// against a text.
	if l.series() && !r.series() || !l.series() && r.series() {
		col, lit, flip := l.col, r.lit, false
		if !l.series() {
			col, lit, flip = r.col, l.lit, true
		}
		if flip {
			op = flipOp(op)
		}
		if f, ok := pyval.AsNumber(lit); ok && numericKind(col.kind) {
			if col.kind == kindInt {
				if n, isInt := lit.(int64); isInt {
					for i, v := range col.ints {
						out[i] = cmpOrdered(op, v, n)
					}
					return boolSeries(out), nil
				}
			}
			for i := range out {
				x := numAt(col, i)
				out[i] = !math.IsNaN(x) && cmpOrdered(op, x, f) || math.IsNaN(x) && op == "!="
			}
			return boolSeries(out), nil
		}
		if s, ok := lit.(string); ok && col.kind == kindObject {
			for i, v := range col.objs {
				if cs, ok := v.(string); ok {
					out[i] = cmpOrdered(op, cs, s)
					continue
				}
				var err error
				if out[i], err = cmpValues(op, col.at(i), s); err != nil {
					return qv{}, err
				}
			}
			return boolSeries(out), nil
		}
		for i := range out {
			var err error
			if out[i], err = cmpValues(op, col.at(i), lit); err != nil {
				return qv{}, err
			}
		}
		return boolSeries(out), nil
	}
	if numericKind(l.col.kind) && numericKind(r.col.kind) {
		for i := range out {
			x, y := numAt(l.col, i), numAt(r.col, i)
			if math.IsNaN(x) || math.IsNaN(y) {
				out[i] = op == "!="
			} else if l.col.kind == kindInt && r.col.kind == kindInt {
				out[i] = cmpOrdered(op, l.col.ints[i], r.col.ints[i])
			} else {
				out[i] = cmpOrdered(op, x, y)
			}
		}
		return boolSeries(out), nil
	}
	for i := range out {
		if i&4095 == 0 {
			if err := e.bud.Check(); err != nil {
				return qv{}, err
			}
		}
		var err error
		if out[i], err = cmpValues(op, l.col.at(i), r.col.at(i)); err != nil {
			return qv{}, err
		}
	}
	return boolSeries(out), nil
}

func flipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case ">":
		return "<"
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

func cmpOrdered[T int64 | float64 | string](op string, a, b T) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case ">":
		return a > b
	case "<=":
		return a <= b
	}
	return a >= b
}

// cmpValues compares two cells as pandas compares object arrays: a missing
// side is false (true for !=); numbers by value; texts by code point;
// == between other kinds is Python's ==; ordering them is an error.
func cmpValues(op string, a, b any) (bool, error) {
	if isNAValue(a) || isNAValue(b) {
		return op == "!=", nil
	}
	if x, ok := pyval.AsNumber(a); ok {
		if y, ok := pyval.AsNumber(b); ok {
			ai, aInt := a.(int64)
			bi, bInt := b.(int64)
			if aInt && bInt {
				return cmpOrdered(op, ai, bi), nil
			}
			return cmpOrdered(op, x, y), nil
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return cmpOrdered(op, x, y), nil
		}
	}
	switch op {
	case "==":
		return pyval.Equal(a, b), nil
	case "!=":
		return !pyval.Equal(a, b), nil
	}
	return false, fmt.Errorf("'%s' is not supported between %s and %s", op, pyval.TypeName(a), pyval.TypeName(b))
}

// isin is l in r: r a list or a column; missing values match missing ones.
func (e *qeval) isin(l, r qv, negate bool, op string) (qv, error) {
	set := map[string]bool{}
	switch {
	case r.series():
		for i := range e.f.rows {
			if err := e.bud.Tick(); err != nil {
				return qv{}, err
			}
			set[cellKey(r.col.at(i))] = true
		}
	default:
		items, ok := r.lit.([]any)
		if !ok {
			return qv{}, fmt.Errorf("'%s' needs a list or a column on its right, such as x in [1, 2]", op)
		}
		for _, v := range items {
			set[cellKey(v)] = true
		}
	}
	if !l.series() {
		return qv{lit: set[cellKey(l.lit)] != negate}, nil
	}
	if err := e.checkRows(); err != nil {
		return qv{}, err
	}
	out := make([]bool, e.f.rows)
	for i := range out {
		if i&4095 == 0 {
			if err := e.bud.Check(); err != nil {
				return qv{}, err
			}
		}
		out[i] = set[cellKey(l.col.at(i))] != negate
	}
	return boolSeries(out), nil
}

// cellKey is a hash key under which equal cells (by Python's ==, with
// missing values equal to each other) meet: 1, 1.0 and True share one.
func cellKey(v any) string {
	var b []byte
	return string(appendKey(b, v))
}

func appendKey(b []byte, v any) []byte {
	if isNAValue(v) {
		return append(b, 'n', 0)
	}
	if f, ok := pyval.AsNumber(v); ok {
		if i, isInt := v.(int64); isInt {
			return appendInt(append(b, 'i'), i)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return appendInt(append(b, 'i'), int64(f))
		}
		return appendInt(append(b, 'f'), int64(math.Float64bits(f)))
	}
	if s, ok := v.(string); ok {
		b = append(b, 's')
		b = appendInt(b, int64(len(s)))
		return append(b, s...)
	}
	s, _ := pyval.ReprLimit(v, 1<<20)
	b = append(b, 'r')
	b = appendInt(b, int64(len(s)))
	return append(b, s...)
}

func appendInt(b []byte, i int64) []byte {
	u := uint64(i)
	return append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
}

// arith applies an arithmetic operator: ints stay ints (except / and a
// division by zero, which give floats as in pandas), any float gives
// floats with missing values propagated, and + joins texts.
func (e *qeval) arith(op string, l, r qv) (qv, error) {
	if !l.series() && !r.series() {
		c, err := e.arithCols(op, scalarCol(l.lit, 1), scalarCol(r.lit, 1), 1)
		if err != nil {
			return qv{}, err
		}
		return qv{lit: c.at(0)}, nil
	}
	if err := e.checkRows(); err != nil {
		return qv{}, err
	}
	lc, rc := l.col, r.col
	if lc == nil {
		lc = scalarCol(l.lit, e.f.rows)
	}
	if rc == nil {
		rc = scalarCol(r.lit, e.f.rows)
	}
	c, err := e.arithCols(op, lc, rc, e.f.rows)
	if err != nil {
		return qv{}, err
	}
	return qv{col: c}, nil
}

// scalarCol repeats a scalar n times as a column.
func scalarCol(v any, n int) *column {
	cells := make([]any, n)
	for i := range cells {
		cells[i] = v
	}
	return newColumn("", cells)
}

func (e *qeval) arithCols(op string, l, r *column, n int) (*column, error) {
	if l.kind == kindObject || r.kind == kindObject {
		if op != "+" {
			return nil, fmt.Errorf("'%s' needs numbers on both sides", op)
		}
		out := &column{objs: make([]any, n)}
		var size int64
		for i := range out.objs {
			a, b := l.at(i), r.at(i)
			if a == nil || b == nil {
				continue
			}
			x, xok := a.(string)
			y, yok := b.(string)
			if !xok || !yok {
				return nil, fmt.Errorf("'+' is not supported between %s and %s", pyval.TypeName(a), pyval.TypeName(b))
			}
			if size += int64(len(x) + len(y)); size > e.bud.MaxValue() {
				return nil, e.bud.CheckSize(size)
			}
			out.objs[i] = x + y
		}
		return out, nil
	}
	ints := l.kind != kindFloat && r.kind != kindFloat && op != "/"
	if ints {
		out := &column{kind: kindInt, ints: make([]int64, n)}
		li, ri := intsOf(l), intsOf(r)
		for i := range out.ints {
			a, b := li[i], ri[i]
			switch op {
			case "+":
				out.ints[i] = a + b
			case "-":
				out.ints[i] = a - b
			case "*":
				out.ints[i] = a * b
			case "//", "%":
				if b == 0 {
					return e.floatArith(op, l, r, n) // pandas gives inf or NaN
				}
				q, m := a/b, a%b
				if m != 0 && (m < 0) != (b < 0) {
					q, m = q-1, m+b
				}
				if op == "//" {
					out.ints[i] = q
				} else {
					out.ints[i] = m
				}
			case "**":
				if b < 0 {
					return nil, errors.New("integers to negative integer powers are not allowed")
				}
				out.ints[i] = ipow(a, b)
			}
		}
		return out, nil
	}
	return e.floatArith(op, l, r, n)
}

func intsOf(c *column) []int64 {
	if c.kind == kindInt {
		return c.ints
	}
	out := make([]int64, len(c.bools))
	for i, b := range c.bools {
		if b {
			out[i] = 1
		}
	}
	return out
}

func ipow(a, b int64) int64 {
	r := int64(1)
	for b > 0 {
		if b&1 == 1 {
			r *= a
		}
		a *= a
		b >>= 1
	}
	return r
}

func (e *qeval) floatArith(op string, l, r *column, n int) (*column, error) {
	out := &column{kind: kindFloat, flts: make([]float64, n)}
	for i := range out.flts {
		a, b := numAt(l, i), numAt(r, i)
		switch op {
		case "+":
			out.flts[i] = a + b
		case "-":
			out.flts[i] = a - b
		case "*":
			out.flts[i] = a * b
		case "/":
			out.flts[i] = a / b
		case "//":
			out.flts[i] = math.Floor(a / b)
		case "%":
			m := math.Mod(a, b)
			if m != 0 && (m < 0) != (b < 0) {
				m += b
			}
			out.flts[i] = m
		case "**":
			out.flts[i] = math.Pow(a, b)
		}
	}
	return out, nil
}

// call runs a method on a column.
func (e *qeval) call(c qCall) (qv, error) {
	recv, err := e.eval(c.recv)
	if err != nil {
		return qv{}, err
	}
	if !recv.series() {
		return qv{}, fmt.Errorf(".%s at position %d needs a column before it", c.method, c.pos)
	}
	args := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := e.eval(a)
		if err != nil {
			return qv{}, err
		}
		if v.series() {
			return qv{}, fmt.Errorf(".%s takes values, not columns, as arguments", c.method)
		}
		args[i] = v.lit
	}
	kw := map[string]any{}
	for k, a := range c.kwargs {
		v, err := e.eval(a)
		if err != nil {
			return qv{}, err
		}
		if v.series() {
			return qv{}, fmt.Errorf(".%s takes values, not columns, as arguments", c.method)
		}
		kw[k] = v.lit
	}
	if err := e.checkRows(); err != nil {
		return qv{}, err
	}
	col := recv.col
	n := e.f.rows
	switch c.method {
	case "isna", "isnull", "notna", "notnull":
		want := c.method == "isna" || c.method == "isnull"
		out := make([]bool, n)
		for i := range out {
			out[i] = col.isNA(i) == want
		}
		return boolSeries(out), nil
	case "isin":
		return e.isin(recv, qv{lit: args[0]}, false, ".isin")
	case "between":
		inclusive := "both"
		if len(args) == 3 {
			kw["inclusive"] = args[2]
		}
		if v, ok := kw["inclusive"]; ok {
			s, _ := v.(string)
			if s != "both" && s != "neither" && s != "left" && s != "right" {
				return qv{}, errors.New(`.between: inclusive must be "both", "neither", "left" or "right"`)
			}
			inclusive = s
		}
		lo, hi := ">=", "<="
		if inclusive == "neither" || inclusive == "right" {
			lo = ">"
		}
		if inclusive == "neither" || inclusive == "left" {
			hi = "<"
		}
		a, err := e.compare(lo, recv, qv{lit: args[0]})
		if err != nil {
			return qv{}, err
		}
		b, err := e.compare(hi, recv, qv{lit: args[1]})
		if err != nil {
			return qv{}, err
		}
		return e.combine(true, a, b)
	}
	// The .str methods.
	if col.kind != kindObject {
		return qv{}, fmt.Errorf(".%s: can only use the .str accessor with text values, and %s is not text", c.method, describeSeries(recv))
	}
	na := false
	if v, ok := kw["na"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return qv{}, fmt.Errorf(".%s: na must be True or False", c.method)
		}
		na = b
	}
	switch c.method {
	case "str.contains":
		pat, ok := args[0].(string)
		if !ok {
			return qv{}, errors.New(".str.contains needs a text pattern")
		}
		caseSensitive, regex := true, true
		if v, ok := kw["case"]; ok {
			caseSensitive = pyval.Truthy(v)
		}
		if v, ok := kw["regex"]; ok {
			regex = pyval.Truthy(v)
		}
		var re *pyre.Regex
		if regex {
			if re, err = pyre.Compile(pat, pyre.Flags{IgnoreCase: !caseSensitive}); err != nil {
				return qv{}, err
			}
		} else if !caseSensitive {
			pat = pystr.Upper(pat)
		}
		out := make([]bool, n)
		for i, v := range col.objs {
			s, ok := v.(string)
			if !ok {
				out[i] = na
				continue
			}
			switch {
			case re != nil:
				loc, err := re.SearchWithin(e.bud, s)
				if err != nil {
					return qv{}, err
				}
				out[i] = loc != nil
			case caseSensitive:
				out[i] = strings.Contains(s, pat)
			default:
				out[i] = strings.Contains(pystr.Upper(s), pat)
			}
			if err := e.bud.Tick(); err != nil {
				return qv{}, err
			}
		}
		return boolSeries(out), nil
	case "str.startswith", "str.endswith":
		var prefixes []string
		switch a := args[0].(type) {
		case string:
			prefixes = []string{a}
		case []any:
			for _, x := range a {
				s, ok := x.(string)
				if !ok {
					return qv{}, fmt.Errorf(".%s needs texts", c.method)
				}
				prefixes = append(prefixes, s)
			}
		default:
			return qv{}, fmt.Errorf(".%s needs a text or a tuple of texts", c.method)
		}
		test := strings.HasPrefix
		if c.method == "str.endswith" {
			test = strings.HasSuffix
		}
		out := make([]bool, n)
		for i, v := range col.objs {
			s, ok := v.(string)
			if !ok {
				out[i] = na
				continue
			}
			for _, p := range prefixes {
				if test(s, p) {
					out[i] = true
					break
				}
			}
		}
		return boolSeries(out), nil
	case "str.len":
		cells := make([]any, n)
		for i, v := range col.objs {
			if s, ok := v.(string); ok {
				cells[i] = int64(utf8.RuneCountInString(s))
			}
		}
		return qv{col: newColumn("", cells)}, nil
	}
	// lower, upper, strip: each text changes; other cells are missing.
	out := &column{objs: make([]any, n)}
	var size int64
	for i, v := range col.objs {
		s, ok := v.(string)
		if !ok {
			continue
		}
		switch c.method {
		case "str.lower":
			s = pystr.Lower(s)
		case "str.upper":
			s = pystr.Upper(s)
		default:
			s = pystr.Strip(s)
		}
		if size += int64(len(s)); size > e.bud.MaxValue() {
			return qv{}, e.bud.CheckSize(size)
		}
		out.objs[i] = s
	}
	return qv{col: out}, nil
}
