package msgpack_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/msgpack"
)

// hostileFrames are MessagePack values of about size bytes that each
// maximise one cost of decoding per byte of input: empty maps and arrays,
// small and large numbers, short strings, keys, and nesting.
func hostileFrames(size int) map[string][]byte {
	arr := func(item []byte) []byte {
		n := (size - 5) / len(item)
		b := binary.BigEndian.AppendUint32([]byte{0xdd}, uint32(n))
		return append(b, bytes.Repeat(item, n)...)
	}
	keys := []byte{0xdf, 0, 0, 0, 0}
	n := 0
	for len(keys) < size {
		k := fmt.Sprintf("%x", n)
		keys = append(keys, 0xa0|byte(len(k)))
		keys = append(keys, k...)
		keys = append(keys, 0)
		n++
	}
	binary.BigEndian.PutUint32(keys[1:], uint32(n))
	long := append([]byte{0xda, 0xff, 0xff}, bytes.Repeat([]byte("x"), 0xffff)...)
	return map[string][]byte{
		"deep":         bytes.Repeat([]byte{0x91}, size),
		"emptyMaps":    arr([]byte{0x80}),
		"emptyArrays":  arr([]byte{0x90}),
		"nils":         arr([]byte{0xc0}),
		"negOnes":      arr([]byte{0xff}),
		"bigInts":      arr([]byte{0xcd, 0x03, 0xe8}),
		"floats":       arr([]byte{0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0}),
		"keys":         keys,
		"shortStrings": arr([]byte{0xa1, 'a'}),
		"longStrings":  arr(long),
		"points":       arr([]byte{0x82, 0xa1, 'x', 0x01, 0xa1, 'y', 0x02}),
		"timestamps":   arr([]byte{0xd6, 0xff, 0, 0, 0, 1}),
	}
}

// TestUnmarshalCost decodes frames built to be as costly as MessagePack
// can be, of 256 KiB (under the item limit) and 4 MiB, and checks that each
// stays within the default memory budget: ten times its size plus
// pyval.CostFloor, whether it is decoded or refused.
func TestUnmarshalCost(t *testing.T) {
	for _, size := range []int{256 << 10, 4 << 20} {
		for name, frame := range hostileFrames(size) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := msgpack.Unmarshal(frame)
			runtime.ReadMemStats(&after)
			got := after.TotalAlloc - before.TotalAlloc
			t.Logf("%-12s %8d bytes: allocated %10d (%4.1fx), error %v", name, len(frame), got, float64(got)/float64(len(frame)), err)
			if budget := uint64(raceAllocSlack*float64(pyval.CostFactor*len(frame)) + pyval.CostFloor + 4<<10); got > budget {
				t.Errorf("Unmarshal(%s, %d bytes) allocated %d bytes (%.1fx, error %v), want at most %d",
					name, len(frame), got, float64(got)/float64(len(frame)), err, budget)
			}
		}
	}
}
