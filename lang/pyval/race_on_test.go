//go:build race

package pyval

// raceAllocSlack widens the memory assertions under the race detector,
// whose allocator gives every small object at least 16 bytes (a boxed
// int64 or float64 takes 16, not 8), so decoded values cost up to 1.6x
// what the budget, calibrated on the ordinary allocator, counts.
const raceAllocSlack = 1.6
