package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/nodes/search/serpfake"
)

const serpKey = "serp-KEY+/=secret-0123456789"

// searchGraph is a workflow with one GoogleSearch node whose text is the
// output "text".
const searchGraph = `{"nodes":[{"id":"s","type":"search.google.GoogleSearch","data":{"keyword":"open source ai","num_results":2}},
 {"id":"o","type":"nodetool.output.Output","data":{"name":"text"}}],
 "edges":[{"id":"e","source":"s","sourceHandle":"text","target":"o","targetHandle":"value"}]}`

func writeFile(t *testing.T, name, data string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// noSerpKey fails the test when s holds the key in any form a URL gives.
func noSerpKey(t *testing.T, what, s string) {
	t.Helper()
	for _, k := range []string{serpKey, url.QueryEscape(serpKey)} {
		if strings.Contains(s, k) {
			t.Errorf("%s holds the SerpAPI key:\n%s", what, s)
		}
	}
}

// TestRunSearchWorkflow: nodetool run searches through the SERP service
// of SERPAPI_BASE_URL (or --serpapi-base-url) with the key of
// SERPAPI_API_KEY (or --serpapi-api-key-file).
func TestRunSearchWorkflow(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	file := writeFile(t, "search.json", searchGraph, 0o600)
	keyFile := writeFile(t, "serpapi.key", "\n "+serpKey+"\n", 0o600)
	cases := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"env", map[string]string{"SERPAPI_API_KEY": serpKey, "SERPAPI_BASE_URL": srv.URL}, nil},
		{"flags", map[string]string{"SERPAPI_BASE_URL": "http://127.0.0.1:1"}, []string{"--serpapi-base-url", srv.URL, "--serpapi-api-key-file", keyFile}},
	}
	for _, c := range cases {
		out, errOut, code := runCLIEnv(t, c.env, append([]string{"run", file, "-q"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %s", c.name, code, errOut)
		}
		var res map[string][]string
		if err := json.Unmarshal([]byte(out), &res); err != nil || !strings.HasPrefix(res["text"][0], "[1] The 25 Best Open Source AI Tools in 2026") {
			t.Errorf("%s: result %s (%v)", c.name, out, err)
		}
		reqs := fake.Requests()
		last := reqs[len(reqs)-1]
		if last.Get("api_key") != serpKey || last.Get("engine") != "google_light" || last.Get("num") != "2" {
			t.Errorf("%s: request %v", c.name, last)
		}
	}
}

// TestSearchKeyFile: the key file must be a private, non-empty regular
// file; a bad one or a bad base URL is a usage error naming the flag.
func TestSearchKeyFile(t *testing.T) {
	file := writeFile(t, "search.json", searchGraph, 0o600)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"readable by others", []string{"--serpapi-api-key-file", writeFile(t, "k", serpKey, 0o644)}, nil, "is accessible by other users (mode 0644): run chmod 600"},
		{"empty", []string{"--serpapi-api-key-file", writeFile(t, "k", " \n", 0o600)}, nil, "is empty"},
		{"a folder", []string{"--serpapi-api-key-file", t.TempDir()}, nil, "is not a regular file"},
		{"missing", []string{"--serpapi-api-key-file", filepath.Join(t.TempDir(), "nope")}, nil, "no such file"},
		{"bad base URL", []string{"--serpapi-base-url", "ftp://x"}, map[string]string{"SERPAPI_API_KEY": serpKey}, "is not an http or https URL (--serpapi-base-url)"},
		{"bad base URL env", nil, map[string]string{"SERPAPI_BASE_URL": "serpapi.com"}, "is not an http or https URL"},
	}
	for _, c := range cases {
		out, errOut, code := runCLIEnv(t, c.env, append([]string{"run", file}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 with %q", c.name, code, errOut, c.want)
		}
		noSerpKey(t, c.name, out+errOut)
	}
}

// TestRunSearchErrorsHideKey: a SERP service that fails and echoes the
// request (key included) fails the run naming the engine, and the key
// appears nowhere in the output, progress or events.
func TestRunSearchErrorsHideKey(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"error": "key %s refused for %s"}`, r.URL.Query().Get("api_key"), r.URL)
	}))
	defer srv.Close()
	file := writeFile(t, "search.json", searchGraph, 0o600)
	env := map[string]string{"SERPAPI_API_KEY": serpKey, "SERPAPI_BASE_URL": srv.URL}
	for _, args := range [][]string{{"run", file}, {"run", file, "--jsonl"}} {
		out, errOut, code := runCLIEnv(t, env, args...)
		if code != 1 || !strings.Contains(out+errOut, "serpapi google_light: HTTP 403 Forbidden: key REDACTED refused") {
			t.Errorf("%v: exit %d, stdout %s, stderr %s", args, code, out, errOut)
		}
		noSerpKey(t, strings.Join(args, " "), out+errOut)
	}
}

// TestValidateSearchNeedsKey: without a key, validate names what to set;
// with one, the workflow is valid.
func TestValidateSearchNeedsKey(t *testing.T) {
	file := writeFile(t, "search.json", searchGraph, 0o600)
	out, _, code := runCLIEnv(t, nil, "validate", file)
	if code != 1 || !strings.Contains(out, "needs a SerpAPI key: set SERPAPI_API_KEY or --serpapi-api-key-file") {
		t.Errorf("validate without a key: exit %d, %s", code, out)
	}
	out, _, code = runCLIEnv(t, map[string]string{"SERPAPI_API_KEY": serpKey}, "validate", file)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("validate with a key: exit %d, %s", code, out)
	}
}

// TestServeSearchWithUserSecret: serve with no key of its own searches
// with the key the user stored among their secrets, and says so in its
// banner; a user without one gets an error saying how to set one.
func TestServeSearchWithUserSecret(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := serveEnv(t)
	env["SERPAPI_BASE_URL"] = srv.URL
	s := startServer(t, env, "serve", "--port", "0")
	if !strings.Contains(s.stdout.String(), "search:    "+srv.URL+" with each user's own SERPAPI_API_KEY secret") {
		t.Errorf("banner: %s", s.stdout)
	}
	var graph any
	json.Unmarshal([]byte(searchGraph), &graph)
	body, _ := json.Marshal(map[string]any{"name": "search", "access": "private", "graph": graph})
	code, resp := authGet(t, "POST", s.url+"/api/workflows", "", string(body))
	if code != 200 {
		t.Fatalf("create workflow: %d %s", code, resp)
	}
	var wf struct{ ID string }
	json.Unmarshal([]byte(resp), &wf)

	code, resp = authGet(t, "POST", s.url+"/api/workflows/"+wf.ID+"/run", "", `{}`)
	if code != 500 || !strings.Contains(resp, "no SerpAPI key is configured") {
		t.Errorf("run without a key: %d %s", code, resp)
	}
	code, resp = authGet(t, "PUT", s.url+"/api/settings", "", `{"settings":{},"secrets":{"SERPAPI_API_KEY":"`+serpKey+`"}}`)
	if code != 200 {
		t.Fatalf("store the secret: %d %s", code, resp)
	}
	code, resp = authGet(t, "POST", s.url+"/api/workflows/"+wf.ID+"/run", "", `{}`)
	if code != 200 || !strings.Contains(resp, "The 25 Best Open Source AI Tools") {
		t.Errorf("run with the user's key: %d %s", code, resp)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || reqs[0].Get("api_key") != serpKey {
		t.Errorf("requests %v, want one with the user's key", reqs)
	}
	noSerpKey(t, "serve's output", s.stdout.String()+s.stderr.String())
}
