package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The Go runtime starts a collection once the heap has grown by GOGC percent
// (100 by default) over what the last collection left live, with a goal of
// at least 4 MiB. A server's live heap is small - about 2 MiB for the worker
// under load - while every request leaves garbage behind: at 16,000 runs a
// second of the 7-node text workflow the worker collected 80 times a second,
// and marking, the scavenger handing pages back to the kernel and the
// allocator zeroing them again took about a tenth of its CPU.
//
// heapFloor keeps the heap goal at least that far above the live heap: GOGC
// is raised while the live heap is small and is back at 100 once the live
// heap passes heapFloor, so a workflow holding large values grows the heap as
// it would by default, and GOMEMLIMIT still bounds it. What it costs is up to
// heapFloor of garbage held between collections (the process's RSS at rest
// can be that much higher). An operator who sets GOGC gets exactly GOGC.
// The figures are in the README's Benchmarks section ("fifth round").
const heapFloor = 32 << 20

var heapFloorOnce sync.Once

// keepHeapFloor starts adjusting GOGC after every collection, unless GOGC is
// set in the environment. It is for the process's whole life.
func keepHeapFloor(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	heapFloorOnce.Do(func() {
		adjustGCPercent()
		armHeapFloor()
	})
}

// gcCycle is an object made to become garbage: its cleanup runs after the
// collection that finds it unreachable, adjusts GOGC and makes the next one.
// It holds a pointer so that the allocator gives it a block of its own (the
// tiny allocator shares blocks among pointer-free objects, which delays
// their cleanups).
type gcCycle struct{ _ *gcCycle }

func armHeapFloor() {
	runtime.AddCleanup(new(gcCycle), func(struct{}) {
		adjustGCPercent()
		armHeapFloor()
	}, struct{}{})
}

var (
	heapLive   = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	gcPercent  = 100
	gcPercentM sync.Mutex
)

// adjustGCPercent sets GOGC for the live heap the last collection left.
func adjustGCPercent() {
	gcPercentM.Lock()
	defer gcPercentM.Unlock()
	metrics.Read(heapLive)
	if heapLive[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if p := gcPercentFor(heapLive[0].Value.Uint64(), heapFloor); p != gcPercent {
		gcPercent = p
		debug.SetGCPercent(p)
	}
}

// gcPercentFor is the GOGC that puts the heap goal at live + max(live,
// floor): 100 once live is at least floor, more below it. The runtime's own
// minimum goal, 4 MiB at GOGC=100, grows with GOGC too, so GOGC stays at or
// under what puts that minimum at floor (800 for 32 MiB): for a live heap
// under 4 MiB the goal is floor.
func gcPercentFor(live, floor uint64) int {
	const runtimeMinGoal = 4 << 20
	if live >= floor {
		return 100
	}
	return int(min(floor*100/max(live, 1), floor*100/runtimeMinGoal))
}
