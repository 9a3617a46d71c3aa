package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// imageWorkflow makes one image of the fake provider (size x size) as
// result "image".
const imageWorkflow = `{"id":"img","name":"Img","graph":{"nodes":[
 {"id":"size","type":"nodetool.input.IntegerInput","data":{"name":"size","value":64}},
 {"id":"t2i","type":"nodetool.image.TextToImage","data":{"model":{"type":"image_model","provider":"fake","id":"fake-model"},"prompt":"a red fox"}},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"image"}}],
 "edges":[{"id":"e1","source":"size","sourceHandle":"output","target":"t2i","targetHandle":"width"},
 {"id":"e2","source":"size","sourceHandle":"output","target":"t2i","targetHandle":"height"},
 {"id":"e3","source":"t2i","sourceHandle":"output","target":"out","targetHandle":"value"}]}}`

type resultRef struct {
	URI     string  `json:"uri"`
	AssetID *string `json:"asset_id"`
	Data    any     `json:"data"`
}

// TestWorkerMediaOutputs: the worker keeps an image result over
// --media-inline-max (here from NODETOOL_MEDIA_INLINE_MAX) in temp storage
// and answers its /storage/temp URL, which serves the PNG; a smaller one is
// inline.
func TestWorkerMediaOutputs(t *testing.T) {
	env := workerEnv(t)
	env["NODETOOL_MEDIA_INLINE_MAX"] = "1KiB"
	wf := filepath.Join(t.TempDir(), "img.json")
	if err := os.WriteFile(wf, []byte(imageWorkflow), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, env, "worker", "--host", "127.0.0.1", "--port", "0", "--provider", "fake", "--workflow", wf)
	run := func(size string) resultRef {
		code, body := authGet(t, "POST", s.url+"/workflows/img/run", env["WORKER_AUTH_TOKEN"], `{"size":`+size+`}`)
		var res struct{ Results struct{ Image resultRef } }
		if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
			t.Fatalf("run = %d %.300s", code, body)
		}
		return res.Results.Image
	}
	big := run("64")
	if !regexp.MustCompile(`^/storage/temp/[0-9a-f]{32}\.png$`).MatchString(big.URI) || big.Data != nil || big.AssetID != nil {
		t.Fatalf("64x64 image = %+v, want a /storage/temp ref", big)
	}
	code, body := authGet(t, "GET", s.url+big.URI, "", "")
	if cfg, err := png.DecodeConfig(strings.NewReader(body)); code != 200 || err != nil || cfg.Width != 64 {
		t.Errorf("GET %s = %d %v", big.URI, code, err)
	}
	if small := run("4"); !strings.HasPrefix(small.URI, "data:image/png;base64,") {
		t.Errorf("4x4 image = %.100v, want inline", small)
	}
}

// TestServeMediaOutputs: serve keeps an image result over the bound
// (--media-inline-max 0: every one) as an asset of the caller, with its
// URL, listed by /api/assets.
func TestServeMediaOutputs(t *testing.T) {
	s := startServer(t, serveEnv(t), "serve", "--port", "0", "--provider", "fake", "--media-inline-max", "0")
	var graph struct{ Graph any }
	json.Unmarshal([]byte(imageWorkflow), &graph)
	b, _ := json.Marshal(map[string]any{"name": "img", "access": "private", "graph": graph.Graph})
	code, body := authGet(t, "POST", s.url+"/api/workflows", "", string(b))
	var wf struct{ ID string }
	if code != 200 || json.Unmarshal([]byte(body), &wf) != nil {
		t.Fatalf("create = %d %s", code, body)
	}
	code, body = authGet(t, "POST", s.url+"/api/workflows/"+wf.ID+"/run", "", `{"params":{"size":8}}`)
	var res struct{ Image resultRef }
	if code != 200 || json.Unmarshal([]byte(body), &res) != nil || res.Image.AssetID == nil {
		t.Fatalf("run = %d %.300s, want a stored image", code, body)
	}
	if want := s.url + "/api/storage/" + *res.Image.AssetID + ".png"; res.Image.URI != want || res.Image.Data != nil {
		t.Errorf("image = %+v, want uri %s", res.Image, want)
	}
	code, body = authGet(t, "GET", res.Image.URI, "", "")
	if cfg, err := png.DecodeConfig(strings.NewReader(body)); code != 200 || err != nil || cfg.Width != 8 {
		t.Errorf("GET %s = %d %v", res.Image.URI, code, err)
	}
	code, body = authGet(t, "GET", s.url+"/api/assets", "", "")
	if code != 200 || !strings.Contains(body, *res.Image.AssetID) || !strings.Contains(body, `"name":"image_out.png"`) {
		t.Errorf("GET /api/assets = %d %.300s, want the result's asset", code, body)
	}
}

// TestMediaInlineMaxFlag: the bound takes sizes and 0; anything else is a
// usage error naming where it came from.
func TestMediaInlineMaxFlag(t *testing.T) {
	env := workerEnv(t)
	env["NODETOOL_MEDIA_INLINE_MAX"] = "lots"
	if _, stderr, code := runCLIEnv(t, env, "worker", "--host", "127.0.0.1", "--port", "0"); code != 2 || !strings.Contains(stderr, "NODETOOL_MEDIA_INLINE_MAX") {
		t.Errorf("NODETOOL_MEDIA_INLINE_MAX=lots: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runCLIEnv(t, workerEnv(t), "worker", "--media-inline-max", "-1"); code != 2 || !strings.Contains(stderr, "media-inline-max") {
		t.Errorf("--media-inline-max -1: exit %d, %s", code, stderr)
	}
	stdout, _, _ := runCLIEnv(t, workerEnv(t), "worker", "-h")
	if !strings.Contains(stdout, "-media-inline-max") || !strings.Contains(stdout, "NODETOOL_MEDIA_INLINE_MAX") {
		t.Errorf("worker -h does not describe --media-inline-max:\n%s", stdout)
	}
	stdout, _, _ = runCLIEnv(t, serveEnv(t), "serve", "-h")
	if !strings.Contains(stdout, "-media-inline-max") || !strings.Contains(stdout, "64KiB") {
		t.Errorf("serve -h does not describe --media-inline-max:\n%s", stdout)
	}
}
