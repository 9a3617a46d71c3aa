package egress

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Timeouts and bounds of every request. The caller's context bounds the
// whole request (a node's deadline); RequestTimeout is the backstop for a
// context without a deadline.
const (
	DialTimeout      = 10 * time.Second
	TLSTimeout       = 10 * time.Second
	HeaderTimeout    = 30 * time.Second
	RequestTimeout   = 10 * time.Minute
	MaxRedirects     = 10
	MaxHeaderBytes   = 1 << 20
	maxRetryWait     = 10 * time.Second
	defaultRetryWait = 500 * time.Millisecond
	attempts         = 3
)

// defaultHeaders are sent with every request that does not set them, as
// NodeTool sends them (many sites refuse clients without a browser's
// User-Agent).
var defaultHeaders = map[string]string{
	"User-Agent":      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Accept":          "*/*",
	"Accept-Language": "en-US,en;q=0.9",
}

// Options tune a Client; the zero value is what servers use.
type Options struct {
	// Resolve looks up the addresses of a host name (nil: the system
	// resolver). Tests use it to make a name resolve to loopback.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// TLS is the TLS configuration (nil: the system's roots).
	TLS *tls.Config
	// RetryWait is the first wait before retrying a request that failed
	// in transit or got 408, 425, 429 or 5xx (doubled each time; default
	// 500ms). Only idempotent methods are retried, up to 3 attempts.
	RetryWait time.Duration
}

// Client is an HTTP client under a Policy. It is safe for concurrent use.
// A nil *Client refuses every request.
type Client struct {
	policy    Policy
	hc        *http.Client
	resolve   func(ctx context.Context, host string) ([]netip.Addr, error)
	retryWait time.Duration
}

// New returns a client applying p.
func New(p Policy, o Options) *Client {
	c := &Client{policy: p, resolve: o.Resolve, retryWait: o.RetryWait}
	if c.resolve == nil {
		c.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if c.retryWait <= 0 {
		c.retryWait = defaultRetryWait
	}
	var tlsConf *tls.Config
	if o.TLS != nil {
		tlsConf = o.TLS.Clone()
	}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would hide the address dialed
		DialContext:            c.dial,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    TLSTimeout,
		ResponseHeaderTimeout:  HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		MaxResponseHeaderBytes: MaxHeaderBytes,
		ForceAttemptHTTP2:      true,
	}
	c.hc = &http.Client{Transport: tr, CheckRedirect: c.checkRedirect}
	return c
}

// Policy is the client's policy.
func (c *Client) Policy() Policy {
	if c == nil {
		return Policy{Mode: None}
	}
	return c.policy
}

// dial connects to addr ("host:port" of the URL) under the policy: it
// resolves the host itself, skips the addresses the policy refuses, and
// dials the others with a Control hook that checks, once more, the
// address the socket actually connects to.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil {
		return nil, fmt.Errorf("egress: bad port in %q", addr)
	}
	byName := c.policy.allowsName(host, port)
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if ips, err = c.resolve(ctx, host); err != nil {
		return nil, err
	}
	var refused, lastErr error
	for _, ip := range ips {
		if !byName {
			if err := c.policy.check(host, ip, port); err != nil {
				if refused == nil {
					refused = err
				}
				continue
			}
		}
		d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second, Control: c.control(host, byName)}
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil || errors.Is(err, ErrRefused) {
			break
		}
	}
	switch {
	case lastErr != nil:
		return nil, lastErr
	case refused != nil:
		return nil, refused
	}
	return nil, fmt.Errorf("egress: %s has no address", host)
}

// control is the dialer's last check, on the address the socket connects
// to, whatever resolved it.
func (c *Client) control(host string, byName bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		if byName {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("egress: unexpected dial address %q", address)
		}
		return c.policy.check(host, ap.Addr(), int(ap.Port()))
	}
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return fmt.Errorf("egress: stopped after %d redirects", MaxRedirects)
	}
	_, err := c.CheckURL(req.URL.String())
	return err
}

// CheckURL parses a URL taken from workflow data and refuses what can be
// refused before resolving it: a scheme other than http or https, a
// missing host, an IP address the policy refuses. Fetch and Open call it;
// a caller may call it to fail early.
func (c *Client) CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("egress: %q is not a URL", clip(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		if strings.TrimSpace(raw) == "" {
			return nil, &RefusedError{Host: `""`, Reason: "the URL is empty"}
		}
		return nil, &RefusedError{Host: strings.TrimPrefix(SafeURL(u), "://"), Reason: "not an absolute URL (http:// or https:// expected)"}
	default:
		return nil, &RefusedError{Host: SafeURL(u), Reason: fmt.Sprintf("the scheme is %s, not http or https", clip(u.Scheme))}
	}
	if u.Hostname() == "" {
		return nil, &RefusedError{Host: SafeURL(u), Reason: "the URL has no host"}
	}
	if c == nil {
		return nil, &RefusedError{Host: u.Hostname(), Reason: "this server gives workflows no network access", Mode: None}
	}
	if c.policy.mode() == None && !c.policy.allowsName(u.Hostname(), port(u)) && !c.policy.hasAddrRules() {
		// Refused before any DNS lookup.
		return nil, &RefusedError{Host: u.Hostname(), Reason: "refused: --egress none", Mode: None, Allow: canonHost(u.Hostname())}
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !c.policy.allowsName(u.Hostname(), port(u)) {
		if err := c.policy.check(u.Hostname(), ip, port(u)); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func port(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return 443
	}
	return 80
}

// SafeURL writes u for messages: scheme, host and path, without the user
// info, query or fragment (which may hold keys), the path clipped.
func SafeURL(u *url.URL) string {
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?…"
	}
	return clip(s)
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// Request is one request to a URL taken from workflow data.
type Request struct {
	// Method is the HTTP method (default GET).
	Method string
	URL    string
	// Header adds headers; a browser's User-Agent, Accept */* and
	// Accept-Language en-US are sent unless it sets them.
	Header http.Header
	Body   []byte
	// NoRetry sends the request once, even if it is idempotent (a probe).
	NoRetry bool
}

// Response is a response read whole.
type Response struct {
	StatusCode int
	// Status is the status line's text, "404 Not Found".
	Status string
	Header http.Header
	Body   []byte
	// URL is the URL that answered, after redirects (SafeURL form).
	URL string
}

// Err is a *StatusError for a 4xx or 5xx response, else nil.
func (r *Response) Err(method string) error {
	if r.StatusCode < 400 {
		return nil
	}
	return &StatusError{Method: method, URL: r.URL, StatusCode: r.StatusCode, Status: r.Status}
}

// StatusError is a response with an error status.
type StatusError struct {
	Method, URL string
	StatusCode  int
	Status      string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: the server answered %s", e.Method, e.URL, e.Status)
}

// TooLargeError is a response body over the caller's bound.
type TooLargeError struct {
	URL   string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("egress: the response of %s is over %d bytes", e.URL, e.Limit)
}

// Fetch sends r and reads the response body, at most max bytes (a longer
// body fails with *TooLargeError before more is read). ctx bounds the
// whole exchange. Redirects are followed (at most MaxRedirects, each
// checked); idempotent requests are retried on transient failures. Any
// status is returned: Response.Err turns 4xx and 5xx into errors.
// Errors never include the URL's query or user info.
func (c *Client) Fetch(ctx context.Context, r Request, max int64) (*Response, error) {
	resp, cancel, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	final := SafeURL(resp.Request.URL)
	if resp.ContentLength > max && resp.Request.Method != http.MethodHead {
		return nil, &TooLargeError{URL: final, Limit: max}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", method(r), final, bodyErr(ctx, err))
	}
	if int64(len(body)) > max {
		return nil, &TooLargeError{URL: final, Limit: max}
	}
	return &Response{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: body, URL: final}, nil
}

// Open sends r as Fetch does and returns the response with its body
// unread, for a caller that streams it: the caller bounds what it reads
// and closes the body.
func (c *Client) Open(ctx context.Context, r Request) (*http.Response, error) {
	resp, cancel, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func bodyErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

func method(r Request) string {
	if r.Method == "" {
		return http.MethodGet
	}
	return strings.ToUpper(r.Method)
}

// do sends r, retrying idempotent requests on transient failures, and
// returns the response, whose body is unread, with the cancel function of
// its context.
func (c *Client) do(ctx context.Context, r Request) (*http.Response, context.CancelFunc, error) {
	u, err := c.CheckURL(r.URL)
	if err != nil {
		return nil, nil, err
	}
	m := method(r)
	tries := 1
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		if !r.NoRetry {
			tries = attempts
		}
	}
	for attempt := 0; ; attempt++ {
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if _, ok := ctx.Deadline(); !ok {
			rctx, cancel = context.WithTimeout(ctx, RequestTimeout)
		}
		req, err := http.NewRequestWithContext(rctx, m, u.String(), bytes.NewReader(r.Body))
		if err != nil {
			cancel()
			return nil, nil, fmt.Errorf("%s %s: %v", m, SafeURL(u), err)
		}
		if r.Body == nil {
			req.Body, req.GetBody, req.ContentLength = nil, nil, 0
		}
		for k, vs := range r.Header {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
		for k, v := range defaultHeaders {
			if req.Header.Get(k) == "" {
				req.Header.Set(k, v)
			}
		}
		resp, err := c.hc.Do(req)
		last := attempt+1 >= tries
		if err != nil {
			cancel()
			err = c.requestErr(ctx, m, u, err)
			if last || ctx.Err() != nil || errors.Is(err, ErrRefused) {
				return nil, nil, err
			}
			if werr := sleep(ctx, c.retryWait<<attempt); werr != nil {
				return nil, nil, err
			}
			continue
		}
		if last || !retryStatus(resp.StatusCode) {
			return resp, cancel, nil
		}
		wait := retryAfter(resp.Header.Get("Retry-After"), c.retryWait<<attempt)
		io.CopyN(io.Discard, resp.Body, 64<<10)
		resp.Body.Close()
		cancel()
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", m, SafeURL(u), err)
		}
	}
}

// requestErr rewrites an error of http.Client.Do for the user: a refusal
// of the policy as it is, others with the method and the URL without its
// query (url.Error would print it whole).
func (c *Client) requestErr(ctx context.Context, m string, u *url.URL, err error) error {
	var ue *url.Error
	redirected := ""
	if errors.As(err, &ue) {
		if tu, perr := url.Parse(ue.URL); perr == nil && tu.String() != u.String() {
			redirected = " (redirected to " + SafeURL(tu) + ")"
		}
		err = ue.Err
	}
	var refused *RefusedError
	switch {
	case errors.As(err, &refused) && redirected == "":
		return refused
	case errors.As(err, &refused):
		return fmt.Errorf("%s %s%s: %w", m, SafeURL(u), redirected, refused)
	case ctx.Err() != nil:
		return fmt.Errorf("%s %s%s: %w", m, SafeURL(u), redirected, context.Cause(ctx))
	}
	return fmt.Errorf("%s %s%s: %w", m, SafeURL(u), redirected, err)
}

func retryStatus(code int) bool {
	switch code {
	case 408, 425, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// retryAfter reads a Retry-After header in seconds, capped; def when it
// is absent or not a number of seconds.
func retryAfter(h string, def time.Duration) time.Duration {
	d := def
	if secs, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err == nil && secs >= 0 {
		d = time.Duration(min(secs, maxRetryWait.Seconds()) * float64(time.Second))
	}
	return min(d, maxRetryWait)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
