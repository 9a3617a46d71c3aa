package libsvg

import (
	"errors"
	"math"
)

type vec struct{ x, y float64 }

func (a vec) add(b vec) vec       { return vec{a.x + b.x, a.y + b.y} }
func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y} }
func (a vec) mul(f float64) vec   { return vec{a.x * f, a.y * f} }
func (a vec) dot(b vec) float64   { return a.x*b.x + a.y*b.y }
func (a vec) cross(b vec) float64 { return a.x*b.y - a.y*b.x }
func (a vec) len() float64        { return math.Hypot(a.x, a.y) }

func (m matrix) vec(p vec) vec {
	x, y := m.apply(p.x, p.y)
	return vec{x, y}
}

type segKind uint8

const (
	segMove segKind = iota
	segLine
	segQuad
	segCubic
	segClose
)

// seg is one path command in absolute user coordinates: the points are
// the control points then the end point.
type seg struct {
	kind segKind
	p    [3]vec
}

// path is a shape's outline as path commands.
type path struct {
	segs  []seg
	max   int // most segments allowed
	start vec // the current subpath's start
	cur   vec
	open  bool // a subpath is started
}

// errTooManySegments is the error of a path over its segment bound.
var errTooManySegments = errors.New("too many path segments")

func (p *path) push(s seg) error {
	if len(p.segs) >= p.max {
		return errTooManySegments
	}
	p.segs = append(p.segs, s)
	return nil
}

func (p *path) moveTo(a vec) error {
	p.start, p.cur, p.open = a, a, true
	return p.push(seg{kind: segMove, p: [3]vec{a}})
}

// ensure starts a subpath at the current point when a drawing command
// comes after a close path.
func (p *path) ensure() error {
	if !p.open {
		return p.moveTo(p.cur)
	}
	return nil
}

func (p *path) lineTo(a vec) error {
	if err := p.ensure(); err != nil {
		return err
	}
	p.cur = a
	return p.push(seg{kind: segLine, p: [3]vec{a}})
}

func (p *path) quadTo(c, a vec) error {
	if err := p.ensure(); err != nil {
		return err
	}
	p.cur = a
	return p.push(seg{kind: segQuad, p: [3]vec{c, a}})
}

func (p *path) cubicTo(c1, c2, a vec) error {
	if err := p.ensure(); err != nil {
		return err
	}
	p.cur = a
	return p.push(seg{kind: segCubic, p: [3]vec{c1, c2, a}})
}

func (p *path) close() error {
	if !p.open {
		return nil
	}
	p.cur, p.open = p.start, false
	return p.push(seg{kind: segClose})
}

// arcTo adds an elliptical arc from the current point to a as cubic
// curves (the endpoint-to-center conversion of SVG's implementation
// notes, F.6.5 and F.6.6), each at most a quarter turn.
func (p *path) arcTo(rx, ry, phi float64, large, sweep bool, a vec) error {
	p0 := p.cur
	if p0 == a {
		return nil
	}
	rx, ry = math.Abs(rx), math.Abs(ry)
	if rx == 0 || ry == 0 {
		return p.lineTo(a)
	}
	sin, cos := math.Sincos(phi * math.Pi / 180)
	dx, dy := (p0.x-a.x)/2, (p0.y-a.y)/2
	x1 := cos*dx + sin*dy
	y1 := -sin*dx + cos*dy
	if l := x1*x1/(rx*rx) + y1*y1/(ry*ry); l > 1 {
		l = math.Sqrt(l)
		rx, ry = rx*l, ry*l
	}
	num := rx*rx*ry*ry - rx*rx*y1*y1 - ry*ry*x1*x1
	den := rx*rx*y1*y1 + ry*ry*x1*x1
	f := 0.0
	if den != 0 && num > 0 {
		f = math.Sqrt(num / den)
	}
	if large == sweep {
		f = -f
	}
	cx1, cy1 := f*rx*y1/ry, -f*ry*x1/rx
	cx := cos*cx1 - sin*cy1 + (p0.x+a.x)/2
	cy := sin*cx1 + cos*cy1 + (p0.y+a.y)/2
	angle := func(ux, uy, vx, vy float64) float64 {
		return math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
	}
	ux, uy := (x1-cx1)/rx, (y1-cy1)/ry
	vx, vy := (-x1-cx1)/rx, (-y1-cy1)/ry
	t1 := angle(1, 0, ux, uy)
	dt := angle(ux, uy, vx, vy)
	if !sweep && dt > 0 {
		dt -= 2 * math.Pi
	} else if sweep && dt < 0 {
		dt += 2 * math.Pi
	}
	if math.IsNaN(dt) || math.IsNaN(t1) {
		return p.lineTo(a)
	}
	n := int(math.Ceil(math.Abs(dt) / (math.Pi / 2)))
	n = max(1, min(n, 4))
	step := dt / float64(n)
	k := 4.0 / 3 * math.Tan(step/4)
	pt := func(t float64) (vec, vec) { // the point at t and its derivative
		st, ct := math.Sincos(t)
		x, y := rx*ct, ry*st
		ddx, ddy := -rx*st, ry*ct
		return vec{cos*x - sin*y + cx, sin*x + cos*y + cy}, vec{cos*ddx - sin*ddy, sin*ddx + cos*ddy}
	}
	t := t1
	from, d0 := pt(t)
	for i := range n {
		t += step
		to, d1 := pt(t)
		if i == n-1 {
			to = a
		}
		if err := p.cubicTo(from.add(d0.mul(k)), to.sub(d1.mul(k)), to); err != nil {
			return err
		}
		from, d0 = to, d1
	}
	return nil
}

// parsePath reads SVG path data (M L H V C S Q T A Z, absolute and
// relative). As SVG asks, an error ends the path: what came before it is
// drawn. err is errTooManySegments when the path is over its bound.
func parsePath(d string, maxSegs int) (*path, error) {
	p := &path{max: maxSegs}
	s := scanner{s: d}
	var cmd byte
	var lastCtrl vec // the last control point, for S and T
	var lastKind byte
	for {
		s.skip()
		if s.i >= len(s.s) {
			return p, nil
		}
		c := s.s[s.i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			cmd = c
			s.i++
		} else if cmd == 0 {
			return p, nil // data must start with a command
		} else if cmd == 'M' || cmd == 'm' {
			cmd -= 'M' - 'L' // numbers after a moveto are linetos
		} else if cmd == 'Z' || cmd == 'z' {
			return p, nil
		}
		rel := cmd >= 'a'
		base := vec{}
		if rel {
			base = p.cur
		}
		num := func() (float64, bool) { return s.number() }
		pair := func() (vec, bool) {
			x, ok1 := num()
			if !ok1 {
				return vec{}, false
			}
			y, ok2 := num()
			return vec{x, y}.add(base), ok2
		}
		var err error
		ok := true
		upper := cmd &^ 0x20
		switch upper {
		case 'M':
			var a vec
			if a, ok = pair(); ok {
				err = p.moveTo(a)
			}
		case 'L':
			var a vec
			if a, ok = pair(); ok {
				err = p.lineTo(a)
			}
		case 'H':
			var x float64
			if x, ok = num(); ok {
				err = p.lineTo(vec{x + base.x, p.cur.y})
			}
		case 'V':
			var y float64
			if y, ok = num(); ok {
				err = p.lineTo(vec{p.cur.x, y + base.y})
			}
		case 'C':
			c1, ok1 := pair()
			c2, ok2 := pair()
			a, ok3 := pair()
			if ok = ok1 && ok2 && ok3; ok {
				err = p.cubicTo(c1, c2, a)
				lastCtrl = c2
			}
		case 'S':
			c2, ok1 := pair()
			a, ok2 := pair()
			if ok = ok1 && ok2; ok {
				c1 := p.cur
				if lastKind == 'C' || lastKind == 'S' {
					c1 = p.cur.mul(2).sub(lastCtrl)
				}
				err = p.cubicTo(c1, c2, a)
				lastCtrl = c2
			}
		case 'Q':
			c1, ok1 := pair()
			a, ok2 := pair()
			if ok = ok1 && ok2; ok {
				err = p.quadTo(c1, a)
				lastCtrl = c1
			}
		case 'T':
			var a vec
			if a, ok = pair(); ok {
				c1 := p.cur
				if lastKind == 'Q' || lastKind == 'T' {
					c1 = p.cur.mul(2).sub(lastCtrl)
				}
				err = p.quadTo(c1, a)
				lastCtrl = c1
			}
		case 'A':
			rx, ok1 := num()
			ry, ok2 := num()
			phi, ok3 := num()
			large, ok4 := s.flag()
			sweep, ok5 := s.flag()
			a, ok6 := pair()
			if ok = ok1 && ok2 && ok3 && ok4 && ok5 && ok6; ok {
				err = p.arcTo(rx, ry, phi, large, sweep, a)
			}
		case 'Z':
			err = p.close()
		default:
			return p, nil
		}
		if err != nil {
			return p, err
		}
		if !ok {
			return p, nil
		}
		lastKind = upper
	}
}

// polyline is a flattened subpath in user space.
type polyline struct {
	pts    []vec
	closed bool
}

// maxCurveSteps bounds the line segments one curve is cut into.
const maxCurveSteps = 256

// flatten cuts p's curves into line segments no further than tol from
// the curve (in user units) and returns its subpaths. maxPts bounds the
// points made; err is errTooManySegments past it.
func (p *path) flatten(tol float64, maxPts int) ([]polyline, error) {
	var out []polyline
	var cur *polyline
	n := 0
	add := func(v vec) error {
		if n++; n > maxPts {
			return errTooManySegments
		}
		cur.pts = append(cur.pts, v)
		return nil
	}
	steps := func(dd float64) int {
		if !(dd > 0) || !(tol > 0) {
			return 1
		}
		k := math.Ceil(math.Sqrt(dd / (8 * tol)))
		if !(k < maxCurveSteps) {
			return maxCurveSteps
		}
		return max(1, int(k))
	}
	var last vec
	for _, s := range p.segs {
		switch s.kind {
		case segMove:
			out = append(out, polyline{})
			cur = &out[len(out)-1]
			last = s.p[0]
			if err := add(last); err != nil {
				return out, err
			}
		case segLine:
			last = s.p[0]
			if err := add(last); err != nil {
				return out, err
			}
		case segQuad:
			p0, c, p1 := last, s.p[0], s.p[1]
			k := steps(2 * p0.sub(c.mul(2)).add(p1).len())
			for i := 1; i <= k; i++ {
				t := float64(i) / float64(k)
				u := 1 - t
				if err := add(p0.mul(u * u).add(c.mul(2 * u * t)).add(p1.mul(t * t))); err != nil {
					return out, err
				}
			}
			last = p1
		case segCubic:
			p0, c1, c2, p1 := last, s.p[0], s.p[1], s.p[2]
			dd := math.Max(p0.sub(c1.mul(2)).add(c2).len(), c1.sub(c2.mul(2)).add(p1).len())
			k := steps(6 * dd)
			for i := 1; i <= k; i++ {
				t := float64(i) / float64(k)
				u := 1 - t
				v := p0.mul(u * u * u).add(c1.mul(3 * u * u * t)).add(c2.mul(3 * u * t * t)).add(p1.mul(t * t * t))
				if err := add(v); err != nil {
					return out, err
				}
			}
			last = p1
		case segClose:
			if cur != nil {
				cur.closed = true
				if len(cur.pts) > 0 {
					last = cur.pts[0]
				}
			}
		}
	}
	return out, nil
}
