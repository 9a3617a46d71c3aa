package images_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

// run compiles and runs a one-node graph on reg, returning its result.
func run(t *testing.T, reg *engine.Registry, typ, data string, lim engine.Limits) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, reg, nodetest.OneNode(typ, data)).Run(context.Background(), engine.RunOptions{JobID: "j", Limits: lim})
}

// decoded returns the image of the run's only result.
func decoded(t *testing.T, res *engine.Result) image.Image {
	t.Helper()
	if res.Status != engine.StatusCompleted {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	ref, ok := res.Outputs["r"][0].(*pyval.Dict)
	if !ok || !media.IsRef(ref, media.Image) {
		t.Fatalf("result %s is not an image ref", pyval.Repr(res.Outputs["r"]))
	}
	v, _ := ref.Get("data")
	data, ok := v.([]byte)
	if !ok {
		t.Fatalf("the ref holds no data: %s", pyval.Repr(ref))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func mapped(t *testing.T, rules ...string) *engine.Registry {
	t.Helper()
	set, err := providers.NewSet("fake", "fake-model", providers.NewFake())
	if err != nil {
		t.Fatal(err)
	}
	m, err := providers.ParseModelMap(rules)
	if err != nil {
		t.Fatal(err)
	}
	return nodes.NewRegistry(nodes.Deps{Models: &providers.Mapped{Set: set, Map: m}})
}

var limits = engine.Limits{Value: 16 << 20}

// TestTextToImageFake: the fake provider draws an image of the size asked.
func TestTextToImageFake(t *testing.T) {
	res := run(t, nodetest.FakeModels(), "nodetool.image.TextToImage", `{"model":{"type":"image_model","provider":"fake","id":"fake-model"},"prompt":"a lighthouse","width":96,"height":64}`, limits)
	if b := decoded(t, res).Bounds(); b.Dx() != 96 || b.Dy() != 64 {
		t.Errorf("size %v", b)
	}
}

// TestVendorNodesMapped: kie.image.NanoBanana and fal.text_to_image.
// NanoBanana2 run where the model map sends them, at their aspect ratio.
func TestVendorNodesMapped(t *testing.T) {
	reg := mapped(t, "*=fake/fake-model")
	if b := decoded(t, run(t, reg, "kie.image.NanoBanana", `{"prompt":"a pokemon","image_size":"16:9"}`, limits)).Bounds(); b.Dx() != 1024 || b.Dy() != 576 {
		t.Errorf("NanoBanana size %v", b)
	}
	if b := decoded(t, run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"Lisbon","resolution":"1K","aspect_ratio":"3:4"}`, limits)).Bounds(); b.Dx() != 768 || b.Dy() != 1024 {
		t.Errorf("NanoBanana2 size %v", b)
	}
	// A huge image is refused by max-value before it is asked for.
	res := run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"x","resolution":"4K"}`, nodetest.SmallLimits)
	nodetest.WantValueLimit(t, res, "n")
}

// TestImageModelValidation: without a provider, or with one that is not
// configured, image model nodes are refused when the workflow compiles,
// saying what to configure.
func TestImageModelValidation(t *testing.T) {
	for reg, want := range map[*engine.Registry]string{
		nodetest.Registry(): "no image model provider is configured",
		mapped(t):           "--model-map",
	} {
		for _, typ := range []string{"nodetool.image.TextToImage", "nodetool.image.ImageToImage", "kie.image.NanoBanana", "fal.text_to_image.NanoBanana2"} {
			w, err := engine.ParseWorkflow([]byte(nodetest.OneNode(typ, `{}`)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reg.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: Compile = %v, want %q", typ, err, want)
			}
		}
	}
	// A provider that makes no images is refused naming the ones that do.
	set, _ := providers.NewSet("anthropic", "claude", providers.NewAnthropic(providers.AnthropicConfig{}))
	reg := nodes.NewRegistry(nodes.Deps{Models: set})
	w, _ := engine.ParseWorkflow([]byte(nodetest.OneNode("nodetool.image.TextToImage", `{"model":{"type":"image_model","provider":"","id":""}}`)))
	if _, err := reg.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "cannot generate images") {
		t.Errorf("anthropic: %v", err)
	}
}

func pngBytes(t *testing.T, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImageToImageOpenAI: ImageToImage sends the input image to an
// OpenAI-compatible server's /images/edits and returns its answer.
func TestImageToImageOpenAI(t *testing.T) {
	answer := pngBytes(t, 8, 4, color.NRGBA{0, 0, 255, 255})
	var mu sync.Mutex
	var got struct{ path, prompt, model string }
	var image []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f, _, err := r.FormFile("image")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b, _ := io.ReadAll(f)
		mu.Lock()
		got.path, got.prompt, got.model, image = r.URL.Path, r.FormValue("prompt"), r.FormValue("model"), b
		mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"created": 1, "data": []any{map[string]any{"b64_json": base64.StdEncoding.EncodeToString(answer)}}})
	}))
	defer srv.Close()
	set, _ := providers.NewSet("openai", "gpt-image-1", providers.NewOpenAI(providers.OpenAIConfig{BaseURL: srv.URL + "/v1"}))
	reg := nodes.NewRegistry(nodes.Deps{Models: set})
	in := pngBytes(t, 4, 4, color.NRGBA{255, 0, 0, 255})
	data := `{"model":{"type":"image_model","provider":"openai","id":"gpt-image-1"},"prompt":"make it blue","image":{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(in) + `"}}`
	if b := decoded(t, run(t, reg, "nodetool.image.ImageToImage", data, limits)).Bounds(); b.Dx() != 8 || b.Dy() != 4 {
		t.Errorf("size %v", b)
	}
	mu.Lock()
	defer mu.Unlock()
	if got.path != "/v1/images/edits" || got.prompt != "make it blue" || got.model != "gpt-image-1" || !bytes.Equal(image, in) {
		t.Errorf("request %+v, image %d bytes", got, len(image))
	}
}
