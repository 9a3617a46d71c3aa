package jinja

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// signature describes the parameters of a filter or method: params in
// order, the first required of them mandatory. A variadic signature takes
// any arguments and leaves them in args.pos and args.kw.
type signature struct {
	params   []string
	required int
	variadic bool
}

func sig(required int, params ...string) signature {
	return signature{params: params, required: required}
}

// check validates an argument list against the signature and returns a
// message, or "" when it fits.
func (s signature) check(npos int, kwargs []kwarg) string {
	if s.variadic {
		return ""
	}
	if npos > len(s.params) {
		return fmt.Sprintf("takes at most %s (%d given)", plural(len(s.params), "argument"), npos)
	}
	filled := make([]bool, len(s.params))
	for i := range npos {
		filled[i] = true
	}
	for _, k := range kwargs {
		i := indexOf(s.params, k.name)
		if i < 0 {
			return fmt.Sprintf("got an unexpected keyword argument '%s'", k.name)
		}
		if filled[i] {
			return fmt.Sprintf("got multiple values for argument '%s'", k.name)
		}
		filled[i] = true
	}
	for i := range s.required {
		if !filled[i] {
			return fmt.Sprintf("is missing the required argument '%s'", s.params[i])
		}
	}
	return ""
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// args are the evaluated arguments of a call, bound to a signature.
type args struct {
	pos     []any
	kwNames []string
	kwVals  []any
	vals    []any
	set     []bool
}

// kwarg returns the keyword argument called name.
func (a *args) kwarg(name string) (any, bool) {
	for i, k := range a.kwNames {
		if k == name {
			return a.kwVals[i], true
		}
	}
	return nil, false
}

func (a *args) bind(s signature) {
	if s.variadic {
		return
	}
	a.vals = make([]any, len(s.params))
	a.set = make([]bool, len(s.params))
	for i, v := range a.pos {
		a.vals[i], a.set[i] = norm(v), true
	}
	for j, k := range a.kwNames {
		if i := indexOf(s.params, k); i >= 0 {
			a.vals[i], a.set[i] = norm(a.kwVals[j]), true
		}
	}
}

func (a *args) has(i int) bool { return a.set[i] }

// get returns argument i, or def when it was not given.
func (a *args) get(i int, def any) any {
	if a.set[i] {
		return a.vals[i]
	}
	return def
}

// intArg returns argument i as an int (bools count), or def.
func (r *state) intArg(a *args, i int, def int64, name string) int64 {
	v := a.get(i, def)
	if n, ok := asInt(v); ok {
		return n
	}
	if u, ok := v.(*undefined); ok {
		r.fail("%s", u.message())
	}
	r.fail("'%s' object cannot be interpreted as an integer (argument '%s')", typeName(v), name)
	return 0
}

var methodSigs = map[string]signature{
	"items": sig(0), "keys": sig(0), "values": sig(0), "get": sig(1, "key", "default"),
	"upper": sig(0), "lower": sig(0), "title": sig(0), "capitalize": sig(0),
	"strip": sig(0, "chars"), "lstrip": sig(0, "chars"), "rstrip": sig(0, "chars"),
	"split": sig(0, "sep", "maxsplit"), "replace": sig(2, "old", "new", "count"),
	"startswith": sig(1, "prefix"), "endswith": sig(1, "suffix"), "join": sig(1, "iterable"),
	"count": sig(1, "sub"), "find": sig(1, "sub"), "isdigit": sig(0), "isalpha": sig(0),
	"isupper": sig(0), "islower": sig(0), "splitlines": sig(0),
}

// call calls a method or built-in function.
func (r *state) call(fn any, a *args, kwexprs []kwarg) any {
	pos := a.pos
	switch f := fn.(type) {
	case *method:
		if l, ok := f.recv.(*loopCtx); ok {
			if len(a.kwNames) > 0 {
				r.fail("loop.cycle() takes no keyword arguments")
			}
			if len(pos) == 0 {
				r.fail("no items for cycling given")
			}
			return pos[l.index0%len(pos)]
		}
		s := methodSigs[f.name]
		if msg := s.check(len(pos), kwexprs); msg != "" {
			r.fail("%s() %s", f.name, msg)
		}
		a.bind(s)
		if d, ok := f.recv.(*pyval.Dict); ok {
			return r.dictMethod(d, f.name, a)
		}
		return r.strMethod(f.recv.(string), f.name, a)
	case *builtin:
		return r.callBuiltin(f.name, a)
	case *undefined:
		r.fail("%s", f.message())
	}
	r.fail("'%s' object is not callable", typeName(fn))
	return nil
}

func (r *state) dictMethod(d *pyval.Dict, name string, a *args) any {
	if name != "get" {
		r.grow(d.Len() * listItemCost)
		r.step(d.Len() * 4)
	}
	keys := d.Keys()
	switch name {
	case "get":
		k, ok := a.get(0, nil).(string)
		if ok {
			if v, ok := d.Get(k); ok {
				return norm(v)
			}
		}
		return a.get(1, nil)
	case "keys":
		items := make([]any, len(keys))
		for i, k := range keys {
			items[i] = k
		}
		return &dictView{"keys", items}
	case "values":
		items := make([]any, len(keys))
		for i, k := range keys {
			items[i], _ = d.Get(k)
		}
		return &dictView{"values", items}
	}
	return &dictView{"items", dictItems(d)}
}

func dictItems(d *pyval.Dict) []any {
	keys := d.Keys()
	items := make([]any, len(keys))
	for i, k := range keys {
		v, _ := d.Get(k)
		items[i] = tuple{k, norm(v)}
	}
	return items
}

func (r *state) strArg(a *args, i int, name, method string) string {
	v := a.get(i, nil)
	s, ok := v.(string)
	if !ok {
		r.fail("%s() argument '%s' must be str, not %s", method, name, typeName(v))
	}
	return s
}

func (r *state) strMethod(s, name string, a *args) any {
	r.step(len(s) / 16)
	switch name {
	case "upper", "lower", "title", "capitalize":
		r.step(len(s) / 2)
	}
	switch name {
	case "upper":
		return r.built(pystr.Upper(s))
	case "lower":
		return r.built(pystr.Lower(s))
	case "title":
		return r.built(pystr.Title(s))
	case "capitalize":
		return r.built(pystr.Capitalize(s))
	case "strip", "lstrip", "rstrip":
		return r.strip(s, name, a.get(0, nil))
	case "split":
		sep := a.get(0, nil)
		max := r.intArg(a, 1, -1, "maxsplit")
		if sep == nil {
			parts := r.splitSpace(s, max)
			r.step(len(parts) * 8)
			return parts
		}
		sp, ok := sep.(string)
		if !ok {
			r.fail("must be str or None, not %s", typeName(sep))
		}
		if sp == "" {
			r.fail("empty separator")
		}
		n := strings.Count(s, sp) + 1
		if max >= 0 && max+1 < int64(n) {
			n = int(max) + 1
		}
		r.newList(n)
		r.grow(n * listItemCost) // the parts' string headers
		parts := strings.SplitN(s, sp, n)
		r.step(len(parts) * 8)
		return strsToList(parts)
	case "replace":
		return r.replace(s, r.strArg(a, 0, "old", name), r.strArg(a, 1, "new", name), r.intArg(a, 2, -1, "count"))
	case "startswith", "endswith":
		test := strings.HasPrefix
		if name == "endswith" {
			test = strings.HasSuffix
		}
		switch p := a.get(0, nil).(type) {
		case string:
			return test(s, p)
		case tuple:
			for _, e := range p {
				es, ok := e.(string)
				if !ok {
					r.fail("tuple for %s must only contain str, not %s", name, typeName(e))
				}
				if test(s, es) {
					return true
				}
			}
			return false
		default:
			r.fail("%s first arg must be str or a tuple of str, not %s", name, typeName(p))
		}
	case "join":
		items := r.mustIterate(a.get(0, nil))
		parts := make([]string, len(items))
		total := 0
		for i, e := range items {
			es, ok := e.(string)
			if !ok {
				r.fail("sequence item %d: expected str instance, %s found", i, typeName(e))
			}
			parts[i] = es
			total += len(es) + len(s)
			r.checkSize(total)
		}
		r.grow(total)
		return strings.Join(parts, s)
	case "count":
		sub := r.strArg(a, 0, "sub", name)
		if sub == "" {
			return int64(utf8.RuneCountInString(s) + 1)
		}
		return int64(strings.Count(s, sub))
	case "find":
		sub := r.strArg(a, 0, "sub", name)
		i := strings.Index(s, sub)
		if i < 0 {
			return int64(-1)
		}
		return int64(utf8.RuneCountInString(s[:i]))
	case "isdigit":
		return s != "" && strings.IndexFunc(s, func(c rune) bool { return !unicode.IsDigit(c) }) < 0
	case "isalpha":
		return s != "" && strings.IndexFunc(s, func(c rune) bool { return !unicode.IsLetter(c) }) < 0
	case "isupper", "islower":
		cased := false
		for _, c := range s {
			if unicode.IsUpper(c) || unicode.IsTitle(c) {
				if name == "islower" {
					return false
				}
				cased = true
			} else if unicode.IsLower(c) {
				if name == "isupper" {
					return false
				}
				cased = true
			}
		}
		return cased
	case "splitlines":
		parts := r.splitLines(s)
		r.step(len(parts) * 8)
		return strsToList(parts)
	}
	r.fail("unknown method %s", name)
	return nil
}

func strsToList(parts []string) []any {
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func (r *state) strip(s, name string, chars any) string {
	var cut func(rune) bool
	switch c := chars.(type) {
	case nil:
		cut = isSpace
	case string:
		cut = func(x rune) bool { return strings.ContainsRune(c, x) }
		if len(c) > 32 {
			// A long set of characters: look each one up in a map, so
			// stripping stays linear.
			r.step(len(c) / 4)
			set := map[rune]bool{}
			for _, x := range c {
				set[x] = true
			}
			cut = func(x rune) bool { return set[x] }
		}
	case *undefined:
		r.fail("%s", c.message())
	default:
		r.fail("%s arg must be None or str", name)
	}
	switch name {
	case "lstrip":
		return strings.TrimLeftFunc(s, cut)
	case "rstrip":
		return strings.TrimRightFunc(s, cut)
	}
	return strings.TrimFunc(s, cut)
}

// replace is Python's str.replace with a size check; count < 0 means all.
// The size of the result is computed before it is built.
func (r *state) replace(s, old, new string, count int64) string {
	r.step(len(s) / 16)
	n := int64(strings.Count(s, old))
	if count >= 0 && count < n {
		n = count
	}
	size := int64(-1)
	if d := int64(len(new) - len(old)); d <= 0 || n <= (math.MaxInt32-int64(len(s)))/d {
		size = int64(len(s)) + n*d
	}
	r.newString(int(size))
	r.step(int(size) / 16)
	return strings.Replace(s, old, new, int(n))
}

// built charges a string that was built by a function whose result is at
// most a small constant times its input (case mapping), and returns it.
func (r *state) built(s string) string {
	r.newString(len(s))
	return s
}

// splitSpace is Python's str.split() without a separator, checking the
// number of parts as it goes.
func (r *state) splitSpace(s string, maxsplit int64) []any {
	out := []any{}
	rest := strings.TrimLeftFunc(s, isSpace)
	for rest != "" {
		r.checkItems(len(out) + 1)
		r.grow(2 * listItemCost)
		if maxsplit >= 0 && int64(len(out)) == maxsplit {
			out = append(out, rest)
			break
		}
		i := strings.IndexFunc(rest, isSpace)
		if i < 0 {
			out = append(out, rest)
			break
		}
		out = append(out, rest[:i])
		rest = strings.TrimLeftFunc(rest[i:], isSpace)
	}
	return out
}

func isLineBreak(c rune) bool {
	switch c {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// splitLines is Python's str.splitlines() without keepends, checking the
// number of lines as it goes.
func (r *state) splitLines(s string) []string {
	var out []string
	start := 0
	for i, c := range s {
		if i < start || !isLineBreak(c) {
			continue
		}
		r.checkItems(len(out) + 2)
		r.grow(2 * listItemCost)
		out = append(out, s[start:i])
		start = i + len(string(c))
		if c == '\r' && start < len(s) && s[start] == '\n' {
			start++
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func (r *state) callBuiltin(name string, a *args) any {
	switch name {
	case "range":
		if len(a.kwNames) > 0 {
			r.fail("range() takes no keyword arguments")
		}
		if len(a.pos) < 1 || len(a.pos) > 3 {
			r.fail("range expected 1 to 3 arguments, got %d", len(a.pos))
		}
		n := make([]int64, len(a.pos))
		for i, v := range a.pos {
			x, ok := asInt(norm(v))
			if !ok {
				if u, isU := v.(*undefined); isU {
					r.fail("%s", u.message())
				}
				r.fail("'%s' object cannot be interpreted as an integer", typeName(v))
			}
			n[i] = x
		}
		rv := rangeVal{0, 0, 1}
		switch len(n) {
		case 1:
			rv.stop = n[0]
		case 2:
			rv.start, rv.stop = n[0], n[1]
		case 3:
			rv.start, rv.stop, rv.step = n[0], n[1], n[2]
			if rv.step == 0 {
				r.fail("range() arg 3 must not be zero")
			}
		}
		if rv.step > 0 && rv.start < rv.stop && uint64(rv.stop-rv.start) > math.MaxInt64/2 ||
			rv.step < 0 && rv.start > rv.stop && uint64(rv.start-rv.stop) > math.MaxInt64/2 {
			r.fail("range is too large")
		}
		return rv
	case "dict", "namespace":
		d := pyval.NewDict(len(a.kwNames))
		if len(a.pos) > 1 {
			r.fail("%s expected at most 1 positional argument, got %d", name, len(a.pos))
		}
		if len(a.pos) == 1 {
			if n, ok := length(a.pos[0]); ok {
				r.step(n)
			}
			switch src := norm(a.pos[0]).(type) {
			case *pyval.Dict:
				src.Range(func(k string, v any) bool { d.Set(k, v); return true })
			case *namespace:
				src.d.Range(func(k string, v any) bool { d.Set(k, v); return true })
			default:
				for _, item := range r.mustIterate(src) {
					pair, ok := r.iterate(item)
					if !ok || len(pair) != 2 {
						r.fail("%s() needs a mapping or a sequence of key, value pairs", name)
					}
					k, ok := pair[0].(string)
					if !ok {
						r.fail("dict keys must be strings, got %s", typeName(pair[0]))
					}
					d.Set(k, pair[1])
				}
			}
		}
		for i, k := range a.kwNames {
			d.Set(k, a.kwVals[i])
		}
		if name == "namespace" {
			return &namespace{d}
		}
		return d
	}
	r.fail("'%s' is not callable", name)
	return nil
}
