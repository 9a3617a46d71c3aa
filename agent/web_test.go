package agent_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"nodetool/agent"
)

// searchService is a web search service on loopback answering JSON
// results; httpSearcher is the Searcher the tests give the agent, which
// asks it over HTTP.
type searchService struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
}

func newSearchService(t *testing.T) *searchService {
	t.Helper()
	s := &searchService{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		s.mu.Lock()
		s.queries = append(s.queries, q)
		s.mu.Unlock()
		if q == "fail" {
			http.Error(w, `{"error":"Your account has run out of searches."}`, http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"organic_results":[{"title":"Go agents for %[1]s","link":"https://go.dev/agents","snippet":"About %[1]s."},`+
			`{"title":"Blocked","link":"https://spam.example/x","snippet":"no"}]}`, q)
	}))
	t.Cleanup(s.Close)
	return s
}

type httpSearcher struct{ base string }

func (h httpSearcher) WebSearch(b agent.Budget, query string, n int) ([]agent.SearchResult, error) {
	req, _ := http.NewRequestWithContext(b, "GET", h.base+"/search.json?q="+url.QueryEscape(query)+fmt.Sprintf("&num=%d", n), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, b.MaxValue()))
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("serpapi google_light: HTTP %d: %s", resp.StatusCode, body)
	}
	var ans struct {
		Organic []struct{ Title, Link, Snippet string } `json:"organic_results"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return nil, err
	}
	var out []agent.SearchResult
	for _, r := range ans.Organic {
		out = append(out, agent.SearchResult{Title: r.Title, URL: r.Link, Snippet: r.Snippet})
	}
	return out, nil
}

// httpFetcher fetches over loopback within the budget, as the egress
// client would for an allowed address.
type httpFetcher struct{}

func (httpFetcher) Fetch(b agent.Budget, u string) (*agent.Page, error) {
	req, err := http.NewRequestWithContext(b, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, b.MaxValue()+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > b.MaxValue() {
		return nil, b.CheckSize(int64(len(body)))
	}
	return &agent.Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

const articleHTML = `<!doctype html><html><head><title>Agent  Frameworks
 2026</title><style>body{color:red}</style><script>var secret="js";</script></head>
<body><nav><a href="/">Home</a></nav><article><h1>Agent frameworks</h1><p>LangGraph, CrewAI and
 AutoGen lead.</p><p>Second&nbsp;paragraph.</p><noscript>enable js</noscript></article></body></html>`

func newPages(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/article":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, articleHTML)
		case "/data.csv":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "a,b\n1,2\n")
		case "/moved":
			http.Redirect(w, r, "/article", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestSearchTools(t *testing.T) {
	svc := newSearchService(t)
	s := httpSearcher{base: svc.URL}
	out := call(t, agent.WebSearchTool(s), `{"query":"agent libs","blocked_domains":["spam.example"]}`)
	var ws struct {
		Query   string
		Results []map[string]string
	}
	if err := json.Unmarshal([]byte(out), &ws); err != nil || ws.Query != "agent libs" || len(ws.Results) != 1 ||
		ws.Results[0]["url"] != "https://go.dev/agents" || ws.Results[0]["title"] != "Go agents for agent libs" {
		t.Errorf("WebSearch = %s", out)
	}
	out = call(t, agent.WebSearchTool(s), `{"query":"x","allowed_domains":["other.org"]}`)
	if !strings.Contains(out, `"results":[]`) {
		t.Errorf("WebSearch with allowed_domains = %s", out)
	}
	out = call(t, agent.GoogleSearchTool(s), `{"keyword":"crewai","num_results":3}`)
	if !strings.Contains(out, `"success":true`) || !strings.Contains(out, `"link":"https://go.dev/agents"`) || !strings.Contains(out, `"position":1`) {
		t.Errorf("google_search = %s", out)
	}
	if out := call(t, agent.GoogleSearchTool(s), `{"keyword":"fail"}`); !isError(out) || !strings.Contains(out, "run out of searches") {
		t.Errorf("a failing search = %s, want the service's error for the model", out)
	}
	if out := call(t, agent.GoogleSearchTool(s), `{}`); !strings.Contains(out, "Keyword is required") {
		t.Errorf("google_search without a keyword = %s", out)
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if strings.Join(svc.queries, "|") != "agent libs|x|crewai|fail" {
		t.Errorf("the service got %q", svc.queries)
	}
}

func TestFetchTools(t *testing.T) {
	pages := newPages(t)
	f := httpFetcher{}
	out := call(t, agent.BrowserTool(f), `{"url":"`+pages.URL+`/moved"}`)
	var br struct {
		Success  bool
		URL      string
		Content  string
		Metadata map[string]any
	}
	if err := json.Unmarshal([]byte(out), &br); err != nil || !br.Success || br.URL != pages.URL+"/article" {
		t.Fatalf("browser = %s", out)
	}
	if br.Content != "Home\nAgent frameworks\nLangGraph, CrewAI and AutoGen lead.\nSecond paragraph." {
		t.Errorf("browser content = %q", br.Content)
	}
	if br.Metadata["title"] != "Agent Frameworks 2026" {
		t.Errorf("browser title = %v", br.Metadata["title"])
	}
	if strings.Contains(out, "secret") || strings.Contains(out, "color:red") || strings.Contains(out, "enable js") {
		t.Errorf("scripts, styles or noscript reached the text: %s", out)
	}
	out = call(t, agent.WebFetchTool(f), `{"url":"`+pages.URL+`/data.csv","prompt":"the columns"}`)
	if !strings.Contains(out, `"content":"a,b\n1,2\n"`) || !strings.Contains(out, `"prompt":"the columns"`) {
		t.Errorf("WebFetch of a text file = %s", out)
	}
	for _, bad := range []string{pages.URL + "/missing", "file:///etc/passwd", "ftp://x/y", "not a url", "https://www.google.com/search?q=x"} {
		if out := call(t, agent.BrowserTool(f), `{"url":"`+bad+`"}`); !isError(out) {
			t.Errorf("browser(%s) = %s, want an error", bad, out)
		}
	}
}
