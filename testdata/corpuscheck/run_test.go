package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The local copies are served under /HOST/PATH, with the URLs inside text
// rewritten to them, as the workflow's own URLs are; nothing outside the
// folder is served.
func TestResources(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"raw.githubusercontent.com/o/r/README.md": "- [Paper](https://arxiv.org/pdf/1.pdf)\n- [Other](https://elsewhere.example/x)\n",
		"arxiv.org/pdf/1.pdf":                     "%PDF-1.4 fake",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		os.WriteFile(p, []byte(content), 0o600)
	}
	os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.txt"), []byte("no"), 0o600)
	base, hosts, err := serveResources(dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(hosts, ",") != "arxiv.org,raw.githubusercontent.com" {
		t.Errorf("hosts = %v", hosts)
	}
	wf := rewriteURLs([]byte(`{"url":"https://raw.githubusercontent.com/o/r/README.md","other":"https://example.com/a"}`), base, hosts)
	var v map[string]string
	json.Unmarshal(wf, &v)
	if v["url"] != base+"/raw.githubusercontent.com/o/r/README.md" || v["other"] != "https://example.com/a" {
		t.Errorf("rewritten workflow: %s", wf)
	}
	code, body := get(t, v["url"])
	if code != 200 || !strings.Contains(body, "("+base+"/arxiv.org/pdf/1.pdf)") || !strings.Contains(body, "https://elsewhere.example/x") {
		t.Errorf("README = %d %q", code, body)
	}
	if code, body := get(t, base+"/arxiv.org/pdf/1.pdf"); code != 200 || body != "%PDF-1.4 fake" {
		t.Errorf("PDF = %d %q", code, body)
	}
	for _, p := range []string{"/../outside.txt", "/%2e%2e/outside.txt", "/", "/arxiv.org/pdf/missing.pdf"} {
		if code, _ := get(t, base+p); code != 404 {
			t.Errorf("GET %s = %d, want 404", p, code)
		}
	}
}

func TestSERPStub(t *testing.T) {
	base, err := serveSERPStub()
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/search.json?engine=google&q=x"); code != 401 || !strings.Contains(body, "Invalid API key") {
		t.Errorf("without a key: %d %s", code, body)
	}
	code, body := get(t, base+"/search.json?engine=google_light&api_key=k&q=agent+libs%22")
	var ans struct {
		Organic []map[string]any `json:"organic_results"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &ans) != nil || len(ans.Organic) != 1 || ans.Organic[0]["title"] != "Result for agent libs" {
		t.Errorf("search: %d %s", code, body)
	}
}
