package worker

import (
	"bufio"
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
)

// raw sends one request exactly as written (no URL cleaning, as a hostile
// client would) and returns the status, the Location header and the body.
func raw(t *testing.T, addr, method, target, token, body string) (int, string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	auth := ""
	if token != "" {
		auth = "Authorization: Bearer " + token + "\r\n"
	}
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s", method, target, auth, len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestStorageKeyPaths: empty, ".", ".." and "//" segments and a trailing
// slash are 400 on every storage route and method, never a redirect to a
// cleaned path, and never stored under another key.
func TestStorageKeyPaths(t *testing.T) {
	env := newEnv(t, envOptions{})
	addr := strings.TrimPrefix(env.srv.URL, "http://")
	keys := []string{"", "a/", "a//", "a/./b", "./a", "a/.", "a/../b", "../a", "a//b", "/a", ".", "..", "%2e/a", "a/%2e%2e/b", "a%2f%2fb", "a%2f"}
	var targets []string
	for _, prefix := range []string{"/storage/", "/admin/storage/"} {
		targets = append(targets, prefix, prefix+"assets", prefix+"temp", prefix+"./assets/a", prefix+"../storage/assets/a")
		for _, bucket := range []string{"assets", "temp"} {
			for _, k := range keys {
				targets = append(targets, prefix+bucket+"/"+k)
			}
		}
	}
	for _, target := range targets {
		for _, method := range []string{"GET", "HEAD", "PUT", "DELETE"} {
			code, loc, body := raw(t, addr, method, target, testToken, "planted")
			if code != http.StatusBadRequest || loc != "" {
				t.Errorf("%s %s = %d (Location %q) %q, want 400", method, target, code, loc, body)
			}
			if method != "HEAD" && !strings.Contains(body, "invalid key") {
				t.Errorf("%s %s: body %q does not say the key is invalid", method, target, body)
			}
		}
	}
	// Without a token too: public GETs of a bad key are 400, not a loop of
	// redirects.
	for _, target := range []string{"/storage/assets/", "/storage/assets/a/", "/storage/assets/a/../b"} {
		if code, loc, body := raw(t, addr, "GET", target, "", ""); code != http.StatusBadRequest {
			t.Errorf("GET %s without a token = %d (Location %q) %q, want 400", target, code, loc, body)
		}
	}
	for _, bucket := range []string{"assets", "temp"} {
		if list, err := env.db.Blobs(bucket); err != nil {
			t.Fatal(err)
		} else if got, err := list.List(""); err != nil || len(got) != 0 {
			t.Errorf("%s holds %+v, %v after refused puts, want nothing", bucket, got, err)
		}
	}
	// Good keys still work, through the same raw path.
	if code, _, body := raw(t, addr, "PUT", "/admin/storage/assets/a/b.txt", testToken, "ok"); code != 200 {
		t.Errorf("PUT a/b.txt = %d %q, want 200", code, body)
	}
	if code, _, body := raw(t, addr, "GET", "/storage/assets/a/b.txt", "", ""); code != 200 || body != "ok" {
		t.Errorf("GET a/b.txt = %d %q, want 200 ok", code, body)
	}
	// Routes other than storage keep their trailing-slash tolerance.
	if code, _, body := env.do(t, "GET", "/workflows/", ""); code != 200 {
		t.Errorf("GET /workflows/ = %d %q, want 200", code, body)
	}
}

// TestStorageConcurrentDeletes deletes the keys of one folder at once, each
// several times: every key answers 204 exactly once and 404 otherwise,
// never 500, also while the emptied folders are pruned.
func TestStorageConcurrentDeletes(t *testing.T) {
	env := newEnv(t, envOptions{})
	const keys, tries = 6, 3
	for round := range 15 {
		for i := range keys {
			if code, body, _ := env.do(t, "PUT", fmt.Sprintf("/admin/storage/temp/f/g/k%d", i), "x"); code != 200 {
				t.Fatalf("PUT k%d = %d %s", i, code, body)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string][]int{}
		start := make(chan struct{})
		for i := range keys {
			path := fmt.Sprintf("/admin/storage/temp/f/g/k%d", i)
			for range tries {
				wg.Go(func() {
					<-start
					code, _, _ := env.do(t, "DELETE", path, "")
					mu.Lock()
					codes[path] = append(codes[path], code)
					mu.Unlock()
				})
			}
		}
		close(start)
		wg.Wait()
		for path, got := range codes {
			n204, n404 := 0, 0
			for _, c := range got {
				switch c {
				case 204:
					n204++
				case 404:
					n404++
				}
			}
			if n204 != 1 || n404 != tries-1 {
				t.Errorf("round %d: DELETE %s answered %v, want one 204 and %d 404", round, path, got, tries-1)
			}
		}
	}
}

// TestStorageSymlinkIntoRecords plants links from the public assets bucket
// into the records (a folder link and a file link): a private workflow is
// neither served on /storage nor overwritten through /admin/storage.
func TestStorageSymlinkIntoRecords(t *testing.T) {
	env := newEnv(t, envOptions{})
	wf := `{"name":"Private","access":"private","graph":{"nodes":[],"edges":[]}}`
	if code, body, _ := env.do(t, "PUT", "/workflows/secretwf", wf); code != 200 {
		t.Fatalf("PUT /workflows/secretwf = %d %s", code, body)
	}
	recPath := filepath.Join(env.dir, "records", "workflows", "secretwf.json")
	before, err := os.ReadFile(recPath)
	if err != nil {
		t.Fatal(err)
	}
	assets := filepath.Join(env.dir, "blobs", "assets")
	os.Symlink("../../records/workflows", filepath.Join(assets, "wf"))
	os.Symlink("../../records/workflows/secretwf.json", filepath.Join(assets, "wf.json"))
	os.Symlink("../../records", filepath.Join(env.dir, "blobs", "temp", "recs"))

	addr := strings.TrimPrefix(env.srv.URL, "http://")
	for _, target := range []string{"/storage/assets/wf/secretwf.json", "/storage/assets/wf.json", "/storage/temp/recs/workflows/secretwf.json"} {
		if code, _, body := raw(t, addr, "GET", target, "", ""); code != 404 || strings.Contains(body, "Private") {
			t.Errorf("GET %s = %d %q, want 404", target, code, body)
		}
	}
	for _, target := range []string{"/admin/storage/assets/wf/secretwf.json", "/admin/storage/temp/recs/workflows/secretwf.json", "/admin/storage/assets/wf/new.json"} {
		if code, _, body := raw(t, addr, "PUT", target, testToken, `{"name":"Overwritten"}`); code != 409 {
			t.Errorf("PUT %s = %d %q, want 409", target, code, body)
		}
		if code, _, body := raw(t, addr, "DELETE", target, testToken, ""); code != 404 {
			t.Errorf("DELETE %s = %d %q, want 404", target, code, body)
		}
	}
	if code, body, _ := env.do(t, "GET", "/admin/storage/assets/wf.json", ""); code != 404 {
		t.Errorf("GET /admin/storage/assets/wf.json = %d %q, want 404", code, body)
	}
	if after, err := os.ReadFile(recPath); err != nil || string(after) != string(before) {
		t.Errorf("the workflow record changed: %q, %v", after, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(recPath)); len(entries) != 1 {
		t.Errorf("records/workflows holds %d entries, want 1", len(entries))
	}
}
