// Package authn authenticates requests for every NodeTool surface (editor,
// worker, chat server) in one way.
//
// The mode is a Provider, from AUTH_PROVIDER:
//
//   - none, local: nothing is checked; every request is user "1" (LocalUser).
//     Such a server must listen on loopback only (see CheckExposure).
//   - static: requests must carry the worker token (see ResolveToken) as
//     "Authorization: Bearer <token>"; they are user "1".
//   - supabase: requests carry a Supabase access token (a JWT), verified
//     locally with SUPABASE_JWT_SECRET (HS256, no network) or else by
//     Supabase itself (GET $SUPABASE_URL/auth/v1/user), with answers cached
//     for a while: acceptances for CacheTTL, refusals for NegativeTTL. The
//     calls to Supabase are rate limited, for all clients together and per
//     client IP, so that forged tokens cannot make this server flood it;
//     over the limit a token new to the caches is refused with ErrRateLimited
//     (429) without a call. The user is the JWT's sub (local) or Supabase's
//     user id (remote). The static token is also accepted, as user "1".
//
// Security contract. A request is let through only if its token matches:
// the static token is compared in constant time (SHA-256 of both, then
// crypto/subtle); a JWT must be unexpired, with exp checked locally in both
// Supabase modes. Failures are errors wrapping ErrMissing (no usable
// credentials), ErrInvalid (credentials refused, for any reason,
// including Supabase being unreachable) or ErrRateLimited (remote mode:
// too many calls to Supabase just now); servers turn them into 401s or a
// 429 with fixed bodies (httpapi's error table), nothing from the error
// reaching the client. Tokens are never logged, never stored
// (the caches hold their SHA-256) and never part of an error message.
package authn

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// LocalUser is the user id of every request when auth is not enforced, and
// of requests carrying the static token.
const LocalUser = "1"

// Cache defaults for remote Supabase verification.
const (
	DefaultCacheTTL = 60 * time.Second
	DefaultCacheMax = 2000
)

// Options configure New. The zero value of every field but Provider (and
// what that provider requires) is a sensible default.
type Options struct {
	Provider Provider

	// StaticToken is the worker token, required for static; in supabase
	// mode it is accepted too (as user "1") when set.
	StaticToken string

	// SupabaseURL and SupabaseKey select remote verification: GET
	// {SupabaseURL}/auth/v1/user with "Authorization: Bearer <jwt>" and
	// "apikey: <SupabaseKey>". Unused when JWTSecret is set.
	SupabaseURL string
	SupabaseKey string

	// JWTSecret (SUPABASE_JWT_SECRET, at least 32 bytes) selects local
	// verification of HS256 JWTs, with no network access; it wins over
	// SupabaseURL.
	JWTSecret string

	// CacheTTL is how long a remote verification is trusted. Zero means
	// DefaultCacheTTL; a negative value disables the cache (every request
	// asks Supabase).
	CacheTTL time.Duration
	// CacheMax is the cache's capacity, beyond which the least recently
	// used entry goes. Zero means DefaultCacheMax; a negative value disables
	// the cache.
	CacheMax int

	// NegativeTTL is how long a token Supabase refused (a 4xx answer other
	// than 408 and 429) is refused again without asking. Zero means
	// DefaultNegativeTTL; a negative value disables it. The refusal cache
	// has CacheMax entries too.
	NegativeTTL time.Duration

	// VerifyRate and VerifyIPRate bound the calls to Supabase, in calls
	// per second (bursts of twice as many): for all clients together, and
	// for one client IP (an IPv6 client by its /64). Zero means
	// DefaultVerifyRate and DefaultVerifyIPRate; a negative value disables
	// that limit. Behind a reverse proxy every client has the proxy's IP,
	// so raise VerifyIPRate there.
	VerifyRate   float64
	VerifyIPRate float64

	// Client makes the remote calls. The default has 5 s connect, TLS and
	// response-header timeouts and a 10 s overall timeout. Redirects are
	// never followed, with any client: they would carry SupabaseKey to
	// another host.
	Client *http.Client

	// Logger receives authentication failures at Warn. Default: discard.
	Logger *slog.Logger
	// Now is the clock for exp, nbf and the cache. Default: time.Now.
	Now func() time.Time
}

// Auth authenticates requests. It is safe for concurrent use.
type Auth struct {
	provider  Provider
	hasStatic bool
	staticSum [sha256.Size]byte

	jwtSecret []byte // local Supabase mode

	userURL string // remote Supabase mode
	apiKey  string
	client  *http.Client
	cache   *cache   // accepted tokens
	refused *cache   // tokens Supabase refused
	limit   *limiter // calls to Supabase

	log *slog.Logger
	now func() time.Time
}

// New checks o and returns an Auth. Errors name the environment variable
// to set: static needs a token (WORKER_AUTH_TOKEN); supabase needs
// SUPABASE_JWT_SECRET or both SUPABASE_URL and SUPABASE_KEY.
func New(o Options) (*Auth, error) {
	switch o.Provider {
	case None, Local, Static, Supabase:
	default:
		return nil, fmt.Errorf("authn: unknown AUTH_PROVIDER %q: use none, local, static or supabase (see ParseProvider)", o.Provider)
	}
	a := &Auth{provider: o.Provider, log: o.Logger, now: o.Now}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if o.StaticToken != "" {
		if err := checkToken(o.StaticToken); err != nil {
			return nil, fmt.Errorf("authn: WORKER_AUTH_TOKEN %w", err)
		}
		a.hasStatic = true
		a.staticSum = sha256.Sum256([]byte(o.StaticToken))
	}
	switch o.Provider {
	case Static:
		if !a.hasStatic {
			return nil, fmt.Errorf("authn: AUTH_PROVIDER=static needs a token: set WORKER_AUTH_TOKEN")
		}
	case Supabase:
		if o.JWTSecret != "" {
			if len(o.JWTSecret) < 32 {
				return nil, fmt.Errorf("authn: SUPABASE_JWT_SECRET is too short: it must be at least 32 bytes")
			}
			a.jwtSecret = []byte(o.JWTSecret)
			break
		}
		switch {
		case o.SupabaseURL == "" && o.SupabaseKey == "":
			return nil, fmt.Errorf("authn: AUTH_PROVIDER=supabase needs SUPABASE_JWT_SECRET (local verification) or SUPABASE_URL and SUPABASE_KEY")
		case o.SupabaseURL == "":
			return nil, fmt.Errorf("authn: AUTH_PROVIDER=supabase needs SUPABASE_URL (or SUPABASE_JWT_SECRET)")
		case o.SupabaseKey == "":
			return nil, fmt.Errorf("authn: AUTH_PROVIDER=supabase needs SUPABASE_KEY (or SUPABASE_JWT_SECRET)")
		}
		u, err := url.Parse(o.SupabaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("authn: SUPABASE_URL must be an http or https URL such as https://project.supabase.co")
		}
		a.userURL = strings.TrimRight(u.String(), "/") + "/auth/v1/user"
		a.apiKey = o.SupabaseKey
		client := o.Client
		if client == nil {
			client = defaultClient()
		}
		c := *client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		a.client = &c
		ttl, max := o.CacheTTL, o.CacheMax
		if ttl == 0 {
			ttl = DefaultCacheTTL
		}
		if max == 0 {
			max = DefaultCacheMax
		}
		a.cache = newCache(ttl, max)
		negTTL := o.NegativeTTL
		if negTTL == 0 {
			negTTL = DefaultNegativeTTL
		}
		a.refused = newCache(negTTL, max)
		rate, ipRate := o.VerifyRate, o.VerifyIPRate
		if rate == 0 {
			rate = DefaultVerifyRate
		}
		if ipRate == 0 {
			ipRate = DefaultVerifyIPRate
		}
		a.limit = newLimiter(rate, ipRate, a.now())
	}
	return a, nil
}

// defaultClient is the HTTP client for Supabase when Options has none.
func defaultClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    5 * time.Second,
			ResponseHeaderTimeout:  5 * time.Second,
			IdleConnTimeout:        90 * time.Second,
			MaxIdleConns:           16,
			MaxResponseHeaderBytes: 64 << 10,
		},
	}
}

// OptionsFromEnv builds Options for provider p from the environment:
// SUPABASE_URL, SUPABASE_KEY (or SUPABASE_KEY_FILE), SUPABASE_JWT_SECRET (or
// SUPABASE_JWT_SECRET_FILE), AUTH_CACHE_TTL (whole seconds, 0 disables the
// cache), AUTH_CACHE_MAX (entries, 0 disables both caches),
// AUTH_NEGATIVE_CACHE_TTL (whole seconds, 0 disables the cache of refused
// tokens), AUTH_VERIFY_RATE and AUTH_VERIFY_IP_RATE (calls to Supabase per
// second, 0 disables the limit). For static and
// supabase it also resolves the worker token with ResolveToken (which may
// create deployment.yaml) and returns where it came from; for none and
// local the TokenInfo is zero. Errors name the variable at fault. The
// caller still passes the result to New, which checks the combination.
func OptionsFromEnv(getenv func(string) string, p Provider) (Options, TokenInfo, error) {
	o := Options{Provider: p, SupabaseURL: getenv("SUPABASE_URL")}
	var err error
	if o.SupabaseKey, err = secretFromEnv(getenv, "SUPABASE_KEY"); err != nil {
		return Options{}, TokenInfo{}, err
	}
	if o.JWTSecret, err = secretFromEnv(getenv, "SUPABASE_JWT_SECRET"); err != nil {
		return Options{}, TokenInfo{}, err
	}
	if s := getenv("AUTH_CACHE_TTL"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > math.MaxInt64/int64(time.Second) {
			return Options{}, TokenInfo{}, fmt.Errorf("authn: AUTH_CACHE_TTL must be a whole number of seconds, 0 or more (0 disables the cache)")
		}
		o.CacheTTL = time.Duration(n) * time.Second
		if n == 0 {
			o.CacheTTL = -1
		}
	}
	if s := getenv("AUTH_CACHE_MAX"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return Options{}, TokenInfo{}, fmt.Errorf("authn: AUTH_CACHE_MAX must be a whole number of entries, 0 or more (0 disables the cache)")
		}
		o.CacheMax = n
		if n == 0 {
			o.CacheMax = -1
		}
	}
	if s := getenv("AUTH_NEGATIVE_CACHE_TTL"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > math.MaxInt64/int64(time.Second) {
			return Options{}, TokenInfo{}, fmt.Errorf("authn: AUTH_NEGATIVE_CACHE_TTL must be a whole number of seconds, 0 or more (0 disables the cache of refused tokens)")
		}
		o.NegativeTTL = time.Duration(n) * time.Second
		if n == 0 {
			o.NegativeTTL = -1
		}
	}
	for _, v := range []struct {
		name string
		dst  *float64
	}{{"AUTH_VERIFY_RATE", &o.VerifyRate}, {"AUTH_VERIFY_IP_RATE", &o.VerifyIPRate}} {
		if s := getenv(v.name); s != "" {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
				return Options{}, TokenInfo{}, fmt.Errorf("authn: %s must be a number of calls per second, 0 or more (0 disables the limit)", v.name)
			}
			*v.dst = n
			if n == 0 {
				*v.dst = -1
			}
		}
	}
	var ti TokenInfo
	if p.Enforced() {
		if ti, err = ResolveToken(getenv); err != nil {
			return Options{}, TokenInfo{}, err
		}
		o.StaticToken = ti.Token
	}
	return o, ti, nil
}

// secretFromEnv reads the secret in the variable name, or else in the file
// named by name_FILE.
func secretFromEnv(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	if path := getenv(name + "_FILE"); path != "" {
		return readSecretFile(name+"_FILE", path)
	}
	return "", nil
}

// Provider returns the mode.
func (a *Auth) Provider() Provider { return a.provider }

// Enforced reports whether requests need credentials.
func (a *Auth) Enforced() bool { return a.provider.Enforced() }

// matchStatic reports, in constant time, whether tok is the static token.
// Hashing first makes the comparison independent of the lengths, too.
func (a *Auth) matchStatic(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	return a.hasStatic && subtle.ConstantTimeCompare(sum[:], a.staticSum[:]) == 1
}
