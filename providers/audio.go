package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// Transcriber is a provider that turns speech into text: OpenAI's
// POST /audio/transcriptions, which whisper.cpp's server (started with
// --inference-path /v1/audio/transcriptions), LocalAI, speaches and
// OpenAI answer, and the fake.
type Transcriber interface {
	Transcribe(ctx context.Context, req *TranscriptionRequest) (*Transcription, error)
}

// Speaker is a provider that turns text into speech: OpenAI's
// POST /audio/speech, which Kokoro-FastAPI, LocalAI, speaches and OpenAI
// answer, and the fake.
type Speaker interface {
	Speech(ctx context.Context, req *SpeechRequest) (*Speech, error)
}

// TranscriptionRequest is one file to transcribe.
type TranscriptionRequest struct {
	Model string
	Audio []byte
	// Filename is the upload's name; servers guess the format from its
	// extension ("audio.wav", "audio.mp3"). Empty means "audio.wav".
	Filename string
	Language string // ISO-639-1, or empty to detect
	Prompt   string
	// Segments asks for timestamped segments (response_format
	// verbose_json); otherwise only the text (json).
	Segments bool
	// Translate asks for an English translation instead
	// (POST /audio/translations).
	Translate   bool
	Temperature *float64
}

// Segment is a timestamped piece of a transcript.
type Segment struct {
	Start, End float64 // seconds
	Text       string
}

// Transcription is a provider's answer.
type Transcription struct {
	Text     string
	Language string
	Duration float64 // seconds, when the server says
	Segments []Segment
}

// SpeechRequest is text to speak.
type SpeechRequest struct {
	Model string
	Input string
	Voice string
	// Format is the audio format asked for: wav, mp3, opus, flac, aac,
	// pcm. Empty means wav.
	Format string
	Speed  *float64
	// Instructions steer the voice, on models that take them.
	Instructions string
}

// Speech is synthesized audio.
type Speech struct {
	Audio       []byte
	ContentType string // as the server labelled it
}

// formBody is a request body the caller encoded, with its content type.
type formBody struct {
	contentType string
	data        []byte
}

// Transcribe sends the audio to POST /audio/transcriptions (or
// /audio/translations) as multipart form data.
func (o *OpenAI) Transcribe(ctx context.Context, req *TranscriptionRequest) (*Transcription, error) {
	model := req.Model
	if model == "" {
		model = o.model
	}
	if model == "" {
		return nil, ErrNoModel
	}
	path := "/audio/transcriptions"
	if req.Translate {
		path = "/audio/translations"
	}
	body, err := transcriptionForm(req, model)
	if err != nil {
		_, shown := o.ep.target(path)
		return nil, o.ep.fail(shown, 0, "encoding the request: "+err.Error(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, chatTimeout)
	defer cancel()
	c, err := o.ep.do(ctx, http.MethodPost, path, model, body, chatTimeout)
	if err != nil {
		return nil, err
	}
	var r oaiTranscription
	if err := c.decode(&r); err != nil {
		return nil, err
	}
	t := &Transcription{Text: strings.TrimSpace(r.Text), Language: r.Language, Duration: float64(r.Duration)}
	for _, s := range r.Segments {
		t.Segments = append(t.Segments, Segment{Start: float64(s.Start), End: float64(s.End), Text: strings.TrimSpace(s.Text)})
	}
	return t, nil
}

func transcriptionForm(req *TranscriptionRequest, model string) (formBody, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	name := req.Filename
	if name == "" {
		name = "audio.wav"
	}
	h := textproto.MIMEHeader{}
	name = safeFilename(name)
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", audioType(name))
	part, err := w.CreatePart(h)
	if err != nil {
		return formBody{}, err
	}
	part.Write(req.Audio)
	format := "json"
	if req.Segments {
		format = "verbose_json"
	}
	fields := [][2]string{{"model", model}, {"response_format", format}}
	if req.Segments {
		fields = append(fields, [2]string{"timestamp_granularities[]", "segment"})
	}
	if req.Language != "" && !req.Translate {
		fields = append(fields, [2]string{"language", req.Language})
	}
	if req.Prompt != "" {
		fields = append(fields, [2]string{"prompt", req.Prompt})
	}
	if req.Temperature != nil {
		fields = append(fields, [2]string{"temperature", strconv.FormatFloat(*req.Temperature, 'g', -1, 64)})
	}
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return formBody{}, err
		}
	}
	if err := w.Close(); err != nil {
		return formBody{}, err
	}
	return formBody{contentType: w.FormDataContentType(), data: buf.Bytes()}, nil
}

// safeFilename is "audio" with name's extension when it is a short run
// of letters and digits: servers guess the format from the extension,
// and nothing else of a caller's name reaches the form's header.
func safeFilename(name string) string {
	ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
	if len(ext) == 0 || len(ext) > 5 || len(ext) == len(name) {
		return "audio.wav"
	}
	for _, r := range ext {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return "audio.wav"
		}
	}
	return "audio." + ext
}

func audioType(name string) string {
	ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
	switch ext {
	case "wav":
		return "audio/wav"
	case "mp3", "mpeg", "mpga":
		return "audio/mpeg"
	case "ogg", "oga", "opus":
		return "audio/ogg"
	case "flac":
		return "audio/flac"
	case "m4a", "mp4":
		return "audio/mp4"
	case "webm":
		return "audio/webm"
	}
	return "application/octet-stream"
}

// oaiTranscription is the json and verbose_json answer of
// /audio/transcriptions.
type oaiTranscription struct {
	Text     string    `json:"text"`
	Language string    `json:"language"`
	Duration flexFloat `json:"duration"`
	Segments []struct {
		Start flexFloat `json:"start"`
		End   flexFloat `json:"end"`
		Text  string    `json:"text"`
	} `json:"segments"`
}

// flexFloat reads a number written as a JSON number or a string, as
// some servers write durations.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", excerpt(string(b)))
	}
	*f = flexFloat(v)
	return nil
}

// Speech sends the text to POST /audio/speech and returns the audio.
func (o *OpenAI) Speech(ctx context.Context, req *SpeechRequest) (*Speech, error) {
	model := req.Model
	if model == "" {
		model = o.model
	}
	if model == "" {
		return nil, ErrNoModel
	}
	format := req.Format
	if format == "" {
		format = "wav"
	}
	body := struct {
		Model          string   `json:"model"`
		Input          string   `json:"input"`
		Voice          string   `json:"voice"`
		ResponseFormat string   `json:"response_format"`
		Speed          *float64 `json:"speed,omitempty"`
		Instructions   string   `json:"instructions,omitempty"`
	}{model, req.Input, req.Voice, format, req.Speed, req.Instructions}
	if body.Voice == "" {
		body.Voice = "alloy"
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, chatTimeout)
	defer cancel()
	c, err := o.ep.do(ctx, http.MethodPost, "/audio/speech", model, json.RawMessage(raw), chatTimeout)
	if err != nil {
		return nil, err
	}
	ct := c.resp.Header.Get("Content-Type")
	b, err := c.body()
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/") {
		msg, _ := upstreamMessage(b)
		return nil, c.ep.fail(c.shown, c.resp.StatusCode, "answered text instead of audio: "+msg, nil)
	}
	if len(b) == 0 {
		return nil, c.ep.fail(c.shown, c.resp.StatusCode, "answered no audio", nil)
	}
	return &Speech{Audio: b, ContentType: ct}, nil
}
