package providers

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// upstream is a real HTTP server standing in for a vendor's API. It
// records every request it gets.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// newUpstream starts a server that records requests and then runs h.
func newUpstream(t *testing.T, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: b})
		u.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

// replay starts a server that answers every request with status and body.
func replay(t *testing.T, status int, contentType, body string) *upstream {
	t.Helper()
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

// last returns the last request the server got.
func (u *upstream) last(t *testing.T) recorded {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.reqs) == 0 {
		t.Fatal("the server got no request")
	}
	return u.reqs[len(u.reqs)-1]
}

// body decodes the recorded request body.
func (r recorded) body(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, r.Body)
	}
	return v
}

// at walks a decoded JSON value along a dotted path such as
// "messages.1.content.0.type"; missing steps give nil.
func at(v any, path string) any {
	for _, step := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			v = c[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// field is one expectation on a request body: the JSON at path, or
// "<absent>" when it must not be there.
type field struct{ path, want string }

func checkFields(t *testing.T, body any, fields []field) {
	t.Helper()
	for _, f := range fields {
		got := at(body, f.path)
		if f.want == "<absent>" {
			if got != nil {
				t.Errorf("request %s = %s, want it absent", f.path, jsonText(got))
			}
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(f.want), &want); err != nil {
			t.Fatalf("bad expectation %s: %v", f.want, err)
		}
		if jsonText(got) != jsonText(want) {
			t.Errorf("request %s = %s, want %s", f.path, jsonText(got), jsonText(want))
		}
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// fixture reads a testdata file.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// closedURL is the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// asError checks that err is an *Error and returns it.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	if err == nil {
		t.Fatal("err = nil, want an *Error")
	}
	pe, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("err = %T %v, want an *Error", err, err)
	}
	return pe
}

// deltas reads a stream to its end.
func deltas(t *testing.T, s Stream) ([]Delta, error) {
	t.Helper()
	defer s.Close()
	var out []Delta
	for range 10000 {
		d, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	t.Fatal("stream does not end")
	return nil, nil
}

// endpointOf reaches a provider's HTTP plumbing, to shorten its timeouts.
func endpointOf(p Provider) *endpoint {
	switch v := p.(type) {
	case *OpenAI:
		return &v.ep
	case *Ollama:
		return &v.ep
	case *Anthropic:
		return &v.ep
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// splitEvents splits a fixture into its SSE events (blank-line separated)
// or NDJSON lines, each with its terminator.
func splitEvents(body string) []string {
	sep := "\n"
	if strings.Contains(body, "\n\n") {
		sep = "\n\n"
	}
	var out []string
	for _, p := range strings.SplitAfter(body, sep) {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
