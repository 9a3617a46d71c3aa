package httpapi

import (
	"net/http"
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
}

// Instrument reports each request that h answers to obs. It goes outside
// every other middleware (so it sees the final status of a recovered
// panic) and reads the route from r.Pattern, which ServeMux sets on the
// request it is given (TrimSlash copies it back from its clone): the
// label is the route, never the raw path.
func Instrument(obs RequestObserver, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK // net/http's answer when the handler wrote nothing
			}
			obs.ObserveRequest(r.Method, r.Pattern, status, time.Since(start))
		}()
		h.ServeHTTP(rec, r)
	})
}
