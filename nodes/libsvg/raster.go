package libsvg

import (
	"image"
	"math"
)

// raster is an anti-aliasing scan converter: each polygon edge adds the
// signed area it covers to an accumulation buffer (the approach of
// font-rs and x/image/vector), and a running sum along each row gives
// every pixel's winding coverage. Edges must lie inside the buffer's
// w x h (clip polygons to it first).
type raster struct {
	w, h  int
	acc   []float32
	dirty bool // acc may hold values (rows did not run to the end)
}

func (r *raster) reset(w, h int) {
	r.w, r.h = w, h
	n := (w + 2) * h
	if cap(r.acc) < n {
		r.acc = make([]float32, n)
	} else {
		r.acc = r.acc[:n]
		if r.dirty {
			clear(r.acc)
		}
	}
	r.dirty = true
}

// stride is a row's length in the buffer: two cells past the last pixel
// take what edges on the right border add, so that each row sums to
// zero on its own (no rounding error carries from row to row).
func (r *raster) stride() int { return r.w + 2 }

// line adds the edge from (x0, y0) to (x1, y1).
func (r *raster) line(x0, y0, x1, y1 float64) {
	if y0 == y1 {
		return
	}
	dir := float32(1)
	if y0 > y1 {
		dir = -1
		x0, y0, x1, y1 = x1, y1, x0, y0
	}
	dxdy := (x1 - x0) / (y1 - y0)
	x := x0
	if y0 < 0 {
		x -= y0 * dxdy
		y0 = 0
	}
	yEnd := min(float64(r.h), y1)
	for y := int(y0); float64(y) < yEnd; y++ {
		row := y * r.stride()
		dy := math.Min(float64(y+1), y1) - math.Max(float64(y), y0)
		xNext := x + dxdy*dy
		d := float32(dy) * dir
		xa, xb := x, xNext
		if xa > xb {
			xa, xb = xb, xa
		}
		xa, xb = math.Max(0, xa), math.Min(float64(r.w), xb)
		fa := math.Floor(xa)
		ia := int(fa)
		cb := math.Ceil(xb)
		ib := int(cb)
		if ib <= ia+1 {
			// The edge stays within one pixel column on this row.
			mid := float32(0.5*(xa+xb) - fa)
			r.acc[row+ia] += d - d*mid
			r.acc[row+ia+1] += d * mid
		} else {
			s := float32(1 / (xb - xa))
			f0 := float32(xa - fa)
			a0 := 0.5 * s * (1 - f0) * (1 - f0)
			f1 := float32(xb - cb + 1)
			am := 0.5 * s * f1 * f1
			r.acc[row+ia] += d * a0
			if ib == ia+2 {
				r.acc[row+ia+1] += d * (1 - a0 - am)
			} else {
				a1 := s * (1.5 - f0)
				r.acc[row+ia+1] += d * (a1 - a0)
				for i := ia + 2; i < ib-1; i++ {
					r.acc[row+i] += d * s
				}
				a2 := a1 + float32(ib-ia-3)*s
				r.acc[row+ib-1] += d * (1 - a2 - am)
			}
			r.acc[row+ib] += d * am
		}
		x = xNext
	}
}

// rows calls fn with each row's coverage (0 to 255), clearing the buffer
// as it goes, until fn returns false. evenOdd chooses SVG's evenodd fill
// rule, else nonzero.
func (r *raster) rows(evenOdd bool, cov []uint8, fn func(y int, cov []uint8) bool) {
	for y := range r.h {
		row := r.acc[y*r.stride() : (y+1)*r.stride()]
		var sum float32
		for x, a := range row[:r.w] {
			sum += a
			c := sum
			if c < 0 {
				c = -c
			}
			if evenOdd {
				c = float32(math.Mod(float64(c), 2))
				if c > 1 {
					c = 2 - c
				}
			} else if c > 1 {
				c = 1
			}
			cov[x] = uint8(c*255 + 0.5)
		}
		clear(row)
		if !fn(y, cov[:r.w]) {
			return
		}
	}
	r.dirty = false
}

// clipPoly clips a polygon to the box [x0, x1] x [y0, y1]
// (Sutherland-Hodgman). The parts outside add nothing to the pixels
// inside, so a polygon's coverage of the box is kept exactly.
func clipPoly(pts []vec, x0, y0, x1, y1 float64, buf []vec) []vec {
	in := pts
	edges := [4]func(v vec) bool{
		func(v vec) bool { return v.x >= x0 },
		func(v vec) bool { return v.x <= x1 },
		func(v vec) bool { return v.y >= y0 },
		func(v vec) bool { return v.y <= y1 },
	}
	cross := [4]func(a, b vec) vec{
		func(a, b vec) vec { return vec{x0, a.y + (b.y-a.y)*(x0-a.x)/(b.x-a.x)} },
		func(a, b vec) vec { return vec{x1, a.y + (b.y-a.y)*(x1-a.x)/(b.x-a.x)} },
		func(a, b vec) vec { return vec{a.x + (b.x-a.x)*(y0-a.y)/(b.y-a.y), y0} },
		func(a, b vec) vec { return vec{a.x + (b.x-a.x)*(y1-a.y)/(b.y-a.y), y1} },
	}
	out := buf[:0]
	for e := range 4 {
		if len(in) == 0 {
			return nil
		}
		out = out[:0:0]
		prev := in[len(in)-1]
		pin := edges[e](prev)
		for _, cur := range in {
			cin := edges[e](cur)
			if cin != pin {
				out = append(out, cross[e](prev, cur))
			}
			if cin {
				out = append(out, cur)
			}
			prev, pin = cur, cin
		}
		in = out
	}
	return in
}

// bounds is the box of the polygons' points, in whole pixels.
func bounds(polys [][]vec) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range polys {
		for _, v := range p {
			minX, maxX = math.Min(minX, v.x), math.Max(maxX, v.x)
			minY, maxY = math.Min(minY, v.y), math.Max(maxY, v.y)
		}
	}
	if minX > maxX || minY > maxY {
		return image.Rectangle{}
	}
	clampI := func(f float64) int {
		return int(math.Max(-1<<30, math.Min(1<<30, f)))
	}
	return image.Rect(clampI(math.Floor(minX)), clampI(math.Floor(minY)), clampI(math.Ceil(maxX)), clampI(math.Ceil(maxY)))
}
