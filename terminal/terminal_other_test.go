//go:build !linux

package terminal

import (
	"errors"
	"testing"
)

func TestStartUnsupported(t *testing.T) {
	s, err := Start(Options{})
	if s != nil || !errors.Is(err, ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Start() = %v, %v, want nil, ErrUnsupported", s, err)
	}
}
