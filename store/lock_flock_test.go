//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package store

import "testing"

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
