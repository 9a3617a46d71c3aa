package pdf

import (
	"bytes"
	"math"
	"strings"
)

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// Char is one shown glyph, in top-down page coordinates (y grows
// downwards from the media box's top, as PyMuPDF and pdfplumber report).
type Char struct {
	Text string
	// X, Y: the glyph's origin on the baseline; W its advance.
	X, Y, W float64
	Size    float64
	Font    string
	Bold    bool
	// Color is the fill color as 0xRRGGBB.
	Color int
	// SpaceBefore: a large TJ displacement preceded the glyph.
	SpaceBefore bool
}

type gstate struct {
	ctm   matrix
	color int
}

type interp struct {
	d       *Doc
	page    *Page
	chars   []Char
	gs      gstate
	stack   []gstate
	tm, tlm matrix
	tc, tw  float64
	th, tl  float64
	tfs     float64
	rise    float64
	font    *font
	pending bool
	forms   map[*Stream]bool
	cost    int64
	glyphs  []glyph // reused by show
}

// maxFormDepth bounds form XObjects drawn inside each other.
const maxFormDepth = 8

// Chars interprets a page's content streams and returns its glyphs in
// content order.
func (d *Doc) Chars(p *Page) ([]Char, error) {
	data, err := d.contents(p.Dict["Contents"])
	if err != nil {
		return nil, unwrapBudget(err)
	}
	in := &interp{d: d, page: p, gs: gstate{ctm: identity}, th: 1, forms: map[*Stream]bool{}}
	// A glyph takes a few bytes of content at least: size the list once
	// for ordinary pages.
	in.chars = make([]Char, 0, min(len(data), 8192))
	if err := in.run(data, p.Resources, 0); err != nil {
		return nil, unwrapBudget(err)
	}
	return in.chars, nil
}

func (in *interp) run(data []byte, res Dict, depth int) error {
	p := &parser{b: data, ops: true}
	var args []Object
	fonts, _ := in.d.Resolve(res["Font"]).(Dict)
	for !p.eof() {
		if err := in.d.tick(); err != nil {
			return err
		}
		v, err := p.object(0)
		if err != nil {
			args = args[:0]
			continue
		}
		op, ok := v.(Op)
		if !ok {
			if len(args) >= 64 {
				args = args[1:]
			}
			args = append(args, v)
			continue
		}
		if err := in.op(op, args, p, fonts, res, depth); err != nil {
			return err
		}
		args = args[:0]
	}
	return nil
}

func nums(args []Object, n int) ([]float64, bool) {
	if len(args) < n {
		return nil, false
	}
	out := make([]float64, n)
	for i, a := range args[len(args)-n:] {
		switch t := a.(type) {
		case int64:
			out[i] = float64(t)
		case float64:
			out[i] = t
		default:
			return nil, false
		}
	}
	return out, true
}

func (in *interp) op(op Op, args []Object, p *parser, fonts, res Dict, depth int) error {
	switch op {
	case "q":
		if len(in.stack) < 256 {
			in.stack = append(in.stack, in.gs)
		}
	case "Q":
		if n := len(in.stack); n > 0 {
			in.gs, in.stack = in.stack[n-1], in.stack[:n-1]
		}
	case "cm":
		if a, ok := nums(args, 6); ok {
			in.gs.ctm = matrix(a).mul(in.gs.ctm)
		}
	case "BT":
		in.tm, in.tlm = identity, identity
	case "Tf":
		if len(args) >= 2 {
			if n, ok := args[len(args)-2].(Name); ok {
				in.font = in.d.font(fonts[n])
			}
			if a, ok := nums(args, 1); ok {
				in.tfs = a[0]
			}
		}
	case "Td":
		if a, ok := nums(args, 2); ok {
			in.td(a[0], a[1])
		}
	case "TD":
		if a, ok := nums(args, 2); ok {
			in.tl = -a[1]
			in.td(a[0], a[1])
		}
	case "Tm":
		if a, ok := nums(args, 6); ok {
			in.tm, in.tlm = matrix(a), matrix(a)
		}
	case "T*":
		in.td(0, -in.tl)
	case "TL":
		if a, ok := nums(args, 1); ok {
			in.tl = a[0]
		}
	case "Tc":
		if a, ok := nums(args, 1); ok {
			in.tc = a[0]
		}
	case "Tw":
		if a, ok := nums(args, 1); ok {
			in.tw = a[0]
		}
	case "Tz":
		if a, ok := nums(args, 1); ok {
			in.th = a[0] / 100
		}
	case "Ts":
		if a, ok := nums(args, 1); ok {
			in.rise = a[0]
		}
	case "Tj":
		if len(args) > 0 {
			if s, ok := args[len(args)-1].(String); ok {
				return in.show(s)
			}
		}
	case "'":
		in.td(0, -in.tl)
		if len(args) > 0 {
			if s, ok := args[len(args)-1].(String); ok {
				return in.show(s)
			}
		}
	case "\"":
		if a, ok := nums(args[:max(len(args)-1, 0)], 2); ok {
			in.tw, in.tc = a[0], a[1]
		}
		in.td(0, -in.tl)
		if len(args) > 0 {
			if s, ok := args[len(args)-1].(String); ok {
				return in.show(s)
			}
		}
	case "TJ":
		if len(args) == 0 {
			return nil
		}
		arr, _ := args[len(args)-1].(Array)
		for _, x := range arr {
			switch t := x.(type) {
			case String:
				if err := in.show(t); err != nil {
					return err
				}
			case int64, float64:
				n := num(t)
				in.tm = matrix{1, 0, 0, 1, -n / 1000 * in.tfs * in.th, 0}.mul(in.tm)
				if n < -180 {
					in.pending = true
				}
			}
		}
	case "g":
		if a, ok := nums(args, 1); ok {
			in.gs.color = rgb(a[0], a[0], a[0])
		}
	case "rg":
		if a, ok := nums(args, 3); ok {
			in.gs.color = rgb(a[0], a[1], a[2])
		}
	case "k":
		if a, ok := nums(args, 4); ok {
			in.gs.color = rgb((1-a[0])*(1-a[3]), (1-a[1])*(1-a[3]), (1-a[2])*(1-a[3]))
		}
	case "sc", "scn":
		switch {
		case len(args) == 1:
			if a, ok := nums(args, 1); ok {
				in.gs.color = rgb(a[0], a[0], a[0])
			}
		case len(args) == 3:
			if a, ok := nums(args, 3); ok {
				in.gs.color = rgb(a[0], a[1], a[2])
			}
		case len(args) == 4:
			if a, ok := nums(args, 4); ok {
				in.gs.color = rgb((1-a[0])*(1-a[3]), (1-a[1])*(1-a[3]), (1-a[2])*(1-a[3]))
			}
		}
	case "BI":
		// Skip an inline image: its dictionary, ID, the binary data, EI.
		i := bytes.Index(p.b[p.pos:], []byte("ID"))
		if i < 0 {
			p.pos = len(p.b)
			return nil
		}
		p.pos += i + 2
		for p.pos < len(p.b) {
			j := bytes.Index(p.b[p.pos:], []byte("EI"))
			if j < 0 {
				p.pos = len(p.b)
				break
			}
			e := p.pos + j
			p.pos = e + 2
			if isWhite(p.b[e-1]) && (p.pos == len(p.b) || isWhite(p.b[p.pos])) {
				break
			}
		}
	case "Do":
		if len(args) == 0 || depth >= maxFormDepth {
			return nil
		}
		n, _ := args[len(args)-1].(Name)
		xo, _ := in.d.Resolve(res["XObject"]).(Dict)
		s, ok := in.d.Resolve(xo[n]).(*Stream)
		if !ok || in.d.Resolve(s.Dict["Subtype"]) != Name("Form") || in.forms[s] {
			return nil
		}
		data, err := in.d.decode(s)
		if err != nil {
			if isBudget(err) {
				return err
			}
			return nil
		}
		in.forms[s] = true
		defer delete(in.forms, s)
		saved, savedStack := in.gs, len(in.stack)
		if m, ok := in.d.Resolve(s.Dict["Matrix"]).(Array); ok && len(m) == 6 {
			var mm matrix
			for i, v := range m {
				mm[i] = num(in.d.Resolve(v))
			}
			in.gs.ctm = mm.mul(in.gs.ctm)
		}
		fres := res
		if r, ok := in.d.Resolve(s.Dict["Resources"]).(Dict); ok {
			fres = r
		}
		err = in.run(data, fres, depth+1)
		in.gs, in.stack = saved, in.stack[:min(savedStack, len(in.stack))]
		return err
	}
	return nil
}

func rgb(r, g, b float64) int {
	c := func(v float64) int { return int(math.Round(max(0, min(1, v)) * 255)) }
	return c(r)<<16 | c(g)<<8 | c(b)
}

func (in *interp) td(tx, ty float64) {
	in.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(in.tlm)
	in.tm = in.tlm
}

// maxCharsCost is what one glyph costs against the budget.
const charCost = 64

func (in *interp) show(s String) error {
	f := in.font
	if f == nil {
		f = &font{missing: 500, enc: baseEncoding("StandardEncoding")}
		in.font = f
	}
	in.glyphs = f.decode(s, in.glyphs[:0])
	for _, g := range in.glyphs {
		if err := in.d.tick(); err != nil {
			return err
		}
		trm := matrix{in.tfs * in.th, 0, 0, in.tfs, 0, in.rise}.mul(in.tm).mul(in.gs.ctm)
		tx := (g.width/1000*in.tfs + in.tc) * in.th
		if g.space {
			tx += in.tw * in.th
		}
		m := in.tm.mul(in.gs.ctm)
		size := math.Abs(in.tfs) * math.Hypot(m[2], m[3])
		if g.text != "" {
			in.cost += charCost + int64(len(g.text))
			if in.cost > in.d.budget.MaxValue() {
				return budgetError{in.d.budget.CheckSize(in.cost)}
			}
			in.chars = append(in.chars, Char{
				Text: g.text, X: trm[4] - in.page.MediaBox[0], Y: in.page.MediaBox[3] - trm[5],
				W: g.width / 1000 * in.tfs * in.th * math.Hypot(m[0], m[1]), Size: size, Font: f.name, Bold: f.bold,
				Color: in.gs.color, SpaceBefore: in.pending,
			})
			in.pending = false
		}
		in.tm = matrix{1, 0, 0, 1, tx, 0}.mul(in.tm)
	}
	return nil
}

// Span is a run of characters of one line sharing font, size and color.
type Span struct {
	Text           string
	Font           string
	Size           float64
	Color          int
	Bold           bool
	X0, Y0, X1, Y1 float64
	b              *strings.Builder
	last           string
}

// Line is a line of text.
type Line struct {
	Spans          []Span
	X0, Y0, X1, Y1 float64
}

// Text is the line's text.
func (l *Line) Text() string {
	var b strings.Builder
	for _, s := range l.Spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Block is a paragraph-like group of lines.
type Block struct {
	Lines          []Line
	X0, Y0, X1, Y1 float64
}

// Text is the block's lines, each ended by a newline.
func (b *Block) Text() string {
	var s strings.Builder
	for _, l := range b.Lines {
		s.WriteString(l.Text())
		s.WriteByte('\n')
	}
	return s.String()
}

// Layout groups glyphs as MuPDF does: into lines (a new line when the
// baseline moves by more than 0.8 font sizes, or the text jumps along it
// by more than that, forwards or back), words (a space where the gap to
// the previous glyph is over 15% of the font size, or a TJ displacement
// asked for one) and blocks (a new block when the line gap is over 1.6
// line heights or the text moves up).
func Layout(chars []Char) []Block {
	var blocks []Block
	var line *Line
	var block *Block
	var lastEnd, lastY, lastSize float64
	flushLine := func() {
		if line == nil || len(line.Spans) == 0 {
			line = nil
			return
		}
		l := *line
		line = nil
		for i := range l.Spans {
			l.Spans[i].Text, l.Spans[i].b = l.Spans[i].b.String(), nil
		}
		gap := 0.0
		if block != nil && len(block.Lines) > 0 {
			prev := block.Lines[len(block.Lines)-1]
			gap = l.Y1 - prev.Y1
		}
		if block == nil || gap < 0 || gap > 1.6*max(l.Y1-l.Y0, 1) {
			blocks = append(blocks, Block{X0: l.X0, Y0: l.Y0, X1: l.X1, Y1: l.Y1})
			block = &blocks[len(blocks)-1]
		}
		block.Lines = append(block.Lines, l)
		block.X0, block.Y0 = min(block.X0, l.X0), min(block.Y0, l.Y0)
		block.X1, block.Y1 = max(block.X1, l.X1), max(block.Y1, l.Y1)
	}
	for _, c := range chars {
		size := max(c.Size, 1)
		if line != nil && (math.Abs(c.Y-lastY) > 0.8*max(size, lastSize) || math.Abs(c.X-lastEnd) > 0.8*size) {
			flushLine()
		}
		text := c.Text
		if line != nil {
			last := &line.Spans[len(line.Spans)-1]
			// A gap makes a space even after a space glyph (letter-spaced
			// text, as MuPDF reads it); a TJ displacement only after
			// another glyph.
			endsSpace := strings.HasSuffix(last.last, " ")
			gap := c.X-lastEnd > 0.15*size || c.X < lastEnd-2*size
			if !strings.HasPrefix(text, " ") && (gap || c.SpaceBefore && !endsSpace) {
				text = " " + text
			}
		}
		y0, y1 := c.Y-0.8*size, c.Y+0.2*size
		x1 := c.X + c.W
		if line == nil {
			line = &Line{X0: c.X, Y0: y0, X1: x1, Y1: y1}
		}
		n := len(line.Spans)
		if n > 0 && line.Spans[n-1].Font == c.Font && line.Spans[n-1].Size == c.Size && line.Spans[n-1].Color == c.Color {
			s := &line.Spans[n-1]
			s.b.WriteString(text)
			s.last = text
			s.X0, s.Y0, s.X1, s.Y1 = min(s.X0, c.X), min(s.Y0, y0), max(s.X1, x1), max(s.Y1, y1)
		} else {
			b := &strings.Builder{}
			b.WriteString(text)
			line.Spans = append(line.Spans, Span{b: b, last: text, Font: c.Font, Size: c.Size, Color: c.Color, Bold: c.Bold, X0: c.X, Y0: y0, X1: x1, Y1: y1})
		}
		line.X0, line.Y0, line.X1, line.Y1 = min(line.X0, c.X), min(line.Y0, y0), max(line.X1, x1), max(line.Y1, y1)
		lastEnd, lastY, lastSize = x1, c.Y, size
	}
	flushLine()
	return blocks
}
