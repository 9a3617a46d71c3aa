package s3

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// GetInput qualifies a GetObject.
type GetInput struct {
	// Range is an HTTP range of one part, "bytes=0-9", "bytes=10-" or
	// "bytes=-5"; "" for the whole object.
	Range string
	// IfMatch fails the call with 412 unless the object's ETag is this
	// (reads that continue an earlier one use it, so that they never mix
	// two versions of an object).
	IfMatch string
	// IfNoneMatch fails the call with 304 if the object's ETag is this.
	IfNoneMatch string
}

// GetOutput is an object being read.
type GetOutput struct {
	// Body holds Length bytes of the object from Start. A read fails with
	// an *Error if the service stops sending for the client's idle timeout
	// or ends the body early. The caller closes it.
	Body          io.ReadCloser
	Info          ObjectInfo // Info.Size is the whole object's size
	Start, Length int64
}

// GetObject reads key, or the part of it in.Range. A missing object is an
// *Error with NotFound; a range past the end one with status 416.
func (c *Client) GetObject(ctx context.Context, key string, in GetInput) (*GetOutput, error) {
	h := http.Header{}
	if in.Range != "" {
		h.Set("Range", in.Range)
	}
	if in.IfMatch != "" {
		h.Set("If-Match", in.IfMatch)
	}
	if in.IfNoneMatch != "" {
		h.Set("If-None-Match", in.IfNoneMatch)
	}
	rctx, cancel := context.WithCancel(ctx)
	resp, err := c.do(rctx, request{op: "GetObject", method: http.MethodGet, key: key, header: h})
	if err != nil {
		cancel()
		return nil, err
	}
	out := &GetOutput{Info: info(key, resp.Header)}
	fail := func(msg string) (*GetOutput, error) {
		resp.Body.Close()
		cancel()
		return nil, &Error{Op: "GetObject", Key: key, Status: resp.StatusCode, Code: "MalformedResponse", Message: msg}
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if resp.ContentLength < 0 {
			return fail("no Content-Length")
		}
		out.Start, out.Length, out.Info.Size = 0, resp.ContentLength, resp.ContentLength
	case http.StatusPartialContent:
		start, end, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || resp.ContentLength != end-start+1 {
			return fail("a 206 answer without a Content-Range that matches its length")
		}
		out.Start, out.Length, out.Info.Size = start, end-start+1, size
	default:
		return fail("unexpected status " + strconv.Itoa(resp.StatusCode))
	}
	out.Body = newIdleBody(resp.Body, cancel, c.idle, key)
	return out, nil
}

// parseContentRange reads "bytes START-END/SIZE".
func parseContentRange(s string) (start, end, size int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, total, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	size, err3 = strconv.ParseInt(total, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || start < 0 || end < start || end >= size {
		return 0, 0, 0, false
	}
	return start, end, size, true
}

// idleBody is a response body that fails when no byte arrives for idle:
// a timer, pushed back by every read, cancels the request.
type idleBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	idle   time.Duration
	key    string

	mu      sync.Mutex
	timer   *time.Timer
	stalled bool
}

func newIdleBody(rc io.ReadCloser, cancel context.CancelFunc, idle time.Duration, key string) *idleBody {
	b := &idleBody{rc: rc, cancel: cancel, idle: idle, key: key}
	b.timer = time.AfterFunc(idle, b.stall)
	return b
}

func (b *idleBody) stall() {
	b.mu.Lock()
	b.stalled = true
	b.mu.Unlock()
	b.cancel()
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.idle)
	}
	if err == nil || err == io.EOF {
		return n, err
	}
	b.mu.Lock()
	stalled := b.stalled
	b.mu.Unlock()
	switch {
	case stalled:
		return n, &Error{Op: "GetObject", Key: b.key, Status: http.StatusOK, Code: "Stalled", Message: "the body stopped arriving", Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return n, &Error{Op: "GetObject", Key: b.key, Status: http.StatusOK, Code: "IncompleteBody", Message: "the body ended early", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return n, err
	}
	return n, &Error{Op: "GetObject", Key: b.key, Status: http.StatusOK, Code: "IncompleteBody", Err: err}
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel()
	return err
}
