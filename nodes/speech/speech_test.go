package speech_test

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
)

// mapped is the library with every model mapped to the fake provider, as
// nodetool run --provider fake --model-map '*=fake/fake-model' has it.
func mapped(t *testing.T) *engine.Registry {
	t.Helper()
	set, err := providers.NewSet("fake", "fake-model", providers.NewFake())
	if err != nil {
		t.Fatal(err)
	}
	m, err := providers.ParseModelMap([]string{"*=fake/fake-model"})
	if err != nil {
		t.Fatal(err)
	}
	return nodes.NewRegistry(nodes.Deps{Models: &providers.Mapped{Set: set, Map: m}})
}

func audioURI(t *testing.T) string {
	b, err := os.ReadFile("../../testdata/corpus-media/audio-speech.wav")
	if err != nil {
		t.Fatal(err)
	}
	return "data:audio/wav;base64," + base64.StdEncoding.EncodeToString(b)
}

func run(t *testing.T, reg *engine.Registry, typ, data string, slots ...string) map[string][]any {
	t.Helper()
	g := new(nodetest.Graph).Node("n", typ, data)
	for _, s := range slots {
		id := "out_" + s
		g.Node(id, "nodetool.output.Output", `{"name":"`+s+`"}`).Edge("n", s, id, "value")
	}
	res := g.Run(t, reg, engine.Limits{})
	if res.Status != engine.StatusCompleted {
		t.Fatalf("%s: %s %s", typ, res.Status, res.Error)
	}
	return res.Outputs
}

func TestASR(t *testing.T) {
	reg := mapped(t)
	audio := `{"type":"audio","uri":"` + audioURI(t) + `"}`
	out := run(t, reg, "nodetool.text.AutomaticSpeechRecognition", `{"audio":`+audio+`}`, "text")
	text, _ := out["text"][0].(string)
	if !strings.HasPrefix(text, "Transcript of 48044 bytes of audio") {
		t.Fatalf("%q", text)
	}
	out = run(t, reg, "huggingface.automatic_speech_recognition.Whisper", `{"audio":`+audio+`,"timestamps":"word","language":"english"}`, "text", "chunks")
	chunks, _ := out["chunks"][0].([]any)
	if len(chunks) < 3 {
		t.Fatalf("%s", pyval.Repr(out["chunks"]))
	}
	first := chunks[0].(*pyval.Dict)
	if first.Str("type") != "audio_chunk" {
		t.Fatal(pyval.Repr(first))
	}
	srt := run(t, reg, "huggingface.automatic_speech_recognition.ChunksToSRT",
		`{"chunks":[{"type":"audio_chunk","timestamp":[0,1.5],"text":" Hi"},{"type":"audio_chunk","timestamp":[61.25,62],"text":"there"}],"time_offset":1}`, "output")
	if srt["output"][0] != "1\n00:00:01,000 --> 00:00:02,500\nHi\n\n2\n00:01:02,250 --> 00:01:03,000\nthere\n\n" {
		t.Fatalf("%q", srt["output"][0])
	}
	tr := run(t, reg, "openai.audio.Transcribe", `{"audio":`+audio+`,"timestamps":true}`, "text", "segments")
	if segs, _ := tr["segments"][0].([]any); len(segs) != 1 || !strings.HasPrefix(tr["text"][0].(string), "Transcript of") {
		t.Fatalf("%s", pyval.Repr(tr))
	}
	en := run(t, reg, "openai.audio.Translate", `{"audio":`+audio+`}`, "output")
	if !strings.HasPrefix(en["output"][0].(string), "Transcript of") {
		t.Fatalf("%s", pyval.Repr(en))
	}
	sp := run(t, reg, "openai.audio.TextToSpeech", `{"input":"Hello there"}`, "output")
	ref := sp["output"][0].(*pyval.Dict)
	if data, _ := ref.Get("data"); len(data.([]byte)) < 1000 || ref.Str("type") != "audio" {
		t.Fatal(pyval.Repr(ref))
	}
}

func TestASRRefusals(t *testing.T) {
	// No provider: validation refuses the node.
	src := `{"nodes":[{"id":"n","type":"nodetool.text.AutomaticSpeechRecognition","data":{}}],"edges":[]}`
	w, err := engine.ParseWorkflow([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodetest.Registry().Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), "no model provider") {
		t.Fatalf("got %v", err)
	}
	// No audio.
	g := new(nodetest.Graph).Node("n", "nodetool.text.AutomaticSpeechRecognition", `{}`)
	res := g.Run(t, mapped(t), engine.Limits{})
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "no audio given") {
		t.Fatalf("%s %s", res.Status, res.Error)
	}
}
