package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"nodetool/store"
)

// bannerValue returns the value of a "name:  value" line of a banner.
func bannerValue(t *testing.T, banner, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + name + `:\s+(.*)$`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("banner has no %s line:\n%s", name, banner)
	}
	return m[1]
}

// get fetches url with an optional bearer token and returns status and body.
func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	return authGet(t, "GET", url, token, "")
}

// TestFirstHour follows the README's first hour as a new user would, with
// nothing configured but a fresh home folder: the worker starts and prints
// a new token, `nodetool token --show` prints it whole later, serve starts
// beside the worker with its defaults, the offline chat example answers,
// and a command's -h goes to stdout.
func TestFirstHour(t *testing.T) {
	for _, c := range []struct {
		name     string
		xdg      bool
		dataHome string // relative to the temp home
	}{
		{"home only", false, ".local/share/nodetool"},
		{"xdg", true, "xdg-data/nodetool"},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"HOME": home}
			if c.xdg {
				env["XDG_DATA_HOME"] = filepath.Join(home, "xdg-data")
				env["XDG_CONFIG_HOME"] = filepath.Join(home, "xdg-config")
			}
			w := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
			s := startServer(t, env, "serve", "--port", "0")

			wData, sData := bannerValue(t, w.stdout.String(), "data dir"), bannerValue(t, s.stdout.String(), "data dir")
			if want := filepath.Join(home, c.dataHome, "worker"); wData != want {
				t.Errorf("worker data dir = %s, want %s", wData, want)
			}
			if want := filepath.Join(home, c.dataHome, "serve"); sData != want {
				t.Errorf("serve data dir = %s, want %s", sData, want)
			}

			// The token: printed whole at the first start, and by token --show.
			m := regexp.MustCompile(`token:     (\S+)\n\s+\(new; saved to (\S+)\)`).FindStringSubmatch(w.stdout.String())
			if m == nil {
				t.Fatalf("the worker's first banner shows no new token:\n%s", w.stdout)
			}
			if c.xdg && !strings.HasPrefix(m[2], env["XDG_CONFIG_HOME"]) {
				t.Errorf("token saved to %s, want under XDG_CONFIG_HOME %s", m[2], env["XDG_CONFIG_HOME"])
			}
			out, errOut, code := runCLIEnv(t, env, "token", "--show")
			if code != 0 || out != m[1]+"\n" || errOut != "" {
				t.Fatalf("nodetool token --show = %q, stderr %q, exit %d; want %q alone", out, errOut, code, m[1])
			}
			if code, body := get(t, w.url+"/workflows", strings.TrimSpace(out)); code != 200 {
				t.Errorf("GET /workflows with the token from token --show = %d %s", code, body)
			}
			if code, body := get(t, s.url+"/api/workflows", ""); code != 200 {
				t.Errorf("serve GET /api/workflows = %d %s", code, body)
			}

			// The offline chat example.
			chat := startServer(t, env, "chat-server", "--provider", "fake", "--port", "0")
			code, body := authGet(t, "POST", chat.url+"/v1/chat/completions", "", `{"model":"fake-model","messages":[{"role":"user","content":"Hi"}]}`)
			if code != 200 || !strings.Contains(body, "Echo: Hi") {
				t.Errorf("offline chat = %d %s, want 200 with Echo: Hi", code, body)
			}

			// Help goes to stdout, exit 0, and pages with | less.
			out, errOut, code = runCLIEnv(t, env, "worker", "-h")
			if code != 0 || errOut != "" || !strings.Contains(out, "--data-dir") {
				t.Errorf("nodetool worker -h: exit %d, stdout %.80q, stderr %q; want the help on stdout", code, out, errOut)
			}

			for _, srv := range []*server{w, s, chat} {
				if err := srv.shutdown(t); err != nil {
					t.Errorf("shutdown of %s: %v, want nil", srv.url, err)
				}
			}
		})
	}
}

// TestServersStart starts every server command through run() as the
// binary would, waits for /health, calls a few of its routes (which
// registers every route on one mux: a pattern conflict panics here), and
// shuts it down cleanly. With --provider fake, the banner names only the
// fake provider and listing models warns about no other.
func TestServersStart(t *testing.T) {
	const token = "servers-start-token-0123456789"
	for _, c := range []struct {
		cmd    string
		routes map[string]int // path -> status, with the token
	}{
		{"worker", map[string]int{"/ping": 200, "/workflows": 200, "/workflows/uppercase": 200, "/v1/models": 200, "/nope": 404}},
		{"serve", map[string]int{"/api/workflows": 200, "/api/nodes/metadata": 200, "/api/workflows/examples": 200, "/v1/models": 200, "/api/jobs": 200, "/api/settings": 200}},
		{"chat-server", map[string]int{"/v1/models": 200, "/v1/nope": 404}},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"HOME": home, "WORKER_AUTH_TOKEN": token}
			s := startServer(t, env, c.cmd, "--host", "127.0.0.1", "--port", "0", "--auth-provider", "static", "--provider", "fake")
			banner := s.stdout.String()
			if got, want := bannerValue(t, banner, "models"), "fake (default); default model fake-model"; got != want {
				t.Errorf("banner models line = %q, want %q", got, want)
			}
			if strings.Contains(banner, "ollama") {
				t.Errorf("banner names ollama, which was not asked for:\n%s", banner)
			}
			for path, want := range c.routes {
				if code, body := get(t, s.url+path, token); code != want {
					t.Errorf("GET %s = %d %.200s, want %d", path, code, body, want)
				}
			}
			if code, _ := get(t, s.url+"/v1/models", ""); code != 401 {
				t.Errorf("GET /v1/models without the token = %d, want 401", code)
			}
			resp, err := http.Post(s.url+"/v1/chat/completions", "application/json", strings.NewReader(`{"messages":[{"role":"user","content":"hello"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("POST /v1/chat/completions without the token = %d %s, want 401", resp.StatusCode, body)
			}
			if code, body := authGet(t, "POST", s.url+"/v1/chat/completions", token, `{"messages":[{"role":"user","content":"hello"}]}`); code != 200 || !strings.Contains(body, "Echo: hello") {
				t.Errorf("POST /v1/chat/completions = %d %s, want the fake's echo", code, body)
			}
			if err := s.shutdown(t); err != nil {
				t.Fatalf("shutdown: run returned %v, want nil", err)
			}
			if logs := s.stderr.String(); strings.Contains(logs, "cannot list models") || strings.Contains(logs, "level=ERROR") {
				t.Errorf("the server logged a provider it was not asked for, or an error:\n%s", logs)
			}
		})
	}
}

// TestDataDirOfEarlierVersions: data kept by an earlier version in the
// shared default folder stays reachable. The worker keeps using it (its
// banner says how to move it) while serve starts in its own folder beside
// it (its banner names the old one); once the worker's own folder exists,
// the worker uses that.
func TestDataDirOfEarlierVersions(t *testing.T) {
	home := t.TempDir()
	shared := filepath.Join(home, ".local", "share", "nodetool")
	db, err := store.Open(shared, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	assets, err := db.Blobs("assets")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := assets.Put(context.Background(), "docs/old.txt", strings.NewReader("kept"), -1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"HOME": home, "WORKER_AUTH_TOKEN": "earlier-versions-token-0123"}

	w := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	s := startServer(t, env, "serve", "--port", "0")
	if got := bannerValue(t, w.stdout.String(), "data dir"); got != shared {
		t.Errorf("worker data dir = %s, want the shared folder %s", got, shared)
	}
	if !strings.Contains(w.stdout.String(), "mkdir -m 700 "+filepath.Join(shared, "worker")) {
		t.Errorf("the worker's banner does not say how to move the data:\n%s", w.stdout)
	}
	if got, want := bannerValue(t, s.stdout.String(), "data dir"), filepath.Join(shared, "serve"); got != want {
		t.Errorf("serve data dir = %s, want %s", got, want)
	}
	if !strings.Contains(s.stdout.String(), "--data-dir "+shared) {
		t.Errorf("serve's banner does not name the old data dir:\n%s", s.stdout)
	}
	if code, body := get(t, w.url+"/storage/assets/docs/old.txt", ""); code != 200 || body != "kept" {
		t.Errorf("the old storage object through the worker = %d %q, want 200 kept", code, body)
	}
	if err := w.shutdown(t); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(shared, "worker"), 0o700); err != nil {
		t.Fatal(err)
	}
	w2 := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	if got, want := bannerValue(t, w2.stdout.String(), "data dir"), filepath.Join(shared, "worker"); got != want {
		t.Errorf("worker data dir once %s exists = %s, want it", want, got)
	}
	// --data-dir and NODETOOL_DATA_DIR still name the folder exactly.
	w2.shutdown(t)
	exact := filepath.Join(home, "exact")
	env["NODETOOL_DATA_DIR"] = exact
	w3 := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	if got := bannerValue(t, w3.stdout.String(), "data dir"); got != exact || strings.Contains(w3.stdout.String(), "earlier versions") {
		t.Errorf("worker with NODETOOL_DATA_DIR: data dir %s, want %s without a note:\n%s", got, exact, w3.stdout)
	}
}

// TestServeTerminalBanner: the banner's terminal line follows the rule the
// /terminal handler applies: enabled on loopback, off (saying why) on an
// open listener without enforced auth, absent when nothing asked for it.
func TestServeTerminalBanner(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		on   bool
		want string
	}{
		{"loopback", []string{"--port", "0"}, true, "terminal:  enabled at /terminal"},
		{"open insecure", []string{"--host", "0.0.0.0", "--port", "0", "--insecure"}, true,
			"terminal:  off: NODETOOL_ENABLE_TERMINAL_WS is ignored (listening beyond loopback without enforced auth)"},
		{"not asked", []string{"--port", "0"}, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := serveEnv(t)
			if c.on {
				env["NODETOOL_ENABLE_TERMINAL_WS"] = "1"
			}
			s := startServer(t, env, append([]string{"serve"}, c.args...)...)
			out := s.stdout.String()
			if got := strings.Count(out, "terminal:"); c.want != "" && (got != 1 || !strings.Contains(out, c.want+"\n")) || c.want == "" && got != 0 {
				t.Errorf("banner:\n%s\nwant exactly one line %q", out, c.want)
			}
		})
	}
}
