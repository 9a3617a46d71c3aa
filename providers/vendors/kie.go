package vendors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// kie.ai's addresses.
const (
	DefaultKieURL       = "https://api.kie.ai"
	DefaultKieUploadURL = "https://kieai.redpandaai.co"
)

// KieConfig configures a Kie client.
type KieConfig struct {
	// BaseURL is kie.ai's API ("": DefaultKieURL).
	BaseURL string
	// UploadURL is its file upload service ("": DefaultKieUploadURL when
	// BaseURL is kie.ai's own, else BaseURL: a proxy or a test server
	// serves both).
	UploadURL string
	// Key is the operator's KIE_API_KEY ("" for none).
	Key string
	// UserKey, when set, returns the key the user stored among their own
	// secrets ("" for none); it is asked first.
	UserKey func(ctx context.Context, userID string) (string, error)
	// Client carries the requests (nil: a client of its own).
	Client *http.Client
	// Poll, when set, replaces each task's first wait between status
	// requests (tests).
	Poll time.Duration
}

// Kie is a kie.ai client. It is safe for concurrent use.
type Kie struct {
	*service
	upload *url.URL
}

// NewKie checks cfg and returns its client.
func NewKie(cfg KieConfig) (*Kie, error) {
	s, err := newService("kie.ai", "KIE_API_KEY", cfg.BaseURL, DefaultKieURL, cfg.Key, cfg.UserKey, cfg.Client, cfg.Poll)
	if err != nil {
		return nil, err
	}
	up := cfg.UploadURL
	if strings.TrimSpace(up) == "" && s.base.String() != DefaultKieURL {
		up = s.base.String()
	}
	u, err := parseBase(up, DefaultKieUploadURL)
	if err != nil {
		return nil, fmt.Errorf("kie.ai upload: %w", err)
	}
	return &Kie{service: s, upload: u}, nil
}

// String prints the client without its key.
func (k *Kie) String() string { return "vendors.Kie(" + k.base.String() + ")" }

// UploadURL is the file upload service's address.
func (k *Kie) UploadURL() string { return k.upload.String() }

// KieTask is one task: a model and its input, as createTask takes them.
type KieTask struct {
	Model string
	Input map[string]any
	// Poll is the first wait between two status requests (the original
	// node's interval; 0: 1.5 s).
	Poll time.Duration
}

// KieResult is a finished task's file.
type KieResult struct {
	TaskID string
	URL    string // the file's URL (the first of resultUrls)
	Data   []byte
}

// kieEnvelope is the shape of every kie.ai answer.
type kieEnvelope struct {
	Code    json.RawMessage `json:"code"`
	Msg     string          `json:"msg"`
	Message string          `json:"message"`
	Success *bool           `json:"success"`
	Data    json.RawMessage `json:"data"`
}

// kieCodes say what kie.ai's codes mean (its API's list).
var kieCodes = map[int]string{
	401: "unauthorized: the key is missing or invalid",
	402: "insufficient credits",
	404: "not found",
	422: "the request's parameters failed validation",
	429: "rate limited",
	455: "the service is unavailable (maintenance)",
	500: "server error",
	501: "generation failed",
	505: "the feature is disabled",
}

// check reads an answer's envelope: an HTTP error status, or a code
// other than 200 in the body, fails naming the code's meaning and the
// service's message.
func (k *Kie) check(a *answer, model string, key apiKey) (*kieEnvelope, error) {
	var env kieEnvelope
	jsonErr := json.Unmarshal(a.body, &env)
	code, hasCode := number(env.Code)
	msg := env.Msg
	if msg == "" {
		msg = env.Message
	}
	fail := func(status int) error {
		m := kieCodes[status]
		if m == "" {
			m = strings.ToLower(http.StatusText(status))
		}
		if m == "" {
			m = "error"
		}
		if status == 401 || status == 403 {
			m += " (check KIE_API_KEY)"
		}
		if msg != "" && !strings.EqualFold(msg, "success") {
			m += ": " + shown(msg, key)
		} else if jsonErr != nil && len(a.body) > 0 {
			m += ": " + shown(string(a.body), key)
		}
		return &Error{Service: k.name, Model: model, Status: status, Message: m}
	}
	switch {
	case a.status/100 != 2:
		if hasCode && code != 200 {
			return nil, fail(code)
		}
		return nil, fail(a.status)
	case jsonErr != nil:
		return nil, &Error{Service: k.name, Model: model, Status: a.status, Message: "the answer is not JSON: " + excerpt(jsonErr.Error())}
	case hasCode && code != 200:
		return nil, fail(code)
	case env.Success != nil && !*env.Success:
		return nil, fail(a.status)
	}
	return &env, nil
}

// Run submits a task, polls it until it is done and downloads its first
// result file, at most limit bytes (0: no bound). ctx bounds all of it.
func (k *Kie) Run(ctx Caller, t KieTask, limit int64) (*KieResult, error) {
	key, err := k.keyFor(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := withWait(ctx)
	defer cancel()
	id, err := k.create(wctx, key, t)
	if err != nil {
		return nil, err
	}
	target, err := k.wait(wctx, key, t, id)
	if err != nil {
		return nil, err
	}
	data, err := k.download(wctx, t.Model, target, limit, key)
	if err != nil {
		return nil, err
	}
	return &KieResult{TaskID: id, URL: target, Data: data}, nil
}

// create submits the task and returns its id.
func (k *Kie) create(ctx context.Context, key apiKey, t KieTask) (string, error) {
	input := t.Input
	if input == nil {
		input = map[string]any{}
	}
	a, err := k.call(ctx, t.Model, key, "Bearer", http.MethodPost, k.url(k.base, "/api/v1/jobs/createTask", nil), map[string]any{"model": t.Model, "input": input})
	if err != nil {
		return "", err
	}
	env, err := k.check(a, t.Model, key)
	if err != nil {
		return "", err
	}
	var data struct {
		TaskID string `json:"taskId"`
	}
	if json.Unmarshal(env.Data, &data) != nil || data.TaskID == "" || key != "" && strings.Contains(data.TaskID, string(key)) {
		return "", &Error{Service: k.name, Model: t.Model, Status: a.status, Message: "the answer holds no taskId: " + shown(string(a.body), key)}
	}
	return data.TaskID, nil
}

// kieRecord is recordInfo's data.
type kieRecord struct {
	TaskID     string          `json:"taskId"`
	State      string          `json:"state"`
	ResultJSON json.RawMessage `json:"resultJson"`
	FailCode   json.RawMessage `json:"failCode"`
	FailMsg    string          `json:"failMsg"`
}

// wait polls the task until it succeeds and returns its first result URL.
func (k *Kie) wait(ctx context.Context, key apiKey, t KieTask, id string) (string, error) {
	poll := t.Poll
	if k.poll > 0 {
		poll = k.poll
	}
	if poll <= 0 {
		poll = 1500 * time.Millisecond
	}
	target := k.url(k.base, "/api/v1/jobs/recordInfo", url.Values{"taskId": {id}})
	state, failed := "", 0
	for {
		a, err := k.call(ctx, t.Model, key, "Bearer", http.MethodGet, target, nil)
		if ctx.Err() != nil {
			return "", k.unfinished(ctx, t.Model, id, state)
		}
		if (err != nil || a.status/100 != 2) && retryable(err, a) && failed < retries {
			failed++
		} else {
			if err != nil {
				return "", err
			}
			failed = 0
			var result string
			if result, state, err = k.record(a, t.Model, id, key); err != nil || result != "" {
				return result, err
			}
		}
		if sleep(ctx, poll) != nil {
			return "", k.unfinished(ctx, t.Model, id, state)
		}
		poll = nextPoll(poll)
	}
}

// record reads a recordInfo answer: the first result URL of a task that
// succeeded, else the state of one still running, or its failure.
func (k *Kie) record(a *answer, model, id string, key apiKey) (target, state string, err error) {
	env, err := k.check(a, model, key)
	if err != nil {
		return "", "", err
	}
	var rec kieRecord
	if err := json.Unmarshal(env.Data, &rec); err != nil {
		return "", "", &Error{Service: k.name, Model: model, Message: "task " + id + ": malformed recordInfo data: " + excerpt(err.Error())}
	}
	state = shown(rec.State, key)
	switch strings.ToLower(rec.State) {
	case "success":
		target, err = k.resultURL(model, id, rec, key)
		return target, state, err
	case "fail", "failed":
		msg := rec.FailMsg
		if msg == "" {
			msg = "unknown error"
		}
		m := "task " + id + " failed: " + shown(msg, key)
		if c := strings.Trim(string(rec.FailCode), `"`); c != "" && c != "null" {
			m += " (failCode " + shown(c, key) + ")"
		}
		return "", state, &Error{Service: k.name, Model: model, Message: m}
	}
	return "", state, nil
}

// unfinished is the error of a task whose wait ended first.
func (k *Kie) unfinished(ctx context.Context, model, id, state string) error {
	m := "task " + id + " was not finished"
	if state != "" {
		m += " (state " + state + ")"
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		m += " when its time ran out"
	} else {
		m += ": canceled"
	}
	return &Error{Service: k.name, Model: model, Message: m, Err: context.Cause(ctx)}
}

// resultURL reads the first URL of a finished task's resultJson (a JSON
// string holding {"resultUrls": [...]}, or that object itself).
func (k *Kie) resultURL(model, id string, rec kieRecord, key apiKey) (string, error) {
	raw := []byte(rec.ResultJSON)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	var res struct {
		ResultURLs []string `json:"resultUrls"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &res) != nil {
		return "", &Error{Service: k.name, Model: model, Message: "task " + id + " succeeded without a readable resultJson: " + shown(string(raw), key)}
	}
	if len(res.ResultURLs) == 0 || res.ResultURLs[0] == "" {
		return "", &Error{Service: k.name, Model: model, Message: "task " + id + " succeeded without resultUrls"}
	}
	return res.ResultURLs[0], nil
}

// Upload sends a file to kie.ai's upload service (file stream upload) and
// returns its download URL, which a task's input may name. uploadPath is
// the folder the original uses ("images/user-uploads").
func (k *Kie) Upload(ctx Caller, model string, data []byte, uploadPath, fileName string) (string, error) {
	key, err := k.keyFor(ctx)
	if err != nil {
		return "", err
	}
	form, err := multipartForm("file", fileName, data, [2]string{"uploadPath", uploadPath}, [2]string{"fileName", fileName})
	if err != nil {
		return "", &Error{Service: k.name, Model: model, Message: "building the upload: " + err.Error(), Err: err}
	}
	a, err := k.call(ctx, model, key, "Bearer", http.MethodPost, k.url(k.upload, "/api/file-stream-upload", nil), form)
	if err != nil {
		return "", err
	}
	env, err := k.check(a, model, key)
	if err != nil {
		err.(*Error).Message = "uploading " + excerpt(fileName) + ": " + err.(*Error).Message
		return "", err
	}
	var d struct {
		DownloadURL string `json:"downloadUrl"`
	}
	if json.Unmarshal(env.Data, &d) != nil || d.DownloadURL == "" {
		return "", &Error{Service: k.name, Model: model, Status: a.status, Message: "the upload's answer holds no downloadUrl"}
	}
	return d.DownloadURL, nil
}
