package vendors_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/providers/vendors"
)

// falServer speaks fal.ai's queue API from recorded answers: submit, the
// status answering files in turn (the last one repeats), the result, the
// result file at /files/out.png, and cancel.
type falServer struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	submitted []map[string]any
	paths     []string // every request's method and path
	statuses  []string
	polls     int
	cancels   int
	file      []byte
	fileAuth  []string
	// hooks replace a route's answer when set.
	submit func(w http.ResponseWriter)
	status func(w http.ResponseWriter, n int)
	result func(w http.ResponseWriter)
}

const falID = "80e732af-660e-45cd-bd63-580e4f2a94cc"

func newFalServer(t *testing.T, statuses ...string) *falServer {
	f := &falServer{t: t, statuses: statuses, file: pngBytes(t, 5, 2)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.paths = append(f.paths, r.Method+" "+r.URL.EscapedPath())
		f.mu.Unlock()
		if r.URL.Path == "/files/out.png" {
			f.mu.Lock()
			f.fileAuth = append(f.fileAuth, r.Header.Get("Authorization"))
			f.mu.Unlock()
			w.Write(f.file)
			return
		}
		if r.Header.Get("Authorization") != "Key "+testKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(recorded(t, "fal/error-401.json", ""))
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.Method == http.MethodPost:
			var body map[string]any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Errorf("submit body: %v", err)
			}
			f.submitted = append(f.submitted, body)
			if f.submit != nil {
				f.submit(w)
				return
			}
			w.Write(recorded(t, "fal/submit.json", ""))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/status"):
			n := f.polls
			f.polls++
			if f.status != nil {
				f.status(w, n)
				return
			}
			w.Write(recorded(t, "fal/"+f.statuses[min(n, len(f.statuses)-1)]+".json", ""))
		case r.Method == http.MethodGet:
			if f.result != nil {
				f.result(w)
				return
			}
			w.Write(recorded(t, "fal/result-nano-banana-2.json", f.srv.URL))
		case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/cancel"):
			f.cancels++
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte(`{"status":"CANCELLATION_REQUESTED"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *falServer) client(t *testing.T, key string) *vendors.Fal {
	t.Helper()
	c, err := vendors.NewFal(vendors.FalConfig{BaseURL: f.srv.URL, Key: key, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *falServer) seen() (paths []string, cancels int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...), f.cancels
}

var nanoBanana2 = vendors.FalRequest{App: "fal-ai/nano-banana-2", Input: map[string]any{"prompt": "Lisbon at dusk", "resolution": "1K", "aspect_ratio": "4:3", "num_images": 1, "output_format": "png"}}

// TestFalRun: a request is submitted with its input, polled until
// completed, its output read; the image it names is downloaded without
// the key.
func TestFalRun(t *testing.T) {
	f := newFalServer(t, "status-in-queue", "status-in-progress", "status-completed")
	ctx, cancel := bg(t)
	defer cancel()
	c := f.client(t, testKey)
	res, err := c.Run(ctx, nanoBanana2)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Images []struct {
			URL string `json:"url"`
		} `json:"images"`
	}
	if res.RequestID != falID || json.Unmarshal(res.Output, &out) != nil || len(out.Images) != 1 {
		t.Fatalf("result %s %s", res.RequestID, res.Output)
	}
	data, err := c.Download(ctx, nanoBanana2.App, out.Images[0].URL, 1<<20)
	if err != nil || string(data) != string(f.file) {
		t.Fatalf("download: %v", err)
	}
	paths, _ := f.seen()
	want := []string{"POST /fal-ai/nano-banana-2", "GET /fal-ai/nano-banana-2/requests/" + falID + "/status", "GET /fal-ai/nano-banana-2/requests/" + falID + "/status",
		"GET /fal-ai/nano-banana-2/requests/" + falID + "/status", "GET /fal-ai/nano-banana-2/requests/" + falID, "GET /files/out.png"}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got, _ := json.Marshal(f.submitted[0]); string(got) != `{"aspect_ratio":"4:3","num_images":1,"output_format":"png","prompt":"Lisbon at dusk","resolution":"1K"}` {
		t.Errorf("submitted %s", got)
	}
	if len(f.fileAuth) != 1 || f.fileAuth[0] != "" {
		t.Errorf("the download sent Authorization %q", f.fileAuth)
	}
}

// TestFalSubPath: an app with a sub-path is submitted there; its status
// and result live under owner/name. A request id is escaped in paths.
func TestFalSubPath(t *testing.T) {
	f := newFalServer(t, "status-completed")
	f.submit = func(w http.ResponseWriter) { w.Write([]byte(`{"request_id":"a/../b c"}`)) }
	ctx, cancel := bg(t)
	defer cancel()
	if _, err := f.client(t, testKey).Run(ctx, vendors.FalRequest{App: "fal-ai/flux/dev", Input: map[string]any{"prompt": "x"}}); err != nil {
		t.Fatal(err)
	}
	paths, _ := f.seen()
	want := []string{"POST /fal-ai/flux/dev", "GET /fal-ai/flux/requests/a%2F..%2Fb%20c/status", "GET /fal-ai/flux/requests/a%2F..%2Fb%20c"}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
}

// TestFalFailures: fal.ai's errors come back with its message and the
// model, never the key.
func TestFalFailures(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(f *falServer)
		key    string
		want   []string
		polls0 bool
	}{
		{"invalid input", func(f *falServer) {
			f.submit = func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusUnprocessableEntity)
				w.Write(recorded(t, "fal/error-422.json", ""))
			}
		}, testKey, []string{"422", "submitting: body.prompt: field required"}, true},
		{"wrong key", nil, "sk-wrong", []string{"401", "check FAL_API_KEY", "Unauthorized"}, true},
		{"completed with an error", func(f *falServer) {
			f.status = func(w http.ResponseWriter, _ int) { w.Write(recorded(t, "fal/status-completed-error.json", "")) }
		}, testKey, []string{"request " + falID + " failed: Request timed out (request_timeout)"}, false},
		{"result error", func(f *falServer) {
			f.result = func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusGatewayTimeout)
				w.Write(recorded(t, "fal/error-request.json", ""))
			}
		}, testKey, []string{"504", "Request timed out (request_timeout)"}, false},
		{"unknown status", func(f *falServer) {
			f.status = func(w http.ResponseWriter, _ int) { w.Write([]byte(`{"status":"FAILED"}`)) }
		}, testKey, []string{"status FAILED"}, false},
		{"echoed key", func(f *falServer) {
			f.submit = func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"detail":"bad key ` + testKey + `"}`))
			}
		}, testKey, []string{"bad key [redacted]"}, true},
		{"no request id", func(f *falServer) {
			f.submit = func(w http.ResponseWriter) { w.Write([]byte(`{}`)) }
		}, testKey, []string{"no request_id"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFalServer(t, "status-completed")
			if c.setup != nil {
				c.setup(f)
			}
			ctx, cancel := bg(t)
			defer cancel()
			_, err := f.client(t, c.key).Run(ctx, nanoBanana2)
			wantErr(t, err, "fal.ai", "fal-ai/nano-banana-2", c.want...)
			if strings.Contains(err.Error(), "sk-wrong") {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

// TestFalDeadline: a request still queued when the deadline passes fails
// saying so, and is cancelled at fal.ai.
func TestFalDeadline(t *testing.T) {
	f := newFalServer(t, "status-in-queue")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := f.client(t, testKey).Run(caller{Context: ctx}, nanoBanana2)
	wantErr(t, err, "fal.ai", "fal-ai/nano-banana-2", "request "+falID+" was not completed (status IN_QUEUE) when its time ran out")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not the deadline", err)
	}
	paths, cancels := f.seen()
	if cancels != 1 || paths[len(paths)-1] != "PUT /fal-ai/nano-banana-2/requests/"+falID+"/cancel" {
		t.Errorf("not cancelled: %q", paths)
	}
}

// TestFalCancel: cancelling the caller stops polling and cancels the
// request at fal.ai.
func TestFalCancel(t *testing.T) {
	f := newFalServer(t)
	polled := make(chan struct{}, 100)
	f.status = func(w http.ResponseWriter, _ int) {
		w.Write(recorded(t, "fal/status-in-progress.json", ""))
		polled <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.client(t, testKey).Run(caller{Context: ctx}, nanoBanana2)
		done <- err
	}()
	<-polled
	cancel()
	select {
	case err := <-done:
		wantErr(t, err, "fal.ai", "fal-ai/nano-banana-2", "canceled")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not the cancellation", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if _, cancels := f.seen(); cancels != 1 {
		t.Errorf("%d cancel requests, want 1", cancels)
	}
}

// TestFalDataURI: a result in sync mode is a data: URI, decoded within
// the limit (checked before decoding).
func TestFalDataURI(t *testing.T) {
	f := newFalServer(t)
	c := f.client(t, testKey)
	ctx, cancel := bg(t)
	defer cancel()
	img := pngBytes(t, 3, 3)
	uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)
	got, err := c.Download(ctx, "m", uri, 1<<20)
	if err != nil || string(got) != string(img) {
		t.Fatalf("data URI: %v", err)
	}
	var tl *vendors.TooLargeError
	if _, err := c.Download(ctx, "m", uri, 10); !errors.As(err, &tl) {
		t.Errorf("oversized data URI: %v", err)
	}
	for _, bad := range []string{"data:image/png,raw", "data:image/png;base64,!!!", "javascript:alert(1)", "/etc/passwd"} {
		if _, err := c.Download(ctx, "m", bad, 1<<20); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if paths, _ := f.seen(); len(paths) != 0 {
		t.Errorf("requests made: %q", paths)
	}
}
