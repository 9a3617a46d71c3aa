package httpapi

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"time"
)

// RequestObserver is told of every request a server answered (package
// metrics implements it). It must be cheap and safe for concurrent use.
type RequestObserver interface {
	// ObserveRequest gets the request's method, the pattern of the route
	// that served it as registered ("POST /workflows/{id}/run"; "" when
	// no route matched: a 404, a refused storage key, a CORS preflight),
	// the status answered (101 for an upgrade) and how long the request
	// took.
	ObserveRequest(method, pattern string, status int, elapsed time.Duration)
	// Open is told when an answer becomes long-lived, kind "sse" (a 200
	// text/event-stream) or "websocket" (a hijacked connection), with
	// delta 1, and when it ends, with delta -1.
	Open(kind string, delta int)
}

// Instrument reports each request that h answers to obs. It goes outside
// every other middleware (so it sees the final status of a recovered
// panic) and reads the route from r.Pattern, which ServeMux sets on the
// request it is given (TrimSlash copies it back from its clone): the
// label is the route, never the raw path.
func Instrument(obs RequestObserver, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &instrumented{ResponseWriter: w, obs: obs}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK // net/http's answer when the handler wrote nothing
			}
			if rec.open != "" {
				obs.Open(rec.open, -1)
			}
			obs.ObserveRequest(r.Method, r.Pattern, status, time.Since(start))
		}()
		h.ServeHTTP(rec, r)
	})
}

// instrumented records the status of an answer and whether it became a
// stream or a WebSocket.
type instrumented struct {
	http.ResponseWriter
	obs    RequestObserver
	status int
	open   string // "", "sse" or "websocket"
}

func (i *instrumented) WriteHeader(code int) {
	if i.status == 0 {
		i.status = code
		if code == http.StatusOK && strings.HasPrefix(i.Header().Get("Content-Type"), "text/event-stream") {
			i.open = "sse"
			i.obs.Open(i.open, 1)
		}
	}
	i.ResponseWriter.WriteHeader(code)
}

func (i *instrumented) Write(b []byte) (int, error) {
	if i.status == 0 {
		i.WriteHeader(http.StatusOK)
	}
	return i.ResponseWriter.Write(b)
}

func (i *instrumented) Flush() {
	if i.status == 0 {
		i.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(i.ResponseWriter).Flush()
}

// FlushError flushes and reports a failed write (http.ResponseController
// prefers it to Flush).
func (i *instrumented) FlushError() error {
	if i.status == 0 {
		i.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(i.ResponseWriter).Flush()
}

func (i *instrumented) Unwrap() http.ResponseWriter { return i.ResponseWriter }

// Hijack hands the connection over (WebSockets); the status becomes 101.
func (i *instrumented) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(i.ResponseWriter).Hijack()
	if err == nil && i.status == 0 {
		i.status = http.StatusSwitchingProtocols
		i.open = "websocket"
		i.obs.Open(i.open, 1)
	}
	return conn, rw, err
}
