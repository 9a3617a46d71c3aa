package store

import (
	"regexp"
	"testing"
	"time"
)

func TestNewID(t *testing.T) {
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := NewID()
		if !hex32.MatchString(id) {
			t.Fatalf("NewID() = %q, want 32 lowercase hex characters", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
		if id[:12] < prev {
			t.Fatalf("NewID() = %q sorts before an earlier id's time %q", id, prev)
		}
		prev = id[:12]
	}
}

func TestTimestamp(t *testing.T) {
	ts := time.Date(2026, 11, 27, 9, 21, 39, 123456789, time.FixedZone("x", 3600))
	if got, want := Timestamp(ts), "2026-11-27T08:21:39.123456Z"; got != want {
		t.Fatalf("Timestamp() = %q, want %q", got, want)
	}
}
