package libsvg

import (
	"math"
	"strconv"
	"strings"
)

// scanner reads the numbers of SVG attribute values (path data, point
// lists, transforms, view boxes): numbers separated by white space and
// commas, as SVG's grammar writes them ("1.5.5" is 1.5 then .5, "1-2" is
// 1 then -2).
type scanner struct {
	s string
	i int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// skip passes white space and at most one comma.
func (p *scanner) skip() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		for p.i < len(p.s) && isSpace(p.s[p.i]) {
			p.i++
		}
	}
}

func (p *scanner) done() bool {
	p.skip()
	return p.i >= len(p.s)
}

// maxNumber bounds the numbers of SVG data: far beyond any drawable
// coordinate, yet small enough that sums and products of a path's points
// (a thousand relative moves, a curve's terms) stay finite (a path of
// 1e308s flattened to NaN).
const maxNumber = 1e15

// number reads one finite number of at most maxNumber in magnitude; ok is
// false (and nothing is consumed) when there is none.
func (p *scanner) number() (float64, bool) {
	p.skip()
	start, i := p.i, p.i
	s := p.s
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j { // "1em" is 1 then a unit, not an exponent
			i = k
		}
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > maxNumber {
		return 0, false
	}
	p.i = i
	return f, true
}

// flag reads an arc flag: "0" or "1", which need no separator.
func (p *scanner) flag() (bool, bool) {
	p.skip()
	if p.i < len(p.s) && (p.s[p.i] == '0' || p.s[p.i] == '1') {
		p.i++
		return p.s[p.i-1] == '1', true
	}
	return false, false
}

// numbers reads a list of numbers (a viewBox, a points list); it stops at
// the first thing that is not a number.
func numbers(s string, max int) []float64 {
	p := scanner{s: s}
	var out []float64
	for len(out) < max {
		f, ok := p.number()
		if !ok {
			break
		}
		out = append(out, f)
	}
	return out
}

// parseFloat reads a plain number ("0.5", " 2 ").
func parseFloat(s string) (float64, bool) {
	p := scanner{s: strings.TrimSpace(s)}
	f, ok := p.number()
	if !ok || !p.done() {
		return 0, false
	}
	return f, true
}

// length reads an SVG length: a number with an optional unit (px, pt, pc,
// in, cm, mm, em, ex, %). ref is what 100% is; font the font size for em.
func length(s string, ref, font float64) (float64, bool) {
	p := scanner{s: strings.TrimSpace(s)}
	f, ok := p.number()
	if !ok {
		return 0, false
	}
	unit := p.s[p.i:]
	switch unit {
	case "", "px":
	case "%":
		f = f * ref / 100
	case "pt":
		f *= 4.0 / 3
	case "pc":
		f *= 16
	case "in":
		f *= 96
	case "cm":
		f *= 96 / 2.54
	case "mm":
		f *= 96 / 25.4
	case "em":
		f *= font
	case "ex":
		f *= font / 2
	default:
		return 0, false
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// matrix is an affine transform: x' = a*x + c*y + e, y' = b*x + d*y + f.
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m applied after n (m × n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[2]*n[1], m[1]*n[0] + m[3]*n[1],
		m[0]*n[2] + m[2]*n[3], m[1]*n[2] + m[3]*n[3],
		m[0]*n[4] + m[2]*n[5] + m[4], m[1]*n[4] + m[3]*n[5] + m[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

func (m matrix) det() float64 { return m[0]*m[3] - m[1]*m[2] }

// invert returns m's inverse; ok is false for a singular matrix.
func (m matrix) invert() (matrix, bool) {
	d := m.det()
	if d == 0 || math.IsNaN(d) || math.IsInf(d, 0) {
		return matrix{}, false
	}
	r := matrix{m[3] / d, -m[1] / d, -m[2] / d, m[0] / d, 0, 0}
	r[4] = -(r[0]*m[4] + r[2]*m[5])
	r[5] = -(r[1]*m[4] + r[3]*m[5])
	return r, true
}

// scale is m's largest stretch (its larger singular value): a length of 1
// in user space is at most this long on the canvas.
func (m matrix) scale() float64 {
	a, b, c, d := m[0], m[1], m[2], m[3]
	s1 := a*a + b*b + c*c + d*d
	s2 := math.Sqrt(math.Max(0, (a*a+b*b-c*c-d*d)*(a*a+b*b-c*c-d*d)+4*(a*c+b*d)*(a*c+b*d)))
	return math.Sqrt((s1 + s2) / 2)
}

func translate(x, y float64) matrix { return matrix{1, 0, 0, 1, x, y} }

func scaling(x, y float64) matrix { return matrix{x, 0, 0, y, 0, 0} }

func rotation(deg float64) matrix {
	s, c := math.Sincos(deg * math.Pi / 180)
	return matrix{c, s, -s, c, 0, 0}
}

// parseTransform reads a transform list: matrix, translate, scale,
// rotate, skewX and skewY, applied left to right. ok is false for a list
// it cannot read, which is then ignored.
func parseTransform(s string) (matrix, bool) {
	m := identity
	p := scanner{s: s}
	for {
		p.skip()
		if p.i >= len(p.s) {
			return m, true
		}
		j := p.i
		for j < len(p.s) && (p.s[j] >= 'a' && p.s[j] <= 'z' || p.s[j] >= 'A' && p.s[j] <= 'Z') {
			j++
		}
		name := p.s[p.i:j]
		p.i = j
		for p.i < len(p.s) && isSpace(p.s[p.i]) {
			p.i++
		}
		if p.i >= len(p.s) || p.s[p.i] != '(' {
			return identity, false
		}
		p.i++
		var args []float64
		for len(args) < 6 {
			f, ok := p.number()
			if !ok {
				break
			}
			args = append(args, f)
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return identity, false
		}
		p.i++
		var t matrix
		n := len(args)
		switch {
		case name == "matrix" && n == 6:
			t = matrix(args)
		case name == "translate" && (n == 1 || n == 2):
			args = append(args, 0)
			t = translate(args[0], args[1])
		case name == "scale" && (n == 1 || n == 2):
			if n == 1 {
				args = append(args, args[0])
			}
			t = scaling(args[0], args[1])
		case name == "rotate" && n == 1:
			t = rotation(args[0])
		case name == "rotate" && n == 3:
			t = translate(args[1], args[2]).mul(rotation(args[0])).mul(translate(-args[1], -args[2]))
		case name == "skewX" && n == 1:
			t = matrix{1, 0, math.Tan(args[0] * math.Pi / 180), 1, 0, 0}
		case name == "skewY" && n == 1:
			t = matrix{1, math.Tan(args[0] * math.Pi / 180), 0, 1, 0, 0}
		default:
			return identity, false
		}
		m = m.mul(t)
	}
}

// rgba is a color with straight alpha, each channel 0 to 1.
type rgba struct{ r, g, b, a float64 }

// parseColor reads a CSS color: #rgb, #rgba, #rrggbb, #rrggbbaa,
// rgb()/rgba() with numbers or percentages, hsl()/hsl(a), the CSS named
// colors and "transparent". ok is false for anything else (including
// "none" and url(), which paints handle).
func parseColor(s string) (rgba, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := named[s]; ok {
		return rgba{float64(c[0]) / 255, float64(c[1]) / 255, float64(c[2]) / 255, 1}, true
	}
	if s == "transparent" {
		return rgba{}, true
	}
	if h, ok := strings.CutPrefix(s, "#"); ok {
		var v [8]float64
		switch len(h) {
		case 3, 4:
			for i := range len(h) {
				d, ok := hexDigit(h[i])
				if !ok {
					return rgba{}, false
				}
				v[i] = float64(d*17) / 255
			}
			if len(h) == 3 {
				v[3] = 1
			}
			return rgba{v[0], v[1], v[2], v[3]}, true
		case 6, 8:
			for i := 0; i < len(h); i += 2 {
				d1, ok1 := hexDigit(h[i])
				d2, ok2 := hexDigit(h[i+1])
				if !ok1 || !ok2 {
					return rgba{}, false
				}
				v[i/2] = float64(d1*16+d2) / 255
			}
			if len(h) == 6 {
				v[3] = 1
			}
			return rgba{v[0], v[1], v[2], v[3]}, true
		}
		return rgba{}, false
	}
	fn, rest, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return rgba{}, false
	}
	parts := strings.FieldsFunc(rest[:len(rest)-1], func(r rune) bool { return r == ',' || r == ' ' || r == '/' || r == '\t' })
	if len(parts) != 3 && len(parts) != 4 {
		return rgba{}, false
	}
	var v [4]float64
	v[3] = 1
	for i, part := range parts {
		pct := strings.HasSuffix(part, "%")
		f, ok := parseFloat(strings.TrimSuffix(part, "%"))
		if !ok {
			return rgba{}, false
		}
		switch {
		case i == 3:
			if pct {
				f /= 100
			}
		case fn == "hsl" || fn == "hsla":
			if i > 0 {
				f /= 100
			}
		case pct:
			f /= 100
		default:
			f /= 255
		}
		v[i] = f
	}
	switch fn {
	case "rgb", "rgba":
	case "hsl", "hsla":
		v[0], v[1], v[2] = hsl(v[0], clamp01(v[1]), clamp01(v[2]))
	default:
		return rgba{}, false
	}
	return rgba{clamp01(v[0]), clamp01(v[1]), clamp01(v[2]), clamp01(v[3])}, true
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	}
	return 0, false
}

func clamp01(f float64) float64 {
	if !(f > 0) {
		return 0
	}
	if f > 1 {
		return 1
	}
	return f
}

// hsl converts a hue in degrees, saturation and lightness to RGB.
func hsl(h, s, l float64) (float64, float64, float64) {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	return r + m, g + m, b + m
}
