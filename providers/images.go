package providers

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// ImageRequest asks an image model for one image: from the prompt alone
// (generation) or from Image and the prompt (an edit).
type ImageRequest struct {
	Model          string
	Prompt         string
	NegativePrompt string // sent where the API has a field for it
	Width, Height  int    // the size wanted; 0 lets the model choose
	// Image is the input image (PNG, JPEG or WebP) of an edit; nil for a
	// generation.
	Image []byte
	// Mask marks the part of Image an edit may change (transparent
	// pixels); nil: all of it.
	Mask     []byte
	Strength float64 // how far an edit may move from Image, 0 to 1
	// Quality ("low", "medium", "high", "auto"; "standard"/"hd" for
	// DALL-E 3) and Background ("transparent", "opaque", "auto") are
	// sent where the API has them; "" leaves them to the model.
	Quality, Background string
	Seed                int64 // -1: random
	// MaxBytes bounds the image returned (its encoded bytes); 0 means
	// the provider's own bound on a response.
	MaxBytes int64
}

// ImageGenerator is a provider that can make images. The image comes back
// encoded (PNG unless the model chooses another format); callers sniff it.
type ImageGenerator interface {
	GenerateImage(ctx context.Context, req *ImageRequest) ([]byte, error)
}

// Images returns p's image generation, if it has any.
func Images(p Provider) (ImageGenerator, bool) {
	g, ok := p.(ImageGenerator)
	return g, ok
}

// imageTimeout bounds the wait for an image: models take a while.
const imageTimeout = chatTimeout

// oaiImages is OpenAI's answer to /images/generations and /images/edits.
type oaiImages struct {
	Data []struct {
		B64JSON string `json:"b64_json"`
		URL     string `json:"url"`
	} `json:"data"`
}

// alwaysBase64 reports whether model is one of OpenAI's GPT image
// models, which always answer base64 data and refuse a response_format
// field ("Unknown parameter: 'response_format'").
func alwaysBase64(model string) bool { return strings.HasPrefix(model, "gpt-image") }

// GenerateImage calls POST /images/generations (JSON), or POST
// /images/edits (multipart/form-data) when the request has an input
// image (and a mask, as file parts), asking for base64 data
// (response_format b64_json, except for the gpt-image models, which
// always answer it and refuse the field). Quality and background are sent
// when set. Negative prompt, strength and seed have no field in OpenAI's
// API and are not sent.
func (o *OpenAI) GenerateImage(ctx context.Context, req *ImageRequest) ([]byte, error) {
	model := req.Model
	if model == "" {
		model = o.model
	}
	fields := [][2]string{{"prompt", req.Prompt}, {"n", "1"}}
	if !alwaysBase64(model) {
		fields = append(fields, [2]string{"response_format", "b64_json"})
	}
	if model != "" {
		fields = append(fields, [2]string{"model", model})
	}
	if req.Width > 0 && req.Height > 0 {
		fields = append(fields, [2]string{"size", fmt.Sprintf("%dx%d", req.Width, req.Height)})
	}
	if req.Quality != "" {
		fields = append(fields, [2]string{"quality", req.Quality})
	}
	if req.Background != "" {
		fields = append(fields, [2]string{"background", req.Background})
	}
	var c *call
	var err error
	if req.Image == nil {
		body := map[string]any{}
		for _, f := range fields {
			body[f[0]] = f[1]
		}
		body["n"] = 1
		c, err = o.ep.do(ctx, http.MethodPost, "/images/generations", model, body, imageTimeout)
	} else {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, f := range fields {
			if err := w.WriteField(f[0], f[1]); err != nil {
				return nil, err
			}
		}
		ferr := filePart(w, "image", req.Image)
		if ferr == nil && req.Mask != nil {
			ferr = filePart(w, "mask", req.Mask)
		}
		if ferr == nil {
			ferr = w.Close()
		}
		if ferr != nil {
			return nil, ferr
		}
		c, err = o.ep.do(ctx, http.MethodPost, "/images/edits", model, formBody{w.FormDataContentType(), buf.Bytes()}, imageTimeout)
	}
	if err != nil {
		return nil, err
	}
	var ans oaiImages
	if err := c.decode(&ans); err != nil {
		return nil, err
	}
	switch {
	case len(ans.Data) == 0:
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, "the answer holds no image", nil)
	case ans.Data[0].B64JSON == "":
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, "the answer holds no b64_json image data (a URL only?)", nil)
	}
	b64 := ans.Data[0].B64JSON
	if n := int64(base64.StdEncoding.DecodedLen(len(b64))); req.MaxBytes > 0 && n > req.MaxBytes+2 {
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, "the image is larger than "+strconv.FormatInt(req.MaxBytes, 10)+" bytes (max-value)", nil)
	}
	img, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, o.ep.fail(c.shown, c.resp.StatusCode, "malformed b64_json image data", err)
	}
	return img, nil
}

// filePart adds a file part of a multipart form, named after the field.
func filePart(w *multipart.Writer, field string, data []byte) error {
	part, err := w.CreateFormFile(field, field+".png")
	if err != nil {
		return err
	}
	_, err = part.Write(data)
	return err
}
