package audio_test

import (
	"math"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/lang/wav"
	"nodetool/nodes/audio"
)

// budget is a pyval.Budget with a size limit.
type budget struct{ max int64 }

func (budget) Tick() error                { return nil }
func (budget) Check() error               { return nil }
func (b budget) MaxValue() int64          { return b.max }
func (b budget) CheckItems(n int64) error { return b.CheckSize(n) }
func (b budget) CheckSize(n int64) error {
	if n < 0 || n > b.max {
		return errOver
	}
	return nil
}

type overErr struct{}

func (overErr) Error() string { return "over the limit" }

var errOver = overErr{}

var big = budget{1 << 30}

func ramp(rate, ch, frames int) *wav.Audio {
	a := &wav.Audio{Rate: rate, Channels: ch, Samples: make([]float32, rate*0+frames*ch)}
	for i := range a.Samples {
		a.Samples[i] = float32(i%100)/100 - 0.5
	}
	return a
}

func tone(rate, frames int, amp float64) *wav.Audio {
	a := &wav.Audio{Rate: rate, Channels: 1, Samples: make([]float32, frames)}
	for i := range a.Samples {
		a.Samples[i] = float32(amp * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return a
}

func TestSilenceAndSlice(t *testing.T) {
	s, err := audio.Silence(big, 1.5, 8000)
	if err != nil || s.Frames() != 12000 || s.Channels != 1 {
		t.Fatalf("%v %v", s, err)
	}
	if _, err := audio.Silence(budget{1000}, 1e12, 44100); err == nil {
		t.Fatal("a huge silence was made")
	}
	if _, err := audio.Silence(big, math.NaN(), 8000); err == nil {
		t.Fatal("NaN")
	}
	a := ramp(1000, 2, 1000)
	for _, c := range []struct {
		start, end float64
		want       int
	}{{0, 0.5, 500}, {0.25, 0.75, 500}, {0.5, 10, 500}, {0.9, 0.1, 0}, {2, 3, 0}, {0, -0.25, 750}} {
		got, err := audio.Slice(big, a, c.start, c.end)
		if err != nil || got.Frames() != c.want {
			t.Errorf("slice(%v, %v): %d frames, %v", c.start, c.end, got.Frames(), err)
		}
	}
	got, _ := audio.Slice(big, a, 0.25, 0.5)
	if got.Samples[0] != a.Samples[500] {
		t.Fatal("slice starts at the wrong frame")
	}
}

func TestChannels(t *testing.T) {
	st := &wav.Audio{Rate: 10, Channels: 2, Samples: []float32{0.2, 0.4, -0.2, 0}}
	m, _ := audio.SetChannels(big, st, 1)
	if m.Channels != 1 || len(m.Samples) != 2 || math.Abs(float64(m.Samples[0]-0.3)) > 1e-6 {
		t.Fatalf("%v", m.Samples)
	}
	s2, _ := audio.SetChannels(big, m, 2)
	if s2.Channels != 2 || s2.Samples[0] != s2.Samples[1] {
		t.Fatalf("%v", s2.Samples)
	}
	r, _ := audio.Channel(big, st, 1)
	if r.Samples[0] != 0.4 || r.Samples[1] != 0 {
		t.Fatalf("%v", r.Samples)
	}
	if _, err := audio.Channel(big, m, 1); err == nil {
		t.Fatal("mono has no right channel")
	}
}

func TestResampleConcatOverlay(t *testing.T) {
	a := tone(8000, 8000, 0.5)
	r, err := audio.Resample(big, a, 16000)
	if err != nil || r.Frames() != 16000 || r.Rate != 16000 {
		t.Fatalf("%d %v", r.Frames(), err)
	}
	if math.Abs(float64(r.Samples[200]-a.Samples[100])) > 1e-6 {
		t.Fatal("resampled samples misplaced")
	}
	if _, err := audio.Resample(budget{1 << 20}, a, 1_000_000); err == nil {
		t.Fatal("a huge resample was made")
	}
	b := &wav.Audio{Rate: 16000, Channels: 2, Samples: make([]float32, 2*1600)}
	c, err := audio.Concat(big, a, b)
	if err != nil || c.Rate != 16000 || c.Channels != 2 || c.Frames() != 16000+1600 {
		t.Fatalf("%d Hz %d ch %d frames %v", c.Rate, c.Channels, c.Frames(), err)
	}
	o, err := audio.Overlay(big, b, a, 1)
	if err != nil || o.Frames() != 1600 || o.Channels != 2 {
		t.Fatalf("%d %v", o.Frames(), err)
	}
	loud := tone(8000, 100, 0.9)
	o2, _ := audio.Overlay(big, loud, loud, 1)
	for _, v := range o2.Samples {
		if v > 1 || v < -1 {
			t.Fatal("overlay not clipped")
		}
	}
}

func TestGainNormalizeFade(t *testing.T) {
	a := tone(8000, 8000, 0.25)
	n, _ := audio.Normalize(big, a)
	var peak float32
	for _, v := range n.Samples {
		peak = max(peak, v, -v)
	}
	if math.Abs(float64(peak)-math.Pow(10, -0.1/20)) > 1e-4 {
		t.Fatalf("peak %v", peak)
	}
	z := &wav.Audio{Rate: 8000, Channels: 1, Samples: make([]float32, 10)}
	if zn, err := audio.Normalize(big, z); err != nil || zn.Samples[0] != 0 {
		t.Fatal("silence")
	}
	in, _ := audio.Fade(big, n, 0.5, true)
	if in.Samples[0] != 0 || in.Samples[7000] != n.Samples[7000] || math.Abs(float64(in.Samples[2002])) >= math.Abs(float64(n.Samples[2002])) {
		t.Fatal("fade in")
	}
	out, _ := audio.Fade(big, n, 100, false) // longer than the audio: all of it
	if out.Samples[7999] != 0 || math.Abs(float64(out.Samples[2])-float64(n.Samples[2])) > 0.01 {
		t.Fatal("fade out")
	}
	h, _ := audio.Scale(big, a, 2)
	if h.Samples[20] != 2*a.Samples[20] {
		t.Fatal("gain")
	}
}

func TestReverseRepeat(t *testing.T) {
	a := ramp(100, 2, 50)
	r, _ := audio.Reverse(big, a)
	if r.Samples[0] != a.Samples[98] || r.Samples[1] != a.Samples[99] {
		t.Fatal("reverse")
	}
	rp, err := audio.Repeat(big, a, 3)
	if err != nil || rp.Frames() != 150 || rp.Samples[100] != a.Samples[0] {
		t.Fatal("repeat")
	}
	if _, err := audio.Repeat(budget{1000}, a, 100); err == nil {
		t.Fatal("repeat over the budget")
	}
}

func TestRemoveSilence(t *testing.T) {
	sound := tone(8000, 8000, 0.5)
	quiet := &wav.Audio{Rate: 8000, Channels: 1, Samples: make([]float32, 16000)}
	a, _ := audio.Concat(big, sound, quiet, sound)
	r, err := audio.RemoveSilence(big, a, 200, -40, 1.0, 10, 100)
	if err != nil {
		t.Fatal(err)
	}
	// 1 s + 0.1 s kept + 1 s.
	if d := r.Duration(); d < 2.05 || d > 2.2 {
		t.Fatalf("duration %v", d)
	}
	keep, _ := audio.RemoveSilence(big, a, 200, -40, 0, 10, 100)
	if keep.Frames() != a.Frames() {
		t.Fatalf("reduction 0 changed the length: %d", keep.Frames())
	}
	short, _ := audio.RemoveSilence(big, a, 5000, -40, 1, 10, 100)
	if short.Frames() != a.Frames() {
		t.Fatal("silence shorter than min_length was cut")
	}
}

var _ pyval.Budget = budget{}
