package authn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// remoteAuth returns an Auth in remote Supabase mode against fake, with a
// clock, and adds users whose tokens it returns.
func remoteAuth(t *testing.T, fake *fakeSupabase, clk *clock, ttl time.Duration, max int, users ...string) (*Auth, []string) {
	t.Helper()
	a := mustNew(t, Options{Provider: Supabase, SupabaseURL: fake.URL, SupabaseKey: fake.key, CacheTTL: ttl, CacheMax: max, Now: clk.Now})
	var toks []string
	for _, u := range users {
		tok := userJWT(t, "secret-known-only-to-supabase-000000000", u, clk.Now())
		fake.addUser(tok, u)
		toks = append(toks, tok)
	}
	return a, toks
}

func authTok(a *Auth, tok string) (string, error) {
	r := httptest.NewRequest("GET", "/v1/models", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return a.AuthenticateRequest(r)
}

func TestSupabaseRemoteCache(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	a, toks := remoteAuth(t, fake, clk, 0, 0, uuidA)

	for i := range 3 {
		if id, err := authTok(a, toks[0]); id != uuidA || err != nil {
			t.Fatalf("request %d: AuthenticateRequest() = %q, %v; want %q", i, id, err, uuidA)
		}
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("Supabase calls after 3 requests = %d, want 1 (cached)", n)
	}
	clk.Advance(DefaultCacheTTL - time.Second)
	authTok(a, toks[0])
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("Supabase calls within the TTL = %d, want 1", n)
	}
	clk.Advance(time.Second)
	authTok(a, toks[0])
	if n := fake.calls.Load(); n != 2 {
		t.Errorf("Supabase calls after the TTL = %d, want 2", n)
	}

	// Refusals are cached for DefaultNegativeTTL, then asked again.
	bad := userJWT(t, "whatever-secret-000000000000000000000000", uuidB, clk.Now())
	for range 2 {
		if _, err := authTok(a, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("AuthenticateRequest(unknown token) = %v, want ErrInvalid", err)
		}
	}
	if n := fake.calls.Load(); n != 3 {
		t.Errorf("Supabase calls after 2 refused requests = %d, want 3 (refusal cached)", n)
	}
	clk.Advance(DefaultNegativeTTL)
	if _, err := authTok(a, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("AuthenticateRequest(unknown token) = %v, want ErrInvalid", err)
	}
	if n := fake.calls.Load(); n != 4 {
		t.Errorf("Supabase calls after the refusal TTL = %d, want 4", n)
	}

	// The cache holds hashes, not tokens.
	for k := range a.cache.items {
		for _, tok := range toks {
			if string(k[:]) == tok {
				t.Error("cache key is the raw token")
			}
		}
	}
}

func TestSupabaseRemoteExpiredNeverAsked(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	a, toks := remoteAuth(t, fake, clk, 0, 0, uuidA)
	if _, err := authTok(a, toks[0]); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour) // past the token's exp, though the cache TTL would also have expired
	expired := makeJWT(t, "x-secret-000000000000000000000000000000", hs256, map[string]any{"sub": uuidB, "exp": testNow.Add(-time.Minute).Unix()})
	fake.addUser(expired, uuidB)
	noExp := makeJWT(t, "x-secret-000000000000000000000000000000", hs256, map[string]any{"sub": uuidB})
	fake.addUser(noExp, uuidB)
	for _, tok := range []string{toks[0], expired, noExp, "not-a-jwt", "a.b.c"} {
		if _, err := authTok(a, tok); !errors.Is(err, ErrInvalid) {
			t.Errorf("AuthenticateRequest(%.30q) = %v, want ErrInvalid", tok, err)
		}
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("Supabase calls = %d, want 1 (expired and malformed tokens refused locally)", n)
	}
}

func TestSupabaseRemoteExpiryBeatsCache(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	a := mustNew(t, Options{Provider: Supabase, SupabaseURL: fake.URL, SupabaseKey: fake.key, CacheTTL: time.Hour, Now: clk.Now})
	short := makeJWT(t, "x-secret-000000000000000000000000000000", hs256, map[string]any{"sub": uuidA, "exp": testNow.Add(time.Minute).Unix()})
	fake.addUser(short, uuidA)
	if _, err := authTok(a, short); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	if _, err := authTok(a, short); !errors.Is(err, ErrInvalid) {
		t.Errorf("AuthenticateRequest(expired but cached) = %v, want ErrInvalid", err)
	}
}

func TestSupabaseRemoteLRU(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	a, toks := remoteAuth(t, fake, clk, 0, 2, "user-a", "user-b", "user-c")
	A, B, C := toks[0], toks[1], toks[2]
	steps := []struct {
		tok   string
		calls int64
	}{
		{A, 1}, {B, 2}, {A, 2}, // A hit, now most recent
		{C, 3},         // evicts B, the least recently used
		{A, 3}, {C, 3}, // still cached
		{B, 4}, // evicted: asked again; evicts A
		{C, 4}, {A, 5},
	}
	for i, s := range steps {
		if _, err := authTok(a, s.tok); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if n := fake.calls.Load(); n != s.calls {
			t.Errorf("step %d: Supabase calls = %d, want %d", i, n, s.calls)
		}
	}
	if n := a.cache.len(); n != 2 {
		t.Errorf("cache len = %d, want 2", n)
	}
}

func TestSupabaseRemoteCacheDisabled(t *testing.T) {
	for _, e := range []map[string]string{{"AUTH_CACHE_TTL": "0"}, {"AUTH_CACHE_MAX": "0"}} {
		fake := newFakeSupabase(t, "service-key")
		e["SUPABASE_URL"], e["SUPABASE_KEY"], e["WORKER_AUTH_TOKEN"] = fake.URL, fake.key, staticTok
		o, _, err := OptionsFromEnv(env(e), Supabase)
		if err != nil {
			t.Fatal(err)
		}
		clk := &clock{t: testNow}
		o.Now = clk.Now
		a := mustNew(t, o)
		tok := userJWT(t, "x-secret-000000000000000000000000000000", uuidA, testNow)
		fake.addUser(tok, uuidA)
		for range 3 {
			if _, err := authTok(a, tok); err != nil {
				t.Fatal(err)
			}
		}
		if n := fake.calls.Load(); n != 3 {
			t.Errorf("with %v: Supabase calls = %d, want 3 (no cache)", e, n)
		}
		if a.cache != nil {
			t.Errorf("with %v: cache enabled", e)
		}
	}
}

func TestSupabaseRemoteFailures(t *testing.T) {
	clk := &clock{t: testNow}
	tok := userJWT(t, "x-secret-000000000000000000000000000000", uuidA, testNow)

	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()

	answer := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, answer(200, `{"id":"`+uuidB+`"}`)+"/auth/v1/user", http.StatusFound)
	}))
	t.Cleanup(redirect.Close)

	wrongKey := newFakeSupabase(t, "the-real-key")
	wrongKey.addUser(tok, uuidA)

	cases := []struct{ name, url, key string }{
		{"unreachable", goneURL, "k"},
		{"500", answer(500, `{"msg":"boom"}`), "k"},
		{"200 not json", answer(200, `<html>`), "k"},
		{"200 no id", answer(200, `{"aud":"authenticated"}`), "k"},
		{"200 id 1", answer(200, `{"id":"1"}`), "k"},
		{"200 id with slash", answer(200, `{"id":"a/b"}`), "k"},
		{"redirect not followed", redirect.URL, "k"},
		{"wrong apikey", wrongKey.URL, "not-the-key"},
	}
	for _, c := range cases {
		a := mustNew(t, Options{Provider: Supabase, SupabaseURL: c.url, SupabaseKey: c.key, Now: clk.Now})
		srv := httptest.NewServer(require(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != 401 || string(b) != bodyInvalid {
			t.Errorf("%s: GET = %d %s, want 401 %s", c.name, resp.StatusCode, b, bodyInvalid)
		}
	}
}

func TestSupabaseRemoteTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	clk := &clock{t: testNow}
	a := mustNew(t, Options{Provider: Supabase, SupabaseURL: slow.URL, SupabaseKey: "k", Now: clk.Now,
		Client: &http.Client{Timeout: 100 * time.Millisecond}})
	tok := userJWT(t, "x-secret-000000000000000000000000000000", uuidA, testNow)
	start := time.Now()
	_, err := authTok(a, tok)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("AuthenticateRequest(slow Supabase) = %v, want ErrInvalid", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("AuthenticateRequest(slow Supabase) took %v, want about 100ms", d)
	}

	// The request's context bounds the call too.
	a = mustNew(t, Options{Provider: Supabase, SupabaseURL: slow.URL, SupabaseKey: "k", Now: clk.Now})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	if _, err := a.AuthenticateRequest(r); !errors.Is(err, ErrInvalid) {
		t.Errorf("AuthenticateRequest(cancelled) = %v, want ErrInvalid", err)
	}
}

func TestSupabaseRemoteConcurrent(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	users := make([]string, 8)
	for i := range users {
		users[i] = fmt.Sprintf("user-%d", i)
	}
	_, toks := remoteAuth(t, fake, clk, 0, 4, users...)
	// No rate limit: this test is about the cache.
	a := mustNew(t, Options{Provider: Supabase, SupabaseURL: fake.URL, SupabaseKey: fake.key, CacheMax: 4, Now: clk.Now,
		VerifyRate: -1, VerifyIPRate: -1})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				k := (g + i) % len(toks)
				if id, err := authTok(a, toks[k]); id != users[k] || err != nil {
					t.Errorf("AuthenticateRequest(user %d) = %q, %v", k, id, err)
					return
				}
				if i%10 == 0 {
					clk.Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
	if n := a.cache.len(); n > 4 {
		t.Errorf("cache len = %d, want at most 4", n)
	}
}
