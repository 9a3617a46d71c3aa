package libsvg

import (
	"fmt"
	"image"
	"math"
	"strings"

	"nodetool/lang/pyval"
	"nodetool/nodes/bounded"
	"nodetool/nodes/media"
)

// What the renderer draws (see Rasterize).
const (
	// maxUseDepth bounds <use> references followed one inside another.
	maxUseDepth = 16
	// maxClipDepth bounds clip paths applied one inside another.
	maxClipDepth = 8
	// workFactor: the pixels all shapes touch together are at most this
	// many times the max-value budget (in pixels).
	workFactor = 128
	// maxDraws bounds the elements drawn, <use> copies included.
	maxDraws = 2 * MaxNodes
)

// Rasterize draws an SVG document on a transparent w x h canvas, its
// viewBox fitted to the canvas (preserveAspectRatio, default xMidYMid
// meet). It draws rect, circle, ellipse, line, polyline, polygon, path
// (all commands, arcs included), text (one embedded 7x13 bitmap font
// scaled to the font size; tspan text joins its text, tspan positions
// are not applied), g, nested svg, use and symbol; fill and stroke with
// colors, linear and radial gradients (objectBoundingBox and
// userSpaceOnUse units, gradientTransform, pad/reflect/repeat;
// radial gradients from the center: fx/fy are ignored), fill-rule and
// clip-rule, opacity, fill-opacity and stroke-opacity, stroke-width,
// stroke-linecap, stroke-linejoin, stroke-miterlimit, transforms,
// display and visibility, clip-path (userSpaceOnUse clip paths). It does
// not apply filters, masks, patterns, markers, dashes, images or CSS
// style sheets; group opacity is applied to each child on its own.
//
// The canvas is counted against max-value before it is made, and the
// clip masks in use together too (a byte a pixel each); the points of one
// shape are bounded by max-value/32, the pixels all shapes touch together
// by 32 x max-value (max-value/4 pixels, 128 times over) and the elements
// drawn by maxDraws, so no document makes it work without bound.
func Rasterize(b pyval.Budget, doc []byte, w, h int) (*image.RGBA, error) {
	if err := media.CheckPixels(b, w, h, 4); err != nil {
		return nil, err
	}
	root, err := parseDoc(b, doc)
	if err != nil {
		return nil, err
	}
	d := &drawer{b: b, w: w, h: h, img: image.NewRGBA(image.Rect(0, 0, w, h)), ids: map[string]*node{},
		maxWork: bounded.MulSize(b.MaxValue()/4, workFactor), maxPts: int(max(1024, min(b.MaxValue()/32, 1<<24)))}
	d.index(root)
	st := state{fill: paint{kind: paintColor, c: rgba{0, 0, 0, 1}}, fillOpacity: 1, strokeOpacity: 1, opacity: 1,
		strokeWidth: 1, miterLimit: 4, lineCap: "butt", lineJoin: "miter", fontSize: 16, anchor: "start",
		color: rgba{0, 0, 0, 1}, visible: true, m: identity}
	vw, vh := float64(w), float64(h)
	if v, ok := length(root.attrs["width"], vw, 16); ok && v > 0 {
		vw = v
	}
	if v, ok := length(root.attrs["height"], vh, 16); ok && v > 0 {
		vh = v
	}
	st.vw, st.vh = vw, vh
	if m, bw, bh, ok := viewBox(root, float64(w), float64(h)); ok {
		st.m, st.vw, st.vh = m, bw, bh
	} else {
		st.m = scaling(float64(w)/vw, float64(h)/vh)
	}
	if err := d.group(root, st); err != nil {
		return nil, err
	}
	return d.img, nil
}

// viewBox is the transform fitting an element's viewBox into a w x h
// viewport as its preserveAspectRatio asks, and the viewBox's size.
func viewBox(n *node, w, h float64) (matrix, float64, float64, bool) {
	vb := numbers(n.attrs["viewBox"], 4)
	if len(vb) != 4 || !(vb[2] > 0) || !(vb[3] > 0) {
		return identity, 0, 0, false
	}
	sx, sy := w/vb[2], h/vb[3]
	par := strings.Fields(n.attrs["preserveAspectRatio"])
	align, slice := "xMidYMid", false
	if len(par) > 0 {
		align = par[0]
	}
	if len(par) > 1 && par[1] == "slice" {
		slice = true
	}
	if align == "none" {
		return scaling(sx, sy).mul(translate(-vb[0], -vb[1])), vb[2], vb[3], true
	}
	s := math.Min(sx, sy)
	if slice {
		s = math.Max(sx, sy)
	}
	tx, ty := 0.0, 0.0
	switch {
	case strings.Contains(align, "xMid"):
		tx = (w - vb[2]*s) / 2
	case strings.Contains(align, "xMax"):
		tx = w - vb[2]*s
	}
	switch {
	case strings.Contains(align, "YMid"):
		ty = (h - vb[3]*s) / 2
	case strings.Contains(align, "YMax"):
		ty = h - vb[3]*s
	}
	return translate(tx, ty).mul(scaling(s, s)).mul(translate(-vb[0], -vb[1])), vb[2], vb[3], true
}

type paintKind uint8

const (
	paintNone paintKind = iota
	paintColor
	paintURL
	paintCurrent
)

type paint struct {
	kind     paintKind
	c        rgba
	url      string
	fallback *paint
}

// parsePaint reads a fill or stroke value; ok is false for one it cannot
// read (the inherited value stays).
func parsePaint(s string) (paint, bool) {
	s = strings.TrimSpace(s)
	switch s {
	case "none":
		return paint{kind: paintNone}, true
	case "currentColor", "currentcolor":
		return paint{kind: paintCurrent}, true
	}
	if rest, ok := strings.CutPrefix(s, "url("); ok {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return paint{}, false
		}
		ref := strings.Trim(strings.TrimSpace(rest[:end]), `'"`)
		id, ok := strings.CutPrefix(ref, "#")
		if !ok {
			return paint{}, false
		}
		p := paint{kind: paintURL, url: id}
		if fb := strings.TrimSpace(rest[end+1:]); fb != "" {
			if f, ok := parsePaint(fb); ok && f.kind != paintURL {
				p.fallback = &f
			}
		}
		return p, true
	}
	c, ok := parseColor(s)
	if !ok {
		return paint{}, false
	}
	return paint{kind: paintColor, c: c}, true
}

// state is what an element inherits from its ancestors.
type state struct {
	fill, stroke                        paint
	fillOpacity, strokeOpacity, opacity float64
	fillRule, clipRule                  string
	strokeWidth, miterLimit             float64
	lineCap, lineJoin                   string
	fontSize                            float64
	anchor                              string
	color                               rgba
	visible                             bool
	vw, vh                              float64 // the viewport, for percentages
	m                                   matrix
	clip                                []uint8 // canvas coverage the element is clipped to; nil: none
	clipDepth                           int
}

type drawer struct {
	b       pyval.Budget
	w, h    int
	img     *image.RGBA
	ids     map[string]*node
	ras     raster
	cov     []uint8
	buf     []vec
	work    int64
	maxWork int64
	maxPts  int
	uses    int
	draws   int
	masks   int64 // bytes of the clip masks in use
}

// index records the elements that have an id (the first of each id).
func (d *drawer) index(n *node) {
	if id, ok := n.attrs["id"]; ok {
		if _, dup := d.ids[id]; !dup {
			d.ids[id] = n
		}
	}
	for _, k := range n.kids {
		d.index(k)
	}
}

// styled returns the state of element n: st with n's presentation
// attributes and style declarations applied and its transform added.
// ok is false when n is not displayed.
func (d *drawer) styled(n *node, st state) (state, bool) {
	style := styleDecls(n.attrs["style"])
	get := func(k string) (string, bool) {
		v, ok := n.prop(k, style)
		if ok && v == "inherit" {
			return "", false
		}
		return v, ok
	}
	if v, ok := get("display"); ok && v == "none" {
		return st, false
	}
	if v, ok := get("color"); ok {
		if c, ok := parseColor(v); ok {
			st.color = c
		}
	}
	if v, ok := get("fill"); ok {
		if p, ok := parsePaint(v); ok {
			st.fill = p
		}
	}
	if v, ok := get("stroke"); ok {
		if p, ok := parsePaint(v); ok {
			st.stroke = p
		}
	}
	opacity := func(k string, into *float64) {
		if v, ok := get(k); ok {
			pct := strings.HasSuffix(v, "%")
			if f, ok := parseFloat(strings.TrimSuffix(v, "%")); ok {
				if pct {
					f /= 100
				}
				*into = clamp01(f)
			}
		}
	}
	opacity("fill-opacity", &st.fillOpacity)
	opacity("stroke-opacity", &st.strokeOpacity)
	op := 1.0
	opacity("opacity", &op)
	st.opacity *= op
	if v, ok := get("fill-rule"); ok && (v == "evenodd" || v == "nonzero") {
		st.fillRule = v
	}
	if v, ok := get("clip-rule"); ok && (v == "evenodd" || v == "nonzero") {
		st.clipRule = v
	}
	if v, ok := get("font-size"); ok {
		if f, ok := length(v, st.fontSize, st.fontSize); ok && f >= 0 {
			st.fontSize = f
		}
	}
	diag := math.Hypot(st.vw, st.vh) / math.Sqrt2
	if v, ok := get("stroke-width"); ok {
		if f, ok := length(v, diag, st.fontSize); ok && f >= 0 {
			st.strokeWidth = f
		}
	}
	if v, ok := get("stroke-miterlimit"); ok {
		if f, ok := parseFloat(v); ok && f >= 1 {
			st.miterLimit = f
		}
	}
	if v, ok := get("stroke-linecap"); ok && (v == "butt" || v == "round" || v == "square") {
		st.lineCap = v
	}
	if v, ok := get("stroke-linejoin"); ok && (v == "miter" || v == "round" || v == "bevel" || v == "miter-clip" || v == "arcs") {
		st.lineJoin = v
	}
	if v, ok := get("text-anchor"); ok && (v == "start" || v == "middle" || v == "end") {
		st.anchor = v
	}
	if v, ok := get("visibility"); ok {
		st.visible = v != "hidden" && v != "collapse"
	}
	if t, ok := n.attrs["transform"]; ok {
		if m, ok := parseTransform(t); ok {
			st.m = st.m.mul(m)
		}
	}
	return st, true
}

// draw draws element n and its children.
func (d *drawer) draw(n *node, parent state) error {
	if err := d.b.Tick(); err != nil {
		return err
	}
	if d.draws++; d.draws > maxDraws {
		return &LimitExceeded{fmt.Sprintf("the SVG draws more than %d elements (<use> copies included)", maxDraws)}
	}
	switch n.tag {
	case "g", "a", "switch", "svg", "use", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text":
	default:
		return nil // definitions (defs, clipPath, gradients, symbol...) and what is not drawn
	}
	st, ok := d.styled(n, parent)
	if !ok {
		return nil
	}
	masks := d.masks
	defer func() { d.masks = masks }()
	if err := d.clipTo(n, &st); err != nil {
		return err
	}
	switch n.tag {
	case "g", "a", "switch":
		return d.group(n, st)
	case "svg":
		x, _ := length(n.attrs["x"], st.vw, st.fontSize)
		y, _ := length(n.attrs["y"], st.vh, st.fontSize)
		w, okW := length(n.attrs["width"], st.vw, st.fontSize)
		h, okH := length(n.attrs["height"], st.vh, st.fontSize)
		if !okW {
			w = st.vw
		}
		if !okH {
			h = st.vh
		}
		st.m = st.m.mul(translate(x, y))
		if m, bw, bh, ok := viewBox(n, w, h); ok {
			st.m, st.vw, st.vh = st.m.mul(m), bw, bh
		} else {
			st.vw, st.vh = w, h
		}
		return d.group(n, st)
	case "use":
		return d.use(n, st)
	case "text":
		return d.text(n, st)
	}
	p, err := d.outline(n, st)
	if err != nil || p == nil {
		return err
	}
	return d.paintPath(n, p, st)
}

func (d *drawer) group(n *node, st state) error {
	for _, k := range n.kids {
		if err := d.draw(k, st); err != nil {
			return err
		}
	}
	return nil
}

// use draws the element a <use> references, moved by its x and y.
func (d *drawer) use(n *node, st state) error {
	ref := n.attrs["href"]
	id, ok := strings.CutPrefix(strings.TrimSpace(ref), "#")
	target := d.ids[id]
	if !ok || target == nil {
		return nil
	}
	if d.uses >= maxUseDepth {
		return nil // a reference cycle, or too deep
	}
	x, _ := length(n.attrs["x"], st.vw, st.fontSize)
	y, _ := length(n.attrs["y"], st.vh, st.fontSize)
	st.m = st.m.mul(translate(x, y))
	d.uses++
	defer func() { d.uses-- }()
	if target.tag == "symbol" {
		sst, ok := d.styled(target, st)
		if !ok {
			return nil
		}
		return d.group(target, sst)
	}
	return d.draw(target, st)
}

// outline is a basic shape's or path's outline in user space; nil when
// it has none (a zero size, a bad value).
func (d *drawer) outline(n *node, st state) (*path, error) {
	l := func(k string, ref float64) float64 {
		v, _ := length(n.attrs[k], ref, st.fontSize)
		return v
	}
	diag := math.Hypot(st.vw, st.vh) / math.Sqrt2
	p := &path{max: d.maxPts}
	var err error
	switch n.tag {
	case "rect":
		x, y, w, h := l("x", st.vw), l("y", st.vh), l("width", st.vw), l("height", st.vh)
		if !(w > 0 && h > 0) {
			return nil, nil
		}
		rx, okx := length(n.attrs["rx"], st.vw, st.fontSize)
		ry, oky := length(n.attrs["ry"], st.vh, st.fontSize)
		if !okx || rx < 0 {
			rx, okx = 0, false
		}
		if !oky || ry < 0 {
			ry, oky = 0, false
		}
		if okx && !oky {
			ry = rx
		} else if oky && !okx {
			rx = ry
		}
		rx, ry = math.Min(rx, w/2), math.Min(ry, h/2)
		if rx == 0 || ry == 0 {
			err = firstErr(p.moveTo(vec{x, y}), p.lineTo(vec{x + w, y}), p.lineTo(vec{x + w, y + h}), p.lineTo(vec{x, y + h}), p.close())
			break
		}
		err = firstErr(p.moveTo(vec{x + rx, y}), p.lineTo(vec{x + w - rx, y}),
			p.arcTo(rx, ry, 0, false, true, vec{x + w, y + ry}), p.lineTo(vec{x + w, y + h - ry}),
			p.arcTo(rx, ry, 0, false, true, vec{x + w - rx, y + h}), p.lineTo(vec{x + rx, y + h}),
			p.arcTo(rx, ry, 0, false, true, vec{x, y + h - ry}), p.lineTo(vec{x, y + ry}),
			p.arcTo(rx, ry, 0, false, true, vec{x + rx, y}), p.close())
	case "circle", "ellipse":
		cx, cy := l("cx", st.vw), l("cy", st.vh)
		var rx, ry float64
		if n.tag == "circle" {
			rx = l("r", diag)
			ry = rx
		} else {
			rx, ry = l("rx", st.vw), l("ry", st.vh)
		}
		if !(rx > 0 && ry > 0) {
			return nil, nil
		}
		err = firstErr(p.moveTo(vec{cx + rx, cy}), p.arcTo(rx, ry, 0, false, true, vec{cx - rx, cy}),
			p.arcTo(rx, ry, 0, false, true, vec{cx + rx, cy}), p.close())
	case "line":
		err = firstErr(p.moveTo(vec{l("x1", st.vw), l("y1", st.vh)}), p.lineTo(vec{l("x2", st.vw), l("y2", st.vh)}))
	case "polyline", "polygon":
		pts := numbers(n.attrs["points"], 2*d.maxPts+2)
		if len(pts) < 4 {
			return nil, nil
		}
		err = p.moveTo(vec{pts[0], pts[1]})
		for i := 2; i+1 < len(pts) && err == nil; i += 2 {
			err = p.lineTo(vec{pts[i], pts[i+1]})
		}
		if err == nil && n.tag == "polygon" {
			err = p.close()
		}
	case "path":
		p, err = parsePath(n.attrs["d"], d.maxPts/4)
	}
	if err != nil {
		return nil, d.pointsError(err)
	}
	return p, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (d *drawer) pointsError(err error) error {
	if err == errTooManySegments {
		return &LimitExceeded{fmt.Sprintf("an SVG shape has more than %d points (or %d path commands)", d.maxPts, d.maxPts/4)}
	}
	return err
}

// tolerance is how far (in user units) a flattened curve may stray from
// the true one: a fifth of a pixel on the canvas.
func tolerance(m matrix) float64 {
	s := m.scale()
	if !(s > 0) || math.IsInf(s, 0) {
		return 0
	}
	return 0.2 / s
}

// paintPath fills then strokes an outline.
func (d *drawer) paintPath(n *node, p *path, st state) error {
	if !st.visible || st.opacity == 0 {
		return nil
	}
	tol := tolerance(st.m)
	if tol == 0 {
		return nil
	}
	lines, err := p.flatten(tol, d.maxPts)
	if err != nil {
		return d.pointsError(err)
	}
	bbox := userBounds(lines)
	if st.fill.kind != paintNone && n.tag != "line" {
		src, ok := d.source(st.fill, st, bbox, st.fillOpacity*st.opacity)
		if ok {
			sh := &shape{m: st.m, max: d.maxPts}
			if err := sh.fill(lines); err != nil {
				return d.pointsError(err)
			}
			if err := d.paintShape(sh.polys, st.fillRule == "evenodd", src, st.clip); err != nil {
				return err
			}
		}
	}
	if st.stroke.kind != paintNone && st.strokeWidth > 0 {
		src, ok := d.source(st.stroke, st, bbox, st.strokeOpacity*st.opacity)
		if ok {
			sh := &shape{m: st.m, max: d.maxPts}
			if err := sh.stroke(lines, strokeStyle{width: st.strokeWidth, cap: st.lineCap, join: st.lineJoin, miterLimit: st.miterLimit}); err != nil {
				return d.pointsError(err)
			}
			if err := d.paintShape(sh.polys, false, src, st.clip); err != nil {
				return err
			}
		}
	}
	return nil
}

// box is a box in user space.
type box struct{ x0, y0, x1, y1 float64 }

func userBounds(lines []polyline) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, l := range lines {
		for _, p := range l.pts {
			b.x0, b.x1 = math.Min(b.x0, p.x), math.Max(b.x1, p.x)
			b.y0, b.y1 = math.Min(b.y0, p.y), math.Max(b.y1, p.y)
		}
	}
	return b
}

// cover rasterises polygons on the canvas and calls fn with each covered
// row of the window they touch (coverage 0-255, x from win.Min.X).
func (d *drawer) cover(polys [][]vec, evenOdd bool, fn func(win image.Rectangle, y int, cov []uint8)) error {
	win := bounds(polys).Intersect(image.Rect(0, 0, d.w, d.h))
	if win.Empty() {
		return nil
	}
	area := int64(win.Dx()) * int64(win.Dy())
	if d.work += area; d.maxWork >= 0 && d.work > d.maxWork {
		return &LimitExceeded{fmt.Sprintf("drawing the SVG touches more than %d pixels (%d times max-value's worth)", d.maxWork, workFactor)}
	}
	if err := d.b.Check(); err != nil {
		return err
	}
	d.ras.reset(win.Dx(), win.Dy())
	x0, y0 := float64(win.Min.X), float64(win.Min.Y)
	x1, y1 := float64(win.Max.X), float64(win.Max.Y)
	for _, p := range polys {
		if err := d.b.Tick(); err != nil {
			return err
		}
		c := clipPoly(p, x0, y0, x1, y1, d.buf)
		for i := range c {
			a, b := c[i], c[(i+1)%len(c)]
			d.ras.line(a.x-x0, a.y-y0, b.x-x0, b.y-y0)
		}
		if cap(c) > cap(d.buf) {
			d.buf = c
		}
	}
	if cap(d.cov) < win.Dx() {
		d.cov = make([]uint8, win.Dx())
	}
	var err error
	d.ras.rows(evenOdd, d.cov, func(y int, cov []uint8) bool {
		if y%64 == 63 {
			if err = d.b.Check(); err != nil {
				return false
			}
		}
		fn(win, win.Min.Y+y, cov)
		return true
	})
	return err
}

// paintShape composites src over the canvas through the polygons'
// coverage (and the clip, if any).
func (d *drawer) paintShape(polys [][]vec, evenOdd bool, src *source, clip []uint8) error {
	solid := [4]uint8{uint8(src.c[0]*255 + 0.5), uint8(src.c[1]*255 + 0.5), uint8(src.c[2]*255 + 0.5), 255}
	opaque := !src.grad && src.c[3] == 1
	return d.cover(polys, evenOdd, func(win image.Rectangle, y int, cov []uint8) {
		row := d.img.Pix[y*d.img.Stride+4*win.Min.X : y*d.img.Stride+4*win.Max.X]
		var clipRow []uint8
		if clip != nil {
			clipRow = clip[y*d.w+win.Min.X : y*d.w+win.Max.X]
		}
		s := src.c
		for i, c := range cov {
			if c == 0 {
				continue
			}
			px := row[4*i : 4*i+4 : 4*i+4]
			if c == 255 && opaque && clipRow == nil {
				px[0], px[1], px[2], px[3] = solid[0], solid[1], solid[2], solid[3]
				continue
			}
			a := float32(c) * (1.0 / 255)
			if clipRow != nil {
				if a *= float32(clipRow[i]) * (1.0 / 255); a == 0 {
					continue
				}
			}
			if src.grad {
				s = src.at(win.Min.X+i, y)
			}
			sa := s[3] * a
			if sa <= 0 {
				continue
			}
			// Source over, premultiplied: at most 255.5, so the
			// conversions cannot overflow.
			inv := 1 - sa
			a *= 255
			px[0] = uint8(s[0]*a + float32(px[0])*inv + 0.5)
			px[1] = uint8(s[1]*a + float32(px[1])*inv + 0.5)
			px[2] = uint8(s[2]*a + float32(px[2])*inv + 0.5)
			px[3] = uint8(sa*255 + float32(px[3])*inv + 0.5)
		}
	})
}
