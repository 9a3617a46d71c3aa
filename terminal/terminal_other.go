//go:build !linux

package terminal

// Session is a shell running on a pseudo-terminal. On this system Start
// always fails with ErrUnsupported, so no Session exists; the methods are
// here so that callers compile everywhere.
type Session struct{}

// Start returns ErrUnsupported: terminals need Linux.
func Start(o Options) (*Session, error) { return nil, ErrUnsupported }

// Pid returns 0.
func (s *Session) Pid() int { return 0 }

// Read returns ErrUnsupported.
func (s *Session) Read(p []byte) (int, error) { return 0, ErrUnsupported }

// Write returns ErrUnsupported.
func (s *Session) Write(p []byte) (int, error) { return 0, ErrUnsupported }

// Resize returns ErrUnsupported.
func (s *Session) Resize(cols, rows uint16) error { return ErrUnsupported }

// Wait returns ErrUnsupported.
func (s *Session) Wait() (exitCode int, err error) { return 0, ErrUnsupported }

// Close returns nil.
func (s *Session) Close() error { return nil }
