package h1

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hang bounds every wait of these tests so that a failure cannot hang
// them; nothing is asserted about how long anything takes.
const hang = 20 * time.Second

// counted is an httptest server that counts the connections it accepted.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &n
}

// rawServer accepts connections on loopback and hands each, with its
// number (from 0), to serve on a goroutine of its own.
func rawServer(t *testing.T, serve func(i int, c net.Conn, br *bufio.Reader)) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			i := int(n.Add(1)) - 1
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(hang))
				serve(i, c, bufio.NewReader(c))
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &n
}

// newTransport is a transport whose idle connections are closed at the
// end of the test (before the servers wait for their connections).
func newTransport(t *testing.T) *Transport {
	fb := http.DefaultTransport.(*http.Transport).Clone()
	fb.Proxy = nil
	tr := New(fb)
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// get sends a request and reads its whole body.
func do(t *testing.T, tr *Transport, method, u, body string) (*http.Response, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

func mustDo(t *testing.T, tr *Transport, method, u, body string) (*http.Response, string) {
	t.Helper()
	resp, b, err := do(t, tr, method, u, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp, b
}

func TestKeepAliveReuse(t *testing.T) {
	srv, accepted := counted(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte("part1,"))
			w.(http.Flusher).Flush()
			w.Write(append([]byte("part2:"), b...))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Length", fmt.Sprint(len(b)+3))
			w.Write(append([]byte("ok:"), b...))
		}
	})
	tr := newTransport(t)
	tr.Fallback.MaxIdleConnsPerHost = 100
	for i := range 5 {
		body := fmt.Sprintf(`{"n":%d}`, i)
		resp, got := mustDo(t, tr, "POST", srv.URL+"/length", body)
		if want := "ok:" + body; got != want || resp.ContentLength != int64(len(want)) {
			t.Fatalf("Content-Length body %q (length %d), want %q", got, resp.ContentLength, want)
		}
		resp, got = mustDo(t, tr, "POST", srv.URL+"/chunked", body)
		if want := "part1,part2:" + body; got != want || resp.TransferEncoding[0] != "chunked" {
			t.Fatalf("chunked body %q (%v), want %q", got, resp.TransferEncoding, want)
		}
		resp, got = mustDo(t, tr, "GET", srv.URL+"/empty", "")
		if resp.StatusCode != 204 || got != "" {
			t.Fatalf("204: %d %q", resp.StatusCode, got)
		}
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("15 sequential requests took %d connections, want 1", n)
	}
	// Concurrent requests each take a connection, and give it back.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { mustDo(t, tr, "GET", srv.URL+"/x", "") })
	}
	wg.Wait()
	tr.mu.Lock()
	idle := tr.nidle
	tr.mu.Unlock()
	if n := int(accepted.Load()); idle != n {
		t.Errorf("%d idle connections after the requests, want all %d", idle, n)
	}
	tr.CloseIdleConnections()
	mustDo(t, tr, "GET", srv.URL+"/x", "")
	if n := int(accepted.Load()); n != idle+1 {
		t.Errorf("after CloseIdleConnections: %d connections accepted, want %d", n, idle+1)
	}
}

func TestIdleBounds(t *testing.T) {
	srv, accepted := counted(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	tr := newTransport(t)
	tr.Fallback.MaxIdleConnsPerHost = 2
	// Four requests in flight at once (each holds its body open), then
	// all four bodies are read: two connections stay, two are closed.
	var bodies []io.ReadCloser
	for range 4 {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, resp.Body)
	}
	for _, b := range bodies {
		io.ReadAll(b)
		b.Close()
	}
	if tr.nidle != 2 || len(tr.idle[hostPort(mustURL(t, srv.URL))]) != 2 {
		t.Fatalf("%d idle connections, want 2", tr.nidle)
	}
	// Expired idle connections are closed, not used.
	tr.Fallback.IdleConnTimeout = time.Nanosecond
	before := accepted.Load()
	time.Sleep(time.Millisecond)
	mustDo(t, tr, "GET", srv.URL, "")
	if n := accepted.Load(); n != before+1 {
		t.Errorf("expired idle connections: %d new connections, want 1", n-before)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestConnectionClose(t *testing.T) {
	srv, accepted := counted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write([]byte("bye"))
	})
	tr := newTransport(t)
	for range 3 {
		if _, got := mustDo(t, tr, "GET", srv.URL, ""); got != "bye" {
			t.Fatalf("body %q", got)
		}
	}
	if n := accepted.Load(); n != 3 {
		t.Errorf("Connection: close: %d connections for 3 requests, want 3", n)
	}
	// HTTP/1.0 without keep-alive, and a body that ends with the connection.
	u, raw := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.0 200 OK\r\n\r\nold style")
	})
	for range 2 {
		if _, got := mustDo(t, tr, "GET", u, ""); got != "old style" {
			t.Fatalf("HTTP/1.0 body %q", got)
		}
	}
	if n := raw.Load(); n != 2 {
		t.Errorf("HTTP/1.0: %d connections for 2 requests, want 2", n)
	}
}

// TestStaleRetry: the server closes a kept-alive connection when the next
// request arrives on it, without answering: the request (a POST) goes
// again, with its body, on a new connection.
func TestStaleRetry(t *testing.T) {
	var got []string
	var mu sync.Mutex
	u, accepted := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		for n := 0; ; n++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			b, _ := io.ReadAll(req.Body)
			if i == 0 && n == 1 {
				return // closes without a word
			}
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		}
	})
	tr := newTransport(t)
	mustDo(t, tr, "POST", u, "first")
	if _, b := mustDo(t, tr, "POST", u, "second"); b != "second" {
		t.Fatalf("retried request answered %q", b)
	}
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the first, and the retry's)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, ",") != "first,second" {
		t.Errorf("the server took %q", got)
	}

	// No retry when the server sent part of an answer, nor for a body
	// that cannot be made again, nor on a new connection.
	for _, tc := range []struct {
		name  string
		reply string
		noGet bool
		fresh bool
	}{
		{name: "partial answer", reply: "HTTP/1.1 200 OK\r\nContent-Le"},
		{name: "body not replayable", noGet: true},
		{name: "new connection", fresh: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, accepted := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
				for n := 0; ; n++ {
					if _, err := http.ReadRequest(br); err != nil {
						return
					}
					if (n == 1 || tc.fresh) && i == 0 {
						io.WriteString(c, tc.reply)
						return
					}
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			})
			tr := newTransport(t)
			if !tc.fresh {
				mustDo(t, tr, "POST", u, "first")
			}
			req, _ := http.NewRequest("POST", u, strings.NewReader("second"))
			if tc.noGet {
				req.GetBody = nil
			}
			if _, err := tr.RoundTrip(req); err == nil {
				t.Fatal("no error")
			}
			if n := accepted.Load(); n != 1 {
				t.Errorf("%d connections, want 1 (no retry)", n)
			}
		})
	}
}

// TestStalePeek: an idle connection the server has closed is seen as such
// before it is used.
func TestStalePeek(t *testing.T) {
	defer func(d time.Duration) { peekAfter = d }(peekAfter)
	peekAfter = 0
	release := make(chan struct{})
	u, accepted := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if i == 0 {
			<-release // then closes, as a server's idle timeout does
		}
	})
	tr := newTransport(t)
	mustDo(t, tr, "GET", u, "")
	c := tr.idle[hostPort(mustURL(t, u))][0]
	if !c.alive() {
		t.Fatal("an open idle connection is taken as closed")
	}
	if a := testing.AllocsPerRun(100, func() { c.alive() }); a != 0 {
		t.Errorf("the peek allocates %v times, want 0", a)
	}
	close(release)
	deadline := time.Now().Add(hang)
	for c.alive() {
		if time.Now().After(deadline) {
			t.Fatal("a closed connection is still taken as open")
		}
		time.Sleep(time.Millisecond)
	}
	// A body that cannot be sent twice: the peek, not a retry, saves it.
	req, _ := http.NewRequest("POST", u, strings.NewReader("once"))
	req.GetBody = nil
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestInformational(t *testing.T) {
	u, accepted := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			switch req.URL.Path {
			case "/1xx":
				io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"+
					"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
			case "/101":
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n")
			case "/many":
				io.WriteString(c, strings.Repeat("HTTP/1.1 102 Processing\r\n\r\n", 6)+"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			}
		}
	})
	tr := newTransport(t)
	resp, got := mustDo(t, tr, "POST", u+"/1xx", "x")
	if resp.StatusCode != 200 || got != "final" || resp.Header.Get("Link") != "" {
		t.Errorf("after 1xx: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	mustDo(t, tr, "POST", u+"/1xx", "x") // the connection was kept
	if n := accepted.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
	if _, _, err := do(t, tr, "GET", u+"/101", ""); !errors.Is(err, errSwitching) {
		t.Errorf("101: %v", err)
	}
	if _, _, err := do(t, tr, "GET", u+"/many", ""); !errors.Is(err, errTooMany1xx) {
		t.Errorf("six 1xx: %v", err)
	}
}

func TestHeaderLimit(t *testing.T) {
	big := strings.Repeat("a", 8<<10)
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Header().Set("X-Big", big)
		}
		w.Write([]byte(strings.Repeat("body is not bounded ", 1000)))
	})
	tr := newTransport(t)
	tr.Fallback.MaxResponseHeaderBytes = 4 << 10
	if _, _, err := do(t, tr, "GET", srv.URL+"/big", ""); !errors.Is(err, errHeaderLimit) {
		t.Errorf("8 KiB of headers with a 4 KiB bound: %v", err)
	}
	if _, b := mustDo(t, tr, "GET", srv.URL+"/small", ""); len(b) != 20000 {
		t.Errorf("a small header and a long body: %d bytes", len(b))
	}
	// 1xx answers count toward the bound.
	u, _ := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		for range 4 {
			fmt.Fprintf(c, "HTTP/1.1 103 Early Hints\r\nLink: %s\r\n\r\n", big[:2000])
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	})
	if _, _, err := do(t, tr, "GET", u, ""); !errors.Is(err, errHeaderLimit) {
		t.Errorf("8 KiB of 1xx headers with a 4 KiB bound: %v", err)
	}
}

// endless is a server that sends a chunked body until the client leaves,
// and says on gone when it did.
func endless(t *testing.T) (string, *atomic.Int32, chan struct{}) {
	gone := make(chan struct{}, 10)
	u, accepted := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		defer func() { gone <- struct{}{} }()
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if req.URL.Path == "/short" {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				continue
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			for {
				c.SetDeadline(time.Now().Add(hang))
				if _, err := io.WriteString(c, "5\r\nchunk\r\n"); err != nil {
					return
				}
				if req.URL.Path == "/slow" {
					// one chunk, then silence until the client leaves
					io.Copy(io.Discard, br)
					return
				}
			}
		}
	})
	return u, accepted, gone
}

func TestEarlyClose(t *testing.T) {
	u, accepted, gone := endless(t)
	tr := newTransport(t)
	req, _ := http.NewRequest("GET", u+"/endless", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { resp.Body.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(hang):
		t.Fatal("Close drains an endless body")
	}
	if _, err := resp.Body.Read(buf); !errors.Is(err, errBodyClosed) {
		t.Errorf("read after Close: %v", err)
	}
	<-gone
	mustDo(t, tr, "GET", u+"/short", "")
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (a closed body's is not reused)", n)
	}
}

func TestCancel(t *testing.T) {
	u, accepted, gone := endless(t)
	tr := newTransport(t)
	// Mid-body: the read blocked on a silent server ends.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", u+"/slow", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() { _, err := resp.Body.Read(buf); read <- err }()
	cancel()
	select {
	case err := <-read:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("read after cancel: %v", err)
		}
	case <-time.After(hang):
		t.Fatal("cancel does not end a blocked read")
	}
	resp.Body.Close()
	<-gone

	// Waiting for the headers: a server that never answers.
	hold := make(chan struct{})
	defer close(hold)
	u2, _ := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
		http.ReadRequest(br)
		<-hold
	})
	ctx, cancel = context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, "POST", u2, strings.NewReader("x"))
	rt := make(chan error, 1)
	go func() { _, err := tr.RoundTrip(req); rt <- err }()
	cancel()
	select {
	case err := <-rt:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancel before the headers: %v", err)
		}
	case <-time.After(hang):
		t.Fatal("cancel does not end the wait for headers")
	}
	mustDo(t, tr, "GET", u+"/short", "")
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections to the first server, want 2", n)
	}
}

// TestFallback: https and proxied requests go through net/http.
func TestFallback(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("tls")) }))
	defer tlsSrv.Close()
	tr := newTransport(t)
	tr.Fallback.TLSClientConfig = &tls.Config{RootCAs: tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	if _, b := mustDo(t, tr, "GET", tlsSrv.URL, ""); b != "tls" {
		t.Errorf("https: %q", b)
	}
	if tr.nidle != 0 {
		t.Errorf("https connections in the plain pool: %d", tr.nidle)
	}

	var proxied atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Store(r.RequestURI)
		w.Write([]byte("via proxy"))
	}))
	defer proxy.Close()
	pu := mustURL(t, proxy.URL)
	tr = newTransport(t)
	tr.Fallback.Proxy = func(r *http.Request) (*url.URL, error) {
		if r.URL.Host == "upstream.test" {
			return pu, nil
		}
		return nil, nil
	}
	if _, b := mustDo(t, tr, "GET", "http://upstream.test/v1/models", ""); b != "via proxy" || proxied.Load() != "http://upstream.test/v1/models" {
		t.Errorf("proxied: %q, the proxy saw %v", b, proxied.Load())
	}
	// Not proxied: served here.
	if _, b := mustDo(t, tr, "GET", proxy.URL+"/direct", ""); b != "via proxy" || proxied.Load() != "/direct" || tr.nidle != 1 {
		t.Errorf("direct: %q, the server saw %v, %d idle", b, proxied.Load(), tr.nidle)
	}
}

// TestRequestAllocs pins what a request through a kept-alive connection
// allocates, body read included, the in-process server's share too (50;
// 75 through net/http's Transport).
func TestRequestAllocs(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte(`{"ok":true}`))
	})
	tr := newTransport(t)
	payload := []byte(`{"model":"m","messages":[]}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	buf := make([]byte, 512)
	run := func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/chat/completions", bytes.NewReader(payload))
		req.Header["Content-Type"] = []string{"application/json"}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				break
			}
		}
		resp.Body.Close()
	}
	run()
	a := testing.AllocsPerRun(200, run)
	t.Logf("%.0f allocations per request", a)
	if limit := 55.0; a > limit {
		t.Errorf("%.0f allocations per request, want at most %.0f", a, limit)
	}
}

// TestBufferedExactRead: a Content-Length body read to its length (not
// past it) and closed gives its connection back, and Buffered tells
// that it had all arrived.
func TestBufferedExactRead(t *testing.T) {
	srv, accepted := counted(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) })
	tr := newTransport(t)
	for range 3 {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		bf := resp.Body.(interface{ Buffered() int })
		if n := bf.Buffered(); int64(n) > resp.ContentLength {
			t.Fatalf("Buffered %d, over the Content-Length %d", n, resp.ContentLength)
		}
		b := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, b); err != nil || string(b) != `{"ok":true}` {
			t.Fatalf("%q %v", b, err)
		}
		resp.Body.Close()
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestFinish: a body its reader ended with Finish (a relayed stream after
// its [DONE]) leaves its connection for the next request when the body's
// end has arrived by then, and only then: an end still to come, more after
// the last event than tailMax, bytes that do not end a chunked body, a
// "Connection: close" answer and an ended context each cost a new
// connection, and the request on it succeeds.
func TestFinish(t *testing.T) {
	const events = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"e\r\ndata: [DONE]\n\n\r\n"
	cases := []struct {
		name  string
		close bool   // the answer says Connection: close
		after string // sent after the client's Finish
		hold  bool   // the body does not end before the next request
		kept  bool
	}{
		{name: "end", after: "0\r\n\r\n", kept: true},
		{name: "end with trailer", after: "0\r\nX-Done: 1\r\n\r\n", kept: true},
		{name: "a comment, then the end", after: "3\r\n:\n\n\r\n0\r\n\r\n", kept: true},
		{name: "end to come", hold: true},
		{name: "over tailMax", after: fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", tailMax, strings.Repeat(":", tailMax))},
		{name: "not chunked", after: "junk\r\n\r\n"},
		{name: "more than the end", after: "0\r\n\r\nHTTP/1.1 200 OK\r\n"},
		{name: "connection close", close: true, after: "0\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			finished := make(chan struct{})
			u, accepted := rawServer(t, func(i int, c net.Conn, br *bufio.Reader) {
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if req.URL.Path == "/short" {
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
						continue
					}
					head := events
					if tc.close {
						head = strings.Replace(head, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1)
					}
					io.WriteString(c, head)
					<-finished
					if tc.hold {
						io.Copy(io.Discard, br) // until the client closes
						return
					}
					io.WriteString(c, tc.after)
				}
			})
			tr := newTransport(t)
			req, _ := http.NewRequest("POST", u+"/stream", strings.NewReader("{}"))
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, err := io.ReadAtLeast(resp.Body, buf, len("data: [DONE]\n\n"))
			if err != nil || string(buf[:n]) != "data: [DONE]\n\n" {
				t.Fatalf("read %q, %v", buf[:n], err)
			}
			resp.Body.(interface{ Finish() error }).Finish()
			if _, err := resp.Body.Read(buf); !errors.Is(err, errBodyClosed) {
				t.Errorf("read after Finish: %v", err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Errorf("Close after Finish: %v", err)
			}
			close(finished)
			if idle := tr.idle[hostPort(mustURL(t, u))]; !tc.hold && len(idle) == 1 {
				waitArrived(t, idle[0])
			}
			mustDo(t, tr, "GET", u+"/short", "")
			want := int32(2)
			if tc.kept {
				want = 1
			}
			if n := accepted.Load(); n != want {
				t.Errorf("%d connections, want %d", n, want)
			}
		})
	}

	// A context that ended before Finish closed the connection.
	u, accepted, _ := endless(t)
	tr := newTransport(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", u+"/endless", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.(interface{ Finish() error }).Finish()
	mustDo(t, tr, "GET", u+"/short", "")
	if n := accepted.Load(); n != 2 {
		t.Errorf("after a cancelled request: %d connections, want 2", n)
	}
}

// waitArrived waits until the idle connection c has something to read
// (the server's writes are sent, but not yet received, when it returns).
func waitArrived(t *testing.T, c *conn) {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(hang))
	defer c.nc.SetReadDeadline(time.Time{})
	err := c.raw.Read(func(fd uintptr) bool {
		c.peek(fd)
		return !c.peekOK // EAGAIN: nothing yet, wait for readability
	})
	if err != nil {
		t.Fatal(err)
	}
}
