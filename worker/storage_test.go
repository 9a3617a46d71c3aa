package worker

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/store"
)

func TestStorageRoundTrip(t *testing.T) { forEachStorage(t, testStorageRoundTrip) }

func testStorageRoundTrip(t *testing.T, st *store.Storage) {
	env := newEnv(t, envOptions{storage: st})
	data := randomBytes(t, 100_000)
	for _, bucket := range []string{"assets", "temp"} {
		key := "deep/nested/path/file.png"
		code, body, _ := env.do(t, "PUT", "/admin/storage/"+bucket+"/"+key, string(data))
		if code != 200 || body != `{"key":"deep/nested/path/file.png","size":100000}` {
			t.Fatalf("PUT %s = %d %s", bucket, code, body)
		}
		for _, prefix := range []string{"/admin/storage/", "/storage/"} {
			code, got, h := env.do(t, "GET", prefix+bucket+"/"+key, "")
			if code != 200 || got != string(data) || h.Get("Content-Type") != "image/png" || h.Get("Content-Length") != "100000" ||
				h.Get("ETag") == "" || h.Get("Last-Modified") == "" || h.Get("Accept-Ranges") != "bytes" {
				t.Errorf("GET %s%s = %d (%d bytes), headers %v", prefix, bucket, code, len(got), h)
			}
			code, got, h = env.do(t, "HEAD", prefix+bucket+"/"+key, "")
			if code != 200 || got != "" || h.Get("Content-Length") != "100000" || h.Get("Content-Type") != "image/png" {
				t.Errorf("HEAD %s%s = %d %q, headers %v", prefix, bucket, code, got, h)
			}
		}
	}
	if code, _, _ := env.do(t, "GET", "/storage/assets/missing.txt", ""); code != 404 {
		t.Errorf("GET missing = %d, want 404", code)
	}
	if code, body, _ := env.do(t, "GET", "/storage/other/x.txt", ""); code != 404 || !strings.Contains(body, "use assets or temp") {
		t.Errorf("GET unknown bucket = %d %s", code, body)
	}
	if code, _, _ := env.do(t, "DELETE", "/admin/storage/assets/deep/nested/path/file.png", ""); code != 204 {
		t.Errorf("DELETE = %d, want 204", code)
	}
	if code, _, _ := env.do(t, "DELETE", "/admin/storage/assets/deep/nested/path/file.png", ""); code != 404 {
		t.Errorf("second DELETE = %d, want 404", code)
	}
	if code, _, _ := env.do(t, "PUT", "/storage/assets/x.txt", "x"); code != 405 {
		t.Errorf("PUT on the read-only route = %d, want 405", code)
	}
}

func TestStorageRangesAndConditionals(t *testing.T) {
	forEachStorage(t, testStorageRangesAndConditionals)
}

func testStorageRangesAndConditionals(t *testing.T, st *store.Storage) {
	env := newEnv(t, envOptions{storage: st})
	env.do(t, "PUT", "/admin/storage/assets/r.txt", "0123456789")
	_, _, h := env.do(t, "GET", "/storage/assets/r.txt", "")
	etag, lastMod := h.Get("ETag"), h.Get("Last-Modified")
	cases := []struct {
		name        string
		headers     []string
		code        int
		body, crang string
	}{
		{"single range", []string{"Range", "bytes=2-5"}, 206, "2345", "bytes 2-5/10"},
		{"open range", []string{"Range", "bytes=7-"}, 206, "789", "bytes 7-9/10"},
		{"suffix range", []string{"Range", "bytes=-3"}, 206, "789", "bytes 7-9/10"},
		{"end past size is clamped", []string{"Range", "bytes=8-100"}, 206, "89", "bytes 8-9/10"},
		{"unsatisfiable", []string{"Range", "bytes=20-30"}, 416, "", "bytes */10"},
		{"if-none-match", []string{"If-None-Match", etag}, 304, "", ""},
		{"if-none-match other", []string{"If-None-Match", `"other"`}, 200, "0123456789", ""},
		{"if-modified-since", []string{"If-Modified-Since", lastMod}, 304, "", ""},
		{"if-modified-since past", []string{"If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT"}, 200, "0123456789", ""},
		{"garbage if-modified-since is ignored", []string{"If-Modified-Since", "yesterday"}, 200, "0123456789", ""},
	}
	for _, c := range cases {
		code, body, h := env.do(t, "GET", "/storage/assets/r.txt", "", c.headers...)
		if code != c.code || (c.code != 416 && body != c.body) || h.Get("Content-Range") != c.crang {
			t.Errorf("%s: %d %q Content-Range %q, want %d %q %q", c.name, code, body, h.Get("Content-Range"), c.code, c.body, c.crang)
		}
	}
}

// rawGet sends a request line as written, bypassing Go's URL cleaning, the
// way a hostile client would.
func rawGet(t *testing.T, addr, method, target, token string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", method, target, token)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStorageTraversal(t *testing.T) {
	env := newEnv(t, envOptions{})
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	os.WriteFile(secret, []byte("top secret"), 0o600)
	// Symlinks planted inside the data dir, pointing outside it.
	os.MkdirAll(filepath.Join(env.dir, "blobs", "assets"), 0o700)
	os.Symlink(outside, filepath.Join(env.dir, "blobs", "assets", "escape"))
	os.Symlink(secret, filepath.Join(env.dir, "blobs", "assets", "link.txt"))

	addr := strings.TrimPrefix(env.srv.URL, "http://")
	targets := []string{
		"/admin/storage/assets/../../etc/passwd",
		"/admin/storage/assets/%2e%2e/%2e%2e/etc/passwd",
		"/admin/storage/assets/a/%2e%2e/%2e%2e/x",
		"/admin/storage/assets/..%2f..%2fsecret.txt",
		"/admin/storage/assets/%2e%2e%2fx",
		"/admin/storage/assets/a%5c..%5c..%5cx",
		"/admin/storage/assets/a\\..\\x",
		"/admin/storage/assets/%2fetc%2fpasswd",
		"/admin/storage/assets//etc/passwd",
		"/admin/storage/assets/x%00.txt",
		"/admin/storage/assets/x%0a.txt",
		"/admin/storage/assets/C:%5cwindows",
		"/admin/storage/assets/" + strings.Repeat("a", 1025),
		"/admin/storage/assets/escape/secret.txt",
		"/admin/storage/assets/link.txt",
		"/storage/assets/escape/secret.txt",
		"/storage/assets/link.txt",
		"/storage/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
	}
	for _, target := range targets {
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			if strings.HasSuffix(target, "link.txt") && method != "GET" {
				continue // writing or deleting the link replaces the link itself; checked below
			}
			code, body := rawGet(t, addr, method, target, testToken)
			if code == 200 || code == 204 || strings.Contains(body, "top secret") || strings.Contains(body, "root:") {
				t.Errorf("%s %s = %d %q: must be refused", method, target, code, body)
			}
		}
	}
	// A PUT over a planted link replaces the link, never its target; a
	// DELETE removes the link.
	if code, _ := rawGet(t, addr, "PUT", "/admin/storage/assets/link.txt", testToken); code != 200 {
		t.Errorf("PUT over the link = %d, want 200", code)
	}
	if code, _ := rawGet(t, addr, "DELETE", "/admin/storage/assets/link.txt", testToken); code != 204 {
		t.Errorf("DELETE of the link = %d, want 204", code)
	}
	got, err := os.ReadFile(secret)
	if err != nil || string(got) != "top secret" {
		t.Errorf("the file outside was changed: %q %v", got, err)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("files appeared outside the data dir: %v", entries)
	}
}

func TestStorageConcurrentPutsOneKey(t *testing.T) {
	forEachStorage(t, testStorageConcurrentPutsOneKey)
}

func testStorageConcurrentPutsOneKey(t *testing.T, st *store.Storage) {
	env := newEnv(t, envOptions{storage: st})
	const writers = 16
	contents := make([]string, writers)
	for i := range contents {
		contents[i] = strings.Repeat(fmt.Sprintf("%02d", i), 50_000)
	}
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body, _ := env.do(t, "PUT", "/admin/storage/temp/shared/key.bin", contents[i]); code != 200 {
				t.Errorf("PUT %d = %d %s", i, code, body)
			}
		}()
	}
	wg.Wait()
	_, got, _ := env.do(t, "GET", "/storage/temp/shared/key.bin", "")
	found := false
	for _, c := range contents {
		found = found || got == c
	}
	if !found {
		t.Fatalf("the object (%d bytes) is not exactly one of the writes", len(got))
	}
}

func TestStorageUploadLimit(t *testing.T) { forEachStorage(t, testStorageUploadLimit) }

func testStorageUploadLimit(t *testing.T, st *store.Storage) {
	env := newEnv(t, envOptions{maxUpload: 1000, storage: st})
	code, body, _ := env.do(t, "PUT", "/admin/storage/assets/big.bin", string(bytes.Repeat([]byte("x"), 5000)))
	if code != 413 || !strings.Contains(body, "limit is 1000 bytes") {
		t.Fatalf("oversized PUT = %d %s, want 413", code, body)
	}
	if code, _, _ := env.do(t, "GET", "/storage/assets/big.bin", ""); code != 404 {
		t.Fatalf("the oversized upload left an object behind: %d", code)
	}
	if code, _, _ := env.do(t, "PUT", "/admin/storage/assets/ok.bin", strings.Repeat("y", 1000)); code != 200 {
		t.Fatalf("a PUT at the limit = %d, want 200", code)
	}
}
