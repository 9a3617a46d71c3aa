//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package store

import "os"

// lockFile does nothing where flock(2) is missing: one process per data
// directory is then up to the operator.
func lockFile(*os.File) error { return nil }
