package wav_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"nodetool/lang/wav"
)

func sine(rate, channels, frames int) *wav.Audio {
	a := &wav.Audio{Rate: rate, Channels: channels, Samples: make([]float32, frames*channels)}
	for i := 0; i < frames; i++ {
		for c := 0; c < channels; c++ {
			a.Samples[i*channels+c] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)+float64(c)))
		}
	}
	return a
}

func TestRoundTrip(t *testing.T) {
	tol := map[wav.Format]float64{wav.PCM8: 1.0 / 100, wav.PCM16: 1.0 / 30000, wav.PCM24: 1e-6, wav.PCM32: 1e-6, wav.Float32: 0}
	for _, f := range []wav.Format{wav.PCM8, wav.PCM16, wav.PCM24, wav.PCM32, wav.Float32} {
		t.Run(f.String(), func(t *testing.T) {
			a := sine(8000, 2, 400)
			b, err := wav.Encode(a, f)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != wav.EncodedSize(400, 2, f) {
				t.Fatalf("size %d, EncodedSize says %d", len(b), wav.EncodedSize(400, 2, f))
			}
			got, gf, err := wav.Decode(b, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if gf != f || got.Rate != 8000 || got.Channels != 2 || got.Frames() != 400 {
				t.Fatalf("got %v %d Hz %d ch %d frames", gf, got.Rate, got.Channels, got.Frames())
			}
			for i := range a.Samples {
				if d := math.Abs(float64(a.Samples[i] - got.Samples[i])); d > tol[f] {
					t.Fatalf("sample %d: %v became %v", i, a.Samples[i], got.Samples[i])
				}
			}
		})
	}
}

func TestExtremes(t *testing.T) {
	a := &wav.Audio{Rate: 8000, Channels: 1, Samples: []float32{-1, 1, 2, -2, float32(math.NaN()), 0}}
	for _, f := range []wav.Format{wav.PCM8, wav.PCM16, wav.PCM24, wav.PCM32} {
		b, err := wav.Encode(a, f)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := wav.Decode(b, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got.Samples[0] != -1 || got.Samples[1] < 0.99 || got.Samples[2] < 0.99 || got.Samples[3] != -1 || got.Samples[4] != 0 {
			t.Fatalf("%v: %v", f, got.Samples)
		}
	}
}

func TestDecodeRefusesBeforeAllocating(t *testing.T) {
	// A 44-byte file whose data chunk claims 4 GiB: clamped to the file.
	b, _ := wav.Encode(sine(8000, 1, 10), wav.PCM16)
	binary.LittleEndian.PutUint32(b[40:], 0xFFFFFFF0)
	h, err := wav.ReadHeader(b)
	if err != nil || h.Frames != 10 {
		t.Fatalf("frames %d, %v", h.Frames, err)
	}
	// Real size over the limit.
	big, _ := wav.Encode(sine(8000, 2, 1000), wav.PCM8)
	if _, _, err := wav.Decode(big, 7999); !errors.Is(err, wav.ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	if _, _, err := wav.Decode(big, 8000); err != nil {
		t.Fatal(err)
	}
}

func TestHeaderErrors(t *testing.T) {
	good, _ := wav.Encode(sine(8000, 1, 4), wav.PCM16)
	mut := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	cases := map[string][]byte{
		"empty":     nil,
		"not riff":  []byte("RIFX....WAVE"),
		"no data":   good[:36],
		"channels":  mut(func(b []byte) { binary.LittleEndian.PutUint16(b[22:], 0) }),
		"rate":      mut(func(b []byte) { binary.LittleEndian.PutUint32(b[24:], 0) }),
		"bits":      mut(func(b []byte) { binary.LittleEndian.PutUint16(b[34:], 12) }),
		"tag":       mut(func(b []byte) { binary.LittleEndian.PutUint16(b[20:], 85) }),
		"fmt short": mut(func(b []byte) { binary.LittleEndian.PutUint32(b[16:], 8) }),
	}
	for name, b := range cases {
		if _, err := wav.ReadHeader(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := wav.ReadHeader(mut(func(b []byte) { binary.LittleEndian.PutUint16(b[20:], 85) })); !errors.Is(err, wav.ErrUnsupported) {
		t.Errorf("tag 85: %v", err)
	}
}

// TestFFmpegReads checks the files Encode writes against another reader:
// ffprobe, which CI installs.
func TestFFmpegReads(t *testing.T) {
	probe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Fatal("ffprobe is not installed (apt-get install ffmpeg)")
	}
	dir := t.TempDir()
	for _, f := range []wav.Format{wav.PCM8, wav.PCM16, wav.PCM24, wav.PCM32, wav.Float32} {
		b, _ := wav.Encode(sine(16000, 2, 1600), f)
		p := filepath.Join(dir, f.String()+".wav")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(probe, "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels,duration_ts", "-of", "csv=p=0", p).Output()
		if err != nil {
			t.Fatalf("%v: ffprobe: %v", f, err)
		}
		want := f.String() + ",16000,2,1600\n"
		if string(out) != want {
			t.Errorf("%v: ffprobe says %q, want %q", f, out, want)
		}
	}
}

// TestDecodeFFmpegFiles decodes files ffmpeg writes, in each format, and
// WAVE_FORMAT_EXTENSIBLE.
func TestDecodeFFmpegFiles(t *testing.T) {
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not installed (apt-get install ffmpeg)")
	}
	dir := t.TempDir()
	for codec, f := range map[string]wav.Format{"pcm_u8": wav.PCM8, "pcm_s16le": wav.PCM16, "pcm_s24le": wav.PCM24, "pcm_s32le": wav.PCM32, "pcm_f32le": wav.Float32} {
		for _, ch := range []string{"1", "6"} {
			p := filepath.Join(dir, codec+ch+".wav")
			cmd := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050:duration=0.5", "-ac", ch, "-c:a", codec, p)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v %s", err, out)
			}
			b, _ := os.ReadFile(p)
			a, gf, err := wav.Decode(b, 1<<24)
			if err != nil {
				t.Fatalf("%s %s ch: %v", codec, ch, err)
			}
			if gf != f || a.Rate != 22050 || a.Frames() != 11025 || a.Channels != map[string]int{"1": 1, "6": 6}[ch] {
				t.Fatalf("%s: %v %d Hz %d ch %d frames", codec, gf, a.Rate, a.Channels, a.Frames())
			}
			var peak float32
			for _, v := range a.Samples {
				peak = max(peak, v)
			}
			if peak < 0.05 || peak > 1 {
				t.Fatalf("%s: peak %v", codec, peak)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, fm := range []wav.Format{wav.PCM8, wav.PCM16, wav.PCM24, wav.PCM32, wav.Float32} {
		b, _ := wav.Encode(sine(8000, 2, 8), fm)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 1 << 20
		a, fm, err := wav.Decode(b, limit)
		if err != nil {
			return
		}
		if int64(len(a.Samples))*4 > limit || len(a.Samples)%a.Channels != 0 {
			t.Fatalf("%d samples, %d channels", len(a.Samples), a.Channels)
		}
		for _, v := range a.Samples {
			if v != v || v < -1 || v > 1 {
				t.Fatalf("sample %v", v)
			}
		}
		out, err := wav.Encode(a, fm)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(out)) != wav.EncodedSize(int64(a.Frames()), a.Channels, fm) {
			t.Fatal("EncodedSize disagrees")
		}
	})
}
