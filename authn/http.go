package authn

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
)

// The two kinds of authentication failure. Errors returned by the
// Authenticate methods wrap one of them (test with errors.Is) and add a
// reason for the log; the reason never contains the token.
var (
	// ErrMissing: the request has no usable credentials (no Authorization
	// header, or one that is not "Bearer <token>").
	ErrMissing = errors.New("authn: no bearer token")
	// ErrInvalid: the credentials were refused: wrong token, bad or expired
	// JWT, Supabase said no or could not be reached.
	ErrInvalid = errors.New("authn: invalid token")
	// ErrRateLimited: remote Supabase mode only: the token is new to the
	// caches and the calls to Supabase are over their limit (for all
	// clients or for the client's IP), so it was not checked. Trying again
	// a second later may succeed.
	ErrRateLimited = errors.New("authn: too many token checks")
)

// authError is an ErrMissing or ErrInvalid with a reason for the log.
type authError struct {
	kind   error
	reason string
}

func (e *authError) Error() string { return e.kind.Error() + ": " + e.reason }
func (e *authError) Unwrap() error { return e.kind }

func missing(reason string) error { return &authError{ErrMissing, reason} }
func invalid(reason string) error { return &authError{ErrInvalid, reason} }
func limited(reason string) error { return &authError{ErrRateLimited, reason} }

// bearer extracts the token from the request's one Authorization header,
// which must be "Bearer <token>": the scheme in any case, separated from
// the token by spaces, nothing after it.
func bearer(h http.Header) (string, error) {
	vals := h.Values("Authorization")
	switch len(vals) {
	case 0:
		return "", missing("no Authorization header")
	case 1:
	default:
		return "", missing("more than one Authorization header")
	}
	f := strings.Fields(vals[0])
	if len(f) != 2 || !strings.EqualFold(f[0], "Bearer") {
		return "", missing(`Authorization header is not "Bearer <token>"`)
	}
	return f[1], nil
}

// AuthenticateRequest returns the user making an HTTP request. When auth is
// not enforced it is LocalUser, whatever the request carries. Otherwise the
// token comes from the Authorization header only (never the URL, where it
// would end up in logs); see the package comment for what is accepted. A
// remote Supabase check uses r's context.
func (a *Auth) AuthenticateRequest(r *http.Request) (userID string, err error) {
	if !a.Enforced() {
		return LocalUser, nil
	}
	tok, err := bearer(r.Header)
	if err != nil {
		return "", err
	}
	return a.verify(r.Context(), tok, peerIP(r))
}

// AuthenticateWebSocket returns the user opening a WebSocket, whose browser
// clients cannot set headers: the token is the Authorization header's
// bearer token, else the api_key query parameter, else the token query
// parameter (first value, surrounding space trimmed). A malformed
// Authorization header counts as absent. Otherwise as AuthenticateRequest;
// on failure the caller completes the upgrade and closes with code 1008.
func (a *Auth) AuthenticateWebSocket(r *http.Request) (userID string, err error) {
	if !a.Enforced() {
		return LocalUser, nil
	}
	tok, err := bearer(r.Header)
	if err != nil {
		q := r.URL.Query()
		tok = strings.TrimSpace(q.Get("api_key"))
		if tok == "" {
			tok = strings.TrimSpace(q.Get("token"))
		}
		if tok == "" {
			return "", missing("no Authorization header, api_key or token parameter")
		}
	}
	return a.verify(r.Context(), tok, peerIP(r))
}

// peerIP is the address of r's peer (proxy headers are not trusted).
func peerIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// verify checks a presented token, from a client at ip.
func (a *Auth) verify(ctx context.Context, tok, ip string) (string, error) {
	if len(tok) > MaxTokenLen {
		return "", invalid("token too long")
	}
	if a.matchStatic(tok) {
		return LocalUser, nil
	}
	if a.provider != Supabase {
		return "", invalid("not the static token")
	}
	if a.jwtSecret != nil {
		c, err := verifyHS256(tok, a.jwtSecret, a.now())
		if err != nil {
			return "", invalid(err.Error())
		}
		return c.Sub, nil
	}
	return a.remote(ctx, tok, ip)
}

// LogFailure logs a failed authentication of r at Warn, with
// authentication_failed=true, the reason, client_ip (from r.RemoteAddr),
// method, route (the matched pattern, else the URL path, never the query,
// which may hold a WebSocket token) and user_agent. The token is never
// logged, not even in part. WebSocket handlers call it before closing.
func (a *Auth) LogFailure(r *http.Request, err error) {
	route := r.Pattern
	if route == "" {
		route = r.URL.Path
	}
	ip := peerIP(r)
	a.log.LogAttrs(r.Context(), slog.LevelWarn, "authentication failed",
		slog.Bool("authentication_failed", true),
		slog.String("reason", err.Error()),
		slog.String("auth_provider", string(a.provider)),
		slog.String("client_ip", ip),
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("user_agent", r.UserAgent()),
	)
}

type userKey struct{}

// WithUser returns a context carrying the authenticated user id.
func WithUser(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, userKey{}, id)
}

// UserID returns the user id stored by WithUser (as servers do for an
// authenticated request), or ""
// if there is none: callers must treat "" as unauthenticated.
func UserID(ctx context.Context) string {
	id, _ := ctx.Value(userKey{}).(string)
	return id
}
