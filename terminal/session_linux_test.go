package terminal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// timeout bounds every wait in these tests.
const timeout = 10 * time.Second

// output collects everything a Session prints, from one reader goroutine
// that ends when Read fails.
type output struct {
	s    *Session
	mu   sync.Mutex
	buf  bytes.Buffer
	err  error         // the error that ended reading
	more chan struct{} // signalled after each read
	done chan struct{} // closed when the reader has returned
}

func collect(s *Session) *output {
	o := &output{s: s, more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(o.done)
		b := make([]byte, 4096)
		for {
			n, err := s.Read(b)
			o.mu.Lock()
			o.buf.Write(b[:n])
			o.err = err
			o.mu.Unlock()
			select {
			case o.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return o
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until re matches the output and returns its submatches.
func (o *output) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := re.FindStringSubmatch(o.String()); m != nil {
			return m
		}
		select {
		case <-o.more:
		case <-o.done:
			if m := re.FindStringSubmatch(o.String()); m != nil {
				return m
			}
			t.Fatalf("output ended (%v) without %q; output:\n%s", o.err, re, o)
		case <-deadline:
			t.Fatalf("no %q after %v; output:\n%s", re, timeout, o)
		}
	}
}

// end waits for the reader to return and gives the error that ended it.
func (o *output) end(t *testing.T) error {
	t.Helper()
	select {
	case <-o.done:
		return o.err
	case <-time.After(timeout):
		t.Fatalf("Read still blocked after %v", timeout)
		return nil
	}
}

// run types line into the shell.
func (o *output) run(t *testing.T, line string) {
	t.Helper()
	if _, err := o.s.Write([]byte(line + "\n")); err != nil {
		t.Fatalf("Write(%q) = %v", line, err)
	}
}

// shOptions runs /bin/sh without a profile, in a fresh home.
func shOptions(t *testing.T) Options {
	home := t.TempDir()
	return Options{
		Shell: "/bin/sh",
		Args:  []string{},
		Env:   []string{"HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin", "PS1=$ "},
	}
}

// startSh starts a shell and reads its output until the test ends, when it
// closes the session.
func startSh(t *testing.T, opts Options) (*Session, *output) {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start(%+v) = %v", opts, err)
	}
	o := collect(s)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		o.end(t)
	})
	return s, o
}

func TestRunsCommands(t *testing.T) {
	_, o := startSh(t, shOptions(t))
	o.run(t, "echo MARK_$((40+2))")
	// The terminal echoes the typed line unexpanded: only the shell can
	// print 42.
	o.waitFor(t, regexp.MustCompile(`MARK_42`))
}

func TestEnvironment(t *testing.T) {
	opts := shOptions(t)
	_, o := startSh(t, opts)
	o.run(t, `echo "T_${TERM}_ D_$(pwd)_"`)
	m := o.waitFor(t, regexp.MustCompile(`T_([^$\s]*)_ D_([^$\s]*)_`))
	if want := "xterm-256color"; m[1] != want {
		t.Errorf("TERM = %q, want %q", m[1], want)
	}
	if want := lookupEnv(opts.Env, "HOME"); m[2] != want {
		t.Errorf("working directory = %q, want %q (HOME)", m[2], want)
	}
}

func TestIsATerminal(t *testing.T) {
	s, o := startSh(t, shOptions(t))
	o.run(t, "echo TTY_$(tty)_")
	m := o.waitFor(t, regexp.MustCompile(`TTY_(/dev/pts/\d+)_`))
	if m[1] != s.tty {
		t.Errorf("tty = %q, want %q", m[1], s.tty)
	}
	// The shell leads its own session, whose controlling terminal is ours.
	o.run(t, `echo SID_$(ps -o sid= -p $$ | tr -d ' ')_`)
	if m := o.waitFor(t, regexp.MustCompile(`SID_(\d+)_`)); m[1] != strconv.Itoa(s.Pid()) {
		t.Errorf("session id = %s, want the shell's pid %d", m[1], s.Pid())
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		name       string
		cols, rows uint16
		want       string
	}{
		{"default", 0, 0, "24 80"},
		{"given", 132, 50, "50 132"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := shOptions(t)
			opts.Cols, opts.Rows = tt.cols, tt.rows
			s, o := startSh(t, opts)
			o.run(t, "echo SIZE1_$(stty size)_")
			if m := o.waitFor(t, regexp.MustCompile(`SIZE1_(\d+ \d+)_`)); m[1] != tt.want {
				t.Errorf("stty size = %q, want %q", m[1], tt.want)
			}
			if err := s.Resize(100, 40); err != nil {
				t.Fatalf("Resize(100, 40) = %v", err)
			}
			o.run(t, "echo SIZE2_$(stty size)_")
			if m := o.waitFor(t, regexp.MustCompile(`SIZE2_(\d+ \d+)_`)); m[1] != "40 100" {
				t.Errorf("stty size after Resize(100, 40) = %q, want %q", m[1], "40 100")
			}
		})
	}
}

func TestResizeRejectsZero(t *testing.T) {
	s, _ := startSh(t, shOptions(t))
	for _, size := range [][2]uint16{{0, 10}, {10, 0}, {0, 0}} {
		if err := s.Resize(size[0], size[1]); err == nil {
			t.Errorf("Resize(%d, %d) = nil, want an error", size[0], size[1])
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		line string
		want int
	}{
		{"exit", "exit 3", 3},
		{"signal", "kill -KILL $$", 128 + int(syscall.SIGKILL)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, o := startSh(t, shOptions(t))
			o.run(t, tt.line)
			code, err := s.Wait()
			if code != tt.want || err != nil {
				t.Errorf("Wait() = %d, %v, want %d, nil", code, err, tt.want)
			}
			if err := o.end(t); err != io.EOF {
				t.Errorf("Read after the shell exited = %v, want io.EOF", err)
			}
		})
	}
}

// gone reports whether pid has exited. A zombie counts: the process is
// dead, and reaping an orphan is init's job, which some inits do late.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	state, _, ok := readStat(pid)
	return !ok || state == 'Z'
}

func waitGone(t *testing.T, what string, pid int) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !gone(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) still alive %v after Close", what, pid, timeout)
		}
	}
}

func TestCloseEndsSession(t *testing.T) {
	s, err := Start(shOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	o := collect(s)
	// An interactive sh has job control: the job gets its own process
	// group, so signalling the shell's group alone would miss it.
	o.run(t, "sleep 300 & echo BG_$!_")
	bg, _ := strconv.Atoi(o.waitFor(t, regexp.MustCompile(`BG_(\d+)_`))[1])

	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := o.end(t); err != io.EOF {
		t.Errorf("blocked Read after Close = %v, want io.EOF", err)
	}
	if err := syscall.Kill(s.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Kill(shell, 0) after Close = %v, want ESRCH", err)
	}
	if code, err := s.Wait(); code <= 128 || err != nil {
		t.Errorf("Wait() after Close = %d, %v, want 128+signal, nil", code, err)
	}
	waitGone(t, "background job", bg)

	if n, err := s.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read after Close = %d, %v, want 0, io.EOF", n, err)
	}
	if _, err := s.Write([]byte("x")); err == nil {
		t.Error("Write after Close = nil, want an error")
	}
	if err := s.Resize(10, 10); err == nil {
		t.Error("Resize after Close = nil, want an error")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

func TestCloseKillsStubbornJob(t *testing.T) {
	s, o := startSh(t, shOptions(t))
	o.run(t, `sh -c 'trap "" HUP TERM; exec sleep 300' & echo BG_$!_`)
	bg, _ := strconv.Atoi(o.waitFor(t, regexp.MustCompile(`BG_(\d+)_`))[1])
	// Wait for the exec, so that the signals are ignored by sleep itself.
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", bg)); string(b) == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job never became sleep")
		}
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if d := time.Since(start); d < killDelay-100*time.Millisecond || d > killDelay+3*time.Second {
		t.Errorf("Close took %v, want about %v (SIGKILL after the delay)", d, killDelay)
	}
	waitGone(t, "job ignoring SIGHUP and SIGTERM", bg)
}

func TestCloseConcurrent(t *testing.T) {
	s, o := startSh(t, shOptions(t))
	o.run(t, "echo READY_$((1+1))")
	o.waitFor(t, regexp.MustCompile(`READY_2`))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close() = %v", err)
			}
		})
		wg.Go(func() {
			if code, err := s.Wait(); code <= 128 || err != nil {
				t.Errorf("Wait() = %d, %v, want 128+signal, nil", code, err)
			}
		})
	}
	wg.Wait()
}

func TestStartFails(t *testing.T) {
	base := countFDs(t)
	opts := shOptions(t)
	opts.Shell = t.TempDir() + "/no-such-shell"
	if s, err := Start(opts); err == nil {
		s.Close()
		t.Fatalf("Start(%q) = nil error, want one", opts.Shell)
	}
	if n := countFDs(t); n != base {
		t.Errorf("open fds after a failed Start = %d, want %d", n, base)
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	return len(names)
}

// settle waits until the goroutine count falls back to base.
func settle(t *testing.T, base int) {
	t.Helper()
	for deadline := time.Now().Add(timeout); runtime.NumGoroutine() > base; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
	}
}

func TestNoGoroutineLeft(t *testing.T) {
	base := runtime.NumGoroutine()
	s, err := Start(shOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	o := collect(s)
	o.run(t, "echo MARK_$((40+2))")
	o.waitFor(t, regexp.MustCompile(`MARK_42`))
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	o.end(t)
	settle(t, base)
}

func TestManySessions(t *testing.T) {
	const n = 20
	baseG, baseFD := runtime.NumGoroutine(), countFDs(t)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := Start(shOptions(t))
			if err != nil {
				t.Errorf("Start #%d: %v", i, err)
				return
			}
			o := collect(s)
			fmt.Fprintf(s, "echo S%d_$((%d*2))_\n", i, i)
			o.waitFor(t, regexp.MustCompile(fmt.Sprintf(`S%d_%d_`, i, i*2)))
			if err := s.Close(); err != nil {
				t.Errorf("Close #%d: %v", i, err)
			}
			if err := o.end(t); err != io.EOF {
				t.Errorf("Read #%d after Close = %v, want io.EOF", i, err)
			}
		})
	}
	wg.Wait()
	settle(t, baseG)
	if got := countFDs(t); got != baseFD {
		t.Errorf("open fds = %d, want %d", got, baseFD)
	}
}

func TestCloseUnblocksWrite(t *testing.T) {
	s, o := startSh(t, shOptions(t))
	// Raw mode and a shell that reads nothing: input piles up until the
	// terminal's queues are full and Write blocks.
	o.run(t, "stty raw -echo; echo READY_$((1+1)); sleep 300")
	o.waitFor(t, regexp.MustCompile(`READY_2`))
	var written atomic.Int64
	blocked := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte("x"), 4096)
		for {
			n, err := s.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				blocked <- err
				return
			}
		}
	}()
	// Blocked means no progress for a while.
	deadline := time.Now().Add(timeout)
	for last := int64(-1); last != written.Load(); {
		if time.Now().After(deadline) {
			t.Fatalf("Write never blocked (%d bytes written)", written.Load())
		}
		last = written.Load()
		select {
		case err := <-blocked:
			t.Fatalf("Write failed before Close: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	select {
	case err := <-blocked:
		if err == nil {
			t.Error("Write after Close = nil, want an error")
		}
	case <-time.After(timeout):
		t.Fatal("Write still blocked after Close")
	}
}

func TestDefaultShell(t *testing.T) {
	// The zero Options but for the environment: $SHELL -l, or bash -l.
	_, o := startSh(t, Options{Env: []string{"HOME=" + t.TempDir(), "PATH=/usr/local/bin:/usr/bin:/bin"}})
	o.run(t, "echo MARK_$((40+2))")
	o.waitFor(t, regexp.MustCompile(`MARK_42`))
}
