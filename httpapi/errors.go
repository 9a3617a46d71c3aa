package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/store"
	"nodetool/workflows"
)

// Kind is the class of a failure as a client sees it. Each kind has one
// status code (the kinds table below); handlers say what went wrong, never
// which status that is.
type Kind uint8

// The kinds of failure.
const (
	Internal         Kind = iota // a failure of the server: the cause goes to the log only
	Malformed                    // the request cannot be parsed: malformed JSON, a bad parameter, id or key
	Invalid                      // a well-formed request that breaks a rule
	Unauthorized                 // no usable credentials, or refused ones
	Forbidden                    // refused whoever asks: settings in production, a foreign Host or Origin
	NotFound                     // nothing of that name for the caller, another user's objects included
	MethodNotAllowed             // the path exists, not with this method (ServeMux's answer, see JSONErrors)
	Conflict                     // clashes with what is stored: a storage key that is a folder of keys
	ReadOnly                     // exists but cannot be changed through the API: a workflow from a file
	Timeout                      // the request body did not arrive in time
	TooLarge                     // a body, an upload, a field or a decoded value over its limit
	RateLimited                  // over a job limit or a rate limit: try again shortly
	Unavailable                  // the server is shutting down, or the run was cancelled
	Upstream                     // a model server failed or could not be reached
)

// kinds is the one table of statuses: every error answer of every surface
// takes its status from here (the /v1 routes too, in OpenAI's shape). msg is
// the client's message when the error gives none.
var kinds = [...]struct {
	status int
	msg    string
}{
	Internal:         {http.StatusInternalServerError, "Internal server error"},
	Malformed:        {http.StatusBadRequest, "Bad request"},
	Invalid:          {http.StatusUnprocessableEntity, "Invalid request"},
	Unauthorized:     {http.StatusUnauthorized, "Invalid authentication token"},
	Forbidden:        {http.StatusForbidden, "Forbidden"},
	NotFound:         {http.StatusNotFound, "Not Found"},
	MethodNotAllowed: {http.StatusMethodNotAllowed, "Method Not Allowed"},
	Conflict:         {http.StatusConflict, "Conflict"},
	ReadOnly:         {http.StatusConflict, "read-only"},
	Timeout:          {http.StatusRequestTimeout, "the request body did not arrive in time (--body-timeout); nothing was done"},
	TooLarge:         {http.StatusRequestEntityTooLarge, "request too large"},
	RateLimited:      {http.StatusTooManyRequests, "too many requests; try again in a second"},
	Unavailable:      {http.StatusServiceUnavailable, "the server is shutting down"},
	Upstream:         {http.StatusBadGateway, "the model server failed"},
}

// retryAfter is the Retry-After, in seconds, of a RateLimited answer.
const retryAfter = "1"

// Status is the HTTP status of k.
func (k Kind) Status() int { return kinds[k].status }

// Error is a failure of a kind, with a message safe to show a client: it
// says what to fix and holds no internals. Err, if set, is the cause, for
// the log only.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind whose client message is the formatted
// text (which must hold nothing a client may not see).
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Classify returns the kind of err and the message a client may see. It is
// the one mapping of the packages' errors to what a client is told:
//
//	*Error                          its Kind and Msg (the kind's message when Msg is "")
//	authn.ErrMissing                Unauthorized  "Authorization header required. Use 'Authorization: Bearer <token>'."
//	authn.ErrInvalid                Unauthorized  "Invalid authentication token"
//	authn.ErrRateLimited            RateLimited   "Too many authentication attempts; try again in a second"
//	workflows.ErrNotFound           NotFound      "Workflow not found"
//	workflows.ErrReadOnly           ReadOnly      "this workflow is loaded from a file on the server and is read-only; change the file instead"
//	workflows.ErrBadCursor          Malformed     its message
//	*workflows.InvalidError         Invalid       its Msg
//	jobs.ErrBusy (*jobs.LimitError) RateLimited   the limit and its flag
//	jobs.ErrShuttingDown            Unavailable   its message
//	jobs.ErrNotFound                NotFound      "Job not found"
//	*store.BackendError             Unavailable (no answer, busy, down: worth a retry) or Upstream, what failed (its Detail)
//	store.ErrNotFound               NotFound      "Not Found"
//	store.ErrInvalidKey             Malformed     "invalid <key, kind or id>: <reason>"
//	store.ErrConflict               Conflict      "the key conflicts with an existing key: ..."
//	store.ErrTooLarge               TooLarge      "upload too large"
//	*http.MaxBytesError             TooLarge      "request body too large: the limit is N bytes (--max-body)"
//	*pyval.LimitError               Malformed (too deep) or TooLarge, its message
//	anything else                   Internal      "Internal server error"
func Classify(err error) (Kind, string) {
	var (
		e   *Error
		inv *workflows.InvalidError
		lim *jobs.LimitError
		ke  *store.KeyError
		mbe *http.MaxBytesError
		le  *pyval.LimitError
		sbe *store.BackendError
	)
	switch {
	case errors.As(err, &e):
		if e.Msg == "" {
			return e.Kind, kinds[e.Kind].msg
		}
		return e.Kind, e.Msg
	case errors.Is(err, authn.ErrMissing):
		return Unauthorized, "Authorization header required. Use 'Authorization: Bearer <token>'."
	case errors.Is(err, authn.ErrInvalid):
		return Unauthorized, "Invalid authentication token"
	case errors.Is(err, authn.ErrRateLimited):
		return RateLimited, "Too many authentication attempts; try again in a second"
	case errors.Is(err, workflows.ErrNotFound):
		return NotFound, "Workflow not found"
	case errors.Is(err, workflows.ErrReadOnly):
		return ReadOnly, "this workflow is loaded from a file on the server and is read-only; change the file instead"
	case errors.Is(err, workflows.ErrBadCursor):
		return Malformed, workflows.ErrBadCursor.Error()
	case errors.As(err, &inv):
		return Invalid, inv.Msg
	case errors.As(err, &lim):
		return RateLimited, lim.Error()
	case errors.Is(err, jobs.ErrBusy):
		return RateLimited, "too many jobs running; try again shortly"
	case errors.Is(err, jobs.ErrShuttingDown):
		return Unavailable, jobs.ErrShuttingDown.Error()
	case errors.Is(err, jobs.ErrNotFound):
		return NotFound, "Job not found"
	case errors.As(err, &sbe):
		if sbe.Unavailable() {
			return Unavailable, sbe.Detail()
		}
		return Upstream, sbe.Detail()
	case errors.Is(err, store.ErrNotFound):
		return NotFound, "Not Found"
	case errors.As(err, &ke):
		return Malformed, "invalid " + ke.What + ": " + ke.Reason
	case errors.Is(err, store.ErrInvalidKey):
		return Malformed, "invalid key"
	case errors.Is(err, store.ErrConflict):
		return Conflict, "the key conflicts with an existing key: one key cannot be both an object and a folder of others"
	case errors.Is(err, store.ErrTooLarge):
		return TooLarge, "upload too large"
	case errors.As(err, &mbe):
		return TooLarge, "request body too large: the limit is " + strconv.FormatInt(mbe.Limit, 10) + " bytes (--max-body)"
	case errors.As(err, &le):
		if le.Kind == pyval.LimitDepth {
			return Malformed, le.Error()
		}
		return TooLarge, le.Error()
	}
	return Internal, kinds[Internal].msg
}

// ClientMessage is the message a client may see for err (see Classify):
// for a WebSocket frame, which has no status.
func ClientMessage(err error) string {
	_, msg := Classify(err)
	return msg
}

// WriteError answers err: the status of its kind (Classify) and
// {"detail": <the client's message>}. An Internal error is logged with its
// cause, which the client never sees; an Upstream one, or a storage
// backend's failure, is logged at Warn.
// Unauthorized answers carry WWW-Authenticate: Bearer and Cache-Control:
// no-store; RateLimited ones Retry-After: 1 and Cache-Control: no-store.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	kind, msg := Classify(err)
	switch kind {
	case Internal:
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	case Upstream:
		log.Warn("upstream failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case Unavailable:
		if errors.Is(err, store.ErrBackend) {
			log.Warn("storage backend unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	writeKind(w, kind, msg)
}

// writeKind writes the answer of a failure of kind with the client's
// message msg (see WriteError).
func writeKind(w http.ResponseWriter, kind Kind, msg string) {
	h := w.Header()
	switch kind {
	case Unauthorized:
		h.Set("WWW-Authenticate", "Bearer")
		h.Set("Cache-Control", "no-store")
	case RateLimited:
		h.Set("Retry-After", retryAfter)
		h.Set("Cache-Control", "no-store")
	}
	writeDetail(w, kind.Status(), msg)
}

// writeDetail writes {"detail": msg} with status. < > and & are not
// escaped, so fixed bodies are byte for byte NodeTool's (its 401 says
// 'Bearer <token>').
func writeDetail(w http.ResponseWriter, status int, msg string) {
	var buf bytes.Buffer
	buf.WriteString(`{"detail":`)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(msg) // a string always encodes
	buf.Truncate(buf.Len() - 1)
	buf.WriteByte('}')
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
