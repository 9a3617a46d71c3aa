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
)

func TestStorageRoundTrip(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	c := e.Local
	data := strings.Repeat("0123456789", 10_000)
	for _, prefix := range []string{"/api/storage/", "/api/storage/temp/"} {
		key := "deep/nested/file.png"
		if got := c.json(t, "PUT", prefix+key, data, 200, nil); got != `{"key":"deep/nested/file.png","size":100000}` {
			t.Errorf("PUT %s = %s", prefix, got)
		}
		code, got, h := c.do(t, "GET", prefix+key, "")
		if code != 200 || got != data || h.Get("Content-Type") != "image/png" || h.Get("Content-Length") != "100000" ||
			h.Get("ETag") == "" || h.Get("Last-Modified") == "" || h.Get("Accept-Ranges") != "bytes" ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("GET %s = %d (%d bytes) %v", prefix, code, len(got), h)
		}
		code, got, h = c.do(t, "HEAD", prefix+key, "")
		if code != 200 || got != "" || h.Get("Content-Length") != "100000" {
			t.Errorf("HEAD %s = %d %q %v", prefix, code, got, h)
		}
		etag := h.Get("ETag")
		cases := []struct {
			name    string
			headers []string
			code    int
			body    string
		}{
			{"range", []string{"Range", "bytes=2-5"}, 206, "2345"},
			{"open range", []string{"Range", "bytes=99998-"}, 206, "89"},
			{"suffix range", []string{"Range", "bytes=-3"}, 206, "789"},
			{"unsatisfiable", []string{"Range", "bytes=200000-"}, 416, ""},
			{"if-none-match", []string{"If-None-Match", etag}, 304, ""},
			{"if-modified-since", []string{"If-Modified-Since", h.Get("Last-Modified")}, 304, ""},
		}
		for _, tc := range cases {
			code, got, _ := c.do(t, "GET", prefix+key, "", tc.headers...)
			if code != tc.code || (tc.code != 416 && got != tc.body) {
				t.Errorf("%s %s = %d %q, want %d %q", prefix, tc.name, code, got, tc.code, tc.body)
			}
		}
		if got := c.json(t, "DELETE", prefix+key, nil, 200, nil); got != "null" {
			t.Errorf("DELETE %s = %s, want null", prefix, got)
		}
		c.wantDetail(t, "DELETE", prefix+key, "", 404, "Not Found")
		c.wantDetail(t, "GET", prefix+key, "", 404, "Not Found")
	}
	// Temp and asset keys are separate.
	c.json(t, "PUT", "/api/storage/temp/only-temp.txt", "t", 200, nil)
	c.wantDetail(t, "GET", "/api/storage/only-temp.txt", "", 404, "Not Found")
	// Content types by extension.
	for key, want := range map[string]string{"a.json": "application/json", "a.mp3": "audio/mpeg", "a.unknown": "application/octet-stream", "a.TXT": "text/plain; charset=utf-8"} {
		c.json(t, "PUT", "/api/storage/"+key, "x", 200, nil)
		if _, _, h := c.do(t, "GET", "/api/storage/"+key, ""); h.Get("Content-Type") != want {
			t.Errorf("Content-Type of %s = %q, want %q", key, h.Get("Content-Type"), want)
		}
	}
	// A key that clashes with a folder of keys: 409.
	c.json(t, "PUT", "/api/storage/dir/x.txt", "x", 200, nil)
	c.wantDetail(t, "PUT", "/api/storage/dir", "x", 409, "conflicts")
}

func TestStorageUploadLimit(t *testing.T) {
	e := newTestEditor(t, testOptions{maxUpload: 1000})
	c := e.Local
	for _, prefix := range []string{"/api/storage/", "/api/storage/temp/"} {
		c.wantDetail(t, "PUT", prefix+"big.bin", strings.Repeat("x", 5000), 413, "limit is 1000 bytes")
		c.wantDetail(t, "GET", prefix+"big.bin", "", 404, "Not Found")
		c.json(t, "PUT", prefix+"ok.bin", strings.Repeat("y", 1000), 200, nil)
	}
	// A streamed body of unknown length, far over the limit.
	resp := c.request(t, "PUT", "/api/storage/stream.bin", io.MultiReader(&genReader{n: 5 << 20}))
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("streamed oversized PUT = %d", resp.StatusCode)
	}
}

// rawRequest sends a request line as written, bypassing Go's URL cleaning,
// the way a hostile client would.
func rawRequest(t *testing.T, base, method, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", method, target)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStorageTraversal(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	os.WriteFile(secret, []byte("top secret"), 0o600)
	os.MkdirAll(filepath.Join(e.Dir, "blobs", "assets"), 0o700)
	os.Symlink(outside, filepath.Join(e.Dir, "blobs", "assets", "escape"))
	os.Symlink(secret, filepath.Join(e.Dir, "blobs", "assets", "link.txt"))
	for _, prefix := range []string{"/api/storage/", "/api/storage/temp/"} {
		keys := []string{
			"../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "a/%2e%2e/%2e%2e/x", "..%2f..%2fsecret.txt",
			"%2e%2e%2fx", "a%5c..%5c..%5cx", `a\..\x`, "%2fetc%2fpasswd", "/etc/passwd", "x%00.txt",
			"x%0a.txt", "C:%5cwindows", "C:x", strings.Repeat("a", 1025), ".nodetool/x", "a//b", "./a",
			"escape/secret.txt", "link.txt",
		}
		for _, key := range keys {
			for _, method := range []string{"GET", "HEAD", "PUT", "DELETE"} {
				planted := key == "link.txt" || key == "escape/secret.txt"
				if planted && (prefix != "/api/storage/" || key == "link.txt" && method != "GET") {
					continue // the links are planted in the assets bucket; writing one replaces the link
				}
				code, body := rawRequest(t, e.URL, method, prefix+key)
				if code == 200 || strings.Contains(body, "top secret") || strings.Contains(body, "root:") {
					t.Errorf("%s %s%s = %d %q: must be refused", method, prefix, key, code, body)
				}
			}
		}
	}
	// The reason comes from store.ValidateKey, without the key.
	code, body := rawRequest(t, e.URL, "GET", "/api/storage/a%5cb")
	if code != 400 || !strings.HasPrefix(body, `{"detail":"invalid key: `) || strings.Contains(body, `a\\b`) {
		t.Errorf("backslash key = %d %s", code, body)
	}
	if got, err := os.ReadFile(secret); err != nil || string(got) != "top secret" {
		t.Errorf("the file outside was changed: %q %v", got, err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("files appeared outside the data dir: %v", entries)
	}
}

func TestStorageOwnership(t *testing.T) {
	e := newTestEditor(t, testOptions{})
	img := file(t, e.A, "a.png", "image/png", "", "A's image")
	f := folder(t, e.A, "dir", "")
	key := "/api/storage/" + img.ID + ".png"
	// B cannot read, replace or delete A's asset content or thumbnail: for
	// B they are keys of B's own space, absent until B puts them.
	for _, k := range []string{key, "/api/storage/" + img.ID + "_thumb.jpg"} {
		e.B.wantDetail(t, "GET", k, "", 404, "Not Found")
		if code, _, _ := e.B.do(t, "HEAD", k, ""); code != 404 {
			t.Errorf("B's HEAD %s = %d", k, code)
		}
		e.B.wantDetail(t, "DELETE", k, "", 404, "Not Found")
		e.B.json(t, "PUT", k, "B's data", 200, nil)
		if _, body, _ := e.B.do(t, "GET", k, ""); body != "B's data" {
			t.Errorf("B's GET %s after B's PUT = %q", k, body)
		}
		e.B.json(t, "DELETE", k, nil, 200, nil)
	}
	// Nor can A use other keys named after the asset or a folder.
	e.A.wantDetail(t, "PUT", "/api/storage/"+img.ID+".txt", "x", 404, "Not Found")
	e.A.wantDetail(t, "PUT", "/api/storage/"+img.ID+".png/x", "x", 404, "Not Found")
	e.A.wantDetail(t, "PUT", "/api/storage/"+f.ID+".bin", "x", 404, "Not Found")
	if code, body, _ := e.A.do(t, "GET", key, ""); code != 200 || body != "A's image" {
		t.Errorf("A's GET = %d %q", code, body)
	}
	// A's PUT of the content updates the asset's size.
	e.A.json(t, "PUT", key, "a bigger image", 200, nil)
	var a assetOut
	e.A.json(t, "GET", "/api/assets/"+img.ID, nil, 200, &a)
	if *a.Size != int64(len("a bigger image")) {
		t.Errorf("size after PUT = %d", *a.Size)
	}
	// Keys of no asset are per user in multi-user mode; the operator
	// (static token) sees them in users/<id>/.
	e.B.json(t, "PUT", "/api/storage/shared/x.txt", "from B", 200, nil)
	e.A.wantDetail(t, "GET", "/api/storage/shared/x.txt", "", 404, "Not Found")
	if _, body, _ := e.Static.do(t, "GET", "/api/storage/users/user-b/shared/x.txt", ""); body != "from B" {
		t.Errorf("the operator's view of B's key = %q", body)
	}
	// Without credentials: 401 on every method.
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if code, _, _ := e.Anon.do(t, m, "/api/storage/shared/x.txt", ""); code != 401 {
			t.Errorf("anonymous %s = %d", m, code)
		}
	}
	if code, _, _ := e.A.do(t, "DELETE", key, ""); code != 200 {
		t.Errorf("A's DELETE = %d", code)
	}
}
