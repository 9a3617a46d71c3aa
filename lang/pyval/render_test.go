package pyval

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// The expected strings in this file were produced by CPython 3.11 (repr(),
// str()) and pasted in as literals.

var negZero = math.Copysign(0, -1)

func TestReprString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `''`},
		{"abc", `'abc'`},
		{"it's", `"it's"`},
		{`say "hi"`, `'say "hi"'`},
		{`both ' and "`, `'both \' and "'`},
		{`back\slash`, `'back\\slash'`},
		{"tab\tnl\ncr\r", `'tab\tnl\ncr\r'`},
		{"\x00\x01\x1f\x7f", `'\x00\x01\x1f\x7f'`},
		{"caf\u00e9", "'caf\u00e9'"},
		{"\u00a0nbsp", `'\xa0nbsp'`},
		{"\u00ad", `'\xad'`},
		{"\u0080\u009f", `'\x80\x9f'`},
		{"\u200b", `'\u200b'`},
		{"\u3000", `'\u3000'`},
		{"\u2028", `'\u2028'`},
		{"\ue000", `'\ue000'`},
		{"\ufeff", `'\ufeff'`},
		{"\u0378", `'\u0378'`},
		{"\u4e2d\u6587", "'\u4e2d\u6587'"},
		{"\U0001f600", "'\U0001f600'"},
		{"\U000e0001", `'\U000e0001'`},
		// Not valid UTF-8, so not a Python str: each bad byte shows as \x.
		{"a\xffb", `'a\xffb'`},
	} {
		if got := Repr(c.in); got != c.want {
			t.Errorf("Repr(%q) = %s, want %s", c.in, got, c.want)
		}
		if got := Str(c.in); got != c.in {
			t.Errorf("Str(%q) = %q, want the string itself", c.in, got)
		}
	}
}

func TestReprValues(t *testing.T) {
	mixed := []any{int64(1), 2.0, "a", nil, true, DictOf("k", []any{false, "it's"}), []any{}, NewDict(0)}
	for _, c := range []struct {
		name      string
		in        any
		repr, str string
	}{
		{"None", nil, "None", "None"},
		{"True", true, "True", "True"},
		{"False", false, "False", "False"},
		{"int64", int64(-42), "-42", "-42"},
		{"int", 7, "7", "7"},
		{"float", 75.0, "75.0", "75.0"},
		{"string", "x'y", `"x'y"`, "x'y"},
		{"empty list", []any{}, "[]", "[]"},
		{"empty dict", NewDict(0), "{}", "{}"},
		{"mixed", mixed, `[1, 2.0, 'a', None, True, {'k': [False, "it's"]}, [], {}]`, `[1, 2.0, 'a', None, True, {'k': [False, "it's"]}, [], {}]`},
		{"dict keys quoted", DictOf("it's", int64(1), "b", "c"), `{"it's": 1, 'b': 'c'}`, `{"it's": 1, 'b': 'c'}`},
	} {
		if got := Repr(c.in); got != c.repr {
			t.Errorf("Repr(%s) = %s, want %s", c.name, got, c.repr)
		}
		if got := Str(c.in); got != c.str {
			t.Errorf("Str(%s) = %s, want %s", c.name, got, c.str)
		}
	}
}

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{negZero, "-0.0"},
		{1, "1.0"},
		{75, "75.0"},
		{100, "100.0"},
		{-2.5, "-2.5"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.30000000000000004"},
		{1e-4, "0.0001"},
		{0.000123, "0.000123"},
		{1e-5, "1e-05"},
		{1.5e-7, "1.5e-07"},
		{123456789, "123456789.0"},
		{1e15, "1000000000000000.0"},
		{9999999999999998, "9999999999999998.0"},
		{1 << 53, "9007199254740992.0"},
		{1e16, "1e+16"},
		{12345678901234567890, "1.2345678901234567e+19"},
		{1e21, "1e+21"},
		{1e22, "1e+22"},
		{1e100, "1e+100"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "5e-324"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	} {
		if got := FormatFloat(c.in); got != c.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", c.in, got, c.want)
		}
		if got := Repr(c.in); got != c.want {
			t.Errorf("Repr(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTypeName(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, "NoneType"},
		{true, "bool"},
		{int64(1), "int"},
		{1, "int"},
		{1.0, "float"},
		{"s", "str"},
		{[]any{}, "list"},
		{NewDict(0), "dict"},
		{uint8(1), "uint8"},
	} {
		if got := TypeName(c.in); got != c.want {
			t.Errorf("TypeName(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTruthy(t *testing.T) {
	for _, c := range []struct {
		in   any
		want bool
	}{
		{nil, false},
		{false, false},
		{true, true},
		{int64(0), false},
		{int64(-1), true},
		{0, false},
		{3, true},
		{0.0, false},
		{negZero, false},
		{0.5, true},
		{math.NaN(), true},
		{"", false},
		{"0", true},
		{[]any{}, false},
		{[]any{nil}, true},
		{NewDict(0), false},
		{DictOf("k", nil), true},
		{struct{}{}, true},
	} {
		if got := Truthy(c.in); got != c.want {
			t.Errorf("Truthy(%s) = %v, want %v", Repr(c.in), got, c.want)
		}
	}
}

func TestAsNumber(t *testing.T) {
	for _, c := range []struct {
		in     any
		want   float64
		wantOK bool
	}{
		{int64(3), 3, true},
		{-4, -4, true},
		{2.5, 2.5, true},
		{true, 1, true},
		{false, 0, true},
		{"1", 0, false},
		{nil, 0, false},
		{[]any{int64(1)}, 0, false},
	} {
		got, ok := AsNumber(c.in)
		if got != c.want || ok != c.wantOK {
			t.Errorf("AsNumber(%s) = %v, %v, want %v, %v", Repr(c.in), got, ok, c.want, c.wantOK)
		}
	}
}

func TestEqual(t *testing.T) {
	for _, c := range []struct {
		a, b any
		want bool
	}{
		{nil, nil, true},
		{nil, false, false},
		{int64(1), 1.0, true},
		{true, int64(1), true},
		{true, 1.0, true},
		{false, 0.0, true},
		{int64(1), 1, true},
		{int64(1), "1", false},
		{"a", "a", true},
		{"a", "b", false},
		{0.0, negZero, true},
		{math.NaN(), math.NaN(), false},
		// Python compares int and float exactly: 2**53+1 != float(2**53).
		{int64(1<<53 + 1), float64(1 << 53), false},
		{float64(1 << 53), int64(1<<53 + 1), false},
		{int64(1 << 53), float64(1 << 53), true},
		{int64(math.MaxInt64), math.Ldexp(1, 63), false},
		{int64(math.MinInt64), -math.Ldexp(1, 63), true},
		{int64(2), 2.5, false},
		{int64(1), math.Inf(1), false},
		{[]any{int64(1), 2.0}, []any{1.0, int64(2)}, true},
		{[]any{int64(1)}, []any{int64(1), int64(2)}, false},
		{[]any{}, NewDict(0), false},
		{DictOf("a", int64(1), "b", int64(2)), DictOf("b", int64(2), "a", 1.0), true},
		{DictOf("a", int64(1)), DictOf("a", int64(2)), false},
		{DictOf("a", int64(1)), DictOf("b", int64(1)), false},
		{DictOf("a", nil), DictOf("a", nil, "b", nil), false},
		{DictOf("k", []any{DictOf("x", "y")}), DictOf("k", []any{DictOf("x", "y")}), true},
	} {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", Repr(c.a), Repr(c.b), got, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b    any
		want    int
		wantErr string
	}{
		{int64(1), int64(2), -1, ""},
		{int64(2), 1.5, 1, ""},
		{true, int64(2), -1, ""},
		{false, true, -1, ""},
		{1.0, int64(1), 0, ""},
		{"B", "a", -1, ""},
		{"é", "z", 1, ""},
		{"abc", "ab", 1, ""},
		{[]any{int64(1), int64(2)}, []any{int64(1), int64(3)}, -1, ""},
		{[]any{int64(1)}, []any{int64(1), int64(0)}, -1, ""},
		{[]any{1.0, "b"}, []any{int64(1), "a"}, 1, ""},
		{[]any{}, []any{}, 0, ""},
		// Exact int/float comparison, as in Python: 2**53+1 > float(2**53).
		{int64(1<<53 + 1), float64(1 << 53), 1, ""},
		{float64(1 << 53), int64(1<<53 + 1), -1, ""},
		{int64(math.MaxInt64), math.Ldexp(1, 63), -1, ""},
		{int64(math.MinInt64), -math.Ldexp(1, 63), 0, ""},
		{int64(-3), -2.5, -1, ""},
		{int64(-2), -2.5, 1, ""},
		{int64(5), math.Inf(-1), 1, ""},
		{int64(1), "a", 0, "'<' not supported between instances of 'int' and 'str'"},
		{nil, nil, 0, "'<' not supported between instances of 'NoneType' and 'NoneType'"},
		{NewDict(0), NewDict(0), 0, "'<' not supported between instances of 'dict' and 'dict'"},
		{[]any{int64(1), "a"}, []any{int64(1), int64(2)}, 0, "'<' not supported between instances of 'str' and 'int'"},
	} {
		got, err := Compare(c.a, c.b)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != c.want || gotErr != c.wantErr {
			t.Errorf("Compare(%s, %s) = %d, %q, want %d, %q", Repr(c.a), Repr(c.b), got, gotErr, c.want, c.wantErr)
		}
	}
}

func TestSort(t *testing.T) {
	for _, c := range []struct {
		name       string
		in         []any
		descending bool
		want       string // Repr of the result, from Python's sorted()
		wantErr    bool
	}{
		{"numbers", []any{int64(3), 1.5, true, int64(-2), 0.0}, false, "[-2, 0.0, True, 1.5, 3]", false},
		{"strings by code point", []any{"b", "B", "a", "é"}, false, "['B', 'a', 'b', 'é']", false},
		{"lists", []any{[]any{int64(1), int64(2)}, []any{int64(1)}, []any{int64(0), int64(5)}}, false, "[[0, 5], [1], [1, 2]]", false},
		{"descending", []any{int64(3), int64(1), int64(2)}, true, "[3, 2, 1]", false},
		{"stable", []any{1.0, int64(1), true}, false, "[1.0, 1, True]", false},
		{"stable descending", []any{int64(1), 1.0, true}, true, "[1, 1.0, True]", false},
		{"empty", []any{}, false, "[]", false},
		{"one incomparable", []any{nil}, false, "[None]", false},
		{"mixed", []any{int64(1), "a"}, false, "", true},
	} {
		orig := Repr(c.in)
		got, err := Sort(c.in, c.descending)
		if (err != nil) != c.wantErr {
			t.Errorf("Sort(%s) error = %v, want error %v", c.name, err, c.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "not supported between instances of") {
				t.Errorf("Sort(%s) error = %q, want a TypeError-like message", c.name, err)
			}
			continue
		}
		if Repr(got) != c.want {
			t.Errorf("Sort(%s) = %s, want %s", c.name, Repr(got), c.want)
		}
		if Repr(c.in) != orig {
			t.Errorf("Sort(%s) changed its input to %s", c.name, Repr(c.in))
		}
	}
}

// shared is a list nested depth levels deep whose every level holds the
// level below twice: depth*32 bytes of memory, 2**depth leaves.
func shared(depth int) any {
	var v any = "x"
	for range depth {
		v = []any{v, v}
	}
	return v
}

// deep is a list nested depth levels deep.
func deep(depth int) any {
	var v any = []any{}
	for range depth {
		v = []any{v}
	}
	return v
}

func TestStrLimit(t *testing.T) {
	for _, c := range []struct {
		v    any
		max  int
		want string
		ok   bool
	}{
		{"abc", 3, "abc", true},
		{"abcd", 3, "", false},
		{[]any{int64(1), "a"}, 8, "[1, 'a']", true},
		{[]any{int64(1), "a"}, 7, "", false},
		{NewDict(0), 2, "{}", true},
		{shared(40), 1000, "", false},
		{"\x00\x01\x02", 3, "\x00\x01\x02", true},
	} {
		got, ok := StrLimit(c.v, c.max)
		if got != c.want || ok != c.ok {
			t.Errorf("StrLimit(%.40s, %d) = %q, %v; want %q, %v", Repr(c.v), c.max, got, ok, c.want, c.ok)
		}
	}
	if got, ok := ReprLimit("\x00\x01\x02", 14); !ok || got != `'\x00\x01\x02'` {
		t.Errorf("ReprLimit = %q, %v", got, ok)
	}
	if got, ok := ReprLimit("\x00\x01\x02", 13); ok {
		t.Errorf("ReprLimit over the limit = %q, %v", got, ok)
	}
	if _, ok := ReprLimit(shared(60), 1<<20); ok {
		t.Error("ReprLimit of 2**60 leaves succeeded")
	}
	// Containers deeper than MaxReprDepth print as [...].
	s := Repr(deep(MaxReprDepth + 5))
	if !strings.HasPrefix(s, strings.Repeat("[", MaxReprDepth)+"[...]") || len(s) != 2*MaxReprDepth+5 {
		t.Errorf("Repr of a deep list = %.40s... (%d bytes)", s, len(s))
	}
}

func TestEqualWithin(t *testing.T) {
	polls := 0
	poll := func() error {
		if polls++; polls == 10 {
			return errStop
		}
		return nil
	}
	// Two distinct values of 2**40 leaves: the walk stops at the poll.
	if _, err := EqualWithin(pollBudget(poll), shared(40), shared(40)); err != errStop {
		t.Fatalf("EqualWithin on 2**40 leaves: %v, want the poll's error", err)
	}
	// The same value is equal to itself without being walked, as in
	// Python (nan included).
	x := []any{shared(40), math.NaN()}
	if eq, err := EqualWithin(pollBudget(poll), x, x); !eq || err != nil {
		t.Errorf("EqualWithin(x, x) = %v, %v", eq, err)
	}
	if _, err := EqualWithin(Unlimited, deep(MaxReprDepth+5), deep(MaxReprDepth+5)); err != ErrTooDeep {
		t.Errorf("EqualWithin on deep values: %v, want ErrTooDeep", err)
	}
	for _, c := range []struct {
		a, b any
		want bool
	}{
		{[]any{int64(1), "a"}, []any{1.0, "a"}, true},
		{[]any{int64(1)}, []any{int64(2)}, false},
		{DictOf("a", []any{int64(1)}), DictOf("a", []any{int64(1)}), true},
		{DictOf("a", int64(1)), DictOf("b", int64(1)), false},
		{deep(10), deep(10), true},
	} {
		if eq, err := EqualWithin(Unlimited, c.a, c.b); eq != c.want || err != nil || Equal(c.a, c.b) != c.want {
			t.Errorf("EqualWithin(%s, %s) = %v, %v; want %v", Repr(c.a), Repr(c.b), eq, err, c.want)
		}
	}
}

var errStop = errors.New("stop")

// pollBudget is a Budget whose every check is poll.
type pollBudget func() error

func (p pollBudget) Tick() error              { return p() }
func (p pollBudget) Check() error             { return p() }
func (p pollBudget) MaxValue() int64          { return math.MaxInt64 }
func (p pollBudget) CheckSize(n int64) error  { return nil }
func (p pollBudget) CheckItems(n int64) error { return nil }
