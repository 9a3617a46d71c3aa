package pdf

import (
	"bytes"
	"strings"
	"unicode/utf16"
)

// font maps a font's character codes to text and widths.
type font struct {
	name    string // BaseFont without a subset prefix
	cid     bool   // Type0: multi-byte codes
	cmap    *cmap  // ToUnicode, or nil
	enc     [256]rune
	diff    map[int]string // /Differences text
	first   int
	widths  []float64 // simple fonts, from first
	missing float64
	dw      float64         // CID default width
	cidW    map[int]float64 // CID widths
	std     *[95]uint16     // a standard font's widths, when it has no /Widths
	bold    bool
}

// glyph is one decoded character code.
type glyph struct {
	text  string
	width float64 // in thousandths of an em
	space bool    // single-byte code 32, which word spacing applies to
}

func (d *Doc) font(ref Object) *font {
	key := any(ref)
	if r, ok := ref.(Ref); ok {
		key = r
	} else {
		key = nil
	}
	if key != nil {
		if f, ok := d.fonts[key]; ok {
			return f
		}
	}
	f := d.buildFont(d.Resolve(ref))
	if key != nil {
		d.fonts[key] = f
	}
	return f
}

func (d *Doc) buildFont(v Object) *font {
	fd, _ := v.(Dict)
	f := &font{dw: 1000, missing: 0}
	base, _ := d.Resolve(fd["BaseFont"]).(Name)
	name := string(base)
	if len(name) > 7 && name[6] == '+' {
		name = name[7:]
	}
	f.name = name
	low := strings.ToLower(name)
	f.bold = strings.Contains(low, "bold") || strings.Contains(low, "black") || strings.Contains(low, "heavy")
	if s, ok := d.Resolve(fd["ToUnicode"]).(*Stream); ok {
		if data, err := d.decode(s); err == nil {
			f.cmap = parseCMap(data, d)
		}
	}
	if d.Resolve(fd["Subtype"]) == Name("Type0") {
		f.cid = true
		desc := fd
		if a, ok := d.Resolve(fd["DescendantFonts"]).(Array); ok && len(a) > 0 {
			if dd, ok := d.Resolve(a[0]).(Dict); ok {
				desc = dd
			}
		}
		if w, ok := d.Resolve(desc["DW"]).(int64); ok {
			f.dw = float64(w)
		}
		f.cidW = d.cidWidths(d.Resolve(desc["W"]))
		return f
	}
	fixed := strings.Contains(low, "courier") || strings.Contains(low, "mono")
	f.missing = 500
	if fixed {
		f.missing = 600
	}
	var encName Name = "StandardEncoding"
	if strings.Contains(low, "symbol") || strings.Contains(low, "dingbats") {
		encName = "Symbol"
	}
	if d.Resolve(fd["Subtype"]) == Name("TrueType") {
		encName = "WinAnsiEncoding"
	}
	hasBase := false
	switch e := d.Resolve(fd["Encoding"]).(type) {
	case Name:
		encName, hasBase = e, true
	case Dict:
		if b, ok := d.Resolve(e["BaseEncoding"]).(Name); ok {
			encName, hasBase = b, true
		}
		if diffs, ok := d.Resolve(e["Differences"]).(Array); ok {
			f.diff = map[int]string{}
			code := 0
			for _, x := range diffs {
				switch t := d.Resolve(x).(type) {
				case int64:
					code = int(t)
				case Name:
					if code >= 0 && code < 256 {
						f.diff[code] = glyphText(string(t))
					}
					code++
				}
			}
		}
	}
	f.enc = baseEncoding(encName)
	if !hasBase {
		// No base encoding named: an embedded Type1 program's own
		// encoding is the base (TeX's math and symbol fonts use it).
		for code, t := range d.builtinEncoding(fd) {
			if _, set := f.diff[code]; !set {
				if f.diff == nil {
					f.diff = map[int]string{}
				}
				f.diff[code] = t
			}
		}
	}
	first, _ := d.Resolve(fd["FirstChar"]).(int64)
	if first >= 0 && first < 256 {
		f.first = int(first)
		if ws, ok := d.Resolve(fd["Widths"]).(Array); ok {
			n := min(len(ws), 256)
			f.widths = make([]float64, n)
			for i := range n {
				f.widths[i] = num(d.Resolve(ws[i]))
			}
		}
	}
	if fm, ok := d.Resolve(fd["FontMatrix"]).(Array); ok && len(fm) == 6 && d.Resolve(fd["Subtype"]) == Name("Type3") {
		// Type3 widths are in glyph space: scale them to thousandths.
		if k := num(d.Resolve(fm[0])) * 1000; k > 0 && k < 1e6 {
			for i := range f.widths {
				f.widths[i] *= k
			}
		}
	}
	if f.widths == nil {
		f.std = base14Widths(name)
	}
	if fdesc, ok := d.Resolve(fd["FontDescriptor"]).(Dict); ok {
		if mw := num(d.Resolve(fdesc["MissingWidth"])); mw > 0 {
			f.missing = mw
		}
		if flags, ok := d.Resolve(fdesc["Flags"]).(int64); ok && flags&(1<<18) != 0 {
			f.bold = true
		}
	}
	return f
}

func num(v Object) float64 {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case float64:
		return t
	}
	return 0
}

// cidWidths reads a CID font's /W array: c [w1 w2 ...] or c1 c2 w.
func (d *Doc) cidWidths(v Object) map[int]float64 {
	a, _ := v.(Array)
	out := map[int]float64{}
	for i := 0; i < len(a); {
		c, ok := d.Resolve(a[i]).(int64)
		if !ok || i+1 >= len(a) {
			break
		}
		if ws, ok := d.Resolve(a[i+1]).(Array); ok {
			for j, w := range ws {
				if len(out) > 1<<16 {
					return out
				}
				out[int(c)+j] = num(d.Resolve(w))
			}
			i += 2
			continue
		}
		if i+2 >= len(a) {
			break
		}
		c2, _ := d.Resolve(a[i+1]).(int64)
		w := num(d.Resolve(a[i+2]))
		for k := c; k <= c2 && k-c < 1<<16 && len(out) <= 1<<16; k++ {
			out[int(k)] = w
		}
		i += 3
	}
	return out
}

// decode splits a shown string into glyphs, appended to out.
func (f *font) decode(s []byte, out []glyph) []glyph {
	for i := 0; i < len(s); {
		// Simple fonts have one-byte codes whatever their ToUnicode
		// map says; Type0 fonts take the map's code space, else two.
		n := 1
		if f.cid {
			n = 2
			if f.cmap != nil {
				n = f.cmap.codeLen(s[i:])
			}
		}
		n = min(n, len(s)-i)
		code := 0
		for _, c := range s[i : i+n] {
			code = code<<8 | int(c)
		}
		i += n
		g := glyph{space: n == 1 && code == 32}
		if f.cmap != nil {
			g.text, _ = f.cmap.lookup(code)
		}
		if g.text == "" && !f.cid {
			if t, ok := f.diff[code]; ok {
				g.text = t
			} else if code < 256 && f.enc[code] != 0 {
				g.text = string(f.enc[code])
			}
		}
		if g.text == "" && f.cid && f.cmap == nil && code >= 32 && code < 0xD800 {
			// Identity without a ToUnicode map: the code is often Unicode.
			g.text = string(rune(code))
		}
		if f.cid {
			g.width = f.dw
			if w, ok := f.cidW[code]; ok {
				g.width = w
			}
		} else {
			g.width = f.missing
			if k := code - f.first; k >= 0 && k < len(f.widths) && f.widths[k] > 0 {
				g.width = f.widths[k]
			} else if f.std != nil && code >= 32 && code < 127 {
				g.width = float64(f.std[code-32])
			}
		}
		out = append(out, g)
	}
	return out
}

// cmap is a ToUnicode CMap: code space ranges, single codes and ranges.
type cmap struct {
	spaces []codeSpace
	chars  map[int]string
	ranges []bfRange
}

type codeSpace struct {
	n      int
	lo, hi []byte
}

type bfRange struct {
	lo, hi int
	dst    []uint16 // UTF-16 of lo's text; the last unit increments
	arr    []string // or one text per code
}

func (c *cmap) codeLen(s []byte) int {
	if len(c.spaces) == 0 {
		return 2
	}
	for _, sp := range c.spaces {
		if len(s) < sp.n {
			continue
		}
		ok := true
		for i := range sp.n {
			if s[i] < sp.lo[i] || s[i] > sp.hi[i] {
				ok = false
				break
			}
		}
		if ok {
			return sp.n
		}
	}
	return c.spaces[0].n
}

func (c *cmap) lookup(code int) (string, bool) {
	if t, ok := c.chars[code]; ok {
		return t, true
	}
	t, ok := c.lookupRange(code)
	if len(c.chars) < 1<<16 {
		// Remember it: ranges are searched one by one.
		c.chars[code] = t
	}
	return t, ok
}

func (c *cmap) lookupRange(code int) (string, bool) {
	for _, r := range c.ranges {
		if code < r.lo || code > r.hi {
			continue
		}
		if r.arr != nil {
			if k := code - r.lo; k < len(r.arr) {
				return r.arr[k], true
			}
			return "", false
		}
		if len(r.dst) == 0 {
			return "", false
		}
		u := append([]uint16(nil), r.dst...)
		u[len(u)-1] += uint16(code - r.lo)
		return string(utf16.Decode(u)), true
	}
	return "", false
}

func utf16Text(s String) string {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	if len(s)%2 == 1 {
		u = append(u, uint16(s[len(s)-1]))
	}
	return string(utf16.Decode(u))
}

func codeOf(s String) int {
	v := 0
	for _, c := range s[:min(len(s), 4)] {
		v = v<<8 | int(c)
	}
	return v
}

// parseCMap reads the parts of a ToUnicode CMap text extraction needs.
func parseCMap(data []byte, d *Doc) *cmap {
	c := &cmap{chars: map[int]string{}}
	p := &parser{b: data, ops: true}
	var stack []Object
	for !p.eof() {
		if d.tick() != nil {
			return c
		}
		v, err := p.object(0)
		if err != nil {
			continue
		}
		op, ok := v.(Op)
		if !ok {
			if len(stack) < 1<<16 {
				stack = append(stack, v)
			}
			continue
		}
		switch op {
		case "endcodespacerange":
			for i := 0; i+1 < len(stack); i += 2 {
				lo, ok1 := stack[i].(String)
				hi, ok2 := stack[i+1].(String)
				if ok1 && ok2 && len(lo) == len(hi) && len(lo) >= 1 && len(lo) <= 4 {
					c.spaces = append(c.spaces, codeSpace{len(lo), lo, hi})
				}
			}
		case "endbfchar":
			for i := 0; i+1 < len(stack); i += 2 {
				src, ok := stack[i].(String)
				if !ok {
					continue
				}
				switch dst := stack[i+1].(type) {
				case String:
					c.chars[codeOf(src)] = utf16Text(dst)
				case Name:
					c.chars[codeOf(src)] = glyphText(string(dst))
				}
			}
		case "endbfrange":
			for i := 0; i+2 < len(stack); i += 3 {
				lo, ok1 := stack[i].(String)
				hi, ok2 := stack[i+1].(String)
				if !ok1 || !ok2 {
					continue
				}
				r := bfRange{lo: codeOf(lo), hi: codeOf(hi)}
				if r.hi < r.lo {
					continue
				}
				switch dst := stack[i+2].(type) {
				case String:
					for j := 0; j+1 < len(dst); j += 2 {
						r.dst = append(r.dst, uint16(dst[j])<<8|uint16(dst[j+1]))
					}
					if len(dst) == 1 {
						r.dst = []uint16{uint16(dst[0])}
					}
				case Array:
					for _, x := range dst {
						s, _ := x.(String)
						r.arr = append(r.arr, utf16Text(s))
					}
				}
				if len(c.ranges) < 1<<16 {
					c.ranges = append(c.ranges, r)
				}
			}
		}
		stack = stack[:0]
	}
	return c
}

// builtinEncoding reads the encoding of a font's embedded Type1 program
// (its clear-text part: "dup 58 /period put" lines), nil when there is
// none or it is StandardEncoding.
func (d *Doc) builtinEncoding(fd Dict) map[int]string {
	desc, _ := d.Resolve(fd["FontDescriptor"]).(Dict)
	s, ok := d.Resolve(desc["FontFile"]).(*Stream)
	if !ok {
		return nil
	}
	prog, err := d.decode(s)
	if err != nil {
		return nil
	}
	if n, ok := d.Resolve(s.Dict["Length1"]).(int64); ok && n > 0 && n < int64(len(prog)) {
		prog = prog[:n]
	}
	i := bytes.Index(prog, []byte("/Encoding"))
	if i < 0 {
		return nil
	}
	p := &parser{b: prog[i+len("/Encoding"):], ops: true}
	var out map[int]string
	var prev, last Object
	for n := 0; n < 1<<14 && !p.eof(); n++ {
		if d.tick() != nil {
			return out
		}
		v, err := p.object(0)
		if err != nil {
			continue
		}
		switch v {
		case Op("StandardEncoding"):
			if out == nil {
				return nil
			}
		case Op("def"), Op("readonly"), Op("eexec"):
			return out
		case Op("put"):
			code, ok1 := prev.(int64)
			name, ok2 := last.(Name)
			if ok1 && ok2 && code >= 0 && code < 256 {
				if out == nil {
					out = map[int]string{}
				}
				out[int(code)] = glyphText(string(name))
			}
		}
		prev, last = last, v
	}
	return out
}
