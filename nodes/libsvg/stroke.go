package libsvg

import "math"

// shape collects a shape's polygons on the canvas (device space).
type shape struct {
	m     matrix // user space to canvas
	polys [][]vec
	n     int // points so far
	max   int // most points allowed
}

// add transforms the user-space polygon pts onto the canvas; with orient
// it is made counter-clockwise (positive area), so that the pieces of a
// stroke add up instead of cancelling where they overlap.
func (s *shape) add(pts []vec, orient bool) error {
	if len(pts) < 2 {
		return nil
	}
	if s.n += len(pts); s.n > s.max {
		return errTooManySegments
	}
	out := make([]vec, len(pts))
	area := 0.0
	for i, p := range pts {
		q := s.m.vec(p)
		if math.IsNaN(q.x) || math.IsNaN(q.y) || math.IsInf(q.x, 0) || math.IsInf(q.y, 0) {
			return nil // a shape pushed out of floating point range is not drawn
		}
		out[i] = q
	}
	if orient {
		for i := range out {
			area += out[i].cross(out[(i+1)%len(out)])
		}
		if area < 0 {
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	s.polys = append(s.polys, out)
	return nil
}

// strokeStyle is how a path's outline is drawn.
type strokeStyle struct {
	width      float64 // user units
	cap, join  string  // butt|round|square, miter|round|bevel
	miterLimit float64
}

// stroke adds the outline of the polylines drawn with st: one quad per
// segment, a wedge or disc per join, caps at the ends of open subpaths.
func (s *shape) stroke(lines []polyline, st strokeStyle) error {
	hw := st.width / 2
	if !(hw > 0) {
		return nil
	}
	for _, l := range lines {
		pts := dedupe(l.pts)
		if len(pts) == 1 || len(pts) == 2 && l.closed && pts[0] == pts[1] {
			if err := s.dot(pts[0], hw, st.cap); err != nil {
				return err
			}
			continue
		}
		closed := l.closed
		if closed && len(pts) > 2 && pts[0] == pts[len(pts)-1] {
			pts = pts[:len(pts)-1]
		}
		n := len(pts)
		segs := n - 1
		if closed {
			segs = n
		}
		for i := range segs {
			a, b := pts[i], pts[(i+1)%n]
			d := b.sub(a)
			u := d.mul(1 / d.len())
			if !closed && st.cap == "square" {
				if i == 0 {
					a = a.sub(u.mul(hw))
				}
				if i == segs-1 {
					b = b.add(u.mul(hw))
				}
			}
			nv := vec{-u.y, u.x}.mul(hw)
			if err := s.add([]vec{a.add(nv), b.add(nv), b.sub(nv), a.sub(nv)}, true); err != nil {
				return err
			}
		}
		// Joins at inner vertices, and at every vertex of a closed path.
		for i := range n {
			if !closed && (i == 0 || i == n-1) {
				continue
			}
			prev, v, next := pts[(i+n-1)%n], pts[i], pts[(i+1)%n]
			if err := s.joinAt(prev, v, next, hw, st); err != nil {
				return err
			}
		}
		if !closed && st.cap == "round" {
			if err := s.disc(pts[0], hw); err != nil {
				return err
			}
			if err := s.disc(pts[n-1], hw); err != nil {
				return err
			}
		}
	}
	return nil
}

// dedupe drops consecutive equal points.
func dedupe(pts []vec) []vec {
	out := pts[:0:0]
	for i, p := range pts {
		if i == 0 || p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

func (s *shape) joinAt(prev, v, next vec, hw float64, st strokeStyle) error {
	d1, d2 := v.sub(prev), next.sub(v)
	d1 = d1.mul(1 / d1.len())
	d2 = d2.mul(1 / d2.len())
	cross := d1.cross(d2)
	if math.Abs(cross) < 1e-12 && d1.dot(d2) > 0 {
		return nil // straight on
	}
	if st.join == "round" {
		return s.disc(v, hw)
	}
	// The outer side is away from the turn.
	sign := -1.0
	if cross < 0 {
		sign = 1
	}
	n1 := vec{-d1.y, d1.x}.mul(hw * sign)
	n2 := vec{-d2.y, d2.x}.mul(hw * sign)
	a, b := v.add(n1), v.add(n2)
	if st.join != "bevel" {
		// The miter's length over the stroke width is 1/sin(θ/2), θ the
		// angle between the segments.
		cosT := -d1.dot(d2)
		sinHalf := math.Sqrt(math.Max(0, (1-cosT)/2))
		if sinHalf > 0 && 1/sinHalf <= st.miterLimit {
			bis := n1.add(n2)
			if l := bis.len(); l > 0 {
				tip := v.add(bis.mul(hw / sinHalf / l))
				return s.add([]vec{v, a, tip, b}, true)
			}
		}
	}
	return s.add([]vec{v, a, b}, true)
}

// disc adds a circle of radius r around c, with enough sides to look
// round on the canvas.
func (s *shape) disc(c vec, r float64) error {
	dev := r * s.m.scale()
	n := int(math.Ceil(5 * math.Sqrt(dev)))
	n = max(8, min(n, 256))
	pts := make([]vec, n)
	for i := range n {
		sn, cs := math.Sincos(2 * math.Pi * float64(i) / float64(n))
		pts[i] = vec{c.x + r*cs, c.y + r*sn}
	}
	return s.add(pts, true)
}

// dot is a zero-length subpath's stroke: a disc for round caps, a square
// for square caps, nothing for butt.
func (s *shape) dot(c vec, hw float64, capStyle string) error {
	switch capStyle {
	case "round":
		return s.disc(c, hw)
	case "square":
		return s.add([]vec{{c.x - hw, c.y - hw}, {c.x + hw, c.y - hw}, {c.x + hw, c.y + hw}, {c.x - hw, c.y + hw}}, true)
	}
	return nil
}

// fill adds the closed polygons of the polylines (their winding kept, for
// the fill rule).
func (s *shape) fill(lines []polyline) error {
	for _, l := range lines {
		if err := s.add(l.pts, false); err != nil {
			return err
		}
	}
	return nil
}
