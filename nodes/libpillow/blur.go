package libpillow

import (
	"image"
	"math"
	"runtime"
	"sync"

	"nodetool/nodes/media"
)

// boxRadius is Pillow's radius of each of the three box blurs that make a
// Gaussian blur of the given radius (its standard deviation), computed in
// float32 as Pillow's C does.
func boxRadius(radius float32) float32 {
	const passes = 3
	sigma2 := radius * radius / passes
	L := float32(math.Sqrt(12*float64(sigma2) + 1))
	l := float32(math.Floor((float64(L) - 1) / 2))
	a := (2*l + 1) * (l*(l+1) - 3*sigma2)
	a /= 6 * (sigma2 - (l+1)*(l+1))
	return l + a
}

// boxWeights are Pillow's fixed-point (24 bits) weights of a box of
// radius r: ww for each of the 2*int(r)+1 whole pixels, fw for each of
// the two pixels just outside, weighted by r's fraction.
func boxWeights(r float32) (l int, ww, fw uint32) {
	l = int(r)
	ww = uint32(float32(1<<24) / (r*2 + 1))
	fw = ((1 << 24) - uint32(l*2+1)*ww) / 2
	return l, ww, fw
}

// GaussianBlur is ImageFilter.GaussianBlur: three extended box blurs
// along the rows, then three down the columns, edges extended, with
// Pillow's fixed-point weights and rounding (BoxBlur.c). All four
// channels are blurred. The work does not depend on the radius.
//
// The passes work on pairs: two channels of a pixel in one uint64, 32
// bits apart. Every lane's value (a window sum times its weight, at most
// 255 << 24 plus the rounding) stays under 2^32, so one multiply or add
// does two channels exactly.
func GaussianBlur(img *image.NRGBA, radius float64) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	br := boxRadius(float32(radius))
	if br == 0 {
		copy(out.Pix, img.Pix)
		return out
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	l, ww, fw := boxWeights(br)
	// Rows, a row at a time: three passes between two rows of pairs.
	media.Rows(h, func(y0, y1 int) {
		a, b := make([]uint64, 2*w), make([]uint64, 2*w)
		for y := y0; y < y1; y++ {
			spread(img.Pix[y*img.Stride:y*img.Stride+4*w], a)
			boxRow(a, b, w, l, ww, fw)
			boxRow(b, a, w, l, ww, fw)
			boxRow(a, b, w, l, ww, fw)
			pack(b, out.Pix[y*out.Stride:y*out.Stride+4*w])
		}
	})
	blurColumns(out.Pix, out.Stride, w, h, l, ww, fw)
	return out
}

const (
	laneMask = 0xff | 0xff<<32
	laneHalf = 1<<23 | 1<<23<<32
)

// spread turns RGBA bytes into pairs: (R, G) and (B, A) of each pixel.
func spread(src []uint8, dst []uint64) {
	dst = dst[:len(src)/2]
	for j := 0; j+1 < len(dst); j += 2 {
		p := src[2*j : 2*j+4 : 2*j+4]
		dst[j] = uint64(p[0]) | uint64(p[1])<<32
		dst[j+1] = uint64(p[2]) | uint64(p[3])<<32
	}
}

// pack is spread's inverse.
func pack(src []uint64, dst []uint8) {
	src = src[:len(dst)/2]
	for j := 0; j+1 < len(src); j += 2 {
		p := dst[2*j : 2*j+4 : 2*j+4]
		p[0], p[1], p[2], p[3] = uint8(src[j]), uint8(src[j]>>32), uint8(src[j+1]), uint8(src[j+1]>>32)
	}
}

// boxRow blurs one row of w pixels (2w pairs) from src into dst:
// dst[x] = (ww*sum(src[x-l..x+l]) + fw*(src[x-l-1]+src[x+l+1]) + 2^23) >> 24,
// indexes clamped to the row (Pillow's ImagingLineBoxBlur32).
func boxRow(src, dst []uint64, w, l int, ww, fw uint32) {
	last := w - 1
	W, F := uint64(ww), uint64(fw)
	// The window of x = -1: src[-l-1 .. l-1], clamped.
	n := uint64(l + 1)
	a0, a1 := src[0]*n, src[1]*n
	for x := 0; x < l; x++ {
		p := src[2*min(x, last):]
		p = p[:2:2]
		a0, a1 = a0+p[0], a1+p[1]
	}
	for x := range w {
		add := src[2*min(x+l, last):]
		sub := src[2*max(x-l-1, 0):]
		far := src[2*min(x+l+1, last):]
		add, sub, far = add[:2:2], sub[:2:2], far[:2:2]
		a0 += add[0] - sub[0]
		a1 += add[1] - sub[1]
		d := dst[2*x : 2*x+2 : 2*x+2]
		d[0] = (a0*W + (sub[0]+far[0])*F + laneHalf) >> 24 & laneMask
		d[1] = (a1*W + (sub[1]+far[1])*F + laneHalf) >> 24 & laneMask
	}
}

// columnBand is the width in pixels of the bands of columns the
// vertical passes blur one at a time: a band of a tall image (two
// buffers of h x 128 bytes of pairs) stays in the core's cache through
// the three passes.
const columnBand = 16

// blurColumns blurs every column of the RGBA pixels in place with three
// passes of boxColumn, a band of columns at a time, bands on every core.
func blurColumns(pix []uint8, stride, w, h, l int, ww, fw uint32) {
	bands := (w + columnBand - 1) / columnBand
	parallel(bands, func(b0, b1 int) {
		a := make([]uint64, h*2*columnBand)
		b := make([]uint64, h*2*columnBand)
		acc := make([]uint64, 2*columnBand)
		for band := b0; band < b1; band++ {
			x0 := band * columnBand
			n := 2 * min(columnBand, w-x0) // pairs a row
			for y := range h {
				spread(pix[y*stride+4*x0:y*stride+4*x0+2*n], a[y*n:(y+1)*n])
			}
			boxColumn(a, b, n, h, l, ww, fw, acc[:n])
			boxColumn(b, a, n, h, l, ww, fw, acc[:n])
			boxColumn(a, b, n, h, l, ww, fw, acc[:n])
			for y := range h {
				pack(b[y*n:(y+1)*n], pix[y*stride+4*x0:y*stride+4*x0+2*n])
			}
		}
	})
}

// boxColumn is boxRow down the columns of h rows of n pairs, walking the
// rows in order with a running sum per pair (acc).
func boxColumn(src, dst []uint64, n, h, l int, ww, fw uint32, acc []uint64) {
	row := func(y int) []uint64 {
		y = min(h-1, max(0, y))
		return src[y*n : y*n+n]
	}
	W, F := uint64(ww), uint64(fw)
	clear(acc)
	// The window of y = -1.
	for y := -l - 1; y < l; y++ {
		for i, v := range row(y) {
			acc[i] += v
		}
	}
	for y := range h {
		add, sub, far := row(y+l), row(y-l-1), row(y+l+1)
		d := dst[y*n : y*n+n]
		add, sub, far, acc := add[:len(d)], sub[:len(d)], far[:len(d)], acc[:len(d)]
		for i := range d {
			acc[i] += add[i] - sub[i]
			d[i] = (acc[i]*W + (sub[i]+far[i])*F + laneHalf) >> 24 & laneMask
		}
	}
}

// parallel runs fn over [0, n) split in one range per CPU, and waits.
func parallel(n int, fn func(i0, i1 int)) {
	p := min(runtime.GOMAXPROCS(0), n)
	if p <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + p - 1) / p
	for i0 := 0; i0 < n; i0 += step {
		wg.Go(func() { fn(i0, min(n, i0+step)) })
	}
	wg.Wait()
}

// UnsharpMask is ImageFilter.UnsharpMask (Pillow's UnsharpMask.c): where
// a channel differs from its Gaussian-blurred value by more than
// threshold, the difference times percent/100 (integer division) is
// added. Alpha is kept.
func UnsharpMask(img *image.NRGBA, radius float64, percent, threshold int) *image.NRGBA {
	out := GaussianBlur(img, radius)
	w := img.Rect.Dx()
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			for i := range s {
				if i%4 == 3 {
					d[i] = s[i]
					continue
				}
				diff := int(s[i]) - int(d[i])
				if diff > threshold || -diff > threshold {
					d[i] = uint8(min(255, max(0, int(s[i])+diff*percent/100)))
				} else {
					d[i] = s[i]
				}
			}
		}
	})
	return out
}
