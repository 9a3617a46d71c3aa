package libsvg

import (
	"errors"
	"math"
	"testing"
)

// FuzzPathData: any path data parses without panicking into at most its
// segment bound, and flattens into finite points within the point bound.
func FuzzPathData(f *testing.F) {
	for _, s := range []string{
		"M10 10 H 90 V 90 H 10 Z m 20 20 h 40 v 40 h -40 z",
		"M210,50 C210,10 290,10 290,50 S 250,90 230,70",
		"M10 150 Q 50 100 90 150 T 170 150",
		"M200 120 a30 20 0 1 0 60 0 a30 20 0 0 1 -60 0z",
		"M0 0a1 1 0 00.5.5l1e3-1e-3zZ",
		"m1-2.3.4e5L", "A", "M 1 1 A 0 0 0 1 1 2 2", "M1e308 1e308 C -1e308 1e308 1e308 -1e308 1 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		p, err := parsePath(d, 1000)
		if err != nil && !errors.Is(err, errTooManySegments) {
			t.Fatalf("parsePath(%q) = %v", d, err)
		}
		if len(p.segs) > 1000 {
			t.Fatalf("parsePath(%q) made %d segments, over its bound", d, len(p.segs))
		}
		lines, err := p.flatten(0.01, 5000)
		if err != nil && !errors.Is(err, errTooManySegments) {
			t.Fatal(err)
		}
		n := 0
		for _, l := range lines {
			n += len(l.pts)
			for _, v := range l.pts {
				if math.IsNaN(v.x) || math.IsNaN(v.y) {
					t.Fatalf("parsePath(%q) flattens to NaN", d)
				}
			}
		}
		if n > 5000 {
			t.Fatalf("flatten made %d points, over its bound", n)
		}
	})
}

// FuzzColorTransform: color, paint, length and transform values parse
// without panicking into sane values.
func FuzzColorTransform(f *testing.F) {
	for _, s := range []string{"#abc", "#aabbccdd", "rgb(10%, 20, 300)", "rgba(1,2,3,0.5)", "hsl(400, 50%, 50%)", "RebeccaPurple",
		"url(#g) red", "translate(10) rotate(45 1 2) scale(2,3) skewX(10) matrix(1 0 0 1 0 0)", "10em", "50%", "1e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := parseColor(s); ok {
			for _, v := range []float64{c.r, c.g, c.b, c.a} {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("parseColor(%q) = %+v", s, c)
				}
			}
		}
		parsePaint(s)
		if v, ok := length(s, 100, 16); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("length(%q) = %v", s, v)
		}
		if m, ok := parseTransform(s); ok {
			for _, v := range m {
				if math.IsNaN(v) {
					t.Fatalf("parseTransform(%q) = %v", s, m)
				}
			}
		}
	})
}

// testBudget is a budget of max bytes that never stops the work.
type testBudget int64

func (b testBudget) Tick() error              { return nil }
func (b testBudget) Check() error             { return nil }
func (b testBudget) MaxValue() int64          { return int64(b) }
func (b testBudget) CheckItems(n int64) error { return b.CheckSize(n * 16) }
func (b testBudget) CheckSize(n int64) error {
	if n < 0 || n > int64(b) {
		return errors.New("over max-value")
	}
	return nil
}

// FuzzRasterize: any document draws (or is refused) without panicking on
// a small canvas within a small budget.
func FuzzRasterize(f *testing.F) {
	for _, s := range []string{
		`<svg viewBox="0 0 10 10"><rect width="5" height="5" fill="url(#g)"/><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></svg>`,
		`<svg><clipPath id="c"><circle r="4"/></clipPath><g clip-path="url(#c)"><path d="M0 0L9 9" stroke="blue" stroke-width="3"/></g></svg>`,
		`<svg><defs><g id="a"><use href="#a"/></g></defs><use href="#a"/><text x="1" y="8" font-size="8">Hi</text></svg>`,
		`<svg width="2" height="2"><svg viewBox="0 0 0 0"/><polygon points="1 1 2"/></svg>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		img, err := Rasterize(testBudget(1<<20), []byte(doc), 24, 16)
		if err == nil && (img.Rect.Dx() != 24 || img.Rect.Dy() != 16) {
			t.Fatalf("canvas %v", img.Rect)
		}
	})
}
