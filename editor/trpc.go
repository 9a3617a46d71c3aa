package editor

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"nodetool/authn"
	"nodetool/httpapi"
)

// The tRPC API at /trpc, as NodeTool's current web client calls it (its
// httpBatchLink): GET or POST /trpc/<proc>[,<proc>...] with ?batch=1 and
// the inputs keyed by index ({"0": input, ...}: the JSON body of a POST,
// the "input" parameter of a GET); without batch=1, one procedure and its
// input as the body or parameter. Queries may come by POST (the client's
// methodOverride); a mutation by GET is refused (METHOD_NOT_SUPPORTED).
// Inputs and results are plain JSON; an input wrapped as superjson writes
// it ({"json": ..., "meta": ...}) is unwrapped, and the answers of that
// request are wrapped the same way.
//
// Each procedure answers {"result":{"data": ...}} or tRPC's error shape
// {"error":{"message", "code" (JSON-RPC), "data":{"code", "httpStatus",
// "path", "apiCode": null, "zodError": null}}}, whose status comes from the
// one error table (httpapi: kinds and their statuses; the tRPC code is the
// one of that status). A batch answers a JSON array in the order asked,
// with the status all its answers share, or 207. A procedure this server
// does not offer answers NOT_FOUND naming it. Procedures run through the
// REST routes' handlers (call.go) with the caller's identity: the same
// store, ownership checks and limits as REST. The procedures are in
// trpc_procs.go.

// maxTRPCBatch bounds the procedures of one request (the client sends at
// most 50 per batch).
const maxTRPCBatch = 100

// trpcConcurrency bounds the procedures of one batch running at once.
const trpcConcurrency = 4

// procedure is one tRPC procedure.
type procedure struct {
	mutation bool
	fn       func(c *trpcCall) (any, error)
}

// trpcCall is one procedure call of a request.
type trpcCall struct {
	s     *Server
	ctx   context.Context // the request's, with the caller
	user  string
	path  string
	input json.RawMessage // nil when the client sent none
}

// decode reads the call's input into v (an absent input leaves v as it
// is). Unknown fields are ignored.
func (c *trpcCall) decode(v any) error {
	if isNull(c.input) {
		return nil
	}
	return decodeJSON(c.input, v)
}

// rest calls a REST route of the editor for the caller (call.go).
func (c *trpcCall) rest(method, path string, q map[string]string, body any) (json.RawMessage, error) {
	return c.s.call(c.ctx, method, path, urlValues(q), body)
}

// trpcCodes maps the statuses of the error table to tRPC's codes and
// their JSON-RPC numbers.
var trpcCodes = map[int]struct {
	name string
	num  int
}{
	400: {"BAD_REQUEST", -32600}, 401: {"UNAUTHORIZED", -32001}, 403: {"FORBIDDEN", -32003},
	404: {"NOT_FOUND", -32004}, 405: {"METHOD_NOT_SUPPORTED", -32005}, 408: {"TIMEOUT", -32008},
	409: {"CONFLICT", -32009}, 413: {"PAYLOAD_TOO_LARGE", -32013}, 422: {"UNPROCESSABLE_CONTENT", -32022},
	429: {"TOO_MANY_REQUESTS", -32029}, 500: {"INTERNAL_SERVER_ERROR", -32603}, 502: {"BAD_GATEWAY", -32603},
	503: {"SERVICE_UNAVAILABLE", -32603},
}

// trpcAnswer is one procedure's answer: its JSON envelope and status.
type trpcAnswer struct {
	body   []byte
	status int
}

func (s *Server) trpc(w http.ResponseWriter, r *http.Request) {
	names := strings.Split(r.PathValue("procs"), ",")
	batch := r.URL.Query().Get("batch") == "1" || r.URL.Query().Get("batch") == "true"
	if len(names) > maxTRPCBatch {
		s.fail(w, r, httpapi.Errorf(httpapi.TooLarge, "a batch may call at most %d procedures", maxTRPCBatch))
		return
	}
	if !batch && len(names) > 1 {
		s.fail(w, r, malformed("several procedures need ?batch=1"))
		return
	}
	var raw []byte
	if r.Method == http.MethodGet {
		raw = []byte(r.URL.Query().Get("input"))
	} else {
		body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
		if !ok {
			return
		}
		raw = body
	}
	inputs := make([]json.RawMessage, len(names))
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := httpapi.CheckJSON(raw); err != nil {
			s.trpcFail(w, r, names, batch, httpapi.DecodeError(err))
			return
		}
		if batch {
			var byIndex map[string]json.RawMessage
			if err := json.Unmarshal(raw, &byIndex); err != nil {
				s.trpcFail(w, r, names, batch, malformed(`a batch's input must be an object keyed by index: {"0": ...}`))
				return
			}
			for i := range names {
				inputs[i] = byIndex[strconv.Itoa(i)]
			}
		} else {
			inputs[0] = raw
		}
	}
	superjson := false
	for i, in := range inputs {
		if v, ok := unwrapSuperjson(in); ok {
			inputs[i], superjson = v, true
		}
	}
	user := authn.UserID(r.Context())
	answers := make([]trpcAnswer, len(names))
	run := func(i int) {
		answers[i] = s.trpcOne(&trpcCall{s: s, ctx: r.Context(), user: user, path: names[i], input: inputs[i]}, r.Method, superjson)
	}
	if len(names) == 1 {
		run(0)
	} else {
		var wg sync.WaitGroup
		sem := make(chan struct{}, trpcConcurrency)
		for i := range names {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				run(i)
			})
		}
		wg.Wait()
	}
	status := answers[0].status
	var out bytes.Buffer
	if batch {
		out.WriteByte('[')
		for i, a := range answers {
			if i > 0 {
				out.WriteByte(',')
			}
			out.Write(a.body)
			if a.status != status {
				status = http.StatusMultiStatus
			}
		}
		out.WriteByte(']')
	} else {
		out.Write(answers[0].body)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(out.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(out.Bytes())
}

// trpcFail answers a request that could not be read: every procedure
// gets the error.
func (s *Server) trpcFail(w http.ResponseWriter, r *http.Request, names []string, batch bool, err error) {
	var out bytes.Buffer
	status := 0
	if batch {
		out.WriteByte('[')
	}
	for i, name := range names {
		if i > 0 {
			out.WriteByte(',')
		}
		a := s.trpcError(name, err, false)
		out.Write(a.body)
		status = a.status
	}
	if batch {
		out.WriteByte(']')
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(out.Bytes())
}

// trpcOne runs one procedure and returns its envelope.
func (s *Server) trpcOne(c *trpcCall, method string, superjson bool) trpcAnswer {
	p, ok := s.procs[c.path]
	if !ok || strings.HasPrefix(c.path, "rpc.") {
		return s.trpcError(c.path, httpapi.Errorf(httpapi.NotFound,
			"No procedure found on path %q: this server (nodetool serve) does not offer it", c.path), superjson)
	}
	if p.mutation && method == http.MethodGet {
		return s.trpcError(c.path, httpapi.Errorf(httpapi.MethodNotAllowed,
			"%s is a mutation: send it by POST", c.path), superjson)
	}
	v, err := p.fn(c)
	if err != nil {
		return s.trpcError(c.path, err, superjson)
	}
	data, ok := v.(json.RawMessage)
	if !ok {
		if data, err = json.Marshal(v); err != nil {
			return s.trpcError(c.path, err, superjson)
		}
	}
	var b bytes.Buffer
	b.Grow(len(data) + 32)
	b.WriteString(`{"result":{"data":`)
	if superjson {
		b.WriteString(`{"json":`)
		b.Write(data)
		b.WriteByte('}')
	} else {
		b.Write(data)
	}
	b.WriteString(`}}`)
	return trpcAnswer{body: b.Bytes(), status: http.StatusOK}
}

// trpcError is tRPC's error envelope for err, classified by the error
// table; an internal error's cause goes to the log only.
func (s *Server) trpcError(path string, err error, superjson bool) trpcAnswer {
	kind, msg := httpapi.Classify(err)
	if kind == httpapi.Internal {
		s.log.Error("internal error", "trpc", path, "err", err)
	}
	status := kind.Status()
	code, ok := trpcCodes[status]
	if !ok {
		code = trpcCodes[500]
	}
	shape := map[string]any{"message": msg, "code": code.num, "data": map[string]any{
		"code": code.name, "httpStatus": status, "path": path, "apiCode": nil, "zodError": nil}}
	var env any = map[string]any{"error": shape}
	if superjson {
		env = map[string]any{"error": map[string]any{"json": shape}}
	}
	b, _ := json.Marshal(env)
	return trpcAnswer{body: b, status: status}
}

// unwrapSuperjson returns the value of a superjson-encoded input
// ({"json": v, "meta": ...}); ok is false for a plain input.
func unwrapSuperjson(in json.RawMessage) (json.RawMessage, bool) {
	t := bytes.TrimSpace(in)
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(t, []byte(`"json"`)) {
		return in, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(t, &m) != nil {
		return in, false
	}
	v, ok := m["json"]
	if !ok {
		return in, false
	}
	for k := range m {
		if k != "json" && k != "meta" {
			return in, false
		}
	}
	return v, true
}
