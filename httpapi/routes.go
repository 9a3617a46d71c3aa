package httpapi

import (
	"errors"
	"net/http"

	"nodetool/authn"
)

// Access says who may call a route. Handle enforces it where the route is
// registered, so a surface's route block (its routes.go) is its
// attack-surface inventory: every route, who may call it, and its handler.
type Access uint8

// The access classes.
const (
	// Public routes need no credentials; the handler runs as
	// authn.LocalUser.
	Public Access = iota + 1
	// Authenticated routes need a valid token (when the server enforces
	// auth); what they answer is the same for every user.
	Authenticated
	// Owner routes need a valid token, and only the caller's own objects
	// exist for them: another user's answers as what exists nowhere
	// (404), enforced by queries with the caller's id from the context.
	Owner
	// WebSocket routes are upgrades that authenticate themselves (the
	// Authorization header, else the api_key or token parameter) and, on
	// failure, complete the upgrade and close with 1008, as NodeTool's
	// client expects.
	WebSocket
)

// Route is one entry of a route block.
type Route struct {
	Pattern string // "METHOD /path/{id}", in ServeMux's syntax
	Access  Access
	// Handler serves the route; nil means the route is off (a feature the
	// server was started without) and is not registered.
	Handler http.HandlerFunc
}

// Route returns a route of pattern with access a, served by h: a route
// block reads as a list of "public(pattern, handler)" lines.
func (a Access) Route(pattern string, h http.HandlerFunc) Route {
	return Route{Pattern: pattern, Access: a, Handler: h}
}

// Handle registers routes on mux, each behind the check of its access
// class. Authenticated and Owner routes authenticate the request's headers
// before the handler runs (the user goes into the request's context, see
// authn.UserID); a refusal is answered through the error table (401, or
// 429 with Retry-After when remote token checks are over their limit) with
// a Warn log line that holds no token, and the request's body is never
// read (under Serve its connection is closed). Public routes run their
// handler as authn.LocalUser, WebSocket routes at once (they authenticate
// themselves). A path no route matches gets 404, or 405 for another method,
// without a check. A pattern that conflicts with one already registered
// panics (ServeMux's check), so a test that builds a surface's handler
// catches it.
func Handle(mux *http.ServeMux, auth *authn.Auth, routes []Route) {
	if auth == nil {
		panic("httpapi: Handle needs the server's authn.Auth")
	}
	for _, rt := range routes {
		if rt.Handler == nil {
			continue
		}
		var h http.Handler
		switch rt.Access {
		case Public:
			h = asLocalUser(rt.Handler)
		case Authenticated, Owner:
			h = authenticated(auth, rt.Handler)
		case WebSocket:
			h = rt.Handler
		default:
			panic("httpapi: route " + rt.Pattern + " has no access class")
		}
		mux.Handle(rt.Pattern, h)
	}
}

func asLocalUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(authn.WithUser(r.Context(), authn.LocalUser)))
	})
}

// authenticated lets through requests that authenticate (reading the
// headers only), with their user in the context.
func authenticated(auth *authn.Auth, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := auth.AuthenticateRequest(r)
		if err != nil {
			auth.LogFailure(r, err)
			writeError(w, authError(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(authn.WithUser(r.Context(), id)))
	})
}

// authError is the client error of a failed authentication: authn's own
// (missing, invalid or rate-limited), any other refusal as invalid.
func authError(err error) error {
	if errors.Is(err, authn.ErrMissing) || errors.Is(err, authn.ErrRateLimited) {
		return err
	}
	return authn.ErrInvalid
}
