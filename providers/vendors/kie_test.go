package vendors_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/providers/vendors"
)

// kieServer speaks kie.ai's API from recorded answers: createTask, then
// recordInfo answering states in turn (the last one repeats), the result
// file at /files/out.png and the upload service.
type kieServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	created  []map[string]any // createTask bodies
	polls    int
	states   []string // recorded recordInfo files, in turn
	file     []byte   // the result file
	fileAuth []string // Authorization headers of file downloads
	uploads  []map[string]string
	// hooks replace a route's answer when set.
	create func(w http.ResponseWriter)
	record func(w http.ResponseWriter, n int)
	files  func(w http.ResponseWriter)
}

func newKieServer(t *testing.T, states ...string) *kieServer {
	k := &kieServer{t: t, states: states, file: pngBytes(t, 4, 3)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/jobs/createTask", func(w http.ResponseWriter, r *http.Request) {
		if !k.authorized(w, r, "Bearer ") {
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("createTask Content-Type %q", ct)
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("createTask body: %v", err)
		}
		k.mu.Lock()
		k.created = append(k.created, body)
		hook := k.create
		k.mu.Unlock()
		if hook != nil {
			hook(w)
			return
		}
		w.Write(recorded(t, "kie/createTask.json", k.srv.URL))
	})
	mux.HandleFunc("GET /api/v1/jobs/recordInfo", func(w http.ResponseWriter, r *http.Request) {
		if !k.authorized(w, r, "Bearer ") {
			return
		}
		if id := r.URL.Query().Get("taskId"); id != "task_nanobanana_1765180586443" {
			t.Errorf("recordInfo taskId %q", id)
		}
		k.mu.Lock()
		n := k.polls
		k.polls++
		hook := k.record
		k.mu.Unlock()
		if hook != nil {
			hook(w, n)
			return
		}
		w.Write(recorded(t, "kie/"+k.states[min(n, len(k.states)-1)]+".json", k.srv.URL))
	})
	mux.HandleFunc("GET /files/out.png", func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		k.fileAuth = append(k.fileAuth, r.Header.Get("Authorization"))
		hook := k.files
		k.mu.Unlock()
		if hook != nil {
			hook(w)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(k.file)
	})
	mux.HandleFunc("POST /api/file-stream-upload", func(w http.ResponseWriter, r *http.Request) {
		if !k.authorized(w, r, "Bearer ") {
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("upload: %v", err)
			return
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			t.Errorf("upload file part: %v", err)
			return
		}
		data, _ := io.ReadAll(f)
		k.mu.Lock()
		k.uploads = append(k.uploads, map[string]string{"uploadPath": r.FormValue("uploadPath"), "fileName": r.FormValue("fileName"), "filename": hdr.Filename, "data": string(data)})
		k.mu.Unlock()
		w.Write(recorded(t, "kie/upload.json", k.srv.URL))
	})
	k.srv = httptest.NewServer(mux)
	t.Cleanup(k.srv.Close)
	return k
}

// counts are the tasks created and the status requests so far.
func (k *kieServer) counts() (created, polls int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.created), k.polls
}

func (k *kieServer) authorized(w http.ResponseWriter, r *http.Request, scheme string) bool {
	if r.Header.Get("Authorization") != scheme+testKey {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write(recorded(k.t, "kie/error-401.json", k.srv.URL))
		return false
	}
	return true
}

func (k *kieServer) client(t *testing.T, cfg vendors.KieConfig) *vendors.Kie {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = k.srv.URL
	}
	if cfg.Key == "" && cfg.UserKey == nil {
		cfg.Key = testKey
	}
	cfg.Poll = time.Millisecond
	c, err := vendors.NewKie(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var nanoBanana = vendors.KieTask{Model: "google/nano-banana", Input: map[string]any{"prompt": "A surreal painting of a giant banana floating in space", "output_format": "png", "image_size": "1:1"}, Poll: 1500 * time.Millisecond}

// TestKieRun: a task is created with the model and its input, polled
// through its states, and its result downloaded without the key.
func TestKieRun(t *testing.T) {
	k := newKieServer(t, "recordInfo-waiting", "recordInfo-generating", "recordInfo-success")
	ctx, cancel := bg(t)
	defer cancel()
	res, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if res.TaskID != "task_nanobanana_1765180586443" || !bytes.Equal(res.Data, k.file) || res.URL != k.srv.URL+"/files/out.png" {
		t.Errorf("result %+v", res)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.created) != 1 {
		t.Fatalf("%d tasks created", len(k.created))
	}
	want := `{"input":{"image_size":"1:1","output_format":"png","prompt":"A surreal painting of a giant banana floating in space"},"model":"google/nano-banana"}`
	if got, _ := json.Marshal(k.created[0]); string(got) != want {
		t.Errorf("createTask body %s, want %s", got, want)
	}
	if k.polls != 3 {
		t.Errorf("%d polls, want 3", k.polls)
	}
	if len(k.fileAuth) != 1 || k.fileAuth[0] != "" {
		t.Errorf("file downloads sent Authorization %q", k.fileAuth)
	}
}

// TestKieBaseWithPath: a base URL with a path (a proxy) keeps it.
func TestKieBaseWithPath(t *testing.T) {
	k := newKieServer(t, "recordInfo-success")
	mux := http.NewServeMux()
	mux.Handle("/proxy/", http.StripPrefix("/proxy", k.srv.Config.Handler))
	proxy := httptest.NewServer(mux)
	defer proxy.Close()
	ctx, cancel := bg(t)
	defer cancel()
	c := k.client(t, vendors.KieConfig{BaseURL: proxy.URL + "/proxy/"})
	if _, err := c.Run(ctx, nanoBanana, 0); err != nil {
		t.Fatal(err)
	}
	if c.UploadURL() != proxy.URL+"/proxy" {
		t.Errorf("upload URL %q: a proxy's base URL serves uploads too", c.UploadURL())
	}
	if def, _ := vendors.NewKie(vendors.KieConfig{}); def.UploadURL() != vendors.DefaultKieUploadURL || def.BaseURL() != vendors.DefaultKieURL {
		t.Errorf("defaults %s %s", def.BaseURL(), def.UploadURL())
	}
}

// TestKieTaskFails: a failed task's message comes back with its code.
func TestKieTaskFails(t *testing.T) {
	for _, state := range []string{"fail", "failed"} {
		k := newKieServer(t)
		k.record = func(w http.ResponseWriter, n int) {
			if n == 0 {
				w.Write(recorded(t, "kie/recordInfo-generating.json", ""))
				return
			}
			w.Write(bytes.Replace(recorded(t, "kie/recordInfo-fail.json", ""), []byte(`"state": "fail"`), []byte(`"state": "`+state+`"`), 1))
		}
		ctx, cancel := bg(t)
		_, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 0)
		cancel()
		wantErr(t, err, "kie.ai", "google/nano-banana", "task task_nanobanana_1765180586443 failed: Internal server error", "failCode 500")
	}
}

// TestKieCodes: kie.ai's codes fail the call with their meaning and its
// message, in the body of an HTTP 200 or as the HTTP status, with the key
// scrubbed from anything the service echoes.
func TestKieCodes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"credits in a 200", 200, "kie/error-402.json", []string{"402: insufficient credits: Credits insufficient"}},
		{"validation", 200, `{"code":422,"msg":"prompt is required"}`, []string{"422: the request's parameters failed validation: prompt is required"}},
		{"HTTP 401", 401, "kie/error-401.json", []string{"401: unauthorized", "check KIE_API_KEY", "You do not have access permissions"}},
		{"echoed key", 401, `{"code":401,"msg":"bad key ` + testKey + `"}`, []string{"bad key [redacted]"}},
		{"HTTP 500 not JSON", 500, "<html>oops</html>", []string{"500: server error: <html>oops</html>"}},
		{"no taskId", 200, `{"code":200,"msg":"success","data":{}}`, []string{"no taskId"}},
		{"not JSON", 200, `oops`, []string{"not JSON"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKieServer(t, "recordInfo-success")
			body := []byte(c.body)
			if strings.HasSuffix(c.body, ".json") {
				body = recorded(t, c.body, "")
			}
			k.create = func(w http.ResponseWriter) {
				w.WriteHeader(c.status)
				w.Write(body)
			}
			ctx, cancel := bg(t)
			defer cancel()
			_, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 0)
			wantErr(t, err, "kie.ai", "google/nano-banana", c.want...)
		})
	}
	// A wrong key is refused by the service; the error names the
	// setting, not the key.
	k := newKieServer(t, "recordInfo-success")
	ctx, cancel := bg(t)
	defer cancel()
	_, err := k.client(t, vendors.KieConfig{Key: "sk-wrong"}).Run(ctx, nanoBanana, 0)
	wantErr(t, err, "kie.ai", "google/nano-banana", "check KIE_API_KEY")
	if strings.Contains(err.Error(), "sk-wrong") {
		t.Errorf("error shows the key: %v", err)
	}
}

// TestKiePollRetries: status requests failing with 5xx or 429 are retried
// up to three times in a row; a fourth failure in a row ends the task.
func TestKiePollRetries(t *testing.T) {
	k := newKieServer(t)
	k.record = func(w http.ResponseWriter, n int) {
		switch n {
		case 0, 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.Write(recorded(t, "kie/recordInfo-success.json", k.srv.URL))
		}
	}
	ctx, cancel := bg(t)
	defer cancel()
	if _, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 0); err != nil {
		t.Fatalf("three failures in a row: %v", err)
	}
	k2 := newKieServer(t)
	k2.record = func(w http.ResponseWriter, n int) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(`{"code":502,"msg":"upstream down"}`))
	}
	_, err := k2.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 0)
	wantErr(t, err, "kie.ai", "google/nano-banana", "502", "upstream down")
	if _, polls := k2.counts(); polls != 4 {
		t.Errorf("%d status requests, want 4", polls)
	}
}

// TestKieDeadline: a task still running when the caller's deadline passes
// fails saying so, with the deadline as its cause.
func TestKieDeadline(t *testing.T) {
	k := newKieServer(t, "recordInfo-generating")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := k.client(t, vendors.KieConfig{}).Run(caller{Context: ctx}, nanoBanana, 0)
	wantErr(t, err, "kie.ai", "google/nano-banana", "task task_nanobanana_1765180586443 was not finished", "time ran out")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not the deadline", err)
	}
}

// TestKieCancel: cancelling the caller ends the polling at once.
func TestKieCancel(t *testing.T) {
	k := newKieServer(t, "recordInfo-generating")
	polled := make(chan struct{}, 100)
	k.record = func(w http.ResponseWriter, n int) {
		w.Write(recorded(t, "kie/recordInfo-generating.json", ""))
		polled <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := k.client(t, vendors.KieConfig{}).Run(caller{Context: ctx}, nanoBanana, 0)
		done <- err
	}()
	<-polled
	cancel()
	select {
	case err := <-done:
		wantErr(t, err, "kie.ai", "google/nano-banana", "canceled")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not the cancellation", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// TestKieDownloadBounded: a result file over the limit is refused: before
// anything is read when its size is announced (the server's body never
// finishes here), else once the read passes the limit.
func TestKieDownloadBounded(t *testing.T) {
	ctx, cancel := bg(t)
	defer cancel()
	k := newKieServer(t, "recordInfo-success")
	release := make(chan struct{})
	defer close(release)
	k.files = func(w http.ResponseWriter) {
		w.Header().Set("Content-Length", strconv.Itoa(10<<20))
		w.Write(make([]byte, 1<<10))
		w.(http.Flusher).Flush()
		<-release
	}
	done := make(chan error, 1)
	go func() {
		_, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 1<<20)
		done <- err
	}()
	select {
	case err := <-done:
		var tl *vendors.TooLargeError
		if !errors.As(err, &tl) || tl.Limit != 1<<20 {
			t.Errorf("announced 10 MiB file: %v, want a TooLargeError of 1 MiB", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the download of an announced oversized file was read instead of refused")
	}

	k2 := newKieServer(t, "recordInfo-success")
	k2.files = func(w http.ResponseWriter) {
		for range 64 {
			w.Write(make([]byte, 32<<10)) // 2 MiB, chunked
			w.(http.Flusher).Flush()
		}
	}
	_, err := k2.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 1<<20)
	var tl *vendors.TooLargeError
	if !errors.As(err, &tl) {
		t.Errorf("unannounced 2 MiB file: %v, want a TooLargeError", err)
	}

	k3 := newKieServer(t, "recordInfo-success")
	k3.files = func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }
	_, err = k3.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 1<<20)
	wantErr(t, err, "kie.ai", "google/nano-banana", "404", "downloading", "/files/out.png")
}

// TestKieBadResults: a success without readable result URLs, or with a
// URL that is not http(s), fails naming the task.
func TestKieBadResults(t *testing.T) {
	for name, c := range map[string]struct{ resultJSON, want string }{
		"empty":      {`""`, "without a readable resultJson"},
		"no urls":    {`"{\"resultUrls\":[]}"`, "without resultUrls"},
		"file url":   {`"{\"resultUrls\":[\"file:///etc/passwd\"]}"`, "not an http(s) URL"},
		"object":     {`{"resultUrls":["URL"]}`, ""},
		"not a json": {`"nope"`, "without a readable resultJson"},
	} {
		t.Run(name, func(t *testing.T) {
			k := newKieServer(t)
			k.record = func(w http.ResponseWriter, n int) {
				body := strings.Replace(`{"code":200,"msg":"success","data":{"taskId":"task_nanobanana_1765180586443","state":"success","resultJson":RJ}}`, "RJ", c.resultJSON, 1)
				w.Write([]byte(strings.Replace(body, "URL", k.srv.URL+"/files/out.png", 1)))
			}
			ctx, cancel := bg(t)
			defer cancel()
			_, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 0)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, "kie.ai", "google/nano-banana", c.want)
		})
	}
}

// TestKieNoRedirects: an API answer redirecting elsewhere is not followed,
// so the key never reaches another host.
func TestKieNoRedirects(t *testing.T) {
	var leaked sync.Mutex
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Lock()
		got = append(got, r.Header.Get("Authorization"))
		leaked.Unlock()
	}))
	defer other.Close()
	k := newKieServer(t, "recordInfo-success")
	k.create = func(w http.ResponseWriter) {
		w.Header().Set("Location", other.URL+"/api/v1/jobs/createTask")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
	ctx, cancel := bg(t)
	defer cancel()
	_, err := k.client(t, vendors.KieConfig{}).Run(ctx, nanoBanana, 0)
	wantErr(t, err, "kie.ai", "google/nano-banana", "307")
	leaked.Lock()
	defer leaked.Unlock()
	if len(got) != 0 {
		t.Errorf("the redirect was followed: %q", got)
	}
}

// TestKieUpload: a file goes to the upload service as the original sends
// it (multipart file, uploadPath, fileName) and its download URL comes
// back.
func TestKieUpload(t *testing.T) {
	k := newKieServer(t)
	ctx, cancel := bg(t)
	defer cancel()
	u, err := k.client(t, vendors.KieConfig{}).Upload(ctx, "google/nano-banana-edit", []byte("PNGDATA"), "images/user-uploads", "cat.png")
	if err != nil {
		t.Fatal(err)
	}
	if u != k.srv.URL+"/files/out.png" {
		t.Errorf("download URL %q", u)
	}
	want := map[string]string{"uploadPath": "images/user-uploads", "fileName": "cat.png", "filename": "cat.png", "data": "PNGDATA"}
	k.mu.Lock()
	if len(k.uploads) != 1 || !equalMaps(k.uploads[0], want) {
		t.Errorf("uploads %v, want %v", k.uploads, want)
	}
	k.mu.Unlock()
	_, err = k.client(t, vendors.KieConfig{Key: "sk-wrong"}).Upload(ctx, "google/nano-banana-edit", []byte("x"), "images/user-uploads", "cat.png")
	wantErr(t, err, "kie.ai", "google/nano-banana-edit", "uploading cat.png", "check KIE_API_KEY")
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestKieKeys: the user's own key comes first, the operator's is the
// fallback; without either the call fails before any request. The client
// prints without its key.
func TestKieKeys(t *testing.T) {
	k := newKieServer(t, "recordInfo-success")
	ctx, cancel := bg(t)
	defer cancel()
	users := map[string]string{"alice": testKey}
	userKey := func(_ context.Context, user string) (string, error) { return users[user], nil }
	// Alice's key is right, the operator's wrong: Alice's is used.
	c := k.client(t, vendors.KieConfig{Key: "sk-operator", UserKey: userKey})
	if _, err := c.Run(caller{Context: ctx, user: "alice"}, nanoBanana, 0); err != nil {
		t.Fatal(err)
	}
	// Bob has none: the operator's (wrong) key is used.
	_, err := c.Run(caller{Context: ctx, user: "bob"}, nanoBanana, 0)
	wantErr(t, err, "kie.ai", "", "check KIE_API_KEY")
	// No key at all.
	c = k.client(t, vendors.KieConfig{UserKey: userKey})
	if ok, err := c.KeyFor(caller{Context: ctx, user: "bob"}); ok || err != nil {
		t.Errorf("KeyFor(bob) = %v, %v", ok, err)
	}
	if ok, _ := c.KeyFor(caller{Context: ctx, user: "alice"}); !ok {
		t.Error("KeyFor(alice) = false")
	}
	before, _ := k.counts()
	_, err = c.Run(caller{Context: ctx, user: "bob"}, nanoBanana, 0)
	if !errors.Is(err, vendors.ErrNoKey) || !strings.Contains(err.Error(), "KIE_API_KEY") {
		t.Errorf("no key: %v", err)
	}
	if after, _ := k.counts(); after != before {
		t.Error("a task was created without a key")
	}
	// A secret that cannot be read fails, without the key.
	broken := k.client(t, vendors.KieConfig{UserKey: func(context.Context, string) (string, error) {
		return testKey, errors.New("secrets file unreadable: " + testKey)
	}})
	_, err = broken.Run(caller{Context: ctx, user: "alice"}, nanoBanana, 0)
	if err == nil || !strings.Contains(err.Error(), "KIE_API_KEY secret") {
		t.Errorf("unreadable secret: %v", err)
	}
	noKey(t, err)
	withKey := k.client(t, vendors.KieConfig{})
	noKey(t, withKey)
	if !withKey.HasKey() || !withKey.Configured() || c.HasKey() || !c.Configured() {
		t.Error("HasKey/Configured wrong")
	}
}

// TestKieConfig: base URLs are checked.
func TestKieConfig(t *testing.T) {
	for _, bad := range []string{"ftp://x", "http://", "https://u:p@api.kie.ai", "https://api.kie.ai?x=1", "::"} {
		if _, err := vendors.NewKie(vendors.KieConfig{BaseURL: bad}); err == nil {
			t.Errorf("base %q accepted", bad)
		}
		if _, err := vendors.NewKie(vendors.KieConfig{UploadURL: bad}); err == nil {
			t.Errorf("upload %q accepted", bad)
		}
		if _, err := vendors.NewFal(vendors.FalConfig{BaseURL: bad}); err == nil {
			t.Errorf("fal base %q accepted", bad)
		}
	}
}
