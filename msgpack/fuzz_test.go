package msgpack_test

import (
	"bytes"
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// FuzzUnmarshal feeds arbitrary bytes to the decoder. It must never panic,
// and whatever it accepts must encode, decode back to an identical value,
// and encode again to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	for _, g := range goldens() {
		if len(g.enc) <= 1024 {
			f.Add(g.enc)
		}
	}
	f.Add(hostileEvent(f))
	for _, s := range []string{
		"85a474797065aa6a6f625f757064617465a6737461747573a772756e6e696e67a66a6f625f6964a3616263ab776f726b666c6f775f6964c0a6726573756c7481a36f75749501cb4004000000000000a178c3c0",
		"81c4016b01", "83a16101a16202a16103", "c70cff0000000000000000000000ff", "d7ffee6b27ffffffffff",
		"de0002a161d40000a16292d4000001", "d40000",
		"dd ffffffff", "c1", "91919191c0", "81 01 02", "d405 00",
	} {
		f.Add(h(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := msgpack.Unmarshal(data)
		// A tight memory budget refuses what the default accepts only
		// for its memory, and never half-decodes.
		small, serr := msgpack.UnmarshalLimits(data, msgpack.DecodeLimits{MaxBytes: 64})
		if serr != nil && (small != nil || err == nil && !strings.Contains(serr.Error(), "over the memory limit of 64 bytes")) {
			t.Fatalf("UnmarshalLimits(%x, 64 bytes) = %s, %v; Unmarshal = %v", data, show(small), serr, err)
		}
		if err != nil {
			if v != nil {
				t.Fatalf("Unmarshal(%x) = %s with error %v, want nil", data, show(v), err)
			}
			return
		}
		if serr == nil && !same(small, v) {
			t.Fatalf("UnmarshalLimits(%x, 64 bytes) = %s, Unmarshal = %s", data, show(small), show(v))
		}
		enc, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(Unmarshal(%x) = %s) error: %v", data, show(v), err)
		}
		v2, err := msgpack.Unmarshal(enc)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(Unmarshal(%x))) = Unmarshal(%x) error: %v", data, enc, err)
		}
		if !same(v, v2) {
			t.Fatalf("Unmarshal(Marshal(Unmarshal(%x))) = %s, want %s", data, show(v2), show(v))
		}
		enc2, err := msgpack.Marshal(v2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("Marshal of the round trip of %x = %x, %v, want %x", data, enc2, err, enc)
		}
	})
}

// FuzzRawPath: a decode that leaves the value at a path undecoded (Raw)
// agrees with the full decode: decoding the Raw gives the value the full
// decode has there, everything else is the same, and input the full decode
// refuses is refused by one of the two steps.
func FuzzRawPath(f *testing.F) {
	msg := func(graph any) []byte {
		b, err := msgpack.Marshal(map[string]any{"command": "run_job", "data": map[string]any{
			"workflow_id": "wf", "graph": graph, "params": map[string]any{"text": "hi"}}})
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(msg(map[string]any{"nodes": []any{map[string]any{"id": "a", "type": "t", "data": map[string]any{"x": 1.5, "y": -3, "b": []byte{1}}}}, "edges": []any{}}))
	f.Add(msg(nil))
	f.Add(msg("not a graph"))
	f.Add(msg([]any{true, false, int64(1) << 40, "é", map[string]any{}}))
	for _, s := range []string{
		"81a464617461 81a567726170 68 d40000", "81a46461746181a567726170689191c0", "81a46461746181a56772617068c1",
		"81a46461746181a56772617068dd ffffffff", "81a46461746181a56772617068a2ff",
		"81a46461746181a56772617068c70cff0000000000000000000000ff",
	} {
		f.Add(h(s))
	}
	path := []string{"data", "graph"}
	at := func(v any) (any, *pyval.Dict, bool) {
		top, ok := v.(*pyval.Dict)
		if !ok {
			return nil, nil, false
		}
		dv, _ := top.Get("data")
		d, ok := dv.(*pyval.Dict)
		if !ok {
			return nil, nil, false
		}
		g, ok := d.Get("graph")
		return g, d, ok
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		full, ferr := msgpack.Unmarshal(data)
		part, perr := msgpack.UnmarshalLimits(data, msgpack.DecodeLimits{RawPath: path})
		if perr != nil {
			if ferr == nil && !strings.Contains(perr.Error(), "memory limit") {
				t.Fatalf("with RawPath: %v; without: %s", perr, show(full))
			}
			return
		}
		g, d, ok := at(part)
		raw, isRaw := g.(msgpack.Raw)
		if !ok || !isRaw {
			if ferr != nil || !same(part, full) {
				t.Fatalf("no Raw at the path: %s, %v; without RawPath: %s, %v", show(part), perr, show(full), ferr)
			}
			return
		}
		inner, ierr := msgpack.Unmarshal(raw)
		if ferr != nil {
			if ierr == nil {
				t.Fatalf("the full decode fails (%v), the Raw decodes: %s", ferr, show(inner))
			}
			return
		}
		if ierr != nil {
			t.Fatalf("the full decode succeeds, the Raw %x does not: %v", []byte(raw), ierr)
		}
		d.Set("graph", inner)
		if !same(part, full) {
			t.Fatalf("with the Raw decoded: %s, want %s", show(part), show(full))
		}
	})
}
