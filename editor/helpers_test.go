package editor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/nodes"
	"nodetool/store"
	"nodetool/workflows"
)

// Credentials of the JWT-mode test server.
const (
	testJWTSecret   = "editor-test-jwt-secret-0123456789abcdef"
	testStaticToken = "editor-test-static-token-0123456789"
)

// testOptions change the editors newTestEditor builds.
type testOptions struct {
	maxBody    int64
	maxUpload  int64
	production bool
	publicURL  string
	// deps, if set, edits the Deps of both servers before they are built
	// (other fields of testOptions are applied first).
	deps func(*Deps)
}

// testEditor is two editors over one store, one workflows repo and one job
// manager: Local, with AUTH_PROVIDER=local (every request is user "1"), and
// one that verifies Supabase JWTs (HS256, no network), where A and B are two
// users and Static sends the static worker token (user "1").
type testEditor struct {
	URL    string // the local-auth server
	JWTURL string // the JWT server

	Local  *testClient // user "1" on the local server, no credentials
	A, B   *testClient // JWT users "user-a" and "user-b"
	Static *testClient // user "1" on the JWT server, by the static token
	Anon   *testClient // no credentials, on the JWT server

	DB        *store.DB
	Dir       string // the data dir
	ConfigDir string // holds settings.json and secrets.json
	Deps      Deps   // the local server's
}

// testClient sends requests to one server as one user.
type testClient struct {
	Base  string // the server's URL
	User  string // the user the server sees
	Token string // the bearer token ("" for none)
}

func newTestEditor(t *testing.T, o testOptions) *testEditor {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "data"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	repo, err := workflows.New(db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := nodes.NewRegistry(nodes.Deps{})
	jm := jobs.New(jobs.Options{Registry: reg, Store: db})
	t.Cleanup(jm.Close)
	config := filepath.Join(dir, "config")
	d := Deps{Registry: reg, Workflows: repo, Store: db, Jobs: jm,
		SettingsFile: filepath.Join(config, "settings.json"), SecretsFile: filepath.Join(config, "secrets.json"),
		MaxBody: o.maxBody, MaxUpload: o.maxUpload, Production: o.production, PublicURL: o.publicURL}
	if o.deps != nil {
		o.deps(&d)
	}
	start := func(auth authn.Options) string {
		a, err := authn.New(auth)
		if err != nil {
			t.Fatal(err)
		}
		dd := d
		dd.Auth = a
		s := New(dd)
		mux := http.NewServeMux()
		s.Register(mux)
		srv := httptest.NewServer(s.Handler(mux))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { shutdownNow(s) })
		return srv.URL
	}
	local := start(authn.Options{Provider: authn.Local})
	jwt := start(authn.Options{Provider: authn.Supabase, JWTSecret: testJWTSecret, StaticToken: testStaticToken})
	d.Auth, _ = authn.New(authn.Options{Provider: authn.Local})
	return &testEditor{
		URL: local, JWTURL: jwt,
		Local:  &testClient{Base: local, User: authn.LocalUser},
		A:      &testClient{Base: jwt, User: "user-a", Token: testJWT(t, "user-a")},
		B:      &testClient{Base: jwt, User: "user-b", Token: testJWT(t, "user-b")},
		Static: &testClient{Base: jwt, User: authn.LocalUser, Token: testStaticToken},
		Anon:   &testClient{Base: jwt},
		DB:     db, Dir: filepath.Join(dir, "data"), ConfigDir: config, Deps: d,
	}
}

// testJWT signs a Supabase-style access token for user, valid for an hour.
func testJWT(t *testing.T, user string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	claims, err := json.Marshal(map[string]any{"sub": user, "aud": "authenticated", "role": "authenticated",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	if err != nil {
		t.Fatal(err)
	}
	msg := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(testJWTSecret))
	mac.Write([]byte(msg))
	return msg + "." + enc.EncodeToString(mac.Sum(nil))
}

// Header returns the credentials the client sends.
func (c *testClient) Header() http.Header {
	h := http.Header{}
	if c.Token != "" {
		h.Set("Authorization", "Bearer "+c.Token)
	}
	return h
}

// request sends a request with the client's credentials and headers given
// as name, value pairs. The caller closes the body.
func (c *testClient) request(t *testing.T, method, path string, body io.Reader, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.Header()
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// do sends a request and returns its status, body and headers.
func (c *testClient) do(t *testing.T, method, path, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	resp := c.request(t, method, path, r, headers...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// json sends body (nil for none, a string as is, anything else encoded)
// and fails the test unless the status is want; it decodes the answer into
// out when out is not nil, and returns the raw answer.
func (c *testClient) json(t *testing.T, method, path string, body any, want int, out any) string {
	t.Helper()
	var s string
	switch b := body.(type) {
	case nil:
	case string:
		s = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		s = string(data)
	}
	code, got, _ := c.do(t, method, path, s, "Content-Type", "application/json")
	if code != want {
		t.Fatalf("%s %s as %q = %d %s, want %d", method, path, c.User, code, got, want)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, got)
		}
	}
	return got
}

// wantDetail checks an error answer: its status and that its detail
// contains want.
func (c *testClient) wantDetail(t *testing.T, method, path, body string, code int, want string) {
	t.Helper()
	got, raw, _ := c.do(t, method, path, body, "Content-Type", "application/json")
	var e struct {
		Detail string `json:"detail"`
	}
	if got != code || json.Unmarshal([]byte(raw), &e) != nil || !strings.Contains(e.Detail, want) {
		t.Errorf("%s %s as %q = %d %s, want %d with detail containing %q", method, path, c.User, got, raw, code, want)
	}
}
