package pyval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// hostileBodies are JSON documents of about size bytes that each maximise
// one cost of decoding: per byte of input, the most lists, dicts, boxed
// numbers, strings or keys, and the deepest nesting.
func hostileBodies(size int) map[string][]byte {
	rep := func(item string) []byte {
		n := (size - 2) / (len(item) + 1)
		return []byte("[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]")
	}
	var keys strings.Builder
	keys.WriteByte('{')
	for i := 0; keys.Len() < size; i++ {
		if i > 0 {
			keys.WriteByte(',')
		}
		keys.WriteString(`"` + strconv.FormatInt(int64(i), 36) + `":0`)
	}
	keys.WriteByte('}')
	return map[string][]byte{
		"deep":         bytes.Repeat([]byte("["), size),
		"emptyDicts":   rep("{}"),
		"emptyLists":   rep("[]"),
		"zeros":        rep("0"),
		"negOnes":      rep("-1"),
		"bigInts":      rep("1000"),
		"floats":       rep("0.5"),
		"keys":         []byte(keys.String()),
		"shortStrings": rep(`"a"`),
		"escapes":      rep(`"\u00e9"`),
		"badUTF8":      rep("\"\xff\xff\xff\xff\""),
		"longStrings":  rep(`"` + strings.Repeat("x", 64<<10) + `"`),
		"points":       rep(`{"x":1,"y":2}`),
	}
}

// allocated returns the bytes the process allocates while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeCost decodes 2 MiB documents built to be as costly as JSON
// can be, and checks that each stays within the default budget (ten times
// its size plus CostFloor) or is refused for the limit it breaks.
func TestDecodeCost(t *testing.T) {
	refused := map[string]LimitKind{"deep": LimitDepth, "emptyDicts": LimitMemory}
	Decode([]byte(`{"warm":["the pool"]}`))
	for name, body := range hostileBodies(2 << 20) {
		var err error
		got := allocated(func() { _, err = Decode(body) })
		t.Logf("%-12s %8d bytes: allocated %10d (%4.1fx), error %v", name, len(body), got, float64(got)/float64(len(body)), err)
		// Slack for what the budget does not see: a decoder made when the
		// pool is empty, the error.
		budget := uint64(raceAllocSlack*float64(CostFactor*len(body)) + CostFloor + 32<<10)
		if got > budget {
			t.Errorf("Decode(%s, %d bytes) allocated %d bytes (%.1fx), want at most %d", name, len(body), got, float64(got)/float64(len(body)), budget)
		}
		var le *LimitError
		switch want, ok := refused[name]; {
		case ok && (!errors.As(err, &le) || le.Kind != want):
			t.Errorf("Decode(%s) error = %v, want a limit error of kind %d", name, err, want)
		case !ok && err != nil:
			t.Errorf("Decode(%s) error = %v, want success", name, err)
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	doc := []byte(`{"a":[1,2,{"b":"c"}],"d":null}`) // 7 values, depth 3
	_, stats, err := decode(doc, Limits{})
	spent := stats.spent
	if err != nil {
		t.Fatalf("decode(%s) error %v", doc, err)
	}
	for _, c := range []struct {
		name string
		l    Limits
		want LimitKind // 0: success
	}{
		{"defaults", Limits{}, 0},
		{"items at the count", Limits{MaxItems: 7}, 0},
		{"items one short", Limits{MaxItems: 6}, LimitItems},
		{"depth at the nesting", Limits{MaxDepth: 3}, 0},
		{"depth one short", Limits{MaxDepth: 2}, LimitDepth},
		{"memory at the cost", Limits{MaxBytes: spent}, 0},
		{"memory one short", Limits{MaxBytes: spent - 1}, LimitMemory},
	} {
		v, err := DecodeLimits(doc, c.l)
		var le *LimitError
		switch {
		case c.want == 0 && err != nil:
			t.Errorf("%s: DecodeLimits(%s, %+v) error %v, want success", c.name, doc, c.l, err)
		case c.want != 0 && (!errors.As(err, &le) || le.Kind != c.want || v != nil):
			t.Errorf("%s: DecodeLimits(%s, %+v) = %s, %v, want a limit error of kind %d", c.name, doc, c.l, Repr(v), err, c.want)
		}
	}
	for _, c := range []struct {
		err  *LimitError
		want string
	}{
		{&LimitError{LimitDepth, 512}, "invalid JSON: nesting deeper than 512 levels"},
		{&LimitError{LimitItems, 9}, "JSON too large: more than 9 values"},
		{&LimitError{LimitMemory, 100}, "JSON too large: decoding it would take more than 100 bytes of memory (the limit is 10 times its size plus 64 KiB)"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("LimitError%+v.Error() = %q, want %q", *c.err, got, c.want)
		}
	}
}

// TestDecodeSharesStrings checks that repeated keys and short strings are
// one copy, and that the shared empty list stays empty when appended to.
func TestDecodeSharesStrings(t *testing.T) {
	v, err := Decode([]byte(`[{"key":"value","l":[]},{"key":"value","l":[]}]`))
	if err != nil {
		t.Fatal(err)
	}
	l := v.([]any)
	a, b := l[0].(*Dict), l[1].(*Dict)
	ka, va := a.At(0)
	kb, vb := b.At(0)
	if ka != kb || va != vb || !sameString(ka, kb) || !sameString(va.(string), vb.(string)) {
		t.Errorf("the two dicts' key and value are not shared")
	}
	la, _ := a.Get("l")
	grown := append(la.([]any), int64(1))
	if lb, _ := b.Get("l"); len(lb.([]any)) != 0 || len(grown) != 1 {
		t.Errorf("appending to one empty list changed another: %s", Repr(lb))
	}
}

// sameString reports whether a and b are one string in memory.
func sameString(a, b string) bool {
	return a == b && unsafe.StringData(a) == unsafe.StringData(b)
}

// referenceDecode is the decoder Decode replaced (encoding/json's token
// stream), kept to check the new one against.
func referenceDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := referenceValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

func referenceValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if (t == '{' || t == '[') && depth >= MaxDepth {
			return nil, errors.New("too deep")
		}
		switch t {
		case '{':
			d := NewDict(0)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("key not a string")
				}
				v, err := referenceValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				d.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return d, nil
		case '[':
			l := []any{}
			for dec.More() {
				v, err := referenceValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case json.Number:
		return Number(string(t))
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// TestDecodeMatchesReference runs both decoders over the inputs of the
// other tests.
func TestDecodeMatchesReference(t *testing.T) {
	for _, in := range decodeSeeds {
		checkAgainstReference(t, []byte(in))
	}
}

// checkAgainstReference fails unless Decode and referenceDecode agree on
// data: both refuse it, or both give the same value (types, key order and
// float bits included, as Repr shows them).
func checkAgainstReference(t *testing.T, data []byte) {
	t.Helper()
	v, err := Decode(data)
	var le *LimitError
	if errors.As(err, &le) && le.Kind != LimitDepth {
		return // the reference has no such limit
	}
	ref, refErr := referenceDecode(data)
	switch {
	case (err == nil) != (refErr == nil):
		t.Fatalf("Decode(%q) error = %v, the reference's %v", data, err, refErr)
	case err == nil && (Repr(v) != Repr(ref) || !sameFloats(v, ref)):
		t.Fatalf("Decode(%q) = %s, the reference's %s", data, Repr(v), Repr(ref))
	}
}

// sameFloats compares what Repr may blur: the sign of zero is kept by
// Repr, so only the type of each value needs checking.
func sameFloats(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameFloats(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := range x.Len() {
			k, xv := x.At(i)
			kk, yv := y.At(i)
			if k != kk || !sameFloats(xv, yv) {
				return false
			}
		}
		return true
	}
	return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b)
}

// decodeSeeds are inputs for the fuzzer and the reference check: the
// corners of the grammar, of escapes and UTF-8, of numbers and of nesting.
var decodeSeeds = []string{
	`{"a": 1, "b": 1.0, "c": [1e2, -0, -0.0, 1E-5, 0.5e1], "d": "\u00e9\ud83d\ude00", "a": 2}`,
	`  [true, false, null, "", [], {}]  `,
	`{"nested": {"k": [1, {"x": null}]}}`,
	`"\u0000\u001f\u007f\"\\/\b\f\n\r\t"`,
	`9223372036854775807`, `-9223372036854775808`, `9223372036854775808`, `-9223372036854775809`,
	`999999999999999999`, `-999999999999999999`, `1000000000000000000`, `12345678901234567890`,
	`0`, `-0`, `-0.0`, `0.1`, `1e308`, `1e-400`, `5e-324`, `1e400`, `-1e400`, `1E+2`, `1e-0`,
	`"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `"\ud83d\ude00x"`, `"\uD83D\uDE00"`, `"\ud83d\ud83d\ude00"`,
	"\"\xff\"", "\"\xe2\x82\"", "\"a\xc3\xa9b\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
	`[[[[[[1]]]]]]`, `{"k": {"k": {"k": []}}}`, `[{},{"a":{}},[[]]]`,
	`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"a":11,"k":{"x":1,"x":2}}`,
	``, `   `, `[1`, `{"a":1`, `[1,]`, `[1 2]`, `{"a":1,}`, `{"a" 1}`, `{"a"}`, `{1:2}`, `{"a":1 "b":2}`,
	`]`, `nul`, `tru`, `falsy`, `01`, `-`, `-a`, `1.`, `1.e5`, `1e`, `1e+`, `.5`, `+1`, `NaN`, `'a'`,
	`1 2`, `{} {}`, `[] x`, `{}]`, "\"a\tb\"", "\"a\nb\"", `"\x"`, `"\u12"`, `"\u12g4"`, `"abc`, `"\`,
	"\ufeff{}", "[1,\u00a02]", "[\"\x00\"]",
}

// countValues returns the values in v (as Limits.MaxItems counts them) and
// its nesting depth (as Limits.MaxDepth does).
func countValues(v any) (items, depth int) {
	switch t := v.(type) {
	case []any:
		items, depth = 1, 1
		for _, e := range t {
			n, d := countValues(e)
			items += n
			depth = max(depth, d+1)
		}
	case *Dict:
		items, depth = 1, 1
		t.Range(func(_ string, e any) bool {
			n, d := countValues(e)
			items += n
			depth = max(depth, d+1)
			return true
		})
	default:
		items = 1
	}
	return items, depth
}

// checkLimits fails unless each limit of DecodeLimits holds at exactly
// what data needs: allowed at the need, refused one below.
func checkLimits(t *testing.T, data []byte) {
	t.Helper()
	v, stats, err := decode(data, Limits{})
	_, huge, hugeErr := decode(data, Limits{MaxBytes: 1 << 40})
	if cerr := Check(data, Limits{}); (cerr == nil) != (hugeErr == nil) && !strings.Contains(fmt.Sprint(hugeErr), "out of range") {
		t.Fatalf("Check(%q) = %v, but decoding it gives %v", data, cerr, hugeErr)
	}
	if err != nil {
		var le *LimitError
		if hugeErr == nil && (!errors.As(err, &le) || le.Kind != LimitMemory || huge.spent <= CostFactor*int64(len(data))+CostFloor) {
			t.Fatalf("decode(%q) = %v with the default budget, but needs only %d bytes", data, err, huge.spent)
		}
		return
	}
	spent, items := stats.spent, stats.items
	if spent > CostFactor*int64(len(data))+CostFloor {
		t.Fatalf("decode(%q) spent %d bytes, over its budget", data, spent)
	}
	n, depth := countValues(v)
	if n > items || depth > stats.depth {
		t.Fatalf("decode(%q) counted %d values and depth %d, but it holds %d values, depth %d", data, items, stats.depth, n, depth)
	}
	depth = stats.depth // with repeated keys, more than the value shows
	for _, c := range []struct {
		l    Limits
		want LimitKind
	}{
		{Limits{MaxItems: items}, 0},
		{Limits{MaxItems: items - 1}, LimitItems},
		{Limits{MaxDepth: depth}, 0},
		{Limits{MaxDepth: depth - 1}, LimitDepth},
		{Limits{MaxBytes: spent}, 0},
		{Limits{MaxBytes: spent - 1}, LimitMemory},
	} {
		if c.l.MaxItems < 0 || c.l.MaxDepth < 0 || c.l.MaxBytes < 0 ||
			c.want != 0 && c.l.MaxItems == 0 && c.l.MaxDepth == 0 && c.l.MaxBytes == 0 {
			continue // zero is the default, not a limit
		}
		got, err := DecodeLimits(data, c.l)
		var le *LimitError
		switch {
		case c.want == 0 && (err != nil || Repr(got) != Repr(v)):
			t.Fatalf("DecodeLimits(%q, %+v) = %s, %v, want %s", data, c.l, Repr(got), err, Repr(v))
		case c.want != 0 && (!errors.As(err, &le) || le.Kind != c.want):
			t.Fatalf("DecodeLimits(%q, %+v) error = %v, want a limit error of kind %d", data, c.l, err, c.want)
		}
	}
}

func TestDecodeLimitsAtTheirEdge(t *testing.T) {
	for _, in := range decodeSeeds {
		checkLimits(t, []byte(in))
	}
}

// BenchmarkDecode decodes a typical workflow (an example of the
// repository) and a run's params, with Decode and with the decoder it
// replaced.
func BenchmarkDecode(b *testing.B) {
	workflow, err := os.ReadFile("../../testdata/conformance/26-structured-output-chain.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"params", []byte(`{"params":{"text":"hello world"}}`)},
		{"workflow", workflow},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(c.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/reference", func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := referenceDecode(c.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
