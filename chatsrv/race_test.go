//go:build race

package chatsrv

// raceEnabled: the race detector's sync.Pools drop some of what is put
// back, so pooled objects are made again now and then (allocation pins
// allow for it).
const raceEnabled = true
