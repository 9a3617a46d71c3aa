package httpapi

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"time"
)

// guard applies a server's refusal and write rules to one request (see
// Serve). It is the request's body (Read, Close) and its response writer
// (Header, Write, WriteHeader, Flush): one allocation serves both.
//
// Refusals: a response with an error status (4xx, 5xx) sent before the body
// was read to its end closes the connection, and the rest of the body is
// never read: net/http would otherwise read up to 256 KiB of an unread body
// before sending the response (so a refused client trickling its body would
// get its 401 only when its body ends), and again after the handler.
//
// Writes: each write to the connection must complete within Timeouts.Write,
// so a client that stops reading is dropped. The deadline is pushed forward
// before every write of at most writeChunk bytes (a large response to a slow
// but steady client goes on), before every flush (an SSE stream's events,
// however far apart) and when the handler returns (net/http then sends what
// is buffered).
//
// The body's own deadline is http.Server's ReadTimeout (see Serve), which
// net/http lifts once the body has been read, when it starts watching the
// connection for a client that goes away.
type guard struct {
	http.ResponseWriter
	body         io.ReadCloser // nil when the request has none
	writeTimeout time.Duration
	bodyDone     bool // the body was read to its end
	wroteHeader  bool
	hijacked     bool // the connection is no longer the server's
	rc           *http.ResponseController
	pushed       time.Time // when the write deadline was last pushed
}

// writeChunk is the most bytes written under one write deadline.
const writeChunk = 64 << 10

// aLongTimeAgo is a read deadline that has passed: reads fail at once.
var aLongTimeAgo = time.Unix(1, 0)

// guardRequests wraps next with the refusal and write rules of guard.
func guardRequests(t Timeouts, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := &guard{ResponseWriter: w, writeTimeout: t.Write}
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			g.body = r.Body
			r.Body = g
		}
		next.ServeHTTP(g, r)
		// net/http sends what is still buffered when the handler returns.
		if !g.hijacked {
			g.pushWriteDeadline()
		}
	})
}

// Read reads the request body, noting its end.
func (g *guard) Read(p []byte) (int, error) {
	n, err := g.body.Read(p)
	if err == io.EOF {
		g.bodyDone = true
	}
	return n, err
}

// Close closes the request body.
func (g *guard) Close() error { return g.body.Close() }

// WriteHeader closes the connection after an error status sent before the
// body was read (see guard).
func (g *guard) WriteHeader(code int) {
	if code >= 200 && !g.wroteHeader {
		g.wroteHeader = true
		if code >= 400 && g.body != nil && !g.bodyDone {
			g.Header().Set("Connection", "close")
			_ = http.NewResponseController(g.ResponseWriter).SetReadDeadline(aLongTimeAgo)
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

// Write writes p in chunks of at most writeChunk bytes, each within the
// write timeout.
func (g *guard) Write(p []byte) (int, error) {
	g.wroteHeader = true
	if g.writeTimeout <= 0 {
		return g.ResponseWriter.Write(p)
	}
	written := 0
	for {
		chunk := p[:min(len(p), writeChunk)]
		g.pushWriteDeadline()
		n, err := g.ResponseWriter.Write(chunk)
		written += n
		p = p[n:]
		if err != nil || len(p) == 0 {
			return written, err
		}
	}
}

// Flush sends what is buffered, within the write timeout.
func (g *guard) Flush() { _ = g.FlushError() }

// FlushError is Flush, reporting a failed write.
func (g *guard) FlushError() error {
	g.pushWriteDeadline()
	return http.NewResponseController(g.ResponseWriter).Flush()
}

// pushWriteDeadline keeps the write deadline at least 7/8 of the write
// timeout ahead: it is moved to a full timeout from now once an eighth of
// it has passed since it was last moved. A write never gets less than 7/8
// of the timeout nor more than all of it, and a response of a few writes
// and a flush moves it once instead of at each (a connection's deadline
// costs more to set than a small write: BenchmarkRunRequest, the load
// tool's /run/stream).
func (g *guard) pushWriteDeadline() {
	if g.writeTimeout <= 0 {
		return
	}
	now := time.Now()
	if !g.pushed.IsZero() && now.Sub(g.pushed) < g.writeTimeout/8 {
		return
	}
	g.pushed = now
	if g.rc == nil {
		g.rc = http.NewResponseController(g.ResponseWriter)
	}
	_ = g.rc.SetWriteDeadline(now.Add(g.writeTimeout))
}

// Hijack hands the connection over (WebSockets); its deadlines are then
// the new owner's.
func (g *guard) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(g.ResponseWriter).Hijack()
	if err == nil {
		g.hijacked = true
	}
	return conn, rw, err
}

// Unwrap gives http.ResponseController the connection's writer (for
// deadlines and Hijack).
func (g *guard) Unwrap() http.ResponseWriter { return g.ResponseWriter }
