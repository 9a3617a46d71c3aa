package msgpack_test

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// TestUndefined checks msgpackr's undefined (ext type 0): a map entry
// holding it is absent, anything else holding it is nil.
func TestUndefined(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // pyval.Repr of the value
	}{
		{"top level", h("d4 00 00"), "None"},
		{"ext8 of length 0", h("c7 00 00"), "None"},
		{"fixext4", h("d6 00 00 00 00 00"), "None"},
		{"map entry", h("81 a1 61 d4 00 00"), "{}"},
		{"map entry among others", h("83 a1 61 01 a1 62 d4 00 00 a1 63 03"), "{'a': 1, 'c': 3}"},
		{"map16 as msgpackr writes it", h("de 00 02 a1 61 d4 00 00 a1 62 92 d4 00 00 01"), "{'b': [None, 1]}"},
		{"array element", h("92 d4 00 00 01"), "[None, 1]"},
		{"a key repeated, the second undefined", h("82 a1 61 01 a1 61 d4 00 00"), "{'a': 1}"},
	}
	for _, tt := range tests {
		v, err := msgpack.Unmarshal(tt.in)
		if err != nil {
			t.Errorf("Unmarshal(%s: %x) error: %v", tt.name, tt.in, err)
			continue
		}
		if got := pyval.Repr(v); got != tt.want {
			t.Errorf("Unmarshal(%s: %x) = %s, want %s", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestMsgpackrFrame decodes a run_job command as the current NodeTool
// client encodes it with msgpackr 2.1.3 (recorded in testdata: map16
// headers, resource_limits undefined).
func TestMsgpackrFrame(t *testing.T) {
	raw, err := os.ReadFile("testdata/msgpackr-run-job.hex")
	if err != nil {
		t.Fatal(err)
	}
	data, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := msgpack.Unmarshal(data)
	if err != nil {
		t.Fatalf("Unmarshal(msgpackr frame) error: %v", err)
	}
	d, ok := v.(*pyval.Dict)
	if !ok || d.Str("command") != "run_job" {
		t.Fatalf("Unmarshal(msgpackr frame) = %s", pyval.Repr(v))
	}
	dv, _ := d.Get("data")
	data2, _ := dv.(*pyval.Dict)
	if data2 == nil || data2.Str("job_id") != "0b6f6f3e-2c3a-4a59-9d7e-2d1c2e4c9a11" || data2.Has("resource_limits") || !data2.Has("graph") {
		t.Errorf("data = %s, want job_id kept, resource_limits absent", pyval.Repr(dv))
	}
}

// own writes its own encoding (a Marshaler).
type own struct{}

func (own) AppendMsgpack(dst []byte) ([]byte, error) { return append(dst, 0x81, 0xa1, 'k', 0x07), nil }

func TestMarshaler(t *testing.T) {
	b, err := msgpack.Marshal(map[string]any{"v": own{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(b), "81a17681a16b07"; got != want {
		t.Errorf("Marshal(own) = %s, want %s", got, want)
	}
}
