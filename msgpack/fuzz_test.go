package msgpack_test

import (
	"bytes"
	"strings"
	"testing"

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
