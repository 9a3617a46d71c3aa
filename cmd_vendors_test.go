package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const vendorTestKey = "vendor-KEY-secret-0123456789"

// vendorGraph is a workflow of one vendor node whose image is output
// "image".
func vendorGraph(typ, data string) string {
	return fmt.Sprintf(`{"nodes":[{"id":"n","type":%q,"data":%s},
 {"id":"o","type":"nodetool.output.Output","data":{"name":"image"}}],
 "edges":[{"id":"e","source":"n","sourceHandle":"output","target":"o","targetHandle":"value"}]}`, typ, data)
}

// vendorFake speaks kie.ai's task API and fal.ai's queue API (their
// documented answers, see providers/vendors/testdata), recording what it
// was asked; with echo it refuses every call quoting the Authorization
// header back.
type vendorFake struct {
	srv  *httptest.Server
	mu   sync.Mutex
	asks []string // "METHOD path auth body"
	echo bool
}

func newVendorFake(t *testing.T) *vendorFake {
	f := &vendorFake{}
	img := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	var file bytes.Buffer
	png.Encode(&file, img)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.asks = append(f.asks, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		echo := f.echo
		f.mu.Unlock()
		if echo {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"code":400,"msg":"bad %s","detail":"bad %s"}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
			return
		}
		switch r.URL.Path {
		case "/out.png":
			w.Write(file.Bytes())
		case "/api/v1/jobs/createTask":
			w.Write([]byte(`{"code":200,"msg":"success","data":{"taskId":"task_1"}}`))
		case "/api/v1/jobs/recordInfo":
			rj, _ := json.Marshal(`{"resultUrls":["` + f.srv.URL + `/out.png"]}`)
			fmt.Fprintf(w, `{"code":200,"msg":"success","data":{"taskId":"task_1","state":"success","resultJson":%s}}`, rj)
		case "/fal-ai/nano-banana-2":
			w.Write([]byte(`{"request_id":"r1"}`))
		case "/fal-ai/nano-banana-2/requests/r1/status":
			w.Write([]byte(`{"status":"COMPLETED"}`))
		case "/fal-ai/nano-banana-2/requests/r1":
			fmt.Fprintf(w, `{"images":[{"url":"%s/out.png","content_type":"image/png"}]}`, f.srv.URL)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *vendorFake) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asks...)
}

// resultImage decodes the image of run's result JSON.
func resultImage(t *testing.T, out string) image.Image {
	t.Helper()
	var res map[string][]struct {
		Type string `json:"type"`
		Data string `json:"data"`
		URI  string `json:"uri"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res["image"]) != 1 {
		t.Fatalf("result %.300s: %v", out, err)
	}
	ref := res["image"][0]
	uri := ref.URI
	if uri == "" {
		uri = ref.Data
	}
	_, b64, ok := strings.Cut(uri, ";base64,")
	data, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil {
		t.Fatalf("ref %.200v is not inline base64", ref)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestRunVendorNodes: nodetool run calls kie.ai and fal.ai at the URLs of
// the flags or their env variables with the key of the env variable or
// the key file, and prints the image.
func TestRunVendorNodes(t *testing.T) {
	f := newVendorFake(t)
	kie := writeFile(t, "kie.json", vendorGraph("kie.image.NanoBanana", `{"prompt":"a pokemon"}`), 0o600)
	fal := writeFile(t, "fal.json", vendorGraph("fal.text_to_image.NanoBanana2", `{"prompt":"Lisbon"}`), 0o600)
	keyFile := writeFile(t, "vendor.key", "\n"+vendorTestKey+"\n", 0o600)
	cases := []struct {
		name, file, want string
		env              map[string]string
		args             []string
	}{
		{"kie env", kie, "POST /api/v1/jobs/createTask Bearer " + vendorTestKey + ` {"input":{"image_size":"1:1","output_format":"png","prompt":"a pokemon"},"model":"google/nano-banana"}`,
			map[string]string{"KIE_API_KEY": vendorTestKey, "NODETOOL_KIE_URL": f.srv.URL}, nil},
		{"kie flags", kie, "GET /api/v1/jobs/recordInfo Bearer " + vendorTestKey,
			map[string]string{"NODETOOL_KIE_URL": "http://127.0.0.1:1"}, []string{"--kie-url", f.srv.URL, "--kie-api-key-file", keyFile}},
		{"fal env", fal, "POST /fal-ai/nano-banana-2 Key " + vendorTestKey,
			map[string]string{"FAL_API_KEY": vendorTestKey, "NODETOOL_FAL_URL": f.srv.URL}, nil},
		{"fal flags", fal, "GET /fal-ai/nano-banana-2/requests/r1 Key " + vendorTestKey,
			nil, []string{"--fal-url", f.srv.URL, "--fal-api-key-file", keyFile}},
	}
	for _, c := range cases {
		before := len(f.requests())
		out, errOut, code := runCLIEnv(t, c.env, append([]string{"run", c.file, "-q"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %s", c.name, code, errOut)
		}
		if b := resultImage(t, out).Bounds(); b.Dx() != 5 || b.Dy() != 3 {
			t.Errorf("%s: image %v", c.name, b)
		}
		found := false
		for _, r := range f.requests()[before:] {
			found = found || strings.HasPrefix(r, c.want)
			if strings.HasPrefix(r, "GET /out.png") && !strings.HasPrefix(r, "GET /out.png  ") {
				t.Errorf("%s: the download sent a key: %q", c.name, r)
			}
		}
		if !found {
			t.Errorf("%s: no request %q among %q", c.name, c.want, f.requests()[before:])
		}
	}
}

// TestVendorNodesWithoutKey: without a key the nodes run where the model
// map sends them; with neither, validate names the key and the map rule.
func TestVendorNodesWithoutKey(t *testing.T) {
	file := writeFile(t, "kie.json", vendorGraph("kie.image.NanoBanana", `{"prompt":"a pokemon","image_size":"16:9"}`), 0o600)
	out, _, code := runCLIEnv(t, nil, "validate", "--provider", "fake", file)
	if code != 1 || !strings.Contains(out, "KIE_API_KEY") || !strings.Contains(out, "--model-map") {
		t.Errorf("validate without a key or map: exit %d, %s", code, out)
	}
	if out, _, code = runCLIEnv(t, map[string]string{"KIE_API_KEY": vendorTestKey}, "validate", file); code != 0 {
		t.Errorf("validate with a key: exit %d, %s", code, out)
	}
	out, errOut, code := runCLIEnv(t, nil, "run", file, "-q", "--provider", "fake", "--model-map", "*=fake/fake-model")
	if code != 0 {
		t.Fatalf("run on the map: exit %d, %s", code, errOut)
	}
	if b := resultImage(t, out).Bounds(); b.Dx() != 1024 || b.Dy() != 576 {
		t.Errorf("fake image %v", b)
	}
}

// TestVendorFlagErrors: a bad key file or base URL is a usage error naming
// the flag; a service echoing the key fails the run without showing it.
func TestVendorFlagErrors(t *testing.T) {
	file := writeFile(t, "kie.json", vendorGraph("kie.image.NanoBanana", `{"prompt":"p"}`), 0o600)
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--kie-api-key-file", writeFile(t, "k", vendorTestKey, 0o644)}, nil, "--kie-api-key-file: "},
		{[]string{"--fal-api-key-file", filepath.Join(t.TempDir(), "nope")}, nil, "--fal-api-key-file: "},
		{[]string{"--kie-url", "ftp://x"}, nil, "--kie-url"},
		{nil, map[string]string{"NODETOOL_KIE_UPLOAD_URL": "kie.example"}, "is not an http or https URL"},
		{nil, map[string]string{"NODETOOL_FAL_URL": "https://u:p@fal.example"}, "--fal-url"},
	} {
		out, errOut, code := runCLIEnv(t, c.env, append([]string{"run", file}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Contains(out+errOut, vendorTestKey) {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 with %q", c.args, c.env, code, errOut, c.want)
		}
	}
	f := newVendorFake(t)
	f.echo = true
	for _, args := range [][]string{{"run", file}, {"run", file, "--jsonl"}} {
		out, errOut, code := runCLIEnv(t, map[string]string{"KIE_API_KEY": vendorTestKey, "NODETOOL_KIE_URL": f.srv.URL}, args...)
		if code != 1 || !strings.Contains(out+errOut, "kie.ai model google/nano-banana: 400") || strings.Contains(out+errOut, vendorTestKey) {
			t.Errorf("%v: exit %d, stdout %s, stderr %s", args, code, out, errOut)
		}
	}
}

// TestServeVendorWithUserSecret: serve with no key of its own calls kie.ai
// with the key the user stored among their secrets, and says so in its
// banner; without one the node is refused naming the key.
func TestServeVendorWithUserSecret(t *testing.T) {
	f := newVendorFake(t)
	env := serveEnv(t)
	env["NODETOOL_KIE_URL"] = f.srv.URL
	s := startServer(t, env, "serve", "--port", "0")
	if !strings.Contains(s.stdout.String(), "kie.ai:    "+f.srv.URL+" with each user's own KIE_API_KEY secret") {
		t.Errorf("banner: %s", s.stdout)
	}
	var graph any
	json.Unmarshal([]byte(vendorGraph("kie.image.NanoBanana", `{"prompt":"a pokemon"}`)), &graph)
	body, _ := json.Marshal(map[string]any{"name": "kie", "access": "private", "graph": graph})
	code, resp := authGet(t, "POST", s.url+"/api/workflows", "", string(body))
	if code != 200 {
		t.Fatalf("create workflow: %d %s", code, resp)
	}
	var wf struct{ ID string }
	json.Unmarshal([]byte(resp), &wf)
	code, resp = authGet(t, "POST", s.url+"/api/workflows/"+wf.ID+"/run", "", `{}`)
	if code == 200 || !strings.Contains(resp, "KIE_API_KEY") {
		t.Errorf("run without a key: %d %s", code, resp)
	}
	code, resp = authGet(t, "PUT", s.url+"/api/settings", "", `{"settings":{},"secrets":{"KIE_API_KEY":"`+vendorTestKey+`"}}`)
	if code != 200 {
		t.Fatalf("store the secret: %d %s", code, resp)
	}
	code, resp = authGet(t, "POST", s.url+"/api/workflows/"+wf.ID+"/run", "", `{}`)
	if code != 200 || !strings.Contains(resp, `"task_id": "task_1"`) && !strings.Contains(resp, `"task_id":"task_1"`) {
		t.Errorf("run with the user's key: %d %.500s", code, resp)
	}
	found := false
	for _, r := range f.requests() {
		found = found || strings.HasPrefix(r, "POST /api/v1/jobs/createTask Bearer "+vendorTestKey)
	}
	if !found {
		t.Errorf("requests %q, want a task made with the user's key", f.requests())
	}
	if strings.Contains(s.stdout.String()+s.stderr.String(), vendorTestKey) {
		t.Error("serve's output shows the key")
	}
}
