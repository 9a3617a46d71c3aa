package engine

import (
	"testing"

	"nodetool/lang/pyval"
)

// A value that holds one container many times costs its distinct
// containers to check, not its references: 100,000 references to a list
// of 100,000 numbers (10^10 numbers if walked naively) check at once.
func TestFitsSharedStructure(t *testing.T) {
	inner := make([]any, 100_000)
	for i := range inner {
		inner[i] = int64(i)
	}
	outer := make([]any, 100_000)
	for i := range outer {
		outer[i] = inner
	}
	if !fits(outer, MustType("list[list[int]]")) {
		t.Fatal("fits(shared list of ints, list[list[int]]) = false")
	}
	d := pyval.DictOf("a", outer)
	if !fits([]any{d, d, d}, MustType("list[dict[str, list[list[float]]]]")) {
		t.Fatal("fits(shared dicts, list[dict[str, list[list[float]]]]) = false")
	}
}

func TestFitsRemembersPerElementType(t *testing.T) {
	strs := []any{"a", "b"}
	for _, tc := range []struct {
		v    any
		typ  string
		want bool
	}{
		{[]any{strs, strs}, "list[list[str]]", true},
		{[]any{strs, strs}, "list[list[int]]", false},
		// strs fits the union's second member; a check against the first
		// must not be taken for a success.
		{[]any{strs, []any{int64(1)}}, "list[union[list[int], list[str]]]", true},
		{pyval.DictOf("x", []any{strs}, "y", []any{strs}), "dict[str, list[list[int]]]", false},
		{[]any{[]any{strs}, []any{[]any{int64(1)}}}, "list[list[list[str]]]", false},
	} {
		if got := fits(tc.v, MustType(tc.typ)); got != tc.want {
			t.Errorf("fits(%s, %s) = %v, want %v", pyval.Repr(tc.v), tc.typ, got, tc.want)
		}
	}
}
