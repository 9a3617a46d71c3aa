package video_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

func library(t *testing.T) *engine.Registry {
	t.Helper()
	set, _ := providers.NewSet("fake", "fake-model", providers.NewFake())
	m, _ := providers.ParseModelMap([]string{"*=fake/fake-model"})
	tools, err := ffmpeg.Find("")
	if err != nil {
		t.Fatalf("%v (CI installs it)", err)
	}
	return nodes.NewRegistry(nodes.Deps{Models: &providers.Mapped{Set: set, Map: m}, FFmpeg: tools})
}

func media(t *testing.T, kind, file string) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/corpus-media/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return `{"type":"` + kind + `","data":"` + base64.StdEncoding.EncodeToString(b) + `"}`
}

func runNode(t *testing.T, reg *engine.Registry, ws, typ, data string, slots ...string) (map[string][]any, *engine.Result) {
	t.Helper()
	g := new(nodetest.Graph).Node("n", "nodetool.video."+typ, data)
	for _, s := range slots {
		g.Node("out_"+s, "nodetool.output.Output", `{"name":"`+s+`"}`).Edge("n", s, "out_"+s, "value")
	}
	p := nodetest.Compile(t, reg, g.JSON())
	res := p.Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: ws})
	if res.Status != engine.StatusCompleted {
		t.Fatalf("%s: %s %s", typ, res.Status, res.Error)
	}
	return res.Outputs, res
}

type probed struct {
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
	Streams []struct {
		CodecType string `json:"codec_type"`
		Width     int    `json:"width"`
	} `json:"streams"`
}

// probe checks with ffprobe that a ref holds a video.
func probe(t *testing.T, v any) probed {
	t.Helper()
	d := v.(*pyval.Dict)
	data, _ := d.Get("data")
	p := filepath.Join(t.TempDir(), "v.mp4")
	os.WriteFile(p, data.([]byte), 0o600)
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", p).Output()
	if err != nil {
		t.Fatalf("not a video: %v", err)
	}
	var pr probed
	json.Unmarshal(out, &pr)
	if len(pr.Streams) == 0 || pr.Streams[0].CodecType != "video" {
		t.Fatalf("%s", out)
	}
	return pr
}

func TestVideoNodes(t *testing.T) {
	reg := library(t)
	v := media(t, "video", "video-clip.mp4")
	a := media(t, "audio", "audio-speech.wav")
	ws := t.TempDir()
	for _, c := range []struct{ typ, data string }{
		{"Blur", `{"video":` + v + `,"strength":2}`},
		{"Saturation", `{"video":` + v + `,"saturation":1.5}`},
		{"ColorBalance", `{"video":` + v + `,"red_adjust":1.2}`},
		{"Denoise", `{"video":` + v + `}`},
		{"Sharpness", `{"video":` + v + `}`},
		{"Stabilize", `{"video":` + v + `}`},
		{"Rotate", `{"video":` + v + `,"angle":90}`},
		{"Resize", `{"video":` + v + `,"width":32}`},
		{"ChromaKey", `{"video":` + v + `}`},
		{"Reverse", `{"video":` + v + `}`},
		{"SetSpeed", `{"video":` + v + `,"speed_factor":2}`},
		{"Trim", `{"video":` + v + `,"start_time":0.2,"end_time":0.6}`},
		{"Concat", `{"video_a":` + v + `,"video_b":` + v + `}`},
		{"Transition", `{"video_a":` + v + `,"video_b":` + v + `,"duration":0.5}`},
		{"Overlay", `{"main_video":` + v + `,"overlay_video":` + v + `,"scale":0.5}`},
		{"AddAudio", `{"video":` + v + `,"audio":` + a + `}`},
		{"AddSubtitles", `{"video":` + v + `,"chunks":[{"type":"audio_chunk","timestamp":[0,0.5],"text":"Hi"}]}`},
		{"TextToVideo", `{"prompt":"a cat"}`},
		{"ImageToVideo", `{"image":` + frame(t, reg, v) + `,"prompt":"zoom"}`},
		{"SaveVideo", `{"video":` + v + `}`},
		{"SaveVideoFile", `{"video":` + v + `,"folder":"out","filename":"clip.mp4"}`},
	} {
		outs, _ := runNode(t, reg, ws, c.typ, c.data, "output")
		probe(t, outs["output"][0])
	}
	if _, err := os.Stat(filepath.Join(ws, "out", "clip.mp4")); err != nil {
		t.Fatal(err)
	}
	outs, _ := runNode(t, reg, ws, "LoadVideoFile", `{"path":"out/clip.mp4"}`, "output")
	probe(t, outs["output"][0])
	outs, _ = runNode(t, reg, ws, "GetVideoInfo", `{"video":`+v+`}`, "width", "fps", "frame_count", "has_audio", "codec")
	if outs["width"][0] != int64(64) || outs["fps"][0] != 10.0 || outs["frame_count"][0] != int64(10) || outs["has_audio"][0] != true || outs["codec"][0] != "h264" {
		t.Fatalf("%v", outs)
	}
	outs, _ = runNode(t, reg, ws, "Fps", `{"video":`+v+`}`, "output")
	if outs["output"][0] != 10.0 {
		t.Fatal(outs)
	}
	outs, _ = runNode(t, reg, ws, "ExtractAudio", `{"video":`+v+`}`, "output")
	if d := outs["output"][0].(*pyval.Dict); d.Str("type") != "audio" {
		t.Fatal(pyval.Repr(d))
	}
}

func frame(t *testing.T, reg *engine.Registry, v string) string {
	outs, _ := runNode(t, reg, t.TempDir(), "ExtractFrame", `{"video":`+v+`,"time":0.5}`, "output")
	d := outs["output"][0].(*pyval.Dict)
	data, _ := d.Get("data")
	return `{"type":"image","data":"` + base64.StdEncoding.EncodeToString(data.([]byte)) + `"}`
}

// TestFramesThroughAWorkflow: FrameIterator -> FrameToVideo, as Color
// Boost Video does.
func TestFramesThroughAWorkflow(t *testing.T) {
	reg := library(t)
	g := new(nodetest.Graph).Node("it", "nodetool.video.FrameIterator", `{"video":`+media(t, "video", "video-clip.mp4")+`,"start":2,"end":8}`).
		Node("mk", "nodetool.video.FrameToVideo", `{"fps":5}`).Edge("it", "frame", "mk", "frame").
		Node("o", "nodetool.output.Output", `{"name":"video"}`).Edge("mk", "output", "o", "value").
		Node("i", "nodetool.output.Output", `{"name":"index"}`).Edge("it", "index", "i", "value")
	res := g.Run(t, reg, engine.Limits{})
	if res.Status != engine.StatusCompleted {
		t.Fatalf("%s %s", res.Status, res.Error)
	}
	if len(res.Outputs["index"]) != 6 || res.Outputs["index"][0] != int64(2) {
		t.Fatalf("%v", res.Outputs["index"])
	}
	pr := probe(t, res.Outputs["video"][0])
	if pr.Format.Duration != "1.200000" {
		t.Fatalf("duration %s", pr.Format.Duration)
	}
}

func TestWithoutFFmpeg(t *testing.T) {
	// The library without ffmpeg refuses the nodes at validation, saying
	// what to install.
	src := `{"nodes":[{"id":"n","type":"nodetool.video.Blur","data":{}}],"edges":[]}`
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = nodetest.Registry().Compile(&w.Graph)
	if err == nil || !strings.Contains(err.Error(), "apt-get install ffmpeg") || !strings.Contains(err.Error(), "--ffmpeg") {
		t.Fatalf("got %v", err)
	}
	_, missing := ffmpeg.Find(filepath.Join(t.TempDir(), "nope"))
	reg := nodes.NewRegistry(nodes.Deps{FFmpegMissing: missing})
	if _, err := reg.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("got %v", err)
	}
	if _, res := runNodeErr(t, library(t), "LoadVideoAssets", `{}`); res.Status != engine.StatusFailed {
		t.Fatal("LoadVideoAssets")
	}
}

func runNodeErr(t *testing.T, reg *engine.Registry, typ, data string) (map[string][]any, *engine.Result) {
	g := new(nodetest.Graph).Node("n", "nodetool.video."+typ, data)
	res := g.Run(t, reg, engine.Limits{})
	return res.Outputs, res
}
