package worker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/jobs"
	"nodetool/nodes"
	"nodetool/nodes/media"
	"nodetool/providers"
	"nodetool/sse"
	"nodetool/store"
	"nodetool/store/s3"
	"nodetool/store/s3/s3test"
	"nodetool/workflows"
)

const testToken = "test-token-0123456789abcdef"

// Workflows every test worker serves.
var testWorkflows = map[string]string{
	"upper": `{"id":"upper","name":"Upper","graph":{"nodes":[
	 {"id":"in","type":"nodetool.input.StringInput","data":{"name":"text","value":"hello"}},
	 {"id":"up","type":"nodetool.text.ToUppercase"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"result"}}
	],"edges":[
	 {"id":"e1","source":"in","sourceHandle":"output","target":"up","targetHandle":"text"},
	 {"id":"e2","source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`,
	"fails": `{"id":"fails","name":"Fails","graph":{"nodes":[
	 {"id":"empty","type":"nodetool.constant.List","data":{"value":[]}},
	 {"id":"sum","type":"nodetool.list.Sum"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"total"}}
	],"edges":[
	 {"id":"e1","source":"empty","sourceHandle":"output","target":"sum","targetHandle":"values"},
	 {"id":"e2","source":"sum","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`,
	// waits for audio that never comes: runs until cancelled.
	"waits": `{"id":"waits","name":"Waits","graph":{"nodes":[
	 {"id":"mic","type":"nodetool.input.RealtimeAudioInput","data":{"name":"mic"}},
	 {"id":"col","type":"nodetool.control.Collect"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"chunks"}}
	],"edges":[
	 {"id":"e1","source":"mic","sourceHandle":"chunk","target":"col","targetHandle":"input_item"},
	 {"id":"e2","source":"col","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`,
	"stream": `{"id":"stream","name":"Stream","graph":{"nodes":[
	 {"id":"l","type":"nodetool.constant.List","data":{"value":["a","b","c"]}},
	 {"id":"each","type":"nodetool.control.ForEach"},
	 {"id":"up","type":"nodetool.text.ToUppercase"},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"letters"}}
	],"edges":[
	 {"id":"e1","source":"l","sourceHandle":"output","target":"each","targetHandle":"input_list"},
	 {"id":"e2","source":"each","sourceHandle":"output","target":"up","targetHandle":"text"},
	 {"id":"e3","source":"up","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`,
	// one image of size x size from the fake provider, as a result, inside
	// a dict and inside a list (Collect).
	"image": `{"id":"image","name":"Image","graph":{"nodes":[
	 {"id":"p","type":"nodetool.input.StringInput","data":{"name":"prompt","value":"a red fox"}},
	 {"id":"size","type":"nodetool.input.IntegerInput","data":{"name":"size","value":16}},
	 {"id":"t2i","type":"nodetool.image.TextToImage","data":{"model":{"type":"image_model","provider":"fake","id":"fake-model"}}},
	 {"id":"m","type":"nodetool.dictionary.MakeDictionary","data":{},"dynamic_properties":{"cover":null,"title":"fox"}},
	 {"id":"col","type":"nodetool.control.Collect","data":{}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"image"}},
	 {"id":"out2","type":"nodetool.output.Output","data":{"name":"album"}},
	 {"id":"out3","type":"nodetool.output.Output","data":{"name":"all"}}
	],"edges":[
	 {"id":"e1","source":"p","sourceHandle":"output","target":"t2i","targetHandle":"prompt"},
	 {"id":"e2","source":"size","sourceHandle":"output","target":"t2i","targetHandle":"width"},
	 {"id":"e3","source":"size","sourceHandle":"output","target":"t2i","targetHandle":"height"},
	 {"id":"e4","source":"t2i","sourceHandle":"output","target":"out","targetHandle":"value"},
	 {"id":"e5","source":"t2i","sourceHandle":"output","target":"m","targetHandle":"cover"},
	 {"id":"e6","source":"m","sourceHandle":"output","target":"out2","targetHandle":"value"},
	 {"id":"e7","source":"t2i","sourceHandle":"output","target":"col","targetHandle":"input_item"},
	 {"id":"e8","source":"col","sourceHandle":"output","target":"out3","targetHandle":"value"}]}}`,
	// two different images in one result.
	"pair": `{"id":"pair","name":"Pair","graph":{"nodes":[
	 {"id":"a","type":"nodetool.image.TextToImage","data":{"model":{"type":"image_model","provider":"fake","id":"fake-model"},"prompt":"a","width":32,"height":32}},
	 {"id":"b","type":"nodetool.image.TextToImage","data":{"model":{"type":"image_model","provider":"fake","id":"fake-model"},"prompt":"b","width":48,"height":48}},
	 {"id":"m","type":"nodetool.dictionary.MakeDictionary","data":{},"dynamic_properties":{"a":null,"b":null}},
	 {"id":"out","type":"nodetool.output.Output","data":{"name":"pair"}}
	],"edges":[
	 {"id":"e1","source":"a","sourceHandle":"output","target":"m","targetHandle":"a"},
	 {"id":"e2","source":"b","sourceHandle":"output","target":"m","targetHandle":"b"},
	 {"id":"e3","source":"m","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`,
	"broken": `{"id":"broken","name":"Broken","graph":{"nodes":[{"id":"x","type":"openai.agents.RealtimeAgent"}],"edges":[]}}`,
}

type testEnv struct {
	srv   *httptest.Server
	dir   string
	db    *store.DB
	jobs  chan JobSummary
	token string // what a valid request sends
}

type envOptions struct {
	auth           authn.Options
	privateStorage bool
	maxBody        int64
	maxUpload      int64
	keepAlive      time.Duration
	limiter        *jobs.Limiter
	storage        *store.Storage // nil: the data dir
	readyCache     time.Duration
	// media gives runs the fake model provider and keeps media results
	// over inlineMax in temp storage (TempOutputs), as the worker command
	// does; tempTTL and now set the store's temp expiry and clock.
	media     bool
	inlineMax int64
	tempTTL   time.Duration
	now       func() time.Time
}

// storageBackend is where a test worker keeps storage: the data dir, or
// S3 (the service NODETOOL_TEST_S3 names, else the fake), under a key
// prefix of its own.
type storageBackend struct {
	name    string
	storage func(t *testing.T) *store.Storage
}

var (
	envS3Once sync.Once
	envS3     *s3.Client
	envS3Err  error
)

func storageBackends(t *testing.T) []storageBackend {
	t.Helper()
	envS3Once.Do(func() { envS3, envS3Err = s3test.EnvClient() })
	if envS3Err != nil {
		t.Fatalf("NODETOOL_TEST_S3: %v", envS3Err)
	}
	return []storageBackend{
		{"file", func(*testing.T) *store.Storage { return nil }},
		{"s3", func(t *testing.T) *store.Storage {
			c := envS3
			if c == nil {
				fake := s3test.NewServer("worker-test")
				t.Cleanup(fake.Close)
				c = fake.Client("worker-test")
			}
			return store.NewS3Storage(c, "worker-"+rand.Text()[:12]+"/")
		}},
	}
}

// forEachStorage runs f as a subtest per storage backend.
func forEachStorage(t *testing.T, f func(t *testing.T, st *store.Storage)) {
	for _, b := range storageBackends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b.storage(t)) })
	}
}

func newEnv(t *testing.T, o envOptions) *testEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir, store.Options{Storage: o.storage, Shared: []string{"workflows"}, TempTTL: o.tempTTL, Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var fixed []workflows.Fixed
	for name, src := range testWorkflows {
		f, err := workflows.Parse([]byte(src), "test:"+name, name)
		if err != nil {
			t.Fatal(err)
		}
		fixed = append(fixed, f)
	}
	repo, err := workflows.New(db, fixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.auth.Provider == "" {
		o.auth = authn.Options{Provider: authn.Static, StaticToken: testToken}
	}
	a, err := authn.New(o.auth)
	if err != nil {
		t.Fatal(err)
	}
	jobs := make(chan JobSummary, 2000)
	nd := nodes.Deps{}
	if o.media {
		set, err := providers.NewSet("fake", "fake-model", providers.NewFake())
		if err != nil {
			t.Fatal(err)
		}
		nd.Models = set
		nd.Outputs = media.Outputs{Store: &TempOutputs{DB: db}, InlineMax: o.inlineMax}
	}
	s := New(Deps{Registry: nodes.NewRegistry(nd), Workflows: repo, Store: db, Auth: a,
		MaxBody: o.maxBody, MaxUpload: o.maxUpload, PrivateStorage: o.privateStorage, KeepAlive: o.keepAlive, Limiter: o.limiter,
		JobDone: func(j JobSummary) { jobs <- j }, ReadyCache: o.readyCache})
	mux := http.NewServeMux()
	s.Register(mux)
	srv := httptest.NewServer(s.Handler(mux))
	t.Cleanup(srv.Close)
	return &testEnv{srv: srv, dir: dir, db: db, jobs: jobs, token: testToken}
}

// do sends a request with the valid token and returns status and body.
func (e *testEnv) do(t *testing.T, method, path, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	return e.doAs(t, "Bearer "+e.token, method, path, body, headers...)
}

// doAs sends a request with the given Authorization header ("" for none).
func (e *testEnv) doAs(t *testing.T, authz, method, path, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// waitJob returns the next finished job.
func (e *testEnv) waitJob(t *testing.T) JobSummary {
	t.Helper()
	select {
	case j := <-e.jobs:
		return j
	case <-time.After(10 * time.Second):
		t.Fatal("no job finished within 10s")
	}
	return JobSummary{}
}

// readStream parses an SSE response into its events' data.
func readStream(t *testing.T, body io.Reader) []sse.Event {
	t.Helper()
	r := sse.NewReader(body, 0)
	var out []sse.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		out = append(out, ev)
	}
}

// hs256 makes a signed JWT for the given claims.
func hs256(secret string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p, _ := json.Marshal(claims)
	msg := h + "." + enc.EncodeToString(p)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(msg))
	return msg + "." + enc.EncodeToString(mac.Sum(nil))
}

// fakeSupabase speaks Supabase Auth's GET /auth/v1/user: 200 with the user
// for a known access token and the right apikey, 401 otherwise.
func fakeSupabase(t *testing.T, apikey string, users map[string]string) (*httptest.Server, *int) {
	t.Helper()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		if r.URL.Path != "/auth/v1/user" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		id, ok := users[tok]
		if r.Header.Get("apikey") != apikey || !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":401,"error_code":"bad_jwt","msg":"invalid JWT: unable to parse or verify signature"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"aud":"authenticated","role":"authenticated","email":"u@example.com"}`, id)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not a JSON object: %q", s)
	}
	return m
}

var _ = bytes.NewReader
var _ = context.Background

func newReader(r io.Reader) *sse.Reader { return sse.NewReader(r, 0) }
