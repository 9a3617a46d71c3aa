package jinja

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

type filterDef struct {
	sig signature
	fn  func(r *state, v any, a *args) any
}

// filters is the filter table. It is filled once by init (it cannot be a
// plain initializer: map and select call filters and tests by name) and
// never changes afterwards.
var filters map[string]*filterDef

func init() {
	str := func(f func(string) string) *filterDef {
		return &filterDef{sig(0), func(r *state, v any, a *args) any {
			s := r.str(v)
			r.step(len(s) / 2)
			return r.built(f(s))
		}}
	}
	filters = map[string]*filterDef{
		"upper":      str(pystr.Upper),
		"lower":      str(pystr.Lower),
		"title":      str(jinjaTitle),
		"capitalize": str(pystr.Capitalize),
		"trim":       {sig(0, "chars"), fTrim},
		"length":     {sig(0), fLength},
		"count":      {sig(0), fLength},
		"join":       {sig(0, "d", "attribute"), fJoin},
		"default":    {sig(0, "default_value", "boolean"), fDefault},
		"d":          {sig(0, "default_value", "boolean"), fDefault},
		"replace":    {sig(2, "old", "new", "count"), fReplace},
		"truncate":   {sig(0, "length", "killwords", "end", "leeway"), fTruncate},
		"round":      {sig(0, "precision", "method"), fRound},
		"int":        {sig(0, "default", "base"), fInt},
		"float":      {sig(0, "default"), fFloat},
		"string":     {sig(0), func(r *state, v any, a *args) any { return r.str(v) }},
		"safe":       {sig(0), func(r *state, v any, a *args) any { return r.str(v) }},
		"escape":     {sig(0), fEscape},
		"e":          {sig(0), fEscape},
		"first":      {sig(0), fFirst},
		"last":       {sig(0), fLast},
		"sort":       {sig(0, "reverse", "case_sensitive", "attribute"), fSort},
		"tojson":     {sig(0, "indent"), fToJSON},
		"abs":        {sig(0), fAbs},
		"list":       {sig(0), fList},
		"unique":     {sig(0, "case_sensitive", "attribute"), fUnique},
		"reverse":    {sig(0), fReverse},
		"wordcount":  {sig(0), fWordcount},
		"center":     {sig(0, "width"), fCenter},
		"sum":        {sig(0, "attribute", "start"), fSum},
		"min":        {sig(0, "case_sensitive", "attribute"), func(r *state, v any, a *args) any { return r.minMax(v, a, -1) }},
		"max":        {sig(0, "case_sensitive", "attribute"), func(r *state, v any, a *args) any { return r.minMax(v, a, 1) }},
		"items":      {sig(0), fItems},
		"map":        {signature{variadic: true}, fMap},
		"select":     {signature{variadic: true}, func(r *state, v any, a *args) any { return r.selectReject(v, a, true) }},
		"reject":     {signature{variadic: true}, func(r *state, v any, a *args) any { return r.selectReject(v, a, false) }},
		"selectattr": {signature{variadic: true}, func(r *state, v any, a *args) any { return r.selectRejectAttr(v, a, true) }},
		"rejectattr": {signature{variadic: true}, func(r *state, v any, a *args) any { return r.selectRejectAttr(v, a, false) }},
	}
}

// jinjaTitle is Jinja2's title filter: each word (split at runs of
// whitespace, -, (, {, [ and <) gets an upper-case first character and
// lower-case rest.
func jinjaTitle(s string) string {
	isSep := func(c rune) bool { return isSpace(c) || strings.ContainsRune("-({[<", c) }
	var b strings.Builder
	for s != "" {
		c, _ := utf8.DecodeRuneInString(s)
		end := strings.IndexFunc(s, func(x rune) bool { return isSep(x) != isSep(c) })
		if end < 0 {
			end = len(s)
		}
		item := s[:end]
		s = s[end:]
		first, size := utf8.DecodeRuneInString(item)
		b.WriteString(pystr.Upper(string(first)))
		b.WriteString(pystr.Lower(item[size:]))
	}
	return b.String()
}

func fTrim(r *state, v any, a *args) any {
	s := r.str(v)
	r.step(len(s) / 16)
	return r.strip(s, "strip", a.get(0, nil))
}

func fLength(r *state, v any, a *args) any {
	if s, ok := v.(string); ok {
		r.step(len(s) / 16)
	}
	n, ok := length(v)
	if !ok {
		r.fail("object of type '%s' has no len()", typeName(v))
	}
	return int64(n)
}

// attrGetter is Jinja2's make_attrgetter: a dotted path of keys, with
// all-digit parts used as integer indexes.
func (r *state) attrGetter(attr any, lowerStrings bool, def any) func(any) any {
	var parts []any
	switch t := attr.(type) {
	case nil:
	case string:
		for _, p := range strings.Split(t, ".") {
			if p != "" && strings.Trim(p, "0123456789") == "" {
				if n, err := strconv.ParseInt(p, 10, 64); err == nil {
					parts = append(parts, n)
					continue
				}
			}
			parts = append(parts, p)
		}
	default:
		parts = []any{norm(attr)}
	}
	return func(item any) any {
		for _, p := range parts {
			item = r.getitem(item, p)
			if _, ok := item.(*undefined); ok && def != nil {
				item = def
			}
		}
		if s, ok := item.(string); ok && lowerStrings {
			return pystr.Lower(s)
		}
		return item
	}
}

func fJoin(r *state, v any, a *args) any {
	items := r.mustIterate(v)
	if a.has(1) {
		get := r.attrGetter(a.get(1, nil), false, nil)
		mapped := make([]any, len(items))
		for i, it := range items {
			mapped[i] = get(it)
		}
		items = mapped
	}
	sep := r.str(a.get(0, ""))
	var b strings.Builder
	for i, it := range items {
		s := r.str(it)
		r.step(2 + len(s)/16)
		if i > 0 {
			s = sep + s
		}
		r.checkSize(b.Len() + len(s))
		r.grow(len(s))
		b.WriteString(s)
	}
	return b.String()
}

func fDefault(r *state, v any, a *args) any {
	if _, ok := v.(*undefined); ok || (truthy(a.get(1, false)) && !truthy(v)) {
		return a.get(0, "")
	}
	return v
}

func fReplace(r *state, v any, a *args) any {
	count := int64(-1)
	if c := a.get(2, nil); c != nil {
		count = r.intArg(a, 2, -1, "count")
	}
	return r.replace(r.str(v), r.str(a.get(0, "")), r.str(a.get(1, "")), count)
}

// fTruncate is Jinja2's truncate: strings at most length+leeway
// characters long stay; others are cut to length-len(end) characters,
// back to the last space unless killwords, and end is appended.
func fTruncate(r *state, v any, a *args) any {
	if u, ok := v.(*undefined); ok {
		return u
	}
	s, ok := v.(string)
	if !ok {
		r.fail("truncate expects a string, got %s", typeName(v))
	}
	length := r.intArg(a, 0, 255, "length")
	killwords := truthy(a.get(1, false))
	end := r.str(a.get(2, "..."))
	leeway := r.intArg(a, 3, 5, "leeway")
	endLen := int64(utf8.RuneCountInString(end))
	if length < endLen {
		r.fail("expected length >= %d, got %d", endLen, length)
	}
	if leeway < 0 {
		r.fail("expected leeway >= 0, got %d", leeway)
	}
	r.step(len(s) / 16)
	n := int64(utf8.RuneCountInString(s))
	if n <= length+leeway {
		return s
	}
	cut := s[:runeOffset(s, length-endLen)]
	if killwords {
		return cut + end
	}
	if i := strings.LastIndexByte(cut, ' '); i >= 0 {
		cut = cut[:i]
	}
	return cut + end
}

func fRound(r *state, v any, a *args) any {
	method := a.get(1, "common")
	if method != "common" && method != "ceil" && method != "floor" {
		r.fail("method must be common, ceil or floor")
	}
	return r.pyRound(v, r.intArg(a, 0, 0, "precision"), method.(string))
}

// fInt is Jinja2's int filter: int(value, base) for strings, then
// int(float(value)), then the default.
func fInt(r *state, v any, a *args) any {
	def := a.get(0, int64(0))
	base := r.intArg(a, 1, 10, "base")
	switch t := v.(type) {
	case *undefined:
		r.fail("%s", t.message())
	case int64:
		return t
	case bool:
		n, _ := asInt(t)
		return n
	case float64:
		return r.floatToInt(t, def)
	case string:
		r.step(len(t) / 16)
		if base == 0 || (base >= 2 && base <= 36) {
			n, ok, tooBig := parsePyInt(t, base)
			if tooBig {
				r.fail("integer %s does not fit in 64 bits", clip(strings.TrimSpace(t)))
			}
			if ok {
				return n
			}
		}
		if f, ok := parsePyFloat(t); ok {
			return r.floatToInt(f, def)
		}
	}
	return def
}

func (r *state) floatToInt(f float64, def any) any {
	switch {
	case math.IsInf(f, 0):
		r.fail("cannot convert float infinity to integer")
	case math.IsNaN(f):
		return def
	case f >= 9.223372036854775807e18 || f < -9.223372036854775808e18:
		r.fail("float %s does not fit in a 64-bit integer", pyval.FormatFloat(f))
	}
	return int64(f)
}

func fFloat(r *state, v any, a *args) any {
	switch t := v.(type) {
	case *undefined:
		r.fail("%s", t.message())
	case int64, bool:
		f, _ := toFloat(t)
		return f
	case float64:
		return t
	case string:
		r.step(len(t) / 16)
		if f, ok := parsePyFloat(t); ok {
			return f
		}
	}
	return a.get(0, 0.0)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func fEscape(r *state, v any, a *args) any {
	s := r.str(v)
	r.step(len(s) / 16)
	// Each special character grows by 3 (&lt;) or 4 bytes (&amp;, &#34;).
	size := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '>':
			size += 3
		case '&', '"', '\'':
			size += 4
		}
	}
	r.newString(size)
	return htmlEscaper.Replace(s)
}

func fFirst(r *state, v any, a *args) any {
	if s, ok := v.(string); ok {
		if s == "" {
			return &undefined{hint: "No first item, sequence was empty."}
		}
		c, _ := utf8.DecodeRuneInString(s)
		return string(c)
	}
	items := r.mustIterate(v)
	if len(items) == 0 {
		return &undefined{hint: "No first item, sequence was empty."}
	}
	return norm(items[0])
}

func fLast(r *state, v any, a *args) any {
	switch v.(type) {
	case []any, tuple, string, *pyval.Dict, rangeVal, *dictView:
	default:
		r.fail("'%s' object is not reversible", typeName(v))
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return &undefined{hint: "No last item, sequence was empty."}
		}
		c, _ := utf8.DecodeLastRuneInString(s)
		return string(c)
	}
	items := r.mustIterate(v)
	if len(items) == 0 {
		return &undefined{hint: "No last item, sequence was empty."}
	}
	return norm(items[len(items)-1])
}

// runeOffset is the byte offset of character n of s (len(s) past its end).
func runeOffset(s string, n int64) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
