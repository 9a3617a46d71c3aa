package jinja

import "nodetool/lang/pyval"

// testDef is a Jinja2 test ("x is defined"): a predicate with a fixed
// number of arguments.
type testDef struct {
	nargs int
	fn    func(r *state, v any, args []any) bool
}

// tests is the test table; like filters it is filled once by init.
var tests map[string]*testDef

func init() {
	is := func(f func(v any) bool) *testDef {
		return &testDef{0, func(r *state, v any, _ []any) bool { return f(v) }}
	}
	rel := func(f func(r *state, a, b any) bool) *testDef {
		return &testDef{1, func(r *state, v any, args []any) bool { return f(r, v, norm(args[0])) }}
	}
	eq := rel(func(r *state, a, b any) bool { return r.equal(a, b) })
	ne := rel(func(r *state, a, b any) bool { return !r.equal(a, b) })
	lt := rel(func(r *state, a, b any) bool { return r.compare(a, b, "<") < 0 })
	le := rel(func(r *state, a, b any) bool { return r.compare(a, b, "<=") <= 0 })
	gt := rel(func(r *state, a, b any) bool { return r.compare(a, b, ">") > 0 })
	ge := rel(func(r *state, a, b any) bool { return r.compare(a, b, ">=") >= 0 })
	tests = map[string]*testDef{
		"defined":   is(func(v any) bool { _, u := v.(*undefined); return !u }),
		"undefined": is(func(v any) bool { _, u := v.(*undefined); return u }),
		"none":      is(func(v any) bool { return v == nil }),
		"number":    is(isNumber),
		"string":    is(func(v any) bool { _, ok := v.(string); return ok }),
		"boolean":   is(func(v any) bool { _, ok := v.(bool); return ok }),
		"true":      is(func(v any) bool { return v == true }),
		"false":     is(func(v any) bool { return v == false }),
		"integer":   is(func(v any) bool { _, ok := v.(int64); return ok }),
		"float":     is(func(v any) bool { _, ok := v.(float64); return ok }),
		"mapping":   is(func(v any) bool { _, ok := v.(*pyval.Dict); return ok }),
		"sequence": is(func(v any) bool {
			switch v.(type) {
			case string, []any, tuple, *pyval.Dict, rangeVal:
				return true
			}
			return false
		}),
		"iterable": is(func(v any) bool {
			switch v.(type) {
			case string, []any, tuple, *pyval.Dict, rangeVal, *dictView, *undefined:
				return true
			}
			return false
		}),
		"callable": is(func(v any) bool {
			switch v.(type) {
			case *method, *builtin:
				return true
			}
			return false
		}),
		"escaped": is(func(v any) bool { return false }),
		"lower":   {0, func(r *state, v any, _ []any) bool { return r.strMethod(r.str(v), "islower", nil).(bool) }},
		"upper":   {0, func(r *state, v any, _ []any) bool { return r.strMethod(r.str(v), "isupper", nil).(bool) }},
		"odd": {0, func(r *state, v any, _ []any) bool {
			return r.equal(r.arith("%", v, int64(2)), int64(1))
		}},
		"even": {0, func(r *state, v any, _ []any) bool {
			return r.equal(r.arith("%", v, int64(2)), int64(0))
		}},
		"divisibleby": rel(func(r *state, a, b any) bool { return r.equal(r.arith("%", a, b), int64(0)) }),
		"in":          rel(func(r *state, a, b any) bool { return r.contains(b, a) }),
		"sameas": rel(func(r *state, a, b any) bool {
			switch a.(type) {
			case nil, bool, int64, float64, string:
				return a == b
			}
			return r.equal(a, b) && sameRef(a, b)
		}),
		"filter": is(func(v any) bool { s, ok := v.(string); return ok && filters[s] != nil }),
		"test":   is(func(v any) bool { s, ok := v.(string); return ok && tests[s] != nil }),
		"eq":     eq, "equalto": eq, "ne": ne,
		"lt": lt, "lessthan": lt, "le": le,
		"gt": gt, "greaterthan": gt, "ge": ge,
	}
}

// sameRef reports whether two containers are the same object.
func sameRef(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case *pyval.Dict:
		return a == b
	}
	return false
}
