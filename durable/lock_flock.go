//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package durable

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Lock takes an exclusive flock(2) on f, an open folder or file, trying
// again every few milliseconds until wait has passed (wait 0: one try).
// The kernel releases the lock when f is closed or the process dies, even
// by SIGKILL. A lock held through another open file, in this process or
// another, makes it fail with ErrLocked.
func Lock(f *os.File, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("durable: lock %s: %w", f.Name(), err)
		}
		if !time.Now().Before(deadline) {
			return ErrLocked
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// LockDir takes an exclusive flock(2) on the folder dir itself, creating
// it (mode 0700) if it is missing, waiting up to wait while another holder
// has it. The lock is on the folder, not on a file in it, so nothing can
// be deleted to sidestep it while it is held. It goes with the process if
// that dies; unlock releases it sooner. A lock still held after wait is an
// error wrapping ErrLocked.
func LockDir(dir string, wait time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("durable: create %s: %w", dir, err)
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("durable: lock %s: %w", dir, err)
	}
	if err := Lock(f, wait); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("durable: lock %s: another process has held it for %v: %w", dir, wait, err)
		}
		return nil, err
	}
	return func() { f.Close() }, nil // closing the descriptor releases the flock
}
