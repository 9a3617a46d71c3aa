package bounded

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// Nodes that write a value as text (JSON, Python's str) size the text
// before they build it: the size walkers below compute it exactly, or as a
// close upper bound, and stop as soon as it passes the limit, so a value
// that would write out to terabytes costs no more than the limit to
// measure.

// sizeWalk adds up the bytes of a text being measured and remembers when
// it passed its limit.
type sizeWalk struct {
	ctx   *engine.Ctx
	limit int64
	n     int64
	err   error
}

// add counts k bytes and reports whether the walk may go on.
func (w *sizeWalk) add(k int64) bool {
	if w.err != nil {
		return false
	}
	if k < 0 || k > w.limit-w.n {
		w.n = w.limit + 1
		return false
	}
	w.n += k
	return true
}

// mul counts a*b bytes without overflow.
func (w *sizeWalk) mul(a, b int64) bool {
	if a != 0 && b > (w.limit-w.n)/a {
		w.n = w.limit + 1
		return false
	}
	return w.add(a * b)
}

func (w *sizeWalk) tick() bool {
	if w.err == nil {
		w.err = Tick(w.ctx)
	}
	return w.err == nil
}

// jsonSize is the length of pyval.Dumps(v, o), up to limit+1.
func jsonSize(ctx *engine.Ctx, v any, o pyval.DumpOptions, limit int64) (int64, error) {
	w := &sizeWalk{ctx: ctx, limit: limit}
	w.json(v, o, 0)
	return w.n, w.err
}

func (w *sizeWalk) json(v any, o pyval.DumpOptions, level int64) bool {
	switch t := v.(type) {
	case nil:
		return w.add(4)
	case bool:
		if t {
			return w.add(4)
		}
		return w.add(5)
	case int64:
		return w.add(int64(len(strconv.FormatInt(t, 10))))
	case int:
		return w.add(int64(len(strconv.Itoa(t))))
	case float64:
		switch {
		case math.IsNaN(t):
			return w.add(3)
		case math.IsInf(t, 1):
			return w.add(8)
		case math.IsInf(t, -1):
			return w.add(9)
		}
		return w.add(int64(len(pyval.FormatFloat(t))))
	case string:
		return w.add(jsonStringSize(t, o.EnsureASCII))
	case []any:
		if len(t) == 0 {
			return w.add(2)
		}
		if !w.tick() || !w.add(2) {
			return false
		}
		for i, e := range t {
			if !w.jsonSeparator(o, i, level+1) || !w.json(e, o, level+1) {
				return false
			}
		}
		return w.jsonCloseLine(o, level)
	case *pyval.Dict:
		if t.Len() == 0 {
			return w.add(2)
		}
		if !w.tick() || !w.add(2) {
			return false
		}
		ok := true
		i := 0
		t.Range(func(k string, e any) bool {
			ok = w.jsonSeparator(o, i, level+1) && w.add(jsonStringSize(k, o.EnsureASCII)+2) && w.json(e, o, level+1)
			i++
			return ok
		})
		return ok && w.jsonCloseLine(o, level)
	case []byte:
		return w.add(bytesSprintSize(t) + 2)
	}
	return w.add(jsonStringSize(fmt.Sprint(v), o.EnsureASCII))
}

func (w *sizeWalk) jsonSeparator(o pyval.DumpOptions, i int, level int64) bool {
	if o.Indent < 0 {
		if i > 0 {
			return w.add(2)
		}
		return true
	}
	if i > 0 && !w.add(1) {
		return false
	}
	return w.add(1) && w.mul(int64(o.Indent), level)
}

func (w *sizeWalk) jsonCloseLine(o pyval.DumpOptions, level int64) bool {
	if o.Indent < 0 {
		return true
	}
	return w.add(1) && w.mul(int64(o.Indent), level)
}

// jsonStringSize is the length of s written as a JSON string by
// pyval.Dumps, quotes included.
func jsonStringSize(s string, ascii bool) int64 {
	n := int64(2)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n += 2
			case c < 0x20:
				n += 6
			case ascii && c == 0x7f:
				n += 6
			default:
				n++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case ascii && r > 0xffff:
			n += 12
		case ascii:
			n += 6
		default:
			n += int64(utf8.RuneLen(r)) // an invalid byte becomes U+FFFD
		}
	}
	return n
}

// reprSize is the length of pyval.Repr(v) (Python's repr), up to limit+1.
func reprSize(ctx *engine.Ctx, v any, limit int64) (int64, error) {
	w := &sizeWalk{ctx: ctx, limit: limit}
	w.repr(v)
	return w.n, w.err
}

func (w *sizeWalk) repr(v any) bool {
	switch t := v.(type) {
	case nil:
		return w.add(4)
	case bool:
		if t {
			return w.add(4)
		}
		return w.add(5)
	case int64:
		return w.add(int64(len(strconv.FormatInt(t, 10))))
	case int:
		return w.add(int64(len(strconv.Itoa(t))))
	case float64:
		return w.add(int64(len(pyval.FormatFloat(t))))
	case string:
		return w.add(reprStringSize(t))
	case []any:
		if !w.tick() || !w.add(2) {
			return false
		}
		for i, e := range t {
			if i > 0 && !w.add(2) {
				return false
			}
			if !w.repr(e) {
				return false
			}
		}
		return true
	case *pyval.Dict:
		if !w.tick() || !w.add(2) {
			return false
		}
		ok := true
		i := 0
		t.Range(func(k string, e any) bool {
			if i > 0 {
				ok = w.add(2)
			}
			ok = ok && w.add(reprStringSize(k)+2) && w.repr(e)
			i++
			return ok
		})
		return ok
	case []byte:
		return w.add(bytesSprintSize(t))
	}
	return w.add(int64(len(fmt.Sprint(v))))
}

// bytesSprintSize is the length of fmt.Sprint(b): "[1 22 255]".
func bytesSprintSize(b []byte) int64 {
	n := int64(2)
	for i, c := range b {
		if i > 0 {
			n++
		}
		switch {
		case c >= 100:
			n += 3
		case c >= 10:
			n += 2
		default:
			n++
		}
	}
	return n
}

// reprStringSize is the length of Python's repr of s, quotes included.
func reprStringSize(s string) int64 {
	quote := byte('\'')
	if containsByte(s, '\'') && !containsByte(s, '"') {
		quote = '"'
	}
	n := int64(2)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\\' || c == quote || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20 || c == 0x7f:
				n += 4
			default:
				n++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			n += 4
		case unicode.IsPrint(r):
			n += int64(size)
		case r < 0x100:
			n += 4
		case r < 0x10000:
			n += 6
		default:
			n += 10
		}
	}
	return n
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// marshalSize bounds the length of json.Marshal(v) for pyval values (what
// jsonText writes): at least the true length, close to it.
func marshalSize(ctx *engine.Ctx, v any, limit int64) (int64, error) {
	w := &sizeWalk{ctx: ctx, limit: limit}
	w.marshal(v)
	return w.n, w.err
}

func (w *sizeWalk) marshal(v any) bool {
	switch t := v.(type) {
	case nil, bool:
		return w.add(5)
	case int64, int:
		return w.add(20)
	case float64:
		return w.add(32)
	case string:
		return w.add(marshalStringSize(t))
	case []byte:
		return w.add(int64(len(t)+2)/3*4 + 64)
	case []any:
		if !w.tick() || !w.add(2) {
			return false
		}
		for _, e := range t {
			if !w.add(1) || !w.marshal(e) {
				return false
			}
		}
		return true
	case *pyval.Dict:
		if !w.tick() || !w.add(2) {
			return false
		}
		ok := true
		t.Range(func(k string, e any) bool {
			ok = w.add(marshalStringSize(k)+2) && w.marshal(e)
			return ok
		})
		return ok
	}
	return w.add(marshalStringSize(fmt.Sprint(v)) + 64)
}

// marshalStringSize bounds the length of s as encoding/json writes it:
// control characters, <, >, &, U+2028, U+2029 and invalid bytes take at
// most six bytes each.
func marshalStringSize(s string) int64 {
	n := int64(2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf:
			n += 6
		case c == '"' || c == '\\':
			n += 2
		default:
			n++
		}
	}
	return n
}

// dumpsBounded is pyval.Dumps for a node: it measures the text first and
// fails with the max-value error when it would be over the budget.
func Dumps(ctx *engine.Ctx, v any, o pyval.DumpOptions) (string, error) {
	n, err := jsonSize(ctx, v, o, ctx.MaxValue())
	if err != nil {
		return "", err
	}
	if err := ctx.CheckSize(sizeOrUnknown(n, ctx)); err != nil {
		return "", err
	}
	return pyval.Dumps(v, o), nil
}

// strBounded is pyval.Str (Python's str) for a node, measured first.
func Str(ctx *engine.Ctx, v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	n, err := reprSize(ctx, v, ctx.MaxValue())
	if err != nil {
		return "", err
	}
	if err := ctx.CheckSize(sizeOrUnknown(n, ctx)); err != nil {
		return "", err
	}
	return pyval.Str(v), nil
}

// jsonTextBounded is jsonText for a node, measured first.
func JSONTextBounded(ctx *engine.Ctx, v any) (string, error) {
	n, err := marshalSize(ctx, v, ctx.MaxValue())
	if err != nil {
		return "", err
	}
	if err := ctx.CheckSize(sizeOrUnknown(n, ctx)); err != nil {
		return "", err
	}
	return JSONText(v), nil
}

// cloneBounded is pyval.Clone for a node: a deep copy, refused when it
// would be over the max-value budget.
func Clone(ctx *engine.Ctx, v any) (any, error) {
	if err := ctx.CheckSize(sizeOrUnknown(engine.DeepSize(v, ctx.MaxValue()), ctx)); err != nil {
		return nil, err
	}
	return pyval.Clone(v), nil
}

// sizeOrUnknown turns a measure that stopped past the limit into -1 (the
// budget error then says "too large" rather than a partial count).
func sizeOrUnknown(n int64, ctx *engine.Ctx) int64 {
	if n > ctx.MaxValue() {
		return -1
	}
	return n
}

// jsonText writes a value as compact JSON.
func JSONText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return pyval.Dumps(v, pyval.DumpOptions{Indent: -1})
	}
	return string(b)
}
