// Package search holds NodeTool's search.* nodes (Google web, news, images,
// finance, jobs, lens, maps, shopping, scholar, trends, flights, hotels,
// events, patents, videos, autocomplete, Play; Amazon, Walmart, eBay, Home
// Depot, the App Store; Yelp, YouTube, Bing, DuckDuckGo, Baidu, Yahoo,
// Naver) and the SerpAPI client they share with the agents' web search
// tools.
//
// The client speaks SerpAPI's HTTP API, as NodeTool's own nodes do:
// GET {base}/search.json?engine=...&api_key=...&..., answered by one JSON
// object. The base URL is the operator's (SERPAPI_BASE_URL, default
// https://serpapi.com), so a self-hosted or recorded SERP service can stand
// in; the SERP service is configured by the operator and is therefore not
// under the workflow egress policy. The key is the user's own
// SERPAPI_API_KEY secret when the server keeps user secrets and they stored
// one, else the operator's. It is only ever sent to that service and never
// appears in an error, a log line or a value a node produces.
package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// DefaultBaseURL is SerpAPI's own address.
const DefaultBaseURL = "https://serpapi.com"

// DefaultTimeout bounds one search when the caller's context has no
// earlier deadline (NodeTool's provider waits 60 s).
const DefaultTimeout = 60 * time.Second

// maxErrorBody is the most of an error answer read for its message.
const maxErrorBody = 64 << 10

// Config configures a Client.
type Config struct {
	// BaseURL is the SERP service: requests go to BaseURL + "/search.json"
	// ("": DefaultBaseURL). http or https, without query or credentials.
	BaseURL string
	// Key is the operator's SerpAPI key ("" for none).
	Key string
	// UserKey, when set, returns the SerpAPI key the user stored among
	// their own secrets, "" for none. It is asked first, as NodeTool asks
	// the user's secrets first; its error fails the search (without the
	// key, which it must never contain).
	UserKey func(ctx context.Context, userID string) (string, error)
	// Timeout bounds one search, on top of the caller's deadline
	// (0: DefaultTimeout).
	Timeout time.Duration
	// Transport carries the requests (nil: a plain transport of its own).
	// Redirects are never followed: an answer 3xx is an error, so the key
	// in the query never reaches another host.
	Transport http.RoundTripper
}

// Client searches through SerpAPI. It is safe for concurrent use.
type Client struct {
	endpoint string // BaseURL + "/search.json"
	host     string // for messages
	key      apiKey
	userKey  func(ctx context.Context, userID string) (string, error)
	timeout  time.Duration
	http     *http.Client
}

// apiKey holds a key; it prints and logs as REDACTED.
type apiKey string

func (apiKey) String() string                 { return "REDACTED" }
func (apiKey) GoString() string               { return "REDACTED" }
func (apiKey) LogValue() slog.Value           { return slog.StringValue("REDACTED") }
func (k apiKey) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }

// New checks cfg and returns its client.
func New(cfg Config) (*Client, error) {
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("search: SERPAPI_BASE_URL %q is not an http or https URL", base)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("search: SERPAPI_BASE_URL %q must have no credentials, query or fragment", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/search.json"
	u.RawPath = ""
	t := cfg.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	rt := cfg.Transport
	if rt == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		rt = tr
	}
	return &Client{
		endpoint: u.String(), host: u.Host, key: apiKey(strings.TrimSpace(cfg.Key)), userKey: cfg.UserKey, timeout: t,
		http: &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}, nil
}

// String, GoString and LogValue print the client without its key.
func (c *Client) String() string       { return "search.Client(" + c.endpoint + ")" }
func (c *Client) GoString() string     { return c.String() }
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// BaseURL is the search endpoint, for banners and messages.
func (c *Client) BaseURL() string { return strings.TrimSuffix(c.endpoint, "/search.json") }

// HasKey reports whether the operator configured a key (users may still
// bring their own when UserKey is set).
func (c *Client) HasKey() bool { return c.key != "" }

// Caller is whom a search runs for: its cancellation and deadline, the
// user whose key it may use, and the most bytes the answer may take.
// *engine.Ctx is one (a node's own budget); For makes one for code that
// runs outside a node.
type Caller interface {
	context.Context
	UserID() string
	MaxValue() int64
}

// limitCaller is a Caller that reports broken budgets as engine limit
// errors naming its node (*engine.Ctx).
type limitCaller interface {
	LimitError(limit, msg string) *engine.LimitError
}

// For returns a Caller for code outside a node: ctx's cancellation, the
// user userID and answers of at most maxBytes (0: engine.DefaultMaxValue).
func For(ctx context.Context, userID string, maxBytes int64) Caller {
	if maxBytes <= 0 {
		maxBytes = engine.DefaultMaxValue
	}
	return caller{ctx, userID, maxBytes}
}

type caller struct {
	context.Context
	user string
	max  int64
}

func (c caller) UserID() string  { return c.user }
func (c caller) MaxValue() int64 { return c.max }

// ErrNoKey is the error of a search for which no SerpAPI key is
// configured.
var ErrNoKey = errors.New("no SerpAPI key is configured: the operator sets SERPAPI_API_KEY (or --serpapi-api-key-file), or the user stores SERPAPI_API_KEY among their secrets")

// Error is a search that failed at the SERP service: its answer said so
// (SerpAPI's {"error": ...}), it answered an HTTP error, it could not be
// reached, it did not answer in time, or its answer was not JSON. The
// message names the engine and never holds the key.
type Error struct {
	Engine string
	// Status is the HTTP status of the answer (0: none came).
	Status int
	Msg    string
}

func (e *Error) Error() string { return "serpapi " + e.Engine + ": " + e.Msg }

// errTimeout is the cause of a search cut off by the client's Timeout.
var errTimeout = errors.New("serpapi timeout")

// Search runs one SerpAPI search: the engine eng with params (the client
// sets engine and api_key itself, ignoring them in params) goes to the
// service, and its JSON answer comes back as a dict, with inline images
// removed as NodeTool's provider removes them (keys image, image_alt,
// image_base64 and image_url, and strings holding data: URLs). An answer
// that reports an error (an "error" message, or search_metadata.status
// "Error") is an *Error, except SerpAPI's "hasn't returned any results"
// with status Success, which is an answer without results. The answer may
// take at most ctx.MaxValue() bytes, as text and once decoded. The
// caller's cancellation ends the search with its cause.
func (c *Client) Search(ctx Caller, eng string, params map[string]string) (*pyval.Dict, error) {
	key, err := c.keyFor(ctx)
	if err != nil {
		return nil, err
	}
	fail := func(status int, format string, a ...any) error {
		return &Error{Engine: eng, Status: status, Msg: scrub(fmt.Sprintf(format, a...), string(key))}
	}
	q := make(url.Values, len(params)+2)
	q.Set("engine", eng)
	for k, v := range params {
		if k != "api_key" && k != "engine" {
			q.Set(k, v)
		}
	}
	q.Set("api_key", string(key))
	rctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, c.endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return nil, fail(0, "cannot build the request")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "nodetool")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, rctx, err, fail)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msg := "HTTP " + resp.Status
		if detail := errorMessage(body); detail != "" {
			msg += ": " + detail
		}
		return nil, fail(resp.StatusCode, "%s", msg)
	}
	max := ctx.MaxValue()
	tooLarge := func() error {
		if lc, ok := ctx.(limitCaller); ok {
			return lc.LimitError(engine.LimitValue, fmt.Sprintf("serpapi %s: the answer is over the %s limit of %s", eng, engine.LimitValue, engine.FormatBytes(max)))
		}
		return &Error{Engine: eng, Status: resp.StatusCode, Msg: fmt.Sprintf("the answer is over %s", engine.FormatBytes(max))}
	}
	if resp.ContentLength > max {
		return nil, tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if ctx.Err() != nil || context.Cause(rctx) == errTimeout {
			return nil, c.transportError(ctx, rctx, err, fail)
		}
		return nil, fail(resp.StatusCode, "the answer was cut off: %v", err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge()
	}
	v, err := pyval.DecodeLimits(data, pyval.Limits{MaxBytes: max, MaxItems: int(min(max/engine.ItemCost, 1<<40))})
	if err != nil {
		var le *pyval.LimitError
		if errors.As(err, &le) && le.Kind != pyval.LimitDepth {
			return nil, tooLarge()
		}
		return nil, fail(resp.StatusCode, "the answer is not JSON: %s", pystr.Clip(err.Error(), 200))
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, fail(resp.StatusCode, "the answer is not a JSON object")
	}
	if msg, failed := answerError(d); failed {
		return nil, fail(resp.StatusCode, "%s", msg)
	}
	removeImages(d)
	return d, nil
}

// keyFor picks the key of a search: the user's own, else the operator's.
func (c *Client) keyFor(ctx Caller) (apiKey, error) {
	if c.userKey != nil && ctx.UserID() != "" {
		k, err := c.userKey(ctx, ctx.UserID())
		if err != nil {
			return "", fmt.Errorf("serpapi: cannot read the user's SERPAPI_API_KEY secret: %s", scrub(err.Error(), k))
		}
		if k = strings.TrimSpace(k); k != "" {
			return apiKey(k), nil
		}
	}
	if c.key == "" {
		return "", ErrNoKey
	}
	return c.key, nil
}

// transportError explains a request that got no (whole) answer: the
// caller's cancellation as its cause, the client's timeout, or the
// service's address and the network error, never the request's URL (which
// holds the key).
func (c *Client) transportError(ctx, rctx context.Context, err error, fail func(int, string, ...any) error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if context.Cause(rctx) == errTimeout {
		return fail(0, "no answer from %s within %s", c.host, c.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fail(0, "cannot reach %s: %s", c.host, pystr.Clip(err.Error(), 300))
}

// answerError reports whether a JSON answer says the search failed, and
// its message. NodeTool's provider fails on an "error" with no
// search_metadata, on search_metadata.status "Error" and on a string
// "error"; a search that found nothing (status Success, "... hasn't
// returned any results ...") is not a failure here.
func answerError(d *pyval.Dict) (string, bool) {
	ev, hasErr := d.Get("error")
	meta, _ := d.Get("search_metadata")
	md, isMeta := meta.(*pyval.Dict)
	status := ""
	if isMeta {
		status, _ = mapGet(md, "status").(string)
	}
	es, isStr := ev.(string)
	if isStr && status == "Success" && strings.Contains(es, "hasn't returned any results") {
		return "", false
	}
	if (hasErr && !isMeta) || status == "Error" || isStr {
		if !hasErr {
			return "the search failed (search_metadata.status is Error)", true
		}
		if isStr {
			return pystr.Clip(es, 500), true
		}
		if msg, ok := pyval.StrLimit(ev, 500); ok {
			return msg, true
		}
		return "the search failed (its error message is too long to show)", true
	}
	return "", false
}

// errorMessage is the message of an HTTP error answer: SerpAPI's
// {"error": "..."} when the body is that, else its first line of text.
func errorMessage(body []byte) string {
	if v, err := pyval.Decode(body); err == nil {
		if d, ok := v.(*pyval.Dict); ok {
			if s, ok := mapGet(d, "error").(string); ok {
				return pystr.Clip(s, 500)
			}
		}
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	return pystr.Clip(strings.TrimSpace(line), 200)
}

// scrub removes key, as it is and as a URL would carry it, from s.
func scrub(s, key string) string {
	if key == "" {
		return s
	}
	for _, k := range []string{key, url.QueryEscape(key), url.PathEscape(key)} {
		s = strings.ReplaceAll(s, k, "REDACTED")
	}
	return s
}

// removeImages drops inline images from an answer, as NodeTool's
// _remove_base64_images does: in every dict, the keys image, image_alt,
// image_base64 and image_url, and any string value starting with "data:".
// The answer was decoded within the caller's budget, so the walk is
// bounded by it.
func removeImages(v any) {
	switch t := v.(type) {
	case *pyval.Dict:
		var drop []string
		t.Range(func(k string, e any) bool {
			switch k {
			case "image", "image_alt", "image_base64", "image_url":
				drop = append(drop, k)
				return true
			}
			if s, ok := e.(string); ok {
				if strings.HasPrefix(s, "data:") {
					drop = append(drop, k)
				}
				return true
			}
			removeImages(e)
			return true
		})
		for _, k := range drop {
			t.Delete(k)
		}
	case []any:
		for _, e := range t {
			removeImages(e)
		}
	}
}

// mapGet is d[k], nil when absent or when d is not a dict.
func mapGet(d any, k string) any {
	if m, ok := d.(*pyval.Dict); ok {
		v, _ := m.Get(k)
		return v
	}
	return nil
}

// WebResult is one result of a plain web search.
type WebResult struct {
	Title, URL, Snippet string
}

// WebSearch runs a plain Google web search (SerpAPI's google_light engine,
// as NodeTool's GoogleSearch node and google_search tool do) and returns
// at most n organic results (n <= 0: all the answer has) with their title,
// link and snippet.
func (c *Client) WebSearch(ctx Caller, query string, n int) ([]WebResult, error) {
	params := map[string]string{"q": query, "gl": "us", "hl": "en"}
	if n > 0 {
		params["num"] = strconv.Itoa(n)
	}
	d, err := c.Search(ctx, "google_light", params)
	if err != nil {
		return nil, err
	}
	items, _ := mapGet(d, "organic_results").([]any)
	out := make([]WebResult, 0, len(items))
	for _, it := range items {
		if n > 0 && len(out) == n {
			break
		}
		title, _ := mapGet(it, "title").(string)
		link, _ := mapGet(it, "link").(string)
		snippet, _ := mapGet(it, "snippet").(string)
		if title == "" && link == "" {
			continue
		}
		out = append(out, WebResult{Title: title, URL: link, Snippet: snippet})
	}
	return out, nil
}
