package msgpack_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // the whole error
	}{
		{"empty", nil, "msgpack: empty input"},
		{"reserved byte", h("c1"), "msgpack: reserved byte 0xc1 at offset 0"},
		{"reserved byte nested", h("92 01 c1"), "msgpack: reserved byte 0xc1 at offset 2"},
		{"trailing byte", h("c0 c0"), "msgpack: 1 trailing bytes after the value at offset 1"},
		{"truncated uint16", h("cd 01"), "msgpack: truncated uint16 at offset 0"},
		{"truncated float64", h("91 cb 00"), "msgpack: truncated float64 at offset 1"},
		{"truncated str8 header", h("d9"), "msgpack: truncated str8 at offset 0"},
		{"truncated str8", h("92 c0 d9 05 61 62"), "msgpack: truncated str8 at offset 2: 5 bytes declared, 2 bytes remain"},
		{"truncated fixstr", h("a3 61"), "msgpack: truncated fixstr at offset 0: 3 bytes declared, 1 bytes remain"},
		{"array missing items", h("93 01"), "msgpack: truncated fixarray at offset 0: 3 items declared, 1 bytes remain"},
		{"map missing value", h("81 a1 61"), "msgpack: truncated input at offset 3"},
		{"map too short for its entries", h("81 a1"), "msgpack: truncated fixmap at offset 0: 1 entries declared, 1 bytes remain"},
		{"int key", h("81 01 02"), "msgpack: map key at offset 1 is an int, keys must be strings"},
		{"nil key", h("82 a1 61 01 c0 02"), "msgpack: map key at offset 4 is nil, keys must be strings"},
		{"array key", h("81 90 02"), "msgpack: map key at offset 1 is an array, keys must be strings"},
		{"map key", h("81 80 02"), "msgpack: map key at offset 1 is a map, keys must be strings"},
		{"float key", h("81 ca 00 00 00 00 02"), "msgpack: map key at offset 1 is a float, keys must be strings"},
		{"bool key", h("81 c3 02"), "msgpack: map key at offset 1 is a bool, keys must be strings"},
		{"timestamp key", h("81 d6 ff 00 00 00 00 02"), "msgpack: map key at offset 1 is an ext, keys must be strings"},
		{"reserved key", h("81 c1 02"), "msgpack: map key at offset 1 is reserved byte 0xc1, keys must be strings"},
		{"invalid utf-8 str", h("a2 c3 28"), "msgpack: fixstr at offset 0 is not valid UTF-8"},
		{"invalid utf-8 key", h("81 c4 01 ff 01"), "msgpack: map key at offset 1 is not valid UTF-8"},
		{"ext type 5", h("d4 05 00"), "msgpack: unsupported ext type 5 at offset 0"},
		{"ext type -2", h("91 c7 00 fe"), "msgpack: unsupported ext type -2 at offset 1"},
		{"ext type 127 fixext16", cat(h("d8 7f"), make([]byte, 16)), "msgpack: unsupported ext type 127 at offset 0"},
		{"timestamp of 2 bytes", h("d5 ff 00 00"), "msgpack: timestamp at offset 0 has 2 bytes, want 4, 8 or 12"},
		{"timestamp64 nanoseconds too large", h("d7 ff ee 6b 28 00 00 00 00 00"), "msgpack: timestamp at offset 0 has 1000000000 nanoseconds, more than 999999999"},
		{"timestamp96 nanoseconds too large", h("c7 0c ff ff ff ff ff 00 00 00 00 00 00 00 00"), "msgpack: timestamp at offset 0 has 4294967295 nanoseconds, more than 999999999"},
		{"truncated timestamp", h("d6 ff 00"), "msgpack: truncated fixext4 at offset 0: 4 bytes declared, 1 bytes remain"},
	}
	for _, tt := range tests {
		got, err := msgpack.Unmarshal(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Unmarshal(%s: %x) = %s, %v, want error %q", tt.name, tt.in, show(got), err, tt.want)
		}
		if got != nil {
			t.Errorf("Unmarshal(%s: %x) = %s with an error, want nil", tt.name, tt.in, show(got))
		}
	}
}

// hostileEvent is a valid encoding with every format family in it.
func hostileEvent(t testing.TB) []byte {
	t.Helper()
	v := pyval.DictOf(
		"type", "node_update", "n", []any{int64(1), int64(-1), int64(200), int64(-200), int64(1 << 20), int64(-1 << 40), int64(1 << 62)},
		"f", []any{1.5, float32(2.5)}, "s", strings.Repeat("s", 40), "bin", []byte("xyz"),
		"t", []any{time.Unix(1, 0), time.Unix(1, 1), time.Unix(-1, 0)},
		"nest", pyval.DictOf("a", []any{nil, true, false, pyval.NewDict(0), []any{}}),
		"long", make([]any, 20), "map16", pyval.DictOf("k0", 0, "k1", 1, "k2", 2, "k3", 3, "k4", 4, "k5", 5, "k6", 6,
			"k7", 7, "k8", 8, "k9", 9, "ka", 10, "kb", 11, "kc", 12, "kd", 13, "ke", 14, "kf", 15),
	)
	enc, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := msgpack.Unmarshal(enc); err != nil {
		t.Fatalf("Unmarshal(hostileEvent) error: %v", err)
	}
	return enc
}

// TestUnmarshalTruncated cuts a valid encoding at every offset: each prefix
// must be an error, never a panic or a value.
func TestUnmarshalTruncated(t *testing.T) {
	enc := hostileEvent(t)
	for i := range len(enc) {
		got, err := msgpack.Unmarshal(enc[:i])
		if err == nil {
			t.Errorf("Unmarshal(first %d of %d bytes) = %s, want an error", i, len(enc), show(got))
		}
	}
}

// TestUnmarshalHugeLengths declares lengths up to 4 GiB in a few bytes: the
// decoder must refuse them before allocating anything of that size.
func TestUnmarshalHugeLengths(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"str32", h("db ff ff ff ff 61 62 63"), "msgpack: truncated str32 at offset 0: 4294967295 bytes declared, 3 bytes remain"},
		{"bin32", h("c6 ff ff ff ff"), "msgpack: truncated bin32 at offset 0: 4294967295 bytes declared, 0 bytes remain"},
		{"ext32", h("c9 ff ff ff ff ff"), "msgpack: truncated ext32 at offset 0: 4294967295 bytes declared, 0 bytes remain"},
		{"array32", h("dd ff ff ff ff"), "msgpack: truncated array32 at offset 0: 4294967295 items declared, 0 bytes remain"},
		{"map32", h("df ff ff ff ff c0 c0"), "msgpack: truncated map32 at offset 0: 4294967295 entries declared, 2 bytes remain"},
		{"array16 of array32", h("dc ff ff dd ff ff ff ff"), "msgpack: truncated array16 at offset 0: 65535 items declared, 5 bytes remain"},
		{"nested array32", h("91 dd ff ff ff ff c0"), "msgpack: truncated array32 at offset 1: 4294967295 items declared, 1 bytes remain"},
		{"map of 3 needs 6 bytes", h("83 c0 c0 c0 c0 c0"), "msgpack: truncated fixmap at offset 0: 3 entries declared, 5 bytes remain"},
	}
	for _, tt := range tests {
		var err error
		allocs := testing.AllocsPerRun(10, func() { _, err = msgpack.Unmarshal(tt.in) })
		if err == nil || err.Error() != tt.want {
			t.Errorf("Unmarshal(%s: %x) error = %v, want %q", tt.name, tt.in, err, tt.want)
		}
		// The few allocations are the error message's own (a few more
		// under -race); the byte count below is the real bound.
		if allocs > 16 {
			t.Errorf("Unmarshal(%s: %x) made %v allocations, want at most 16", tt.name, tt.in, allocs)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 100 {
			msgpack.Unmarshal(tt.in)
		}
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 100<<10 {
			t.Errorf("100 × Unmarshal(%s: %x) allocated %d bytes, want under 100 KiB", tt.name, tt.in, n)
		}
	}
}

func TestUnmarshalLimits(t *testing.T) {
	nested := func(open []byte, n int, leaf []byte) []byte {
		return cat(bytes.Repeat(open, n), leaf)
	}
	tests := []struct {
		name   string
		in     []byte
		limits msgpack.DecodeLimits
		want   string // "" for success
	}{
		{"arrays at the default depth", nested(h("91"), 256, h("c0")), msgpack.DecodeLimits{}, ""},
		{"arrays past the default depth", nested(h("91"), 257, h("c0")), msgpack.DecodeLimits{},
			"msgpack: fixarray at offset 256 nests deeper than 256 levels"},
		{"maps past the default depth", nested(h("81 a1 6b"), 257, h("c0")), msgpack.DecodeLimits{},
			"msgpack: fixmap at offset 768 nests deeper than 256 levels"},
		{"deep input, shallow limit", nested(h("91"), 4, h("c0")), msgpack.DecodeLimits{MaxDepth: 3},
			"msgpack: fixarray at offset 3 nests deeper than 3 levels"},
		{"huge depth limit is capped", nested(h("91"), 10001, h("c0")), msgpack.DecodeLimits{MaxDepth: 1 << 30, MaxBytes: 1 << 30},
			"msgpack: fixarray at offset 10000 nests deeper than 10000 levels"},
		{"items at the limit", h("93 01 02 03"), msgpack.DecodeLimits{MaxItems: 4}, ""},
		{"items over the limit", h("93 01 02 03"), msgpack.DecodeLimits{MaxItems: 3},
			"msgpack: fixarray at offset 0 has 3 items, over the limit of 3 values per decode"},
		{"map entries count twice", h("92 81 a1 61 01 c0"), msgpack.DecodeLimits{MaxItems: 4},
			"msgpack: fixmap at offset 1 has 1 entries, over the limit of 4 values per decode"},
		{"items add up across containers", h("92 92 01 02 92 03 04"), msgpack.DecodeLimits{MaxItems: 6},
			"msgpack: fixarray at offset 4 has 2 items, over the limit of 6 values per decode"},
		// Two arrays of two (16 bytes a slot, 24 the header), two small
		// ints (free) and "a" (8 bytes, 16 the header): 136 bytes.
		{"memory at the limit", h("92 92 01 02 a1 61"), msgpack.DecodeLimits{MaxBytes: 136}, ""},
		{"memory over the limit", h("92 92 01 02 a1 61"), msgpack.DecodeLimits{MaxBytes: 135},
			"msgpack: the value at offset 4 takes the decoded data over the memory limit of 135 bytes (10 times the input's size plus 64 KiB)"},
		// 8,192 empty maps in 8,195 bytes: the array takes 131,096 bytes,
		// each map 32, the budget is 147,486.
		{"memory of many empty maps", cat(h("dc 20 00"), bytes.Repeat(h("80"), 1<<13)), msgpack.DecodeLimits{},
			"msgpack: the value at offset 515 takes the decoded data over the memory limit of 147486 bytes (10 times the input's size plus 64 KiB)"},
	}
	for _, tt := range tests {
		_, err := msgpack.UnmarshalLimits(tt.in, tt.limits)
		if tt.want == "" && err != nil {
			t.Errorf("UnmarshalLimits(%s, %+v) error: %v", tt.name, tt.limits, err)
		}
		if tt.want != "" && (err == nil || err.Error() != tt.want) {
			t.Errorf("UnmarshalLimits(%s, %+v) error = %v, want %q", tt.name, tt.limits, err, tt.want)
		}
	}
}

// TestUnmarshalDoesNotAlias checks that decoded strings and bins do not
// share the input, which the caller may reuse for the next frame.
func TestUnmarshalDoesNotAlias(t *testing.T) {
	in := h("92 c4 02 01 02 a1 61")
	v, err := msgpack.Unmarshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 0
	}
	want := []any{[]byte{1, 2}, "a"}
	if !same(v, want) {
		t.Errorf("Unmarshal result after clearing the input = %s, want %s", show(v), show(want))
	}
}

// TestRawPath: the value at DecodeLimits.RawPath comes back as a copy of
// its encoding, within the same limits as a decoded one; elsewhere the
// path changes nothing.
func TestRawPath(t *testing.T) {
	path := []string{"data", "graph"}
	graph := h("82 a5 6e6f646573 91 81 a2 6964 a1 61 a5 6564676573 90") // {"nodes":[{"id":"a"}],"edges":[]}
	in := cat(h("82 a7 636f6d6d616e64 a7 72756e5f6a6f62 a4 64617461 82 a5 67726170 68"), graph, h("a6 706172616d73 80"))
	v, err := msgpack.UnmarshalLimits(in, msgpack.DecodeLimits{RawPath: path})
	if err != nil {
		t.Fatal(err)
	}
	dv, _ := v.(*pyval.Dict).Get("data")
	d := dv.(*pyval.Dict)
	g, _ := d.Get("graph")
	raw, ok := g.(msgpack.Raw)
	if !ok || !bytes.Equal(raw, graph) {
		t.Fatalf("graph = %s, want Raw %x", show(g), graph)
	}
	if &raw[0] == &in[bytes.Index(in, graph)] {
		t.Error("the Raw shares the input")
	}
	if p, _ := d.Get("params"); show(p) != show(pyval.NewDict(0)) {
		t.Errorf("params = %s", show(p))
	}
	// Not on the path: decoded as without RawPath.
	for _, s := range []string{
		"81 a5 67726170 68 81 a1 61 01",                // {"graph":{"a":1}}: graph at the top
		"81 a4 64617461 91 81 a5 67726170 68 01",       // {"data":[{"graph":1}]}: under an array
		"81 a4 64617461 81 a1 78 81 a5 67726170 68 01", // {"data":{"x":{"graph":1}}}: one level deeper
	} {
		full, err := msgpack.Unmarshal(h(s))
		if err != nil {
			t.Fatal(err)
		}
		part, err := msgpack.UnmarshalLimits(h(s), msgpack.DecodeLimits{RawPath: path})
		if err != nil || !same(part, full) {
			t.Errorf("%s: %s, %v, want %s", s, show(part), err, show(full))
		}
	}
	// The Raw's extent is checked within the limits.
	prefix := h("81 a4 64617461 81 a5 67726170 68")
	for _, tt := range []struct {
		name   string
		value  []byte
		limits msgpack.DecodeLimits
		want   string
	}{
		{"truncated", h("92 01"), msgpack.DecodeLimits{}, "msgpack: truncated fixarray at offset 13: 2 items declared, 1 bytes remain"},
		{"declared past the end", h("dd ffffffff"), msgpack.DecodeLimits{}, "msgpack: truncated array32 at offset 13: 4294967295 items declared, 0 bytes remain"},
		{"too deep", cat(bytes.Repeat(h("91"), 3), h("c0")), msgpack.DecodeLimits{MaxDepth: 4}, "msgpack: fixarray at offset 15 nests deeper than 4 levels"},
		{"too many items", h("93 01 02 03"), msgpack.DecodeLimits{MaxItems: 6}, "msgpack: fixarray at offset 13 has 3 items, over the limit of 6 values per decode"},
		{"reserved byte", h("c1"), msgpack.DecodeLimits{}, "msgpack: reserved byte 0xc1 at offset 13"},
		{"a str past the end", h("a5 6869"), msgpack.DecodeLimits{}, "msgpack: truncated fixstr at offset 13"},
		{"a float past the end", h("cb 0102"), msgpack.DecodeLimits{}, "msgpack: truncated float64 at offset 13"},
		{"an ext past the end", h("c7 05 01 02"), msgpack.DecodeLimits{}, "msgpack: truncated ext8 at offset 13: 5 bytes declared, 1 bytes remain"},
	} {
		tt.limits.RawPath = path
		_, err := msgpack.UnmarshalLimits(cat(prefix, tt.value), tt.limits)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
