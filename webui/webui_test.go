package webui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"nodetool/webui"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assetRefs are the asset URLs index.html names.
var assetRefs = regexp.MustCompile(`(?:href|src)="([^"]*/assets/[^"]+)"`)

func TestIndexAndAssets(t *testing.T) {
	h := webui.Handler(webui.Options{})
	res := get(t, h, "GET", "/", nil)
	page := body(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-cache",
		"Content-Security-Policy": webui.CSP,
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("GET / %s = %q, want %q", k, got, want)
		}
	}
	if res.Header.Get("ETag") == "" {
		t.Error("GET / has no ETag")
	}
	if !strings.Contains(page, `content="editor"`) || strings.Contains(page, "{{") {
		t.Errorf("index.html not rendered for the editor:\n%s", page)
	}
	refs := assetRefs.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("index.html names %d assets, want the icon, the stylesheet and the script", len(refs))
	}
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	for _, m := range refs {
		url := m[1]
		if !strings.Contains(url, "/assets/"+webui.Hash()+"/") {
			t.Errorf("asset %s is not under the content hash %s", url, webui.Hash())
		}
		res := get(t, h, "GET", url, nil)
		body(t, res)
		if res.StatusCode != 200 {
			t.Errorf("GET %s = %d", url, res.StatusCode)
			continue
		}
		ext := url[strings.LastIndex(url, "."):]
		if got := res.Header.Get("Content-Type"); got != types[ext] {
			t.Errorf("GET %s Content-Type = %q, want %q", url, got, types[ext])
		}
		if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s Cache-Control = %q", url, got)
		}
		if res.Header.Get("Content-Security-Policy") != webui.CSP || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s lacks the CSP or nosniff", url)
		}
	}
}

func TestCSPIsStrict(t *testing.T) {
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
		"frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"} {
		if !strings.Contains(webui.CSP, d) {
			t.Errorf("CSP lacks %q", d)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(webui.CSP, bad) {
			t.Errorf("CSP allows %q", bad)
		}
	}
}

// The page itself obeys the CSP: no inline script or style, no style
// attributes, nothing from another origin.
func TestNoInlineCode(t *testing.T) {
	h := webui.Handler(webui.Options{})
	for _, p := range webui.Paths() {
		text := body(t, get(t, h, "GET", "/"+p, nil))
		switch {
		case strings.HasSuffix(p, ".js"):
			for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "http://", "https://", ".style."} {
				if strings.Contains(text, bad) {
					t.Errorf("%s uses %q", p, bad)
				}
			}
		case p == "" || p == "index.html":
			if regexp.MustCompile(`<script(?:\s+type="module")?>|<style|\sstyle=|\son[a-z]+=`).MatchString(text) {
				t.Errorf("index.html has inline script, style or handlers")
			}
			if strings.Contains(text, "http://") || strings.Contains(text, "https://") {
				t.Errorf("index.html names another origin")
			}
		}
	}
}

func TestETagRevalidation(t *testing.T) {
	h := webui.Handler(webui.Options{})
	for _, p := range webui.Paths() {
		url := "/" + p
		res := get(t, h, "GET", url, nil)
		body(t, res)
		etag := res.Header.Get("ETag")
		if !regexp.MustCompile(`^"[0-9a-f]+"$`).MatchString(etag) {
			t.Fatalf("GET %s ETag = %q, want a strong quoted tag", url, etag)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			res := get(t, h, "GET", url, map[string]string{"If-None-Match": inm})
			if b := body(t, res); res.StatusCode != http.StatusNotModified || b != "" {
				t.Errorf("GET %s If-None-Match %s = %d with %d bytes, want 304 and none", url, inm, res.StatusCode, len(b))
			}
			if res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") == "" {
				t.Errorf("304 for %s lacks ETag or Cache-Control", url)
			}
		}
		res = get(t, h, "GET", url, map[string]string{"If-None-Match": `"stale"`})
		if b := body(t, res); res.StatusCode != 200 || b == "" {
			t.Errorf("GET %s with a stale tag = %d, want 200 with the body", url, res.StatusCode)
		}
		res = get(t, h, "HEAD", url, nil)
		if b := body(t, res); res.StatusCode != 200 || b != "" || res.Header.Get("Content-Length") == "" {
			t.Errorf("HEAD %s = %d, %d bytes, Content-Length %q", url, res.StatusCode, len(b), res.Header.Get("Content-Length"))
		}
	}
}

func TestUnknownPaths(t *testing.T) {
	h := webui.Handler(webui.Options{})
	for _, p := range []string{"/nope", "/app.css", "/js/main.js", "/assets/app.css", "/assets/0000000000000000/app.css",
		"/assets/" + webui.Hash() + "/nope.js", "/assets/" + webui.Hash() + "/", "/assets/" + webui.Hash() + "/../index.html",
		"/api/workflows", "/static/index.html"} {
		res := get(t, h, "GET", p, nil)
		if b := body(t, res); res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("GET %s = %d %q %q, want a plain-text 404", p, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
		if res.Header.Get("Content-Security-Policy") != webui.CSP {
			t.Errorf("GET %s: 404 without the CSP", p)
		}
	}
	res := get(t, h, "POST", "/", nil)
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d Allow %q, want 405 GET, HEAD", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestWorkerBase(t *testing.T) {
	h := webui.Handler(webui.Options{Base: "/ui/", Mode: webui.Worker})
	for _, p := range []string{"/ui/", "/ui", "/ui/index.html"} {
		res := get(t, h, "GET", p, nil)
		page := body(t, res)
		if res.StatusCode != 200 || !strings.Contains(page, `content="worker"`) || !strings.Contains(page, `"/ui/assets/`+webui.Hash()+`/`) {
			t.Errorf("GET %s = %d, want the worker's page with assets under /ui/", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/", "/uix", "/index.html"} {
		if res := get(t, h, "GET", p, nil); res.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404 outside /ui/", p, res.StatusCode)
		}
	}
	res := get(t, h, "GET", "/ui/assets/"+webui.Hash()+"/app.css", nil)
	if body(t, res); res.StatusCode != 200 {
		t.Errorf("worker asset = %d", res.StatusCode)
	}
}

// The page stays small: every JS and CSS file together under 150 KB.
func TestSize(t *testing.T) {
	h := webui.Handler(webui.Options{})
	total := 0
	for _, p := range webui.Paths() {
		if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css") {
			total += len(body(t, get(t, h, "GET", "/"+p, nil)))
		}
	}
	if total == 0 || total > 150_000 {
		t.Errorf("JS+CSS is %d bytes, want some and at most 150000", total)
	}
	t.Logf("JS+CSS: %d bytes", total)
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{"a.html": "text/html; charset=utf-8", "a.css": "text/css; charset=utf-8",
		"a.js": "text/javascript; charset=utf-8", "a.svg": "image/svg+xml", "a.png": "image/png", "a.bin": "application/octet-stream", "a": "application/octet-stream"} {
		if got := webui.ContentType(name); got != want {
			t.Errorf("ContentType(%s) = %q, want %q", name, got, want)
		}
	}
}

// Every module a module imports (statically or not) is served beside it,
// and index.html preloads only modules that exist.
func TestModuleImportsResolve(t *testing.T) {
	h := webui.Handler(webui.Options{})
	imports := regexp.MustCompile(`(?:from\s+|import\()"(\./[^"]+)"`)
	dir := "/assets/" + webui.Hash() + "/js/"
	seen := 0
	for _, p := range webui.Paths() {
		if !strings.HasSuffix(p, ".js") {
			continue
		}
		src := body(t, get(t, h, "GET", "/"+p, nil))
		for _, m := range imports.FindAllStringSubmatch(src, -1) {
			seen++
			if res := get(t, h, "GET", dir+strings.TrimPrefix(m[1], "./"), nil); res.StatusCode != 200 {
				t.Errorf("%s imports %s, which is not served", p, m[1])
			}
		}
	}
	if seen == 0 {
		t.Fatal("found no imports: the pattern is wrong")
	}
}
