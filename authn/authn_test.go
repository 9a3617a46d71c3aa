package authn

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	staticTok = "static-token-0123456789abcdefghijklmnop"
	uuidA     = "3f1c1a52-7a4e-4d5e-9a47-2b1a6a2f9c01"
	uuidB     = "8b2d6c1e-1111-4c3b-8a0a-6f1f3b9d2e02"
)

// modes builds one Auth per mode, all at testNow, and returns the JWTs
// that the Supabase modes accept.
func modes(t *testing.T) (map[string]*Auth, string) {
	t.Helper()
	jwt := userJWT(t, testSecret, uuidA, testNow)
	fake := newFakeSupabase(t, "anon-key")
	fake.addUser(jwt, uuidA)
	now := func() time.Time { return testNow }
	return map[string]*Auth{
		"none":            mustNew(t, Options{Provider: None}),
		"local":           mustNew(t, Options{Provider: Local}),
		"static":          mustNew(t, Options{Provider: Static, StaticToken: staticTok}),
		"supabase-local":  mustNew(t, Options{Provider: Supabase, StaticToken: staticTok, JWTSecret: testSecret, Now: now}),
		"supabase-remote": mustNew(t, Options{Provider: Supabase, StaticToken: staticTok, SupabaseURL: fake.URL, SupabaseKey: "anon-key", Now: now}),
	}, jwt
}

func TestAuthenticateRequestMatrix(t *testing.T) {
	auths, jwt := modes(t)
	otherJWT := userJWT(t, "another-secret-that-is-long-enough-000", uuidB, testNow)
	headers := []struct {
		name   string
		values []string // Authorization header values
	}{
		{"no header", nil},
		{"basic", []string{"Basic x"}},
		{"bearer alone", []string{"Bearer"}},
		{"bearer two tokens", []string{"Bearer a b"}},
		{"token scheme", []string{"Token " + staticTok}},
		{"empty", []string{""}},
		{"two headers", []string{"Bearer " + staticTok, "Bearer " + staticTok}},
		{"wrong token", []string{"Bearer wrong-token"}},
		{"static token", []string{"Bearer " + staticTok}},
		{"static lower double space", []string{"bearer  " + staticTok}},
		{"static upper tab", []string{"BEARER\t" + staticTok}},
		{"static prefix", []string{"Bearer " + staticTok[:len(staticTok)-1]}},
		{"jwt", []string{"Bearer " + jwt}},
		{"jwt other issuer", []string{"Bearer " + otherJWT}},
		{"huge", []string{"Bearer " + strings.Repeat("a", MaxTokenLen+1)}},
	}
	want := map[string]map[string]string{
		"static": {
			"no header": "missing", "basic": "missing", "bearer alone": "missing", "bearer two tokens": "missing",
			"token scheme": "missing", "empty": "missing", "two headers": "missing",
			"wrong token": "invalid", "static token": "1", "static lower double space": "1", "static upper tab": "1",
			"static prefix": "invalid", "jwt": "invalid", "jwt other issuer": "invalid", "huge": "invalid",
		},
	}
	want["supabase-local"] = map[string]string{}
	for k, v := range want["static"] {
		want["supabase-local"][k] = v
	}
	want["supabase-local"]["jwt"] = uuidA
	want["supabase-remote"] = want["supabase-local"]

	for mode, a := range auths {
		for _, h := range headers {
			t.Run(mode+"/"+h.name, func(t *testing.T) {
				r := httptest.NewRequest("GET", "/x", nil)
				for _, v := range h.values {
					r.Header.Add("Authorization", v)
				}
				id, err := a.AuthenticateRequest(r)
				got := errKind(err)
				if err == nil {
					got = id
				}
				w := "1"
				if m, ok := want[mode]; ok {
					w = m[h.name]
				}
				if got != w {
					t.Errorf("AuthenticateRequest(%q) in %s = %q, %v; want %s", h.values, mode, id, err, w)
				}
			})
		}
	}
}

// TestRequireOverHTTP runs every mode behind require on a real server and
// checks the status, the kind of refusal and the user handed to the
// handler.
func TestRequireOverHTTP(t *testing.T) {
	auths, jwt := modes(t)
	cases := []struct {
		mode, auth string
		status     int
		body       string
	}{
		{"none", "", 200, "user=1"},
		{"local", "Bearer garbage", 200, "user=1"},
		{"static", "", 401, bodyMissing},
		{"static", "Basic x", 401, bodyMissing},
		{"static", "Bearer nope", 401, bodyInvalid},
		{"static", "Bearer " + staticTok, 200, "user=1"},
		{"supabase-local", "Bearer " + jwt, 200, "user=" + uuidA},
		{"supabase-local", "Bearer " + staticTok, 200, "user=1"},
		{"supabase-local", "Bearer " + jwt + "x", 401, bodyInvalid},
		{"supabase-remote", "Bearer " + jwt, 200, "user=" + uuidA},
		{"supabase-remote", "", 401, bodyMissing},
	}
	for _, c := range cases {
		srv := httptest.NewServer(require(auths[c.mode], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "user="+UserID(r.Context()))
		})))
		req, _ := http.NewRequest("GET", srv.URL+"/workflows", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != c.status || string(b) != c.body {
			t.Errorf("%s GET /workflows (Authorization %.20q) = %d %s, want %d %s", c.mode, c.auth, resp.StatusCode, b, c.status, c.body)
		}
	}
}

func TestAuthenticateWebSocketOrder(t *testing.T) {
	a := mustNew(t, Options{Provider: Static, StaticToken: staticTok})
	cases := []struct {
		name, header, query, want string
	}{
		{"header", "Bearer " + staticTok, "", "1"},
		{"header wins over api_key", "Bearer " + staticTok, "api_key=wrong", "1"},
		{"wrong header wins over api_key", "Bearer wrong", "api_key=" + staticTok, "invalid"},
		{"malformed header falls back", "Basic abc", "api_key=" + staticTok, "1"},
		{"api_key", "", "api_key=" + staticTok, "1"},
		{"api_key trimmed", "", "api_key=%20" + staticTok + "%20", "1"},
		{"api_key wins over token", "", "api_key=wrong&token=" + staticTok, "invalid"},
		{"blank api_key falls back", "", "api_key=%20&token=" + staticTok, "1"},
		{"token", "", "token=" + staticTok, "1"},
		{"wrong token", "", "token=wrong", "invalid"},
		{"nothing", "", "", "missing"},
		{"other params", "", "access_token=" + staticTok, "missing"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/ws/predict?"+c.query, nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		id, err := a.AuthenticateWebSocket(r)
		got := errKind(err)
		if err == nil {
			got = id
		}
		if got != c.want {
			t.Errorf("%s: AuthenticateWebSocket(%q, %q) = %q, %v; want %s", c.name, c.header, c.query, id, err, c.want)
		}
	}
	open := mustNew(t, Options{Provider: Local})
	if id, err := open.AuthenticateWebSocket(httptest.NewRequest("GET", "/ws/chat", nil)); id != "1" || err != nil {
		t.Errorf("local AuthenticateWebSocket() = %q, %v; want 1, nil", id, err)
	}
}

func TestRequireLogsWithoutToken(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	a := mustNew(t, Options{Provider: Static, StaticToken: staticTok, Logger: log})
	const presented = "PRESENTED-wrong-token-9f8e7d6c5b4a"

	mux := http.NewServeMux()
	mux.Handle("GET /private/{id}", require(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/private/42", nil)
	req.Header.Set("Authorization", "Bearer "+presented)
	req.Header.Set("User-Agent", "authn-test")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// A WebSocket failure with the token in the query, logged by the caller.
	r := httptest.NewRequest("GET", "/ws/chat?api_key="+presented, nil)
	r.RemoteAddr = "192.0.2.7:5555"
	if _, err := a.AuthenticateWebSocket(r); err != nil {
		a.LogFailure(r, err)
	} else {
		t.Fatal("AuthenticateWebSocket accepted a wrong api_key")
	}

	out := buf.String()
	for _, want := range []string{
		`"level":"WARN"`, `"authentication_failed":true`, `"client_ip":"127.0.0.1"`,
		`"route":"GET /private/{id}"`, `"user_agent":"authn-test"`,
		`"client_ip":"192.0.2.7"`, `"route":"/ws/chat"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log = %s\nwant it to contain %s", out, want)
		}
	}
	for _, secret := range []string{presented, presented[:8], staticTok[:8], "api_key"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("log has %d lines, want 2:\n%s", n, out)
	}
}

func TestRequireStoresUser(t *testing.T) {
	a := mustNew(t, Options{Provider: Supabase, JWTSecret: testSecret, Now: func() time.Time { return testNow }})
	var got string
	h := require(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = UserID(r.Context()) }))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+userJWT(t, testSecret, uuidB, testNow))
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != uuidB {
		t.Errorf("UserID() in handler = %q, want %q", got, uuidB)
	}
	if id := UserID(httptest.NewRequest("GET", "/", nil).Context()); id != "" {
		t.Errorf("UserID(no user) = %q, want empty", id)
	}
}

func TestNewValidation(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string // substring of the error, "" for success
	}{
		{"none", Options{Provider: None}, ""},
		{"local", Options{Provider: Local}, ""},
		{"empty provider", Options{}, "AUTH_PROVIDER"},
		{"unknown provider", Options{Provider: "multi_user"}, "AUTH_PROVIDER"},
		{"uncanonical provider", Options{Provider: "Static", StaticToken: staticTok}, "AUTH_PROVIDER"},
		{"static without token", Options{Provider: Static}, "WORKER_AUTH_TOKEN"},
		{"static with space in token", Options{Provider: Static, StaticToken: "a b"}, "WORKER_AUTH_TOKEN"},
		{"static", Options{Provider: Static, StaticToken: staticTok}, ""},
		{"supabase nothing", Options{Provider: Supabase}, "SUPABASE_JWT_SECRET"},
		{"supabase url only", Options{Provider: Supabase, SupabaseURL: "https://x.supabase.co"}, "SUPABASE_KEY"},
		{"supabase key only", Options{Provider: Supabase, SupabaseKey: "k"}, "SUPABASE_URL"},
		{"supabase bad url", Options{Provider: Supabase, SupabaseURL: "x.supabase.co", SupabaseKey: "k"}, "SUPABASE_URL"},
		{"supabase ftp url", Options{Provider: Supabase, SupabaseURL: "ftp://x.supabase.co", SupabaseKey: "k"}, "SUPABASE_URL"},
		{"supabase remote", Options{Provider: Supabase, SupabaseURL: "https://x.supabase.co/", SupabaseKey: "k"}, ""},
		{"supabase short secret", Options{Provider: Supabase, JWTSecret: "short"}, "SUPABASE_JWT_SECRET"},
		{"supabase local", Options{Provider: Supabase, JWTSecret: testSecret}, ""},
	}
	for _, c := range cases {
		_, err := New(c.o)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: New() = %v, want nil", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: New() = %v, want an error naming %s", c.name, err, c.want)
		}
	}
}

func TestOptionsFromEnv(t *testing.T) {
	dir := t.TempDir()
	base := map[string]string{"NODETOOL_CONFIG_DIR": dir, "WORKER_AUTH_TOKEN": staticTok}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		env     map[string]string
		p       Provider
		ttl     time.Duration
		max     int
		wantErr string
	}{
		{"defaults", with(), Supabase, 0, 0, ""},
		{"ttl", with("AUTH_CACHE_TTL", "30", "AUTH_CACHE_MAX", "10"), Supabase, 30 * time.Second, 10, ""},
		{"zero disables", with("AUTH_CACHE_TTL", "0", "AUTH_CACHE_MAX", "0"), Supabase, -1, -1, ""},
		{"bad ttl", with("AUTH_CACHE_TTL", "1m"), Supabase, 0, 0, "AUTH_CACHE_TTL"},
		{"negative ttl", with("AUTH_CACHE_TTL", "-5"), Supabase, 0, 0, "AUTH_CACHE_TTL"},
		{"huge ttl", with("AUTH_CACHE_TTL", "99999999999999999"), Supabase, 0, 0, "AUTH_CACHE_TTL"},
		{"bad max", with("AUTH_CACHE_MAX", "lots"), Supabase, 0, 0, "AUTH_CACHE_MAX"},
		{"negative max", with("AUTH_CACHE_MAX", "-1"), Supabase, 0, 0, "AUTH_CACHE_MAX"},
		{"missing secret file", with("SUPABASE_JWT_SECRET_FILE", dir+"/nope"), Supabase, 0, 0, "SUPABASE_JWT_SECRET_FILE"},
	}
	for _, c := range cases {
		o, ti, err := OptionsFromEnv(env(c.env), c.p)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: OptionsFromEnv() = %v, want an error naming %s", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: OptionsFromEnv() = %v", c.name, err)
			continue
		}
		if o.CacheTTL != c.ttl || o.CacheMax != c.max {
			t.Errorf("%s: OptionsFromEnv() TTL, max = %v, %d; want %v, %d", c.name, o.CacheTTL, o.CacheMax, c.ttl, c.max)
		}
		if o.StaticToken != staticTok || ti.Source != SourceEnv {
			t.Errorf("%s: OptionsFromEnv() static token source = %q, want env", c.name, ti.Source)
		}
	}

	// Not enforced: no token is resolved, nothing is written.
	empty := t.TempDir()
	o, ti, err := OptionsFromEnv(env(map[string]string{"NODETOOL_CONFIG_DIR": empty}), Local)
	if err != nil || o.StaticToken != "" || ti != (TokenInfo{}) {
		t.Errorf("OptionsFromEnv(local) = %q, %v, %v; want no token", o.StaticToken, ti, err)
	}
	if _, err := New(o); err != nil {
		t.Errorf("New(OptionsFromEnv(local)) = %v", err)
	}

	// Secrets from files.
	secretPath := writeFile(t, t.TempDir(), "jwt-secret", testSecret+"\n", 0o600)
	o, _, err = OptionsFromEnv(env(with("SUPABASE_JWT_SECRET_FILE", secretPath)), Supabase)
	if err != nil || o.JWTSecret != testSecret {
		t.Errorf("OptionsFromEnv(SUPABASE_JWT_SECRET_FILE) secret ok = %v, %v", o.JWTSecret == testSecret, err)
	}
}
