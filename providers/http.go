package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"nodetool/providers/h1"
)

// Limits and timeouts shared by the HTTP providers. No overall client
// timeout is set, since a stream may rightly run for a long time; instead
// each phase is bounded on its own.
const (
	// dialTimeout bounds connecting (TCP and TLS) to the server.
	dialTimeout = 10 * time.Second
	// streamHeaderTimeout bounds the wait for a stream's response headers.
	// Local servers (Ollama, llama.cpp, LM Studio) load the model before
	// they answer, so their providers allow localHeaderTimeout instead.
	streamHeaderTimeout = 60 * time.Second
	localHeaderTimeout  = 5 * time.Minute
	// chatTimeout bounds a non-streamed completion: the server answers
	// only once the whole completion is done.
	chatTimeout = 10 * time.Minute
	// modelsTimeout bounds a whole model listing.
	modelsTimeout = 30 * time.Second
	// idleTimeout bounds the silence between two reads of a stream.
	idleTimeout = 5 * time.Minute
	// maxBody bounds a non-streamed response; maxErrorBody an error body.
	maxBody      = 32 << 20
	maxErrorBody = 64 << 10
	// maxLine bounds one SSE or NDJSON line of a stream.
	maxLine = 4 << 20
)

// Shared request header values (net/http does not modify them).
var (
	userAgent  = []string{"nodetool"}
	acceptJSON = []string{"application/json"}
)

// NewHTTPClient is the HTTP client providers use unless configured with
// another: a server that instruments provider calls wraps its transport.
func NewHTTPClient() *http.Client { return newClient() }

// newClient is the default HTTP client: the standard transport (proxy
// settings, HTTP/2, connection reuse) with a bounded dial and TLS
// handshake, under h1's transport, which serves plain-http requests to
// local model servers itself (no goroutines per connection: 15-25% less
// of the relay's CPU per completion, see package h1) and hands it the
// others.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = dialTimeout
	// A chat server forwards many concurrent requests to one upstream:
	// keep enough idle connections to reuse them instead of dialling anew
	// (the default keeps 2 per host).
	t.MaxIdleConnsPerHost = 256
	t.MaxIdleConns = 512
	// Requests are small; a long stream holds its buffers for its whole
	// life, so keep them small too.
	t.WriteBufferSize = 1 << 10
	t.ReadBufferSize = 2 << 10
	return &http.Client{Transport: h1.New(t)}
}

// endpoint is one provider's HTTP plumbing: where the server is, how to
// authenticate, and how failures read. The key never appears in an error.
type endpoint struct {
	provider string
	base     *url.URL // nil when the configured base URL did not parse
	baseErr  error
	key      string // the API key, scrubbed from every message
	keyEnv   string // the setting named when authentication fails
	client   *http.Client
	headers  func(h http.Header)
	// streamWait bounds the wait for a stream's response headers.
	streamWait time.Duration
	idle       time.Duration
	// missing, when set, words the error for an unknown model.
	missing func(model string) string
	// targets holds target's answers for the paths a provider calls on
	// every request (see precompute), so they are built once.
	targets map[string][2]string
}

// precompute builds target's answers for paths once: a relay called the
// URL's String twice per request for the same two strings
// (BenchmarkCompletionRelay). Call it when the endpoint is made.
func (e *endpoint) precompute(paths ...string) {
	e.targets = make(map[string][2]string, len(paths))
	for _, p := range paths {
		full, shown := e.target(p)
		e.targets[p] = [2]string{full, shown}
	}
}

func newEndpoint(provider, base, def, key, keyEnv string, client *http.Client) endpoint {
	if base == "" {
		base = def
	}
	if client == nil {
		client = newClient()
	}
	// Redirects are not followed: a POST would turn into a GET, and the
	// client would resend custom key headers (x-api-key) to whatever
	// host the redirect names. A 3xx is reported instead.
	noRedirects := *client
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e := endpoint{provider: provider, key: key, keyEnv: keyEnv, client: &noRedirects,
		streamWait: streamHeaderTimeout, idle: idleTimeout}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	switch {
	case err != nil:
		e.baseErr = errors.New("the base URL does not parse")
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		e.baseErr = errors.New("the base URL must be an absolute http or https URL")
	default:
		e.base = u
	}
	return e
}

// target returns the URL to call for path (which may end in a query) and
// the form of it that errors show: no user info, no query, no fragment.
func (e *endpoint) target(path string) (full, shown string) {
	if t, ok := e.targets[path]; ok {
		return t[0], t[1]
	}
	if e.base == nil {
		return "", "(invalid base URL)"
	}
	u := *e.base
	path, query, _ := strings.Cut(path, "?")
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
	if query != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query
	}
	full = u.String()
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return full, u.String()
}

// fail builds the provider's error, with the key scrubbed from the message.
func (e *endpoint) fail(shown string, status int, msg string, err error) *Error {
	return &Error{Provider: e.provider, URL: shown, Status: status, Message: e.scrub(msg), Err: err}
}

// ended is the error for a request whose context ended: cancelled by the
// caller, or past the caller's deadline.
func (e *endpoint) ended(shown string, ctxErr error) *Error {
	if errors.Is(ctxErr, context.DeadlineExceeded) {
		return e.fail(shown, 0, "timed out", ctxErr)
	}
	return e.fail(shown, 0, "request canceled", ctxErr)
}

func (e *endpoint) scrub(s string) string {
	if e.key != "" {
		s = strings.ReplaceAll(s, e.key, "[redacted]")
	}
	return s
}

// call is one request in flight. The caller reads resp.Body and must call
// done when finished with it; done closes the body and cancels the request.
type call struct {
	ep *endpoint
	// ctx is the caller's context. It is kept because a call, and the
	// Stream built on it, is the request in flight: Stream.Next has no
	// context of its own, and needs this one to tell a cancellation by
	// the caller from a failure.
	ctx    context.Context
	shown  string
	resp   *http.Response
	cancel context.CancelFunc
}

func (c *call) done() {
	c.resp.Body.Close()
	c.cancel()
}

// finish ends a call whose answer was read to its logical end (a
// stream's [DONE], Ollama's last line): the server ends the body right
// after, and package h1 keeps the connection for the next request if
// that end has arrived by then (its body's Finish). Other bodies are
// closed.
func (c *call) finish() {
	if f, ok := c.resp.Body.(interface{ Finish() error }); ok {
		f.Finish()
	} else {
		c.resp.Body.Close()
	}
	c.cancel()
}

// do sends one request and waits up to wait for the response headers. A
// failure comes back as an *Error, with nothing left to close. model names
// the model asked for, to say so when the server does not know it.
func (e *endpoint) do(ctx context.Context, method, path, model string, body any, wait time.Duration) (*call, error) {
	full, shown := e.target(path)
	if e.baseErr != nil {
		return nil, e.fail(shown, 0, e.baseErr.Error(), e.baseErr)
	}
	var rd io.Reader
	ctype := acceptJSON
	if fb, ok := body.(formBody); ok {
		rd, ctype = bytes.NewReader(fb.data), []string{fb.contentType} // multipart, built by the caller
	} else if raw, ok := body.(json.RawMessage); ok {
		rd = bytes.NewReader(raw) // already encoded (and checked) by the caller
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, e.fail(shown, 0, "encoding the request: "+err.Error(), err)
		}
		rd = bytes.NewReader(b)
	}
	rctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(rctx, method, full, rd)
	if err != nil {
		cancel()
		return nil, e.fail(shown, 0, "building the request: "+err.Error(), err)
	}
	req.Header["User-Agent"] = userAgent
	req.Header["Accept"] = acceptJSON
	if body != nil {
		req.Header["Content-Type"] = ctype
	}
	if e.headers != nil {
		e.headers(req.Header)
	}

	var late atomic.Bool
	timer := time.AfterFunc(wait, func() { late.Store(true); cancel() })
	resp, err := e.roundTrip(req)
	if !timer.Stop() && err == nil {
		resp.Body.Close() // the timer fired just as the answer came
		err = context.DeadlineExceeded
	}
	if err != nil {
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil, e.ended(shown, ctx.Err())
		case late.Load():
			return nil, &Error{Provider: e.provider, URL: shown, Unreachable: true,
				Message: fmt.Sprintf("no response within %s", wait), Err: context.DeadlineExceeded}
		}
		msg := err.Error()
		if ue, ok := errors.AsType[*url.Error](err); ok {
			msg = ue.Err.Error()
		}
		return nil, &Error{Provider: e.provider, URL: shown, Unreachable: true, Message: e.scrub(msg), Err: err}
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		cancel()
		msg := e.statusMessage(resp.StatusCode, b, model)
		if resp.StatusCode/100 == 3 {
			msg = "the server redirects elsewhere: set the base URL to the final address"
			if loc := resp.Header.Get("Location"); loc != "" {
				msg = fmt.Sprintf("the server redirects to %s: set the base URL to the final address", excerpt(loc))
			}
		}
		return nil, e.fail(shown, resp.StatusCode, msg, nil)
	}
	return &call{ep: e, ctx: ctx, shown: shown, resp: resp, cancel: cancel}, nil
}

// roundTrip sends req through the client's transport itself when the
// client would add nothing (no timeout, no cookie jar, no user info in the
// URL; redirects are never followed): http.Client.Do copies every
// request's headers for redirects it will not follow, work the relay paid
// on every request (BenchmarkCompletionRelay). A transport's errors come
// unwrapped, as do reads the *url.Error of Client.Do.
func (e *endpoint) roundTrip(req *http.Request) (*http.Response, error) {
	c := e.client
	if c.Timeout != 0 || c.Jar != nil || req.URL.User != nil {
		return c.Do(req)
	}
	t := c.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	return t.RoundTrip(req)
}

// decode reads a whole JSON response into v, bounded by maxBody and by
// the idle timeout between reads.
func (c *call) decode(v any) error {
	b, err := c.body()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return c.ep.fail(c.shown, c.resp.StatusCode, "malformed response: "+err.Error(), err)
	}
	return nil
}

// body reads a whole response, bounded by maxBody and by the idle timeout
// between reads, and ends the call.
func (c *call) body() ([]byte, error) {
	defer c.done()
	// A small answer that has all arrived with its headers (package h1
	// says so) is read without an idle timer: no read can wait.
	if n := c.resp.ContentLength; n >= 0 && n <= maxBody {
		if bf, ok := c.resp.Body.(interface{ Buffered() int }); ok && int64(bf.Buffered()) >= n {
			b := make([]byte, n)
			if _, err := io.ReadFull(c.resp.Body, b); err != nil {
				return nil, c.readErr(err, false)
			}
			return b, nil
		}
	}
	ir := newIdleReader(c.resp.Body, c.ep.idle, c.cancel)
	defer ir.stop()
	b, err := io.ReadAll(io.LimitReader(ir, maxBody+1))
	switch {
	case err != nil:
		return nil, c.readErr(err, ir.fired.Load())
	case len(b) > maxBody:
		return nil, c.ep.fail(c.shown, c.resp.StatusCode, fmt.Sprintf("response larger than %d bytes", maxBody), nil)
	}
	return b, nil
}

// readErr turns a failure reading the body into an *Error.
func (c *call) readErr(err error, idle bool) error {
	var pe *Error
	switch {
	case errors.As(err, &pe):
		if pe.Provider == "" {
			pe.Provider, pe.URL = c.ep.provider, c.shown
		}
		pe.Message = c.ep.scrub(pe.Message)
		return pe
	case c.ctx.Err() != nil:
		return c.ep.ended(c.shown, c.ctx.Err())
	case idle:
		return c.ep.fail(c.shown, 0, fmt.Sprintf("stream stalled: no data for %s", c.ep.idle), err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return c.ep.fail(c.shown, 0, "the response was cut off before its end", io.ErrUnexpectedEOF)
	}
	return c.ep.fail(c.shown, 0, "reading the response: "+err.Error(), err)
}

// statusMessage says what an error status means, in words a user can act
// on. The upstream's own message is kept where it helps, with the key
// scrubbed; for authentication failures it is dropped, since some servers
// echo part of the key back.
func (e *endpoint) statusMessage(status int, body []byte, model string) string {
	msg, code := upstreamMessage(body)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		if e.keyEnv == "" {
			return "authentication failed: the server refused the request"
		}
		return "authentication failed: check " + e.keyEnv
	case status == http.StatusNotFound && model != "" &&
		(code == "model_not_found" || strings.Contains(strings.ToLower(msg), "model")):
		if e.missing != nil {
			return e.missing(model)
		}
		return fmt.Sprintf("model %q not found", model)
	case status == http.StatusNotFound:
		return "not found (check the base URL): " + orStatus(msg, status)
	case status == http.StatusTooManyRequests:
		if msg == "" {
			return "rate limited"
		}
		return "rate limited: " + msg
	}
	return orStatus(msg, status)
}

func orStatus(msg string, status int) string {
	if msg != "" {
		return msg
	}
	if t := http.StatusText(status); t != "" {
		return strings.ToLower(t)
	}
	return "unexpected status"
}

// upstreamMessage pulls the message out of an error body in any of the
// shapes these servers use: {"error":"..."} (Ollama), {"error":{"message",
// "type","code"}} (OpenAI, Anthropic, llama.cpp), {"message":...} (vLLM),
// {"detail":...} (FastAPI). Anything else gives a short printable excerpt.
func upstreamMessage(body []byte) (msg, code string) {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) == nil {
		var inner struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Code    json.RawMessage `json:"code"`
		}
		if json.Unmarshal(v.Error, &inner) == nil && inner.Message != "" {
			var c string
			if json.Unmarshal(inner.Code, &c) != nil {
				c = ""
			}
			return excerpt(inner.Message), c
		}
		for _, raw := range []json.RawMessage{v.Error, v.Message, v.Detail} {
			var s string
			if json.Unmarshal(raw, &s) == nil && s != "" {
				return excerpt(s), ""
			}
		}
	}
	if !utf8.Valid(body) {
		return "unreadable error response", ""
	}
	return excerpt(string(body)), ""
}

// excerpt keeps the first line of s, at most 300 characters, printable.
func excerpt(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
}

// listModels reads a models list in the shape OpenAI and Anthropic share,
// {"data":[{"id":...}]}, within modelsTimeout.
func (e *endpoint) listModels(ctx context.Context, path, owner string) ([]Model, error) {
	ctx, cancel := context.WithTimeout(ctx, modelsTimeout)
	defer cancel()
	c, err := e.do(ctx, http.MethodGet, path, "", nil, modelsTimeout)
	if err != nil {
		return nil, err
	}
	var v struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.decode(&v); err != nil {
		return nil, err
	}
	models := make([]Model, 0, len(v.Data))
	for _, m := range v.Data {
		models = append(models, Model{ID: m.ID, OwnedBy: owner})
	}
	return models, nil
}
