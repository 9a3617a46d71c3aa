package agent

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"nodetool/lang/pyval"
)

// SearchResult is one result of a web search.
type SearchResult struct {
	Title, URL, Snippet string
}

// Searcher is the web search service the search tools use (the server's
// SERP client). It bounds its answer by b's budget and names the service
// in its errors; b's user is whose key pays, where keys are per user.
type Searcher interface {
	WebSearch(b Budget, query string, n int) ([]SearchResult, error)
}

// Page is a fetched web page.
type Page struct {
	URL         string // after redirects
	Status      int
	ContentType string
	Body        []byte // at most b's max-value bytes
}

// Fetcher fetches a URL a model asked for. It must apply the workflow
// egress policy (the server's policy-checked HTTP client): a refused
// address is an error naming the host and the flag that would allow it.
// It bounds the body by b's max-value budget and the time by b's deadline.
type Fetcher interface {
	Fetch(b Budget, url string) (*Page, error)
}

// maxPageText bounds the text of a page a tool hands the model.
const maxPageText = 100 << 10

// searchHosts are the hosts browser refuses, as NodeTool's BrowserTool
// does: search result pages are for the search tools.
var searchHosts = []string{"google.", "bing.", "search.yahoo", "duckduckgo", "yandex", "baidu", "ask.", "jina.ai"}

// WebSearchTool is Claude's WebSearch.
func WebSearchTool(s Searcher) Tool {
	return NewTool("WebSearch", "Searches the web and returns the results: title, URL and snippet of each.",
		`{"type":"object","properties":{"query":{"type":"string","description":"The search query"},`+
			`"allowed_domains":{"type":"array","items":{"type":"string"},"description":"Only results from these domains"},`+
			`"blocked_domains":{"type":"array","items":{"type":"string"},"description":"No results from these domains"}},`+
			`"required":["query"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			q := strings.TrimSpace(argStr(args, "query"))
			if q == "" {
				return failure("give a query"), nil
			}
			rs, err := s.WebSearch(b, q, 10)
			if err != nil {
				if b.Err() != nil {
					return "", context.Cause(b)
				}
				return failure("the search failed: %v", err), nil
			}
			allowed, blocked := argList(args, "allowed_domains"), argList(args, "blocked_domains")
			out := []map[string]any{}
			for _, r := range rs {
				host := hostOf(r.URL)
				if (len(allowed) > 0 && !domainIn(host, allowed)) || domainIn(host, blocked) {
					continue
				}
				out = append(out, map[string]any{"title": r.Title, "url": r.URL, "snippet": r.Snippet})
			}
			return capText(jsonText(map[string]any{"query": q, "results": out})), nil
		})
}

// GoogleSearchTool is NodeTool's google_search.
func GoogleSearchTool(s Searcher) Tool {
	return NewTool("google_search", "Search Google to retrieve organic search results. Uses available SERP provider.",
		`{"type":"object","properties":{"keyword":{"type":"string","description":"The keyword to search for."},`+
			`"num_results":{"type":"integer","description":"The number of search results to retrieve.","default":10}},"required":["keyword"]}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			kw := strings.TrimSpace(argStr(args, "keyword"))
			if kw == "" {
				kw = strings.TrimSpace(argStr(args, "query")) // a model's common slip
			}
			if kw == "" {
				return failure("Keyword is required"), nil
			}
			n := int(argInt(args, "num_results", 10))
			if n < 1 || n > 100 {
				n = 10
			}
			rs, err := s.WebSearch(b, kw, n)
			if err != nil {
				if b.Err() != nil {
					return "", context.Cause(b)
				}
				return failure("%v", err), nil
			}
			out := make([]map[string]any, len(rs))
			for i, r := range rs {
				out[i] = map[string]any{"position": i + 1, "title": r.Title, "link": r.URL, "snippet": r.Snippet}
			}
			return capText(jsonText(map[string]any{"success": true, "results": out})), nil
		})
}

// WebFetchTool is Claude's WebFetch: the page's text, for the model to
// read with the prompt in mind (the prompt is not run by a second model
// here; the agent's own model reads the page).
func WebFetchTool(f Fetcher) Tool {
	return NewTool("WebFetch", "Fetches a URL and returns its content as text (HTML is reduced to its text), with the prompt "+
		"saying what to look for in it.",
		`{"type":"object","properties":{"url":{"type":"string","description":"The URL to fetch (http or https)"},`+
			`"prompt":{"type":"string","description":"What to find in the page"}},"required":["url","prompt"],"additionalProperties":false}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			page, problem, err := fetchPage(b, f, argStr(args, "url"))
			if err != nil || problem != "" {
				return problem, err
			}
			return capText(jsonText(map[string]any{"url": page.URL, "status": page.Status, "prompt": argStr(args, "prompt"),
				"content": pageText(b, page)})), nil
		})
}

// BrowserTool is NodeTool's browser: a page's text and title.
func BrowserTool(f Fetcher) Tool {
	return NewTool("browser", "Fetch content from a web page",
		`{"type":"object","properties":{"url":{"type":"string","description":"URL to navigate to"}},"required":["url"]}`,
		func(b Budget, args *pyval.Dict) (string, error) {
			raw := strings.TrimSpace(argStr(args, "url"))
			host := strings.ToLower(hostOf(raw))
			for _, h := range searchHosts {
				if strings.Contains(host, h) {
					return jsonText(map[string]any{"error": "Direct browsing of search engine result pages is disabled. Use a SERP tool (e.g., google_search) instead.", "url": raw}), nil
				}
			}
			page, problem, err := fetchPage(b, f, raw)
			if err != nil || problem != "" {
				return problem, err
			}
			return capText(jsonText(map[string]any{"success": true, "url": page.URL, "content": pageText(b, page),
				"metadata": map[string]any{"title": pageTitle(page), "status": page.Status, "content_type": page.ContentType}})), nil
		})
}

// fetchPage fetches a URL for a tool: problem is what the model is told
// of a bad URL or a failed fetch; err stops the agent (its budget).
func fetchPage(b Budget, f Fetcher, raw string) (*Page, string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, failure("give an http or https URL"), nil
	}
	page, err := f.Fetch(b, raw)
	if err != nil {
		if b.Err() != nil {
			return nil, "", context.Cause(b)
		}
		return nil, failure("Error fetching page: %v", err), nil
	}
	if page.Status >= 400 {
		return nil, failure("Error fetching page: %s answered %d", hostOf(page.URL), page.Status), nil
	}
	return page, "", nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func domainIn(host string, domains []string) bool {
	host = strings.ToLower(host)
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "."))
		if d != "" && (host == d || strings.HasSuffix(host, "."+d)) {
			return true
		}
	}
	return false
}

func argList(args *pyval.Dict, k string) []string {
	v, _ := args.Get(k)
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// isHTML reports whether a page is HTML, by its type or its start.
func isHTML(p *Page) bool {
	ct := strings.ToLower(p.ContentType)
	if strings.Contains(ct, "html") {
		return true
	}
	if ct != "" && !strings.HasPrefix(ct, "application/octet-stream") {
		return false
	}
	head := bytes.ToLower(bytes.TrimSpace(p.Body[:min(len(p.Body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// pageText is a page as text for the model: HTML reduced to its visible
// text (scripts, styles and templates left out, block elements on their
// own lines, white space collapsed), other pages as they are; at most
// maxPageText bytes.
func pageText(b Budget, p *Page) string {
	if !isHTML(p) {
		return capAt(textOf(p.Body), maxPageText)
	}
	z := html.NewTokenizer(bytes.NewReader(p.Body))
	var out strings.Builder
	skip := 0
	space := false
	for out.Len() < maxPageText {
		if b.Tick() != nil {
			break
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return capAt(strings.TrimSpace(out.String()), maxPageText)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head, atom.Svg:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			case atom.P, atom.Div, atom.Br, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Section, atom.Article, atom.Header, atom.Footer, atom.Ul, atom.Ol, atom.Table, atom.Blockquote, atom.Pre:
				if out.Len() > 0 && !strings.HasSuffix(out.String(), "\n") {
					out.WriteByte('\n')
				}
				space = false
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			for _, f := range strings.Fields(string(z.Text())) {
				if space && !strings.HasSuffix(out.String(), "\n") {
					out.WriteByte(' ')
				}
				out.WriteString(f)
				space = true
			}
		}
	}
	return capAt(strings.TrimSpace(out.String()), maxPageText)
}

// pageTitle is an HTML page's <title>, or "".
func pageTitle(p *Page) string {
	if !isHTML(p) {
		return ""
	}
	z := html.NewTokenizer(bytes.NewReader(p.Body))
	for i := 0; i < 100000; i++ {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Title && z.Next() == html.TextToken {
				return strings.Join(strings.Fields(string(z.Text())), " ")
			}
		}
	}
	return ""
}

// capAt cuts s at n bytes on a rune boundary.
func capAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + fmt.Sprintf("\n[cut at %d KiB]", n>>10)
}
