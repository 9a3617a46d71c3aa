// Package wav reads and writes WAV (RIFF WAVE) audio in pure Go: integer
// PCM of 8, 16, 24 and 32 bits and IEEE float32, any rate and channel
// count. Decoded audio is interleaved float32 samples in [-1, 1], the form
// the audio nodes compute on.
//
// Decoding is bounded: Decode takes the most bytes the decoded samples may
// take and refuses larger audio before allocating it, so a small file that
// claims a huge data chunk costs nothing. Header reads only the header.
// Streaming writers leave the data size as 0 or 0xFFFFFFFF; such a chunk
// is taken to run to the end of the file, as is one that claims more
// bytes than the file holds.
package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Format is a sample encoding.
type Format int

// The sample encodings WAV files use.
const (
	PCM8    Format = iota + 1 // unsigned 8-bit
	PCM16                     // signed little-endian
	PCM24                     // signed little-endian, 3 bytes
	PCM32                     // signed little-endian
	Float32                   // IEEE 754 single precision
)

// Bytes is the size of one sample.
func (f Format) Bytes() int {
	switch f {
	case PCM8:
		return 1
	case PCM16:
		return 2
	case PCM24:
		return 3
	case PCM32, Float32:
		return 4
	}
	return 0
}

func (f Format) String() string {
	switch f {
	case PCM8:
		return "pcm_u8"
	case PCM16:
		return "pcm_s16le"
	case PCM24:
		return "pcm_s24le"
	case PCM32:
		return "pcm_s32le"
	case Float32:
		return "pcm_f32le"
	}
	return "unknown"
}

// Limits on what a header may claim: no real audio comes near them, and
// they keep every size computation far from overflow.
const (
	MaxChannels = 64
	MaxRate     = 1_000_000
)

// Header is what a WAV file's header says.
type Header struct {
	Format   Format
	Rate     int // frames per second
	Channels int
	// Frames is the number of whole frames the file holds (after
	// clamping the data chunk to the file's length).
	Frames int64
	// DataOffset and DataLen locate the samples in the file.
	DataOffset int
	DataLen    int
}

// Duration is the audio's length in seconds.
func (h Header) Duration() float64 { return float64(h.Frames) / float64(h.Rate) }

// DecodedSize is the bytes Decode allocates for the samples.
func (h Header) DecodedSize() int64 { return h.Frames * int64(h.Channels) * 4 }

// Errors.
var (
	ErrNotWAV      = errors.New("wav: not a WAV file")
	ErrUnsupported = errors.New("wav: unsupported sample format")
	ErrTooLarge    = errors.New("wav: decoded audio over the size limit")
)

// IsWAV reports whether b starts like a WAV file.
func IsWAV(b []byte) bool {
	return len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WAVE"
}

// ReadHeader parses the header of the WAV file b.
func ReadHeader(b []byte) (Header, error) {
	var h Header
	if !IsWAV(b) {
		return h, ErrNotWAV
	}
	var haveFmt bool
	var bits, tag int
	pos := 12
	for pos+8 <= len(b) {
		id := string(b[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(b[pos+4 : pos+8]))
		body := pos + 8
		switch id {
		case "fmt ":
			if size < 16 || int64(body)+16 > int64(len(b)) {
				return h, fmt.Errorf("wav: fmt chunk too short")
			}
			f := b[body:]
			tag = int(binary.LittleEndian.Uint16(f[0:2]))
			h.Channels = int(binary.LittleEndian.Uint16(f[2:4]))
			h.Rate = int(binary.LittleEndian.Uint32(f[4:8]))
			bits = int(binary.LittleEndian.Uint16(f[14:16]))
			if tag == 0xFFFE { // WAVE_FORMAT_EXTENSIBLE: the subformat GUID's first two bytes
				if size < 40 || int64(body)+40 > int64(len(b)) {
					return h, fmt.Errorf("wav: extensible fmt chunk too short")
				}
				tag = int(binary.LittleEndian.Uint16(f[24:26]))
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return h, fmt.Errorf("wav: data chunk before fmt chunk")
			}
			avail := int64(len(b) - body)
			if size == 0 || size == 0xFFFFFFFF || size > avail {
				size = avail
			}
			if err := h.setFormat(tag, bits); err != nil {
				return h, err
			}
			frame := int64(h.Channels * h.Format.Bytes())
			h.Frames = size / frame
			h.DataOffset, h.DataLen = body, int(h.Frames*frame)
			return h, nil
		}
		next := int64(body) + size + size&1 // chunks are padded to even sizes
		if next > int64(len(b)) {
			break
		}
		pos = int(next)
	}
	if !haveFmt {
		return h, fmt.Errorf("wav: no fmt chunk")
	}
	return h, fmt.Errorf("wav: no data chunk")
}

func (h *Header) setFormat(tag, bits int) error {
	switch {
	case h.Channels < 1 || h.Channels > MaxChannels:
		return fmt.Errorf("wav: %d channels (1 to %d supported)", h.Channels, MaxChannels)
	case h.Rate < 1 || h.Rate > MaxRate:
		return fmt.Errorf("wav: sample rate %d (1 to %d supported)", h.Rate, MaxRate)
	case tag == 1 && bits == 8:
		h.Format = PCM8
	case tag == 1 && bits == 16:
		h.Format = PCM16
	case tag == 1 && bits == 24:
		h.Format = PCM24
	case tag == 1 && bits == 32:
		h.Format = PCM32
	case tag == 3 && bits == 32:
		h.Format = Float32
	default:
		return fmt.Errorf("%w: format tag %d, %d bits (PCM 8/16/24/32-bit and float32 are)", ErrUnsupported, tag, bits)
	}
	return nil
}

// Audio is decoded audio: interleaved samples in [-1, 1].
type Audio struct {
	Rate     int
	Channels int
	Samples  []float32
}

// Frames is the number of frames (samples per channel).
func (a *Audio) Frames() int {
	if a.Channels < 1 {
		return 0
	}
	return len(a.Samples) / a.Channels
}

// Duration is the length in seconds.
func (a *Audio) Duration() float64 {
	if a.Rate < 1 {
		return 0
	}
	return float64(a.Frames()) / float64(a.Rate)
}

// Decode decodes the WAV file b, refusing with ErrTooLarge (before
// allocating) audio whose samples would take more than maxBytes.
func Decode(b []byte, maxBytes int64) (*Audio, Format, error) {
	h, err := ReadHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if h.DecodedSize() > maxBytes {
		return nil, 0, fmt.Errorf("%w: %d bytes of samples, limit %d", ErrTooLarge, h.DecodedSize(), maxBytes)
	}
	data := b[h.DataOffset : h.DataOffset+h.DataLen]
	n := int(h.Frames) * h.Channels
	out := make([]float32, n)
	switch h.Format {
	case PCM8:
		for i := range out {
			out[i] = float32(int(data[i])-128) / 128
		}
	case PCM16:
		for i := range out {
			out[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
		}
	case PCM24:
		for i := range out {
			p := data[3*i:]
			v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
			out[i] = float32(v) / 8388608
		}
	case PCM32:
		for i := range out {
			out[i] = float32(float64(int32(binary.LittleEndian.Uint32(data[4*i:]))) / 2147483648)
		}
	case Float32:
		for i := range out {
			v := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			if v != v { // NaN
				v = 0
			}
			out[i] = max(-1, min(1, v))
		}
	}
	return &Audio{Rate: h.Rate, Channels: h.Channels, Samples: out}, h.Format, nil
}

// EncodedSize is the size of the WAV file Encode writes for frames frames.
func EncodedSize(frames int64, channels int, f Format) int64 {
	return headerSize(f) + frames*int64(channels*f.Bytes())
}

func headerSize(f Format) int64 {
	if f == Float32 {
		return 58 // fmt chunk of 18 bytes and a fact chunk
	}
	return 44
}

// Encode writes a as a WAV file in format f, clipping samples to [-1, 1].
// The caller sizes the result first with EncodedSize.
func Encode(a *Audio, f Format) ([]byte, error) {
	switch {
	case a.Channels < 1 || a.Channels > MaxChannels:
		return nil, fmt.Errorf("wav: %d channels (1 to %d supported)", a.Channels, MaxChannels)
	case a.Rate < 1 || a.Rate > MaxRate:
		return nil, fmt.Errorf("wav: sample rate %d (1 to %d supported)", a.Rate, MaxRate)
	case f.Bytes() == 0:
		return nil, ErrUnsupported
	}
	frames := int64(a.Frames())
	dataLen := frames * int64(a.Channels*f.Bytes())
	if dataLen > math.MaxUint32-64 {
		return nil, fmt.Errorf("wav: %d bytes of samples do not fit a WAV file", dataLen)
	}
	size := EncodedSize(frames, a.Channels, f)
	b := make([]byte, 0, size)
	le := binary.LittleEndian
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(size-8))
	b = append(b, "WAVE"...)
	b = append(b, "fmt "...)
	tag := uint16(1)
	if f == Float32 {
		tag = 3
		b = le.AppendUint32(b, 18)
	} else {
		b = le.AppendUint32(b, 16)
	}
	block := a.Channels * f.Bytes()
	b = le.AppendUint16(b, tag)
	b = le.AppendUint16(b, uint16(a.Channels))
	b = le.AppendUint32(b, uint32(a.Rate))
	b = le.AppendUint32(b, uint32(a.Rate*block))
	b = le.AppendUint16(b, uint16(block))
	b = le.AppendUint16(b, uint16(f.Bytes()*8))
	if f == Float32 {
		b = le.AppendUint16(b, 0) // cbSize
		b = append(b, "fact"...)
		b = le.AppendUint32(b, 4)
		b = le.AppendUint32(b, uint32(frames))
	}
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(dataLen))
	samples := a.Samples[:frames*int64(a.Channels)]
	for _, v := range samples {
		if v != v {
			v = 0
		}
		v = max(-1, min(1, v))
		switch f {
		case PCM8:
			b = append(b, byte(clampInt(int64(math.Round(float64(v)*128))+128, 0, 255)))
		case PCM16:
			b = le.AppendUint16(b, uint16(int16(clampInt(int64(math.Round(float64(v)*32768)), -32768, 32767))))
		case PCM24:
			x := clampInt(int64(math.Round(float64(v)*8388608)), -8388608, 8388607)
			b = append(b, byte(x), byte(x>>8), byte(x>>16))
		case PCM32:
			b = le.AppendUint32(b, uint32(int32(clampInt(int64(math.Round(float64(v)*2147483648)), math.MinInt32, math.MaxInt32))))
		case Float32:
			b = le.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b, nil
}

func clampInt(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }
