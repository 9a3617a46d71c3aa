package audio

import (
	"errors"
	"fmt"
	"math"

	"nodetool/lang/pyval"
	"nodetool/lang/wav"
)

// The sample computations of the audio nodes, on decoded audio
// (interleaved float32 samples in [-1, 1]), as pydub computes them for
// the original. Every function sizes what it makes against the budget
// before making it: a float32 sample counts 4 bytes.

// newAudio allocates frames frames of silence, within the budget.
func newAudio(b pyval.Budget, rate, channels int, frames int64) (*wav.Audio, error) {
	if frames < 0 {
		frames = 0
	}
	if channels < 1 || channels > wav.MaxChannels {
		return nil, fmt.Errorf("%d channels (1 to %d supported)", channels, wav.MaxChannels)
	}
	if rate < 1 || rate > wav.MaxRate {
		return nil, fmt.Errorf("sample rate %d (1 to %d supported)", rate, wav.MaxRate)
	}
	if frames > math.MaxInt64/int64(4*channels) {
		return nil, b.CheckSize(-1)
	}
	if err := b.CheckSize(frames * int64(channels) * 4); err != nil {
		return nil, err
	}
	return &wav.Audio{Rate: rate, Channels: channels, Samples: make([]float32, frames*int64(channels))}, nil
}

// framesFor is the frame count of seconds at rate, or an error when it
// is not a finite non-negative number.
func framesFor(seconds float64, rate int) (int64, error) {
	if math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		return 0, errors.New("the duration is not a number")
	}
	if seconds <= 0 {
		return 0, nil
	}
	f := seconds * float64(rate)
	if f > 1<<50 {
		return 1 << 50, nil // far over any budget; the size check refuses it
	}
	return int64(f), nil
}

// silence is seconds of silence, mono 16-bit at 11025 Hz in the original
// (pydub's AudioSegment.silent); here mono at rate.
func silence(b pyval.Budget, seconds float64, rate int) (*wav.Audio, error) {
	n, err := framesFor(seconds, rate)
	if err != nil {
		return nil, err
	}
	return newAudio(b, rate, 1, n)
}

// slice is a[start:end] in seconds, clamped to the audio (pydub slicing
// in milliseconds). end < 0 counts from the end.
func slice(b pyval.Budget, a *wav.Audio, start, end float64) (*wav.Audio, error) {
	n := int64(a.Frames())
	s, err := framesFor(start, a.Rate)
	if err != nil {
		return nil, err
	}
	var e int64
	if end < 0 {
		back, err := framesFor(-end, a.Rate)
		if err != nil {
			return nil, err
		}
		e = n - back
	} else if e, err = framesFor(end, a.Rate); err != nil {
		return nil, err
	}
	s, e = min(s, n), max(0, min(e, n))
	if e < s {
		e = s
	}
	out, err := newAudio(b, a.Rate, a.Channels, e-s)
	if err != nil {
		return nil, err
	}
	copy(out.Samples, a.Samples[s*int64(a.Channels):e*int64(a.Channels)])
	return out, nil
}

// setChannels converts to 1 or 2 channels: mono to stereo duplicates,
// many to mono averages (pydub's set_channels).
func setChannels(b pyval.Budget, a *wav.Audio, channels int) (*wav.Audio, error) {
	if a.Channels == channels {
		return a, nil
	}
	out, err := newAudio(b, a.Rate, channels, int64(a.Frames()))
	if err != nil {
		return nil, err
	}
	n := a.Frames()
	for i := range n {
		if i&1023 == 0 {
			if err := b.Tick(); err != nil {
				return nil, err
			}
		}
		var sum float32
		for c := range a.Channels {
			sum += a.Samples[i*a.Channels+c]
		}
		mean := sum / float32(a.Channels)
		for c := range channels {
			v := mean
			switch {
			case channels == 1:
			case a.Channels == 1:
				v = a.Samples[i]
			case c < a.Channels:
				v = a.Samples[i*a.Channels+c]
			}
			out.Samples[i*channels+c] = v
		}
	}
	return out, nil
}

// channel is one channel of a as mono (pydub's split_to_mono()[c]).
func channel(b pyval.Budget, a *wav.Audio, c int) (*wav.Audio, error) {
	if c >= a.Channels {
		return nil, fmt.Errorf("the audio has %d channel(s), no channel %d", a.Channels, c+1)
	}
	out, err := newAudio(b, a.Rate, 1, int64(a.Frames()))
	if err != nil {
		return nil, err
	}
	for i := range out.Samples {
		out.Samples[i] = a.Samples[i*a.Channels+c]
	}
	return out, nil
}

// resample converts a to rate by linear interpolation (pydub's
// set_frame_rate uses audioop.ratecv, also linear).
func resample(b pyval.Budget, a *wav.Audio, rate int) (*wav.Audio, error) {
	if a.Rate == rate {
		return a, nil
	}
	n := int64(a.Frames())
	frames := int64(math.Ceil(float64(n) * float64(rate) / float64(a.Rate)))
	out, err := newAudio(b, rate, a.Channels, frames)
	if err != nil {
		return nil, err
	}
	ch := a.Channels
	step := float64(a.Rate) / float64(rate)
	for i := range frames {
		if i&1023 == 0 {
			if err := b.Tick(); err != nil {
				return nil, err
			}
		}
		pos := float64(i) * step
		j := int64(pos)
		frac := float32(pos - float64(j))
		for c := range ch {
			x0 := a.Samples[min(j, n-1)*int64(ch)+int64(c)]
			x1 := a.Samples[min(j+1, n-1)*int64(ch)+int64(c)]
			out.Samples[i*int64(ch)+int64(c)] = x0 + (x1-x0)*frac
		}
	}
	return out, nil
}

// sync brings a and b to the same rate and channel count, the higher of
// each, as pydub does before joining or overlaying two segments.
func sync(bud pyval.Budget, a, b *wav.Audio) (*wav.Audio, *wav.Audio, error) {
	rate := max(a.Rate, b.Rate)
	ch := max(a.Channels, b.Channels)
	var err error
	for _, p := range []**wav.Audio{&a, &b} {
		if *p, err = resample(bud, *p, rate); err != nil {
			return nil, nil, err
		}
		if *p, err = setChannels(bud, *p, ch); err != nil {
			return nil, nil, err
		}
	}
	return a, b, nil
}

// concat joins the parts in order (pydub's a + b).
func concat(b pyval.Budget, parts ...*wav.Audio) (*wav.Audio, error) {
	if len(parts) == 0 {
		return nil, errors.New("no audio to join")
	}
	acc := parts[0]
	for _, p := range parts[1:] {
		x, y, err := sync(b, acc, p)
		if err != nil {
			return nil, err
		}
		out, err := newAudio(b, x.Rate, x.Channels, int64(x.Frames())+int64(y.Frames()))
		if err != nil {
			return nil, err
		}
		copy(out.Samples, x.Samples)
		copy(out.Samples[len(x.Samples):], y.Samples)
		acc = out
	}
	return acc, nil
}

// overlay mixes b into a from its start; the result is as long as a
// (pydub's a.overlay(b)). gain scales b.
func overlay(bud pyval.Budget, a, b *wav.Audio, gain float32) (*wav.Audio, error) {
	x, y, err := sync(bud, a, b)
	if err != nil {
		return nil, err
	}
	out, err := newAudio(bud, x.Rate, x.Channels, int64(x.Frames()))
	if err != nil {
		return nil, err
	}
	copy(out.Samples, x.Samples)
	n := min(len(out.Samples), len(y.Samples))
	for i := range n {
		out.Samples[i] = clip(out.Samples[i] + gain*y.Samples[i])
	}
	return out, nil
}

// scale multiplies every sample by g.
func scale(b pyval.Budget, a *wav.Audio, g float32) (*wav.Audio, error) {
	out, err := newAudio(b, a.Rate, a.Channels, int64(a.Frames()))
	if err != nil {
		return nil, err
	}
	for i, v := range a.Samples {
		out.Samples[i] = clip(v * g)
	}
	return out, nil
}

func clip(v float32) float32 { return max(-1, min(1, v)) }

// normalize scales a so its peak is at -0.1 dBFS (pydub's
// effects.normalize with its default headroom). Silence stays silent.
func normalize(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) {
	var peak float32
	for _, v := range a.Samples {
		peak = max(peak, v, -v)
	}
	if peak == 0 {
		return scale(b, a, 1)
	}
	target := float32(math.Pow(10, -0.1/20))
	return scale(b, a, target/peak)
}

// fade applies a linear fade over the first (in) or last seconds of a
// (pydub's fade_in and fade_out: gain from silence to full, linear in
// amplitude). A fade longer than the audio covers all of it.
func fade(b pyval.Budget, a *wav.Audio, seconds float64, in bool) (*wav.Audio, error) {
	out, err := scale(b, a, 1)
	if err != nil {
		return nil, err
	}
	n := int64(a.Frames())
	f, err := framesFor(seconds, a.Rate)
	if err != nil {
		return nil, err
	}
	f = min(f, n)
	ch := int64(a.Channels)
	for i := range f {
		g := float32(i) / float32(f)
		k := i
		if !in {
			k = n - 1 - i
		}
		for c := range ch {
			out.Samples[k*ch+c] *= g
		}
	}
	return out, nil
}

// reverse plays a backwards.
func reverse(b pyval.Budget, a *wav.Audio) (*wav.Audio, error) {
	n := a.Frames()
	out, err := newAudio(b, a.Rate, a.Channels, int64(n))
	if err != nil {
		return nil, err
	}
	ch := a.Channels
	for i := range n {
		copy(out.Samples[i*ch:(i+1)*ch], a.Samples[(n-1-i)*ch:(n-i)*ch])
	}
	return out, nil
}

// repeat plays a loops times.
func repeat(b pyval.Budget, a *wav.Audio, loops int64) (*wav.Audio, error) {
	if loops < 1 {
		loops = 0
	}
	n := int64(a.Frames())
	if loops > 0 && n > math.MaxInt64/4/loops {
		return nil, b.CheckSize(-1)
	}
	out, err := newAudio(b, a.Rate, a.Channels, n*loops)
	if err != nil {
		return nil, err
	}
	for i := range loops {
		copy(out.Samples[i*int64(len(a.Samples)):], a.Samples)
	}
	return out, nil
}

// removeSilence shortens every stretch of silence (RMS over 10 ms windows
// below threshold dBFS) of at least minLength ms: it keeps (1 -
// reduction) of it but never less than minBetween ms, and crossfades
// crossfade ms at each cut (nodetool's remove_silence helper).
func removeSilence(b pyval.Budget, a *wav.Audio, minLength, threshold int64, reduction float64, crossfade, minBetween int64) (*wav.Audio, error) {
	ch := a.Channels
	win := max(1, a.Rate/100) // 10 ms
	n := a.Frames()
	thr := math.Pow(10, float64(threshold)/20)
	// Silent windows.
	nw := (n + win - 1) / win
	silent := make([]bool, nw)
	if err := b.CheckSize(int64(nw)); err != nil {
		return nil, err
	}
	for w := range nw {
		if w&255 == 0 {
			if err := b.Tick(); err != nil {
				return nil, err
			}
		}
		var sum float64
		lo, hi := w*win, min(n, (w+1)*win)
		for i := lo * ch; i < hi*ch; i++ {
			v := float64(a.Samples[i])
			sum += v * v
		}
		silent[w] = math.Sqrt(sum/float64((hi-lo)*ch)) < thr
	}
	ms := func(m int64) int { return int(m * int64(a.Rate) / 1000) }
	minRun := ms(minLength)
	keepMin := ms(minBetween)
	xf := ms(crossfade)
	// Build the kept ranges, in frames.
	type span struct{ lo, hi int }
	var keep []span
	pos := 0
	for w := 0; w < nw; {
		if !silent[w] {
			w++
			continue
		}
		e := w
		for e < nw && silent[e] {
			e++
		}
		lo, hi := w*win, min(n, e*win)
		if hi-lo >= max(1, minRun) {
			kept := max(keepMin, int(float64(hi-lo)*(1-reduction)))
			kept = min(kept, hi-lo)
			keep = append(keep, span{pos, lo + kept/2}, span{-1, -1})
			pos = hi - (kept - kept/2)
		}
		w = e
	}
	keep = append(keep, span{pos, n})
	var total int64
	for _, s := range keep {
		if s.lo >= 0 {
			total += int64(s.hi - s.lo)
		}
	}
	out, err := newAudio(b, a.Rate, ch, total)
	if err != nil {
		return nil, err
	}
	o := 0
	for i, s := range keep {
		if s.lo < 0 {
			continue
		}
		seg := a.Samples[s.lo*ch : s.hi*ch]
		copy(out.Samples[o*ch:], seg)
		// Fade the join: out at the end of the previous span, in at the
		// start of this one.
		if i > 0 && xf > 0 {
			f := min(xf, (s.hi-s.lo)/2, o/2)
			for k := range f {
				g := float32(k) / float32(max(1, f))
				for c := range ch {
					out.Samples[(o+k)*ch+c] *= g
					out.Samples[(o-1-k)*ch+c] *= g
				}
			}
		}
		o += s.hi - s.lo
	}
	return out, nil
}
