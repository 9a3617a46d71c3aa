//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package durable

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLockDir: LockDir creates the folder, refuses a second holder after
// its wait, and gets the lock once the first lets go.
func TestLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	unlock, err := LockDir(dir, 0)
	if err != nil {
		t.Fatalf("LockDir(%q) = %v", dir, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("Stat(%q) = %v, %v, want a 0700 folder", dir, fi, err)
	}
	if u2, err := LockDir(dir, 20*time.Millisecond); !errors.Is(err, ErrLocked) {
		if err == nil {
			u2()
		}
		t.Fatalf("second LockDir(%q) = %v, want ErrLocked", dir, err)
	}
	got := make(chan error, 1)
	go func() {
		u2, err := LockDir(dir, time.Minute)
		if err == nil {
			u2()
		}
		got <- err
	}()
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("LockDir(%q) after unlock = %v", dir, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("LockDir did not get the lock within 30s of its release")
	}
}

// TestLockOpenFile: Lock on two descriptors of one folder, in one process,
// excludes the second until the first is closed.
func TestLockOpenFile(t *testing.T) {
	dir := t.TempDir()
	a, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Lock(a, 0); err != nil {
		t.Fatalf("Lock(a) = %v", err)
	}
	b, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := Lock(b, 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock(b) while a holds it = %v, want ErrLocked", err)
	}
	a.Close()
	if err := Lock(b, 0); err != nil {
		t.Fatalf("Lock(b) after a closed = %v", err)
	}
}
