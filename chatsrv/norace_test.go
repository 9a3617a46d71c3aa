//go:build !race

package chatsrv

// raceEnabled: see race_test.go.
const raceEnabled = false
