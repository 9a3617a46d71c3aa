// Package speech holds the speech-to-text nodes
// (nodetool.text.AutomaticSpeechRecognition, openai.audio.*,
// huggingface.automatic_speech_recognition.*) and the model routing the
// media nodes share: a node's model goes through the server's providers
// (and its --model-map) to one that can do the job: an OpenAI-compatible
// server (whisper.cpp's server, LocalAI, speaches, Kokoro-FastAPI,
// OpenAI) or the fake.
package speech

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
	"nodetool/providers"
)

// Models routes the model a node names to a provider and model (the
// server's providers through its model map).
type Models interface {
	Route(provider, model string) (providers.Provider, string, error)
}

// ErrNoModels is the problem of a model node when no provider is
// configured.
var ErrNoModels = errors.New("no model provider is configured (set --provider and --default-model)")

// Route resolves provider and model to a provider that has capability T
// (providers.Transcriber, providers.Speaker, providers.VideoGenerator);
// job words the capability for messages ("transcribe audio").
func Route[T any](models Models, provider, model, job string) (T, string, error) {
	var zero T
	if models == nil {
		return zero, "", ErrNoModels
	}
	p, m, err := models.Route(provider, model)
	if err != nil {
		return zero, "", err
	}
	t, ok := p.(T)
	if !ok {
		from := provider
		if from == "" || from == "empty" {
			from = "*"
		}
		return zero, "", fmt.Errorf("provider %s cannot %s: map the model to an OpenAI-compatible server that can (--openai-base-url, with --model-map '%s/*=openai/MODEL') or to the fake provider", p.Name(), job, from)
	}
	return t, m, nil
}

// ModelRef reads the provider and id of a model value (asr_model,
// tts_model, video_model...).
func ModelRef(v any) (provider, model string) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return "", ""
	}
	return d.Str("provider"), d.Str("id")
}

// Check is the validation of a node whose model prop must route to a
// provider with capability T; a model fed by an edge is checked when it
// arrives. ref reads the prop's provider and model.
func Check[T any](models Models, prop, job string, ref func(v any) (string, string)) func(map[string]any, func(string) bool) error {
	return func(props map[string]any, wired func(string) bool) error {
		if wired(prop) {
			return nil
		}
		provider, model := ref(props[prop])
		_, _, err := Route[T](models, provider, model, job)
		return err
	}
}

// Deps are what the speech nodes need.
type Deps struct {
	Models  Models
	Sources media.Sources
}

// Register adds the speech-to-text nodes.
func Register(r *engine.Registry, d Deps) {
	fns := map[string]engine.ProcessFunc{
		"nodetool.text.AutomaticSpeechRecognition":             d.asr,
		"huggingface.automatic_speech_recognition.Whisper":     d.whisper,
		"huggingface.automatic_speech_recognition.ChunksToSRT": chunksToSRT,
		"openai.audio.Transcribe":                              d.openaiTranscribe,
		"openai.audio.Translate":                               d.openaiTranslate,
		"openai.audio.TextToSpeech":                            d.openaiSpeech,
	}
	checks := map[string]func(map[string]any, func(string) bool) error{
		"nodetool.text.AutomaticSpeechRecognition":         Check[providers.Transcriber](d.Models, "model", "transcribe audio", ModelRef),
		"huggingface.automatic_speech_recognition.Whisper": Check[providers.Transcriber](d.Models, "model", "transcribe audio", hfModel),
		"openai.audio.Transcribe":                          Check[providers.Transcriber](d.Models, "model", "transcribe audio", openaiModel),
		"openai.audio.Translate":                           Check[providers.Transcriber](d.Models, "model", "transcribe audio", func(any) (string, string) { return "openai", "whisper-1" }),
		"openai.audio.TextToSpeech":                        Check[providers.Speaker](d.Models, "model", "speak text", openaiModel),
	}
	for _, def := range catalog() {
		def.Process = fns[def.Type]
		def.Check = checks[def.Type]
		r.Add(def)
	}
}

func hfModel(v any) (string, string) {
	d, _ := v.(*pyval.Dict)
	id := ""
	if d != nil {
		id = d.Str("repo_id")
	}
	if id == "" {
		id = "openai/whisper-large-v3"
	}
	return "huggingface", id
}

func openaiModel(v any) (string, string) {
	s, _ := v.(string)
	return "openai", s
}

// readAudio reads an audio ref's bytes and the file name to send them as.
func (d Deps) readAudio(ctx *engine.Ctx, v any) ([]byte, string, error) {
	if !media.IsSet(v) {
		return nil, "", errors.New("no audio given: connect or set the audio input")
	}
	b, err := d.Sources.Read(ctx, v)
	if err != nil {
		return nil, "", err
	}
	_, mime := media.Sniff(b)
	ext := media.Ext(mime)
	if ext == ".bin" {
		ext = ".wav"
	}
	return b, "audio" + ext, nil
}

func (d Deps) transcribe(ctx *engine.Ctx, in *engine.Inputs, provider, model string, req *providers.TranscriptionRequest) (*providers.Transcription, error) {
	t, m, err := Route[providers.Transcriber](d.Models, provider, model, "transcribe audio")
	if err != nil {
		return nil, fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
	}
	audio, name, err := d.readAudio(ctx, in.Get("audio"))
	if err != nil {
		return nil, err
	}
	req.Model, req.Audio, req.Filename = m, audio, name
	tr, err := t.Transcribe(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := ctx.CheckSize(int64(len(tr.Text))); err != nil {
		return nil, err
	}
	return tr, nil
}

func (d Deps) asr(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	provider, model := ModelRef(in.Get("model"))
	tr, err := d.transcribe(ctx, in, provider, model, &providers.TranscriptionRequest{})
	if err != nil {
		return nil, err
	}
	return map[string]any{"text": tr.Text}, nil
}

// whisperLanguages are Whisper's language names as ISO-639-1 codes.
var whisperLanguages = map[string]string{
	"spanish": "es", "italian": "it", "korean": "ko", "portuguese": "pt", "english": "en", "japanese": "ja", "german": "de",
	"russian": "ru", "dutch": "nl", "polish": "pl", "catalan": "ca", "french": "fr", "indonesian": "id", "ukrainian": "uk",
	"turkish": "tr", "malay": "ms", "swedish": "sv", "mandarin": "zh", "finnish": "fi", "norwegian": "no", "romanian": "ro",
	"thai": "th", "vietnamese": "vi", "slovak": "sk", "arabic": "ar", "czech": "cs", "croatian": "hr", "greek": "el",
	"serbian": "sr", "danish": "da", "bulgarian": "bg", "hungarian": "hu", "filipino": "tl", "bosnian": "bs", "galician": "gl",
	"macedonian": "mk", "hindi": "hi", "estonian": "et", "slovenian": "sl", "tamil": "ta", "latvian": "lv", "azerbaijani": "az",
	"urdu": "ur", "lithuanian": "lt", "hebrew": "he", "welsh": "cy", "persian": "fa", "icelandic": "is", "kazakh": "kk",
	"afrikaans": "af", "kannada": "kn", "marathi": "mr", "swahili": "sw", "telugu": "te", "maori": "mi", "nepali": "ne",
	"armenian": "hy", "belarusian": "be", "gujarati": "gu", "punjabi": "pa", "bengali": "bn",
}

// chunk is NodeTool's AudioChunk: a piece of a transcript with its times.
func chunk(start, end float64, text string) *pyval.Dict {
	return pyval.DictOf("type", "audio_chunk", "timestamp", []any{start, end}, "text", text)
}

func (d Deps) whisper(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	provider, model := hfModel(in.Get("model"))
	stamps := in.Str("timestamps")
	req := &providers.TranscriptionRequest{
		Language:  whisperLanguages[in.Str("language")],
		Translate: in.Str("task") == "translate",
		Segments:  stamps != "none" && stamps != "",
	}
	tr, err := d.transcribe(ctx, in, provider, model, req)
	if err != nil {
		return nil, err
	}
	chunks := []any{}
	for _, s := range tr.Segments {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		if stamps != "word" {
			chunks = append(chunks, chunk(s.Start, s.End, s.Text))
			continue
		}
		// Word timing: the segment's time shared among its words by
		// their length (the servers' segment answer has no word times).
		words := strings.Fields(s.Text)
		total := 0
		for _, w := range words {
			total += len(w)
		}
		at := s.Start
		for _, w := range words {
			end := at + (s.End-s.Start)*float64(len(w))/float64(max(1, total))
			chunks = append(chunks, chunk(at, end, w))
			at = end
		}
	}
	if err := ctx.CheckItems(int64(len(chunks))); err != nil {
		return nil, err
	}
	return map[string]any{"text": tr.Text, "chunks": chunks}, nil
}

func (d Deps) openaiTranscribe(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	lang := in.Str("language")
	if lang == "auto_detect" {
		lang = ""
	}
	temp := in.Float("temperature")
	req := &providers.TranscriptionRequest{Language: lang, Prompt: in.Str("prompt"), Segments: in.Bool("timestamps"), Temperature: &temp}
	tr, err := d.transcribe(ctx, in, "openai", in.Str("model"), req)
	if err != nil {
		return nil, err
	}
	segments := []any{}
	for _, s := range tr.Segments {
		segments = append(segments, chunk(s.Start, s.End, s.Text))
	}
	return map[string]any{"text": tr.Text, "words": []any{}, "segments": segments}, nil
}

func (d Deps) openaiTranslate(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	temp := in.Float("temperature")
	tr, err := d.transcribe(ctx, in, "openai", "whisper-1", &providers.TranscriptionRequest{Translate: true, Temperature: &temp})
	if err != nil {
		return nil, err
	}
	return engine.Single(tr.Text), nil
}

func (d Deps) openaiSpeech(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	sp, m, err := Route[providers.Speaker](d.Models, "openai", in.Str("model"), "speak text")
	if err != nil {
		return nil, fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
	}
	speed := max(0.25, min(4, in.Float("speed")))
	out, err := sp.Speech(ctx, &providers.SpeechRequest{Model: m, Input: in.Str("input"), Voice: in.Str("voice"), Format: "wav", Speed: &speed})
	if err != nil {
		return nil, err
	}
	if err := ctx.CheckSize(int64(len(out.Audio))); err != nil {
		return nil, err
	}
	return engine.Single(media.Ref(media.Audio, out.Audio)), nil
}

// chunksToSRT writes timed chunks as SubRip subtitles.
func chunksToSRT(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	offset := in.Float("time_offset")
	var b strings.Builder
	n := 0
	for _, c := range in.List("chunks") {
		if err := ctx.Tick(); err != nil {
			return nil, err
		}
		start, end, text, ok := chunkParts(c)
		if !ok {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", n, srtTime(start+offset), srtTime(end+offset), strings.TrimSpace(text))
		if err := ctx.CheckSize(int64(b.Len())); err != nil {
			return nil, err
		}
	}
	return engine.Single(b.String()), nil
}

// chunkParts reads an audio_chunk: its timestamp pair and text.
func chunkParts(v any) (start, end float64, text string, ok bool) {
	d, isDict := v.(*pyval.Dict)
	if !isDict {
		return 0, 0, "", false
	}
	ts, _ := d.Get("timestamp")
	pair, _ := ts.([]any)
	if len(pair) != 2 {
		return 0, 0, "", false
	}
	start, ok1 := number(pair[0])
	end, ok2 := number(pair[1])
	if !ok1 {
		return 0, 0, "", false
	}
	if !ok2 {
		end = start
	}
	return start, end, d.Str("text"), true
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n)
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

func srtTime(t float64) string {
	if t < 0 || math.IsNaN(t) {
		t = 0
	}
	ms := int64(math.Round(min(t, 359999) * 1000))
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// Chunk and ChunkParts are shared with the video nodes (AddSubtitles).
var (
	Chunk      = chunk
	ChunkParts = chunkParts
)
