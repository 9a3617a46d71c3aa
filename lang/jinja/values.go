package jinja

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"nodetool/lang/pyval"
)

// Values at run time are pyval values (nil, bool, int64, float64, string,
// []any, *pyval.Dict) plus the types below, which never leave the engine.

// undefined is Jinja2's Undefined: it prints as "", is false, iterates as
// empty and fails on any other use with a message saying what was missing.
type undefined struct {
	name   string // variable, attribute or key
	key    any    // non-string key, when looked up by one
	obj    any    // the container looked in
	hasObj bool
	hint   string
}

func (u *undefined) message() string {
	switch {
	case u.hint != "":
		return u.hint
	case !u.hasObj:
		return fmt.Sprintf("'%s' is undefined", u.name)
	case u.key != nil:
		return fmt.Sprintf("%s has no element %s", objectTypeRepr(u.obj), reprPlain(u.key))
	}
	return fmt.Sprintf("'%s' has no attribute '%s'", objectTypeRepr(u.obj), u.name)
}

func objectTypeRepr(v any) string {
	if v == nil {
		return "None"
	}
	return typeName(v) + " object"
}

// tuple is a Python tuple, e.g. from (a, b) or dict.items().
type tuple []any

// rangeVal is a lazy Python range.
type rangeVal struct{ start, stop, step int64 }

func (r rangeVal) length() int64 {
	if r.step > 0 && r.start < r.stop {
		return int64((uint64(r.stop-r.start)-1)/uint64(r.step)) + 1
	}
	if r.step < 0 && r.start > r.stop {
		return int64((uint64(r.start-r.stop)-1)/uint64(-r.step)) + 1
	}
	return 0
}

func (r rangeVal) at(i int64) int64 { return r.start + i*r.step }

// dictView is the result of dict.items(), .keys() or .values().
type dictView struct {
	kind  string
	items []any
}

// method is a bound method such as "abc".upper or d.items.
type method struct {
	recv any
	name string
}

// builtin is a global function: range, dict, namespace.
type builtin struct{ name string }

// namespace is Jinja2's namespace(): the one object {% set ns.x %} can
// change, so a loop can carry values out.
type namespace struct{ d *pyval.Dict }

// loopCtx is the loop variable of a for loop.
type loopCtx struct {
	index0, length int
	prev, next     any
	hasPrev        bool
	hasNext        bool
}

func typeName(v any) string {
	switch t := v.(type) {
	case *undefined:
		return "Undefined"
	case tuple:
		return "tuple"
	case rangeVal:
		return "range"
	case *dictView:
		return "dict_" + t.kind
	case *method:
		return "builtin_function_or_method"
	case *builtin:
		return "type"
	case *namespace:
		return "Namespace"
	case *loopCtx:
		return "LoopContext"
	case int:
		return "int"
	}
	return pyval.TypeName(v)
}

// norm turns Go ints into int64.
func norm(v any) any {
	if i, ok := v.(int); ok {
		return int64(i)
	}
	return v
}

// str renders v as Python's str() does; undefined renders as "".
func (r *state) str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case *undefined:
		return ""
	case nil, bool, int64, int, float64:
		return pyval.Str(t)
	}
	return r.repr(v)
}

// repr renders v as Python's repr() does.
func (r *state) repr(v any) string {
	var b strings.Builder
	r.writeRepr(&b, v, 0)
	r.newString(b.Len())
	return b.String()
}

// reprPlain is repr for scalars, used in messages, clipped to a
// readable length.
func reprPlain(v any) string {
	switch v.(type) {
	case nil, bool, int64, int, float64, string:
		return clip(pyval.Repr(v))
	}
	return typeName(v)
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

const maxValueDepth = 1000

func (r *state) writeRepr(b *strings.Builder, v any, depth int) {
	if depth > maxValueDepth {
		r.fail("value is nested too deeply to render (more than %d levels)", maxValueDepth)
	}
	r.step(4)
	if b.Len() > r.t.limits.MaxOutput {
		r.failLimit(LimitOutput, "rendered value is larger than %d bytes", r.t.limits.MaxOutput)
	}
	switch t := v.(type) {
	case nil, bool, int64, int, float64:
		b.WriteString(pyval.Repr(t))
	case string:
		r.step(len(t) / 64)
		// A quoted string can take several times its size (\x00 for
		// one byte): stop at the limit.
		q, ok := pyval.ReprLimit(t, r.t.limits.MaxOutput-b.Len())
		if !ok {
			r.failLimit(LimitOutput, "rendered value is larger than %d bytes", r.t.limits.MaxOutput)
		}
		b.WriteString(q)
	case *undefined:
		b.WriteString("Undefined")
	case []any:
		r.writeSeq(b, "[", "]", t, depth)
	case tuple:
		if len(t) == 1 {
			b.WriteByte('(')
			r.writeRepr(b, t[0], depth+1)
			b.WriteString(",)")
			return
		}
		r.writeSeq(b, "(", ")", t, depth)
	case *pyval.Dict:
		r.writeDict(b, t, depth)
	case rangeVal:
		if t.step == 1 {
			fmt.Fprintf(b, "range(%d, %d)", t.start, t.stop)
		} else {
			fmt.Fprintf(b, "range(%d, %d, %d)", t.start, t.stop, t.step)
		}
	case *dictView:
		b.WriteString("dict_" + t.kind + "(")
		r.writeSeq(b, "[", "]", t.items, depth)
		b.WriteString(")")
	case *method:
		fmt.Fprintf(b, "<built-in method %s of %s object>", t.name, typeName(t.recv))
	case *builtin:
		fmt.Fprintf(b, "<class '%s'>", t.name)
	case *namespace:
		b.WriteString("<Namespace ")
		r.writeDict(b, t.d, depth)
		b.WriteString(">")
	case *loopCtx:
		fmt.Fprintf(b, "<LoopContext %d/%d>", t.index0+1, t.length)
	default:
		fmt.Fprint(b, t)
	}
}

func (r *state) writeSeq(b *strings.Builder, open, close string, items []any, depth int) {
	b.WriteString(open)
	for i, e := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		r.writeRepr(b, e, depth+1)
	}
	b.WriteString(close)
}

func (r *state) writeDict(b *strings.Builder, d *pyval.Dict, depth int) {
	b.WriteByte('{')
	for i, k := range d.Keys() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyval.Repr(k))
		b.WriteString(": ")
		e, _ := d.Get(k)
		r.writeRepr(b, e, depth+1)
	}
	b.WriteByte('}')
}

// truthy is Python's bool().
func truthy(v any) bool {
	switch t := v.(type) {
	case *undefined:
		return false
	case tuple:
		return len(t) > 0
	case rangeVal:
		return t.length() > 0
	case *dictView:
		return len(t.items) > 0
	case *method, *builtin, *namespace, *loopCtx:
		return true
	}
	return pyval.Truthy(v)
}

// length is Python's len(); ok is false for values without a length.
func length(v any) (int, bool) {
	switch t := v.(type) {
	case string:
		return utf8.RuneCountInString(t), true
	case []any:
		return len(t), true
	case tuple:
		return len(t), true
	case *pyval.Dict:
		return t.Len(), true
	case *dictView:
		return len(t.items), true
	case rangeVal:
		return int(t.length()), true
	case *loopCtx:
		return t.length, true
	case *undefined:
		return 0, true
	}
	return 0, false
}

// iterate returns the items of an iterable value: list and tuple items,
// dict keys, string characters, range numbers (at most limit of them).
// Undefined iterates as empty. ok is false for values that are not
// iterable.
func (r *state) iterate(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case tuple:
		return t, true
	case *dictView:
		return t.items, true
	case *undefined:
		return nil, true
	case *pyval.Dict:
		r.grow(t.Len() * listItemCost)
		keys := t.Keys()
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		r.step(len(out) * 2)
		return out, true
	case string:
		// Each character becomes a string of its own: a slot and a
		// string header.
		n := utf8.RuneCountInString(t)
		r.newList(n)
		r.grow(n * listItemCost)
		r.step(len(t) * 2)
		out := make([]any, 0, n)
		for _, c := range t {
			out = append(out, string(c))
		}
		return out, true
	case rangeVal:
		n := t.length()
		if n > int64(r.t.limits.MaxItems) {
			r.failLimit(LimitItems, "range of %d numbers is larger than the limit of %d items", n, r.t.limits.MaxItems)
		}
		r.newList(int(n))
		r.step(int(n) * 2)
		out := make([]any, n)
		for i := range out {
			out[i] = t.at(int64(i))
		}
		return out, true
	}
	return nil, false
}

// mustIterate is iterate that fails like Python for non-iterables.
func (r *state) mustIterate(v any) []any {
	items, ok := r.iterate(v)
	if !ok {
		r.fail("'%s' object is not iterable", typeName(v))
	}
	r.step(len(items))
	return items
}

// isNumber reports int, float or bool (Python's numbers).
func isNumber(v any) bool {
	switch v.(type) {
	case int64, int, float64, bool:
		return true
	}
	return false
}

// asInt returns ints and bools as int64.
func asInt(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case int:
		return int64(t), true
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// equal is Python ==.
func (r *state) equal(a, b any) bool {
	r.step(1)
	r.enter()
	eq := r.equalIn(a, b)
	r.leave() // a failure ends the render: no need to leave on panics
	return eq
}

func (r *state) equalIn(a, b any) bool {
	a, b = norm(a), norm(b)
	if isNumber(a) && isNumber(b) {
		ia, aok := asInt(a)
		ib, bok := asInt(b)
		if aok && bok {
			return ia == ib
		}
		x, _ := pyval.AsNumber(a)
		y, _ := pyval.AsNumber(b)
		return x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		r.step(min(len(x), len(y)) / 64)
		return ok && x == y
	case *undefined:
		_, ok := b.(*undefined)
		return ok
	case []any:
		y, ok := b.([]any)
		return ok && r.equalSeq(x, y)
	case tuple:
		y, ok := b.(tuple)
		return ok && r.equalSeq(x, y)
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			v1, _ := x.Get(k)
			v2, ok := y.Get(k)
			if !ok || !r.equal(v1, v2) {
				return false
			}
		}
		return true
	case rangeVal:
		y, ok := b.(rangeVal)
		if !ok {
			return false
		}
		n := x.length()
		if n != y.length() {
			return false
		}
		return n == 0 || (x.start == y.start && (n == 1 || x.step == y.step))
	case *dictView:
		y, ok := b.(*dictView)
		return ok && x.kind == y.kind && x.kind != "values" && r.equalSeq(x.items, y.items)
	case *namespace:
		y, ok := b.(*namespace)
		return ok && x == y
	case *loopCtx:
		y, ok := b.(*loopCtx)
		return ok && x == y
	case *method:
		y, ok := b.(*method)
		return ok && x == y
	case *builtin:
		y, ok := b.(*builtin)
		return ok && x.name == y.name
	}
	return false
}

func (r *state) equalSeq(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !r.equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// compare orders a and b as Python's < does, failing for types Python
// cannot order.
func (r *state) compare(a, b any, op string) int {
	r.step(1)
	r.enter()
	c := r.compareIn(a, b, op)
	r.leave()
	return c
}

func (r *state) compareIn(a, b any, op string) int {
	a, b = norm(a), norm(b)
	for _, v := range []any{a, b} {
		if u, ok := v.(*undefined); ok {
			r.fail("%s", u.message())
		}
	}
	if isNumber(a) && isNumber(b) {
		ia, aok := asInt(a)
		ib, bok := asInt(b)
		if aok && bok {
			return cmp3(ia, ib)
		}
		x, _ := pyval.AsNumber(a)
		y, _ := pyval.AsNumber(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			r.step(min(len(x), len(y)) / 64)
			return strings.Compare(x, y)
		}
	case []any:
		if y, ok := b.([]any); ok {
			return r.compareSeq(x, y, op)
		}
	case tuple:
		if y, ok := b.(tuple); ok {
			return r.compareSeq(x, y, op)
		}
	}
	r.fail("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
	return 0
}

func (r *state) compareSeq(a, b []any, op string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if !r.equal(a[i], b[i]) {
			return r.compare(a[i], b[i], op)
		}
	}
	return cmp3(len(a), len(b))
}

func cmp3[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// contains is Python's "item in container".
func (r *state) contains(container, item any) bool {
	container, item = norm(container), norm(item)
	switch c := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			r.fail("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		r.step(len(c) / 16)
		return strings.Contains(c, s)
	case *pyval.Dict:
		switch k := item.(type) {
		case string:
			return c.Has(k)
		case []any, *pyval.Dict:
			r.fail("unhashable type: '%s'", typeName(item))
		}
		return false
	case rangeVal:
		n, ok := asInt(item)
		if !ok {
			if f, isF := item.(float64); isF && f == float64(int64(f)) {
				n, ok = int64(f), true
			}
		}
		if !ok {
			return false
		}
		if c.step > 0 && (n < c.start || n >= c.stop) || c.step < 0 && (n > c.start || n <= c.stop) {
			return false
		}
		return (n-c.start)%c.step == 0
	case *undefined:
		return false
	}
	items, ok := r.iterate(container)
	if !ok {
		r.fail("argument of type '%s' is not iterable", typeName(container))
	}
	for _, e := range items {
		if r.equal(e, item) {
			return true
		}
	}
	return false
}
