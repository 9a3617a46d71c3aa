package search_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"nodetool/lang/pyval"
	"nodetool/nodes/search"
	"nodetool/nodes/search/serpfake"
)

func newClient(t *testing.T, base string, cfg search.Config) *search.Client {
	t.Helper()
	cfg.BaseURL = base
	if cfg.Key == "" {
		cfg.Key = testKey
	}
	c, err := search.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noKey fails the test if s holds the key, as it is or URL-encoded.
func noKey(t *testing.T, what, s string) {
	t.Helper()
	for _, k := range []string{testKey, url.QueryEscape(testKey), url.PathEscape(testKey)} {
		if strings.Contains(s, k) {
			t.Errorf("%s holds the key: %s", what, s)
		}
	}
}

// TestSearchRecordedAnswers: every recorded engine's answer comes back as
// a dict without inline images (NodeTool's _remove_base64_images).
func TestSearchRecordedAnswers(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := newClient(t, srv.URL, search.Config{})
	engines := serpfake.Engines()
	if len(engines) < 45 {
		t.Fatalf("%d recorded engines, want 45", len(engines))
	}
	for _, eng := range engines {
		d, err := c.Search(search.For(context.Background(), "", 0), eng, map[string]string{"q": "x"})
		if err != nil {
			t.Errorf("%s: %v", eng, err)
			continue
		}
		if m, ok := d.Get("search_metadata"); !ok || pyval.Str(mapGet(m, "status")) != "Success" {
			t.Errorf("%s: no search_metadata with status Success", eng)
		}
		walk(d, func(k string, v any) {
			switch k {
			case "image", "image_alt", "image_base64", "image_url":
				t.Errorf("%s: key %s kept", eng, k)
			}
			if s, ok := v.(string); ok && strings.HasPrefix(s, "data:") {
				t.Errorf("%s: %s holds a data: URL", eng, k)
			}
		})
	}
	reqs := fake.Requests()
	if len(reqs) != len(engines) || reqs[0].Get("engine") != engines[0] || reqs[0].Get("api_key") != testKey || reqs[0].Get("q") != "x" {
		t.Errorf("requests %v", reqs[:1])
	}
}

func mapGet(d any, k string) any {
	if m, ok := d.(*pyval.Dict); ok {
		v, _ := m.Get(k)
		return v
	}
	return nil
}

func walk(v any, f func(k string, v any)) {
	switch t := v.(type) {
	case *pyval.Dict:
		t.Range(func(k string, e any) bool { f(k, e); walk(e, f); return true })
	case []any:
		for _, e := range t {
			walk(e, f)
		}
	}
}

// TestSearchErrors: every way the SERP service can fail is an error that
// names the engine and never holds the key, even when the service echoes
// the request back.
func TestSearchErrors(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		want    string
	}{
		{"401 echoing the key", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error": "Invalid API key %s in %s"}`, r.URL.Query().Get("api_key"), r.URL.String())
		}, 401, "serpapi google_news: HTTP 401 Unauthorized: Invalid API key REDACTED in /search.json?"},
		{"429", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error": "Your searches for the month are exhausted."}`)
		}, 429, "HTTP 429 Too Many Requests: Your searches for the month are exhausted."},
		{"500 with text", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom at "+r.URL.RawQuery+"\nsecond line", http.StatusInternalServerError)
		}, 500, "HTTP 500 Internal Server Error: boom at"},
		{"error in a 200", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"error": "Invalid engine."}`)
		}, 200, "serpapi google_news: Invalid engine."},
		{"status Error", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"search_metadata": {"status": "Error"}}`)
		}, 200, "search_metadata.status is Error"},
		{"error object", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"error": {"code": 7}}`)
		}, 200, "{'code': 7}"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!doctype html><p>`)
		}, 200, "the answer is not JSON"},
		{"JSON list", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[1, 2]`)
		}, 200, "the answer is not a JSON object"},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			fmt.Fprint(w, `{"organic_results": [{"title": "a"`)
		}, 200, "the answer was cut off"},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"organic_results": [{"title": "a"`)
		}, 200, "the answer is not JSON"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://elsewhere.invalid/search.json?"+r.URL.RawQuery, http.StatusFound)
		}, 302, "HTTP 302 Found"},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, 0, "no answer from 127.0.0.1:"},
		{"slow body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			fmt.Fprint(w, `{"a":`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, 0, "no answer from 127.0.0.1:"},
	}
	for _, c := range cases {
		srv := httptest.NewServer(c.handler)
		timeout := time.Minute // only the slow cases wait for it
		if strings.HasPrefix(c.name, "slow") {
			timeout = 200 * time.Millisecond
		}
		cl := newClient(t, srv.URL, search.Config{Timeout: timeout})
		_, err := cl.Search(search.For(context.Background(), "", 0), "google_news", map[string]string{"q": "x"})
		srv.Close()
		var se *search.Error
		if !errors.As(err, &se) || se.Engine != "google_news" || se.Status != c.status || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v (%#v), want a *search.Error for google_news, status %d, with %q", c.name, err, se, c.status, c.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "serpapi google_news: ") {
			t.Errorf("%s: %q does not start with the engine", c.name, err)
		}
		noKey(t, c.name, err.Error())
	}
}

// TestSearchUnreachable: a service that is not there is an error naming
// its address, not the URL with the key.
func TestSearchUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, "http://"+addr, search.Config{})
	_, err = c.Search(search.For(context.Background(), "", 0), "bing", map[string]string{"q": "x"})
	if err == nil || !strings.Contains(err.Error(), "serpapi bing: cannot reach "+addr) {
		t.Fatalf("error %v, want cannot reach %s", err, addr)
	}
	noKey(t, "unreachable", err.Error())
}

// TestSearchCallerCancel: the caller's cancellation ends the search with
// the caller's cause.
func TestSearchCallerCancel(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, search.Config{})
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("the run was cancelled")
	go func() { <-started; cancel(cause) }()
	_, err := c.Search(search.For(ctx, "", 0), "bing", nil)
	if !errors.Is(err, cause) {
		t.Fatalf("error %v, want the caller's cause", err)
	}
}

// TestSearchAnswerSize: an answer over the caller's budget is refused,
// whether its length is announced or not.
func TestSearchAnswerSize(t *testing.T) {
	body := `{"x": "` + strings.Repeat("a", 2000) + `"}`
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if chunked {
				w.(http.Flusher).Flush()
			}
			io.WriteString(w, body)
		}))
		c := newClient(t, srv.URL, search.Config{})
		_, err := c.Search(search.For(context.Background(), "", 1000), "bing", nil)
		if err == nil || !strings.Contains(err.Error(), "serpapi bing: the answer is over 1000 B") {
			t.Errorf("chunked %v: error %v, want over 1000 B", chunked, err)
		}
		// Within budget as text but not once decoded: refused too.
		_, err = c.Search(search.For(context.Background(), "", int64(len(body))+1), "bing", nil)
		if err != nil && !strings.Contains(err.Error(), "the answer is over") {
			t.Errorf("chunked %v: error %v", chunked, err)
		}
		srv.Close()
	}
}

// TestSearchKeys: the user's own key wins, then the operator's; none is
// ErrNoKey; a failing secrets lookup is an error without the key.
func TestSearchKeys(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx := context.Background()
	userKey := func(_ context.Context, user string) (string, error) {
		switch user {
		case "alice":
			return "alice-key", nil
		case "broken":
			return "", errors.New("secrets.json has mode 0644")
		}
		return "", nil
	}
	both := newClient(t, srv.URL, search.Config{UserKey: userKey})
	if _, err := both.Search(search.For(ctx, "alice", 0), "bing", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := both.Search(search.For(ctx, "bob", 0), "bing", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := both.Search(search.For(ctx, "", 0), "bing", nil); err != nil {
		t.Fatal(err)
	}
	_, err := both.Search(search.For(ctx, "broken", 0), "bing", nil)
	if err == nil || !strings.Contains(err.Error(), "cannot read the user's SERPAPI_API_KEY secret: secrets.json has mode 0644") {
		t.Errorf("broken secrets: %v", err)
	}
	userOnly, err := search.New(search.Config{BaseURL: srv.URL, UserKey: userKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := userOnly.Search(search.For(ctx, "bob", 0), "bing", nil); !errors.Is(err, search.ErrNoKey) {
		t.Errorf("no key at all: %v, want ErrNoKey", err)
	}
	var keys []string
	for _, q := range fake.Requests() {
		keys = append(keys, q.Get("api_key"))
	}
	if want := []string{"alice-key", testKey, testKey}; strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("keys sent %q, want %q", keys, want)
	}
}

// TestClientNeverPrintsKey: the client and its config print and log the
// key as REDACTED.
func TestClientNeverPrintsKey(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", search.Config{})
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("client", "client", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "client", c)
	fmt.Fprintf(&buf, "%v %+v %#v", c, c, c)
	noKey(t, "printed client", buf.String())
}

func TestNewRefusesBadBaseURLs(t *testing.T) {
	for _, u := range []string{"ftp://x", "serpapi.com", "http://", "http://user:pw@x", "http://x/?a=1", "http://x/#f", ":bad"} {
		if _, err := search.New(search.Config{BaseURL: u}); err == nil {
			t.Errorf("New(%q) accepted it", u)
		}
	}
	fake := serpfake.New(nil)
	mux := http.NewServeMux()
	mux.Handle("/serp/", http.StripPrefix("/serp", fake))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newClient(t, srv.URL+"/serp/", search.Config{})
	if c.BaseURL() != srv.URL+"/serp" {
		t.Errorf("BaseURL() = %q", c.BaseURL())
	}
	if _, err := c.Search(search.For(context.Background(), "", 0), "yahoo", nil); err != nil {
		t.Errorf("base URL with a path: %v", err)
	}
	def, err := search.New(search.Config{})
	if err != nil || def.BaseURL() != search.DefaultBaseURL {
		t.Errorf("default base URL %q, %v", def.BaseURL(), err)
	}
}

// TestWebSearch: the agents' plain web search returns title, URL and
// snippet of Google's organic results.
func TestWebSearch(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := newClient(t, srv.URL, search.Config{})
	got, err := c.WebSearch(search.For(context.Background(), "", 0), "open source ai", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []search.WebResult{
		{"The 25 Best Open Source AI Tools in 2026 (Tested and Ranked)", "https://www.techradar.example/best/open-source-ai-tools",
			"We tested dozens of open source AI tools, from local LLM runners like Ollama and llama.cpp to agent frameworks, vector databases and image generators."},
		{"awesome-open-source-ai: A curated list of open source AI projects", "https://github.example/awesome-lists/awesome-open-source-ai",
			"A curated list of open source AI frameworks, libraries, tools and models: inference servers, fine-tuning, RAG, agents and evaluation."},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("WebSearch = %v, want %v", got, want)
	}
	q := fake.Requests()[0]
	if q.Get("engine") != "google_light" || q.Get("q") != "open source ai" || q.Get("num") != "2" {
		t.Errorf("request %v", q)
	}
	all, err := c.WebSearch(search.For(context.Background(), "", 0), "x", 0)
	if err != nil || len(all) != 4 {
		t.Errorf("WebSearch n=0: %d results, %v", len(all), err)
	}
}

// TestSearchOwnsEngineAndKey: params cannot change the engine or the key.
func TestSearchOwnsEngineAndKey(t *testing.T) {
	fake := serpfake.New(nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := newClient(t, srv.URL, search.Config{})
	if _, err := c.Search(search.For(context.Background(), "", 0), "bing", map[string]string{"engine": "yahoo", "api_key": "other", "q": "x"}); err != nil {
		t.Fatal(err)
	}
	q := fake.Requests()[0]
	if q["engine"][0] != "bing" || len(q["engine"]) != 1 || q.Get("api_key") != testKey || len(q["api_key"]) != 1 {
		t.Errorf("request %v", q)
	}
}
