package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The crash test re-runs the test binary as a child (crashChild, through
// TestMain with crashDirEnv set) that writes records and blobs in a loop, printing
//
//	BEGIN <what> <name> <sha256 or ->
//	ACK <what> <name> <sha256 or ->
//
// around every write ("-" for a delete). The parent kills it with SIGKILL
// at a random moment, reopens the store and checks that every name holds
// its last acknowledged content, or the content of the one write that was
// in flight, and that nothing is torn.
const (
	crashDirEnv  = "NODETOOL_STORE_CRASH_DIR"
	crashSeedEnv = "NODETOOL_STORE_CRASH_SEED"
)

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestMain runs the crash test's child instead of the tests when the
// parent asks for it (crashDirEnv set).
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(dir)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashOptions journal the kind "journal" (see journal.go); the kind
// "crash" is one file per record.
var crashOptions = Options{Journaled: []string{"journal"}}

// crashKind picks the record kind of a write, and its name in the log.
func crashKind(rng *rand.Rand) (kind, what string) {
	if rng.IntN(2) == 0 {
		return "journal", "jrecord"
	}
	return "crash", "record"
}

// crashChild is the child side of TestCrash: it writes until it is killed
// (or for 30 s, in case the parent is gone). A failure ends it with status
// 2 and a message on stderr, which the parent shows.
func crashChild(dir string) {
	fatalf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "crash child: "+format+"\n", args...)
		os.Exit(2)
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	chacha := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	db, err := Open(dir, crashOptions)
	if err != nil {
		fatalf("Open(%q) = %v", dir, err)
	}
	assets, err := db.Blobs("assets")
	if err != nil {
		fatalf("Blobs = %v", err)
	}
	fmt.Println("READY")
	say := func(verb, what, name, hash string) { fmt.Printf("%s %s %s %s\n", verb, what, name, hash) }
	deadline := time.Now().Add(30 * time.Second) // in case the parent is gone
	for n := 0; time.Now().Before(deadline); n++ {
		switch op := rng.IntN(10); {
		case op < 5:
			kind, what := crashKind(rng)
			id := fmt.Sprintf("r%d", rng.IntN(20))
			data := fmt.Appendf(nil, `{"n":%d,"pad":%q}`, n, strings.Repeat("p", rng.IntN(20000)))
			say("BEGIN", what, id, hashHex(data))
			if err := db.PutRaw(kind, id, data); err != nil {
				fatalf("PutRaw = %v", err)
			}
			say("ACK", what, id, hashHex(data))
		case op < 6:
			kind, what := crashKind(rng)
			id := fmt.Sprintf("r%d", rng.IntN(20))
			say("BEGIN", what, id, "-")
			if _, err := db.Delete(kind, id); err != nil {
				fatalf("Delete = %v", err)
			}
			say("ACK", what, id, "-")
		case op < 9:
			key := fmt.Sprintf("b/%d/blob", rng.IntN(8))
			data := make([]byte, rng.IntN(512<<10))
			chacha.Read(data)
			say("BEGIN", "blob", key, hashHex(data))
			if _, err := assets.Put(context.Background(), key, bytes.NewReader(data), -1); err != nil {
				fatalf("Put = %v", err)
			}
			say("ACK", "blob", key, hashHex(data))
		default:
			key := fmt.Sprintf("b/%d/blob", rng.IntN(8))
			say("BEGIN", "blob", key, "-")
			if err := assets.Delete(key); err != nil && !errors.Is(err, ErrNotFound) {
				fatalf("Delete = %v", err)
			}
			say("ACK", "blob", key, "-")
		}
	}
}

func TestCrash(t *testing.T) {
	iterations := 30
	if testing.Short() {
		iterations = 5
	}
	dir := dataDir(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	state := map[string]string{} // "record r3" -> hash; missing = absent
	acked := 0
	start := time.Now()
	for i := range iterations {
		if time.Since(start) > 8*time.Second {
			t.Logf("stopping after %d iterations (time budget)", i)
			break
		}
		lines := runCrashChild(t, dir, rng)
		// Replay the child's log: ACK updates the state; a BEGIN with no
		// ACK (only the last line can be one) may or may not have landed.
		pending := map[string]string{}
		for _, line := range lines {
			f := strings.Fields(line)
			if len(f) != 4 || (f[0] != "BEGIN" && f[0] != "ACK") {
				continue
			}
			name := f[1] + " " + f[2]
			if f[0] == "BEGIN" {
				pending = map[string]string{name: f[3]}
				continue
			}
			acked++
			delete(pending, name)
			if f[3] == "-" {
				delete(state, name)
			} else {
				state[name] = f[3]
			}
		}
		state = checkCrashState(t, dir, state, pending)
		if t.Failed() {
			t.Fatalf("iteration %d: state after SIGKILL is wrong; child output:\n%s", i, strings.Join(lines[max(0, len(lines)-5):], "\n"))
		}
	}
	if acked == 0 {
		t.Fatalf("no write was acknowledged in %d iterations", iterations)
	}
	t.Logf("%d acknowledged writes checked in %v", acked, time.Since(start))
	checkModes(t, dir)
}

// runCrashChild starts the child on dir, kills it with SIGKILL at a random
// moment (sometimes during Open) and returns its complete output lines.
func runCrashChild(t *testing.T, dir string, rng *rand.Rand) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashSeedEnv+"="+strconv.FormatUint(rng.Uint64(), 10))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	linesc := make(chan []string)
	go func() {
		var lines []string
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break // a partial last line is dropped: it was never acknowledged
			}
			lines = append(lines, strings.TrimSuffix(line, "\n"))
			if line == "READY\n" {
				close(ready)
			}
		}
		io.Copy(io.Discard, r)
		linesc <- lines
	}()
	if rng.IntN(5) == 0 {
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond) // maybe during Open
	} else {
		select {
		case <-ready:
		case <-time.After(10 * time.Second):
			t.Errorf("child never became ready")
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL on Unix
	lines := <-linesc
	cmd.Wait()
	return lines
}

// checkCrashState opens dir and checks every name against state, allowing
// the pending write instead. It returns the state found on disk.
func checkCrashState(t *testing.T, dir string, state, pending map[string]string) map[string]string {
	t.Helper()
	var logs logBuffer
	opts := crashOptions
	opts.Logger = logs.logger()
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open after SIGKILL = %v", err)
	}
	defer db.Close()
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("Open after SIGKILL warned (torn or stray files):\n%s", logs.String())
	}
	if got := tmpFiles(t, dir); len(got) != 0 {
		t.Errorf("tmp after Open = %q, want empty", got)
	}
	found := map[string]string{}
	for _, r := range db.List("crash") {
		found["record "+r.ID] = hashHex(r.Data)
	}
	for _, r := range db.List("journal") {
		found["jrecord "+r.ID] = hashHex(r.Data)
	}
	assets := bucket(t, db, "assets")
	list, err := assets.List("")
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	for _, info := range list {
		f, _, err := assets.Open(info.Key)
		if err != nil {
			t.Fatalf("Open(%q) = %v", info.Key, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			t.Fatalf("read %q = %v", info.Key, err)
		}
		found["blob "+info.Key] = hex.EncodeToString(h.Sum(nil))
	}
	names := map[string]bool{}
	for _, m := range []map[string]string{state, pending, found} {
		for name := range m {
			names[name] = true
		}
	}
	for name := range names {
		got, want := found[name], state[name]
		if got == want {
			continue
		}
		if p, ok := pending[name]; ok && (got == p || p == "-" && got == "") {
			continue
		}
		t.Errorf("after SIGKILL %s = %.12q, want %.12q (last acknowledged) or the pending %.12q", name, got, want, pending[name])
	}
	return found
}
