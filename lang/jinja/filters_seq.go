package jinja

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/lang/pyval"
)

// Filters over sequences and structured values.

// multiGetter is Jinja2's make_multi_attrgetter: comma-separated paths
// give a list of keys per item.
func (r *state) multiGetter(attr any, lower bool) func(any) any {
	s, ok := attr.(string)
	if !ok || !strings.Contains(s, ",") {
		return r.attrGetter(attr, lower, nil)
	}
	var getters []func(any) any
	for _, p := range strings.Split(s, ",") {
		getters = append(getters, r.attrGetter(p, lower, nil))
	}
	return func(item any) any {
		keys := make([]any, len(getters))
		for i, g := range getters {
			keys[i] = g(item)
		}
		return keys
	}
}

// sortItems is Python's sorted(items, key=key, reverse=reverse): stable,
// and equal items keep their order even when reversed.
func (r *state) sortItems(items []any, key func(any) any, reverse bool) []any {
	r.grow(len(items) * 3 * listItemCost) // keys, indexes and the result
	keys := make([]any, len(items))
	for i, it := range items {
		keys[i] = key(it)
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	r.step(len(items) * (4 + bits.Len(uint(len(items)))))
	slices.SortStableFunc(idx, func(i, j int) int {
		c := r.compare(keys[i], keys[j], "<")
		if reverse {
			return -c
		}
		return c
	})
	out := make([]any, len(items))
	for i, k := range idx {
		out[i] = items[k]
	}
	return out
}

func fSort(r *state, v any, a *args) any {
	items := r.mustIterate(v)
	key := r.multiGetter(a.get(2, nil), !truthy(a.get(1, false)))
	return r.sortItems(items, key, truthy(a.get(0, false)))
}

func fToJSON(r *state, v any, a *args) any {
	indent := -1
	if iv := a.get(0, nil); iv != nil {
		n := r.intArg(a, 0, 0, "indent")
		indent = int(max(min(n, 1000), 0))
	}
	budget := r.t.limits.MaxOutput
	jv := r.toJSON(v, 0, indent, &budget)
	r.grow(r.t.limits.MaxOutput - budget)
	s := pyval.Dumps(jv, pyval.DumpOptions{Indent: indent, EnsureASCII: true, SortKeys: true})
	return jsonHTMLEscaper.Replace(s)
}

var jsonHTMLEscaper = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`)

// toJSON converts a value for json.dumps, failing like Python for values
// JSON cannot hold. It charges budget with the bytes the JSON text will
// take (at least: numbers count as a few bytes), so that a value whose
// text would be larger than MaxOutput fails before the text is built.
func (r *state) toJSON(v any, depth, indent int, budget *int) any {
	if depth > maxValueDepth {
		r.failLimit(LimitDepth, "value is nested too deeply to convert to JSON")
	}
	r.step(4)
	charge := func(n int) {
		*budget -= n
		if *budget < 0 || n < 0 {
			r.failLimit(LimitOutput, "JSON text would be larger than %d bytes", r.t.limits.MaxOutput)
		}
	}
	// An item costs its separator, and its indentation when indenting.
	charge(2)
	if indent > 0 {
		charge(indent*depth + 1)
	}
	switch t := norm(v).(type) {
	case nil, bool:
		charge(5)
		return t
	case int64:
		charge(len(strconv.FormatInt(t, 10)))
		return t
	case float64:
		charge(24) // the longest repr of a float
		return t
	case string:
		r.step(len(t) / 16)
		charge(jsonQuotedLen(t))
		return t
	case []any:
		return r.toJSONList(t, depth, indent, budget)
	case tuple:
		return r.toJSONList(t, depth, indent, budget)
	case *dictView:
		return r.toJSONList(t.items, depth, indent, budget)
	case *pyval.Dict:
		d := pyval.NewDict(t.Len())
		t.Range(func(k string, e any) bool {
			charge(jsonQuotedLen(k) + 2)
			d.Set(k, r.toJSON(e, depth+1, indent, budget))
			return true
		})
		return d
	}
	r.fail("Object of type %s is not JSON serializable", typeName(v))
	return nil
}

// jsonQuotedLen is the length of s as tojson writes it: quoted, with
// ensure_ascii escapes and <, >, &, ' escaped for HTML.
func jsonQuotedLen(s string) int {
	n := 2
	for _, c := range s {
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			n += 2
		case c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || (c >= 0x7f && c < 0x10000):
			n += 6
		case c >= 0x10000:
			n += 12
		default:
			n++
		}
	}
	return n
}

func (r *state) toJSONList(items []any, depth, indent int, budget *int) []any {
	out := make([]any, len(items))
	for i, e := range items {
		out[i] = r.toJSON(e, depth+1, indent, budget)
	}
	return out
}

func fAbs(r *state, v any, a *args) any {
	switch t := v.(type) {
	case int64, bool:
		n, _ := asInt(t)
		if n == math.MinInt64 {
			r.overflow("abs")
		}
		return abs64(n)
	case float64:
		return math.Abs(t)
	case *undefined:
		r.fail("%s", t.message())
	}
	r.fail("bad operand type for abs(): '%s'", typeName(v))
	return nil
}

func fList(r *state, v any, a *args) any {
	items := r.mustIterate(v)
	r.grow(len(items) * listItemCost)
	return slices.Clone(items)
}

// hashKey gives values that Python considers equal the same key, and
// fails for unhashable values.
func (r *state) hashKey(v any) string {
	r.step(1)
	switch t := norm(v).(type) {
	case nil:
		return "n"
	case bool, int64, float64:
		f, _ := toFloat(t)
		if i, ok := asInt(t); ok {
			return "i" + strconv.FormatInt(i, 10)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1e18 {
			return "i" + strconv.FormatInt(int64(f), 10)
		}
		return "f" + strconv.FormatFloat(f, 'g', -1, 64)
	case string:
		r.step(len(t) / 64)
		return "s" + t
	case tuple:
		r.enter()
		defer r.leave()
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = r.hashKey(e)
		}
		return "t(" + strings.Join(parts, "\x00") + ")"
	case *undefined:
		return "u"
	}
	r.fail("unhashable type: '%s'", typeName(v))
	return ""
}

func fUnique(r *state, v any, a *args) any {
	items := r.mustIterate(v)
	key := r.attrGetter(a.get(1, nil), !truthy(a.get(0, false)), nil)
	seen := map[string]bool{}
	out := []any{}
	r.step(len(items) * 16)
	r.grow(len(items) * listItemCost)
	for _, it := range items {
		k := r.hashKey(key(it))
		if !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

func fReverse(r *state, v any, a *args) any {
	if s, ok := v.(string); ok {
		r.step(len(s) / 16)
		r.newString(len(s))
		rs := []rune(s)
		slices.Reverse(rs)
		return string(rs)
	}
	items, ok := r.iterate(v)
	if !ok {
		r.fail("argument must be iterable")
	}
	r.grow(len(items) * listItemCost)
	out := slices.Clone(items)
	slices.Reverse(out)
	return out
}

func fWordcount(r *state, v any, a *args) any {
	n := 0
	in := false
	s := r.str(v)
	r.step(len(s) / 4)
	for _, c := range s {
		w := c == '_' || unicode.IsLetter(c) || unicode.IsNumber(c)
		if w && !in {
			n++
		}
		in = w
	}
	return int64(n)
}

// fCenter is Python's str.center.
func fCenter(r *state, v any, a *args) any {
	s := r.str(v)
	r.step(len(s) / 16)
	width := r.intArg(a, 0, 80, "width")
	n := int64(utf8.RuneCountInString(s))
	if width <= n {
		return s
	}
	r.newString(int(min(width-n, math.MaxInt32)) + len(s))
	marg := width - n
	left := marg/2 + (marg & width & 1)
	return strings.Repeat(" ", int(left)) + s + strings.Repeat(" ", int(marg-left))
}

func fSum(r *state, v any, a *args) any {
	items := r.mustIterate(v)
	if a.has(0) && a.get(0, nil) != nil {
		get := r.attrGetter(a.get(0, nil), false, nil)
		mapped := make([]any, len(items))
		for i, it := range items {
			mapped[i] = get(it)
		}
		items = mapped
	}
	total := a.get(1, int64(0))
	if _, ok := total.(string); ok {
		r.fail("sum() can't sum strings [use ''.join(seq) instead]")
	}
	r.step(len(items) * 4)
	for _, it := range items {
		total = r.arith("+", total, it)
	}
	return total
}

func (r *state) minMax(v any, a *args, sign int) any {
	items := r.mustIterate(v)
	if len(items) == 0 {
		return &undefined{hint: "No aggregated item, sequence was empty."}
	}
	key := r.attrGetter(a.get(1, nil), !truthy(a.get(0, false)), nil)
	best, bestKey := items[0], key(items[0])
	for _, it := range items[1:] {
		k := key(it)
		if r.compare(k, bestKey, "<")*sign > 0 {
			best, bestKey = it, k
		}
	}
	return norm(best)
}

func fItems(r *state, v any, a *args) any {
	switch t := v.(type) {
	case *undefined:
		return []any{}
	case *pyval.Dict:
		r.grow(t.Len() * 4 * listItemCost) // a slot and a pair per item
		r.step(t.Len() * 4)
		return dictItems(t)
	}
	r.fail("Can only get item pairs from a mapping.")
	return nil
}

// fMap is Jinja2's map: map(attribute=path[, default=x]) or
// map(filter_name, *args, **kwargs).
func fMap(r *state, v any, a *args) any {
	items := r.mustIterate(v)
	var fn func(any) any
	if attr, ok := a.kwarg("attribute"); ok && len(a.pos) == 0 {
		def, _ := a.kwarg("default")
		for _, k := range a.kwNames {
			if k != "attribute" && k != "default" {
				r.fail("unexpected keyword argument '%s'", k)
			}
		}
		fn = r.attrGetter(norm(attr), false, def)
	} else {
		if len(a.pos) == 0 {
			r.fail("map requires a filter argument")
		}
		name, ok := a.pos[0].(string)
		f := filters[name]
		if !ok || f == nil {
			r.fail("no filter named %s", reprPlain(a.pos[0]))
		}
		sub := &args{pos: a.pos[1:], kwNames: a.kwNames, kwVals: a.kwVals}
		var kws []kwarg
		for _, k := range a.kwNames {
			kws = append(kws, kwarg{name: k})
		}
		if msg := f.sig.check(len(sub.pos), kws); msg != "" {
			r.fail("filter '%s' %s", name, msg)
		}
		sub.bind(f.sig)
		fn = func(it any) any { return f.fn(r, norm(it), sub) }
	}
	r.grow(len(items) * listItemCost)
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = fn(it)
	}
	return out
}

// selectRejectAttr is selectattr/rejectattr: the test applies to an
// attribute of each item.
func (r *state) selectRejectAttr(v any, a *args, keep bool) any {
	if len(a.pos) == 0 {
		r.fail("missing parameter for attribute name")
	}
	get := r.attrGetter(norm(a.pos[0]), false, nil)
	test := r.testFunc(&args{pos: a.pos[1:], kwNames: a.kwNames, kwVals: a.kwVals})
	out := []any{}
	items := r.mustIterate(v)
	r.grow(len(items) * listItemCost)
	for _, it := range items {
		if test(get(it)) == keep {
			out = append(out, it)
		}
	}
	return out
}

func (r *state) selectReject(v any, a *args, keep bool) any {
	test := r.testFunc(a)
	out := []any{}
	items := r.mustIterate(v)
	r.grow(len(items) * listItemCost)
	for _, it := range items {
		if test(it) == keep {
			out = append(out, it)
		}
	}
	return out
}

// testFunc builds the predicate of select and friends: a test name with
// its arguments, or truthiness when no test is named.
func (r *state) testFunc(a *args) func(any) bool {
	test := truthy
	if len(a.pos) > 0 {
		name, ok := a.pos[0].(string)
		t := tests[name]
		if !ok || t == nil {
			r.fail("no test named %s", reprPlain(a.pos[0]))
		}
		if len(a.kwNames) > 0 {
			r.fail("test '%s' takes no keyword arguments", name)
		}
		targs := a.pos[1:]
		if len(targs) != t.nargs {
			r.fail("test '%s' takes %s", name, plural(t.nargs, "argument"))
		}
		test = func(x any) bool { return t.fn(r, norm(x), targs) }
	}
	return test
}
