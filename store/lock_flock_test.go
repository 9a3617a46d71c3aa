//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenLocked: a data directory belongs to one open store at a time.
func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir, Options{})
	if db2, err := Open(dir, Options{}); err == nil {
		db2.Close()
		t.Fatalf("second Open(%q) = nil, want in use error", dir)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close() = %v, want nil", err)
	}
	openDB(t, dir, Options{})
}

// TestLockSurvivesDeletes: the lock is on the data directory itself, so
// deleting any file in it (such as the lock file of older versions) does
// not let a second store open it; the lock goes with Close.
func TestLockSurvivesDeletes(t *testing.T) {
	dir := t.TempDir()
	legacy := filepath.Join(dir, "lock")
	if err := os.WriteFile(legacy, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, dir, Options{})
	if err := os.Remove(legacy); err != nil {
		t.Fatalf("Remove(lock) = %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("data dir holds file %q, want none to delete", e.Name())
		}
	}
	db2, err := Open(dir, Options{})
	if err == nil {
		db2.Close()
		t.Fatalf("Open(%q) after deleting the lock file = nil, want in use error", dir)
	}
	if !strings.Contains(err.Error(), "in use") {
		t.Errorf("Open(%q) = %v, want an in use error", dir, err)
	}
	db.Close()
	openDB(t, dir, Options{})
}
