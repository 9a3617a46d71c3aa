//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package store

import "os"

// haveFlock reports whether Open locks the data directory.
const haveFlock = false

// lockFile does nothing where flock(2) is missing: one process per data
// directory is then up to the operator.
func lockFile(*os.File) error { return nil }
