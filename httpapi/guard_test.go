package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/authn"
)

const guardToken = "guard-test-token-0123456789"

// guardedServer serves, through Serve with to, a protected POST /echo that
// reads its body with ReadBody (limit 1 KiB) and a public GET /health.
func guardedServer(t *testing.T, to Timeouts) string {
	t.Helper()
	auth, err := authn.New(authn.Options{Provider: authn.Static, StaticToken: guardToken})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Handle(mux, auth, []Route{
		{"GET /health", Public, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }},
		{"POST /echo", Authenticated, func(w http.ResponseWriter, r *http.Request) {
			if body, ok := ReadBody(w, r, 1<<10); ok {
				w.Write(body)
			}
		}},
	})
	h := JSONErrors(mux, auth)
	addr, cancel, done := startServe(t, h, to)
	t.Cleanup(func() { cancel(); <-done })
	return addr
}

// slowClient is a raw connection that sent a request's headers and the
// start of its body, and trickles the rest one byte at a time until the
// server closes the connection (or it is stopped).
type slowClient struct {
	conn net.Conn
	br   *bufio.Reader
	stop chan struct{}
	done chan struct{}
}

// startSlow opens a connection and sends head (request line and headers,
// without the blank line) and the first bytes of a body, then trickles a
// byte every 50 ms: forever, as far as the server can tell.
func startSlow(t *testing.T, addr, head string) *slowClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &slowClient{conn: conn, br: bufio.NewReader(conn), stop: make(chan struct{}), done: make(chan struct{})}
	t.Cleanup(func() { c.close() })
	if _, err := io.WriteString(conn, head+"\r\n\r\n{\"a\":"); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.done)
		for {
			select {
			case <-c.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return // the server closed the connection
			}
		}
	}()
	return c
}

func (c *slowClient) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.conn.Close()
	<-c.done
}

// response reads the server's answer (waiting up to 30 s) and then checks
// that the server closes the connection (up to 30 s more). It returns the
// status and body, or an error saying what went wrong.
func (c *slowClient) response() (int, string, error) {
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, "", fmt.Errorf("no response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, "", fmt.Errorf("reading the response body: %v", err)
	}
	if !resp.Close {
		return resp.StatusCode, string(body), errors.New("the response does not close the connection")
	}
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		return resp.StatusCode, string(body), fmt.Errorf("the connection stayed open after the response (read: %v)", err)
	}
	return resp.StatusCode, string(body), nil
}

// TestSlowUnauthenticatedBodies: 200 clients trickle request bodies without
// a token, with a declared length and chunked. Each gets its 401 at once,
// without the server waiting for the body, and its connection closed;
// /health keeps answering all along.
func TestSlowUnauthenticatedBodies(t *testing.T) {
	addr := guardedServer(t, DefaultTimeouts)
	const n = 200
	clients := make([]*slowClient, n)
	for i := range clients {
		head := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000"
		if i%2 == 1 {
			head = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000"
		}
		if i%4 == 2 {
			head += "\r\nAuthorization: Bearer wrong-token-0123456789"
		}
		clients[i] = startSlow(t, addr, head)
	}
	health := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, err := c.response()
			if err != nil || status != http.StatusUnauthorized {
				t.Errorf("slow client %d: status %d, body %q, error %v; want 401 and the connection closed", i, status, body, err)
			}
		}()
		if i%20 == 0 {
			resp, err := health.Get("http://" + addr + "/health")
			if err != nil {
				t.Fatalf("GET /health with %d slow clients: %v", i, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /health with %d slow clients = %d", i, resp.StatusCode)
			}
		}
	}
	wg.Wait()
}

// TestSlowBodyIsCut: an authenticated client that sends its body too
// slowly gets 408 once the body timeout has passed, and its connection is
// closed; a client within the timeout is served.
func TestSlowBodyIsCut(t *testing.T) {
	to := DefaultTimeouts
	to.Body = time.Second
	addr := guardedServer(t, to)
	c := startSlow(t, addr, "POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+guardToken+"\r\nContent-Length: 500")
	status, body, err := c.response()
	if err != nil || status != http.StatusRequestTimeout || !strings.Contains(body, "--body-timeout") {
		t.Errorf("slow authenticated body: status %d, body %q, error %v; want 408 naming --body-timeout and the connection closed", status, body, err)
	}

	req, _ := http.NewRequest("POST", "http://"+addr+"/echo", strings.NewReader(`{"a":1}`))
	req.Header.Set("Authorization", "Bearer "+guardToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != `{"a":1}` {
		t.Errorf("POST /echo = %d %q, want 200 and the body back", resp.StatusCode, got)
	}
}

// TestRefusalsDoNotReadTheBody: requests refused on their headers (a
// declared length over the limit, no route) are answered at once and
// closed, whatever their body does.
func TestRefusalsDoNotReadTheBody(t *testing.T) {
	addr := guardedServer(t, DefaultTimeouts)
	auth := "\r\nAuthorization: Bearer " + guardToken
	for _, c := range []struct {
		name, head string
		want       int
	}{
		{"declared length over the limit", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000" + auth, 413},
		{"no such route", "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5000" + auth, 404},
		{"wrong method", "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000" + auth, 405},
	} {
		status, body, err := startSlow(t, addr, c.head).response()
		if err != nil || status != c.want {
			t.Errorf("%s: status %d, body %q, error %v; want %d and the connection closed", c.name, status, body, err, c.want)
		}
	}
}

// TestBodyDeadlineLifted: once a body is read, a handler may run past the
// body timeout: its context is not cancelled and its answer arrives.
func TestBodyDeadlineLifted(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := ReadBody(w, r, 1<<10)
		if !ok {
			return
		}
		select {
		case <-release:
			w.Write(body)
		case <-r.Context().Done():
			writeError(w, Errorf(Unavailable, "cancelled"))
		}
	})
	to := DefaultTimeouts
	to.Body = 200 * time.Millisecond
	addr, cancel, done := startServe(t, h, to)
	defer func() { cancel(); <-done }()
	go func() {
		// Well past the body timeout: the background read that watches
		// for the client going away must not time out.
		time.Sleep(time.Second)
		close(release)
	}()
	resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader("done"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "done" {
		t.Errorf("POST = %d %q, want 200 %q", resp.StatusCode, got, "done")
	}
}

// TestStalledReaderIsDropped: a client that stops reading a large response
// is dropped after the write timeout (the handler's write fails), while a
// streamed upload that keeps sending is not cut by the body timeout.
func TestStalledReaderIsDropped(t *testing.T) {
	writeErr := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 1<<20)
		for range 256 { // 256 MiB: far more than socket buffers hold
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	})
	to := DefaultTimeouts
	to.Write = 500 * time.Millisecond
	addr, cancel, done := startServe(t, h, to)
	defer func() { cancel(); <-done }()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	select {
	case err := <-writeErr:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("the handler's write to a client that does not read = %v, want a deadline error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a client that does not read held the handler for 30 s")
	}
}

// TestUploadMayOutlastTheBodyTimeout: an upload read through an IdleReader
// may take longer than the body timeout as long as it keeps coming, but is
// cut (408 from PutBlob's error path) when it stalls.
func TestUploadMayOutlastTheBodyTimeout(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := NewIdleReader(w, r.Body, 2*time.Second)
		n, err := io.Copy(io.Discard, body)
		switch {
		case errors.Is(body.Err(), os.ErrDeadlineExceeded):
			writeError(w, Errorf(Timeout, "stalled"))
		case err != nil:
			writeError(w, Errorf(Malformed, "the body could not be read"))
		default:
			fmt.Fprint(w, n)
		}
	})
	to := DefaultTimeouts
	to.Body = time.Second
	addr, cancel, done := startServe(t, h, to)
	defer func() { cancel(); <-done }()

	// 3 s of body, a chunk every 10 ms: longer than the request may take
	// (1 s), never idle for long.
	pr, pw := io.Pipe()
	go func() {
		start := time.Now()
		for time.Since(start) < 3*time.Second {
			pw.Write([]byte("0123456789"))
			time.Sleep(10 * time.Millisecond)
		}
		pw.Close()
	}()
	resp, err := http.Post("http://"+addr+"/", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a steady upload longer than the body timeout = %d %q, want 200", resp.StatusCode, got)
	}

	// Its first bytes, then nothing.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nstart")
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a stalled upload: %v, %v; want 408", resp, err)
	}
}

// TestHeaderLimits: headers larger than MaxHeaderBytes are refused with
// 431, and an idle keep-alive connection is closed after the idle timeout.
func TestHeaderLimits(t *testing.T) {
	to := DefaultTimeouts
	to.Idle = 500 * time.Millisecond
	addr := guardedServer(t, to)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", MaxHeaderBytes+8192))
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a request with %d bytes of headers: %v, %v; want 431", MaxHeaderBytes+8192, resp, err)
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(idle)
	idle.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /health: %v, %v", resp, err)
	}
	io.ReadAll(resp.Body)
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("an idle keep-alive connection after the idle timeout: read %v, want EOF (closed by the server)", err)
	}
}
