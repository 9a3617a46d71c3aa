package pyval

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestDictOps(t *testing.T) {
	d := NewDict(0)
	d.Set("b", int64(1))
	d.Set("a", int64(2))
	d.Set("c", int64(3))
	d.Set("b", "again") // an existing key keeps its place
	if got, want := Repr(d), "{'b': 'again', 'a': 2, 'c': 3}"; got != want {
		t.Fatalf("Repr(d) = %s, want %s", got, want)
	}
	keys := d.Keys()
	d.Delete("a")
	d.Delete("missing")
	if got, want := strings.Join(keys, ","), "b,a,c"; got != want {
		t.Errorf("Keys() taken before Delete = %s, want %s (Delete must not write into it)", got, want)
	}
	d.Set("a", nil) // a deleted key comes back at the end
	for _, c := range []struct {
		name string
		got  any
		want any
	}{
		{"Repr", Repr(d), "{'b': 'again', 'c': 3, 'a': None}"},
		{"Len", d.Len(), 3},
		{"Keys", strings.Join(d.Keys(), ","), "b,c,a"},
		{"Has(a)", d.Has("a"), true},
		{"Has(x)", d.Has("x"), false},
		{"Str(b)", d.Str("b"), "again"},
		{"Str(c)", d.Str("c"), ""},
		{"Str(x)", d.Str("x"), ""},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if v, ok := d.Get("a"); v != nil || !ok {
		t.Errorf("Get(a) = %v, %v, want nil, true", v, ok)
	}
	if v, ok := d.Get("x"); v != nil || ok {
		t.Errorf("Get(x) = %v, %v, want nil, false", v, ok)
	}

	var seen []string
	d.Range(func(k string, _ any) bool { seen = append(seen, k); return k != "c" })
	if got, want := strings.Join(seen, ","), "b,c"; got != want {
		t.Errorf("Range stopping at c visited %s, want %s", got, want)
	}

	inner := []any{int64(1)}
	d.Set("l", inner)
	c := d.Copy()
	c.Set("new", true)
	c.Delete("b")
	if got, want := Repr(d), "{'b': 'again', 'c': 3, 'a': None, 'l': [1]}"; got != want {
		t.Errorf("Repr(d) after changing its copy = %s, want %s", got, want)
	}
	if got, _ := c.Get("l"); &got.([]any)[0] != &inner[0] {
		t.Errorf("Copy() copied the list under l, want a shallow copy")
	}
}

func TestNilDict(t *testing.T) {
	var d *Dict
	if v, ok := d.Get("k"); v != nil || ok {
		t.Errorf("nil.Get(k) = %v, %v, want nil, false", v, ok)
	}
	if d.Has("k") || d.Len() != 0 || d.Keys() != nil || d.Str("k") != "" {
		t.Errorf("nil dict: Has, Len, Keys, Str = %v, %d, %v, %q, want false, 0, nil, \"\"", d.Has("k"), d.Len(), d.Keys(), d.Str("k"))
	}
	d.Range(func(string, any) bool { t.Error("nil.Range called f"); return true })
	d.Delete("k")
	if got := d.Copy(); got == nil || got.Len() != 0 {
		t.Errorf("nil.Copy() = %v, want an empty dict", got)
	}
	if b, err := json.Marshal(d); string(b) != "null" || err != nil {
		t.Errorf("json.Marshal(nil dict) = %s, %v, want null", b, err)
	}
}

func TestDictOfPanics(t *testing.T) {
	for _, c := range []struct {
		name string
		args []any
	}{
		{"odd count", []any{"a", int64(1), "b"}},
		{"non-string key", []any{int64(1), int64(2)}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("DictOf(%s) did not panic", c.name)
				}
			}()
			DictOf(c.args...)
		}()
	}
}

func TestDictMarshalJSON(t *testing.T) {
	for _, c := range []struct {
		name string
		d    *Dict
		want string
	}{
		{"empty", NewDict(0), `{}`},
		{"order kept", DictOf("z", int64(1), "a", int64(2)), `{"z":1,"a":2}`},
		{"floats stay floats", DictOf("f", 75.0, "l", []any{1.0, int64(1), negZero}, "e", 1e16, "s", 1e-05, "h", 0.5),
			`{"f":75.0,"l":[1.0,1,-0.0],"e":1e+16,"s":1e-05,"h":0.5}`},
		{"nested", DictOf("d", DictOf("b", []any{nil, true, "x"}, "a", NewDict(0))), `{"d":{"b":[null,true,"x"],"a":{}}}`},
		{"strings escaped", DictOf("q\"k", "line\n\u00e9"), `{"q\"k":"line\n` + "\u00e9" + `"}`},
	} {
		b, err := json.Marshal(c.d)
		if err != nil || string(b) != c.want {
			t.Errorf("json.Marshal(%s) = %s, %v, want %s", c.name, b, err, c.want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		d := DictOf("l", []any{f})
		if b, err := json.Marshal(d); err == nil {
			t.Errorf("json.Marshal({'l': [%v]}) = %s, want an error (not JSON)", f, b)
		}
	}
}

func TestDictJSONRoundTrip(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"z":1,"a":2.0,"m":[1,1.0,-0.0,1e+16,1e-05,0.1],"n":null}`,
		`{"deep":{"b":{"c":[{"x":true},false]},"a":""},"é":"\u00e9"}`,
		`{"big":9223372036854775807,"small":-9223372036854775808,"f":1.7976931348623157e+308}`,
	} {
		var d Dict
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Errorf("json.Unmarshal(%q) error %v", in, err)
			continue
		}
		b, err := json.Marshal(&d)
		if err != nil {
			t.Errorf("json.Marshal(Unmarshal(%q)) error %v", in, err)
			continue
		}
		var back Dict
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("json.Unmarshal(%s) error %v", b, err)
			continue
		}
		if Repr(&back) != Repr(&d) {
			t.Errorf("round trip of %q = %s, want %s", in, Repr(&back), Repr(&d))
		}
	}
}

func TestDictUnmarshalJSON(t *testing.T) {
	type doc struct {
		D   Dict
		Ptr *Dict
	}
	var v doc
	if err := json.Unmarshal([]byte(`{"D":{"b":1,"a":2.5},"Ptr":{"x":[1]}}`), &v); err != nil {
		t.Fatalf("json.Unmarshal into a struct: %v", err)
	}
	if got, want := Repr(&v.D)+" "+Repr(v.Ptr), "{'b': 1, 'a': 2.5} {'x': [1]}"; got != want {
		t.Errorf("json.Unmarshal into a struct = %s, want %s", got, want)
	}
	// null leaves a Dict as it is, per encoding/json's convention.
	if err := json.Unmarshal([]byte(`{"D":null,"Ptr":null}`), &v); err != nil {
		t.Errorf("json.Unmarshal with nulls: %v", err)
	}
	if got, want := Repr(&v.D), "{'b': 1, 'a': 2.5}"; got != want || v.Ptr != nil {
		t.Errorf("after nulls D, Ptr = %s, %v, want %s, nil", got, v.Ptr, want)
	}

	for _, in := range []string{`[1]`, `"s"`, `1`, `{"a":`, `{"a":1} x`, `{"a":1e999}`} {
		var d Dict
		err := json.Unmarshal([]byte(in), &d)
		if err == nil {
			t.Errorf("json.Unmarshal(%q) into a Dict = nil error, want one", in)
			continue
		}
		// The message must be printable (a nil reflect.Type in an
		// UnmarshalTypeError used to panic here).
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("json.Unmarshal(%q) error: Error() panicked: %v", in, r)
				}
			}()
			_ = err.Error()
		}()
	}
	var d Dict
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`[1]`), &d); !errors.As(err, &typeErr) {
		t.Errorf("json.Unmarshal([1]) into a Dict = %v, want a *json.UnmarshalTypeError", err)
	}
}

func TestClone(t *testing.T) {
	orig := DictOf("l", []any{int64(1), DictOf("x", "y")}, "s", "str", "f", 1.5)
	c := Clone(orig).(*Dict)
	if !Equal(c, orig) || Repr(c) != Repr(orig) {
		t.Fatalf("Clone(%s) = %s, want an equal value", Repr(orig), Repr(c))
	}
	l, _ := c.Get("l")
	l.([]any)[0] = int64(99)
	inner := l.([]any)[1].(*Dict)
	inner.Set("x", "changed")
	c.Set("new", nil)
	if got, want := Repr(orig), "{'l': [1, {'x': 'y'}], 's': 'str', 'f': 1.5}"; got != want {
		t.Errorf("original after changing its clone = %s, want %s", got, want)
	}
	for _, v := range []any{nil, true, int64(1), 2.5, "s"} {
		if got := Clone(v); got != v {
			t.Errorf("Clone(%s) = %s, want the same value", Repr(v), Repr(got))
		}
	}
}

func TestFromGo(t *testing.T) {
	for _, c := range []struct {
		name string
		in   any
		want string // Repr
	}{
		{"nil", nil, "None"},
		{"int", 3, "3"},
		{"int32", int32(-3), "-3"},
		{"float32", float32(0.5), "0.5"},
		{"float64 whole", 2.0, "2.0"},
		{"json.Number int", json.Number("12"), "12"},
		{"json.Number float", json.Number("1.5e3"), "1500.0"},
		{"json.Number invalid", json.Number("x"), "'x'"},
		{"strings", []string{"a", "b"}, "['a', 'b']"},
		{"map sorted", map[string]any{"b": 1, "a": []any{json.Number("2"), map[string]any{"z": true, "y": nil}}}, "{'a': [2, {'y': None, 'z': True}], 'b': 1}"},
		{"dict kept", DictOf("z", int64(1), "a", int64(2)), "{'z': 1, 'a': 2}"},
		{"unknown type", uint8(7), "'7'"},
	} {
		if got := Repr(FromGo(c.in)); got != c.want {
			t.Errorf("FromGo(%s) = %s, want %s", c.name, got, c.want)
		}
	}
	// The keys really are in sorted order, not just printed that way.
	d := FromGo(map[string]any{"c": 1, "a": 2, "b": 3}).(*Dict)
	if !slices.Equal(d.Keys(), []string{"a", "b", "c"}) {
		t.Errorf("FromGo(map).Keys() = %v, want [a b c]", d.Keys())
	}
}

func TestAssetBytesBecomeDataURIsInJSON(t *testing.T) {
	img := DictOf("type", "image", "uri", "", "asset_id", nil, "data", []byte{0x89, 'P', 'N', 'G'})
	b, err := DictOf("out", img, "n", 1.5).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"out":{"type":"image","uri":"data:image/png;base64,iVBORw==","asset_id":null,"data":null},"n":1.5}`
	if string(b) != want {
		t.Fatalf("MarshalJSON = %s, want %s", b, want)
	}
	if raw, _ := img.Get("data"); raw == nil {
		t.Fatal("the original dict was changed")
	}
}

// TestDictAgainstMap runs the same sets, gets and deletes on a Dict and on
// a Go map with a key order list, across the size where the dict starts
// keeping an index, and compares them after every step.
func TestDictAgainstMap(t *testing.T) {
	d := NewDict(0)
	m := map[string]int{}
	var order []string
	check := func(step string) {
		t.Helper()
		if d.Len() != len(order) || !slices.Equal(d.Keys(), order) {
			t.Fatalf("after %s: keys %v, want %v", step, d.Keys(), order)
		}
		for i, k := range order {
			v, ok := d.Get(k)
			if !ok || v != m[k] {
				t.Fatalf("after %s: Get(%q) = %v, %v, want %d", step, k, v, ok, m[k])
			}
			if kk, vv := d.At(i); kk != k || vv != m[k] {
				t.Fatalf("after %s: At(%d) = %q, %v, want %q, %d", step, i, kk, vv, k, m[k])
			}
		}
		if _, ok := d.Get("absent"); ok {
			t.Fatalf("after %s: Get(absent) found a value", step)
		}
	}
	for i := range 300 {
		k := strconv.Itoa(i * 7 % 101) // repeats from 101 on
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = i
		d.Set(k, i)
		check("Set " + k)
		if i%5 == 4 {
			del := order[(i/5)%len(order)]
			delete(m, del)
			order = slices.DeleteFunc(order, func(s string) bool { return s == del })
			d.Delete(del)
			check("Delete " + del)
		}
	}
	c := d.Copy()
	c.Set("new", 0)
	check("Copy and Set on the copy")
	for len(order) > 0 {
		k := order[0]
		order = order[1:]
		delete(m, k)
		d.Delete(k)
		check("Delete " + k)
	}
}
