package terminal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// killDelay is how long Close waits after SIGHUP and SIGTERM before it
// sends SIGKILL, as the original server does.
const killDelay = 2 * time.Second

// Session is a shell running on a pseudo-terminal. Its methods are safe for
// concurrent use. Callers must call Close, even after the shell has exited:
// Close is what ends the shell's background jobs and releases the terminal.
type Session struct {
	master *os.File
	tty    string // the slave's path, /dev/pts/N
	cmd    *exec.Cmd

	// exited is closed by the reaper goroutine once the shell has been
	// waited for; exitCode and waitErr are set before.
	exited   chan struct{}
	exitCode int
	waitErr  error

	closeOnce sync.Once
	closeErr  error
}

// Start starts a shell on a new pseudo-terminal. The shell leads a new
// session whose controlling terminal is that pseudo-terminal. See Options
// for the defaults.
func Start(o Options) (*Session, error) {
	o = o.withDefaults()
	master, slave, err := openPTY(o.Cols, o.Rows)
	if err != nil {
		return nil, err
	}
	// A Shell without a slash is looked up in this process's PATH.
	cmd := exec.Command(o.Shell, o.Args...)
	cmd.Env = o.Env
	cmd.Dir = o.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setsid:  true, // a new session and process group, led by the shell,
		Setctty: true, // whose controlling terminal is
		Ctty:    0,    // the child's fd 0: the slave
	}
	err = cmd.Start()
	// The child has its own copies of the slave; ours would keep the
	// terminal open after the shell exits and hide the end of the output.
	slave.Close()
	if err != nil {
		master.Close()
		return nil, fmt.Errorf("terminal: start %s: %w", o.Shell, err)
	}
	s := &Session{master: master, tty: slave.Name(), cmd: cmd, exited: make(chan struct{})}
	// The reaper is the only goroutine a Session owns. It returns when the
	// shell exits, which Close guarantees.
	go s.reap()
	return s, nil
}

func (s *Session) reap() {
	err := s.cmd.Wait()
	var exitErr *exec.ExitError
	if err == nil || errors.As(err, &exitErr) {
		s.exitCode, err = exitCode(s.cmd.ProcessState), nil
	}
	s.waitErr = err
	close(s.exited)
}

// exitCode is the shell's exit status, or 128+n if signal n killed it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// Pid returns the shell's process id, which is also its process group and
// session id.
func (s *Session) Pid() int { return s.cmd.Process.Pid }

// Read reads the shell's output. It returns io.EOF once no process has the
// terminal open any more (the shell and any job it left behind have
// exited), or once Close has been called; a Read blocked at that moment
// returns io.EOF too.
func (s *Session) Read(p []byte) (int, error) {
	n, err := s.master.Read(p)
	// Linux reports a master whose slave side is closed with EIO.
	if errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrClosed) {
		err = io.EOF
	}
	return n, err
}

// Write sends input to the shell, as if typed. It blocks while the
// terminal's input queue is full and fails once the session has ended.
func (s *Session) Write(p []byte) (int, error) {
	return s.master.Write(p)
}

// Resize sets the terminal's window size. The kernel sends SIGWINCH to the
// foreground job. Both sizes must be positive.
func (s *Session) Resize(cols, rows uint16) error {
	if cols == 0 || rows == 0 {
		return fmt.Errorf("terminal: resize %dx%d: sizes must be positive", cols, rows)
	}
	rc, err := s.master.SyscallConn()
	if err != nil {
		return fmt.Errorf("terminal: resize: %w", err)
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) { ierr = setWinsize(fd, cols, rows) }); err != nil {
		return fmt.Errorf("terminal: resize: %w", err)
	}
	if ierr != nil {
		return fmt.Errorf("terminal: resize: %w", ierr)
	}
	return nil
}

// Wait waits for the shell to exit and returns its exit code, 128+n if
// signal n killed it. A non-zero exit code is not an error; err is set only
// if waiting itself failed. Wait may be called any number of times, also
// concurrently with Close.
func (s *Session) Wait() (exitCode int, err error) {
	<-s.exited
	return s.exitCode, s.waitErr
}

// Close ends the session. It sends SIGHUP, SIGTERM and SIGCONT to every
// process of the shell's session (the shell, its jobs and their children),
// waits up to two seconds for them to exit, sends SIGKILL to those left,
// waits for the shell and closes the terminal. Close unblocks concurrent
// Read and Write calls and leaves no goroutine behind. It is safe to call
// more than once and concurrently; every call returns after the session has
// ended, with the same result.
//
// Processes that left the session with setsid(2) are not touched.
func (s *Session) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Session) close() error {
	sid := s.Pid()
	deadline := time.Now().Add(killDelay)
	// A shell hangs up its jobs on SIGHUP; an interactive one ignores
	// SIGTERM, which is for the jobs; SIGCONT wakes stopped jobs so that
	// they receive the other two.
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGCONT} {
		s.cmd.Process.Signal(sig) // an error means it has exited already
		signalSession(sid, sig)
	}
	timer := time.NewTimer(time.Until(deadline))
	select {
	case <-s.exited:
	case <-timer.C:
	}
	timer.Stop()
	// Jobs are not our children, so there is nothing to wait on: poll.
	sweep(sid, 0, deadline)
	s.cmd.Process.Signal(syscall.SIGKILL)
	// Repeated rounds catch processes forked while we signal; a fork bomb
	// could still outrun them.
	sweep(sid, syscall.SIGKILL, time.Now().Add(time.Second))
	<-s.exited
	if err := s.master.Close(); err != nil {
		return fmt.Errorf("terminal: close: %w", err)
	}
	return nil
}
