//go:build !race

package msgpack_test

// raceAllocSlack is 1 without the race detector (see race_on_test.go).
const raceAllocSlack = 1.0
