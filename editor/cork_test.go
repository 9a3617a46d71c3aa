package editor

import (
	"bytes"
	"strings"
	"testing"
)

// The cork holds frames while corked and writes them, in order, in one
// write at uncork; past maxCorked it writes through, keeping the order.
func TestCorkWriter(t *testing.T) {
	var out bytes.Buffer
	writes := 0
	w := &corkWriter{w: writerFunc(func(p []byte) (int, error) { writes++; return out.Write(p) })}
	w.Write([]byte("a"))
	if writes != 1 {
		t.Fatalf("uncorked write held: %d writes", writes)
	}
	w.cork()
	w.Write([]byte("b"))
	w.Write([]byte("c"))
	if writes != 1 || out.String() != "a" {
		t.Fatalf("corked writes went out: %d writes, %q", writes, out.String())
	}
	if err := w.uncork(); err != nil {
		t.Fatal(err)
	}
	if writes != 2 || out.String() != "abc" {
		t.Fatalf("after uncork: %d writes, %q; want 2 writes, \"abc\"", writes, out.String())
	}
	w.cork()
	w.Write([]byte("d"))
	big := strings.Repeat("x", maxCorked)
	w.Write([]byte(big))
	w.Write([]byte("e"))
	w.uncork()
	if got := out.String(); got != "abcd"+big+"e" {
		t.Fatalf("order lost past the cork's size: %d bytes", len(got))
	}
	w.cork()
	w.Write([]byte(strings.Repeat("y", 8<<10)))
	w.uncork()
	if w.pending != nil {
		t.Error("a large held buffer was kept after it was written")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
