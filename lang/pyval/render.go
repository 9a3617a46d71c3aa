package pyval

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Str renders v as Python's str() does: strings as they are, None, True,
// False, floats in their shortest round-trip form, containers with their
// items in repr form. Containers nested deeper than MaxReprDepth print as
// [...] or {...}. The result can be far larger than v's memory when a
// container holds the same value many times: code that renders values
// from a workflow uses StrLimit.
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr renders v as Python's repr() does (see Str).
func Repr(v any) string {
	w := reprWriter{max: -1}
	w.repr(v)
	return w.String()
}

// StrLimit is Str that gives up once the text passes max bytes: ok is
// false and s is "". Its work is bounded by max.
func StrLimit(v any, max int) (s string, ok bool) {
	if s, ok := v.(string); ok {
		if len(s) > max {
			return "", false
		}
		return s, true
	}
	return ReprLimit(v, max)
}

// ReprLimit is Repr that gives up once the text passes max bytes (see
// StrLimit).
func ReprLimit(v any, max int) (s string, ok bool) {
	if max < 0 {
		return "", false
	}
	w := reprWriter{max: max}
	if !w.repr(v) || w.Len() > max {
		return "", false
	}
	return w.String(), true
}

// MaxReprDepth is how deep Str and Repr descend into nested containers.
const MaxReprDepth = 1000

// reprWriter writes the repr of values, stopping once it holds more than
// max bytes (max < 0: no limit).
type reprWriter struct {
	strings.Builder
	max   int
	depth int
}

// full reports whether the writer went past its limit.
func (w *reprWriter) full() bool { return w.max >= 0 && w.Len() > w.max }

// repr writes v and reports false once the writer is full.
func (w *reprWriter) repr(v any) bool {
	if w.full() {
		return false
	}
	switch t := v.(type) {
	case nil:
		w.WriteString("None")
	case bool:
		if t {
			w.WriteString("True")
		} else {
			w.WriteString("False")
		}
	case int64:
		w.WriteString(strconv.FormatInt(t, 10))
	case int:
		w.WriteString(strconv.Itoa(t))
	case float64:
		w.WriteString(FormatFloat(t))
	case string:
		return w.quoted(t)
	case []any:
		if w.depth >= MaxReprDepth {
			w.WriteString("[...]")
			break
		}
		w.depth++
		w.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				w.WriteString(", ")
			}
			if !w.repr(e) {
				return false
			}
		}
		w.WriteByte(']')
		w.depth--
	case *Dict:
		if w.depth >= MaxReprDepth {
			w.WriteString("{...}")
			break
		}
		w.depth++
		w.WriteByte('{')
		for i := range t.Len() {
			if i > 0 {
				w.WriteString(", ")
			}
			k, e := t.At(i)
			if !w.quoted(k) {
				return false
			}
			w.WriteString(": ")
			if !w.repr(e) {
				return false
			}
		}
		w.WriteByte('}')
		w.depth--
	default:
		fmt.Fprint(w, t)
	}
	return !w.full()
}

// FormatFloat formats f as Python's repr(float) does: the shortest string
// that reads back as f, always with a decimal point or exponent, scientific
// notation when the exponent is below -4 or at least 16.
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	// Log10 can be off by one near powers of ten; let the 'e' form decide.
	es := strconv.FormatFloat(f, 'e', -1, 64)
	if i := strings.IndexByte(es, 'e'); i >= 0 {
		if n, err := strconv.Atoi(es[i+1:]); err == nil {
			exp = n
		}
	}
	if exp < -4 || exp >= 16 {
		mant, e, _ := strings.Cut(es, "e")
		sign := e[0]
		digits := strings.TrimLeft(e[1:], "0")
		if len(digits) < 2 {
			digits = strings.Repeat("0", 2-len(digits)) + digits
		}
		return mant + "e" + string(sign) + digits
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// quoted writes s as a Python string literal and reports false once the
// writer is full.
func (w *reprWriter) quoted(s string) bool {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	w.WriteByte(quote)
	for i := 0; i < len(s); {
		if w.max >= 0 && w.Len() > w.max {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(w, `\x%02x`, s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == '\\':
			w.WriteString(`\\`)
		case r == rune(quote):
			w.WriteByte('\\')
			w.WriteByte(quote)
		case r == '\n':
			w.WriteString(`\n`)
		case r == '\r':
			w.WriteString(`\r`)
		case r == '\t':
			w.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(w, `\x%02x`, r)
		case r < 0x80 || unicode.IsPrint(r):
			w.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(w, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(w, `\u%04x`, r)
		default:
			fmt.Fprintf(w, `\U%08x`, r)
		}
	}
	w.WriteByte(quote)
	return !w.full()
}

// TypeName returns the Python type name of v: NoneType, bool, int, float,
// str, list or dict.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case *Dict:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// Truthy reports Python truthiness: None, False, zero, "" and empty
// containers are false.
func Truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case int64:
		return t != 0
	case int:
		return t != 0
	case float64:
		return t != 0
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case *Dict:
		return t.Len() > 0
	}
	return true
}

// AsNumber returns v as a float64 when it is an int, float or bool (as in
// Python, where bool is an int).
func AsNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case int:
		return float64(t), true
	case float64:
		return t, true
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// Equal reports Python ==: numbers compare by exact value across int, float and
// bool; lists and dicts compare element-wise (dicts ignore order). Its work
// grows with the values' unfolded size, which can be far larger than their
// memory when containers hold the same value many times: code comparing
// values from a workflow uses EqualWithin.
func Equal(a, b any) bool {
	eq, _ := equal(a, b, nil)
	return eq
}

// ErrTooDeep reports values nested more than MaxReprDepth levels deep.
var ErrTooDeep = errors.New("the values are nested too deeply to compare")

// eqWalk is the state of an EqualWithin: the budget's tick, JSON's
// equality of booleans, and the depth.
type eqWalk struct {
	poll  func() error
	json  bool
	depth int
}

// enter ticks the budget and goes one level down; leave goes back up.
func (w *eqWalk) enter() error {
	if err := w.poll(); err != nil {
		return err
	}
	if w.depth++; w.depth > MaxReprDepth {
		return ErrTooDeep
	}
	return nil
}

func (w *eqWalk) leave() { w.depth-- }

// equal is Equal, walked by w when it is not nil.
func equal(a, b any, w *eqWalk) (bool, error) {
	if w != nil && w.json {
		_, ab := a.(bool)
		_, bb := b.(bool)
		if ab || bb {
			return ab && bb && a == b, nil
		}
	}
	if _, ok := AsNumber(a); ok {
		if _, ok := AsNumber(b); !ok {
			return false, nil
		}
		c, ordered := cmpNumbers(a, b)
		return ordered && c == 0, nil
	}
	switch t := a.(type) {
	case nil:
		return b == nil, nil
	case string:
		s, ok := b.(string)
		return ok && s == t, nil
	case []any:
		u, ok := b.([]any)
		if !ok || len(u) != len(t) {
			return false, nil
		}
		if w != nil {
			if len(t) == 0 || &t[0] == &u[0] {
				return true, nil
			}
			if err := w.enter(); err != nil {
				return false, err
			}
			defer w.leave()
		}
		for i := range t {
			if eq, err := equal(t[i], u[i], w); !eq || err != nil {
				return false, err
			}
		}
		return true, nil
	case *Dict:
		u, ok := b.(*Dict)
		if !ok || u.Len() != t.Len() {
			return false, nil
		}
		if w != nil {
			if t == u {
				return true, nil
			}
			if err := w.enter(); err != nil {
				return false, err
			}
			defer w.leave()
		}
		for i := range t.Len() {
			k, x := t.At(i)
			y, ok := u.Get(k)
			if !ok {
				return false, nil
			}
			if eq, err := equal(x, y, w); !eq || err != nil {
				return false, err
			}
		}
		return true, nil
	}
	return false, nil
}

// Compare orders a and b as Python's < does: numbers by value, strings by
// code point, lists lexicographically. Other combinations are an error
// naming both types, like Python's TypeError.
func Compare(a, b any) (int, error) {
	if _, ok := AsNumber(a); ok {
		if _, ok := AsNumber(b); ok {
			c, _ := cmpNumbers(a, b) // NaN: neither less nor greater
			return c, nil
		}
	}
	switch t := a.(type) {
	case string:
		if s, ok := b.(string); ok {
			return strings.Compare(t, s), nil
		}
	case []any:
		if u, ok := b.([]any); ok {
			for i := 0; i < len(t) && i < len(u); i++ {
				if Equal(t[i], u[i]) {
					continue
				}
				return Compare(t[i], u[i])
			}
			return cmp.Compare(len(t), len(u)), nil
		}
	}
	return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", TypeName(a), TypeName(b))
}

// cmpNumbers compares two numbers (int64, int, bool or float64) exactly, as
// Python does: an int and a float compare by their mathematical values, even
// where the int has no exact float64 (2**53+1 > float(2**53)), which
// converting the int to float64 would get wrong. ordered is false when
// either is NaN.
func cmpNumbers(a, b any) (c int, ordered bool) {
	ia, aInt := asInt(a)
	ib, bInt := asInt(b)
	switch {
	case aInt && bInt:
		return cmp.Compare(ia, ib), true
	case aInt:
		return cmpIntFloat(ia, b.(float64))
	case bInt:
		c, ordered := cmpIntFloat(ib, a.(float64))
		return -c, ordered
	}
	x, y := a.(float64), b.(float64)
	if math.IsNaN(x) || math.IsNaN(y) {
		return 0, false
	}
	return cmp.Compare(x, y), true
}

// asInt returns v as an int64 when it is an integer (bool included).
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

// cmpIntFloat compares i with f exactly.
func cmpIntFloat(i int64, f float64) (int, bool) {
	switch {
	case math.IsNaN(f):
		return 0, false
	case f >= 0x1p63: // above every int64, +Inf included
		return -1, true
	case f < -0x1p63: // below every int64, -Inf included
		return 1, true
	}
	t := math.Trunc(f) // now exactly an int64
	if c := cmp.Compare(i, int64(t)); c != 0 {
		return c, true
	}
	// i == trunc(f): the fraction decides.
	return cmp.Compare(t, f), true
}

// Sort sorts a copy of values in Python order, or returns the first
// comparison error.
func Sort(values []any, descending bool) ([]any, error) {
	out := slices.Clone(values)
	var err error
	slices.SortStableFunc(out, func(a, b any) int {
		c, e := Compare(a, b)
		if e != nil && err == nil {
			err = e
		}
		if descending {
			return -c
		}
		return c
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func sortStrings(s []string) { slices.Sort(s) }
