//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package authn

import (
	"fmt"
	"os"
)

// lockConfigDir creates dir (mode 0700) if needed. This system has no
// flock, so two processes generating a token at the same moment may each
// keep their own; the last write wins on disk.
func lockConfigDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("authn: create config dir: %w", err)
	}
	return func() {}, nil
}
