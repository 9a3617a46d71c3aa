package msgpack_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// golden is a value, the bytes the MessagePack spec prescribes for it, and
// the value those bytes decode to (which differs from in where the decoder
// widens: ints to int64, float32 to float64).
type golden struct {
	name string
	in   any
	enc  []byte
	out  any
}

// repeat returns n copies of b.
func repeat(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// nils returns a []any of n nils.
func nils(n int) []any { return make([]any, n) }

// dictN returns a dict of n keys "k00000".. (fixstr of 6 bytes) with nil
// values, and its encoded entries: a6 "k00000" c0, …
func dictN(n int) (*pyval.Dict, []byte) {
	d := pyval.NewDict(n)
	var enc []byte
	for i := range n {
		k := fmt.Sprintf("k%05d", i)
		d.Set(k, nil)
		enc = append(enc, 0xa6)
		enc = append(enc, k...)
		enc = append(enc, 0xc0)
	}
	return d, enc
}

func goldens() []golden {
	a := func(n int) string { return strings.Repeat("a", n) }
	ab := func(n int) []byte { return repeat('a', n) }
	bin := func(n int) []byte { return repeat(0x5a, n) }
	d15, e15 := dictN(15)
	d16, e16 := dictN(16)
	d65535, e65535 := dictN(65535)
	d65536, e65536 := dictN(65536)
	return []golden{
		// nil and bool.
		{"nil", nil, h("c0"), nil},
		{"false", false, h("c2"), false},
		{"true", true, h("c3"), true},

		// positive fixint and uint 8..64 at their boundaries.
		{"fixint 0", 0, h("00"), int64(0)},
		{"fixint 127", 127, h("7f"), int64(127)},
		{"uint8 128", 128, h("cc 80"), int64(128)},
		{"uint8 255", 255, h("cc ff"), int64(255)},
		{"uint16 256", 256, h("cd 01 00"), int64(256)},
		{"uint16 65535", 65535, h("cd ff ff"), int64(65535)},
		{"uint32 65536", 65536, h("ce 00 01 00 00"), int64(65536)},
		{"uint32 max", uint32(math.MaxUint32), h("ce ff ff ff ff"), int64(math.MaxUint32)},
		{"uint64 2^32", int64(1) << 32, h("cf 00 00 00 01 00 00 00 00"), int64(1) << 32},
		{"uint64 maxint64", int64(math.MaxInt64), h("cf 7f ff ff ff ff ff ff ff"), int64(math.MaxInt64)},
		{"uint64 2^63", uint64(1) << 63, h("cf 80 00 00 00 00 00 00 00"), float64(1 << 63)},
		{"uint64 max", uint64(math.MaxUint64), h("cf ff ff ff ff ff ff ff ff"), float64(math.MaxUint64)},

		// negative fixint and int 8..64 at their boundaries.
		{"negative fixint -1", -1, h("ff"), int64(-1)},
		{"negative fixint -32", -32, h("e0"), int64(-32)},
		{"int8 -33", -33, h("d0 df"), int64(-33)},
		{"int8 -128", -128, h("d0 80"), int64(-128)},
		{"int16 -129", -129, h("d1 ff 7f"), int64(-129)},
		{"int16 -32768", -32768, h("d1 80 00"), int64(-32768)},
		{"int32 -32769", -32769, h("d2 ff ff 7f ff"), int64(-32769)},
		{"int32 min", int32(math.MinInt32), h("d2 80 00 00 00"), int64(math.MinInt32)},
		{"int64 minint32-1", int64(math.MinInt32) - 1, h("d3 ff ff ff ff 7f ff ff ff"), int64(math.MinInt32) - 1},
		{"int64 min", int64(math.MinInt64), h("d3 80 00 00 00 00 00 00 00"), int64(math.MinInt64)},

		// Every Go integer kind takes the smallest form for its value.
		{"int8", int8(-1), h("ff"), int64(-1)},
		{"uint8", uint8(200), h("cc c8"), int64(200)},
		{"int16", int16(300), h("cd 01 2c"), int64(300)},
		{"uint16", uint16(7), h("07"), int64(7)},
		{"int32", int32(-100), h("d0 9c"), int64(-100)},
		{"uint32", uint32(70000), h("ce 00 01 11 70"), int64(70000)},
		{"uint", uint(0), h("00"), int64(0)},
		{"uintptr", uintptr(1), h("01"), int64(1)},

		// float 32 and float 64 keep their width.
		{"float32 1.5", float32(1.5), h("ca 3f c0 00 00"), 1.5},
		{"float32 0.1", float32(0.1), h("ca 3d cc cc cd"), float64(float32(0.1))},
		{"float64 1.5", 1.5, h("cb 3f f8 00 00 00 00 00 00"), 1.5},
		{"float64 integral", 1.0, h("cb 3f f0 00 00 00 00 00 00"), 1.0},
		{"float64 0", 0.0, h("cb 00 00 00 00 00 00 00 00"), 0.0},
		{"float64 -0", math.Copysign(0, -1), h("cb 80 00 00 00 00 00 00 00"), math.Copysign(0, -1)},
		{"float64 +inf", math.Inf(1), h("cb 7f f0 00 00 00 00 00 00"), math.Inf(1)},

		// fixstr and str 8/16/32.
		{"fixstr 0", "", h("a0"), ""},
		{"fixstr 1", "a", h("a1 61"), "a"},
		{"fixstr 31", a(31), cat(h("bf"), ab(31)), a(31)},
		{"str8 32", a(32), cat(h("d9 20"), ab(32)), a(32)},
		{"str8 255", a(255), cat(h("d9 ff"), ab(255)), a(255)},
		{"str16 256", a(256), cat(h("da 01 00"), ab(256)), a(256)},
		{"str16 65535", a(65535), cat(h("da ff ff"), ab(65535)), a(65535)},
		{"str32 65536", a(65536), cat(h("db 00 01 00 00"), ab(65536)), a(65536)},
		{"str utf-8", "é€", h("a5 c3 a9 e2 82 ac"), "é€"},

		// bin 8/16/32.
		{"bin8 0", []byte{}, h("c4 00"), []byte{}},
		{"bin8 3", []byte{1, 2, 3}, h("c4 03 01 02 03"), []byte{1, 2, 3}},
		{"bin8 255", bin(255), cat(h("c4 ff"), bin(255)), bin(255)},
		{"bin16 256", bin(256), cat(h("c5 01 00"), bin(256)), bin(256)},
		{"bin16 65535", bin(65535), cat(h("c5 ff ff"), bin(65535)), bin(65535)},
		{"bin32 65536", bin(65536), cat(h("c6 00 01 00 00"), bin(65536)), bin(65536)},

		// fixarray and array 16/32.
		{"fixarray 0", []any{}, h("90"), []any{}},
		{"fixarray 15", nils(15), cat(h("9f"), repeat(0xc0, 15)), nils(15)},
		{"array16 16", nils(16), cat(h("dc 00 10"), repeat(0xc0, 16)), nils(16)},
		{"array16 65535", nils(65535), cat(h("dc ff ff"), repeat(0xc0, 65535)), nils(65535)},
		{"array32 65536", nils(65536), cat(h("dd 00 01 00 00"), repeat(0xc0, 65536)), nils(65536)},
		{"nested arrays", []any{[]any{1}, []any{}}, h("92 91 01 90"), []any{[]any{int64(1)}, []any{}}},

		// fixmap and map 16/32.
		{"fixmap 0", pyval.NewDict(0), h("80"), pyval.NewDict(0)},
		{"fixmap 1", pyval.DictOf("a", 1), h("81 a1 61 01"), pyval.DictOf("a", int64(1))},
		{"fixmap 15", d15, cat(h("8f"), e15), d15},
		{"map16 16", d16, cat(h("de 00 10"), e16), d16},
		{"map16 65535", d65535, cat(h("de ff ff"), e65535), d65535},
		{"map32 65536", d65536, cat(h("df 00 01 00 00"), e65536), d65536},

		// timestamp -1: 32-bit while seconds fit 32 bits and nanoseconds are 0.
		{"timestamp32 epoch", time.Unix(0, 0), h("d6 ff 00 00 00 00"), time.Unix(0, 0).UTC()},
		{"timestamp32 max", time.Unix(1<<32-1, 0), h("d6 ff ff ff ff ff"), time.Unix(1<<32-1, 0).UTC()},
		// 64-bit: nanoseconds in the top 30 bits, seconds in the low 34.
		{"timestamp64 2^32 s", time.Unix(1<<32, 0), h("d7 ff 00 00 00 01 00 00 00 00"), time.Unix(1<<32, 0).UTC()},
		{"timestamp64 1 ns", time.Unix(0, 1), h("d7 ff 00 00 00 04 00 00 00 00"), time.Unix(0, 1).UTC()},
		{"timestamp64 max", time.Unix(1<<34-1, 999999999), h("d7 ff ee 6b 27 ff ff ff ff ff"), time.Unix(1<<34-1, 999999999).UTC()},
		// 96-bit: nanoseconds as uint32, then seconds as int64.
		{"timestamp96 2^34 s", time.Unix(1<<34, 0), h("c7 0c ff 00 00 00 00 00 00 00 04 00 00 00 00"), time.Unix(1<<34, 0).UTC()},
		{"timestamp96 -1 s", time.Unix(-1, 0), h("c7 0c ff 00 00 00 00 ff ff ff ff ff ff ff ff"), time.Unix(-1, 0).UTC()},
		{"timestamp96 -0.5 s", time.Unix(-1, 500000000), h("c7 0c ff 1d cd 65 00 ff ff ff ff ff ff ff ff"), time.Unix(-1, 500000000).UTC()},
	}
}

func TestMarshalGolden(t *testing.T) {
	for _, g := range goldens() {
		got, err := msgpack.Marshal(g.in)
		if err != nil {
			t.Errorf("Marshal(%s) error: %v", g.name, err)
			continue
		}
		if !bytes.Equal(got, g.enc) {
			t.Errorf("Marshal(%s) = %s, want %s", g.name, short(got), short(g.enc))
		}
	}
}

func TestUnmarshalGolden(t *testing.T) {
	for _, g := range goldens() {
		// The largest goldens (65,536 nils: 16 bytes decoded for each
		// byte) are over the default memory budget, which is not what
		// they test.
		got, err := msgpack.UnmarshalLimits(g.enc, msgpack.DecodeLimits{MaxBytes: 64 << 20})
		if err != nil {
			t.Errorf("Unmarshal(%s: %s) error: %v", g.name, short(g.enc), err)
			continue
		}
		if !same(got, g.out) {
			t.Errorf("Unmarshal(%s: %s) = %s, want %s", g.name, short(g.enc), show(got), show(g.out))
		}
	}
}

// TestUnmarshalNonMinimal checks that the decoder accepts every format, not
// only the smallest one an encoder picks, as the spec's deserialization table
// requires.
func TestUnmarshalNonMinimal(t *testing.T) {
	tests := []struct {
		name string
		enc  []byte
		want any
	}{
		{"uint8 5", h("cc 05"), int64(5)},
		{"uint16 5", h("cd 00 05"), int64(5)},
		{"uint32 5", h("ce 00 00 00 05"), int64(5)},
		{"uint64 5", h("cf 00 00 00 00 00 00 00 05"), int64(5)},
		{"int8 5", h("d0 05"), int64(5)},
		{"int16 -1", h("d1 ff ff"), int64(-1)},
		{"int32 -1", h("d2 ff ff ff ff"), int64(-1)},
		{"int64 -1", h("d3 ff ff ff ff ff ff ff ff"), int64(-1)},
		{"str8 a", h("d9 01 61"), "a"},
		{"str16 a", h("da 00 01 61"), "a"},
		{"str32 a", h("db 00 00 00 01 61"), "a"},
		{"bin16 empty", h("c5 00 00"), []byte{}},
		{"bin32 x", h("c6 00 00 00 01 78"), []byte("x")},
		{"array16 1", h("dc 00 01 c3"), []any{true}},
		{"array32 1", h("dd 00 00 00 01 c2"), []any{false}},
		{"map16 1", h("de 00 01 a1 6b c0"), pyval.DictOf("k", nil)},
		{"map32 1", h("df 00 00 00 01 a1 6b c0"), pyval.DictOf("k", nil)},
		{"bin key", h("81 c4 01 6b 01"), pyval.DictOf("k", int64(1))},
		{"repeated key keeps first place, last value", h("83 a1 61 01 a1 62 02 a1 61 03"), pyval.DictOf("a", int64(3), "b", int64(2))},
		{"timestamp64 of a 32-bit time", h("d7 ff 00 00 00 00 00 00 00 05"), time.Unix(5, 0).UTC()},
		{"timestamp96 of a 32-bit time", h("c7 0c ff 00 00 00 00 00 00 00 00 00 00 00 05"), time.Unix(5, 0).UTC()},
		{"timestamp as ext8", h("c7 04 ff 00 00 00 05"), time.Unix(5, 0).UTC()},
		{"timestamp as ext16", h("c8 00 04 ff 00 00 00 05"), time.Unix(5, 0).UTC()},
		{"timestamp as ext32", h("c9 00 00 00 04 ff 00 00 00 05"), time.Unix(5, 0).UTC()},
		{"float32 nan", h("ca 7f c0 00 00"), math.Float64frombits(0x7ff8000000000000)},
	}
	for _, tt := range tests {
		got, err := msgpack.Unmarshal(tt.enc)
		if err != nil {
			t.Errorf("Unmarshal(%s: %x) error: %v", tt.name, tt.enc, err)
			continue
		}
		if !same(got, tt.want) {
			t.Errorf("Unmarshal(%s: %x) = %s, want %s", tt.name, tt.enc, show(got), show(tt.want))
		}
	}
}
