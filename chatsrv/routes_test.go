package chatsrv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"nodetool/authn"
	"nodetool/httpapi"
)

// TestRouteBlock builds the chat server from its route block (a
// conflicting pattern would panic here) and asks every route through the
// real middleware, as its access class says: with the token each is
// answered by its own handler, never by the mux's 404 or 405; without it
// the /v1 routes answer 401 and /health is served. Register mounts the
// same routes but /health on another surface's mux.
func TestRouteBlock(t *testing.T) {
	const token = "chat-route-token-0123456789"
	auth, err := authn.New(authn.Options{Provider: authn.Static, StaticToken: token})
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Providers: fakeSet(t), Auth: auth}
	srv := httptest.NewServer(NewHandler(d))
	t.Cleanup(srv.Close)
	send := func(method, path, token string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	routes := newServer(withDefaults(d)).routes(true)
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if code, body := send(method, path, token); code != 200 {
			t.Errorf("%q with the token = %d %s, want 200 from its handler", rt.Pattern, code, body)
		}
		code, body := send(method, path, "")
		switch rt.Access {
		case httpapi.Public:
			if code != 200 {
				t.Errorf("%q (public) without a token = %d %s, want 200", rt.Pattern, code, body)
			}
		case httpapi.Authenticated:
			if code != 401 {
				t.Errorf("%q without a token = %d %s, want 401", rt.Pattern, code, body)
			}
		default:
			t.Errorf("%q: access %d", rt.Pattern, rt.Access)
		}
	}

	// Mounted on another surface's mux, which has a /health of its own.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(http.ResponseWriter, *http.Request) {})
	Register(mux, d)
	for _, rt := range newServer(withDefaults(d)).routes(false) {
		if rt.Handler == nil {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if _, pattern := mux.Handler(httptest.NewRequest(method, path, nil)); pattern != rt.Pattern {
			t.Errorf("Register: %q is served by %q", rt.Pattern, pattern)
		}
	}
}
