package providers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"nodetool/lang/wav"
)

// Fake speech, both ways, with no model:
//
//   - Transcribe answers a transcript derived from the audio's bytes: it
//     names their count and the first 8 hex digits of their SHA-256, then
//     one sentence per 2 seconds of audio (a WAV file's duration, else
//     one second per 16000 bytes; at most 60 sentences), each a segment
//     with its times. The same bytes always give the same transcript.
//   - Speech answers a WAV file (16-bit mono, 24 kHz) holding a tone
//     whose pitch comes from the voice and the text, 60 ms per character
//     of the text (at least 0.3 s, at most 60 s), whatever format was
//     asked for.
//
// Model "fail-before" fails both with a 500 *Error.

// fakeSentences are the transcript's sentences, picked by the hash.
var fakeSentences = []string{
	"Let's review the project timeline.",
	"The budget was approved last week.",
	"We need to finish the design by Friday.",
	"Marketing will prepare the launch plan.",
	"The customer asked for a demo.",
	"Testing found two open issues.",
	"Next steps are assigned to the team.",
	"We will meet again on Monday.",
}

// Transcribe answers the deterministic transcript.
func (f *Fake) Transcribe(ctx context.Context, req *TranscriptionRequest) (*Transcription, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Provider: "fake", URL: "fake://", Message: "request canceled", Err: err}
	}
	if req.Model == "fail-before" {
		return nil, fakeError(500, "simulated failure (model fail-before)")
	}
	if len(req.Audio) == 0 {
		return nil, fakeError(400, "no audio to transcribe")
	}
	sum := sha256.Sum256(req.Audio)
	dur := float64(len(req.Audio)) / 16000
	if h, err := wav.ReadHeader(req.Audio); err == nil {
		dur = h.Duration()
	}
	n := min(60, max(1, int(math.Ceil(dur/2))))
	t := &Transcription{Language: "en", Duration: dur}
	words := []string{fmt.Sprintf("Transcript of %d bytes of audio (%s).", len(req.Audio), hex.EncodeToString(sum[:4]))}
	for i := range n {
		s := fakeSentences[int(sum[i%len(sum)]+byte(i))%len(fakeSentences)]
		words = append(words, s)
		end := min(dur, float64(i+1)*2)
		if i == n-1 {
			end = dur
		}
		t.Segments = append(t.Segments, Segment{Start: float64(i) * 2, End: end, Text: s})
	}
	t.Segments[0].Text = words[0] + " " + t.Segments[0].Text
	t.Text = strings.Join(words, " ")
	if !req.Segments {
		t.Segments = nil
	}
	return t, nil
}

// Speech answers the tone.
func (f *Fake) Speech(ctx context.Context, req *SpeechRequest) (*Speech, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Provider: "fake", URL: "fake://", Message: "request canceled", Err: err}
	}
	if req.Model == "fail-before" {
		return nil, fakeError(500, "simulated failure (model fail-before)")
	}
	b, err := FakeTone(req.Voice+"\x00"+req.Input, fakeSpeechSeconds(req.Input))
	if err != nil {
		return nil, fakeError(0, err.Error())
	}
	return &Speech{Audio: b, ContentType: "audio/wav"}, nil
}

func fakeSpeechSeconds(text string) float64 {
	return min(60, max(0.3, 0.06*float64(utf8.RuneCountInString(text))))
}

// FakeTone is a WAV file (16-bit mono, 24 kHz) of seconds of a tone
// whose pitch (220 to 880 Hz) comes from seed, faded in and out.
func FakeTone(seed string, seconds float64) ([]byte, error) {
	const rate = 24000
	sum := sha256.Sum256([]byte(seed))
	freq := 220 + float64(int(sum[0])<<8|int(sum[1]))/65535*660
	frames := int(seconds * rate)
	a := &wav.Audio{Rate: rate, Channels: 1, Samples: make([]float32, frames)}
	fade := rate / 50
	for i := range a.Samples {
		g := 0.4
		if i < fade {
			g *= float64(i) / float64(fade)
		} else if frames-i < fade {
			g *= float64(frames-i) / float64(fade)
		}
		a.Samples[i] = float32(g * math.Sin(2*math.Pi*freq*float64(i)/rate))
	}
	return wav.Encode(a, wav.PCM16)
}
