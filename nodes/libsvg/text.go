package libsvg

import (
	"fmt"
	"image"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// face is the one font text is drawn in: the embedded 7x13 bitmap font
// of golang.org/x/image (ASCII and Latin-1; other characters draw as its
// replacement box), every lit pixel a square of font-size/13 user units,
// so text scales and turns with its transform. font-family is not read.
var face = basicfont.Face7x13

// maxTextRunes bounds the characters one text element draws.
const maxTextRunes = 100000

// glyphs adds the squares of a text's lit font pixels to sh: the text
// starts at (x, y) on its baseline, placed by its anchor.
func glyphs(sh *shape, text string, x, y, size float64, anchor string) error {
	if !(size > 0) {
		return nil
	}
	s := size / float64(face.Height)
	n := utf8.RuneCountInString(text)
	adv := float64(face.Advance) * s
	switch anchor {
	case "middle":
		x -= adv * float64(n) / 2
	case "end":
		x -= adv * float64(n)
	}
	pen := x
	for _, r := range text {
		dr, mask, mp, _, _ := face.Glyph(fixed.P(0, 0), r)
		if a, ok := mask.(*image.Alpha); ok {
			for row := 0; row < dr.Dy(); row++ {
				gy := y + float64(dr.Min.Y+row)*s
				col := 0
				for col < dr.Dx() {
					if a.AlphaAt(mp.X+col, mp.Y+row).A == 0 {
						col++
						continue
					}
					start := col
					for col < dr.Dx() && a.AlphaAt(mp.X+col, mp.Y+row).A != 0 {
						col++
					}
					gx := pen + float64(dr.Min.X+start)*s
					w := float64(col-start) * s
					if err := sh.add([]vec{{gx, gy}, {gx + w, gy}, {gx + w, gy + s}, {gx, gy + s}}, true); err != nil {
						return err
					}
				}
			}
		}
		pen += adv
	}
	return nil
}

// textShape is a text element's glyphs on the canvas.
func (d *drawer) textShape(n *node, st state) (*shape, error) {
	text := textContent(n, 4*maxTextRunes)
	if utf8.RuneCountInString(text) > maxTextRunes {
		return nil, &LimitExceeded{fmt.Sprintf("an SVG text has more than %d characters", maxTextRunes)}
	}
	// x and y may be lists (one position per character); the first
	// places the text.
	pos := func(k string, ref float64) float64 {
		first, _, _ := strings.Cut(strings.TrimSpace(strings.ReplaceAll(n.attrs[k], ",", " ")), " ")
		v, _ := length(first, ref, st.fontSize)
		return v
	}
	sh := &shape{m: st.m, max: d.maxPts}
	if err := glyphs(sh, text, pos("x", st.vw), pos("y", st.vh), st.fontSize, st.anchor); err != nil {
		return nil, d.pointsError(err)
	}
	return sh, nil
}

// text draws a text element: its glyphs filled with its fill (text is
// not stroked here).
func (d *drawer) text(n *node, st state) error {
	if !st.visible || st.opacity == 0 || st.fill.kind == paintNone || math.IsNaN(st.fontSize) {
		return nil
	}
	sh, err := d.textShape(n, st)
	if err != nil || len(sh.polys) == 0 {
		return err
	}
	inv, ok := st.m.invert()
	if !ok {
		return nil
	}
	// The gradient box is the glyphs' box in user space.
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range sh.polys {
		for _, v := range p {
			u := inv.vec(v)
			b.x0, b.x1 = math.Min(b.x0, u.x), math.Max(b.x1, u.x)
			b.y0, b.y1 = math.Min(b.y0, u.y), math.Max(b.y1, u.y)
		}
	}
	src, ok := d.source(st.fill, st, b, st.fillOpacity*st.opacity)
	if !ok {
		return nil
	}
	return d.paintShape(sh.polys, false, src, st.clip)
}
