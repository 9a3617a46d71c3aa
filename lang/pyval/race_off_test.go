//go:build !race

package pyval

// raceAllocSlack is 1 without the race detector (see race_on_test.go).
const raceAllocSlack = 1.0
