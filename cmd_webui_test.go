package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/webui"
)

// getPage fetches url and returns its status, headers and body.
func getPage(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if h := hdr["Host"]; h != "" {
		req.Host = h
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// serve answers / with the built-in page, its assets by their hashed
// names, and unknown paths with the API's JSON 404.
func TestServeWebPage(t *testing.T) {
	s := startServer(t, serveEnv(t), "serve", "--port", "0")
	if !strings.Contains(s.stdout.String(), "web page:  "+s.url+"/") {
		t.Errorf("banner lacks the web page line:\n%s", s.stdout)
	}
	res, page := getPage(t, s.url+"/", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Security-Policy") != webui.CSP || !strings.Contains(page, `content="editor"`) {
		t.Fatalf("GET / = %d CSP %q:\n%s", res.StatusCode, res.Header.Get("Content-Security-Policy"), page)
	}
	if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET / lacks the surface's security headers: %v", res.Header)
	}
	res, _ = getPage(t, s.url+"/", map[string]string{"If-None-Match": res.Header.Get("ETag")})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("GET / revalidated = %d, want 304", res.StatusCode)
	}
	res, _ = getPage(t, s.url+"/assets/"+webui.Hash()+"/js/main.js", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("main.js = %d %v", res.StatusCode, res.Header)
	}
	res, body := getPage(t, s.url+"/no/such/page", nil)
	if res.StatusCode != 404 || body != `{"detail":"Not Found"}` {
		t.Errorf("GET /no/such/page = %d %s, want the JSON 404", res.StatusCode, body)
	}
	// The API beside it is unchanged.
	if res, body := getPage(t, s.url+"/api/workflows/examples", nil); res.StatusCode != 200 || !strings.Contains(body, "uppercase") {
		t.Errorf("examples = %d %s", res.StatusCode, body)
	}
	// A foreign Host is refused before the page, as for the API.
	if res, _ := getPage(t, s.url+"/", map[string]string{"Host": "evil.example"}); res.StatusCode != 403 {
		t.Errorf("GET / for another host = %d, want 403", res.StatusCode)
	}
}

// --static-folder replaces the built-in page.
func TestServeStaticFolderReplacesWebPage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>their client</p>"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, serveEnv(t), "serve", "--port", "0", "--static-folder", dir)
	if strings.Contains(s.stdout.String(), "web page:") {
		t.Errorf("banner names the built-in page though --static-folder is set")
	}
	if _, page := getPage(t, s.url+"/", nil); page != "<p>their client</p>" {
		t.Errorf("GET / = %q, want the static folder's index.html", page)
	}
	if res, _ := getPage(t, s.url+"/assets/"+webui.Hash()+"/app.css", nil); res.StatusCode == 200 && strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("the built-in page's assets are served beside --static-folder")
	}
}

// worker --ui serves the run-only page at /ui/; without it /ui is 401
// (no route, and unknown paths need the token first).
func TestWorkerWebPage(t *testing.T) {
	env := workerEnv(t)
	off := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	if res, _ := getPage(t, off.url+"/ui/", nil); res.StatusCode != 401 {
		t.Errorf("GET /ui/ without --ui = %d, want 401", res.StatusCode)
	}
	if code := authGetCode(t, off.url+"/ui/", env["WORKER_AUTH_TOKEN"]); code != 404 {
		t.Errorf("GET /ui/ without --ui, with the token = %d, want 404", code)
	}
	if err := off.shutdown(t); err != nil {
		t.Fatal(err)
	}

	env["NODETOOL_WORKER_UI"] = "true"
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0")
	if !strings.Contains(s.stdout.String(), "web page:  "+s.url+"/ui/") {
		t.Errorf("banner lacks the web page line:\n%s", s.stdout)
	}
	for _, p := range []string{"/ui/", "/ui"} {
		res, page := getPage(t, s.url+p, nil)
		if res.StatusCode != 200 || !strings.Contains(page, `content="worker"`) || res.Header.Get("Content-Security-Policy") != webui.CSP {
			t.Errorf("GET %s = %d:\n%s", p, res.StatusCode, page)
		}
	}
	if res, _ := getPage(t, s.url+"/ui/assets/"+webui.Hash()+"/app.css", nil); res.StatusCode != 200 {
		t.Errorf("worker page asset = %d", res.StatusCode)
	}
	// The page holds nothing secret; the API behind it still wants the token.
	if res, _ := getPage(t, s.url+"/workflows", nil); res.StatusCode != 401 {
		t.Errorf("GET /workflows without a token = %d", res.StatusCode)
	}
	if _, stderr, code := runCLIEnv(t, map[string]string{"HOME": t.TempDir(), "NODETOOL_WORKER_UI": "maybe"}, "worker", "--port", "0"); code != 2 || !strings.Contains(stderr, "NODETOOL_WORKER_UI") {
		t.Errorf("NODETOOL_WORKER_UI=maybe: exit %d, %s", code, stderr)
	}
}

func authGetCode(t *testing.T, url, token string) int {
	code, _ := authGet(t, "GET", url, token, "")
	return code
}

// The fields the page reads from each answer of the API it uses (webui's
// JavaScript): a change to one of these shapes breaks the page.
func TestWebPageAPIShapes(t *testing.T) {
	s := startServer(t, serveEnv(t), "serve", "--port", "0", "--provider", "fake")
	getJSON := func(path string) map[string]any {
		t.Helper()
		res, body := getPage(t, s.url+path, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s = %d %s", path, res.StatusCode, body)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return v
	}
	has := func(where string, v map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := v[k]; !ok {
				t.Errorf("%s lacks %q: %v", where, k, v)
			}
		}
	}
	list := func(v map[string]any, key string) []any {
		t.Helper()
		l, ok := v[key].([]any)
		if !ok {
			t.Fatalf("%q is not a list: %v", key, v)
		}
		return l
	}
	// Workflows: the list (with examples), an example with its graph.
	ex := list(getJSON("/api/workflows/examples"), "workflows")
	if len(ex) == 0 {
		t.Fatal("no examples")
	}
	has("an example summary", ex[0].(map[string]any), "id", "name", "description", "tags")
	list(getJSON("/api/workflows?limit=500"), "workflows")
	wf := getJSON("/api/workflows/examples/nodetool/uppercase")
	graph, _ := wf["graph"].(map[string]any)
	if graph == nil {
		t.Fatalf("the example has no graph: %v", wf)
	}
	node := list(graph, "nodes")[0].(map[string]any)
	has("a node", node, "id", "type", "data", "ui_properties")
	has("an edge", list(graph, "edges")[0].(map[string]any), "source", "sourceHandle", "target", "targetHandle")
	// Jobs, threads, messages, models, assets.
	list(getJSON("/api/jobs?limit=100"), "jobs")
	list(getJSON("/api/threads?limit=100&reverse=true"), "threads")
	models := list(getJSON("/v1/models"), "data")
	if len(models) == 0 {
		t.Fatal("/v1/models lists no model with the fake provider")
	}
	has("a model", models[0].(map[string]any), "id")
	code, body := authGet(t, "POST", s.url+"/api/threads", "", `{"title":"t"}`)
	var th map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &th) != nil {
		t.Fatalf("POST /api/threads = %d %s", code, body)
	}
	has("a thread", th, "id", "title")
	if code, body := authGet(t, "POST", s.url+"/api/messages", "", `{"thread_id":"`+th["id"].(string)+`","role":"user","content":"hi"}`); code != 200 {
		t.Fatalf("POST /api/messages = %d %s", code, body)
	}
	msgs := list(getJSON("/api/messages?thread_id="+th["id"].(string)+"&limit=500"), "messages")
	if len(msgs) != 1 {
		t.Fatalf("messages = %v", msgs)
	}
	has("a message", msgs[0].(map[string]any), "role", "content")
	// An upload as the page sends it (multipart: json, then file).
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("json", `{"name":"a.txt","content_type":"text/plain"}`)
	fw, _ := mw.CreateFormFile("file", "a.txt")
	fw.Write([]byte("hello"))
	mw.Close()
	res, err := http.Post(s.url+"/api/assets", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	assets := list(getJSON("/api/assets"), "assets")
	if len(assets) != 1 {
		t.Fatalf("assets = %v", assets)
	}
	a := assets[0].(map[string]any)
	has("an asset", a, "id", "name", "content_type", "size", "get_url", "parent_id")
	u, _ := a["get_url"].(string)
	if i := strings.Index(u, "/api/storage/"); i < 0 {
		t.Errorf("get_url %q is not under /api/storage/ (the page loads it by its path)", u)
	} else if _, got := getPage(t, s.url+u[i:], nil); got != "hello" {
		t.Errorf("the asset's path answers %q", got)
	}
}
