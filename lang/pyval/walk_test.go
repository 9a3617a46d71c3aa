package pyval

import (
	"math"
	"testing"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("bad JSON literal %q: %v", s, err)
	}
	return v
}

func TestValueEqualAndHashAgree(t *testing.T) {
	shared := mustDecode(t, `{"k": [1, 2.5, "x"]}`)
	values := []any{
		nil, true, false, int64(0), int64(1), int64(-7), 1.0, 0.0, math.Copysign(0, -1), 2.5, float64(1 << 62), int64(1 << 62),
		"", "a", "é", []any{}, []any{int64(1), "a"}, []any{1.0, "a"}, []any{true, "a"},
		mustDecode(t, `{}`), mustDecode(t, `{"a": 1, "b": [1, 2]}`), mustDecode(t, `{"b": [1.0, 2], "a": true}`),
		[]any{shared, shared}, []any{mustDecode(t, `{"k": [1, 2.5, "x"]}`), shared},
	}
	for _, jsonBools := range []bool{false, true} {
		h := newValueHasher(Unlimited, jsonBools)
		for _, a := range values {
			for _, b := range values {
				eq, err := equal(a, b, &eqWalk{poll: Unlimited.Tick, json: jsonBools})
				if err != nil {
					t.Fatal(err)
				}
				want := Equal(a, b)
				if jsonBools {
					want = jsonSchemaEqual(a, b)
				}
				if eq != want {
					t.Errorf("valueEqual(%s, %s, %v) = %v, want %v", Repr(a), Repr(b), jsonBools, eq, want)
				}
				ha, _ := h.hash(a)
				hb, _ := h.hash(b)
				if eq && ha != hb {
					t.Errorf("hash(%s) != hash(%s) with jsonBools %v, though they are equal", Repr(a), Repr(b), jsonBools)
				}
			}
		}
	}
}

// jsonSchemaEqual is JSON Schema's equality written out plainly: booleans
// equal only booleans, numbers by value, containers item by item.
func jsonSchemaEqual(a, b any) bool {
	_, ab := a.(bool)
	_, bb := b.(bool)
	if ab || bb {
		return ab && bb && a == b
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonSchemaEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, ok := y.Get(k)
			if !ok || !jsonSchemaEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return Equal(a, b)
}

// A value that holds one dict 2^60 times hashes in a step per distinct
// dict, and compares equal to itself at once.
func TestValueWalkersOnSharedValues(t *testing.T) {
	v := any(DictOf("x", "leaf"))
	for range 60 {
		v = DictOf("a", v, "b", v)
	}
	h := newValueHasher(Unlimited, false)
	if _, err := h.hash(v); err != nil {
		t.Fatal(err)
	}
	if len(h.memo) > 61 {
		t.Errorf("hashing remembered %d containers, want at most 61", len(h.memo))
	}
	s := NewSet(Unlimited, false)
	for range 3 {
		if _, err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.buckets); n != 1 {
		t.Errorf("the set holds %d buckets, want 1", n)
	}
	if c, err := CompareWithin(Unlimited, []any{v}, []any{v}); err != nil || c != 0 {
		t.Errorf("valueCompare of a list with itself = %d, %v", c, err)
	}
}
