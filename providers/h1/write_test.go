package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// parsed is what a server reads from a written request.
type parsed struct {
	Method, URI, Host string
	Header            http.Header
	Length            int64
	Body              string
}

func readBack(t testing.TB, raw []byte) (parsed, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return parsed{}, err
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return parsed{}, err
	}
	return parsed{req.Method, req.RequestURI, req.Host, req.Header, req.ContentLength, string(b)}, nil
}

// writeBoth writes req (made twice by mk, since writing consumes the
// body) with writeRequest and with net/http's Request.Write.
func writeBoth(t testing.TB, mk func() *http.Request) (ours, std []byte, err error) {
	var a, b bytes.Buffer
	bw := bufio.NewWriter(&a)
	err = writeRequest(bw, mk())
	bw.Flush()
	if werr := mk().Write(&b); werr != nil && err == nil {
		t.Fatalf("writeRequest took what Write refuses: %v", werr)
	}
	return a.Bytes(), b.Bytes(), err
}

// TestWriteRequest: what a server reads from writeRequest's output is what
// it reads from Request.Write's.
func TestWriteRequest(t *testing.T) {
	for _, tc := range []struct {
		name, method, url, body string
		header                  http.Header
		host                    string
		close                   bool
	}{
		{name: "chat completion", method: "POST", url: "http://127.0.0.1:11434/v1/chat/completions", body: `{"model":"m"}`,
			header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}, "User-Agent": {"nodetool"}, "Authorization": {"Bearer k"}}},
		{name: "get with query", method: "GET", url: "http://localhost/api/tags?x=1&y=%20z", header: http.Header{"X-Two": {"a", "b"}}},
		{name: "empty post", method: "POST", url: "http://h:80/p"},
		{name: "default user agent and close", method: "DELETE", url: "http://h/p", close: true},
		{name: "host override", method: "GET", url: "http://127.0.0.1:8080/", host: "models.internal"},
		{name: "headers Write takes from fields", method: "PUT", url: "http://h/p", body: "abc",
			header: http.Header{"Content-Length": {"99"}, "Host": {"evil"}, "Connection": {"upgrade"}, "X-Space": {"  padded\t"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mk := func() *http.Request {
				var body io.Reader
				if tc.body != "" {
					body = strings.NewReader(tc.body)
				}
				req, err := http.NewRequest(tc.method, tc.url, body)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tc.header {
					req.Header[k] = v
				}
				req.Host = tc.host
				req.Close = tc.close
				return req
			}
			ours, std, err := writeBoth(t, mk)
			if err != nil {
				t.Fatal(err)
			}
			a, err := readBack(t, ours)
			if err != nil {
				t.Fatalf("%q: %v", ours, err)
			}
			b, err := readBack(t, std)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("writeRequest's request reads as\n%+v\nWrite's as\n%+v", a, b)
			}
		})
	}
	// Refused: what would split the request or its headers.
	for _, h := range []http.Header{{"X-A": {"v\r\nInjected: 1"}}, {"Bad Name": {"v"}}, {"X-A": {"nul\x00"}}} {
		req, _ := http.NewRequest("GET", "http://h/", nil)
		req.Header = h
		if err := writeRequest(bufio.NewWriter(io.Discard), req); err == nil {
			t.Errorf("header %q written", h)
		}
	}
}

// FuzzWriteRequest: whatever writeRequest writes reads back as the
// request Write writes, and it refuses what would not.
func FuzzWriteRequest(f *testing.F) {
	f.Add("POST", "/v1/chat/completions", "Content-Type", "application/json", "{}")
	f.Add("GET", "/api/tags?x=1", "X-A", "a\tb", "")
	f.Add("PATCH", "/a%20b", "Accept", " x ", "body")
	f.Fuzz(func(t *testing.T, method, path, key, value, body string) {
		mk := func() *http.Request {
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, err := http.NewRequest(method, "http://127.0.0.1:8080"+path, rd)
			if err != nil {
				return nil
			}
			req.Header[key] = []string{value}
			return req
		}
		if mk() == nil {
			return
		}
		ours, std, err := writeBoth(t, mk)
		if err != nil {
			return
		}
		a, err := readBack(t, ours)
		if err != nil {
			if _, serr := readBack(t, std); serr == nil {
				t.Fatalf("%q does not read back (%v), Write's %q does", ours, err, std)
			}
			return
		}
		b, err := readBack(t, std)
		if err != nil {
			return // Write sanitizes what a server may still refuse
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("ours %q reads as %+v, Write's %q as %+v", ours, a, std, b)
		}
	})
}
