package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestJSONErrors: requests that match no route get JSON 404/405 (with
// Allow), while handlers' own answers, 404s with their own detail and
// streamed or hijacked ones, pass unchanged.
func TestJSONErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "missing" {
			writeError(w, Errorf(NotFound, "thing missing not found"))
			return
		}
		io.WriteString(w, "thing "+r.PathValue("id"))
		w.(http.Flusher).Flush()
	})
	mux.HandleFunc("GET /plain404", http.NotFound)
	mux.HandleFunc("GET /raw", func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			writeError(w, err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nraw")
		rw.Flush()
	})
	srv := httptest.NewServer(JSONErrors(mux, nil))
	defer srv.Close()

	cases := []struct {
		method, path string
		code         int
		body, allow  string
	}{
		{"GET", "/nowhere", 404, `{"detail":"Not Found"}`, ""},
		{"POST", "/things/1", 405, `{"detail":"Method Not Allowed"}`, "GET, HEAD"},
		{"GET", "/things/1", 200, "thing 1", ""},
		{"GET", "/things/missing", 404, `{"detail":"thing missing not found"}`, ""},
		{"GET", "/plain404", 404, `{"detail":"Not Found"}`, ""},
		{"GET", "/raw", 200, "raw", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || strings.TrimSpace(string(b)) != c.body || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s = %d %q Allow %q, want %d %q Allow %q", c.method, c.path, resp.StatusCode, b, resp.Header.Get("Allow"), c.code, c.body, c.allow)
		}
		if c.code >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s Content-Type %q", c.method, c.path, resp.Header.Get("Content-Type"))
		}
	}
}
