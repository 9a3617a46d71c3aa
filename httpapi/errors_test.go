package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/lang/pyval"
	"nodetool/store"
	"nodetool/workflows"
)

// TestErrorTable answers each package's errors through WriteError and
// checks status, body and headers: the one table every surface uses.
func TestErrorTable(t *testing.T) {
	const secret = "/var/lib/nodetool/secret-path"
	_, decodeErr := pyval.DecodeLimits([]byte(`[1,2,3,4,5]`), pyval.Limits{MaxItems: 2})
	cases := []struct {
		name   string
		err    error
		status int
		body   string
		header string // "Name: value" the answer must carry, if any
	}{
		{"missing token", fmt.Errorf("authn: %w: no header", authn.ErrMissing), 401,
			`{"detail":"Authorization header required. Use 'Authorization: Bearer <token>'."}`, "WWW-Authenticate: Bearer"},
		{"invalid token", authn.ErrInvalid, 401, `{"detail":"Invalid authentication token"}`, "Cache-Control: no-store"},
		{"auth rate limit", authn.ErrRateLimited, 429, `{"detail":"Too many authentication attempts; try again in a second"}`, "Retry-After: 1"},
		{"auth rate limit, not cached", authn.ErrRateLimited, 429, `{"detail":"Too many authentication attempts; try again in a second"}`, "Cache-Control: no-store"},
		{"workflow not found", workflows.ErrNotFound, 404, `{"detail":"Workflow not found"}`, ""},
		{"workflow read-only", fmt.Errorf("save: %w", workflows.ErrReadOnly), 409,
			`{"detail":"this workflow is loaded from a file on the server and is read-only; change the file instead"}`, ""},
		{"bad cursor", workflows.ErrBadCursor, 400, `{"detail":"invalid cursor: pass the next value of a previous page"}`, ""},
		{"invalid workflow", &workflows.InvalidError{Msg: `field "name" must be a string`}, 422, `{"detail":"field \"name\" must be a string"}`, ""},
		{"job limit", &jobs.LimitError{Limit: 4}, 429,
			`{"detail":"too many jobs running: at most 4 at once on this server (--max-jobs); try again shortly"}`, "Retry-After: 1"},
		{"shutting down", jobs.ErrShuttingDown, 503, `{"detail":"the server is shutting down: no new job is started"}`, ""},
		{"job not found", jobs.ErrNotFound, 404, `{"detail":"Job not found"}`, ""},
		{"blob not found", fmt.Errorf("open: %w", store.ErrNotFound), 404, `{"detail":"Not Found"}`, ""},
		{"bad key", &store.KeyError{What: "key", Reason: "key must not be empty"}, 400, `{"detail":"invalid key: key must not be empty"}`, ""},
		{"key conflict", store.ErrConflict, 409, `{"detail":"the key conflicts with an existing key: one key cannot be both an object and a folder of others"}`, ""},
		{"body too large", &http.MaxBytesError{Limit: 1024}, 413, `{"detail":"request body too large: the limit is 1024 bytes (--max-body)"}`, ""},
		{"decoded too large", decodeErr, 413, `{"detail":"` + decodeErr.Error() + `"}`, ""},
		{"kinded", Errorf(Invalid, "a <b> & c"), 422, `{"detail":"a <b> & c"}`, ""},
		{"kind without message", &Error{Kind: Timeout}, 408, `{"detail":"the request body did not arrive in time (--body-timeout); nothing was done"}`, ""},
		{"upstream", &Error{Kind: Upstream, Msg: "ollama at http://127.0.0.1:11434 is unreachable", Err: errors.New(secret)}, 502,
			`{"detail":"ollama at http://127.0.0.1:11434 is unreachable"}`, ""},
		{"internal", fmt.Errorf("editor: write %s: %w", secret, errors.New("disk full")), 500, `{"detail":"Internal server error"}`, ""},
	}
	for _, c := range cases {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		w := httptest.NewRecorder()
		WriteError(w, httptest.NewRequest("GET", "/x", nil), log, c.err)
		if w.Code != c.status || w.Body.String() != c.body {
			t.Errorf("%s: WriteError(%q) = %d %s, want %d %s", c.name, c.err, w.Code, w.Body, c.status, c.body)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type = %q, want application/json", c.name, ct)
		}
		if name, value, ok := strings.Cut(c.header, ": "); ok && w.Header().Get(name) != value {
			t.Errorf("%s: %s = %q, want %q", c.name, name, w.Header().Get(name), value)
		}
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("%s: the body shows the cause: %s", c.name, w.Body)
		}
		if (c.status == 500 || c.status == 502) && !strings.Contains(logs.String(), secret) {
			t.Errorf("%s: the log does not hold the cause: %s", c.name, logs.String())
		}
	}
}

// TestEveryKindHasAStatus: a kind added without its row in the table would
// answer status 0.
func TestEveryKindHasAStatus(t *testing.T) {
	for k := Internal; k <= Upstream; k++ {
		if k.Status() < 400 || kinds[k].msg == "" {
			t.Errorf("kind %d: status %d, message %q", k, k.Status(), kinds[k].msg)
		}
	}
	if int(Upstream) != len(kinds)-1 {
		t.Errorf("Upstream = %d, want the last of %d kinds", Upstream, len(kinds))
	}
}
