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
func GaussianBlur(img *image.NRGBA, radius float64) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	br := boxRadius(float32(radius))
	if br == 0 {
		copy(out.Pix, img.Pix)
		return out
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	l, ww, fw := boxWeights(br)
	// Rows: img -> out -> tmp -> out, a row at a time.
	media.Rows(h, func(y0, y1 int) {
		n := 4 * w
		tmp := make([]uint8, n)
		for y := y0; y < y1; y++ {
			o := y * img.Stride
			boxRow(img.Pix[o:o+n], out.Pix[o:o+n], w, l, ww, fw)
			boxRow(out.Pix[o:o+n], tmp, w, l, ww, fw)
			boxRow(tmp, out.Pix[o:o+n], w, l, ww, fw)
		}
	})
	blurColumns(out.Pix, out.Stride, w, h, l, ww, fw)
	return out
}

// boxRow blurs one row of w RGBA pixels from src into dst:
// dst[x] = (ww*sum(src[x-l..x+l]) + fw*(src[x-l-1]+src[x+l+1]) + 2^23) >> 24,
// indexes clamped to the row (Pillow's ImagingLineBoxBlur32).
func boxRow(src, dst []uint8, w, l int, ww, fw uint32) {
	last := w - 1
	// The window of x = -1: src[-l-1 .. l-1], clamped.
	n := uint32(l + 1)
	a0, a1, a2, a3 := uint32(src[0])*n, uint32(src[1])*n, uint32(src[2])*n, uint32(src[3])*n
	for x := 0; x < l; x++ {
		p := src[4*min(x, last):]
		p = p[:4:4]
		a0, a1, a2, a3 = a0+uint32(p[0]), a1+uint32(p[1]), a2+uint32(p[2]), a3+uint32(p[3])
	}
	const half = 1 << 23
	for x := range w {
		add := src[4*min(x+l, last):]
		sub := src[4*max(x-l-1, 0):]
		far := src[4*min(x+l+1, last):]
		add, sub, far = add[:4:4], sub[:4:4], far[:4:4]
		a0 += uint32(add[0]) - uint32(sub[0])
		a1 += uint32(add[1]) - uint32(sub[1])
		a2 += uint32(add[2]) - uint32(sub[2])
		a3 += uint32(add[3]) - uint32(sub[3])
		d := dst[4*x : 4*x+4 : 4*x+4]
		d[0] = uint8((a0*ww + (uint32(sub[0])+uint32(far[0]))*fw + half) >> 24)
		d[1] = uint8((a1*ww + (uint32(sub[1])+uint32(far[1]))*fw + half) >> 24)
		d[2] = uint8((a2*ww + (uint32(sub[2])+uint32(far[2]))*fw + half) >> 24)
		d[3] = uint8((a3*ww + (uint32(sub[3])+uint32(far[3]))*fw + half) >> 24)
	}
}

// columnBand is the width in pixels of the bands of columns the
// vertical passes blur one at a time: a band of a tall image (two
// buffers of h x 128 bytes) stays in the core's cache through the three
// passes.
const columnBand = 32

// blurColumns blurs every column of the RGBA pixels in place with three
// passes of boxColumn, a band of columns at a time, bands on every core.
func blurColumns(pix []uint8, stride, w, h, l int, ww, fw uint32) {
	bands := (w + columnBand - 1) / columnBand
	parallel(bands, func(b0, b1 int) {
		a := make([]uint8, h*4*columnBand)
		b := make([]uint8, h*4*columnBand)
		acc := make([]uint32, 4*columnBand)
		for band := b0; band < b1; band++ {
			x0 := band * columnBand
			n := 4 * min(columnBand, w-x0)
			for y := range h {
				copy(a[y*n:(y+1)*n], pix[y*stride+4*x0:])
			}
			boxColumn(a, b, n, h, l, ww, fw, acc[:n])
			boxColumn(b, a, n, h, l, ww, fw, acc[:n])
			boxColumn(a, b, n, h, l, ww, fw, acc[:n])
			for y := range h {
				copy(pix[y*stride+4*x0:y*stride+4*x0+n], b[y*n:(y+1)*n])
			}
		}
	})
}

// boxColumn is boxRow down the columns of h rows of n bytes, walking the
// rows in order with a running sum per byte of the row (acc).
func boxColumn(src, dst []uint8, n, h, l int, ww, fw uint32, acc []uint32) {
	row := func(y int) []uint8 {
		y = min(h-1, max(0, y))
		return src[y*n : y*n+n]
	}
	clear(acc)
	// The window of y = -1.
	for y := -l - 1; y < l; y++ {
		for i, v := range row(y) {
			acc[i] += uint32(v)
		}
	}
	const half = 1 << 23
	for y := range h {
		add, sub, far := row(y+l), row(y-l-1), row(y+l+1)
		d := dst[y*n : y*n+n]
		add, sub, far, acc := add[:len(d)], sub[:len(d)], far[:len(d)], acc[:len(d)]
		for i := range d {
			acc[i] += uint32(add[i]) - uint32(sub[i])
			d[i] = uint8((acc[i]*ww + (uint32(sub[i])+uint32(far[i]))*fw + half) >> 24)
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
