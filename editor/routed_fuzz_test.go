package editor

import (
	"testing"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// FuzzRouted: a MessagePack map given routing keys (routed, as /ws tags
// chat frames) decodes to the same map with the keys added, in both wire
// formats; and the tRPC input unwrapping never fails on any bytes.
func FuzzRouted(f *testing.F) {
	for _, s := range [][]byte{{0x80}, {0x81, 0xa1, 'a', 0x01}, append([]byte{0xde, 0x00, 0x0f}, make([]byte, 0)...),
		[]byte(`{"json":{"id":"x"},"meta":{}}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		unwrapSuperjson(data)
		v, err := msgpack.Unmarshal(data)
		d, ok := v.(*pyval.Dict)
		if err != nil || !ok || d.Has("thread_id") || d.Has("chat_seq") {
			return
		}
		r := routed{v: d, keys: []string{"thread_id", "chat_seq"}, vals: []any{"t", int64(7)}}
		b, err := r.AppendMsgpack(nil)
		if err != nil {
			t.Fatalf("AppendMsgpack(%x): %v", data, err)
		}
		got, err := msgpack.Unmarshal(b)
		gd, ok := got.(*pyval.Dict)
		if err != nil || !ok || gd.Len() != d.Len()+2 || gd.Str("thread_id") != "t" {
			t.Fatalf("routed %x = %x: %v %s", data, b, err, pyval.Repr(got))
		}
		if j, err := r.MarshalJSON(); err == nil {
			jv, err := pyval.Decode(j)
			if jd, ok := jv.(*pyval.Dict); err != nil || !ok || jd.Str("thread_id") != "t" {
				t.Fatalf("routed JSON %s: %v", j, err)
			}
		}
	})
}
