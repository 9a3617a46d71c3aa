// Package vendors are the clients of two hosted media-model services that
// NodeTool's vendor nodes call: kie.ai (the kie.* nodes) and fal.ai (the
// fal.* nodes). Both run a model as an asynchronous task: the client
// submits it, polls its state until it is done, and downloads the file
// the service names.
//
// kie.ai: POST {base}/api/v1/jobs/createTask {"model", "input"} answered
// {"code": 200, "data": {"taskId"}}; GET {base}/api/v1/jobs/recordInfo?
// taskId=... until data.state is "success" (data.resultJson holds
// {"resultUrls": [...]}) or "fail"; input files go to POST
// {upload}/api/file-stream-upload (multipart: file, uploadPath, fileName)
// answered with data.downloadUrl. The key is sent as "Authorization:
// Bearer KEY".
//
// fal.ai: the queue API. POST {base}/{app} with the model's input, answered
// {"request_id"}; GET {base}/{owner}/{name}/requests/{id}/status until
// "status" is "COMPLETED"; GET {base}/{owner}/{name}/requests/{id} for the
// model's output. The key is sent as "Authorization: Key KEY". A request
// abandoned (cancelled, past its deadline) is cancelled with PUT
// .../requests/{id}/cancel.
//
// The status and result URLs are always built from the configured base URL,
// never taken from an answer, so the key only ever goes to the configured
// service. Redirects of API calls are not followed. Result files are
// fetched without the key, following redirects, bounded by the caller's
// byte limit before they are buffered; data: URIs are decoded within it.
//
// The key is the user's own (Config.UserKey, serve's per-user secrets)
// when the user stored one, else the operator's. It never appears in an
// error or a log line: this package logs nothing, keys print as REDACTED,
// and every message taken from a service is scrubbed of the key.
//
// Polling starts at the task's interval (the original node's) and grows by
// a quarter each time up to 10 s; a status request that fails in transit
// or with 429/5xx is retried up to three times in a row. The caller's
// context bounds the whole task; without a deadline of its own, a task
// waits at most 10 minutes.
package vendors

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of the clients.
const (
	// requestTimeout bounds one API call (not a download).
	requestTimeout = 60 * time.Second
	// downloadTimeout bounds one result download.
	downloadTimeout = 5 * time.Minute
	// defaultWait bounds a task whose context has no deadline.
	defaultWait = 10 * time.Minute
	// maxPoll is the longest wait between two status requests.
	maxPoll = 10 * time.Second
	// maxAnswer bounds an API answer (JSON), maxErrorBody an error answer.
	maxAnswer    = 4 << 20
	maxErrorBody = 64 << 10
	// retries is how many status requests in a row may fail in transit
	// (or with 429, 5xx) before the task is given up.
	retries = 3
)

// Caller is whom a task runs for: its cancellation and deadline, and the
// user whose key it may use (*engine.Ctx is one).
type Caller interface {
	context.Context
	UserID() string
}

// ErrNoKey is the error of a call when neither the user nor the operator
// configured a key.
var ErrNoKey = errors.New("no API key is configured")

// Error is a failure of a service or of the way to it. It names the
// service and the model, never the key.
type Error struct {
	Service string // "kie.ai" or "fal.ai"
	Model   string
	// Status is the HTTP status, or the service's own code, of the answer
	// that failed (0: no answer).
	Status  int
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := e.Service
	if e.Model != "" {
		s += " model " + e.Model
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: %d: %s", s, e.Status, e.Message)
	}
	return s + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// TooLargeError is a result file over the caller's byte limit.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the result file is over %d bytes", e.Limit)
}

// apiKey holds a key; it prints and logs as REDACTED.
type apiKey string

func (apiKey) String() string                 { return "REDACTED" }
func (apiKey) GoString() string               { return "REDACTED" }
func (apiKey) LogValue() slog.Value           { return slog.StringValue("REDACTED") }
func (k apiKey) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }

// service is what both clients share: where the service is, its keys and
// its HTTP clients.
type service struct {
	name    string // "kie.ai"
	keyName string // "KIE_API_KEY"
	base    *url.URL
	key     apiKey
	userKey func(ctx context.Context, userID string) (string, error)
	api     *http.Client // no redirects
	files   *http.Client // follows redirects, never sends the key
	poll    time.Duration
}

func newService(name, keyName, base, def, key string, userKey func(context.Context, string) (string, error), c *http.Client, poll time.Duration) (*service, error) {
	u, err := parseBase(base, def)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c == nil {
		c = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	api := *c
	api.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	api.Jar = nil
	files := *c
	files.CheckRedirect = nil
	files.Jar = nil
	return &service{name: name, keyName: keyName, base: u, key: apiKey(strings.TrimSpace(key)), userKey: userKey, api: &api, files: &files, poll: poll}, nil
}

// parseBase checks a base URL: http or https, without credentials, query
// or fragment ("" is def).
func parseBase(base, def string) (*url.URL, error) {
	base = strings.TrimSpace(base)
	if base == "" {
		base = def
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an http or https URL", base)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must have no credentials, query or fragment", base)
	}
	return u, nil
}

// url is the base URL with an escaped path appended (the caller escapes
// the values it holds) and an optional query.
func (s *service) url(base *url.URL, escapedPath string, query url.Values) string {
	u := *base
	raw := strings.TrimRight(u.EscapedPath(), "/") + escapedPath
	if p, err := url.PathUnescape(raw); err == nil {
		u.Path, u.RawPath = p, raw
	}
	u.RawQuery = query.Encode()
	return u.String()
}

// Configured reports whether calls may have a key: the operator's, or a
// user's own.
func (s *service) Configured() bool { return s.key != "" || s.userKey != nil }

// HasKey reports whether the operator configured a key.
func (s *service) HasKey() bool { return s.key != "" }

// BaseURL is the service's address, for banners.
func (s *service) BaseURL() string { return s.base.String() }

// keyFor picks the key of a call: the user's own, else the operator's.
func (s *service) keyFor(ctx Caller) (apiKey, error) {
	if s.userKey != nil && ctx.UserID() != "" {
		k, err := s.userKey(ctx, ctx.UserID())
		if err != nil {
			return "", fmt.Errorf("%s: cannot read the user's %s secret: %s", s.name, s.keyName, scrub(err.Error(), apiKey(k)))
		}
		if k = strings.TrimSpace(k); k != "" {
			return apiKey(k), nil
		}
	}
	if s.key == "" {
		return "", fmt.Errorf("%s: %w: set %s", s.name, ErrNoKey, s.keyName)
	}
	return s.key, nil
}

// KeyFor reports whether a call for ctx has a key (the user's or the
// operator's); an error reading the user's secret is returned.
func (s *service) KeyFor(ctx Caller) (bool, error) {
	_, err := s.keyFor(ctx)
	if errors.Is(err, ErrNoKey) {
		return false, nil
	}
	return err == nil, err
}

// answer is an API answer read whole.
type answer struct {
	status int
	body   []byte
}

// call sends one API request with the key and reads its answer, bounded
// by maxAnswer (or limit, when larger) and requestTimeout. body is JSON (any) or a built
// multipart form (formBody). A failure in transit is an *Error with
// Status 0; an answer with any status comes back as is.
func (s *service) call(ctx context.Context, model string, key apiKey, auth, method, target string, body any, limit ...int64) (*answer, error) {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case formBody:
		rd, ctype = bytes.NewReader(b.data), b.contentType
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, &Error{Service: s.name, Model: model, Message: "encoding the request: " + err.Error(), Err: err}
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, target, rd)
	if err != nil {
		return nil, &Error{Service: s.name, Model: model, Message: "building the request: " + scrub(err.Error(), key), Err: err}
	}
	req.Header.Set("Authorization", auth+" "+string(key))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "nodetool")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := s.api.Do(req)
	if err != nil {
		return nil, s.transportError(ctx, model, err, key)
	}
	defer resp.Body.Close()
	bound := int64(maxAnswer)
	for _, l := range limit {
		bound = maxOf(bound, l)
	}
	if resp.StatusCode/100 != 2 {
		bound = maxErrorBody
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, bound+1))
	if err != nil {
		return nil, s.transportError(ctx, model, err, key)
	}
	if int64(len(b)) > bound {
		if resp.StatusCode/100 == 2 {
			return nil, &Error{Service: s.name, Model: model, Status: resp.StatusCode, Message: fmt.Sprintf("the answer is larger than %d bytes", bound)}
		}
		b = b[:bound]
	}
	return &answer{status: resp.StatusCode, body: b}, nil
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// transportError explains a request that got no (whole) answer: the
// caller's cancellation or deadline as its cause, else what failed, with
// the host only (never the URL's query) and no key.
func (s *service) transportError(ctx context.Context, model string, err error, key apiKey) error {
	if ctx.Err() != nil {
		return &Error{Service: s.name, Model: model, Message: ctxMessage(ctx), Err: context.Cause(ctx)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("no answer within %s", requestTimeout)
	}
	return &Error{Service: s.name, Model: model, Message: "cannot reach " + s.base.Host + ": " + shown(msg, key), Err: errTransit}
}

// errTransit marks a failure in transit (worth retrying while polling).
var errTransit = errors.New("in transit")

func ctxMessage(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "timed out"
	}
	return "canceled"
}

// retryable reports whether a failed status request may be retried.
func retryable(err error, a *answer) bool {
	if err != nil {
		return errors.Is(err, errTransit)
	}
	return a.status == http.StatusTooManyRequests || a.status/100 == 5
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nextPoll is the wait after d: a quarter longer, at most maxPoll (or d,
// when d is longer).
func nextPoll(d time.Duration) time.Duration {
	return max(d, min(d+d/4, maxPoll))
}

// withWait bounds ctx by defaultWait when it has no deadline.
func withWait(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, defaultWait)
}

// formBody is a request body built by the caller (multipart).
type formBody struct {
	contentType string
	data        []byte
}

// multipartForm builds a form of fields then one file part.
func multipartForm(fileField, fileName string, data []byte, fields ...[2]string) (formBody, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile(fileField, fileName)
	if err == nil {
		_, err = part.Write(data)
	}
	for _, f := range fields {
		if err == nil {
			err = w.WriteField(f[0], f[1])
		}
	}
	if err == nil {
		err = w.Close()
	}
	return formBody{contentType: w.FormDataContentType(), data: buf.Bytes()}, err
}

// download returns the file at target, at most limit bytes: an http(s)
// URL fetched without the key (redirects followed), or a data: URI. A
// file over limit fails with *TooLargeError before it is buffered when
// its size is announced, else as soon as the read passes limit.
func (s *service) download(ctx context.Context, model, target string, limit int64, key apiKey) ([]byte, error) {
	fail := func(status int, msg string, err error) error {
		return &Error{Service: s.name, Model: model, Status: status, Message: scrub(msg, key), Err: err}
	}
	if strings.HasPrefix(target, "data:") {
		return dataURI(target, limit, fail)
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fail(0, fmt.Sprintf("the result URL %q is not an http(s) URL", excerpt(target)), err)
	}
	where := u.Scheme + "://" + u.Host + u.EscapedPath()
	rctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(0, "building the download request: "+err.Error(), err)
	}
	req.Header.Set("User-Agent", "nodetool")
	resp, err := s.files.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fail(0, "downloading the result: "+ctxMessage(ctx), context.Cause(ctx))
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fail(0, "downloading "+excerpt(where)+": "+excerpt(err.Error()), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fail(resp.StatusCode, "downloading "+excerpt(where)+": "+strings.ToLower(http.StatusText(resp.StatusCode)), nil)
	}
	if limit > 0 && resp.ContentLength > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	rd := io.Reader(resp.Body)
	if limit > 0 {
		rd = io.LimitReader(resp.Body, limit+1)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fail(0, "downloading the result: "+ctxMessage(ctx), context.Cause(ctx))
		}
		return nil, fail(0, "downloading "+excerpt(where)+": "+excerpt(err.Error()), err)
	}
	if limit > 0 && int64(len(b)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return b, nil
}

// dataURI decodes a base64 data: URI (as fal answers in sync mode), its
// decoded size checked against limit before decoding.
func dataURI(uri string, limit int64, fail func(int, string, error) error) ([]byte, error) {
	meta, payload, ok := strings.Cut(strings.TrimPrefix(uri, "data:"), ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, fail(0, "the result is a data: URI that is not base64", nil)
	}
	if n := int64(base64.StdEncoding.DecodedLen(len(payload))); limit > 0 && n > limit+2 {
		return nil, &TooLargeError{Limit: limit}
	}
	b, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return nil, fail(0, "the result's data: URI is malformed", err)
	}
	if limit > 0 && int64(len(b)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return b, nil
}

// scrub removes the key from s.
func scrub(s string, key apiKey) string {
	if key != "" {
		s = strings.ReplaceAll(s, string(key), "[redacted]")
	}
	return s
}

// shown is text from a service as an error shows it: an excerpt, without
// the key (scrubbed before, and again after dropping unprintable runes,
// which could join one).
func shown(s string, key apiKey) string {
	return scrub(excerpt(scrub(s, key)), key)
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

// number reads a JSON number or numeric string (kie's "code").
func number(raw json.RawMessage) (int, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if i, err := strconv.Atoi(n.String()); err == nil {
			return i, true
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if i, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return i, true
		}
	}
	return 0, false
}
