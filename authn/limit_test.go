package authn

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// limitedServer serves require(a, ...) over a real socket, answering 200 to the
// requests it lets through.
func limitedServer(t *testing.T, a *Auth) string {
	t.Helper()
	srv := httptest.NewServer(require(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	t.Cleanup(srv.Close)
	return srv.URL
}

// getFrom sends GET url with tok from the local address ip (a fresh
// connection each time) and returns the status and the Retry-After header.
func getFrom(t *testing.T, ip, url, tok string) (int, string) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 30 * time.Second}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET from %s: %v", ip, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// forged returns n distinct unsigned-by-Supabase, unexpired tokens.
func forged(t *testing.T, n int, tag string) []string {
	var toks []string
	for i := range n {
		toks = append(toks, userJWT(t, "forger-secret-0000000000000000000000000", fmt.Sprintf("%s-%d", tag, i), testNow))
	}
	return toks
}

// TestSupabaseRemoteRefusalsAndLimits counts the calls a flood of forged
// tokens costs in remote mode: a token refused once is not asked again
// within the refusal TTL, and tokens new to the caches cost calls only
// within the client's rate limit; beyond it, 429 with Retry-After and no
// call. Cached users keep working through the flood. The clock stands
// still, so no bucket refills unless the test advances it.
func TestSupabaseRemoteRefusalsAndLimits(t *testing.T) {
	fake := newFakeSupabase(t, "service-key")
	clk := &clock{t: testNow}
	a := mustNew(t, Options{Provider: Supabase, SupabaseURL: fake.URL, SupabaseKey: fake.key, Now: clk.Now,
		VerifyRate: 100, VerifyIPRate: 2}) // bursts of 200 and 4
	url := limitedServer(t, a)
	good := userJWT(t, "x-secret-000000000000000000000000000000", uuidA, testNow)
	fake.addUser(good, uuidA)

	if code, _ := getFrom(t, "127.0.0.1", url, good); code != 200 {
		t.Fatalf("valid token = %d, want 200", code)
	}
	// One forged token, replayed: one call.
	bad := forged(t, 1, "replayed")[0]
	for i := range 50 {
		if code, _ := getFrom(t, "127.0.0.1", url, bad); code != 401 {
			t.Fatalf("replay %d of a forged token = %d, want 401", i, code)
		}
	}
	if n := fake.calls.Load(); n != 2 {
		t.Errorf("Supabase calls after one token and 50 replays of a forged one = %d, want 2", n)
	}
	// Distinct forged tokens: two more calls (the client's burst is 4),
	// then 429 without a call.
	got := map[int]int{}
	for _, tok := range forged(t, 30, "distinct") {
		code, retry := getFrom(t, "127.0.0.1", url, tok)
		got[code]++
		if code == 429 && retry != "1" {
			t.Errorf("429 with Retry-After %q, want 1", retry)
		}
	}
	if got[401] != 2 || got[429] != 28 {
		t.Errorf("30 distinct forged tokens answered %v, want 2×401 and 28×429", got)
	}
	if n := fake.calls.Load(); n != 4 {
		t.Errorf("Supabase calls after the flood = %d, want 4 (the per-IP burst)", n)
	}
	// The cached user is unaffected; a new token waits for the bucket.
	if code, _ := getFrom(t, "127.0.0.1", url, good); code != 200 {
		t.Errorf("cached valid token during the flood = %d, want 200", code)
	}
	fresh := userJWT(t, "x-secret-000000000000000000000000000000", uuidB, testNow.Add(time.Second))
	fake.addUser(fresh, uuidB)
	if code, _ := getFrom(t, "127.0.0.1", url, fresh); code != 429 {
		t.Errorf("new valid token over the limit = %d, want 429", code)
	}
	clk.Advance(time.Second) // refills 2
	if code, _ := getFrom(t, "127.0.0.1", url, fresh); code != 200 {
		t.Errorf("new valid token a second later = %d, want 200", code)
	}
	if n := fake.calls.Load(); n != 5 {
		t.Errorf("Supabase calls at the end = %d, want 5", n)
	}
}

func TestLimiterIPKeys(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"192.0.2.1", "192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
		{"::ffff:192.0.2.1", "192.0.2.1", true},
		{"2001:db8::1", "2001:db8::ffff:1", true}, // one /64
		{"2001:db8::1", "2001:db8:0:1::1", false},
		{"not an ip", "also not", true},
	} {
		if got := ipKey(c.a) == ipKey(c.b); got != c.same {
			t.Errorf("ipKey(%q) == ipKey(%q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
	// The table of buckets stays bounded.
	l := newLimiter(-1, 1, testNow)
	for i := range maxLimitedIPs + 100 {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), testNow)
	}
	if n := len(l.ips); n > maxLimitedIPs {
		t.Errorf("%d buckets, want at most %d", n, maxLimitedIPs)
	}
}

func TestLimitOptionsFromEnv(t *testing.T) {
	base := map[string]string{"SUPABASE_URL": "https://x.supabase.co", "SUPABASE_KEY": "k", "WORKER_AUTH_TOKEN": staticTok}
	for _, c := range []struct {
		name, val string
		ok        bool
	}{
		{"AUTH_VERIFY_RATE", "20", true}, {"AUTH_VERIFY_RATE", "0.5", true}, {"AUTH_VERIFY_RATE", "0", true},
		{"AUTH_VERIFY_RATE", "-1", false}, {"AUTH_VERIFY_RATE", "lots", false}, {"AUTH_VERIFY_IP_RATE", "NaN", false},
		{"AUTH_VERIFY_IP_RATE", "+Inf", false}, {"AUTH_NEGATIVE_CACHE_TTL", "10", true}, {"AUTH_NEGATIVE_CACHE_TTL", "-5", false},
	} {
		e := map[string]string{c.name: c.val}
		for k, v := range base {
			e[k] = v
		}
		_, _, err := OptionsFromEnv(env(e), Supabase)
		if (err == nil) != c.ok {
			t.Errorf("OptionsFromEnv(%s=%s) = %v, want ok %v", c.name, c.val, err, c.ok)
		}
	}
	e := map[string]string{"AUTH_VERIFY_RATE": "0", "AUTH_VERIFY_IP_RATE": "0", "AUTH_NEGATIVE_CACHE_TTL": "0"}
	for k, v := range base {
		e[k] = v
	}
	o, _, err := OptionsFromEnv(env(e), Supabase)
	if err != nil {
		t.Fatal(err)
	}
	a := mustNew(t, o)
	if a.limit != nil || a.refused != nil {
		t.Errorf("with the limits and the refusal cache set to 0: limit %v, refusal cache %v, want both off", a.limit, a.refused)
	}
}
