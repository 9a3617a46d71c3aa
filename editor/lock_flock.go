//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package editor

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFolder takes an exclusive flock(2) on dir, creating it (mode 0700)
// if needed, so that one writer at a time (in this process or another)
// reads, changes and replaces the settings files. It gives up after 10
// seconds. The lock goes with the process if it dies.
func lockFolder(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("editor: create %s: %w", dir, err)
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("editor: lock %s: %w", dir, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("editor: lock %s: %w", dir, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("editor: lock %s: another process has held it for 10s", dir)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
