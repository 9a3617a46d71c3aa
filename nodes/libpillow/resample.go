package libpillow

import (
	"image"
	"math"

	"nodetool/nodes/media"
)

// Filter is a resampling filter of Pillow's Resample.c: its support (in
// source pixels at scale 1) and its weight function.
type Filter struct {
	support float64
	weight  func(x float64) float64
}

// Pillow's resampling filters.
var (
	Bilinear = Filter{1, func(x float64) float64 {
		x = math.Abs(x)
		if x < 1 {
			return 1 - x
		}
		return 0
	}}
	Bicubic = Filter{2, func(x float64) float64 {
		const a = -0.5
		x = math.Abs(x)
		if x < 1 {
			return ((a+2)*x-(a+3))*x*x + 1
		}
		if x < 2 {
			return (((x-5)*x+8)*x - 4) * a
		}
		return 0
	}}
	Lanczos = Filter{3, func(x float64) float64 {
		if -3 <= x && x < 3 {
			return sinc(x) * sinc(x/3)
		}
		return 0
	}}
)

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

// precision is Pillow's fixed point of 8-bit resampling weights.
const precision = 32 - 8 - 2

// coeffs are the weights of one axis: for output pixel i, the input
// pixels start[i] .. start[i]+count[i]-1 weigh k[i*ksize:][:count[i]].
type coeffs struct {
	start, count []int
	k            []int32
	ksize        int
}

// precompute is Pillow's precompute_coeffs and normalize_coeffs_8bpc:
// the weights that map [in0, in1) of inSize pixels onto outSize pixels;
// shrinking widens the filter by the scale (antialiasing). The box is
// float32 there, as in Pillow's C.
func precompute(inSize int, box0, box1 float64, outSize int, f Filter) coeffs {
	in0, in1 := float32(box0), float32(box1)
	scale := float64(in1-in0) / float64(outSize)
	filterscale := max(scale, 1)
	support := f.support * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	c := coeffs{start: make([]int, outSize), count: make([]int, outSize), k: make([]int32, outSize*ksize), ksize: ksize}
	w := make([]float64, ksize)
	for xx := range outSize {
		center := float64(in0) + (float64(xx)+0.5)*scale
		ss := 1 / filterscale
		xmin := max(0, int(center-support+0.5))
		xmax := min(inSize, int(center+support+0.5)) - xmin
		var ww float64
		for x := 0; x < xmax; x++ {
			w[x] = f.weight((float64(x+xmin) - center + 0.5) * ss)
			ww += w[x]
		}
		k := c.k[xx*ksize : xx*ksize+ksize]
		for x := 0; x < xmax; x++ {
			if ww != 0 {
				w[x] /= ww
			}
			if w[x] < 0 {
				k[x] = int32(-0.5 + w[x]*(1<<precision))
			} else {
				k[x] = int32(0.5 + w[x]*(1<<precision))
			}
		}
		c.start[xx], c.count[xx] = xmin, max(0, xmax)
	}
	return c
}

func clipFixed(v int32) uint8 {
	if v >= 1<<precision<<8 {
		return 255
	}
	if v <= 0 {
		return 0
	}
	return uint8(v >> precision)
}

// Box is a source rectangle in float coordinates (Pillow's resize box).
type Box struct{ X0, Y0, X1, Y1 float64 }

// Resize is Pillow's Image.resize(size, filter, box): the box of img
// scaled to w x h, a horizontal pass then a vertical one with Pillow's
// fixed-point weights and rounding. Images with transparency are
// premultiplied first (as Pillow resizes RGBA through RGBa). Rows run on
// every core. The caller sizes the result first.
func Resize(img *image.NRGBA, w, h int, box Box, f Filter) *image.NRGBA {
	sw, sh := img.Rect.Dx(), img.Rect.Dy()
	if w == sw && h == sh && box == (Box{0, 0, float64(sw), float64(sh)}) {
		out := image.NewNRGBA(image.Rect(0, 0, w, h))
		copy(out.Pix, img.Pix)
		return out
	}
	src := img
	opaque := img.Opaque()
	if !opaque {
		src = premultiply(img)
	}
	needH := w != sw || box.X0 != 0 || box.X1 != float64(w)
	needV := h != sh || box.Y0 != 0 || box.Y1 != float64(h)
	ch := precompute(sw, box.X0, box.X1, w, f)
	cv := precompute(sh, box.Y0, box.Y1, h, f)
	// The source rows the vertical pass reads.
	first := cv.start[0]
	last := cv.start[h-1] + cv.count[h-1]
	pix, stride := src.Pix, src.Stride
	width := sw
	if needH {
		rows := last - first
		tmp := make([]uint8, rows*4*w)
		media.Rows(rows, func(y0, y1 int) {
			pairs := make([]int64, 2*sw)
			for y := y0; y < y1; y++ {
				resampleRow(src.Pix[(y+first)*src.Stride:(y+first)*src.Stride+4*sw], tmp[y*4*w:(y+1)*4*w], &ch, pairs)
			}
		})
		for i := range cv.start {
			cv.start[i] -= first
		}
		pix, stride, width = tmp, 4*w, w
	} else {
		pix = pix[first*stride:]
		for i := range cv.start {
			cv.start[i] -= first
		}
	}
	out := image.NewNRGBA(image.Rect(0, 0, width, h))
	if needV {
		media.Rows(h, func(y0, y1 int) {
			acc := make([]int32, 4*width)
			for y := y0; y < y1; y++ {
				resampleColumn(pix, stride, out.Pix[y*out.Stride:y*out.Stride+4*width], acc, &cv, y)
			}
		})
	} else {
		// The box spans every row (first is 0): the rows as they are.
		for y := range h {
			copy(out.Pix[y*out.Stride:y*out.Stride+4*width], pix[y*stride:])
		}
	}
	if !opaque {
		unpremultiply(out)
	}
	return out
}

// resampleRow is one row of Pillow's horizontal pass
// (ImagingResampleHorizontal_8bpc). The source row is first spread into
// pairs, two channels to an int64 32 bits apart, so that one multiply
// weighs two channels: the lanes' sums stay within an int32 (the weights
// are 22-bit fixed point and sum to one), and the integer arithmetic is
// exact, so the result is Pillow's.
func resampleRow(src, dst []uint8, c *coeffs, pairs []int64) {
	pairs = pairs[:len(src)/2]
	for x := 0; x+1 < len(pairs); x += 2 {
		p := src[2*x : 2*x+4 : 2*x+4]
		pairs[x] = int64(p[0]) | int64(p[1])<<32
		pairs[x+1] = int64(p[2]) | int64(p[3])<<32
	}
	const round = 1<<(precision-1) | 1<<(precision-1)<<32
	for xx := range len(dst) / 4 {
		n := c.count[xx]
		k := c.k[xx*c.ksize : xx*c.ksize+n]
		p := pairs[2*c.start[xx] : 2*(c.start[xx]+n)]
		s01, s23 := int64(round), int64(round)
		for i, kv := range k {
			q := p[2*i : 2*i+2 : 2*i+2]
			s01 += q[0] * int64(kv)
			s23 += q[1] * int64(kv)
		}
		lo0, lo2 := int32(uint32(s01)), int32(uint32(s23))
		d := dst[4*xx : 4*xx+4 : 4*xx+4]
		d[0], d[1] = clipFixed(lo0), clipFixed(int32((s01-int64(lo0))>>32))
		d[2], d[3] = clipFixed(lo2), clipFixed(int32((s23-int64(lo2))>>32))
	}
}

// resampleColumn is output row yy of Pillow's vertical pass
// (ImagingResampleVertical_8bpc), summing whole source rows into acc so
// that memory is read in order.
func resampleColumn(pix []uint8, stride int, dst []uint8, acc []int32, c *coeffs, yy int) {
	for i := range acc {
		acc[i] = 1 << (precision - 1)
	}
	k := c.k[yy*c.ksize : yy*c.ksize+c.count[yy]]
	for i, kv := range k {
		row := pix[(c.start[yy]+i)*stride:]
		row = row[:len(acc)]
		for x, v := range row {
			acc[x] += int32(v) * kv
		}
	}
	for x, v := range acc {
		dst[x] = clipFixed(v)
	}
}

// premultiply is Pillow's RGBA to RGBa conversion.
func premultiply(img *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			for i := 0; i < len(s); i += 4 {
				a := uint32(s[i+3])
				for c := range 3 {
					t := uint32(s[i+c])*a + 128
					d[i+c] = uint8((t + t>>8) >> 8)
				}
				d[i+3] = s[i+3]
			}
		}
	})
	return out
}

// unpremultiply is Pillow's RGBa to RGBA conversion, in place.
func unpremultiply(img *image.NRGBA) {
	w := img.Rect.Dx()
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			d := img.Pix[y*img.Stride : y*img.Stride+4*w]
			for i := 0; i < len(d); i += 4 {
				a := uint32(d[i+3])
				if a == 0 || a == 255 {
					continue
				}
				for c := range 3 {
					d[i+c] = uint8(min(255, 255*uint32(d[i+c])/a))
				}
			}
		}
	})
}

// FitBox is ImageOps.fit's crop: the largest box of the w:h aspect ratio
// centered in a sw x sh image.
func FitBox(sw, sh, w, h int) Box {
	live := float64(sw) / float64(sh)
	want := float64(w) / float64(h)
	cw, ch := float64(sw), float64(sh)
	switch {
	case live == want:
	case live >= want:
		cw = want * float64(sh)
	default:
		ch = float64(sw) / want
	}
	x0 := (float64(sw) - cw) * 0.5
	y0 := (float64(sh) - ch) * 0.5
	return Box{x0, y0, x0 + cw, y0 + ch}
}

// Fit is ImageOps.fit(img, (w, h), method): the centered crop of the
// target's aspect ratio, resized.
func Fit(img *image.NRGBA, w, h int, f Filter) *image.NRGBA {
	return Resize(img, w, h, FitBox(img.Rect.Dx(), img.Rect.Dy(), w, h), f)
}
