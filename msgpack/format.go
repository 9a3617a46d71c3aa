package msgpack

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// This file writes the individual formats of the spec, each in the smallest
// form that holds its value.

func (e *encoder) bool(b bool) {
	if b {
		e.buf = append(e.buf, 0xc3)
	} else {
		e.buf = append(e.buf, 0xc2)
	}
}

// int writes i in the smallest int format family member: the unsigned forms
// for values >= 0, the signed forms for negative values.
func (e *encoder) int(i int64) {
	switch {
	case i >= 0:
		e.uint(uint64(i))
	case i >= -32:
		e.buf = append(e.buf, byte(i))
	case i >= math.MinInt8:
		e.buf = append(e.buf, 0xd0, byte(i))
	case i >= math.MinInt16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xd1), uint16(i))
	case i >= math.MinInt32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xd2), uint32(i))
	default:
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xd3), uint64(i))
	}
}

func (e *encoder) uint(u uint64) {
	switch {
	case u <= 0x7f:
		e.buf = append(e.buf, byte(u))
	case u <= math.MaxUint8:
		e.buf = append(e.buf, 0xcc, byte(u))
	case u <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xcd), uint16(u))
	case u <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xce), uint32(u))
	default:
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xcf), u)
	}
}

func (e *encoder) float32(f float32) {
	e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xca), math.Float32bits(f))
}

func (e *encoder) float64(f float64) {
	e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xcb), math.Float64bits(f))
}

func (e *encoder) string(s string) error {
	if !utf8.ValidString(s) {
		s = toValidUTF8(s)
	}
	n := len(s)
	switch {
	case n <= 31:
		e.buf = append(e.buf, 0xa0|byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xd9, byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xda), uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdb), uint32(n))
	default:
		return fmt.Errorf("msgpack: string of %d bytes is longer than the format allows", n)
	}
	e.buf = append(e.buf, s...)
	return nil
}

// toValidUTF8 replaces each run of bytes that is not valid UTF-8 with U+FFFD.
func toValidUTF8(s string) string {
	out := make([]byte, 0, len(s)+2)
	bad := false
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && size == 1 {
			if !bad {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
			bad = true
		} else {
			out = append(out, s[:size]...)
			bad = false
		}
		s = s[size:]
	}
	return string(out)
}

func (e *encoder) bin(b []byte) error {
	n := len(b)
	switch {
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xc4, byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xc5), uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xc6), uint32(n))
	default:
		return fmt.Errorf("msgpack: []byte of %d bytes is longer than the format allows", n)
	}
	e.buf = append(e.buf, b...)
	return nil
}

func (e *encoder) arrayHeader(n int) error {
	switch {
	case n <= 15:
		e.buf = append(e.buf, 0x90|byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xdc), uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdd), uint32(n))
	default:
		return fmt.Errorf("msgpack: array of %d elements is longer than the format allows", n)
	}
	return nil
}

func (e *encoder) mapHeader(n int) error {
	switch {
	case n <= 15:
		e.buf = append(e.buf, 0x80|byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xde), uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdf), uint32(n))
	default:
		return fmt.Errorf("msgpack: map of %d entries is longer than the format allows", n)
	}
	return nil
}

// time writes t as the timestamp extension, choosing the form as the
// specification's serialization pseudo code does: 32-bit when the seconds fit
// 32 unsigned bits and there are no nanoseconds, 64-bit when the seconds fit
// 34 unsigned bits, 96-bit otherwise (including every instant before 1970).
func (e *encoder) time(t time.Time) {
	sec, nsec := t.Unix(), uint64(t.Nanosecond())
	if uint64(sec)>>34 == 0 {
		data64 := nsec<<34 | uint64(sec)
		if data64>>32 == 0 {
			e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xd6, 0xff), uint32(data64))
			return
		}
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xd7, 0xff), data64)
		return
	}
	e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xc7, 12, 0xff), uint32(nsec))
	e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(sec))
}
