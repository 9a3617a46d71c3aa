package authn

import (
	"fmt"
	"net/netip"
	"strings"
)

// Provider names an authentication mode, the value of AUTH_PROVIDER.
type Provider string

// The four authentication modes.
const (
	// None authenticates nobody and lets everybody in as user "1".
	None Provider = "none"
	// Local is the desktop mode: like None, every request is user "1".
	Local Provider = "local"
	// Static requires the shared worker token (see ResolveToken).
	Static Provider = "static"
	// Supabase requires a Supabase access token (a JWT); the static token
	// is also accepted.
	Supabase Provider = "supabase"
)

// ParseProvider parses an AUTH_PROVIDER value. Surrounding space is trimmed
// and case is ignored. Every other value, including the empty string, is an
// error naming the allowed values: unlike the original, which treats unknown
// values as "local" and so fails open, we refuse to start. Callers apply
// their own default when the variable is unset.
func ParseProvider(s string) (Provider, error) {
	switch p := Provider(strings.ToLower(strings.TrimSpace(s))); p {
	case None, Local, Static, Supabase:
		return p, nil
	}
	return "", fmt.Errorf("authn: unknown AUTH_PROVIDER %q: use none, local, static or supabase", s)
}

// Enforced reports whether p requires credentials: true for static and
// supabase, false for none and local (and anything invalid).
func (p Provider) Enforced() bool {
	return p == Static || p == Supabase
}

// IsLoopbackHost reports whether a listener on host can only be reached
// from this machine: "localhost" (any case), an address in 127.0.0.0/8,
// ::1, or an IPv4-mapped loopback address. Square brackets around an IPv6
// address are allowed; a port is not. The empty host, 0.0.0.0 and :: listen
// on every interface and are not loopback; neither is any other name, since
// it depends on a resolver.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	h := host
	if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	return ip.Unmap().IsLoopback()
}

// CheckExposure refuses to serve unauthenticated requests beyond this
// machine: it returns an error when host is not a loopback host (see
// IsLoopbackHost) and p is not enforced, unless insecure is set (the
// --insecure flag, after which the caller should log a warning at every
// start). Enforced providers may listen anywhere.
func CheckExposure(host string, p Provider, insecure bool) error {
	if p.Enforced() || insecure || IsLoopbackHost(host) {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "all interfaces"
	}
	return fmt.Errorf("authn: refusing to listen on %s with AUTH_PROVIDER=%s: anyone who can reach it could use it without a token; set AUTH_PROVIDER=static or supabase, listen on 127.0.0.1, or pass --insecure", shown, p)
}
