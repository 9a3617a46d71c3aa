package editor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/httpapi"
)

// samplePath turns a route pattern into a request: {key...} becomes key,
// a secret's {key} a registered secret, other wildcards an id of nothing.
func samplePath(pattern, key string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{key...}", key)
	path = strings.ReplaceAll(path, "/secrets/{key}", "/secrets/HF_TOKEN")
	for strings.Contains(path, "{") {
		i, j := strings.Index(path, "{"), strings.Index(path, "}")
		path = path[:i] + "0123456789abcdef0123456789abcdef" + path[j+1:]
	}
	return method, path
}

// TestRouteBlock builds the editor's handler from its route block with
// every route on (a static folder; a conflicting pattern would panic here)
// and enforced auth, and asks every route through the real middleware, as
// its access class says. With the token, each is answered by its own
// handler, never by the mux's 404 or 405, and a WebSocket route upgrades.
// Without it, Authenticated and Owner routes answer 401, also when the
// request says "Upgrade: websocket", Public ones are served, and WebSocket
// routes upgrade (to close with 1008, see TestTerminal and the ws tests).
func TestRouteBlock(t *testing.T) {
	const token = "route-test-token-0123456789"
	static := t.TempDir()
	if err := os.WriteFile(filepath.Join(static, "index.html"), []byte("<html>client</html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := newWSEnv(t, wsOptions{auth: authn.Options{Provider: authn.Static, StaticToken: token},
		deps: func(d *Deps) { d.StaticFolder = static }})
	routes := env.srv.routes()
	if len(routes) != 63 {
		t.Errorf("the route block has %d routes, want the editor's 63", len(routes))
	}
	for _, bucket := range []string{"assets", "temp"} {
		b, err := env.srv.d.Store.Blobs(bucket)
		if err != nil {
			t.Fatal(err)
		}
		for i := range routes {
			if _, err := b.Put(context.Background(), fmt.Sprintf("k/%d.txt", i), strings.NewReader("x"), -1); err != nil {
				t.Fatal(err)
			}
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, token string, headers ...string) (int, string) {
		req, _ := http.NewRequest(method, env.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	upgrade := func(path, token string) error {
		cfg, err := websocket.NewConfig("ws"+strings.TrimPrefix(env.url, "http")+path, env.url)
		if err != nil {
			return err
		}
		if token != "" {
			cfg.Header.Set("Authorization", "Bearer "+token)
		}
		ws, err := websocket.DialConfig(cfg)
		if err == nil {
			ws.Close()
		}
		return err
	}
	for i, rt := range routes {
		method, path := samplePath(rt.Pattern, fmt.Sprintf("k/%d.txt", i))
		if rt.Access == httpapi.WebSocket {
			for _, tok := range []string{token, ""} {
				if err := upgrade(path, tok); err != nil {
					t.Errorf("%q: the upgrade with token %q failed: %v", rt.Pattern, tok, err)
				}
			}
			continue
		}
		code, body := send(method, path, token)
		if code == 405 || (code == 404 && body == `{"detail":"Not Found"}`) || code == 401 {
			t.Errorf("%q: %s %s with the token = %d %s, want its handler's answer", rt.Pattern, method, path, code, body)
		}
		code, body = send(method, path, "")
		switch rt.Access {
		case httpapi.Public:
			if code == 401 || code == 404 || code == 405 {
				t.Errorf("%q (public): %s %s without a token = %d %s", rt.Pattern, method, path, code, body)
			}
		case httpapi.Authenticated, httpapi.Owner:
			if code != 401 {
				t.Errorf("%q: %s %s without a token = %d %s, want 401", rt.Pattern, method, path, code, body)
			}
			// The upgrade headers of a WebSocket handshake do not make a
			// route public.
			if code, body := send(method, path, "", "Upgrade", "websocket", "Connection", "Upgrade"); code != 401 {
				t.Errorf("%q: %s %s without a token, with Upgrade: websocket = %d %s, want 401", rt.Pattern, method, path, code, body)
			}
		default:
			t.Errorf("%q: access %d", rt.Pattern, rt.Access)
		}
	}
}
