// Package httpapi holds the HTTP conventions every NodeTool surface follows
// (CONTRACT §3): JSON bodies and {"detail": ...} errors from one error table
// (errors.go: each kind of failure, its status and a message safe to show),
// bounded request bodies, security headers, request logging, panic
// recovery, server timeouts, Server-Sent Events and graceful shutdown. The
// editor, worker and chat server build on it so they behave alike.
package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/lang/pyval"
)

// DefaultMaxBody bounds JSON request bodies unless a server sets its own.
const DefaultMaxBody = 16 << 20

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = Internal.Status(), []byte(`{"detail":"Internal server error"}`)
	}
	WriteJSONBytes(w, status, b)
}

// WriteJSONBytes writes b, already JSON, with the given status (for
// handlers that encode their hot answers themselves).
func WriteJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}

// ReadBody reads a request body of at most limit bytes. It answers the
// request itself (TooLarge, at once when Content-Length says so; Timeout
// when the body does not arrive within the server's body timeout;
// Malformed when it cannot be read) and returns false when the handler
// should stop.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.ContentLength > limit {
		writeError(w, bodyTooLarge(limit))
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	// The buffer grows as the body arrives (not to a declared length at
	// once, which a client could send without the body).
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			err = bodyTooLarge(limit)
		case errors.Is(err, os.ErrDeadlineExceeded):
			err = &Error{Kind: Timeout}
		default:
			err = Errorf(Malformed, "could not read the request body")
		}
		writeError(w, err)
		return nil, false
	}
	return data, true
}

func bodyTooLarge(limit int64) error {
	return Errorf(TooLarge, "request body too large: the limit is %d bytes (--max-body)", limit)
}

// writeError answers a client error that needs no log line (see
// WriteError).
func writeError(w http.ResponseWriter, err error) {
	kind, msg := Classify(err)
	writeKind(w, kind, msg)
}

// DecodeError is the client error of a body a decoder refused: an error
// the table knows as it is (see Classify: a *pyval.LimitError is TooLarge
// for too many values or too much memory once decoded, Malformed when
// nested too deep; a *workflows.InvalidError is Invalid), any other
// Malformed with its message (the decoders' messages are safe to show).
func DecodeError(err error) error {
	if kind, _ := Classify(err); kind != Internal {
		return err
	}
	return &Error{Kind: Malformed, Msg: err.Error()}
}

// CheckJSON checks, before it is decoded with encoding/json into a struct,
// that data is one JSON value within pyval's depth limit and with at most
// one value per structBytesPerValue bytes of input (and at least
// structMinValues). encoding/json takes up to about 160 bytes per value
// (a map entry, a string in a slice and the slice's growth), which this
// keeps within ten times the body's size; request structs hold far fewer
// values per byte. The error is a *pyval.LimitError (see DecodeError) or a
// syntax error.
func CheckJSON(data []byte) error {
	return pyval.Check(data, pyval.Limits{MaxItems: max(structMinValues, len(data)/structBytesPerValue)})
}

const (
	structBytesPerValue = 16
	structMinValues     = 4096
)

// Header values shared by every response (net/http never modifies them),
// so setting them allocates nothing.
var (
	jsonType   = []string{"application/json"}
	nosniff    = []string{"nosniff"}
	denyFrames = []string{"DENY"}
	noReferrer = []string{"no-referrer"}
)

// SecurityHeaders adds the headers every response carries. A WebSocket
// upgrade is skipped (isUpgrade): the headers would never be sent, yet they
// would grow the header map every idle socket keeps for its whole life.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isUpgrade(r) {
			h := w.Header()
			h["X-Content-Type-Options"] = nosniff
			h["X-Frame-Options"] = denyFrames
			h["Referrer-Policy"] = noReferrer
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote. It passes Flush and
// the other optional interfaces through via Unwrap (http.ResponseController).
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// FlushError flushes and reports a failed write (http.ResponseController
// prefers it to Flush).
func (s *statusRecorder) FlushError() error {
	return http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack hands the connection over (WebSockets); the status becomes 101.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil && s.status == 0 {
		s.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// LogAndRecover logs each request (method, path without the query, status,
// duration, client address) and turns a panic in a handler into a 500.
func LogAndRecover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeKind(rec, Internal, kinds[Internal].msg)
				}
			}
			if log.Enabled(r.Context(), slog.LevelInfo) {
				log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
					"bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000, "client", ClientIP(r))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// ClientIP is the address of the peer (proxy headers are not trusted).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// CORS answers preflight requests and adds CORS headers for the allowed
// origins. With allowAll the answer is "*" (no credentials: Bearer tokens
// are not cookies); otherwise allowed origins are reflected.
func CORS(allowAll bool, allowOrigin func(origin string) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && !isUpgrade(r) && (allowAll || allowOrigin(origin)) {
			h := w.Header()
			if allowAll {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Add("Vary", "Origin")
			}
			h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, ETag, Last-Modified")
			if IsPreflight(r) {
				h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Range, If-None-Match, If-Modified-Since")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isUpgrade reports a protocol upgrade (a WebSocket handshake): its handler
// writes the 101 itself on the hijacked connection, so response headers set
// by the middleware are never sent, and CORS does not apply to WebSockets
// (the Origin is checked by the browser guard instead). Pages cannot send an
// Upgrade header (a forbidden header name for fetch and XHR), so a browser
// never sees a response without the security headers this way.
func isUpgrade(r *http.Request) bool { return r.Header["Upgrade"] != nil }

// IsPreflight reports a CORS preflight request (exempt from auth).
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// TrimSlash lets collection routes answer with and without a trailing
// slash, without a redirect: "/workflows/" is served as "/workflows".
func TrimSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.TrimRight(p, "/")
			if r2.URL.Path == "" {
				r2.URL.Path = "/"
			}
			r2.URL.RawPath = ""
			next.ServeHTTP(w, r2)
			r.Pattern = r2.Pattern // for Instrument, which holds r
			return
		}
		next.ServeHTTP(w, r)
	})
}

// JSONErrors answers requests that match no route with JSON errors instead
// of ServeMux's plain text: 404 {"detail":"Not Found"} and 405
// {"detail":"Method Not Allowed"} (with the Allow header ServeMux sets).
// With auth (not nil) and auth enforced, such a request (but a CORS
// preflight, which carries no credentials) must authenticate first, or it
// gets the 401 of a protected route (and a Warn log line), so a client
// without credentials learns nothing of which routes exist.
// Handlers' own 404s (JSON, with their own detail) pass unchanged.
func JSONErrors(mux *http.ServeMux, auth *authn.Auth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(&errorRewriter{ResponseWriter: w, r: r, auth: auth}, r)
	})
}

// errorRewriter replaces a plain-text 404 or 405 body (ServeMux's) with
// JSON, or with a 401 for a request that does not authenticate.
type errorRewriter struct {
	http.ResponseWriter
	r       *http.Request
	auth    *authn.Auth
	status  int
	rewrote bool
}

func (e *errorRewriter) WriteHeader(code int) {
	if e.status != 0 {
		return
	}
	e.status = code
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		strings.HasPrefix(e.Header().Get("Content-Type"), "text/plain") {
		e.rewrote = true
		if e.auth != nil && e.auth.Enforced() && !IsPreflight(e.r) {
			if _, err := e.auth.AuthenticateRequest(e.r); err != nil {
				e.auth.LogFailure(e.r, err)
				e.Header().Del("Allow")
				writeError(e.ResponseWriter, authError(err))
				return
			}
		}
		kind := NotFound
		if code == http.StatusMethodNotAllowed {
			kind = MethodNotAllowed
		}
		writeKind(e.ResponseWriter, kind, kinds[kind].msg)
		return
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *errorRewriter) Write(b []byte) (int, error) {
	if e.status == 0 {
		e.WriteHeader(http.StatusOK)
	}
	if e.rewrote {
		return len(b), nil
	}
	return e.ResponseWriter.Write(b)
}

func (e *errorRewriter) Flush() {
	if f, ok := e.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// FlushError flushes and reports a failed write.
func (e *errorRewriter) FlushError() error {
	return http.NewResponseController(e.ResponseWriter).Flush()
}

func (e *errorRewriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// Hijack hands the connection over (WebSockets).
func (e *errorRewriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(e.ResponseWriter).Hijack()
}
