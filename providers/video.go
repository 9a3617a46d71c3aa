package providers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// VideoGenerator is a provider that makes videos from a prompt, and
// optionally a first image.
type VideoGenerator interface {
	GenerateVideo(ctx context.Context, req *VideoRequest) (*Video, error)
}

// VideoRequest asks for one video.
type VideoRequest struct {
	Model          string
	Prompt         string
	NegativePrompt string
	Image          []byte // the first frame, for image to video
	AspectRatio    string // "16:9", "9:16", "1:1"...
	Resolution     string // "480p", "720p", "1080p"
	Seconds        float64
	Seed           int64
}

// Video is a made video: its bytes (MP4), or, from the fake, the
// recipe of a synthetic clip for the caller to render with ffmpeg.
type Video struct {
	Data        []byte
	ContentType string
	Synthetic   *SyntheticClip
}

// SyntheticClip describes the fake provider's clip: a test pattern whose
// hue and tone come from Seed, Width x Height, Seconds long; with an
// image, the image slowly zoomed.
type SyntheticClip struct {
	Seed          uint32
	Width, Height int
	Seconds       float64
	Image         []byte
}

// GenerateVideo answers the recipe of a clip derived from the prompt: a
// second of 160x90 (or its aspect ratio's) test pattern, or of the image.
func (f *Fake) GenerateVideo(ctx context.Context, req *VideoRequest) (*Video, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Provider: "fake", URL: "fake://", Message: "request canceled", Err: err}
	}
	if req.Model == "fail-before" {
		return nil, fakeError(500, "simulated failure (model fail-before)")
	}
	sum := sha256.Sum256([]byte(req.Prompt))
	w, h := 160, 90
	switch req.AspectRatio {
	case "9:16":
		w, h = 90, 160
	case "1:1":
		w, h = 120, 120
	case "4:3":
		w, h = 120, 90
	case "3:4":
		w, h = 90, 120
	}
	return &Video{ContentType: "video/mp4", Synthetic: &SyntheticClip{
		Seed: binary.BigEndian.Uint32(sum[:4]), Width: w, Height: h, Seconds: 1, Image: req.Image,
	}}, nil
}

// videoPoll is the wait between two polls of a video job.
var videoPoll = 5 * time.Second

// maxVideoWait bounds a whole generation, polls included, when the
// caller's context has no earlier deadline.
const maxVideoWait = 30 * time.Minute

// GenerateVideo asks OpenAI's video API (POST /videos, multipart), polls
// GET /videos/{id} until the job is completed or failed, and downloads
// GET /videos/{id}/content.
func (o *OpenAI) GenerateVideo(ctx context.Context, req *VideoRequest) (*Video, error) {
	model := req.Model
	if model == "" {
		model = o.model
	}
	if model == "" {
		return nil, ErrNoModel
	}
	ctx, cancel := context.WithTimeout(ctx, maxVideoWait)
	defer cancel()
	form, err := videoForm(req, model)
	if err != nil {
		return nil, err
	}
	c, err := o.ep.do(ctx, http.MethodPost, "/videos", model, form, chatTimeout)
	if err != nil {
		return nil, err
	}
	var job oaiVideoJob
	if err := c.decode(&job); err != nil {
		return nil, err
	}
	if job.ID == "" || strings.ContainsAny(job.ID, "/?#%") {
		_, shown := o.ep.target("/videos")
		return nil, o.ep.fail(shown, 0, "the server gave no usable video id", nil)
	}
	for job.Status != "completed" {
		if job.Status == "failed" {
			_, shown := o.ep.target("/videos/" + job.ID)
			msg := "the video generation failed"
			if job.Error != nil && job.Error.Message != "" {
				msg += ": " + excerpt(job.Error.Message)
			}
			return nil, o.ep.fail(shown, 0, msg, nil)
		}
		t := time.NewTimer(videoPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			_, shown := o.ep.target("/videos/" + job.ID)
			return nil, o.ep.ended(shown, ctx.Err())
		case <-t.C:
		}
		c, err := o.ep.do(ctx, http.MethodGet, "/videos/"+job.ID, model, nil, modelsTimeout)
		if err != nil {
			return nil, err
		}
		if err := c.decode(&job); err != nil {
			return nil, err
		}
	}
	c, err = o.ep.do(ctx, http.MethodGet, "/videos/"+job.ID+"/content", model, nil, chatTimeout)
	if err != nil {
		return nil, err
	}
	ct := c.resp.Header.Get("Content-Type")
	b, err := c.body()
	if err != nil {
		return nil, err
	}
	return &Video{Data: b, ContentType: ct}, nil
}

type oaiVideoJob struct {
	ID       string `json:"id"`
	Status   string `json:"status"` // queued, in_progress, completed, failed
	Progress int    `json:"progress"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func videoForm(req *VideoRequest, model string) (formBody, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := [][2]string{{"model", model}, {"prompt", req.Prompt}}
	if s := videoSize(req.AspectRatio, req.Resolution); s != "" {
		fields = append(fields, [2]string{"size", s})
	}
	if req.Seconds > 0 {
		fields = append(fields, [2]string{"seconds", strconv.Itoa(int(req.Seconds))})
	}
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return formBody{}, err
		}
	}
	if len(req.Image) > 0 {
		h := textproto.MIMEHeader{}
		ct := http.DetectContentType(req.Image)
		ext := map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}[ct]
		if ext == "" {
			return formBody{}, fmt.Errorf("the first frame is %s, not PNG, JPEG or WebP", ct)
		}
		h.Set("Content-Disposition", `form-data; name="input_reference"; filename="image.`+ext+`"`)
		h.Set("Content-Type", ct)
		p, err := w.CreatePart(h)
		if err != nil {
			return formBody{}, err
		}
		p.Write(req.Image)
	}
	if err := w.Close(); err != nil {
		return formBody{}, err
	}
	return formBody{contentType: w.FormDataContentType(), data: buf.Bytes()}, nil
}

// videoSize is OpenAI's "WIDTHxHEIGHT" for an aspect ratio and
// resolution, or "" to leave the server's default.
func videoSize(aspect, res string) string {
	h := map[string]int{"480p": 480, "720p": 720, "1080p": 1080}[strings.ToLower(res)]
	if h == 0 {
		h = 720
	}
	switch aspect {
	case "16:9":
		return fmt.Sprintf("%dx%d", h*16/9, h)
	case "9:16":
		return fmt.Sprintf("%dx%d", h, h*16/9)
	}
	return ""
}
