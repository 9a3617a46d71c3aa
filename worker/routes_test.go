package worker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"nodetool/authn"
	"nodetool/engine"
	"nodetool/httpapi"
	"nodetool/store"
	"nodetool/workflows"
)

// samplePath turns a route pattern into a request: wildcards get sample
// values ({bucket} a real bucket, {key...} key, others an id of nothing).
func samplePath(pattern, key string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{bucket}", "assets")
	path = strings.ReplaceAll(path, "{key...}", key)
	for strings.Contains(path, "{") {
		i, j := strings.Index(path, "{"), strings.Index(path, "}")
		path = path[:i] + "0123456789abcdef0123456789abcdef" + path[j+1:]
	}
	return method, path
}

// TestRouteBlock builds the worker's handler from its route block (a
// conflicting pattern would panic here) and asks every route through the
// real middleware, as its access class says. With the token, each is
// answered by its own handler, never by the mux's 404 or 405; without it,
// Authenticated and Owner routes answer 401 and Public ones are served.
// With --private-storage, GET /storage needs the token too.
func TestRouteBlock(t *testing.T) {
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private storage %v", private), func(t *testing.T) {
			db, err := store.Open(t.TempDir(), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			repo, err := workflows.New(db, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := authn.New(authn.Options{Provider: authn.Static, StaticToken: testToken})
			if err != nil {
				t.Fatal(err)
			}
			s := New(Deps{Registry: engine.NewRegistry(), Workflows: repo, Store: db, Auth: auth, PrivateStorage: private})
			mux := http.NewServeMux()
			s.Register(mux)
			srv := httptest.NewServer(s.Handler(mux))
			t.Cleanup(srv.Close)

			blobs, err := db.Blobs("assets")
			if err != nil {
				t.Fatal(err)
			}
			routes := s.routes()
			for i := range routes {
				if _, err := blobs.Put(context.Background(), fmt.Sprintf("k/%d.txt", i), strings.NewReader("x"), -1); err != nil {
					t.Fatal(err)
				}
			}
			send := func(method, path, token string) (int, string) {
				req, _ := http.NewRequest(method, srv.URL+path, nil)
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
			for i, rt := range routes {
				method, path := samplePath(rt.Pattern, fmt.Sprintf("k/%d.txt", i))
				code, body := send(method, path, testToken)
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
				default:
					t.Errorf("%q: access %d, want one the worker uses", rt.Pattern, rt.Access)
				}
				if strings.HasPrefix(rt.Pattern, "GET /storage/") && (rt.Access == httpapi.Public) == private {
					t.Errorf("%q with private storage %v: access %d", rt.Pattern, private, rt.Access)
				}
			}
		})
	}
}
