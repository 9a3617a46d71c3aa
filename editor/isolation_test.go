package editor

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/jobs"
)

// TestNotYoursIsNotFound goes through every editor route that takes an id
// (or a key naming one): for B, what is A's answers byte for byte as what
// exists nowhere, so no answer tells B that an id exists.
func TestNotYoursIsNotFound(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	graph := map[string]any{"nodes": []any{}, "edges": []any{}}
	var wf, th struct{ ID string }
	e.A.json(t, "POST", "/api/workflows", map[string]any{"name": "a", "access": "private", "graph": graph}, 200, &wf)
	e.A.json(t, "POST", "/api/threads", map[string]any{"title": "a"}, 200, &th)
	var msg struct{ ID string }
	e.A.json(t, "POST", "/api/messages", map[string]any{"thread_id": th.ID, "content": "hi"}, 200, &msg)
	img := file(t, e.A, "a.png", "image/png", "", "A's image")
	dir := folder(t, e.A, "dir", "")
	job, sub, err := e.Deps.Jobs.Start(jobs.Request{UserID: "user-a", WorkflowID: wf.ID, Graph: &engine.Graph{}})
	if err != nil {
		t.Fatal(err)
	}
	sub.Close()
	e.A.json(t, "PUT", "/api/settings/secrets/HF_TOKEN", `{"value":"hf_0123456789abcdef"}`, 200, nil)

	const none = "0123456789abcdef0123456789abcdef" // an id of nothing, the same length
	routes := []struct {
		method, path, body string
	}{
		{"GET", "/api/workflows/{id}", ""},
		{"DELETE", "/api/workflows/{id}", ""},
		{"POST", "/api/workflows/{id}/run", `{"params":{}}`},
		{"GET", "/api/workflows/public/{id}", ""},
		{"GET", "/api/jobs?workflow_id={id}", ""},
		{"GET", "/api/threads/{id}", ""},
		{"PUT", "/api/threads/{id}", `{"title":"x"}`},
		{"DELETE", "/api/threads/{id}", ""},
		{"GET", "/api/messages?thread_id={id}", ""},
		{"POST", "/api/messages", `{"thread_id":"{id}","content":"x"}`},
		{"GET", "/api/messages/{id}", ""},
		{"GET", "/api/assets/{id}", ""},
		{"PUT", "/api/assets/{id}", `{"name":"x"}`},
		{"DELETE", "/api/assets/{id}", ""},
		{"GET", "/api/assets/{id}/recursive", ""},
		{"GET", "/api/assets?parent_id={id}", ""},
		{"POST", "/api/assets/download", `{"asset_ids":["{id}"]}`},
		{"GET", "/api/jobs/{id}", ""},
		{"POST", "/api/jobs/{id}/cancel", ""},
		{"GET", "/api/storage/{id}.png", ""},
		{"HEAD", "/api/storage/{id}.png", ""},
		{"GET", "/api/storage/{id}_thumb.jpg", ""},
		{"DELETE", "/api/storage/{id}.png", ""},
		{"GET", "/api/settings/secrets/{id}", ""},
	}
	ids := map[string]string{
		"/api/workflows": wf.ID, "/api/threads": th.ID, "/api/messages/": msg.ID, "/api/messages?": th.ID,
		"/api/messages": th.ID, "/api/assets/{id}/": dir.ID, "/api/assets": img.ID, "/api/jobs/": job.ID,
		"/api/jobs?": wf.ID, "/api/storage": img.ID, "/api/settings": "HF_TOKEN",
	}
	idFor := func(path string) string {
		best := ""
		for prefix := range ids {
			if strings.HasPrefix(path, strings.Split(prefix, "{")[0]) && len(prefix) > len(best) {
				best = prefix
			}
		}
		return ids[best]
	}
	for _, rt := range routes {
		theirs := idFor(rt.path)
		if rt.path == "/api/assets?parent_id={id}" || rt.path == "/api/assets/{id}/recursive" {
			theirs = dir.ID
		}
		other := none
		if theirs == "HF_TOKEN" {
			other = "GEMINI_API_KEY" // a secret B has not set either
		}
		send := func(id string) (int, string) {
			path := strings.ReplaceAll(rt.path, "{id}", id)
			code, body, _ := e.B.do(t, rt.method, path, strings.ReplaceAll(rt.body, "{id}", id), "Content-Type", "application/json")
			return code, strings.ReplaceAll(body, id, "{id}")
		}
		c1, b1 := send(theirs)
		c2, b2 := send(other)
		if c1 != c2 || b1 != b2 {
			t.Errorf("%s %s as B: A's id = %d %s, an id of nothing = %d %s: must answer the same", rt.method, rt.path, c1, b1, c2, b2)
		}
		if c1 == 200 && (strings.Contains(b1, "A's") || strings.Contains(b1, `"a"`)) {
			t.Errorf("%s %s as B shows A's data: %s", rt.method, rt.path, b1)
		}
	}
	// Uploading into A's folder is what uploading into no folder is.
	c1, b1 := upload(t, e.B, map[string]any{"name": "x", "content_type": "text/plain", "parent_id": dir.ID}, nil)
	c2, b2 := upload(t, e.B, map[string]any{"name": "x", "content_type": "text/plain", "parent_id": none}, nil)
	if c1 != c2 || strings.ReplaceAll(b1, dir.ID, none) != b2 {
		t.Errorf("upload into A's folder = %d %s, into no folder = %d %s", c1, b1, c2, b2)
	}
	// And A still has everything.
	e.A.json(t, "GET", "/api/workflows/"+wf.ID, nil, 200, nil)
	e.A.json(t, "GET", "/api/threads/"+th.ID, nil, 200, nil)
	e.A.json(t, "GET", "/api/messages/"+msg.ID, nil, 200, nil)
	if code, body, _ := e.A.do(t, "GET", "/api/storage/"+img.ID+".png", ""); code != 200 || body != "A's image" {
		t.Errorf("A's image = %d %q", code, body)
	}
}

// TestPerUserStorageAndSettings: with multi-user auth, /api/storage keys
// (both buckets) and plain settings are the caller's own; with local auth
// the one user keeps the whole bucket, and a settings file of the earlier
// shared format is that user's.
func TestPerUserStorageAndSettings(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	for _, prefix := range []string{"/api/storage/", "/api/storage/temp/"} {
		e.A.json(t, "PUT", prefix+"notes/n.txt", "A's note", 200, nil)
		e.B.wantDetail(t, "GET", prefix+"notes/n.txt", "", 404, "Not Found")
		e.B.wantDetail(t, "DELETE", prefix+"notes/n.txt", "", 404, "Not Found")
		e.B.json(t, "PUT", prefix+"notes/n.txt", "B's note", 200, nil)
		for _, c := range []*testClient{e.A, e.B} {
			want := map[*testClient]string{e.A: "A's note", e.B: "B's note"}[c]
			if code, body, _ := c.do(t, "GET", prefix+"notes/n.txt", ""); code != 200 || body != want {
				t.Errorf("%s GET %snotes/n.txt = %d %q, want %q", c.User, prefix, code, body, want)
			}
		}
		// The local server's one user sees the bucket as stored.
		if code, body, _ := e.Local.do(t, "GET", prefix+"users/user-a/notes/n.txt", ""); code != 200 || body != "A's note" {
			t.Errorf("local GET %susers/user-a/notes/n.txt = %d %q", prefix, code, body)
		}
	}
	var put struct{ Key string }
	e.A.json(t, "PUT", "/api/storage/k.txt", "x", 200, &put)
	if put.Key != "k.txt" {
		t.Errorf("PUT k.txt answered key %q, want the key as the client named it", put.Key)
	}

	// Settings: B changing OPENAI_BASE_URL does not change what A sees.
	e.A.json(t, "PUT", "/api/settings", map[string]any{"settings": map[string]any{"OPENAI_BASE_URL": "http://a.example/v1"}, "secrets": map[string]any{}}, 200, nil)
	e.B.json(t, "PUT", "/api/settings", map[string]any{"settings": map[string]any{"OPENAI_BASE_URL": "http://evil.example/v1"}, "secrets": map[string]any{}}, 200, nil)
	if v := settingsOf(t, e.A)["OPENAI_BASE_URL"].Value; v == nil || *v != "http://a.example/v1" {
		t.Errorf("A's OPENAI_BASE_URL = %v, want A's own", v)
	}
	if v := settingsOf(t, e.Static)["OPENAI_BASE_URL"].Value; v != nil {
		t.Errorf("the operator's OPENAI_BASE_URL = %q, want unset", *v)
	}

	// A settings file of the earlier shared format belongs to user "1".
	e2 := newTestEditor(t, testOptions{})
	os.MkdirAll(e2.ConfigDir, 0o700)
	if err := os.WriteFile(filepath.Join(e2.ConfigDir, "settings.json"), []byte(`{"OLLAMA_API_URL":"http://gpu:11434"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if v := settingsOf(t, e2.Local)["OLLAMA_API_URL"].Value; v == nil || *v != "http://gpu:11434" {
		t.Errorf("legacy setting for the local user = %v", v)
	}
	if v := settingsOf(t, e2.A)["OLLAMA_API_URL"].Value; v != nil {
		t.Errorf("legacy setting seen by A = %q", *v)
	}
	e2.Local.json(t, "PUT", "/api/settings", map[string]any{"settings": map[string]any{"NODETOOL_DEFAULT_MODEL": "llama3"}, "secrets": map[string]any{}}, 200, nil)
	s := settingsOf(t, e2.Local)
	if v := s["OLLAMA_API_URL"].Value; v == nil || *v != "http://gpu:11434" {
		t.Errorf("legacy setting after a change = %v", v)
	}
	if v := s["NODETOOL_DEFAULT_MODEL"].Value; v == nil || *v != "llama3" {
		t.Errorf("new setting = %v", v)
	}
}

// rawDo sends one request exactly as written to the server at base (no
// URL cleaning) and returns its status, Location and body.
func rawDo(t *testing.T, base, method, target, body string, headers ...string) (int, string, string) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	var extra strings.Builder
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&extra, "%s: %s\r\n", headers[i], headers[i+1])
	}
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s", method, target, addr, extra.String(), len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestStorageKeyPathsEditor: on /api/storage, keys with empty, "." or ".."
// segments or a trailing slash are 400, never redirected or trimmed.
func TestStorageKeyPathsEditor(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	for _, base := range []string{e.URL, e.JWTURL} {
		auth := []string{}
		if base == e.JWTURL {
			auth = []string{"Authorization", "Bearer " + e.A.Token}
		}
		for _, prefix := range []string{"/api/storage", "/api/storage/", "/api/storage/temp/"} {
			keys := []string{"", "a/", "a/./b", "a/../b", "a//b", "./a", "a/.", "%2e%2e/a"}
			if prefix == "/api/storage" {
				keys = []string{""}
			}
			for _, k := range keys {
				for _, method := range []string{"GET", "HEAD", "PUT", "DELETE"} {
					code, loc, body := rawDo(t, base, method, prefix+k, "planted", auth...)
					if code != 400 || loc != "" {
						t.Errorf("%s %s%s = %d (Location %q) %q, want 400", method, prefix, k, code, loc, body)
					}
				}
			}
		}
		if code, _, body := rawDo(t, base, "PUT", "/api/storage/temp/a/b", "ok", auth...); code != 200 {
			t.Errorf("PUT /api/storage/temp/a/b = %d %q", code, body)
		}
	}
	for _, name := range []string{"assets", "temp"} {
		b, _ := e.DB.Blobs(name)
		list, _ := b.List("")
		for _, info := range list {
			if !strings.HasSuffix(info.Key, "a/b") {
				t.Errorf("%s holds %q after refused puts", name, info.Key)
			}
		}
	}
}

// TestOriginOwnServerOnly: without enforced auth, only the server's own
// origin (under each loopback name) and --cors-origin entries may use it;
// pages of other local servers may not, not even to open a WebSocket.
func TestOriginOwnServerOnly(t *testing.T) {
	env := newWSEnv(t, wsOptions{deps: func(d *Deps) { d.CORSOrigins = []string{"http://localhost:3000"} }})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(env.url, "http://"))
	cases := []struct {
		origin string
		want   int
	}{
		{"", 200},
		{"http://127.0.0.1:" + port, 200},
		{"http://localhost:" + port, 200},
		{"http://LOCALHOST:" + port, 200},
		{"http://[::1]:" + port, 200},
		{"http://localhost:3000", 200}, // --cors-origin
		{"http://localhost:8888", 403},
		{"http://127.0.0.1:3000", 403},
		{"http://127.0.0.1", 403},
		{"https://127.0.0.1:" + port, 403},
		{"app://localhost", 403},
		{"null", 403},
		{"http://evil.example:" + port, 403},
		{"http://127.0.0.1:" + port + "/x", 403},
	}
	for _, c := range cases {
		hdr := []string{}
		if c.origin != "" {
			hdr = []string{"Origin", c.origin}
		}
		if code, _, body := rawDo(t, env.url, "GET", "/api/workflows", "", hdr...); code != c.want {
			t.Errorf("Origin %q = %d %s, want %d", c.origin, code, body, c.want)
		}
	}
	// WebSocket handshakes: a page of another local server is refused.
	for _, origin := range []string{"http://localhost:8888", "http://127.0.0.1"} {
		cfg, _ := websocket.NewConfig("ws"+strings.TrimPrefix(env.url, "http")+"/updates", origin)
		if ws, err := websocket.DialConfig(cfg); err == nil {
			ws.Close()
			t.Errorf("a WebSocket handshake from %s was accepted", origin)
		}
	}
	cfg, _ := websocket.NewConfig("ws"+strings.TrimPrefix(env.url, "http")+"/updates", "http://localhost:"+port)
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		t.Fatalf("a WebSocket handshake from the server's own origin: %v", err)
	}
	ws.Close()
}

// TestTerminalRefusedMultiUser: with Supabase auth the terminal is never
// offered, even when enabled, to users or to the static token.
func TestTerminalRefusedMultiUser(t *testing.T) {
	secret := "terminal-test-jwt-secret-0123456789abcdef"
	env := newWSEnv(t, wsOptions{
		auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret, StaticToken: "static-token-0123456789"},
		deps: func(d *Deps) { d.Terminal = true },
	})
	tok := signJWT(secret, map[string]any{"sub": "user-a", "exp": time.Now().Add(time.Hour).Unix()})
	for _, bearer := range []string{tok, "static-token-0123456789"} {
		c := env.dial(t, "/terminal", false, "Authorization", "Bearer "+bearer)
		if code, reason := c.closeCode(); code != 1008 || reason != "Terminal access disabled" {
			t.Errorf("terminal with supabase auth: close %d %q, want 1008", code, reason)
		}
	}
}
