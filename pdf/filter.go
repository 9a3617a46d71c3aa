package pdf

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
)

// errUnsupportedFilter marks a stream whose filter this package does not
// decode; callers skip the stream with a warning.
var errUnsupportedFilter = errors.New("pdf: unsupported filter")

// decode returns a stream's decoded bytes, each step bounded by the
// budget's max-value.
func (d *Doc) decode(s *Stream) ([]byte, error) {
	data, _, err := d.decodeTo(s, false)
	return data, err
}

// decodeTo decodes a stream; with image set it stops at an image filter
// (DCTDecode, JPXDecode...) and returns the bytes it takes and its name.
func (d *Doc) decodeTo(s *Stream, image bool) ([]byte, Name, error) {
	if d.over != nil {
		return nil, "", d.over
	}
	filters, parms := d.filters(s.Dict)
	data := s.Raw
	for i, f := range filters {
		if err := d.tick(); err != nil {
			return nil, "", err
		}
		var parm Dict
		if i < len(parms) {
			parm, _ = d.Resolve(parms[i]).(Dict)
		}
		var err error
		switch f {
		case "FlateDecode", "Fl":
			data, err = d.inflate(data)
			if err == nil {
				data, err = d.predict(data, parm)
			}
		case "ASCIIHexDecode", "AHx":
			data = asciiHex(data)
		case "ASCII85Decode", "A85":
			// "z" stands for four bytes: size the output first.
			if n := int64(len(data)) + 3*int64(bytes.Count(data, []byte("z"))); n > d.budget.MaxValue() {
				d.over = budgetError{d.budget.CheckSize(n)}
				return nil, "", d.over
			}
			data, err = ascii85(data)
		case "DCTDecode", "DCT", "JPXDecode", "CCITTFaxDecode", "CCF", "JBIG2Decode":
			if image {
				return data, f, nil
			}
			fallthrough
		default:
			d.warn(fmt.Sprintf("a stream with the %s filter was skipped (not supported)", f))
			return nil, "", fmt.Errorf("%w: %s", errUnsupportedFilter, f)
		}
		if err != nil {
			return nil, "", err
		}
	}
	return data, "", nil
}

func (d *Doc) filters(dict Dict) ([]Name, Array) {
	var names []Name
	switch f := d.Resolve(dict["Filter"]).(type) {
	case Name:
		names = []Name{f}
	case Array:
		for _, v := range f {
			if n, ok := d.Resolve(v).(Name); ok {
				names = append(names, n)
			}
		}
	}
	var parms Array
	switch p := d.Resolve(dict["DecodeParms"]).(type) {
	case Dict:
		parms = Array{p}
	case Array:
		parms = p
	}
	return names, parms
}

// inflate decompresses zlib (or raw deflate) data; a truncated or
// corrupt stream keeps what decoded, as viewers do. The output is
// bounded by the budget: a bomb fails with its error.
func (d *Doc) inflate(data []byte) ([]byte, error) {
	var r io.Reader
	if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
		r = zr
	} else {
		r = flate.NewReader(bytes.NewReader(data))
	}
	max := d.budget.MaxValue()
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			if int64(buf.Len()+n) > max {
				d.over = budgetError{d.budget.CheckSize(int64(buf.Len() + n))}
				return nil, d.over
			}
			buf.Write(chunk[:n])
			if err := d.tick(); err != nil {
				return nil, err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if buf.Len() == 0 {
				return nil, fmt.Errorf("pdf: flate: %w", err)
			}
			d.warn("a compressed stream was truncated or corrupt; its readable part was kept")
			break
		}
	}
	return buf.Bytes(), nil
}

// predict undoes PNG predictors (Predictor >= 10), as cross-reference
// streams use; TIFF predictor 2 is not supported.
func (d *Doc) predict(data []byte, parm Dict) ([]byte, error) {
	pred, _ := parm["Predictor"].(int64)
	if pred <= 1 {
		return data, nil
	}
	if pred == 2 {
		d.warn("a stream with the TIFF predictor was skipped (not supported)")
		return nil, fmt.Errorf("%w: TIFF predictor", errUnsupportedFilter)
	}
	cols, colors, bpc := int64(1), int64(1), int64(8)
	if v, ok := parm["Columns"].(int64); ok {
		cols = v
	}
	if v, ok := parm["Colors"].(int64); ok {
		colors = v
	}
	if v, ok := parm["BitsPerComponent"].(int64); ok {
		bpc = v
	}
	if cols < 1 || cols > 1<<20 || colors < 1 || colors > 32 || bpc < 1 || bpc > 16 {
		return nil, errors.New("pdf: bad predictor parameters")
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((cols*colors*bpc + 7) / 8)
	if row > len(data) {
		// Rows longer than the data: refuse rather than allocate them.
		return nil, errors.New("pdf: predictor rows longer than the stream")
	}
	out := make([]byte, 0, len(data)/(row+1)*row)
	prev := make([]byte, row)
	cur := make([]byte, row)
	for i := 0; i+row < len(data)+1 && i < len(data); i += row + 1 {
		kind := data[i]
		end := min(i+1+row, len(data))
		n := copy(cur, data[i+1:end])
		clear(cur[n:])
		for j := range row {
			var a, b, c byte
			if j >= bpp {
				a, c = cur[j-bpp], prev[j-bpp]
			}
			b = prev[j]
			switch kind {
			case 1:
				cur[j] += a
			case 2:
				cur[j] += b
			case 3:
				cur[j] += byte((int(a) + int(b)) / 2)
			case 4:
				cur[j] += paeth(a, b, c)
			}
		}
		out = append(out, cur...)
		prev, cur = cur, prev
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func asciiHex(data []byte) []byte {
	out := make([]byte, 0, len(data)/2)
	var hi byte
	half := false
	for _, c := range data {
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

func ascii85(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("<~"))
	// z expands 1 byte to 4: bound the output before allocating.
	out := make([]byte, 0, len(data))
	var group [5]byte
	n := 0
	for _, c := range data {
		switch {
		case c == '~':
			goto done
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
		case c >= '!' && c <= 'u':
			group[n] = c - '!'
			n++
			if n == 5 {
				v := uint32(0)
				for _, g := range group {
					v = v*85 + uint32(g)
				}
				out = append(out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
				n = 0
			}
		case isWhite(c):
		default:
			return nil, errors.New("pdf: bad ASCII85 data")
		}
	}
done:
	if n > 1 {
		for i := n; i < 5; i++ {
			group[i] = 84
		}
		v := uint32(0)
		for _, g := range group {
			v = v*85 + uint32(g)
		}
		b := []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, b[:n-1]...)
	}
	return out, nil
}

// TextString decodes a PDF text string: UTF-16BE with a byte order mark,
// UTF-8 with one, else PDFDocEncoding (read as Latin-1, close enough for
// metadata).
func TextString(s []byte) string {
	if len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF {
		u := make([]uint16, 0, len(s)/2)
		for i := 2; i+1 < len(s); i += 2 {
			u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
		}
		return string(utf16.Decode(u))
	}
	if len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
		return string(s[3:])
	}
	r := make([]rune, len(s))
	for i, c := range s {
		r[i] = rune(c)
		if c >= 0x80 && c < 0xA0 {
			r[i] = winAnsi[c-0x80]
		}
	}
	return string(r)
}
