package jinja

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"nodetool/lang/pyval"
)

// Attribute, item and slice access with Jinja2's lookup rules.

var dictMethods = map[string]bool{"items": true, "keys": true, "values": true, "get": true}

var strMethods = map[string]bool{
	"upper": true, "lower": true, "strip": true, "lstrip": true, "rstrip": true,
	"split": true, "replace": true, "startswith": true, "endswith": true,
	"title": true, "capitalize": true, "join": true, "count": true, "find": true,
	"isdigit": true, "isalpha": true, "isupper": true, "islower": true, "splitlines": true,
}

// getattr is Jinja2's obj.name: an attribute (such as a method) first,
// then an item.
func (r *state) getattr(obj any, name string) any {
	obj = norm(obj)
	switch o := obj.(type) {
	case *undefined:
		r.fail("%s", o.message())
	case *pyval.Dict:
		if dictMethods[name] {
			return &method{o, name}
		}
		if v, ok := o.Get(name); ok {
			return norm(v)
		}
	case string:
		if strMethods[name] {
			return &method{o, name}
		}
	case *namespace:
		if v, ok := o.d.Get(name); ok {
			return v
		}
	case *loopCtx:
		if v, ok := r.loopAttr(o, name); ok {
			return v
		}
	}
	return &undefined{name: name, obj: obj, hasObj: true}
}

func (r *state) loopAttr(l *loopCtx, name string) (any, bool) {
	switch name {
	case "index":
		return int64(l.index0 + 1), true
	case "index0":
		return int64(l.index0), true
	case "revindex":
		return int64(l.length - l.index0), true
	case "revindex0":
		return int64(l.length - l.index0 - 1), true
	case "first":
		return l.index0 == 0, true
	case "last":
		return l.index0 == l.length-1, true
	case "length":
		return int64(l.length), true
	case "depth":
		return int64(1), true
	case "depth0":
		return int64(0), true
	case "previtem":
		if l.hasPrev {
			return l.prev, true
		}
		return &undefined{hint: "there is no previous item"}, true
	case "nextitem":
		if l.hasNext {
			return l.next, true
		}
		return &undefined{hint: "there is no next item"}, true
	case "cycle":
		return &method{l, "cycle"}, true
	}
	return nil, false
}

// getitem is Jinja2's obj[key]: an item first, then (for string keys) an
// attribute; anything missing is undefined.
func (r *state) getitem(obj, key any) any {
	obj, key = norm(obj), norm(key)
	if u, ok := obj.(*undefined); ok {
		r.fail("%s", u.message())
	}
	switch o := obj.(type) {
	case *pyval.Dict:
		if k, ok := key.(string); ok {
			if v, ok := o.Get(k); ok {
				return norm(v)
			}
		} else if _, bad := key.([]any); bad {
			r.fail("unhashable type: 'list'")
		}
	case []any, tuple, string, *dictView, rangeVal:
		if i, ok := asInt(key); ok {
			if v, ok := r.index(obj, i); ok {
				return v
			}
			return &undefined{key: key, obj: obj, hasObj: true}
		}
	}
	if k, ok := key.(string); ok {
		return r.getattr(obj, k)
	}
	if key == nil {
		return &undefined{key: key, obj: obj, hasObj: true, hint: fmt.Sprintf("%s has no element None", objectTypeRepr(obj))}
	}
	return &undefined{key: key, obj: obj, hasObj: true}
}

// index returns obj[i] for a sequence, counting negative i from the end.
func (r *state) index(obj any, i int64) (any, bool) {
	switch o := obj.(type) {
	case []any:
		return pick(o, i)
	case tuple:
		return pick(o, i)
	case *dictView:
		return nil, false // views are not subscriptable
	case rangeVal:
		n := o.length()
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, false
		}
		return o.at(i), true
	case string:
		return r.runeAt(o, i)
	}
	return nil, false
}

// runeAt is s[i] in characters, walking from the nearer end.
func (r *state) runeAt(s string, i int64) (any, bool) {
	if i >= 0 {
		r.step(int(min(i, int64(len(s)))) / 4)
		for p := 0; p < len(s); i-- {
			c, size := utf8.DecodeRuneInString(s[p:])
			if i == 0 {
				return string(c), true
			}
			p += size
		}
		return nil, false
	}
	r.step(int(min(-i, int64(len(s)))) / 4)
	for p := len(s); p > 0; i++ {
		c, size := utf8.DecodeLastRuneInString(s[:p])
		if i == -1 {
			return string(c), true
		}
		p -= size
	}
	return nil, false
}

func pick(s []any, i int64) (any, bool) {
	n := int64(len(s))
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, false
	}
	return norm(s[i]), true
}

// sliceIndices is Python's slice.indices(n) for optional bounds.
func sliceIndices(n int64, lo, hi, step *int64) (start, stop, st int64) {
	st = 1
	if step != nil {
		st = *step
	}
	clamp := func(v *int64, def, lower, upper int64) int64 {
		if v == nil {
			return def
		}
		x := *v
		if x < 0 {
			x += n
			if x < lower {
				x = lower
			}
		} else if x > upper {
			x = upper
		}
		return x
	}
	if st > 0 {
		start = clamp(lo, 0, 0, n)
		stop = clamp(hi, n, 0, n)
	} else {
		start = clamp(lo, n-1, -1, n-1)
		stop = clamp(hi, -1, -1, n-1)
	}
	return start, stop, st
}

func sliceCount(start, stop, step int64) int64 {
	if step > 0 && start < stop {
		return (stop-start-1)/step + 1
	}
	if step < 0 && start > stop {
		return (start-stop-1)/(-step) + 1
	}
	return 0
}

// slice is obj[lo:hi:step] for strings, lists, tuples and ranges.
func (r *state) slice(obj any, lo, hi, step *int64) any {
	if step != nil && *step == 0 {
		r.fail("slice step cannot be zero")
	}
	// pickIdx calls f for each index of the slice of a sequence of n
	// items, charging cost bytes for each.
	pickIdx := func(n int64, cost int, f func(i int64)) {
		start, stop, st := sliceIndices(n, lo, hi, step)
		c := sliceCount(start, stop, st)
		r.step(int(c) * 4)
		r.grow(int(c) * cost)
		for k := int64(0); k < c; k++ {
			f(start + k*st)
		}
	}
	switch o := obj.(type) {
	case string:
		return r.sliceString(o, lo, hi, step)
	case []any:
		out := []any{}
		pickIdx(int64(len(o)), listItemCost, func(i int64) { out = append(out, o[i]) })
		return out
	case tuple:
		out := tuple{}
		pickIdx(int64(len(o)), listItemCost, func(i int64) { out = append(out, o[i]) })
		return out
	case rangeVal:
		start, stop, st := sliceIndices(o.length(), lo, hi, step)
		return rangeVal{o.at(start), o.at(stop), o.step * st}
	case *undefined:
		r.fail("%s", o.message())
	}
	return &undefined{obj: obj, hasObj: true, hint: fmt.Sprintf("'%s' object is not subscriptable", typeName(obj))}
}

// sliceString is s[lo:hi:step] by character. A step of 1 takes a
// substring without copying; other steps build the result.
func (r *state) sliceString(s string, lo, hi, step *int64) string {
	r.step(len(s) / 16)
	n := utf8.RuneCountInString(s)
	ascii := n == len(s)
	start, stop, st := sliceIndices(int64(n), lo, hi, step)
	c := sliceCount(start, stop, st)
	switch {
	case c == 0:
		return ""
	case st == 1 && ascii:
		return s[start:stop]
	case st == 1:
		from := runeOffset(s, start)
		return s[from : from+runeOffset(s[from:], stop-start)]
	}
	r.step(int(c) * 4)
	r.newString(int(min(c*utf8.UTFMax, int64(len(s)))))
	var b strings.Builder
	if ascii {
		for k := int64(0); k < c; k++ {
			b.WriteByte(s[start+k*st])
		}
		return b.String()
	}
	r.grow(4 * n)
	rs := []rune(s)
	for k := int64(0); k < c; k++ {
		b.WriteRune(rs[start+k*st])
	}
	return b.String()
}
