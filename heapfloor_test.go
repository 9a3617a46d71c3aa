package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	const floor = 32 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 800},
		{1, 800},
		{2 << 20, 800},
		{4 << 20, 800},
		{8 << 20, 400},
		{16 << 20, 200},
		{floor - 1, 100},
		{floor, 100},
		{1 << 40, 100},
	} {
		if got := gcPercentFor(c.live, floor); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

func TestHeapFloorFollowsCollections(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	keepHeapFloor(func(string) string { return "" })
	read := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	// Someone else setting GOGC is undone at the next collection: the
	// cleanup of that cycle's gcCycle sets it again for the live heap.
	gcPercentM.Lock()
	gcPercent = -2 // not a value adjustGCPercent would leave
	gcPercentM.Unlock()
	debug.SetGCPercent(100)
	adjusted := func() int {
		gcPercentM.Lock()
		defer gcPercentM.Unlock()
		return gcPercent
	}
	for adjusted() == -2 {
		runtime.GC()
		runtime.Gosched()
	}
	got := adjusted()
	if uint64(got) != read() {
		t.Errorf("GOGC is %d, adjustGCPercent last set %d", read(), got)
	}
	if got < 100 {
		t.Errorf("GOGC %d under 100", got)
	}
}
