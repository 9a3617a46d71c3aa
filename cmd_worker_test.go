package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/sse"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is the binary's run() serving on 127.0.0.1:0.
type server struct {
	url    string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   context.CancelFunc
	done   chan error
}

// startServer runs "nodetool <args>" with env, waits until it prints its
// address and answers /health, and stops it at the end of the test.
func startServer(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, stop: cancel, done: make(chan error, 1)}
	getenv := func(k string) string { return env[k] }
	go func() {
		s.done <- run(ctx, append([]string{"nodetool"}, args...), getenv, strings.NewReader(""), s.stdout, s.stderr)
	}()
	addrRe := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := addrRe.FindStringSubmatch(s.stdout.String()); m != nil {
			// An open listener (0.0.0.0) is reached on loopback.
			s.url = strings.Replace(m[1], "//0.0.0.0:", "//127.0.0.1:", 1)
			break
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited before listening: %v\nstdout: %s\nstderr: %s", err, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start\nstdout: %s\nstderr: %s", s.stdout, s.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		resp, err := http.Get(s.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /health: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			t.Errorf("server did not stop")
		}
	})
	return s
}

// shutdown stops the server as SIGTERM would and returns run's result.
func (s *server) shutdown(t *testing.T) error {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop within 20s")
	}
	return nil
}

func workerEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{"HOME": dir, "WORKER_AUTH_TOKEN": "cli-test-token-123456", "NODETOOL_DATA_DIR": filepath.Join(dir, "data")}
}

func authGet(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWorkerServesExamples(t *testing.T) {
	env := workerEnv(t)
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	out := s.stdout.String()
	for _, want := range []string{"auth:      static", "token:     cli-…3456 (from WORKER_AUTH_TOKEN;", "data dir:  " + env["NODETOOL_DATA_DIR"], "workflows: 5 from the embedded examples, 0 stored"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+s.stderr.String(), env["WORKER_AUTH_TOKEN"]) {
		t.Errorf("the full token was printed or logged")
	}
	code, body := authGet(t, "POST", s.url+"/workflows/uppercase/run", env["WORKER_AUTH_TOKEN"], `{"text":"from the binary"}`)
	if code != 200 || body != `{"results":{"result":"FROM THE BINARY"}}` {
		t.Fatalf("run = %d %s", code, body)
	}
	if code, _ := authGet(t, "POST", s.url+"/workflows/uppercase/run", "", `{}`); code != 401 {
		t.Fatalf("run without token = %d, want 401", code)
	}
	if err := s.shutdown(t); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestWorkerGeneratesToken(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "NODETOOL_DATA_DIR": filepath.Join(dir, "data")}
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	m := regexp.MustCompile(`token:     (\S+)\n\s+\(new; saved to (\S+)\)`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("banner does not show a new token:\n%s", s.stdout)
	}
	if fi, err := os.Stat(m[2]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file %s: %v, mode %v, want 0600", m[2], err, fi.Mode())
	}
	if code, _ := authGet(t, "GET", s.url+"/workflows", m[1], ""); code != 200 {
		t.Fatalf("GET /workflows with the new token = %d", code)
	}
	s.shutdown(t)
	// The next start reads it back, masked.
	s2 := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	if strings.Contains(s2.stdout.String(), m[1]) || !strings.Contains(s2.stdout.String(), "(from "+m[2]+";") {
		t.Fatalf("second banner shows the full token or not its file:\n%s", s2.stdout)
	}
	out, _, code := runCLIEnv(t, env, "token")
	if code != 0 || !strings.Contains(out, m[1][:4]+"…"+m[1][len(m[1])-4:]) || strings.Contains(out, m[1]) {
		t.Fatalf("nodetool token = %q (exit %d)", out, code)
	}
	out, errOut, code := runCLIEnv(t, env, "token", "--show")
	if code != 0 || out != m[1]+"\n" || errOut != "" {
		t.Fatalf("nodetool token --show = %q, stderr %q (exit %d); want the token alone", out, errOut, code)
	}
	out, _, code = runCLIEnv(t, env, "token", "--rotate")
	if code != 0 || strings.Contains(out, m[1]) || !strings.Contains(out, "new token") {
		t.Fatalf("nodetool token --rotate = %q (exit %d)", out, code)
	}
	rotated := strings.SplitN(out, "\n", 2)[0]
	if out, _, code = runCLIEnv(t, env, "token", "--show"); code != 0 || out != rotated+"\n" {
		t.Fatalf("nodetool token --show after --rotate = %q (exit %d), want %q", out, code, rotated)
	}
	if out, _, code = runCLIEnv(t, map[string]string{"WORKER_AUTH_TOKEN": "from-the-env-0123456789"}, "token", "--show"); code != 0 || out != "from-the-env-0123456789\n" {
		t.Fatalf("nodetool token --show with WORKER_AUTH_TOKEN = %q (exit %d)", out, code)
	}
}

func runCLIEnv(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"nodetool"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

func TestWorkerRefusesUnsafeConfig(t *testing.T) {
	env := workerEnv(t)
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"worker", "--auth-provider", "multi_user"}, nil, `"multi_user"`},
		{[]string{"worker", "--auth-provider", "none", "--port", "0"}, nil, "--insecure"},
		{[]string{"worker", "--auth-provider", "local", "--host", "0.0.0.0", "--port", "0"}, nil, "--insecure"},
		{[]string{"worker", "--port", "99999"}, nil, "--port"},
		{[]string{"worker"}, map[string]string{"PORT": "eighty"}, "PORT"},
		{[]string{"worker", "--workflow", "/nonexistent.json"}, nil, "--workflow"},
		{[]string{"worker", "--log-format", "xml"}, nil, "--log-format"},
		{[]string{"worker", "--max-body", "lots"}, nil, "max-body"},
		{[]string{"worker", "--auth-provider", "supabase"}, nil, "SUPABASE"},
	}
	for _, c := range cases {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		for k, v := range c.env {
			e[k] = v
		}
		_, errOut, code := runCLIEnv(t, e, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("nodetool %s: exit %d, %q; want exit 2 mentioning %s", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
	// With --insecure the open server starts, and says so in the log.
	s := startServer(t, env, "worker", "--auth-provider", "none", "--host", "0.0.0.0", "--port", "0", "--insecure")
	if !strings.Contains(s.stderr.String(), "without authentication (--insecure)") {
		t.Errorf("no warning logged for --insecure:\n%s", s.stderr)
	}
}

// TestWorkerManyStreamsEndOnShutdown opens 1,000 SSE streams on a run that
// never ends by itself, then shuts the server down: every stream must end
// cleanly (an error event, then [DONE]) and run must return nil.
func TestWorkerManyStreamsEndOnShutdown(t *testing.T) {
	env := workerEnv(t)
	wf := filepath.Join(t.TempDir(), "waits.json")
	os.WriteFile(wf, []byte(`{"id":"waits","name":"Waits","graph":{"nodes":[
	 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
	 {"id":"col","type":"nodetool.control.Collect"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}],
	 "edges":[{"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
	 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`), 0o600)
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--workflow", wf, "--shutdown-grace", "300ms", "--log-level", "warn", "--max-jobs", "1000")

	const n = 1000
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	bodies := make([]io.ReadCloser, n)
	// One reader per stream for its whole life: a second reader on the same
	// body would miss what the first had buffered past the first event.
	readers := make([]*sse.Reader, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", s.url+"/workflows/waits/run/stream", strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+env["WORKER_AUTH_TOKEN"])
			resp, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			r := sse.NewReader(resp.Body, 0)
			ev, err := r.Next()
			if err != nil || !strings.Contains(ev.Data, `"status":"running"`) {
				errs <- fmt.Errorf("stream %d first event %+v, %v", i, ev, err)
			}
			bodies[i], readers[i] = resp.Body, r
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.shutdown(t) }()
	ends := make(chan string, n)
	for i := range n {
		go func() {
			r := readers[i]
			var last []string
			for {
				ev, err := r.Next()
				if err != nil {
					if err != io.EOF {
						last = append(last, "read error: "+err.Error())
					}
					break
				}
				last = append(last, ev.Data)
			}
			bodies[i].Close()
			if len(last) < 2 || last[len(last)-1] != "[DONE]" || !strings.Contains(last[len(last)-2], `"type":"error"`) {
				ends <- fmt.Sprintf("stream %d ended with %q", i, last)
				return
			}
			ends <- ""
		}()
	}
	for range n {
		if msg := <-ends; msg != "" {
			t.Error(msg)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run returned %v after shutdown, want nil", err)
	}
}
