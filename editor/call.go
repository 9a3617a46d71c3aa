package editor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"nodetool/authn"
	"nodetool/httpapi"
)

// One implementation, several front doors
//
// The tRPC API (trpc.go) and the RPC commands of /ws (ws_rpc.go) answer
// through the REST routes' own handlers, called in-process: the same
// store, the same checks (ownership by the caller's id from the context,
// body limits, validation) and the same answers, reshaped where the
// current client expects another shape. inner is a mux of the REST routes
// without their access wrappers: the caller has authenticated already
// (the /trpc route, or the socket's handshake) and its user is in the
// context.

// innerMux builds the mux of the REST routes for in-process calls.
func (s *Server) innerMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		if rt.Handler == nil || rt.Access == httpapi.WebSocket || rt.Access == httpapi.Public ||
			strings.Contains(rt.Pattern, " /trpc") {
			continue
		}
		mux.HandleFunc(rt.Pattern, rt.Handler)
	}
	return mux
}

// recorder keeps a handler's answer in memory.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// call runs the REST route method path?query in-process, as the user in
// ctx, with body (nil, raw JSON bytes, or a value to encode as JSON). It
// returns the answer's JSON on success, or an *httpapi.Error of the kind
// the status says with the answer's detail.
func (s *Server) call(ctx context.Context, method, path string, query url.Values, body any) (json.RawMessage, error) {
	if s.inner == nil {
		return nil, errors.New("editor: in-process call before Register")
	}
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case json.RawMessage:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			return nil, err
		}
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	r, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(data))
	if err != nil {
		return nil, malformed("invalid path %s", strconv.Quote(path))
	}
	if data != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Host = "localhost"
	rec := &recorder{h: http.Header{}}
	s.inner.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 200 && rec.status < 300 {
		out := rec.body.Bytes()
		if len(bytes.TrimSpace(out)) == 0 {
			out = []byte("null")
		}
		return out, nil
	}
	return nil, statusError(rec.status, rec.body.Bytes())
}

// statusError turns a REST error answer back into the error table's kind
// and the answer's detail.
func statusError(status int, body []byte) error {
	var e struct {
		Detail any `json:"detail"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		switch d := e.Detail.(type) {
		case string:
			msg = d
		case nil:
		default:
			b, _ := json.Marshal(d)
			msg = string(b)
		}
	}
	return &httpapi.Error{Kind: kindOf(status), Msg: msg}
}

// kindOf is the error table's kind for a status (httpapi's table read
// backwards; a status the table has twice is its first kind).
func kindOf(status int) httpapi.Kind {
	for k := httpapi.Internal; k <= httpapi.Upstream; k++ {
		if k.Status() == status {
			return k
		}
	}
	if status >= 400 && status < 500 {
		return httpapi.Malformed
	}
	return httpapi.Internal
}

// asUser returns ctx carrying user, for calls made for a socket's user.
func asUser(ctx context.Context, user string) context.Context {
	return authn.WithUser(ctx, user)
}
