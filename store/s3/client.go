// Package s3 is a small client of the S3 API, enough for the store to
// keep objects in any S3-compatible service (AWS S3, SeaweedFS, Ceph RGW,
// Garage, Cloudflare R2, MinIO): PUT, GET (ranged, conditional), HEAD,
// DELETE, ListObjectsV2 and multipart uploads, signed with AWS Signature
// Version 4 (sigv4.go). It never logs, and its errors never hold a secret.
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config says where the bucket is and how to sign.
type Config struct {
	// Endpoint is the service's URL ("http://127.0.0.1:8333"); empty means
	// AWS: https://s3.<Region>.amazonaws.com.
	Endpoint string
	Bucket   string
	Region   string // default us-east-1
	Credentials
	// VirtualHost puts the bucket in the host name
	// (https://BUCKET.s3.amazonaws.com/KEY) instead of the path
	// (https://HOST/BUCKET/KEY). AWS without an endpoint defaults to it;
	// a custom endpoint to the path, which every S3-compatible service
	// understands.
	VirtualHost bool
	// HTTP is the client; nil means one made for this (NewHTTPClient).
	HTTP *http.Client
	// IdleTimeout fails a response body that sends nothing for this long
	// (default 60s).
	IdleTimeout time.Duration
	Now         func() time.Time // nil: time.Now
}

// Client talks to one bucket. It is safe for concurrent use.
type Client struct {
	base    *url.URL // scheme and host (with the bucket for virtual hosts), path prefix
	bucket  string
	virtual bool
	signer  *Signer
	http    *http.Client
	idle    time.Duration
	now     func() time.Time
}

// String describes the client without its credentials.
func (c *Client) String() string {
	return "s3 bucket " + c.bucket + " at " + c.base.Scheme + "://" + c.base.Host
}

// LogValue keeps the secret and the session token out of logs.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_key", c.AccessKey), slog.String("secret_key", "REDACTED"))
}

// String keeps the secret and the session token out of formatted output.
func (c Credentials) String() string { return "access key " + c.AccessKey + " (secret hidden)" }

// GoString keeps the secret and the session token out of %#v.
func (c Credentials) GoString() string { return c.String() }

// NewHTTPClient is the transport the client uses by default: bounded
// dial, TLS handshake and wait for response headers (a request a service
// never answers fails), and enough idle connections per host for a busy
// server. Bodies have no overall deadline: they stream for as long as
// they need, within Config.IdleTimeout between reads.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 60 * time.Second
	t.ExpectContinueTimeout = time.Second
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = 90 * time.Second
	t.DisableCompression = true // objects are served byte for byte
	t.ReadBufferSize = 64 << 10
	t.WriteBufferSize = 64 << 10
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// New checks cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("s3: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	virtual := cfg.VirtualHost
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://s3." + cfg.Region + ".amazonaws.com"
		virtual = true
	}
	u, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, errors.New("s3: the endpoint must be an http or https URL without user info or query, like http://127.0.0.1:8333")
	}
	if virtual {
		if strings.Contains(cfg.Bucket, ".") && u.Scheme == "https" {
			return nil, errors.New("s3: a bucket name with dots cannot be a virtual host over TLS; use path-style addressing")
		}
		u.Host = cfg.Bucket + "." + u.Host
	}
	if cfg.HTTP == nil {
		cfg.HTTP = NewHTTPClient()
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 60 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{base: u, bucket: cfg.Bucket, virtual: virtual,
		signer: &Signer{Credentials: cfg.Credentials, Region: cfg.Region, Service: "s3"},
		http:   cfg.HTTP, idle: cfg.IdleTimeout, now: cfg.Now}, nil
}

// Bucket is the bucket's name.
func (c *Client) Bucket() string { return c.bucket }

// ObjectInfo describes an object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string // quoted, as S3 sends it
	LastModified time.Time
	ContentType  string
}

// url is the address of key ("" for the bucket) with query q.
func (c *Client) url(key string, q url.Values) *url.URL {
	u := *c.base
	p := strings.TrimRight(u.Path, "/")
	if !c.virtual {
		p += "/" + c.bucket
	}
	u.Path = p + "/" + key
	if key == "" && !c.virtual {
		u.Path = p // the bucket itself: no trailing slash
	}
	u.RawPath = ""
	u.RawQuery = canonicalQuery(encodeQuery(q))
	return &u
}

// request is one call: its operation name (for errors), method, key,
// query, headers, and body (whose SHA-256 is signed; nil for none).
type request struct {
	op     string
	method string
	key    string
	query  url.Values
	header http.Header
	body   []byte
	// stream, when set, is sent instead of body, of streamSize bytes,
	// with an unsigned payload.
	stream     io.Reader
	streamSize int64
}

// do sends r and returns the response if its status is 2xx (or one of
// ok), else an *Error. The caller closes the body.
func (c *Client) do(ctx context.Context, r request, ok ...int) (*http.Response, error) {
	var body io.Reader
	hash := EmptySHA256
	switch {
	case r.stream != nil:
		body, hash = r.stream, UnsignedPayload
	case r.body != nil:
		sum := sha256.Sum256(r.body)
		body, hash = bytes.NewReader(r.body), hex.EncodeToString(sum[:])
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.url(r.key, r.query).String(), body)
	if err != nil {
		return nil, &Error{Op: r.op, Key: r.key, Err: err}
	}
	switch {
	case r.stream != nil:
		req.ContentLength = r.streamSize
	case r.body != nil:
		req.ContentLength = int64(len(r.body))
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	c.signer.Sign(req, hash, c.now())
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Op: r.op, Key: r.key, Err: scrubURL(err)}
	}
	if resp.StatusCode/100 == 2 || containsInt(ok, resp.StatusCode) {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, readError(r.op, r.key, resp)
}

// encodeQuery writes q with every byte but the unreserved ones
// percent-encoded (a space as %20, never "+", which S3 reads as a plus).
func encodeQuery(q url.Values) string {
	var b strings.Builder
	for k, vs := range q {
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(uriEncode(k, true))
			b.WriteByte('=')
			b.WriteString(uriEncode(v, true))
		}
	}
	return b.String()
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// scrubURL drops the URL from a transport error: it holds nothing secret
// (signatures travel in headers), but the endpoint is the operator's
// business, and the op and status say enough.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// maxErrorBody bounds the error document read from a failed response.
const maxErrorBody = 64 << 10

// readError builds the *Error of a failed response from its status and
// its XML error document, if any.
func readError(op, key string, resp *http.Response) *Error {
	e := &Error{Op: op, Key: key, Status: resp.StatusCode}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var doc errorDoc
	if xml.Unmarshal(data, &doc) == nil {
		e.Code, e.Message = doc.Code, doc.Message
	}
	if e.Code == "" {
		e.Code = codeOfStatus(resp.StatusCode)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	}
	return e
}

// codeOfStatus names the error of a response without an error document
// (HEAD answers have no body).
func codeOfStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return "NoSuchKey"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotModified:
		return "NotModified"
	case http.StatusPreconditionFailed:
		return "PreconditionFailed"
	case http.StatusRequestedRangeNotSatisfiable:
		return "InvalidRange"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		return "PermanentRedirect"
	}
	return "HTTP" + strconv.Itoa(status)
}

type errorDoc struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

// Error is a failed call: the service's answer (Status, and Code and
// Message from its error document), or no answer at all (Err). It holds
// no credentials and no URL.
type Error struct {
	Op         string // the S3 operation: PutObject, GetObject, ...
	Key        string
	Status     int // 0: no answer came
	Code       string
	Message    string
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("s3: ")
	b.WriteString(e.Op)
	if e.Key != "" {
		b.WriteString(" " + strconv.Quote(e.Key))
	}
	if e.Status == 0 {
		b.WriteString(": no answer: ")
		if e.Err != nil {
			b.WriteString(e.Err.Error())
		}
		return b.String()
	}
	fmt.Fprintf(&b, ": %d %s", e.Status, e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// NotFound reports a missing object (a missing bucket is a failure of
// the configuration, not a missing object).
func (e *Error) NotFound() bool {
	return e.Status == http.StatusNotFound && e.Code != "NoSuchBucket"
}

// Unavailable reports a failure worth retrying later: no answer, a
// timeout, 500, 502, 503, 504 or SlowDown.
func (e *Error) Unavailable() bool {
	switch {
	case e.Status == 0, e.Status == http.StatusInternalServerError, e.Status == http.StatusBadGateway,
		e.Status == http.StatusServiceUnavailable, e.Status == http.StatusGatewayTimeout,
		e.Code == "SlowDown", e.Code == "InternalError", e.Code == "ServiceUnavailable":
		return true
	}
	return false
}

// IsNotFound reports whether err is an *Error for a missing object.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.NotFound()
}

// IsStatus reports whether err is an *Error with the given status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// info reads an object's description from response headers.
func info(key string, h http.Header) ObjectInfo {
	oi := ObjectInfo{Key: key, ETag: h.Get("ETag"), ContentType: h.Get("Content-Type")}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		oi.LastModified = t
	}
	oi.Size, _ = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	return oi
}

// HeadObject describes key. A missing object is an *Error with NotFound.
func (c *Client) HeadObject(ctx context.Context, key string) (ObjectInfo, error) {
	resp, err := c.do(ctx, request{op: "HeadObject", method: http.MethodHead, key: key})
	if err != nil {
		return ObjectInfo{}, err
	}
	resp.Body.Close()
	return info(key, resp.Header), nil
}

// HeadBucket checks that the bucket exists and the credentials may use it.
func (c *Client) HeadBucket(ctx context.Context) error {
	resp, err := c.do(ctx, request{op: "HeadBucket", method: http.MethodHead})
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// PutObject stores data under key with a single signed PUT and returns
// the new object's ETag.
func (c *Client) PutObject(ctx context.Context, key string, data []byte, header http.Header) (ObjectInfo, error) {
	if data == nil {
		data = []byte{}
	}
	resp, err := c.do(ctx, request{op: "PutObject", method: http.MethodPut, key: key, header: header, body: data})
	if err != nil {
		return ObjectInfo{}, err
	}
	resp.Body.Close()
	oi := ObjectInfo{Key: key, Size: int64(len(data)), ETag: resp.Header.Get("ETag"), LastModified: c.serverTime(resp)}
	if oi.ETag == "" {
		return ObjectInfo{}, &Error{Op: "PutObject", Key: key, Status: resp.StatusCode, Code: "NoETag", Message: "the answer has no ETag"}
	}
	return oi, nil
}

// serverTime is the Date of a response, second-precise as S3 times are,
// or now.
func (c *Client) serverTime(resp *http.Response) time.Time {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return t
	}
	return c.now().UTC().Truncate(time.Second)
}

// DeleteObject removes key. S3 answers 204 whether or not it existed.
func (c *Client) DeleteObject(ctx context.Context, key string) error {
	resp, err := c.do(ctx, request{op: "DeleteObject", method: http.MethodDelete, key: key})
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// ListPage is one page of ListObjectsV2.
type ListPage struct {
	Objects []ObjectInfo
	// Next is the continuation token of the next page, "" on the last.
	Next string
}

type listResult struct {
	IsTruncated           bool   `xml:"IsTruncated"`
	NextContinuationToken string `xml:"NextContinuationToken"`
	Contents              []struct {
		Key          string `xml:"Key"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
	} `xml:"Contents"`
}

// maxListBody bounds a ListObjectsV2 answer: 1000 keys of at most 1 KiB,
// with their XML.
const maxListBody = 4 << 20

// ListObjects returns a page (at most 1000 objects) of the keys starting
// with prefix, in UTF-8 byte order, after the page that gave token.
func (c *Client) ListObjects(ctx context.Context, prefix, token string) (ListPage, error) {
	q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
	if token != "" {
		q.Set("continuation-token", token)
	}
	resp, err := c.do(ctx, request{op: "ListObjectsV2", method: http.MethodGet, query: q})
	if err != nil {
		return ListPage{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxListBody+1))
	if err != nil {
		return ListPage{}, &Error{Op: "ListObjectsV2", Status: resp.StatusCode, Code: "IncompleteBody", Err: err}
	}
	if len(data) > maxListBody {
		return ListPage{}, &Error{Op: "ListObjectsV2", Status: resp.StatusCode, Code: "ResponseTooLarge", Message: "the listing is over 4 MiB"}
	}
	var lr listResult
	if err := xml.Unmarshal(data, &lr); err != nil {
		return ListPage{}, &Error{Op: "ListObjectsV2", Status: resp.StatusCode, Code: "MalformedXML", Err: err}
	}
	page := ListPage{Objects: make([]ObjectInfo, 0, len(lr.Contents))}
	for _, o := range lr.Contents {
		t, err := time.Parse(time.RFC3339Nano, o.LastModified)
		if err != nil {
			return ListPage{}, &Error{Op: "ListObjectsV2", Status: resp.StatusCode, Code: "MalformedXML", Err: fmt.Errorf("LastModified %q: %w", o.LastModified, err)}
		}
		page.Objects = append(page.Objects, ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: t})
	}
	if lr.IsTruncated {
		if lr.NextContinuationToken == "" {
			return ListPage{}, &Error{Op: "ListObjectsV2", Status: resp.StatusCode, Code: "MalformedXML", Message: "a truncated listing without a continuation token"}
		}
		page.Next = lr.NextContinuationToken
	}
	return page, nil
}

// CreateBucket creates the bucket; one that exists and is the caller's
// already is not an error. (The store never creates buckets: operators
// do. Tests and CI use this.)
func (c *Client) CreateBucket(ctx context.Context) error {
	resp, err := c.do(ctx, request{op: "CreateBucket", method: http.MethodPut, body: []byte{}})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && (e.Code == "BucketAlreadyOwnedByYou" || e.Code == "BucketAlreadyExists") {
			return nil
		}
		return err
	}
	resp.Body.Close()
	return nil
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
