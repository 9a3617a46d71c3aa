package libsvg

import (
	"math"
	"strings"
)

// source is what a shape is painted with: one color or a gradient, as
// premultiplied RGBA (0 to 1) with the opacity folded in. Gradient colors
// are interpolated between the stops with straight alpha, then
// premultiplied, as cairo and librsvg do.
type source struct {
	c      [4]float32 // a uniform color
	grad   bool
	radial bool
	inv    matrix // canvas to gradient space
	p1, p2 vec    // linear: from p1 (t=0) to p2 (t=1)
	c0     vec    // radial: the center
	r      float64
	spread string
	lut    *[256][4]float32
}

func premul(c rgba, alpha float64) [4]float32 {
	a := c.a * alpha
	return [4]float32{float32(c.r * a), float32(c.g * a), float32(c.b * a), float32(a)}
}

// at is the source's color at the center of pixel (x, y).
func (s *source) at(x, y int) [4]float32 {
	if !s.grad {
		return s.c
	}
	g := s.inv.vec(vec{float64(x) + 0.5, float64(y) + 0.5})
	var t float64
	if s.radial {
		t = g.sub(s.c0).len() / s.r
	} else {
		d := s.p2.sub(s.p1)
		t = g.sub(s.p1).dot(d) / d.dot(d)
	}
	switch s.spread {
	case "reflect":
		t = math.Mod(math.Abs(t), 2)
		if t > 1 {
			t = 2 - t
		}
	case "repeat":
		t -= math.Floor(t)
	}
	t = clamp01(t)
	return s.lut[int(t*255+0.5)]
}

// source resolves a paint for a shape whose user-space bounds are bbox;
// ok is false when nothing is to be painted.
func (d *drawer) source(p paint, st state, bbox box, alpha float64) (*source, bool) {
	switch p.kind {
	case paintNone:
		return nil, false
	case paintColor:
		return &source{c: premul(p.c, alpha)}, p.c.a*alpha > 0
	case paintCurrent:
		return &source{c: premul(st.color, alpha)}, st.color.a*alpha > 0
	}
	n := d.ids[p.url]
	if n == nil || n.tag != "linearGradient" && n.tag != "radialGradient" {
		if p.fallback != nil {
			return d.source(*p.fallback, st, bbox, alpha)
		}
		return nil, false
	}
	return d.gradient(n, st, bbox, alpha)
}

// gradAttr is a gradient's attribute, looked up through the gradients
// its href names.
func (d *drawer) gradAttr(n *node, k string) (string, bool) {
	for range 8 {
		if v, ok := n.attrs[k]; ok {
			return v, true
		}
		id, ok := strings.CutPrefix(n.attrs["href"], "#")
		next := d.ids[id]
		if !ok || next == nil || next.tag != "linearGradient" && next.tag != "radialGradient" {
			return "", false
		}
		n = next
	}
	return "", false
}

type stop struct {
	off float64
	c   rgba
}

// stops are a gradient's stops, its own or those of the gradient its
// href names.
func (d *drawer) stops(n *node, st state) []stop {
	for range 8 {
		var out []stop
		for _, k := range n.kids {
			if k.tag != "stop" {
				continue
			}
			style := styleDecls(k.attrs["style"])
			off := 0.0
			if v, ok := k.attrs["offset"]; ok {
				pct := strings.HasSuffix(strings.TrimSpace(v), "%")
				if f, ok := parseFloat(strings.TrimSuffix(strings.TrimSpace(v), "%")); ok {
					if pct {
						f /= 100
					}
					off = clamp01(f)
				}
			}
			if len(out) > 0 && off < out[len(out)-1].off {
				off = out[len(out)-1].off
			}
			c := rgba{0, 0, 0, 1}
			if v, ok := k.prop("stop-color", style); ok {
				if v == "currentColor" {
					c = st.color
				} else if pc, ok := parseColor(v); ok {
					c = pc
				}
			}
			if v, ok := k.prop("stop-opacity", style); ok {
				if f, ok := parseFloat(v); ok {
					c.a *= clamp01(f)
				}
			}
			out = append(out, stop{off, c})
		}
		if len(out) > 0 {
			return out
		}
		id, ok := strings.CutPrefix(n.attrs["href"], "#")
		next := d.ids[id]
		if !ok || next == nil {
			return nil
		}
		n = next
	}
	return nil
}

func (d *drawer) gradient(n *node, st state, bbox box, alpha float64) (*source, bool) {
	stops := d.stops(n, st)
	if len(stops) == 0 {
		return nil, false
	}
	s := &source{grad: true, radial: n.tag == "radialGradient", lut: new([256][4]float32)}
	s.spread, _ = d.gradAttr(n, "spreadMethod")
	units, _ := d.gradAttr(n, "gradientUnits")
	obb := units != "userSpaceOnUse"
	m := st.m
	if obb {
		w, h := bbox.x1-bbox.x0, bbox.y1-bbox.y0
		if !(w > 0 && h > 0) {
			return nil, false // no box to fit the gradient to: not painted
		}
		m = m.mul(translate(bbox.x0, bbox.y0)).mul(scaling(w, h))
	}
	if t, ok := d.gradAttr(n, "gradientTransform"); ok {
		if gt, ok := parseTransform(t); ok {
			m = m.mul(gt)
		}
	}
	inv, ok := m.invert()
	if !ok {
		return nil, false
	}
	s.inv = inv
	// A coordinate: a fraction of the box (numbers or percentages) with
	// objectBoundingBox units, a length in user space otherwise.
	coord := func(k, def string, ref float64) float64 {
		v, ok := d.gradAttr(n, k)
		if !ok {
			v = def
		}
		v = strings.TrimSpace(v)
		if obb {
			if p, ok := strings.CutSuffix(v, "%"); ok {
				f, _ := parseFloat(p)
				return f / 100
			}
			f, _ := parseFloat(v)
			return f
		}
		f, _ := length(v, ref, st.fontSize)
		return f
	}
	diag := math.Hypot(st.vw, st.vh) / math.Sqrt2
	if s.radial {
		s.c0 = vec{coord("cx", "50%", st.vw), coord("cy", "50%", st.vh)}
		s.r = coord("r", "50%", diag)
		if !(s.r > 0) {
			return &source{c: premul(stops[len(stops)-1].c, alpha)}, true
		}
	} else {
		s.p1 = vec{coord("x1", "0%", st.vw), coord("y1", "0%", st.vh)}
		s.p2 = vec{coord("x2", "100%", st.vw), coord("y2", "0%", st.vh)}
		if s.p1 == s.p2 {
			return &source{c: premul(stops[len(stops)-1].c, alpha)}, true
		}
	}
	j := 0
	for i := range s.lut {
		t := float64(i) / 255
		for j < len(stops)-1 && stops[j+1].off < t {
			j++
		}
		var c [4]float32
		switch {
		case t <= stops[0].off:
			c = premul(stops[0].c, alpha)
		case j >= len(stops)-1:
			c = premul(stops[len(stops)-1].c, alpha)
		default:
			a, b := stops[j], stops[j+1]
			f := float32(0)
			if b.off > a.off {
				f = float32((t - a.off) / (b.off - a.off))
			}
			ff := float64(f)
			mix := rgba{a.c.r + (b.c.r-a.c.r)*ff, a.c.g + (b.c.g-a.c.g)*ff, a.c.b + (b.c.b-a.c.b)*ff, a.c.a + (b.c.a-a.c.a)*ff}
			c = premul(mix, alpha)
		}
		s.lut[i] = c
	}
	return s, true
}
