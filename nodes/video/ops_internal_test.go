package video

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"strings"
	"testing"

	"nodetool/ffmpeg"
	"nodetool/lang/wav"
)

func testJob(t *testing.T) *job {
	t.Helper()
	tl, err := ffmpeg.Find("")
	if err != nil {
		t.Fatalf("%v (CI installs it)", err)
	}
	j, err := newJob(tl, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.close)
	return j
}

func clip(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/corpus-media/video-clip.mp4")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// probeBytes checks that b is a video ffprobe reads, and returns its facts.
func probeBytes(t *testing.T, b []byte) info {
	t.Helper()
	j := testJob(t)
	_, in, err := j.inputInfo(context.Background(), "check.mp4", b)
	if err != nil {
		t.Fatalf("the result is not a video: %v", err)
	}
	return in
}

func TestProbe(t *testing.T) {
	in := probeBytes(t, clip(t))
	if in.Width != 64 || in.Height != 48 || in.FPS != 10 || in.Frames != 10 || !in.HasAudio || in.Codec != "h264" || in.Duration < 0.9 {
		t.Fatalf("%+v", in)
	}
	if _, err := parseProbe([]byte(`{"streams":[{"codec_type":"audio"}]}`)); err == nil {
		t.Fatal("no video stream")
	}
	if rate("30000/1001") < 29.97 || rate("x") != 0 || rate("1/0") != 0 {
		t.Fatal("rate")
	}
}

func TestFramesRoundTrip(t *testing.T) {
	ctx := context.Background()
	j := testJob(t)
	var frames [][]byte
	err := j.frames(ctx, clip(t), 2, -1, func(i int64, b []byte) error {
		if i != int64(len(frames))+2 {
			t.Fatalf("frame %d out of order", i)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 64 {
			t.Fatalf("frame %d: %v", i, err)
		}
		frames = append(frames, b)
		return nil
	})
	if err != nil || len(frames) != 8 {
		t.Fatalf("%d frames, %v", len(frames), err)
	}
	out, err := testJob(t).framesToVideo(ctx, frames, "png", 4)
	if err != nil {
		t.Fatal(err)
	}
	in := probeBytes(t, out)
	if in.Frames != 8 || in.FPS != 4 || in.HasAudio {
		t.Fatalf("%+v", in)
	}
	if _, err := testJob(t).framesToVideo(ctx, frames, "png", 0); err == nil {
		t.Fatal("fps 0")
	}
}

func TestAudioOps(t *testing.T) {
	ctx := context.Background()
	a, err := testJob(t).extractAudio(ctx, clip(t))
	if err != nil {
		t.Fatal(err)
	}
	h, err := wav.ReadHeader(a)
	if err != nil || h.Duration() < 0.9 {
		t.Fatalf("%+v %v", h, err)
	}
	silent, _ := testJob(t).framesToVideo(ctx, [][]byte{mustFrame(t)}, "png", 1)
	if _, err := testJob(t).extractAudio(ctx, silent); err == nil || !strings.Contains(err.Error(), "no audio") {
		t.Fatalf("got %v", err)
	}
	for _, mix := range []bool{false, true} {
		out, err := testJob(t).addAudio(ctx, clip(t), a, 0.5, mix)
		if err != nil {
			t.Fatal(err)
		}
		if in := probeBytes(t, out); !in.HasAudio {
			t.Fatal("no audio added")
		}
	}
}

func mustFrame(t *testing.T) []byte {
	b, err := testJob(t).extractFrame(context.Background(), clip(t), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFilters(t *testing.T) {
	ctx := context.Background()
	for name, vf := range map[string]string{
		"blur": blurFilter(5), "saturation": saturationFilter(1.5), "balance": colorBalanceFilter(1.2, 1, 0.8),
		"denoise": denoiseFilter(5), "sharpen": sharpenFilter(1, 0.5), "stabilize": stabilizeFilter(10, true),
		"rotate": rotateFilter(45), "resize": resizeFilter(32, -1), "chroma": chromaKeyFilter("#00FF00", 0.3, 0.1),
	} {
		out, err := testJob(t).filterVideo(ctx, clip(t), vf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		in := probeBytes(t, out)
		if !in.HasAudio || in.Frames < 9 {
			t.Fatalf("%s: %+v", name, in)
		}
		if name == "resize" && (in.Width != 32 || in.Height != 24) {
			t.Fatalf("resize: %+v", in)
		}
	}
}

func TestTwoInputOps(t *testing.T) {
	ctx := context.Background()
	c := clip(t)
	cat, err := testJob(t).concat(ctx, c, c)
	if err != nil {
		t.Fatal(err)
	}
	if in := probeBytes(t, cat); in.Duration < 1.9 || !in.HasAudio {
		t.Fatalf("concat %+v", in)
	}
	ov, err := testJob(t).overlay(ctx, c, c, 4, 4, 0.5, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if in := probeBytes(t, ov); in.Width != 64 || !in.HasAudio {
		t.Fatalf("overlay %+v", in)
	}
	tr, err := testJob(t).transition(ctx, c, c, "fade", 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if in := probeBytes(t, tr); in.Duration < 1.3 || in.Duration > 1.7 {
		t.Fatalf("transition %+v", in)
	}
	if _, err := testJob(t).transition(ctx, c, c, "fade;movie=x", 0.5); err == nil {
		t.Fatal("an unknown transition reached ffmpeg")
	}
	for _, speed := range []float64{0.25, 4} {
		sp, err := testJob(t).setSpeed(ctx, c, speed)
		if err != nil {
			t.Fatal(err)
		}
		if in := probeBytes(t, sp); in.Duration < 0.8/speed || in.Duration > 1.3/speed+0.3 {
			t.Fatalf("speed %v: %+v", speed, in)
		}
	}
	tm, err := testJob(t).trim(ctx, c, 0.2, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	if in := probeBytes(t, tm); in.Duration < 0.4 || in.Duration > 0.65 {
		t.Fatalf("trim %+v", in)
	}
	rv, err := testJob(t).reverse(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	probeBytes(t, rv)
}

func TestSubtitles(t *testing.T) {
	ctx := context.Background()
	subs := []subtitle{{0, 0.5, "Hello {\\b1}world"}, {0.5, 1, "line\nbreak"}}
	out, err := testJob(t).addSubtitles(ctx, clip(t), subs, "DejaVu Sans", 12, "#FFFF00", "bottom")
	if err != nil {
		t.Fatal(err)
	}
	probeBytes(t, out)
	doc := assDocument(64, 48, subs, "Evil,Font\n[Events]", 12, "#FFFF00", "top")
	if !strings.Contains(doc, "Hello (⧵b1)world") || !strings.Contains(doc, "line\\Nbreak") || !strings.Contains(doc, "Style: Default,EvilFontEvents,12,&H0000FFFF") || !strings.Contains(doc, ",8,10,10,10") {
		t.Fatal(doc)
	}
	if assTime(3723.456) != "1:02:03.46" {
		t.Fatal(assTime(3723.456))
	}
}

func TestFakeClip(t *testing.T) {
	ctx := context.Background()
	a, err := testJob(t).fakeClip(ctx, 7, 64, 48, 1)
	if err != nil {
		t.Fatal(err)
	}
	in := probeBytes(t, a)
	if in.Width != 64 || !in.HasAudio || in.Duration < 0.9 {
		t.Fatalf("%+v", in)
	}
	s, err := testJob(t).stillToVideo(ctx, mustFrame(t), "png", 1)
	if err != nil {
		t.Fatal(err)
	}
	if in := probeBytes(t, s); in.Frames != 12 {
		t.Fatalf("%+v", in)
	}
}
