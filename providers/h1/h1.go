// Package h1 is a small HTTP/1.1 client transport for model servers
// reached over plain http (Ollama, llama.cpp, vLLM, LM Studio on
// localhost or a private network), and net/http's Transport for every
// other request.
//
// Why: a relayed chat completion is cheap for the relay itself; most of
// the proxy's CPU went to net/http's client plumbing (a reader and a
// writer goroutine per connection, the hand-offs between them and the
// caller, context watching). Here a request is written and its answer
// read on the caller's goroutine: no goroutine per connection, no
// channel between them. Parsing is the standard library's
// (http.Request.Write, http.ReadResponse: status line, headers, chunked
// and Content-Length bodies); what this package adds is the connection
// handling around it:
//
//   - Keep-alive: a connection whose response body was read to its end
//     goes back to an idle pool per host (at most MaxIdleConnsPerHost per
//     host and MaxIdleConns in all, as the fallback transport sets them);
//     one closed before its end, or answered with "Connection: close" or
//     by HTTP/1.0 without keep-alive, is closed. Idle connections older
//     than IdleConnTimeout are closed when next looked at (lazily: no
//     timer, no goroutine) or by CloseIdleConnections.
//   - A body ended by its reader (Finish: a relayed event stream after
//     its [DONE], whose server ends the chunked body right after) goes
//     back to the pool with that end still unread; the next request on
//     the connection first reads it from what has arrived, without
//     waiting, and keeps the connection only if the body ends there
//     (see body.Finish). Closing such a body would drop a connection
//     that is about to be reusable: at one stream at a time, one stream
//     in six paid a new connection before.
//   - Stale connections: before a connection idle for more than
//     peekAfter is reused, a non-blocking peek (MSG_PEEK) checks that the
//     server has not closed it (servers close idle connections after a
//     keep-alive timeout of seconds; the peek is a system call, skipped
//     for a connection just used, which the retry covers). A request on
//     a reused connection is retried once on a new one when writing it
//     fails or when the connection ends before the first byte of an
//     answer: the server closed the idle connection as the request went
//     out. This also applies to POST (unlike
//     net/http): the server sent nothing at all, so a model server did
//     not take the request. It needs a body that can be made again
//     (Request.GetBody, which http.NewRequest sets for in-memory bodies).
//   - Cancellation: the request's context closes the connection when it
//     ends (context.AfterFunc), which aborts a blocked write or read,
//     of the headers or of the body; the caller's timeouts built on the
//     context (a wait for headers, an idle stream) work as with net/http.
//   - Answers: 1xx informational responses are skipped (at most 5; 101
//     Switching Protocols is an error); the response headers, 1xx
//     included, are bounded by MaxResponseHeaderBytes (10 MiB when 0, as
//     net/http).
//
// The fallback transport serves https, requests that go through a proxy
// (its Proxy func gives a URL), requests with Expect, Upgrade or
// trailers, and every request when keep-alives are disabled or a
// ResponseHeaderTimeout or an old-style Dial is set. Unlike net/http,
// no "Accept-Encoding: gzip" is added (a model server on the same machine
// gains nothing from compression); a request may set it and read the
// compressed body itself.
package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// Transport is an http.RoundTripper: plain-http requests through its own
// connections, the others through Fallback. It is safe for concurrent use.
type Transport struct {
	// Fallback serves what this transport does not (see the package
	// comment), and gives its settings: DialContext, Proxy,
	// MaxIdleConns(PerHost), IdleConnTimeout, MaxResponseHeaderBytes,
	// Read/WriteBufferSize. It must not be changed after the first request.
	Fallback *http.Transport

	mu    sync.Mutex
	idle  map[string][]*conn // per host:port, oldest first
	nidle int
}

// New returns a transport that serves plain-http requests itself and
// falls back on fb (nil: a clone of http.DefaultTransport).
func New(fb *http.Transport) *Transport {
	if fb == nil {
		fb = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &Transport{Fallback: fb}
}

// peekAfter is how long a connection stays idle before its reuse is
// preceded by a peek (a variable for the tests).
var peekAfter = 500 * time.Millisecond

const (
	defaultMaxHeader = 10 << 20 // net/http's default MaxResponseHeaderBytes
	max1xx           = 5        // informational answers skipped before giving up
)

var (
	errBodyClosed   = errors.New("h1: read on closed response body")
	errSwitching    = errors.New("h1: unexpected 101 Switching Protocols")
	errTooMany1xx   = errors.New("h1: too many 1xx informational responses")
	errHeaderLimit  = errors.New("h1: response headers too large")
	errServerClosed = errors.New("h1: the server closed the connection")
	errWouldBlock   = errors.New("h1: nothing more has arrived")
)

// tailMax bounds what a body left by Finish may still hold, its end
// included (normally the 7 bytes that end a chunked body).
const tailMax = 4 << 10

// own reports whether t serves req itself.
func (t *Transport) own(req *http.Request) bool {
	fb := t.Fallback
	if req.URL.Scheme != "http" || req.URL.Host == "" || req.Method == http.MethodConnect ||
		fb.DisableKeepAlives || fb.ResponseHeaderTimeout != 0 ||
		len(req.Trailer) != 0 || req.Header["Expect"] != nil || req.Header["Upgrade"] != nil {
		return false
	}
	//lint:ignore SA1019 a transport set up with the old-style Dial is left to it
	if fb.Dial != nil {
		return false
	}
	if fb.Proxy != nil {
		if u, err := fb.Proxy(req); u != nil || err != nil {
			return false
		}
	}
	return true
}

// RoundTrip sends req and returns its response (see the package comment).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.own(req) {
		return t.Fallback.RoundTrip(req)
	}
	ctx := req.Context()
	key := hostPort(req.URL)
	orig := req
	for attempt := 0; ; attempt++ {
		c, err := t.get(ctx, key, attempt > 0)
		if err != nil {
			closeBody(req)
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, err
		}
		resp, err := c.roundTrip(ctx, req)
		if err == nil {
			resp.Request = orig
			return resp, nil
		}
		closeBody(req) // (when writing it failed before its end)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var stale *staleError
		if attempt > 0 || !errors.As(err, &stale) {
			return nil, err
		}
		// Retry once, on a new connection, with the body made again.
		if req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, stale.err
			}
			b, gerr := req.GetBody()
			if gerr != nil {
				return nil, stale.err
			}
			r2 := *req
			r2.Body = b
			req = &r2
		}
	}
}

// staleError is a failure on a reused connection before the server sent
// anything: the request may be sent again on a new one.
type staleError struct{ err error }

func (e *staleError) Error() string { return e.err.Error() }
func (e *staleError) Unwrap() error { return e.err }

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// hostPort is u's host with the port, 80 when u names none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// CloseIdleConnections closes every idle connection (http.Client calls
// it), the fallback's included.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle, t.nidle = nil, 0
	t.mu.Unlock()
	for _, list := range idle {
		for _, c := range list {
			c.close()
		}
	}
	t.Fallback.CloseIdleConnections()
}

// get returns an idle connection to key that is still open, or a new one
// (always a new one when fresh).
func (t *Transport) get(ctx context.Context, key string, fresh bool) (*conn, error) {
	for !fresh {
		t.mu.Lock()
		list := t.idle[key]
		if len(list) == 0 {
			t.mu.Unlock()
			break
		}
		c := list[len(list)-1] // the most recently used: the least likely closed
		list[len(list)-1] = nil
		t.idle[key] = list[:len(list)-1]
		t.nidle--
		t.mu.Unlock()
		idle := time.Since(c.idleSince)
		if t.expired(idle) || (c.tail != nil && !c.finishTail()) || (idle > peekAfter && !c.alive()) {
			c.close()
			continue
		}
		return c, nil
	}
	return t.dial(ctx, key)
}

// expired reports whether a connection idle for idle has been idle longer
// than IdleConnTimeout.
func (t *Transport) expired(idle time.Duration) bool {
	d := t.Fallback.IdleConnTimeout
	return d > 0 && idle > d
}

// put returns c to the idle pool, or closes it when the pool is full.
// Connections of key idle for too long are closed on the way.
func (t *Transport) put(c *conn) {
	now := time.Now()
	c.idleSince, c.reused = now, true
	perHost := t.Fallback.MaxIdleConnsPerHost
	if perHost == 0 {
		perHost = http.DefaultMaxIdleConnsPerHost
	}
	t.mu.Lock()
	if t.idle == nil {
		t.idle = make(map[string][]*conn)
	}
	list := t.idle[c.key]
	n := 0
	for n < len(list) && t.expired(now.Sub(list[n].idleSince)) {
		n++
	}
	old := list[:n:n]
	list = list[n:]
	t.nidle -= n
	keep := len(list) < perHost && (t.Fallback.MaxIdleConns == 0 || t.nidle < t.Fallback.MaxIdleConns)
	if keep {
		list = append(list, c)
		t.nidle++
	}
	t.idle[c.key] = list
	t.mu.Unlock()
	for _, o := range old {
		o.close()
	}
	if !keep {
		c.close()
	}
}

// dial opens a new connection to key with the fallback's dialer.
func (t *Transport) dial(ctx context.Context, key string) (*conn, error) {
	dial := t.Fallback.DialContext
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	nc, err := dial(ctx, "tcp", key)
	if err != nil {
		return nil, err
	}
	rsize, wsize := t.Fallback.ReadBufferSize, t.Fallback.WriteBufferSize
	if rsize <= 0 {
		rsize = 4 << 10
	}
	if wsize <= 0 {
		wsize = 4 << 10
	}
	c := &conn{t: t, key: key, nc: nc, readLimit: math.MaxInt64}
	c.br = bufio.NewReaderSize(c, rsize)
	c.bw = bufio.NewWriterSize(nc, wsize)
	c.abort = c.close // made once: a method value allocates
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
			c.peekFn = c.peek
			c.nowFn = c.readFd
		}
	}
	return c, nil
}

// conn is one connection to a server. Only one request uses it at a time.
type conn struct {
	t      *Transport
	key    string
	nc     net.Conn
	br     *bufio.Reader // reads through the conn's Read (below)
	bw     *bufio.Writer
	abort  func() // closes nc: run when a request's context ends
	reused bool   // it served a request before
	// readLimit is what the reader may still take from nc: the bound on
	// response headers while they are read, MaxInt64 otherwise; nread
	// counts what was read since the request was sent.
	readLimit int64
	nread     int64
	idleSince time.Time

	raw     syscall.RawConn // for the stale-connection peek; nil if none
	peekFn  func(fd uintptr) bool
	peekBuf [1]byte
	peekOK  bool

	// tail is the rest of a body left by Finish, read before the next
	// request (finishTail); nowait makes Read take only what has arrived
	// meanwhile (readNow, through nowFn, nowBuf, nowN and nowErr).
	tail   io.Reader
	nowait bool
	nowFn  func(fd uintptr) bool
	nowBuf []byte
	nowN   int
	nowErr error
}

func (c *conn) close() { c.nc.Close() }

// Read is what the buffered reader reads from: nc, within readLimit.
func (c *conn) Read(p []byte) (int, error) {
	if c.readLimit <= 0 {
		return 0, errHeaderLimit
	}
	if int64(len(p)) > c.readLimit {
		p = p[:c.readLimit]
	}
	var n int
	var err error
	if c.nowait {
		n, err = c.readNow(p)
	} else {
		n, err = c.nc.Read(p)
	}
	c.readLimit -= int64(n)
	c.nread += int64(n)
	return n, err
}

// alive reports whether an idle c is still open and silent: nothing in
// its buffer, and nothing and no end of stream waiting on the socket.
func (c *conn) alive() bool {
	if c.br.Buffered() > 0 {
		return false
	}
	if c.raw == nil {
		return true // no peek here; a stale connection is retried
	}
	c.peekOK = false
	if c.raw.Read(c.peekFn) != nil {
		return false
	}
	return c.peekOK
}

// finishTail reads the rest of the body Finish left on c from what has
// arrived, without waiting: it must end there, within tailMax bytes, with
// nothing after it. Otherwise c is not fit for a new request.
func (c *conn) finishTail() bool {
	tail := c.tail
	c.tail = nil
	if c.raw == nil {
		return false
	}
	c.nowait, c.readLimit = true, tailMax
	_, err := io.Copy(io.Discard, tail)
	c.nowait, c.readLimit = false, math.MaxInt64
	return err == nil && c.br.Buffered() == 0
}

// readNow reads what the socket holds without waiting (Go's sockets are
// non-blocking): errWouldBlock when nothing has arrived.
func (c *conn) readNow(p []byte) (int, error) {
	if c.raw == nil {
		return 0, errWouldBlock
	}
	c.nowBuf, c.nowN, c.nowErr = p, 0, nil
	err := c.raw.Read(c.nowFn)
	c.nowBuf = nil
	switch {
	case err != nil:
		return 0, err
	case c.nowErr != nil:
		return 0, c.nowErr
	case c.nowN == 0:
		return 0, io.EOF
	}
	return c.nowN, nil
}

// roundTrip sends req on c and reads the response headers. On failure c
// is closed; a failure that allows a retry is a *staleError.
func (c *conn) roundTrip(ctx context.Context, req *http.Request) (*http.Response, error) {
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, c.abort)
	}
	fail := func(err error) (*http.Response, error) {
		if stop != nil {
			stop()
		}
		c.close()
		if c.reused && c.nread == 0 && !errors.Is(err, errHeaderLimit) && !isTimeout(err) {
			return nil, &staleError{err}
		}
		return nil, err
	}
	c.nread = 0
	err := writeRequest(c.bw, req)
	if err == nil {
		err = c.bw.Flush()
	}
	if err != nil {
		return fail(err)
	}
	c.readLimit = c.maxHeader()
	var resp *http.Response
	for n1xx := 0; ; n1xx++ {
		resp, err = http.ReadResponse(c.br, req)
		if err != nil {
			if c.readLimit <= 0 {
				err = fmt.Errorf("%w: more than %d bytes", errHeaderLimit, c.maxHeader())
			} else if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				err = errServerClosed
			}
			return fail(err)
		}
		code := resp.StatusCode
		if code == http.StatusSwitchingProtocols {
			return fail(errSwitching)
		}
		if code >= 200 || code < 100 {
			break
		}
		if n1xx == max1xx {
			return fail(errTooMany1xx)
		}
	}
	c.readLimit = math.MaxInt64
	keep := !resp.Close && !req.Close
	if resp.Body == http.NoBody {
		done(c, stop, keep)
		return resp, nil
	}
	resp.Body = &body{c: c, rc: resp.Body, ctx: ctx, stop: stop, keep: keep}
	return resp, nil
}

func (c *conn) maxHeader() int64 {
	if n := c.t.Fallback.MaxResponseHeaderBytes; n > 0 {
		return n
	}
	return defaultMaxHeader
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// done ends c's request: c goes back to the pool when keep allows and
// its context did not close it, and is closed otherwise.
func done(c *conn, stop func() bool, keep bool) {
	if stop != nil && !stop() {
		keep = false // the context ended: abort closed, or is closing, nc
	}
	if keep && (c.tail != nil || c.br.Buffered() == 0) {
		c.t.put(c)
		return
	}
	c.close()
}

// body is a response body on c: read to its end, it returns c to the
// pool; closed before, it closes c (net/http's body would drain it).
type body struct {
	c    *conn
	rc   io.ReadCloser // http.ReadResponse's body
	ctx  context.Context
	stop func() bool
	keep bool

	mu       sync.Mutex
	released bool // c went back to the pool or was closed
	closed   bool // Close was called
	err      error
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return 0, errBodyClosed
	case b.released:
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	b.mu.Unlock()
	// rc is read without the lock: Close may run meanwhile, and closing
	// nc is what ends a blocked read.
	n, err := b.rc.Read(p)
	if err != nil {
		if err != io.EOF && b.ctx.Err() != nil {
			err = b.ctx.Err()
		}
		b.release(err)
	}
	return n, err
}

// Buffered is how many bytes of the answer have arrived and are not yet
// read: when it is not 0, a Read returns at once (unless what arrived is
// only the start of a chunk's size line). A relay that forwards what it
// reads uses it to send what it holds only when it is about to wait.
// Call it from the goroutine that reads.
func (b *body) Buffered() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.released {
		return 0
	}
	return b.c.br.Buffered()
}

// release ends the body's hold on c after the read that ended with err.
func (b *body) release(err error) {
	b.mu.Lock()
	if b.released {
		b.mu.Unlock()
		return
	}
	b.released, b.err = true, err
	b.mu.Unlock()
	done(b.c, b.stop, b.keep && err == io.EOF)
}

// Finish ends a body whose reader has all it wants from it and expects
// the server to end it with nothing more: a relayed event stream after
// its [DONE], an Ollama stream after its last line, whose servers end the
// chunked body right after, usually before the relay has sent the last
// events on. The connection goes back to the pool with that end unread,
// and is kept if it has arrived when the connection is next taken
// (finishTail). Unlike Close, Finish does not close a connection whose
// body goes on: that shows only then, and costs a new connection.
func (b *body) Finish() error {
	b.mu.Lock()
	if b.released {
		b.mu.Unlock()
		return nil
	}
	b.released, b.closed, b.err = true, true, errBodyClosed
	b.mu.Unlock()
	if b.keep {
		b.c.tail = b.rc
	}
	done(b.c, b.stop, b.keep)
	return nil
}

func (b *body) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.released {
		b.mu.Unlock()
		return nil
	}
	b.released, b.err = true, errBodyClosed
	b.mu.Unlock()
	done(b.c, b.stop, false)
	return nil
}
