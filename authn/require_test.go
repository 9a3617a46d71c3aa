package authn

import (
	"errors"
	"net/http"
)

// What require answers a refused request with: the kind of refusal, so
// the tests see what AuthenticateRequest decided (the bodies a client gets
// are httpapi's, tested there).
const (
	bodyMissing = "missing"
	bodyInvalid = "invalid"
	bodyLimited = "limited"
)

// require is what a server puts in front of a route that needs
// credentials (httpapi's access check): it lets through requests that
// authenticate, with the user in their context, and refuses the others
// after a Warn log line (LogFailure): 401 "missing" or "invalid", or 429
// "limited" with Retry-After: 1 for ErrRateLimited.
func require(a *Auth, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := a.AuthenticateRequest(r)
		if err == nil {
			next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), id)))
			return
		}
		a.LogFailure(r, err)
		switch {
		case errors.Is(err, ErrMissing):
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(bodyMissing))
		case errors.Is(err, ErrRateLimited):
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(bodyLimited))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(bodyInvalid))
		}
	})
}
