package images_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/color"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"nodetool/engine"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

// openAIRequest is what the test server saw of an image request.
type openAIRequest struct {
	path   string
	fields map[string]string // JSON fields (as JSON text) or form fields
	files  map[string][]byte // multipart file parts
}

// openAIServer answers every image request with OpenAI's documented
// answer (the providers' recorded openai_images.json, a 2x2 PNG) and
// records the requests.
func openAIServer(t *testing.T) (*engine.Registry, func() []openAIRequest) {
	t.Helper()
	answer, err := os.ReadFile("../../providers/testdata/openai_images.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reqs []openAIRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := openAIRequest{path: r.URL.Path, fields: map[string]string{}, files: map[string][]byte{}}
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "multipart/form-data" {
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				part, err := mr.NextPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(part)
				if part.FileName() != "" {
					req.files[part.FormName()] = b
				} else {
					req.fields[part.FormName()] = string(b)
				}
			}
		} else {
			var body map[string]json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			for k, v := range body {
				req.fields[k] = string(v)
			}
		}
		mu.Lock()
		reqs = append(reqs, req)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
	t.Cleanup(srv.Close)
	set, err := providers.NewSet("openai", "", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1", APIKey: "sk-test"}))
	if err != nil {
		t.Fatal(err)
	}
	return nodes.NewRegistry(nodes.Deps{Models: set}), func() []openAIRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]openAIRequest(nil), reqs...)
	}
}

// TestOpenAIImageNodes: Create Image is a JSON generation request and
// Edit Image a multipart edit request (image and mask as file parts) to
// the OpenAI-compatible provider, with the node's model, size, quality and
// background, and no response_format (gpt-image-1 refuses it).
func TestOpenAIImageNodes(t *testing.T) {
	reg, requests := openAIServer(t)
	res := run(t, reg, "openai.image.CreateImage", `{"prompt": "a red fox", "size": "1536x1024", "background": "transparent", "quality": "low"}`, limits)
	if b := decoded(t, res).Bounds(); b.Dx() != 2 || b.Dy() != 2 {
		t.Errorf("CreateImage's image is %v, want the answer's 2x2", b)
	}
	in := pngBytes(t, 4, 4, color.NRGBA{255, 0, 0, 255})
	mask := pngBytes(t, 4, 4, color.NRGBA{0, 0, 0, 0})
	ref := func(b []byte) string {
		return `{"type": "image", "uri": "data:image/png;base64,` + base64.StdEncoding.EncodeToString(b) + `"}`
	}
	res = run(t, reg, "openai.image.EditImage", `{"image": `+ref(in)+`, "mask": `+ref(mask)+`, "prompt": "make it blue", "size": "1024x1536", "quality": "medium"}`, limits)
	nodetest.WantCompleted(t, res)
	res = run(t, reg, "openai.image.EditImage", `{"image": `+ref(in)+`, "prompt": "no mask"}`, limits)
	nodetest.WantCompleted(t, res)
	reqs := requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	gen, edit, plain := reqs[0], reqs[1], reqs[2]
	for k, v := range map[string]string{"model": `"gpt-image-1"`, "prompt": `"a red fox"`, "size": `"1536x1024"`, "background": `"transparent"`, "quality": `"low"`, "n": "1"} {
		if gen.fields[k] != v {
			t.Errorf("CreateImage request %s = %s, want %s", k, gen.fields[k], v)
		}
	}
	if gen.path != "/v1/images/generations" || gen.fields["response_format"] != "" {
		t.Errorf("CreateImage request %s %v", gen.path, gen.fields)
	}
	for k, v := range map[string]string{"model": "gpt-image-1", "prompt": "make it blue", "size": "1024x1536", "quality": "medium", "n": "1"} {
		if edit.fields[k] != v {
			t.Errorf("EditImage request %s = %q, want %q", k, edit.fields[k], v)
		}
	}
	if edit.path != "/v1/images/edits" || !bytes.Equal(edit.files["image"], in) || !bytes.Equal(edit.files["mask"], mask) {
		t.Errorf("EditImage request %s, files %d/%d bytes", edit.path, len(edit.files["image"]), len(edit.files["mask"]))
	}
	if _, ok := edit.fields["response_format"]; ok {
		t.Error("EditImage asks for a response_format")
	}
	if _, ok := plain.files["mask"]; ok || plain.fields["size"] != "1024x1024" {
		t.Errorf("EditImage without a mask: %v, files %v", plain.fields, len(plain.files))
	}
	for data, want := range map[string]string{
		`{"image": ` + ref(in) + `}`: "Edit prompt cannot be empty",
		`{"prompt": "x"}`:            "Input image is required",
	} {
		if res := run(t, reg, "openai.image.EditImage", data, limits); !strings.Contains(res.Error, want) {
			t.Errorf("EditImage(%.60s): %q, want %q", data, res.Error, want)
		}
	}
	if n := len(requests()); n != 3 {
		t.Errorf("the refused edits made requests: %d in all", n)
	}
}

// TestOpenAIImageNodesMapped: the nodes route openai/gpt-image-1 through
// the model map, so a rule sends them to the fake, at the node's size;
// without a provider or a rule they are refused when the workflow is
// validated.
func TestOpenAIImageNodesMapped(t *testing.T) {
	reg := mapped(t, "openai/*=fake/fake-model")
	if b := decoded(t, run(t, reg, "openai.image.CreateImage", `{"prompt": "a lighthouse", "size": "1024x1536"}`, limits)).Bounds(); b.Dx() != 1024 || b.Dy() != 1536 {
		t.Errorf("CreateImage on the fake: %v", b)
	}
	in := pngBytes(t, 8, 8, color.NRGBA{0, 255, 0, 255})
	data := `{"image": {"type": "image", "uri": "data:image/png;base64,` + base64.StdEncoding.EncodeToString(in) + `"}, "prompt": "x"}`
	if b := decoded(t, run(t, reg, "openai.image.EditImage", data, limits)).Bounds(); b.Dx() != 1024 || b.Dy() != 1024 {
		t.Errorf("EditImage on the fake: %v", b)
	}
	// The image's pixels are counted against max-value before it is
	// asked for.
	nodetest.WantValueLimit(t, run(t, reg, "openai.image.CreateImage", `{"prompt": "x"}`, nodetest.SmallLimits), "n")
	for reg, want := range map[*engine.Registry]string{
		nodetest.Registry(): "no image model provider is configured",
		mapped(t):           "--model-map 'openai/*=PROVIDER/MODEL'",
	} {
		for _, typ := range []string{"openai.image.CreateImage", "openai.image.EditImage"} {
			w, err := engine.ParseWorkflow([]byte(nodetest.OneNode(typ, `{}`)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reg.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: Compile = %v, want %q", typ, err, want)
			}
		}
	}
}
