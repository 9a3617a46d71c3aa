package msgpack_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"nodetool/lang/pyval"
)

// h decodes a hex string written with spaces between bytes, as the spec's
// diagrams read.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// short renders b as hex, cut to a readable length.
func short(b []byte) string {
	if len(b) > 48 {
		return fmt.Sprintf("%x…(%d bytes)", b[:48], len(b))
	}
	return fmt.Sprintf("%x", b)
}

// same reports whether two decoded values are identical: the same types,
// floats with the same bits, dicts with the same keys in the same order.
// pyval.Equal cannot serve: it equates 1 and 1.0 and knows neither []byte
// nor time.Time.
func same(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, int64, string:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y) && (x == nil) == (y == nil)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && x.Location() == y.Location()
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !same(x[i], y[i]) {
				return false
			}
		}
		return true
	case *pyval.Dict:
		y, ok := b.(*pyval.Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		xk, yk := x.Keys(), y.Keys()
		for i, k := range xk {
			if yk[i] != k {
				return false
			}
			xv, _ := x.Get(k)
			yv, _ := y.Get(k)
			if !same(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// show renders a decoded value for failure messages, with its types.
func show(v any) string {
	var b strings.Builder
	writeShow(&b, v)
	return b.String()
}

func writeShow(b *strings.Builder, v any) {
	switch x := v.(type) {
	case []byte:
		fmt.Fprintf(b, "[]byte(%s)", short(x))
	case string:
		if len(x) > 40 {
			fmt.Fprintf(b, "%q…(%d bytes)", x[:40], len(x))
		} else {
			fmt.Fprintf(b, "%q", x)
		}
	case time.Time:
		fmt.Fprintf(b, "time(%s)", x.Format(time.RFC3339Nano))
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i == 8 {
				fmt.Fprintf(b, ", …(%d items)", len(x))
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeShow(b, e)
		}
		b.WriteString("]")
	case *pyval.Dict:
		b.WriteString("{")
		for i, k := range x.Keys() {
			if i == 8 {
				fmt.Fprintf(b, ", …(%d keys)", x.Len())
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			v, _ := x.Get(k)
			fmt.Fprintf(b, "%q: ", k)
			writeShow(b, v)
		}
		b.WriteString("}")
	default:
		fmt.Fprintf(b, "%T(%v)", v, v)
	}
}
