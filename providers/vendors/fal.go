package vendors

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultFalURL is fal.ai's queue API.
const DefaultFalURL = "https://queue.fal.run"

// cancelTimeout bounds the request that cancels an abandoned fal request.
const cancelTimeout = 5 * time.Second

// FalConfig configures a Fal client.
type FalConfig struct {
	// BaseURL is fal.ai's queue API ("": DefaultFalURL).
	BaseURL string
	// Key is the operator's FAL_API_KEY ("" for none).
	Key string
	// UserKey, when set, returns the key the user stored among their own
	// secrets ("" for none); it is asked first.
	UserKey func(ctx context.Context, userID string) (string, error)
	// Client carries the requests (nil: a client of its own).
	Client *http.Client
	// Poll, when set, replaces each request's first wait between status
	// requests (tests).
	Poll time.Duration
}

// Fal is a fal.ai queue client. It is safe for concurrent use.
type Fal struct {
	*service
}

// NewFal checks cfg and returns its client.
func NewFal(cfg FalConfig) (*Fal, error) {
	s, err := newService("fal.ai", "FAL_API_KEY", cfg.BaseURL, DefaultFalURL, cfg.Key, cfg.UserKey, cfg.Client, cfg.Poll)
	if err != nil {
		return nil, err
	}
	return &Fal{service: s}, nil
}

// String prints the client without its key.
func (f *Fal) String() string { return "vendors.Fal(" + f.base.String() + ")" }

// FalRequest is one model request: the model's endpoint and its input.
type FalRequest struct {
	// App is the endpoint, "owner/name" with an optional sub-path
	// ("fal-ai/nano-banana-2", "fal-ai/flux/dev").
	App   string
	Input map[string]any
	// Poll is the first wait between two status requests (0: 1 s).
	Poll time.Duration
	// MaxOutput bounds the output's JSON (0: 4 MiB); an output holding its
	// files as data: URIs (sync_mode) needs about 4/3 of their size.
	MaxOutput int64
}

// FalResult is a finished request's output.
type FalResult struct {
	RequestID string
	Output    json.RawMessage // the model's output object
}

// Run submits a request to the queue, polls its status until it is
// completed and returns its output. ctx bounds all of it; a request
// abandoned before it completes is cancelled.
func (f *Fal) Run(ctx Caller, r FalRequest) (*FalResult, error) {
	key, err := f.keyFor(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := withWait(ctx)
	defer cancel()
	input := r.Input
	if input == nil {
		input = map[string]any{}
	}
	a, err := f.call(wctx, r.App, key, "Key", http.MethodPost, f.url(f.base, "/"+r.App, nil), input)
	if err != nil {
		return nil, err
	}
	if err := f.check(a, r.App, key, "submitting"); err != nil {
		return nil, err
	}
	var sub struct {
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(a.body, &sub) != nil || sub.RequestID == "" || key != "" && strings.Contains(sub.RequestID, string(key)) {
		return nil, &Error{Service: f.name, Model: r.App, Status: a.status, Message: "the answer holds no request_id: " + shown(string(a.body), key)}
	}
	id := sub.RequestID
	// Status and result live under the app's owner/name, without the
	// sub-path the request was submitted to.
	app := r.App
	if parts := strings.SplitN(app, "/", 3); len(parts) == 3 {
		app = parts[0] + "/" + parts[1]
	}
	reqPath := "/" + app + "/requests/" + url.PathEscape(id)
	if err := f.wait(wctx, key, r, id, reqPath); err != nil {
		if wctx.Err() != nil {
			f.cancel(ctx, key, reqPath)
		}
		return nil, err
	}
	a, err = f.call(wctx, r.App, key, "Key", http.MethodGet, f.url(f.base, reqPath, nil), nil, r.MaxOutput)
	if err != nil {
		return nil, err
	}
	if err := f.check(a, r.App, key, "request "+id); err != nil {
		return nil, err
	}
	if !json.Valid(a.body) {
		return nil, &Error{Service: f.name, Model: r.App, Status: a.status, Message: "request " + id + ": the result is not JSON"}
	}
	return &FalResult{RequestID: id, Output: a.body}, nil
}

// wait polls the request's status until it is completed.
func (f *Fal) wait(ctx context.Context, key apiKey, r FalRequest, id, reqPath string) error {
	poll := r.Poll
	if f.poll > 0 {
		poll = f.poll
	}
	if poll <= 0 {
		poll = time.Second
	}
	target := f.url(f.base, reqPath+"/status", nil)
	status, failed := "", 0
	for {
		a, err := f.call(ctx, r.App, key, "Key", http.MethodGet, target, nil)
		if ctx.Err() != nil {
			return f.unfinished(ctx, r.App, id, status)
		}
		if (err != nil || a.status/100 != 2) && retryable(err, a) && failed < retries {
			failed++
		} else {
			if err != nil {
				return err
			}
			failed = 0
			var done bool
			if done, status, err = f.status(a, r.App, id, key); err != nil || done {
				return err
			}
		}
		if sleep(ctx, poll) != nil {
			return f.unfinished(ctx, r.App, id, status)
		}
		poll = nextPoll(poll)
	}
}

// status reads a status answer: whether the request completed, its
// status, or its failure.
func (f *Fal) status(a *answer, model, id string, key apiKey) (done bool, status string, err error) {
	if err := f.check(a, model, key, "request "+id); err != nil {
		return false, "", err
	}
	var st struct {
		Status    string          `json:"status"`
		Error     json.RawMessage `json:"error"`
		ErrorType string          `json:"error_type"`
	}
	if err := json.Unmarshal(a.body, &st); err != nil {
		return false, "", &Error{Service: f.name, Model: model, Message: "request " + id + ": malformed status: " + excerpt(err.Error())}
	}
	status = shown(st.Status, key)
	if msg := errorText(st.Error); msg != "" {
		return false, status, f.failed(model, id, msg, st.ErrorType, key)
	}
	switch st.Status {
	case "COMPLETED":
		return true, status, nil
	case "IN_QUEUE", "IN_PROGRESS":
		return false, status, nil
	}
	return false, status, f.failed(model, id, "status "+status, st.ErrorType, key)
}

func (f *Fal) failed(model, id, msg, errorType string, key apiKey) error {
	m := "request " + id + " failed: " + shown(msg, key)
	if errorType != "" {
		m += " (" + shown(errorType, key) + ")"
	}
	return &Error{Service: f.name, Model: model, Message: m}
}

// unfinished is the error of a request whose wait ended first.
func (f *Fal) unfinished(ctx context.Context, model, id, status string) error {
	m := "request " + id + " was not completed"
	if status != "" {
		m += " (status " + status + ")"
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		m += " when its time ran out"
	} else {
		m += ": canceled"
	}
	return &Error{Service: f.name, Model: model, Message: m, Err: context.Cause(ctx)}
}

// cancel asks fal.ai to drop an abandoned request (best effort: its
// answer is not read).
func (f *Fal) cancel(ctx context.Context, key apiKey, reqPath string) {
	cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer stop()
	_, _ = f.call(cctx, "", key, "Key", http.MethodPut, f.url(f.base, reqPath+"/cancel", nil), nil)
}

// check fails an answer with an error status, with fal.ai's message: its
// "detail" (a string, or a list of {"msg", "loc"} for invalid input) and
// "error_type".
func (f *Fal) check(a *answer, model string, key apiKey, what string) error {
	if a.status/100 == 2 {
		return nil
	}
	var body struct {
		Detail    json.RawMessage `json:"detail"`
		Error     json.RawMessage `json:"error"`
		ErrorType string          `json:"error_type"`
	}
	msg := strings.ToLower(http.StatusText(a.status))
	if json.Unmarshal(a.body, &body) == nil {
		if d := errorText(body.Detail); d != "" {
			msg = d
		} else if d := errorText(body.Error); d != "" {
			msg = d
		}
		if body.ErrorType != "" {
			msg += " (" + body.ErrorType + ")"
		}
	} else if len(a.body) > 0 {
		msg = string(a.body)
	}
	if a.status == http.StatusUnauthorized || a.status == http.StatusForbidden {
		msg = "unauthorized (check FAL_API_KEY): " + msg
	}
	return &Error{Service: f.name, Model: model, Status: a.status, Message: what + ": " + shown(msg, key)}
}

// errorText reads an error field: a string, an object with "message" or
// "msg", or a list of those (joined with "; ").
func errorText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	type item struct {
		Msg     string `json:"msg"`
		Message string `json:"message"`
		Loc     []any  `json:"loc"`
	}
	text := func(it item) string {
		m := it.Msg
		if m == "" {
			m = it.Message
		}
		if len(it.Loc) > 0 && m != "" {
			parts := make([]string, 0, len(it.Loc))
			for _, l := range it.Loc {
				if ls, ok := l.(string); ok {
					parts = append(parts, ls)
				}
			}
			if len(parts) > 0 {
				m = strings.Join(parts, ".") + ": " + m
			}
		}
		return m
	}
	var one item
	if json.Unmarshal(raw, &one) == nil {
		if m := text(one); m != "" {
			return m
		}
	}
	var list []item
	if json.Unmarshal(raw, &list) == nil {
		var msgs []string
		for _, it := range list {
			if m := text(it); m != "" {
				msgs = append(msgs, m)
			}
		}
		return strings.Join(msgs, "; ")
	}
	return excerpt(string(raw))
}

// Download returns the file a result names (an http(s) URL, fetched
// without the key, or a data: URI), at most limit bytes (0: no bound).
func (f *Fal) Download(ctx Caller, model, target string, limit int64) ([]byte, error) {
	key, _ := f.keyFor(ctx) // only to keep it out of messages
	return f.download(ctx, model, target, limit, key)
}
