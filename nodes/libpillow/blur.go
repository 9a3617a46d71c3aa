package libpillow

import (
	"image"
	"math"

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
	tmp := make([]uint8, len(out.Pix))
	// Rows: img -> out -> tmp -> out.
	media.Rows(h, func(y0, y1 int) {
		acc := make([]uint32, 4)
		for y := y0; y < y1; y++ {
			o := y * img.Stride
			n := 4 * w
			boxRow(img.Pix[o:o+n], out.Pix[o:o+n], w, l, ww, fw, acc)
			boxRow(out.Pix[o:o+n], tmp[o:o+n], w, l, ww, fw, acc)
			boxRow(tmp[o:o+n], out.Pix[o:o+n], w, l, ww, fw, acc)
		}
	})
	// Columns: out -> tmp -> out -> tmp, then tmp is the result.
	boxColumns(out.Pix, tmp, w, h, out.Stride, l, ww, fw)
	boxColumns(tmp, out.Pix, w, h, out.Stride, l, ww, fw)
	boxColumns(out.Pix, tmp, w, h, out.Stride, l, ww, fw)
	out.Pix = tmp
	return out
}

// boxRow blurs one row of w RGBA pixels from src into dst:
// dst[x] = (ww*sum(src[x-l..x+l]) + fw*(src[x-l-1]+src[x+l+1]) + 2^23) >> 24,
// indexes clamped to the row (Pillow's ImagingLineBoxBlur32). acc holds
// four running sums.
func boxRow(src, dst []uint8, w, l int, ww, fw uint32, acc []uint32) {
	last := w - 1
	at := func(x int) int { return 4 * min(last, max(0, x)) }
	for c := range 4 {
		// The window of x = -1: src[-l-1 .. l-1], clamped.
		a := uint32(src[c]) * uint32(l+1)
		for x := 0; x < l; x++ {
			a += uint32(src[at(x)+c])
		}
		acc[c] = a
	}
	for x := range w {
		add, sub := at(x+l), at(x-l-1)
		far := at(x + l + 1)
		for c := range 4 {
			acc[c] += uint32(src[add+c]) - uint32(src[sub+c])
			v := acc[c]*ww + (uint32(src[sub+c])+uint32(src[far+c]))*fw
			dst[4*x+c] = uint8((v + 1<<23) >> 24)
		}
	}
}

// boxColumns is boxRow down every column, walking the rows in order (a
// running sum per column and channel) so that memory is read
// sequentially; bands of columns run on every core.
func boxColumns(src, dst []uint8, w, h, stride, l int, ww, fw uint32) {
	media.Rows(w, func(x0, x1 int) {
		lo, hi := 4*x0, 4*x1
		acc := make([]uint32, hi-lo)
		row := func(y int) []uint8 {
			y = min(h-1, max(0, y))
			return src[y*stride+lo : y*stride+hi]
		}
		// The window of y = -1.
		for y := -l - 1; y < l; y++ {
			for i, v := range row(y) {
				acc[i] += uint32(v)
			}
		}
		for y := range h {
			add, sub, far := row(y+l), row(y-l-1), row(y+l+1)
			d := dst[y*stride+lo : y*stride+hi]
			add, sub, far = add[:len(d)], sub[:len(d)], far[:len(d)]
			acc := acc[:len(d)]
			for i := range d {
				acc[i] += uint32(add[i]) - uint32(sub[i])
				v := acc[i]*ww + (uint32(sub[i])+uint32(far[i]))*fw
				d[i] = uint8((v + 1<<23) >> 24)
			}
		}
	})
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
