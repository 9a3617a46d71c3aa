package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"nodetool/lang/wav"
)

// multipartFields parses a recorded multipart request.
func multipartFields(t *testing.T, r recorded) (map[string]string, []byte, string) {
	t.Helper()
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", r.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	fields := map[string]string{}
	var file []byte
	var name string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FormName() == "file" {
			file, name = b, p.FileName()
			continue
		}
		fields[p.FormName()] += string(b)
	}
	return fields, file, name
}

func TestOpenAITranscribe(t *testing.T) {
	for _, tc := range []struct {
		file     string
		segments bool
		text     string
		nseg     int
	}{
		{"openai_transcription.json", false, "Imagine the wildest idea", 0},
		{"openai_transcription_verbose.json", true, "The beach was a popular spot", 2},
		{"whispercpp_verbose.json", true, "And so my fellow Americans", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			up := replay(t, 200, "application/json", string(body))
			o := NewOpenAI(OpenAIConfig{BaseURL: up.URL + "/v1", APIKey: "sk-secret"})
			audio := []byte("RIFF....WAVEfake")
			tr, err := o.Transcribe(context.Background(), &TranscriptionRequest{Model: "whisper-1", Audio: audio, Filename: "../-evil\r\nname.wav", Language: "en", Segments: tc.segments})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(tr.Text, tc.text) || len(tr.Segments) != tc.nseg {
				t.Fatalf("got %+v", tr)
			}
			if tc.nseg > 0 && (tr.Segments[0].End <= tr.Segments[0].Start || tr.Duration == 0 || strings.HasPrefix(tr.Segments[0].Text, " ")) {
				t.Fatalf("segments %+v", tr.Segments)
			}
			r := up.last(t)
			if r.Method != "POST" || r.Path != "/v1/audio/transcriptions" || r.Header.Get("Authorization") != "Bearer sk-secret" {
				t.Fatalf("request %s %s", r.Method, r.Path)
			}
			fields, file, name := multipartFields(t, r)
			want := "json"
			if tc.segments {
				want = "verbose_json"
			}
			if fields["model"] != "whisper-1" || fields["response_format"] != want || fields["language"] != "en" || !bytes.Equal(file, audio) {
				t.Fatalf("fields %v, file %q", fields, file)
			}
			if name != "audio.wav" {
				t.Fatalf("file name %q", name)
			}
		})
	}
}

func TestOpenAITranslate(t *testing.T) {
	up := replay(t, 200, "application/json", `{"text":"Hello"}`)
	o := NewOpenAI(OpenAIConfig{BaseURL: up.URL + "/v1"})
	if _, err := o.Transcribe(context.Background(), &TranscriptionRequest{Model: "whisper-1", Audio: []byte("x"), Translate: true, Language: "de", Filename: "talk.MP3"}); err != nil {
		t.Fatal(err)
	}
	r := up.last(t)
	fields, _, name := multipartFields(t, r)
	if r.Path != "/v1/audio/translations" || fields["language"] != "" || name != "audio.mp3" {
		t.Fatalf("%s %v", r.Path, fields)
	}
}

func TestOpenAITranscribeErrors(t *testing.T) {
	up := replay(t, 400, "application/json", `{"error":{"message":"Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']","type":"invalid_request_error","param":null,"code":null}}`)
	o := NewOpenAI(OpenAIConfig{BaseURL: up.URL + "/v1", APIKey: "sk-secret"})
	_, err := o.Transcribe(context.Background(), &TranscriptionRequest{Model: "whisper-1", Audio: []byte("x")})
	var pe *Error
	if !errors.As(err, &pe) || pe.Status != 400 || !strings.Contains(err.Error(), "Invalid file format") || strings.Contains(err.Error(), "sk-secret") {
		t.Fatalf("got %v", err)
	}
	bad := replay(t, 200, "application/json", `{"text": 3}`)
	if _, err := NewOpenAI(OpenAIConfig{BaseURL: bad.URL}).Transcribe(context.Background(), &TranscriptionRequest{Model: "m", Audio: []byte("x")}); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("got %v", err)
	}
	if _, err := NewOpenAI(OpenAIConfig{BaseURL: bad.URL}).Transcribe(context.Background(), &TranscriptionRequest{Audio: []byte("x")}); !errors.Is(err, ErrNoModel) {
		t.Fatalf("got %v", err)
	}
}

func TestOpenAISpeech(t *testing.T) {
	tone, err := FakeTone("x", 0.5)
	if err != nil {
		t.Fatal(err)
	}
	up := replay(t, 200, "audio/wav", string(tone))
	o := NewOpenAI(OpenAIConfig{BaseURL: up.URL + "/v1", APIKey: "sk-secret"})
	speed := 1.25
	sp, err := o.Speech(context.Background(), &SpeechRequest{Model: "kokoro", Input: "Hello there", Voice: "af_bella", Speed: &speed})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sp.Audio, tone) || sp.ContentType != "audio/wav" {
		t.Fatalf("got %d bytes %q", len(sp.Audio), sp.ContentType)
	}
	r := up.last(t)
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if r.Path != "/v1/audio/speech" || body["model"] != "kokoro" || body["input"] != "Hello there" || body["voice"] != "af_bella" ||
		body["response_format"] != "wav" || body["speed"] != 1.25 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s %v", r.Path, body)
	}
	errBody, _ := os.ReadFile("testdata/openai_speech_error.json")
	bad := replay(t, 400, "application/json", string(errBody))
	_, err = NewOpenAI(OpenAIConfig{BaseURL: bad.URL}).Speech(context.Background(), &SpeechRequest{Model: "tts-1", Input: "x", Voice: "nobody"})
	if err == nil || !strings.Contains(err.Error(), "Input should be 'alloy'") {
		t.Fatalf("got %v", err)
	}
	// A 200 holding JSON instead of audio is an error, not audio.
	odd := replay(t, 200, "application/json", `{"detail":"model not loaded"}`)
	if _, err := NewOpenAI(OpenAIConfig{BaseURL: odd.URL}).Speech(context.Background(), &SpeechRequest{Model: "m", Input: "x"}); err == nil || !strings.Contains(err.Error(), "model not loaded") {
		t.Fatalf("got %v", err)
	}
	huge := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/wav")
		chunk := make([]byte, 1<<20)
		for range maxBody/len(chunk) + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	if _, err := NewOpenAI(OpenAIConfig{BaseURL: huge.URL}).Speech(context.Background(), &SpeechRequest{Model: "m", Input: "x"}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}
}

func TestFakeSpeech(t *testing.T) {
	f := NewFake()
	a, err := f.Speech(context.Background(), &SpeechRequest{Input: "Hello", Voice: "alloy"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := f.Speech(context.Background(), &SpeechRequest{Input: "Hello", Voice: "alloy"})
	long, _ := f.Speech(context.Background(), &SpeechRequest{Input: strings.Repeat("Hello ", 20), Voice: "alloy"})
	if !bytes.Equal(a.Audio, b.Audio) {
		t.Fatal("not deterministic")
	}
	ha, err := wav.ReadHeader(a.Audio)
	if err != nil {
		t.Fatal(err)
	}
	hl, _ := wav.ReadHeader(long.Audio)
	if ha.Rate != 24000 || ha.Channels != 1 || ha.Duration() < 0.29 || hl.Duration() <= ha.Duration() {
		t.Fatalf("%+v %+v", ha, hl)
	}
	huge, _ := f.Speech(context.Background(), &SpeechRequest{Input: strings.Repeat("x", 1<<20)})
	if h, _ := wav.ReadHeader(huge.Audio); h.Duration() != 60 {
		t.Fatalf("capped duration %v", h.Duration())
	}
	if _, err := f.Speech(context.Background(), &SpeechRequest{Model: "fail-before"}); err == nil {
		t.Fatal("fail-before")
	}
}

func TestFakeTranscribe(t *testing.T) {
	f := NewFake()
	tone, _ := FakeTone("a", 5)
	a, err := f.Transcribe(context.Background(), &TranscriptionRequest{Audio: tone, Segments: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := f.Transcribe(context.Background(), &TranscriptionRequest{Audio: tone, Segments: true})
	if a.Text != b.Text || len(a.Segments) != 3 || a.Segments[2].End != 5 || !strings.Contains(a.Text, "bytes of audio") {
		t.Fatalf("%+v", a)
	}
	other, _ := f.Transcribe(context.Background(), &TranscriptionRequest{Audio: append(tone, 0), Segments: false})
	if other.Text == a.Text || other.Segments != nil {
		t.Fatalf("%+v", other)
	}
	if _, err := f.Transcribe(context.Background(), &TranscriptionRequest{}); err == nil {
		t.Fatal("empty audio")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Transcribe(ctx, &TranscriptionRequest{Audio: tone}); err == nil {
		t.Fatal("cancelled")
	}
}

// Interfaces the providers implement.
var (
	_ Transcriber = (*OpenAI)(nil)
	_ Transcriber = (*Fake)(nil)
	_ Speaker     = (*OpenAI)(nil)
	_ Speaker     = (*Fake)(nil)
)
