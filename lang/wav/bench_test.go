package wav_test

import (
	"testing"

	"nodetool/lang/wav"
)

// BenchmarkDecode16 decodes a minute of CD audio (stereo, 44.1 kHz,
// 16-bit: 10 MiB).
func BenchmarkDecode16(b *testing.B) {
	data, _ := wav.Encode(sine(44100, 2, 44100*60), wav.PCM16)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := wav.Decode(data, 1<<30); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode16 encodes the same minute.
func BenchmarkEncode16(b *testing.B) {
	a := sine(44100, 2, 44100*60)
	b.SetBytes(int64(len(a.Samples)) * 2)
	for b.Loop() {
		if _, err := wav.Encode(a, wav.PCM16); err != nil {
			b.Fatal(err)
		}
	}
}
