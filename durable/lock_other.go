//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package durable

import (
	"fmt"
	"os"
	"time"
)

// Lock does nothing where flock(2) is missing: keeping processes apart is
// then up to the operator.
func Lock(*os.File, time.Duration) error { return nil }

// LockDir creates dir (mode 0700) if needed. This system has no flock, so
// it locks nothing: processes sharing dir must be kept apart by the
// operator.
func LockDir(dir string, wait time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("durable: create %s: %w", dir, err)
	}
	return func() {}, nil
}
