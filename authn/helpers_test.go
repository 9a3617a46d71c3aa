package authn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testSecret is a Supabase JWT secret for local-mode tests.
const testSecret = "test-jwt-secret-with-at-least-32-characters"

// testNow is the fixed time of JWT tests.
var testNow = time.Date(2025, 12, 20, 12, 0, 0, 0, time.UTC)

// seg base64url-encodes a JWT segment.
func seg(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signHS256 returns the HS256 signature segment of header.payload.
func signHS256(secret, signingInput string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(signingInput))
	return seg(m.Sum(nil))
}

// makeJWT builds a JWT with the given header and claims, signed HS256
// with secret (whatever the header says).
func makeJWT(t testing.TB, secret string, header, claims any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	in := seg(h) + "." + seg(c)
	return in + "." + signHS256(secret, in)
}

var hs256 = map[string]string{"alg": "HS256", "typ": "JWT"}

// userJWT is a Supabase-like access token for sub, expiring an hour after now.
func userJWT(t testing.TB, secret, sub string, now time.Time) string {
	t.Helper()
	return makeJWT(t, secret, hs256, map[string]any{
		"sub": sub, "aud": "authenticated", "role": "authenticated",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSupabase is a local Supabase Auth speaking the real GET /auth/v1/user
// API: it checks the apikey header and the bearer token and answers with the
// user or with Supabase's 401.
type fakeSupabase struct {
	*httptest.Server
	key   string
	calls atomic.Int64
	mu    sync.Mutex
	users map[string]string // token -> user id
}

func newFakeSupabase(t *testing.T, key string) *fakeSupabase {
	t.Helper()
	f := &fakeSupabase{key: key, users: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSupabase) addUser(token, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[token] = id
}

func (f *fakeSupabase) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.Method != http.MethodGet || r.URL.Path != "/auth/v1/user" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("apikey") != f.key {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Invalid API key"}`)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	id, known := f.users[tok]
	f.mu.Unlock()
	if !ok || !known {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":401,"error_code":"bad_jwt","msg":"invalid JWT: unable to parse or verify signature, token signature is invalid"}`)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{
		"id": id, "aud": "authenticated", "role": "authenticated",
		"email": id + "@example.com", "app_metadata": map[string]any{"provider": "email"},
	})
}

// env returns a getenv over m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// mustNew is New that fails the test on error.
func mustNew(t testing.TB, o Options) *Auth {
	t.Helper()
	a, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v) = %v", o.Provider, err)
	}
	return a
}

// errKind names the sentinel err wraps, for comparisons in tables.
func errKind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrMissing):
		return "missing"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	}
	return "other: " + err.Error()
}
