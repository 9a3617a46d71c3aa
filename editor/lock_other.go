//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package editor

import (
	"fmt"
	"os"
)

// lockFolder creates dir (mode 0700) if needed. This system has no flock,
// so only the in-process mutex orders writers: two processes sharing a
// config dir may lose one another's settings changes.
func lockFolder(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("editor: create %s: %w", dir, err)
	}
	return func() {}, nil
}
