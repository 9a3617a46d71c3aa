package httpapi

import (
	"log/slog"
	"net/http"
	"nodetool/authn"
)

// Middleware configures Chain: what differs between the surfaces.
type Middleware struct {
	Log *slog.Logger // request log and recovered panics
	// Auth, when it enforces tokens, refuses requests that match no route
	// unless they authenticate (see JSONErrors); the routes check their
	// own access (Handle).
	Auth *authn.Auth
	// Guard, if set, runs right after the security headers, before CORS:
	// the editor's browser safety (Host and Origin checks).
	Guard func(http.Handler) http.Handler
	// CORS: AnyOrigin answers every Origin with "*" (no credentials:
	// Bearer tokens are not cookies); otherwise Origins that AllowOrigin
	// accepts are reflected. Neither: no CORS headers.
	AnyOrigin   bool
	AllowOrigin func(origin string) bool
	// Storage lists the path prefixes (such as "/api/storage/") whose rest
	// is a storage key, checked as sent (see BlobPaths); with Bucketed the
	// rest is "<bucket>/<key>".
	Storage  []string
	Bucketed bool
}

// Chain wraps a surface's mux in the middleware every surface shares, in
// this order from the outside in (STYLE rule 10):
//
//  1. LogAndRecover: the request log line, and a panic in a handler
//     answered 500 (the error table's Internal) and logged;
//  2. SecurityHeaders on every response;
//  3. m.Guard, if any (the editor's browser safety);
//  4. CORS, if configured: preflights answered here;
//  5. paths: storage keys (m.Storage) checked as sent, 400 for an invalid
//     one; trailing slashes dropped everywhere else (TrimSlash);
//  6. JSONErrors: ServeMux's own 404 and 405 as JSON, after a 401 for a
//     request without valid credentials (m.Auth);
//  7. the mux, whose routes authenticate by their access class (Handle)
//     before their handler runs.
//
// Bodies are bounded by Serve's guard (time, and refusals close the
// connection without reading the rest) and by each route's reader
// (ReadBody for JSON, PutBlob for uploads), whose limits differ by route.
func Chain(mux *http.ServeMux, m Middleware) http.Handler {
	var h http.Handler = JSONErrors(mux, m.Auth)
	h = BlobPaths(h, TrimSlash(h), m.Bucketed, m.Storage...)
	if m.AnyOrigin || m.AllowOrigin != nil {
		h = CORS(m.AnyOrigin, m.AllowOrigin, h)
	}
	if m.Guard != nil {
		h = m.Guard(h)
	}
	h = SecurityHeaders(h)
	return LogAndRecover(m.Log, h)
}
