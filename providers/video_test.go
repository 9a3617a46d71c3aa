package providers

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

func TestOpenAIVideo(t *testing.T) {
	videoPoll = 0
	job, _ := os.ReadFile("testdata/openai_video_job.json")
	failed, _ := os.ReadFile("testdata/openai_video_failed.json")
	var polls atomic.Int32
	fail := false
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/v1/videos":
			w.Write(job)
		case r.Method == "GET" && r.URL.Path == "/v1/videos/video_123":
			w.Header().Set("Content-Type", "application/json")
			if fail {
				w.Write(failed)
				return
			}
			status := "in_progress"
			if polls.Add(1) >= 2 {
				status = "completed"
			}
			w.Write([]byte(strings.Replace(string(job), `"queued"`, `"`+status+`"`, 1)))
		case r.Method == "GET" && r.URL.Path == "/v1/videos/video_123/content":
			w.Header().Set("Content-Type", "video/mp4")
			w.Write([]byte("\x00\x00\x00\x18ftypmp42"))
		default:
			http.NotFound(w, r)
		}
	})
	o := NewOpenAI(OpenAIConfig{BaseURL: up.URL + "/v1", APIKey: "sk-secret"})
	png := []byte("\x89PNG\r\n\x1a\n0000")
	v, err := o.GenerateVideo(context.Background(), &VideoRequest{Model: "sora-2", Prompt: "a cat", AspectRatio: "16:9", Resolution: "720p", Seconds: 4, Image: png})
	if err != nil {
		t.Fatal(err)
	}
	if string(v.Data[4:8]) != "ftyp" || v.ContentType != "video/mp4" || polls.Load() != 2 {
		t.Fatalf("%q %q %d polls", v.Data, v.ContentType, polls.Load())
	}
	up.mu.Lock()
	first := up.reqs[0]
	up.mu.Unlock()
	fields, _, _ := multipartFields(t, first)
	if fields["model"] != "sora-2" || fields["prompt"] != "a cat" || fields["size"] != "1280x720" || fields["seconds"] != "4" || fields["input_reference"] != string(png) {
		t.Fatalf("%v", fields)
	}
	fail = true
	_, err = o.GenerateVideo(context.Background(), &VideoRequest{Model: "sora-2", Prompt: "x"})
	if err == nil || !strings.Contains(err.Error(), "blocked by our moderation") || strings.Contains(err.Error(), "sk-secret") {
		t.Fatalf("got %v", err)
	}
	if _, err := o.GenerateVideo(context.Background(), &VideoRequest{Model: "sora-2", Prompt: "x", Image: []byte("GIF89a")}); err == nil {
		t.Fatal("a GIF first frame was sent")
	}
}

func TestFakeVideo(t *testing.T) {
	f := NewFake()
	a, err := f.GenerateVideo(context.Background(), &VideoRequest{Prompt: "x", AspectRatio: "9:16"})
	if err != nil || a.Synthetic == nil || a.Synthetic.Width != 90 || a.Synthetic.Height != 160 {
		t.Fatalf("%+v %v", a, err)
	}
	b, _ := f.GenerateVideo(context.Background(), &VideoRequest{Prompt: "y"})
	if a.Synthetic.Seed == b.Synthetic.Seed {
		t.Fatal("the seed does not follow the prompt")
	}
}

var (
	_ VideoGenerator = (*OpenAI)(nil)
	_ VideoGenerator = (*Fake)(nil)
)
