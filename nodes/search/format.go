package search

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
)

// The text summaries are written as NodeTool's nodes write them with
// Python f-strings: every value as str() prints it (None, True, ['a'],
// {'k': 1}), lines joined with "\n". Where the Python would crash on an
// answer of an unexpected shape (a result that is not a dict, a number
// where it formats text), these helpers treat the odd part as missing.

// text builds a summary line by line within the node's max-value budget.
type text struct {
	ctx   *engine.Ctx
	b     bounded.TextBuilder
	lines int
	err   error
}

func newText(ctx *engine.Ctx) *text {
	return &text{ctx: ctx, b: bounded.TextBuilder{Budget: ctx}}
}

// line adds one line made of parts, each printed as Python's str() prints
// it (a string as it is).
func (t *text) line(parts ...any) {
	if t.err != nil {
		return
	}
	if t.lines > 0 {
		t.add("\n")
	}
	t.lines++
	for _, p := range parts {
		if t.err != nil {
			return
		}
		room := int(min(t.ctx.MaxValue()-int64(t.b.Len()), math.MaxInt32))
		s, ok := pyval.StrLimit(p, max(room, 0))
		if !ok {
			t.err = t.ctx.CheckSize(-1)
			return
		}
		t.add(s)
	}
	if t.err == nil {
		t.err = t.ctx.Tick()
	}
}

func (t *text) add(s string) {
	if t.err == nil {
		t.err = t.b.Add(s)
	}
}

// done returns the text: the lines joined with "\n".
func (t *text) done() (string, error) {
	if t.err != nil {
		return "", t.err
	}
	return t.b.String(), nil
}

// get is r.get(k) of a result: the value and whether the key is there (a
// result that is not a dict has no keys).
func get(r any, k string) (any, bool) {
	d, ok := r.(*pyval.Dict)
	if !ok {
		return nil, false
	}
	return d.Get(k)
}

// getOr is r.get(k, def).
func getOr(r any, k string, def any) any {
	if v, ok := get(r, k); ok {
		return v
	}
	return def
}

// truthy is Python's truth of r.get(k).
func truthy(r any, k string) bool {
	v, _ := get(r, k)
	return pyval.Truthy(v)
}

// notNone is r.get(k) is not None.
func notNone(r any, k string) bool {
	v, _ := get(r, k)
	return v != nil
}

// listOf is the list at d[k], nil when absent or not a list.
func listOf(d any, k string) []any {
	l, _ := mapGet(d, k).([]any)
	return l
}

// dictOr is v when it is a dict, else an empty one (Python's
// r.get(k, {}) followed by .get calls, which a non-dict would crash).
func dictOr(v any) *pyval.Dict {
	if d, ok := v.(*pyval.Dict); ok {
		return d
	}
	return pyval.NewDict(0)
}

// take is results[:n] for the num_results of a node: at most n items, all
// of them when n is negative. It never returns nil (an empty list stays a
// list in JSON).
func take(l []any, n int64) []any {
	if n >= 0 && int64(len(l)) > n {
		l = l[:n]
	}
	if l == nil {
		l = []any{}
	}
	return l
}

// runePrefix is s[:n] in Python: the first n characters.
func runePrefix(s string, n int) string {
	return s[:pystr.RuneOffset(s, n)]
}

// pyLen is len() of a value Python can measure (text by characters).
func pyLen(v any) int {
	switch t := v.(type) {
	case string:
		return utf8.RuneCountInString(t)
	case []any:
		return len(t)
	case *pyval.Dict:
		return t.Len()
	}
	return 0
}

// commas is Python's format(v, ","): integers and floats with thousands
// separators; anything else as str() prints it (Python would fail).
func commas(v any) string {
	switch t := v.(type) {
	case bool:
		if t {
			return "1"
		}
		return "0"
	case int64:
		s := strconv.FormatInt(t, 10)
		neg := strings.HasPrefix(s, "-")
		s = group(strings.TrimPrefix(s, "-"))
		if neg {
			return "-" + s
		}
		return s
	case float64:
		s := pyval.FormatFloat(t)
		if strings.ContainsAny(s, "en") { // exponent, inf, nan
			return s
		}
		neg := strings.HasPrefix(s, "-")
		whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
		s = group(whole) + "." + frac
		if neg {
			return "-" + s
		}
		return s
	}
	return pyval.Str(v)
}

// group puts commas between groups of three digits.
func group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// divmod60 is Python's (v // 60, v % 60) for an int or float, and false
// for anything else.
func divmod60(v any) (q, r any, ok bool) {
	switch t := v.(type) {
	case int64:
		q, r := t/60, t%60
		if r < 0 {
			q, r = q-1, r+60
		}
		return q, r, true
	case float64:
		fq := math.Floor(t / 60)
		fr := t - fq*60
		return fq, fr, true
	}
	return nil, nil, false
}

// formatResults is NodeTool's format_results: per result "[position]
// title", then for each field with a true value "    label: value" (or
// "    value" without a label), then an empty line.
func formatResults(ctx *engine.Ctx, results []any, fields ...[2]string) (string, error) {
	t := newText(ctx)
	for i, r := range results {
		t.line("[", getOr(r, "position", int64(i+1)), "] ", getOr(r, "title", "Untitled"))
		for _, f := range fields {
			v, _ := get(r, f[0])
			if !pyval.Truthy(v) {
				continue
			}
			if f[1] != "" {
				t.line("    ", f[1], ": ", v)
			} else {
				t.line("    ", v)
			}
		}
		t.line("")
	}
	return t.done()
}

// field is a (key, label) pair of formatResults; an empty label prints the
// value alone.
func field(key, label string) [2]string { return [2]string{key, label} }

// imageRef is NodeTool's ImageRef(uri=uri), the uri printed as str()
// prints it when the answer holds something else than text.
func imageRef(uri any) *pyval.Dict {
	return pyval.DictOf("type", "image", "uri", pyval.Str(uri), "asset_id", nil, "data", nil, "metadata", nil)
}
