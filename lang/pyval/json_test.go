package pyval

import (
	"math"
	"testing"
)

// The expected strings in this file were produced by CPython 3.11's
// json.dumps with the same options and pasted in as literals.

func TestDumps(t *testing.T) {
	val := DictOf(
		"b", int64(1),
		"a", []any{1.5, "x", nil, true, false},
		"\u00e9", DictOf("z", NewDict(0), "y", []any{}),
		"n", negZero,
		"big", 1e16,
		"small", 1e-05,
	)
	for _, c := range []struct {
		name string
		v    any
		o    DumpOptions // Python's defaults are Indent -1, EnsureASCII true
		want string
	}{
		{"defaults", val, DumpOptions{Indent: -1, EnsureASCII: true},
			"{\"b\": 1, \"a\": [1.5, \"x\", null, true, false], \"\\u00e9\": {\"z\": {}, \"y\": []}, \"n\": -0.0, \"big\": 1e+16, \"small\": 1e-05}"},
		{"indent=2", val, DumpOptions{Indent: 2, EnsureASCII: true},
			"{\n  \"b\": 1,\n  \"a\": [\n    1.5,\n    \"x\",\n    null,\n    true,\n    false\n  ],\n  \"\\u00e9\": {\n    \"z\": {},\n    \"y\": []\n  },\n  \"n\": -0.0,\n  \"big\": 1e+16,\n  \"small\": 1e-05\n}"},
		{"indent=0", val, DumpOptions{Indent: 0, EnsureASCII: true},
			"{\n\"b\": 1,\n\"a\": [\n1.5,\n\"x\",\nnull,\ntrue,\nfalse\n],\n\"\\u00e9\": {\n\"z\": {},\n\"y\": []\n},\n\"n\": -0.0,\n\"big\": 1e+16,\n\"small\": 1e-05\n}"},
		{"sort_keys", val, DumpOptions{Indent: -1, EnsureASCII: true, SortKeys: true},
			"{\"a\": [1.5, \"x\", null, true, false], \"b\": 1, \"big\": 1e+16, \"n\": -0.0, \"small\": 1e-05, \"\\u00e9\": {\"y\": [], \"z\": {}}}"},
		{"ensure_ascii=False", val, DumpOptions{Indent: -1},
			"{\"b\": 1, \"a\": [1.5, \"x\", null, true, false], \"\u00e9\": {\"z\": {}, \"y\": []}, \"n\": -0.0, \"big\": 1e+16, \"small\": 1e-05}"},
		{"indent=4 sort_keys ensure_ascii=False", val, DumpOptions{Indent: 4, SortKeys: true},
			"{\n    \"a\": [\n        1.5,\n        \"x\",\n        null,\n        true,\n        false\n    ],\n    \"b\": 1,\n    \"big\": 1e+16,\n    \"n\": -0.0,\n    \"small\": 1e-05,\n    \"\u00e9\": {\n        \"y\": [],\n        \"z\": {}\n    }\n}"},
		{"escapes ascii", "q\"b\\/\b\f\n\r\t\x00\x1f\x7f \u00e9\u4e2d\U0001f600\u2028", DumpOptions{Indent: -1, EnsureASCII: true},
			"\"q\\\"b\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f \\u00e9\\u4e2d\\ud83d\\ude00\\u2028\""},
		{"escapes utf-8", "q\"b\\/\b\f\n\r\t\x00\x1f\x7f \u00e9\u4e2d\U0001f600\u2028", DumpOptions{Indent: -1},
			"\"q\\\"b\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\x7f \u00e9\u4e2d\U0001f600\u2028\""},
		{"surrogate pair key", DictOf("k", "\U0001f600"), DumpOptions{Indent: -1, EnsureASCII: true, SortKeys: true},
			"{\"k\": \"\\ud83d\\ude00\"}"},
		{"sort by code point", DictOf("b", int64(1), "B", int64(2), "a", int64(3), "\u00e9", int64(4), "z", int64(5), "\U0001f600", int64(6), "\uffff", int64(7)), DumpOptions{Indent: -1, SortKeys: true},
			"{\"B\": 2, \"a\": 3, \"b\": 1, \"z\": 5, \"\u00e9\": 4, \"\uffff\": 7, \"\U0001f600\": 6}"},
		{"special floats", []any{math.NaN(), math.Inf(1), math.Inf(-1), 0.30000000000000004, int64(1 << 62), -5}, DumpOptions{Indent: -1},
			"[NaN, Infinity, -Infinity, 0.30000000000000004, 4611686018427387904, -5]"},
		{"nested indent=1", []any{[]any{int64(1), []any{int64(2), []any{}}}, NewDict(0)}, DumpOptions{Indent: 1},
			"[\n [\n  1,\n  [\n   2,\n   []\n  ]\n ],\n {}\n]"},
		{"scalars", []any{nil, true, false, "", 1.0}, DumpOptions{Indent: -1}, "[null, true, false, \"\", 1.0]"},
		{"empty list", []any{}, DumpOptions{Indent: 2}, "[]"},
		{"empty dict", NewDict(0), DumpOptions{Indent: 2}, "{}"},
	} {
		if got := Dumps(c.v, c.o); got != c.want {
			t.Errorf("Dumps(%s, %+v) = %q, want %q", c.name, c.o, got, c.want)
		}
	}
}

// TestDumpsKeepsDict checks that SortKeys sorts a copy of the keys.
func TestDumpsKeepsDict(t *testing.T) {
	d := DictOf("b", int64(1), "a", int64(2))
	Dumps(d, DumpOptions{Indent: -1, SortKeys: true})
	if got := Repr(d); got != "{'b': 1, 'a': 2}" {
		t.Errorf("Repr(d) after Dumps(d, SortKeys) = %s, want {'b': 1, 'a': 2}", got)
	}
}
