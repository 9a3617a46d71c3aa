package httpapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"nodetool/authn"
)

const routeToken = "routes-test-token-0123456789"

// lockedBuffer is a log destination the server's goroutines may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// routeServer serves, through Chain, one route of each access class (each
// answering the user it runs as) and one that panics.
func routeServer(t *testing.T, auth *authn.Auth, logs io.Writer) string {
	t.Helper()
	who := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "user="+authn.UserID(r.Context())) }
	mux := http.NewServeMux()
	Handle(mux, auth, []Route{
		Public.Route("GET /open", who),
		Authenticated.Route("GET /shared", who),
		Owner.Route("POST /mine/{id}", who),
		WebSocket.Route("GET /socket", who),
		Public.Route("GET /off", nil),
		Owner.Route("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") }),
	})
	srv := httptest.NewServer(Chain(mux, Middleware{Log: slog.New(slog.NewTextHandler(logs, nil)), Auth: auth, AnyOrigin: true,
		Storage: []string{"/files/"}}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestHandleAndChain: each access class is enforced where the route is
// registered, with the error table's answers; requests that match no
// route need credentials too when auth is enforced; and the chain's
// layers (recovery, headers, CORS, paths, JSON errors) apply to all.
func TestHandleAndChain(t *testing.T) {
	var logs lockedBuffer
	static, err := authn.New(authn.Options{Provider: authn.Static, StaticToken: routeToken,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	local, err := authn.New(authn.Options{Provider: authn.Local})
	if err != nil {
		t.Fatal(err)
	}
	enforced, open := routeServer(t, static, &logs), routeServer(t, local, io.Discard)
	const (
		missing = `{"detail":"Authorization header required. Use 'Authorization: Bearer <token>'."}`
		invalid = `{"detail":"Invalid authentication token"}`
	)
	cases := []struct {
		url, method, path, authz string
		code                     int
		body, header             string // header: "Name: value" the answer carries
	}{
		{enforced, "GET", "/open", "", 200, "user=1", ""},
		{enforced, "GET", "/shared", "", 401, missing, "WWW-Authenticate: Bearer"},
		{enforced, "GET", "/shared", "Basic abc", 401, missing, "WWW-Authenticate: Bearer"},
		{enforced, "GET", "/shared", "Bearer wrong", 401, invalid, "Cache-Control: no-store"},
		{enforced, "GET", "/shared", "Bearer " + routeToken, 200, "user=1", ""},
		{enforced, "POST", "/mine/7", "", 401, missing, ""},
		{enforced, "POST", "/mine/7/", "Bearer " + routeToken, 200, "user=1", ""}, // trailing slash dropped
		{enforced, "GET", "/socket", "", 200, "user=", ""},                        // authenticates itself
		{enforced, "GET", "/off", "Bearer " + routeToken, 404, `{"detail":"Not Found"}`, ""},
		{enforced, "GET", "/nowhere", "", 401, missing, ""}, // no route, no credentials: nothing learnt
		{enforced, "GET", "/nowhere", "Bearer " + routeToken, 404, `{"detail":"Not Found"}`, ""},
		{enforced, "GET", "/mine/7", "", 401, missing, ""},
		{enforced, "GET", "/mine/7", "Bearer " + routeToken, 405, `{"detail":"Method Not Allowed"}`, "Allow: POST"},
		{enforced, "GET", "/boom", "Bearer " + routeToken, 500, `{"detail":"Internal server error"}`, "X-Frame-Options: DENY"},
		{enforced, "GET", "/files/a//b", "", 400, `{"detail":"invalid key: empty path segments are not allowed"}`, ""},
		{enforced, "OPTIONS", "/shared", "", 204, "", "Access-Control-Allow-Origin: *"},
		// A preflight CORS does not answer (no Origin here) gets the mux's
		// 405: preflights carry no credentials.
		{enforced, "OPTIONS", "/mine/7", "", 405, `{"detail":"Method Not Allowed"}`, ""},
		{open, "GET", "/shared", "", 200, "user=1", ""},
		{open, "GET", "/nowhere", "", 404, `{"detail":"Not Found"}`, "X-Content-Type-Options: nosniff"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, c.url+c.path, nil)
		if c.authz != "" {
			req.Header.Set("Authorization", c.authz)
		}
		if c.method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "GET")
			if c.path == "/shared" {
				req.Header.Set("Origin", "https://app.example")
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || string(b) != c.body {
			t.Errorf("%s %s (Authorization %q) = %d %s, want %d %s", c.method, c.path, c.authz, resp.StatusCode, b, c.code, c.body)
		}
		if name, value, ok := strings.Cut(c.header, ": "); ok && resp.Header.Get(name) != value {
			t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, name, resp.Header.Get(name), value)
		}
	}
	for _, want := range []string{"authentication_failed=true", "handler panicked"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log has no %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "wrong") {
		t.Errorf("the log shows a presented token:\n%s", logs.String())
	}
}

// TestHandlePanics: a route without an access class, a conflicting
// pattern and a missing Auth stop the server from starting.
func TestHandlePanics(t *testing.T) {
	auth, _ := authn.New(authn.Options{Provider: authn.Local})
	h := func(http.ResponseWriter, *http.Request) {}
	cases := map[string]func(){
		"no access": func() { Handle(http.NewServeMux(), auth, []Route{{Pattern: "GET /x", Handler: h}}) },
		"conflict": func() {
			Handle(http.NewServeMux(), auth, []Route{Public.Route("GET /a/{x}", h), Owner.Route("GET /{y}/b", h)})
		},
		"no auth": func() { Handle(http.NewServeMux(), nil, []Route{Public.Route("GET /x", h)}) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Handle did not panic", name)
				}
			}()
			f()
		}()
	}
}
