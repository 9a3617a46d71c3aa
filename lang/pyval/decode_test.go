package pyval

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // Repr, from Python's repr(json.loads(in)) unless noted
	}{
		{`{"a": 1, "b": 1.0, "c": [1e2, -0, -0.0, 1E-5, 0.5e1], "d": "\u00e9\ud83d\ude00", "a": 2}`,
			"{'a': 2, 'b': 1.0, 'c': [100.0, 0, -0.0, 1e-05, 5.0], 'd': '\u00e9\U0001f600'}"},
		{`  [true, false, null, "", [], {}]  `, "[True, False, None, '', [], {}]"},
		{`{"nested": {"k": [1, {"x": null}]}}`, "{'nested': {'k': [1, {'x': None}]}}"},
		{`{"z": 1, "a": 2, "m": 3}`, "{'z': 1, 'a': 2, 'm': 3}"},
		{`"tab\tquote\""`, `'tab\tquote"'`},
		{`9223372036854775807`, "9223372036854775807"},
		{`-9223372036854775808`, "-9223372036854775808"},
		{`0.1`, "0.1"},
		{`100`, "100"},
		{`-1.5E-7`, "-1.5e-07"},
		{`1e308`, "1e+308"},
		{`1e-400`, "0.0"},
		// Beyond int64 a number becomes a float (Python keeps an int).
		{`12345678901234567890`, "1.2345678901234567e+19"},
		// A lone surrogate cannot live in a Go string (Python keeps '\ud800').
		{`"\ud800"`, "'\ufffd'"},
	} {
		v, err := Decode([]byte(c.in))
		if err != nil {
			t.Errorf("Decode(%q) error %v", c.in, err)
			continue
		}
		if got := Repr(v); got != c.want {
			t.Errorf("Decode(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDecodeTypes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // TypeName
	}{
		{`1`, "int"},
		{`-0`, "int"},
		{`1.0`, "float"},
		{`1e2`, "float"},
		{`9223372036854775808`, "float"},
		{`"1"`, "str"},
		{`null`, "NoneType"},
		{`true`, "bool"},
		{`[]`, "list"},
		{`{}`, "dict"},
	} {
		v, err := Decode([]byte(c.in))
		if err != nil {
			t.Errorf("Decode(%q) error %v", c.in, err)
			continue
		}
		if got := TypeName(v); got != c.want {
			t.Errorf("TypeName(Decode(%q)) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // substring of the error
	}{
		{``, "unexpected end of input"},
		{`   `, "unexpected end of input"},
		{`[1`, "invalid JSON"},
		{`{"a":1`, "invalid JSON"},
		{`[1,]`, "invalid JSON"},
		{`[1 2]`, "invalid JSON"},
		{`{"a":1,}`, "invalid JSON"},
		{`{"a" 1}`, "invalid JSON"},
		{`{"a"}`, "invalid JSON"},
		{`{1:2}`, "invalid JSON"},
		{`{"a":1 "b":2}`, "invalid JSON"},
		{`]`, "invalid JSON"},
		{`nul`, "invalid JSON"},
		{`01`, "invalid JSON"},
		{`NaN`, "invalid JSON"},
		{`'a'`, "invalid JSON"},
		{`1e400`, "out of range"},
		{`-1e400`, "out of range"},
		{`1 2`, "unexpected data after the top-level value"},
		{`{} {}`, "unexpected data after the top-level value"},
		{`[] x`, "invalid JSON"},
		{`{}]`, "invalid JSON"},
	} {
		v, err := Decode([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%q) = %s, %v, want an error containing %q", c.in, Repr(v), err, c.want)
		}
	}
}

func TestDecodeDepth(t *testing.T) {
	nest := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	for _, c := range []struct {
		name   string
		in     string
		wantOK bool
	}{
		{"MaxDepth lists", nest("[", "]", MaxDepth), true},
		{"MaxDepth+1 lists", nest("[", "]", MaxDepth+1), false},
		{"MaxDepth dicts", nest(`{"k":`, "}", MaxDepth), true},
		{"MaxDepth+1 dicts", nest(`{"k":`, "}", MaxDepth+1), false},
		{"MaxDepth empty lists", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), true},
		{"MaxDepth+1 empty lists", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), false},
		{"very deep", strings.Repeat("[", 1_000_000), false},
	} {
		_, err := Decode([]byte(c.in))
		if (err == nil) != c.wantOK {
			t.Errorf("Decode(%s) error = %v, want success %v", c.name, err, c.wantOK)
		}
		if err != nil && !c.wantOK && !strings.Contains(err.Error(), "nesting deeper than") {
			t.Errorf("Decode(%s) error = %v, want a nesting error", c.name, err)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    string // Repr
		wantErr bool
	}{
		{"0", "0", false},
		{"-12", "-12", false},
		{"1.0", "1.0", false},
		{"2E3", "2000.0", false},
		{"9223372036854775808", "9.223372036854776e+18", false},
		{"1e999", "", true},
		{"abc", "", true},
	} {
		v, err := Number(c.in)
		if (err != nil) != c.wantErr || (err == nil && Repr(v) != c.want) {
			t.Errorf("Number(%q) = %s, %v, want %s (error %v)", c.in, Repr(v), err, c.want, c.wantErr)
		}
	}
}

// FuzzDecode checks that Decode never panics, agrees with encoding/json
// (referenceDecode), holds every limit at exactly what the input needs
// (checkLimits), and that what it accepts
// survives a trip through Dumps (with any options), and a Dict one through
// MarshalJSON, with its types, key order and values intact.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	opts := []DumpOptions{{Indent: -1}, {Indent: -1, EnsureASCII: true}, {Indent: 2, SortKeys: true}, {Indent: 0, EnsureASCII: true}}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstReference(t, data)
		checkLimits(t, data)
		v, err := Decode(data)
		if err != nil {
			return
		}
		want := Repr(v)
		_ = Str(v)
		for _, o := range opts {
			text := Dumps(v, o)
			back, err := Decode([]byte(text))
			if err != nil {
				t.Fatalf("Decode(Dumps(Decode(%q), %+v)) = %q: error %v", data, o, text, err)
			}
			if !Equal(back, v) {
				t.Fatalf("Decode(Dumps(Decode(%q), %+v)) = %s, want %s", data, o, Repr(back), want)
			}
			if !o.SortKeys && Repr(back) != want {
				t.Fatalf("Decode(Dumps(Decode(%q), %+v)) = %s, want %s", data, o, Repr(back), want)
			}
		}
		d, ok := v.(*Dict)
		if !ok {
			return // MarshalJSON is the Dict's; other values are encoding/json's
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("json.Marshal(Decode(%q)) error %v", data, err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(json.Marshal(Decode(%q))) = %q: error %v", data, b, err)
		}
		if Repr(back) != want {
			t.Fatalf("Decode(json.Marshal(Decode(%q))) = %s, want %s", data, Repr(back), want)
		}
	})
}
