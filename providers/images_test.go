package providers

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
)

// TestOpenAIGenerateImage: a generation is a JSON POST to
// /images/generations asking for b64_json (not for the gpt-image models,
// which refuse the field and always answer it), with quality and
// background when set; the image is decoded from OpenAI's documented
// answer.
func TestOpenAIGenerateImage(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "openai_images.json"))
	p := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1", APIKey: "sk-test"})
	img, err := p.GenerateImage(context.Background(), &ImageRequest{Model: "gpt-image-1", Prompt: "a red square", Width: 1024, Height: 1024, Quality: "low", Background: "transparent"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width != 2 || cfg.Height != 2 {
		t.Fatalf("image: %v %+v", err, cfg)
	}
	r := u.last(t)
	if r.Method != "POST" || r.Path != "/v1/images/generations" || r.Header.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("request %s %s auth %q", r.Method, r.Path, r.Header.Get("Authorization"))
	}
	checkFields(t, r.body(t), []field{{"model", `"gpt-image-1"`}, {"prompt", `"a red square"`}, {"size", `"1024x1024"`}, {"response_format", "<absent>"}, {"n", "1"},
		{"quality", `"low"`}, {"background", `"transparent"`}})
	// Other models (DALL-E, local servers) answer a URL unless asked for
	// base64; quality and background are left out when not set.
	if _, err := p.GenerateImage(context.Background(), &ImageRequest{Model: "dall-e-3", Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	checkFields(t, u.last(t).body(t), []field{{"model", `"dall-e-3"`}, {"response_format", `"b64_json"`}, {"size", "<absent>"}, {"quality", "<absent>"}, {"background", "<absent>"}})
}

// TestOpenAIEditImage: an edit is a multipart POST to /images/edits with
// the image and the mask as file parts.
func TestOpenAIEditImage(t *testing.T) {
	u := replay(t, 200, "application/json", fixture(t, "openai_images.json"))
	p := NewOpenAI(OpenAIConfig{BaseURL: u.URL + "/v1"})
	in := []byte("\x89PNG\r\n\x1a\nfake input")
	mask := []byte("\x89PNG\r\n\x1a\nfake mask")
	if _, err := p.GenerateImage(context.Background(), &ImageRequest{Model: "gpt-image-1", Prompt: "make it blue", Image: in, Mask: mask, Width: 512, Height: 512, Quality: "high"}); err != nil {
		t.Fatal(err)
	}
	r := u.last(t)
	if r.Path != "/v1/images/edits" {
		t.Errorf("path %s", r.Path)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	got := map[string]string{}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		got[part.FormName()] = string(b)
		if (part.FormName() == "image" || part.FormName() == "mask") && part.FileName() == "" {
			t.Errorf("the %s is not a file part", part.FormName())
		}
	}
	for k, v := range map[string]string{"model": "gpt-image-1", "prompt": "make it blue", "size": "512x512", "quality": "high", "n": "1", "image": string(in), "mask": string(mask)} {
		if got[k] != v {
			t.Errorf("field %s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["response_format"]; ok {
		t.Error("a gpt-image edit asks for a response_format")
	}
	if _, ok := got["background"]; ok {
		t.Error("an unset background is sent")
	}
}

// TestOpenAIImageErrors: the upstream's refusal is reported with its
// message; an answer bigger than MaxBytes is refused before decoding; an
// answer with no image data is an error.
func TestOpenAIImageErrors(t *testing.T) {
	u := replay(t, 400, "application/json", fixture(t, "openai_images_rejected.json"))
	p := NewOpenAI(OpenAIConfig{BaseURL: u.URL, APIKey: "sk-secret"})
	_, err := p.GenerateImage(context.Background(), &ImageRequest{Prompt: "x"})
	if e := asError(t, err); e.Status != 400 || !strings.Contains(e.Message, "safety system") || strings.Contains(err.Error(), "sk-secret") {
		t.Errorf("error %v", err)
	}
	// The same refusal of an edit.
	if _, err := p.GenerateImage(context.Background(), &ImageRequest{Prompt: "x", Image: []byte("img")}); err == nil || !strings.Contains(err.Error(), "safety system") {
		t.Errorf("edit refused: %v", err)
	}
	// OpenAI's refusal of a field a model does not take is shown.
	u = replay(t, 400, "application/json", fixture(t, "openai_images_unknown_param.json"))
	p = NewOpenAI(OpenAIConfig{BaseURL: u.URL})
	if _, err := p.GenerateImage(context.Background(), &ImageRequest{Model: "dall-e-2", Prompt: "x", Background: "transparent"}); err == nil || !strings.Contains(err.Error(), "Unknown parameter") {
		t.Errorf("unknown parameter: %v", err)
	}
	u = replay(t, 200, "application/json", fixture(t, "openai_images.json"))
	p = NewOpenAI(OpenAIConfig{BaseURL: u.URL})
	if _, err := p.GenerateImage(context.Background(), &ImageRequest{Prompt: "x", MaxBytes: 10}); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("over MaxBytes: %v", err)
	}
	u = replay(t, 200, "application/json", `{"created":1,"data":[{"url":"https://example.com/a.png"}]}`)
	p = NewOpenAI(OpenAIConfig{BaseURL: u.URL})
	if _, err := p.GenerateImage(context.Background(), &ImageRequest{Prompt: "x"}); err == nil || !strings.Contains(err.Error(), "b64_json") {
		t.Errorf("URL answer: %v", err)
	}
}

// TestFakeGenerateImage: the fake's image has the requested size, is the
// same for the same prompt and differs for another; sizes over MaxBytes
// are refused.
func TestFakeGenerateImage(t *testing.T) {
	f := NewFake()
	ctx := context.Background()
	a, err := f.GenerateImage(ctx, &ImageRequest{Prompt: "a cat", Width: 64, Height: 32})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(a))
	if err != nil || cfg.Width != 64 || cfg.Height != 32 {
		t.Fatalf("image: %v %+v", err, cfg)
	}
	b, _ := f.GenerateImage(ctx, &ImageRequest{Prompt: "a cat", Width: 64, Height: 32})
	c, _ := f.GenerateImage(ctx, &ImageRequest{Prompt: "a dog", Width: 64, Height: 32})
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Error("the fake image is not a function of the prompt")
	}
	m1, _ := f.GenerateImage(ctx, &ImageRequest{Prompt: "a cat", Width: 64, Height: 32, Image: []byte("in"), Mask: []byte("m1")})
	m2, _ := f.GenerateImage(ctx, &ImageRequest{Prompt: "a cat", Width: 64, Height: 32, Image: []byte("in"), Mask: []byte("m2")})
	if bytes.Equal(m1, m2) {
		t.Error("the fake edit is not a function of the mask")
	}
	if _, err := f.GenerateImage(ctx, &ImageRequest{Prompt: "x", Width: 1000, Height: 1000, MaxBytes: 1 << 20}); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("over MaxBytes: %v", err)
	}
	if _, err := f.GenerateImage(ctx, &ImageRequest{Prompt: "x", Width: 100000, Height: 1}); err == nil {
		t.Error("a 100000-pixel side was drawn")
	}
	if _, ok := Images(f); !ok {
		t.Error("the fake does not generate images")
	}
	if _, ok := Images(NewAnthropic(AnthropicConfig{})); ok {
		t.Error("anthropic claims to generate images")
	}
}
