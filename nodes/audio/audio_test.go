package audio_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/ffmpeg"
	"nodetool/lang/pyval"
	"nodetool/lang/wav"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

// library is the node library with the fake provider for every model and
// ffmpeg installed.
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

// wavRef is an audio ref holding a encoded as 16-bit WAV.
func wavRef(t *testing.T, a *wav.Audio) string {
	b, err := wav.Encode(a, wav.PCM16)
	if err != nil {
		t.Fatal(err)
	}
	return `{"type":"audio","uri":"data:audio/wav;base64,` + base64.StdEncoding.EncodeToString(b) + `"}`
}

// runNode runs node typ with data in a workspace and returns each
// output slot's values.
func runNode(t *testing.T, reg *engine.Registry, ws, typ, data string, slots ...string) (map[string][]any, *engine.Result) {
	t.Helper()
	g := new(nodetest.Graph).Node("n", "nodetool.audio."+typ, data)
	for _, s := range slots {
		g.Node("out_"+s, "nodetool.output.Output", `{"name":"`+s+`"}`).Edge("n", s, "out_"+s, "value")
	}
	p := nodetest.Compile(t, reg, g.JSON())
	res := p.Run(context.Background(), engine.RunOptions{JobID: "j", Workspace: ws})
	return res.Outputs, res
}

// decoded runs a node whose output is one audio and decodes it.
func decoded(t *testing.T, reg *engine.Registry, typ, data string) *wav.Audio {
	t.Helper()
	outs, res := runNode(t, reg, t.TempDir(), typ, data, "output")
	if res.Status != engine.StatusCompleted {
		t.Fatalf("%s: %s %s", typ, res.Status, res.Error)
	}
	return decodeRef(t, outs["output"][0])
}

func decodeRef(t *testing.T, v any) *wav.Audio {
	t.Helper()
	d := v.(*pyval.Dict)
	data, _ := d.Get("data")
	b, _ := data.([]byte)
	a, _, err := wav.Decode(b, 1<<30)
	if err != nil {
		t.Fatalf("the result is not WAV: %v", err)
	}
	return a
}

func TestAudioNodes(t *testing.T) {
	reg := library(t)
	one := wavRef(t, tone(8000, 8000, 0.25))  // 1 s
	half := wavRef(t, tone(8000, 4000, 0.25)) // 0.5 s
	st := wavRef(t, ramp(8000, 2, 800))
	frames := func(typ, data string) int { return decoded(t, reg, typ, data).Frames() }
	cases := []struct {
		typ, data string
		want      int
	}{
		{"Concat", `{"a":` + one + `,"b":` + half + `}`, 12000},
		{"ConcatList", `{"audio_files":[` + one + `,` + half + `,` + half + `]}`, 16000},
		{"OverlayAudio", `{"a":` + half + `,"b":` + one + `}`, 4000},
		{"AudioMixer", `{"track1":` + half + `,"track2":` + one + `,"volume2":0.5}`, 4000},
		{"CreateSilence", `{"duration":2}`, 22050},
		{"FadeIn", `{"audio":` + one + `,"duration":0.5}`, 8000},
		{"FadeOut", `{"audio":` + one + `,"duration":0.5}`, 8000},
		{"Normalize", `{"audio":` + one + `}`, 8000},
		{"Repeat", `{"audio":` + half + `,"loops":3}`, 12000},
		{"Reverse", `{"audio":` + half + `}`, 4000},
		{"SliceAudio", `{"audio":` + one + `,"start":0.25,"end":0.5}`, 2000},
		{"Trim", `{"audio":` + one + `,"start":0.5}`, 4000},
		{"RemoveSilence", `{"audio":` + one + `}`, 8000},
		{"MonoToStereo", `{"audio":` + half + `}`, 4000},
		{"StereoToMono", `{"audio":` + st + `,"method":"right"}`, 800},
	}
	for _, c := range cases {
		if got := frames(c.typ, c.data); got != c.want {
			t.Errorf("%s: %d frames, want %d", c.typ, got, c.want)
		}
	}
	if a := decoded(t, reg, "MonoToStereo", `{"audio":`+half+`}`); a.Channels != 2 {
		t.Error("MonoToStereo")
	}
	if a := decoded(t, reg, "StereoToMono", `{"audio":`+st+`}`); a.Channels != 1 {
		t.Error("StereoToMono")
	}
	// A compressed input goes through ffmpeg.
	mp3, err := os.ReadFile("../../testdata/corpus-resources/app.nodetool.ai/examples/remove_silence.mp3")
	if err != nil {
		t.Fatal(err)
	}
	m := `{"type":"audio","data":"` + base64.StdEncoding.EncodeToString(mp3) + `"}`
	if a := decoded(t, reg, "Normalize", `{"audio":`+m+`}`); a.Duration() < 0.9 {
		t.Errorf("mp3 decoded to %v s", a.Duration())
	}
}

func TestArrays(t *testing.T) {
	reg := library(t)
	st := wavRef(t, &wav.Audio{Rate: 100, Channels: 2, Samples: []float32{0.5, -0.5, 0, 0.25}})
	outs, res := runNode(t, reg, t.TempDir(), "AudioToNumpy", `{"audio":`+st+`}`, "array", "sample_rate", "channels")
	if res.Status != engine.StatusCompleted || outs["sample_rate"][0] != int64(100) || outs["channels"][0] != int64(2) {
		t.Fatalf("%s %v", res.Error, outs)
	}
	if got := pyval.Repr(outs["array"][0]); !strings.Contains(got, "'shape': [2, 2]") || !strings.Contains(got, "[[0.5, -0.5], [0.0, 0.25]]") {
		t.Fatal(got)
	}
	outs, _ = runNode(t, reg, t.TempDir(), "ConvertToArray", `{"audio":`+st+`}`, "output")
	if got := pyval.Repr(outs["output"][0]); !strings.Contains(got, "[16384, -16384, 0, 8192]") {
		t.Fatal(got)
	}
	a := decoded(t, reg, "NumpyToAudio", `{"array":{"type":"np_array","value":[16384,-16384,0,8192],"dtype":"<i2","shape":[4]},"sample_rate":100,"channels":2}`)
	if a.Channels != 2 || a.Frames() != 2 || a.Samples[0] != 0.5 {
		t.Fatalf("%+v", a)
	}
}

func TestFilesAndSpeech(t *testing.T) {
	reg := library(t)
	ws := t.TempDir()
	one := wavRef(t, tone(8000, 8000, 0.25))
	for _, name := range []string{"take.wav", "take.mp3", "take.flac"} {
		outs, res := runNode(t, reg, ws, "SaveAudioFile", `{"audio":`+one+`,"folder":"out","filename":"`+name+`"}`, "output")
		if res.Status != engine.StatusCompleted {
			t.Fatalf("%s: %s", name, res.Error)
		}
		if uri := outs["output"][0].(*pyval.Dict).Str("uri"); uri != "out/"+name {
			t.Fatalf("uri %q", uri)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "out", "take.mp3")); err != nil {
		t.Fatal(err)
	}
	if _, res := runNode(t, reg, ws, "SaveAudioFile", `{"audio":`+one+`,"folder":"../up","filename":"x.wav"}`, "output"); res.Status != engine.StatusFailed {
		t.Fatal("wrote outside the workspace")
	}
	if _, res := runNode(t, reg, ws, "SaveAudioFile", `{"audio":`+one+`,"folder":"out","filename":"x.exe"}`, "output"); !strings.Contains(res.Error, "Unsupported audio format") {
		t.Fatal(res.Error)
	}
	outs, res := runNode(t, reg, ws, "LoadAudioFile", `{"path":"out/take.wav"}`, "output")
	if res.Status != engine.StatusCompleted {
		t.Fatal(res.Error)
	}
	decodeRef(t, outs["output"][0])
	outs, res = runNode(t, reg, ws, "LoadAudioFolder", `{"folder":"out","extensions":[".wav",".flac"]}`, "audio", "path")
	if res.Status != engine.StatusCompleted || fmt.Sprint(outs["path"]) != "[out/take.flac out/take.wav]" {
		t.Fatalf("%s %v", res.Error, outs["path"])
	}
	outs, res = runNode(t, reg, ws, "SaveAudio", `{"audio":`+one+`,"name":"%Y.wav"}`, "output")
	if res.Status != engine.StatusCompleted || len(outs["output"][0].(*pyval.Dict).Str("uri")) != 8 {
		t.Fatal(res.Error)
	}
	if _, res := runNode(t, reg, ws, "LoadAudioAssets", `{}`, "audio"); res.Status != engine.StatusFailed {
		t.Fatal("LoadAudioAssets")
	}
	outs, res = runNode(t, reg, ws, "TextToSpeech", `{"text":"Hello there, world"}`, "audio", "chunk")
	if res.Status != engine.StatusCompleted || len(outs["audio"]) != 1 || len(outs["chunk"]) != 2 {
		t.Fatalf("%s %d %d", res.Error, len(outs["audio"]), len(outs["chunk"]))
	}
	if a := decodeRef(t, outs["audio"][0]); a.Rate != 24000 || a.Duration() < 1 {
		t.Fatalf("%+v", a)
	}
}

func TestChunkToAudio(t *testing.T) {
	reg := library(t)
	pcm := base64.StdEncoding.EncodeToString([]byte{0, 64, 0, 192, 0, 0, 0, 32})
	chunk := `{"type":"chunk","content_type":"audio","content":"` + pcm + `","content_metadata":{"format":"pcm16le","sample_rate":8000,"channels":1}}`
	g := new(nodetest.Graph).Node("l", "nodetool.constant.List", `{"value":[`+chunk+`,`+chunk+`,`+chunk+`]}`).
		Node("f", "nodetool.control.ForEach", "").Edge("l", "output", "f", "input_list").
		Node("n", "nodetool.audio.ChunkToAudio", `{"batch_size":2}`).Edge("f", "output", "n", "chunk").
		Node("o", "nodetool.output.Output", `{"name":"audio"}`).Edge("n", "audio", "o", "value")
	res := g.Run(t, reg, engine.Limits{})
	if res.Status != engine.StatusCompleted || len(res.Outputs["audio"]) != 2 {
		t.Fatalf("%s %s %d", res.Status, res.Error, len(res.Outputs["audio"]))
	}
	if a := decodeRef(t, res.Outputs["audio"][0]); a.Frames() != 8 || a.Samples[0] != 0.5 {
		t.Fatalf("%+v", a)
	}
}

func TestBudgets(t *testing.T) {
	reg := library(t)
	small := nodetest.SmallLimits
	one := wavRef(t, tone(8000, 8000, 0.25))
	for _, c := range []struct{ typ, data string }{
		{"CreateSilence", `{"duration":1e9}`},
		{"Repeat", `{"audio":` + one + `,"loops":100}`},
		{"FadeIn", `{"audio":` + one + `,"duration":1e300}`},
	} {
		g := new(nodetest.Graph).Node("n", "nodetool.audio."+c.typ, c.data).Node("o", "nodetool.output.Output", `{"name":"r"}`).Edge("n", "output", "o", "value")
		res := g.Run(t, reg, small)
		if c.typ == "FadeIn" {
			if res.Status != engine.StatusCompleted {
				t.Errorf("a long fade: %s", res.Error)
			}
			continue
		}
		nodetest.WantValueLimit(t, res, "n")
	}
}
