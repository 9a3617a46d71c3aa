package libpillow

import (
	"image"
	"math"
	"slices"

	"nodetool/nodes/media"
)

// The image operations, on NRGBA images (Pillow's RGBA mode), following
// Pillow's definitions (ImageEnhance, ImageOps, ImageFilter). Alpha is
// kept as it is. Each works on every core (media.Rows).

func clip8(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// luma is Pillow's RGB to L conversion (ITU-R 601-2, fixed point).
func luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// blendOp is Pillow's ImageEnhance: out = degenerate + f*(img -
// degenerate), per channel, alpha kept; deg gives the degenerate color
// of pixel i (an offset into Pix).
func blendOp(img *image.NRGBA, f float64, deg func(p []uint8, i int) (r, g, b float64)) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			for i := 0; i < len(s); i += 4 {
				dr, dg, db := deg(img.Pix, y*img.Stride+i)
				d[i] = clip8(dr + f*(float64(s[i])-dr))
				d[i+1] = clip8(dg + f*(float64(s[i+1])-dg))
				d[i+2] = clip8(db + f*(float64(s[i+2])-db))
				d[i+3] = s[i+3]
			}
		}
	})
	return out
}

// lutOp applies a lookup table per channel (lut[c][v]), alpha kept.
func lutOp(img *image.NRGBA, lut *[3][256]uint8) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			for i := 0; i < len(s); i += 4 {
				d[i], d[i+1], d[i+2], d[i+3] = lut[0][s[i]], lut[1][s[i+1]], lut[2][s[i+2]], s[i+3]
			}
		}
	})
	return out
}

// Brightness is ImageEnhance.Brightness: a blend with black.
func Brightness(img *image.NRGBA, f float64) *image.NRGBA {
	var lut [3][256]uint8
	for v := range 256 {
		lut[0][v] = clip8(f * float64(v))
	}
	lut[1], lut[2] = lut[0], lut[0]
	return lutOp(img, &lut)
}

// Contrast is ImageEnhance.Contrast: a blend with the gray of the
// image's mean luma.
func Contrast(img *image.NRGBA, f float64) *image.NRGBA {
	var sum, n float64
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		s := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for i := 0; i < len(s); i += 4 {
			sum += float64(luma(s[i], s[i+1], s[i+2]))
		}
		n += float64(w)
	}
	mean := math.Floor(sum/max(n, 1) + 0.5)
	var lut [3][256]uint8
	for v := range 256 {
		lut[0][v] = clip8(mean + f*(float64(v)-mean))
	}
	lut[1], lut[2] = lut[0], lut[0]
	return lutOp(img, &lut)
}

// Color is ImageEnhance.Color: a blend with the image in gray.
func Color(img *image.NRGBA, f float64) *image.NRGBA {
	return blendOp(img, f, func(p []uint8, i int) (float64, float64, float64) {
		l := float64(luma(p[i], p[i+1], p[i+2]))
		return l, l, l
	})
}

// Sharpness is ImageEnhance.Sharpness: a blend with the SMOOTH-filtered
// image.
func Sharpness(img *image.NRGBA, f float64) *image.NRGBA {
	sm := Kernel3(img, smooth)
	return blendOp(img, f, func(p []uint8, i int) (float64, float64, float64) {
		return float64(sm.Pix[i]), float64(sm.Pix[i+1]), float64(sm.Pix[i+2])
	})
}

// A 3x3 kernel of ImageFilter: weights, scale and offset.
type kernel struct {
	k             [9]float64
	scale, offset float64
}

var (
	smooth      = kernel{[9]float64{1, 1, 1, 1, 5, 1, 1, 1, 1}, 13, 0}
	sharpen     = kernel{[9]float64{-2, -2, -2, -2, 32, -2, -2, -2, -2}, 16, 0}
	edgeEnhance = kernel{[9]float64{-1, -1, -1, -1, 10, -1, -1, -1, -1}, 2, 0}
	detail      = kernel{[9]float64{0, -1, 0, -1, 10, -1, 0, -1, 0}, 6, 0}
)

// Kernel3 filters with a 3x3 kernel as Pillow does: the border pixels
// are copied unchanged.
func Kernel3(img *image.NRGBA, k kernel) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < 3 || h < 3 {
		return out
	}
	var kk [9]float64
	for i := range kk {
		kk[i] = k.k[i] / k.scale
	}
	st := img.Stride
	media.Rows(h, func(y0, y1 int) {
		for y := max(1, y0); y < min(h-1, y1); y++ {
			for x := 1; x < w-1; x++ {
				o := y*st + 4*x
				for c := range 3 {
					p := img.Pix[o+c:]
					v := kk[0]*float64(img.Pix[o+c-st-4]) + kk[1]*float64(img.Pix[o+c-st]) + kk[2]*float64(img.Pix[o+c-st+4]) +
						kk[3]*float64(img.Pix[o+c-4]) + kk[4]*float64(p[0]) + kk[5]*float64(img.Pix[o+c+4]) +
						kk[6]*float64(img.Pix[o+c+st-4]) + kk[7]*float64(img.Pix[o+c+st]) + kk[8]*float64(img.Pix[o+c+st+4])
					out.Pix[o+c] = clip8(v + k.offset)
				}
			}
		}
	})
	return out
}

func histograms(img *image.NRGBA) (h [3][256]int) {
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		s := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for i := 0; i < len(s); i += 4 {
			h[0][s[i]]++
			h[1][s[i+1]]++
			h[2][s[i+2]]++
		}
	}
	return h
}

// AutoContrast is ImageOps.autocontrast: per channel, cut cutoff percent
// of the darkest and lightest pixels and stretch the rest to 0-255.
func AutoContrast(img *image.NRGBA, cutoff float64) *image.NRGBA {
	hs := histograms(img)
	var lut [3][256]uint8
	for c := range 3 {
		h := hs[c]
		if cutoff > 0 {
			n := 0
			for _, v := range h {
				n += v
			}
			cut := int(float64(n) * cutoff / 100)
			for lo := 0; lo < 256 && cut > 0; lo++ {
				if cut > h[lo] {
					cut -= h[lo]
					h[lo] = 0
				} else {
					h[lo] -= cut
					cut = 0
				}
			}
			cut = int(float64(n) * cutoff / 100)
			for hi := 255; hi >= 0 && cut > 0; hi-- {
				if cut > h[hi] {
					cut -= h[hi]
					h[hi] = 0
				} else {
					h[hi] -= cut
					cut = 0
				}
			}
		}
		lo, hi := 0, 255
		for lo < 256 && h[lo] == 0 {
			lo++
		}
		for hi >= 0 && h[hi] == 0 {
			hi--
		}
		for v := range 256 {
			if hi <= lo {
				lut[c][v] = uint8(v)
				continue
			}
			scale := 255 / float64(hi-lo)
			x := int(float64(v)*scale - float64(lo)*scale)
			lut[c][v] = uint8(min(255, max(0, x)))
		}
	}
	return lutOp(img, &lut)
}

// Equalize is ImageOps.equalize: per channel histogram equalization.
func Equalize(img *image.NRGBA) *image.NRGBA {
	hs := histograms(img)
	var lut [3][256]uint8
	for c := range 3 {
		h := hs[c]
		var nz []int
		for _, v := range h {
			if v != 0 {
				nz = append(nz, v)
			}
		}
		step := 0
		if len(nz) > 1 {
			sum := 0
			for _, v := range nz {
				sum += v
			}
			step = (sum - nz[len(nz)-1]) / 255
		}
		n := step / 2
		for v := range 256 {
			if step == 0 {
				lut[c][v] = uint8(v)
				continue
			}
			lut[c][v] = uint8(min(255, n/step))
			n += h[v]
		}
	}
	return lutOp(img, &lut)
}

// boxRadius is Pillow's radius of each of the three box blurs that make
// a Gaussian blur of the given radius (its standard deviation).
func boxRadius(radius float64) float64 {
	const passes = 3
	sigma2 := radius * radius / passes
	L := math.Sqrt(12*sigma2 + 1)
	l := math.Floor((L - 1) / 2)
	a := (2*l + 1) * (l*(l+1) - 3*sigma2)
	a /= 6 * (sigma2 - (l+1)*(l+1))
	return l + a
}

// GaussianBlur is ImageFilter.GaussianBlur: three extended box blurs in
// each direction, edges extended. All four channels are blurred.
func GaussianBlur(img *image.NRGBA, radius float64) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	if radius <= 0 {
		return out
	}
	br := boxRadius(radius)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := make([]uint8, len(out.Pix))
	for range 3 {
		boxPass(out.Pix, tmp, w, h, out.Stride, 4, br, false)
		out.Pix, tmp = tmp, out.Pix
	}
	for range 3 {
		boxColumns(out.Pix, tmp, w, h, out.Stride, br)
		out.Pix, tmp = tmp, out.Pix
	}
	return out
}

// boxPass blurs src into dst along rows (or columns) with a box of
// radius r = l + a: 2l+1 whole pixels and the next on each side weighted
// a, edges extended. The sums are kept in fixed point (16 bits of
// fraction).
func boxPass(src, dst []uint8, w, h, stride, bpp int, r float64, vertical bool) {
	l := int(r)
	a := r - float64(l)
	norm := 1 / (2*r + 1)
	ww := int(a * norm * (1 << 16))
	wn := int(norm * (1 << 16))
	n, lines, step, lineStep := w, h, bpp, stride
	if vertical {
		n, lines, step, lineStep = h, w, stride, bpp
	}
	media.Rows(lines, func(y0, y1 int) {
		// buf holds one channel of a line, extended by l+1 edge pixels
		// on each side.
		buf := make([]int32, n+2*l+2)
		for line := y0; line < y1; line++ {
			base := line * lineStep
			for c := range bpp {
				first, last := int32(src[base+c]), int32(src[base+(n-1)*step+c])
				for i := 0; i <= l; i++ {
					buf[i] = first
					buf[n+l+1+i] = last
				}
				for i, o := 0, base+c; i < n; i, o = i+1, o+step {
					buf[l+1+i] = int32(src[o])
				}
				var sum int32
				for i := 1; i <= 2*l+1; i++ {
					sum += buf[i]
				}
				w1, wa := int32(wn), int32(ww)
				for x, o := 0, base+c; x < n; x, o = x+1, o+step {
					// The window of x is buf[x+1 .. x+2l+1], its edges buf[x], buf[x+2l+2].
					v := sum*w1 + (buf[x]+buf[x+2*l+2])*wa
					dst[o] = uint8(min(255, (v+1<<15)>>16))
					if x+1 < n {
						sum += buf[x+2*l+2] - buf[x+1]
					}
				}
			}
		}
	})
}

// boxColumns is boxPass down the columns, walking the rows in order (a
// running sum per column and channel) so that memory is read
// sequentially.
func boxColumns(src, dst []uint8, w, h, stride int, r float64) {
	l := int(r)
	a := r - float64(l)
	norm := 1 / (2*r + 1)
	wa := int32(a * norm * (1 << 16))
	w1 := int32(norm * (1 << 16))
	media.Rows(w, func(x0, x1 int) {
		lo, hi := 4*x0, 4*x1
		sum := make([]int32, hi-lo)
		row := func(y int) []uint8 {
			y = min(h-1, max(0, y))
			return src[y*stride+lo : y*stride+hi]
		}
		for y := -l; y <= l; y++ {
			for i, v := range row(y) {
				sum[i] += int32(v)
			}
		}
		for y := range h {
			before, after := row(y-l-1), row(y+l+1)
			d := dst[y*stride+lo : y*stride+hi]
			for i := range d {
				v := sum[i]*w1 + (int32(before[i])+int32(after[i]))*wa
				d[i] = uint8(min(255, (v+1<<15)>>16))
			}
			leaving := row(y - l)
			for i := range sum {
				sum[i] += int32(after[i]) - int32(leaving[i])
			}
		}
	})
}

// UnsharpMask is ImageFilter.UnsharpMask: where a pixel differs from its
// blurred value by more than threshold, the difference is amplified by
// percent.
func UnsharpMask(img *image.NRGBA, radius, percent float64, threshold int) *image.NRGBA {
	bl := GaussianBlur(img, radius)
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			o := y * img.Stride
			for i := o; i < o+4*w; i++ {
				if (i-o)%4 == 3 {
					out.Pix[i] = img.Pix[i]
					continue
				}
				diff := int(img.Pix[i]) - int(bl.Pix[i])
				if diff > threshold || -diff > threshold {
					out.Pix[i] = clip8(float64(img.Pix[i]) + float64(diff)*percent/100)
				} else {
					out.Pix[i] = img.Pix[i]
				}
			}
		}
	})
	return out
}

// RankFilter is ImageFilter.RankFilter: each pixel becomes the rank-th
// smallest value of its size x size neighbourhood (edges extended).
func RankFilter(img *image.NRGBA, size, rank int, tick func() error) (*image.NRGBA, error) {
	out := image.NewNRGBA(img.Rect)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	half := size / 2
	win := make([]uint8, size*size)
	for y := range h {
		if err := tick(); err != nil {
			return nil, err
		}
		for x := range w {
			for c := range 4 {
				if c == 3 {
					out.Pix[y*out.Stride+4*x+3] = img.Pix[y*img.Stride+4*x+3]
					continue
				}
				k := 0
				for dy := -half; dy <= half; dy++ {
					yy := min(h-1, max(0, y+dy))
					for dx := -half; dx <= half; dx++ {
						xx := min(w-1, max(0, x+dx))
						win[k] = img.Pix[yy*img.Stride+4*xx+c]
						k++
					}
				}
				slices.Sort(win)
				out.Pix[y*out.Stride+4*x+c] = win[min(len(win)-1, max(0, rank))]
			}
		}
	}
	return out, nil
}

// AdaptiveContrast is contrast-limited adaptive histogram equalization
// (CLAHE) of the image's luma, interpolated between grid x grid tiles,
// with the chroma kept (the original applies OpenCV's CLAHE to the L
// channel of Lab).
func AdaptiveContrast(img *image.NRGBA, clipLimit float64, grid int) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	grid = max(1, min(grid, min(w, h)))
	lum := make([]uint8, w*h)
	for y := range h {
		for x := range w {
			o := y*img.Stride + 4*x
			lum[y*w+x] = luma(img.Pix[o], img.Pix[o+1], img.Pix[o+2])
		}
	}
	tw, th := (w+grid-1)/grid, (h+grid-1)/grid
	luts := make([][256]uint8, grid*grid)
	for ty := range grid {
		for tx := range grid {
			var hist [256]int
			n := 0
			for y := ty * th; y < min(h, (ty+1)*th); y++ {
				for x := tx * tw; x < min(w, (tx+1)*tw); x++ {
					hist[lum[y*w+x]]++
					n++
				}
			}
			if n == 0 {
				for v := range 256 {
					luts[ty*grid+tx][v] = uint8(v)
				}
				continue
			}
			limit := max(1, int(clipLimit*float64(n)/256))
			excess := 0
			for v := range hist {
				if hist[v] > limit {
					excess += hist[v] - limit
					hist[v] = limit
				}
			}
			for v := range hist {
				hist[v] += excess / 256
			}
			sum := 0
			for v := range 256 {
				sum += hist[v]
				luts[ty*grid+tx][v] = uint8(min(255, sum*255/n))
			}
		}
	}
	out := image.NewNRGBA(img.Rect)
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			fy := (float64(y)+0.5)/float64(th) - 0.5
			ty0 := min(grid-1, max(0, int(math.Floor(fy))))
			ty1 := min(grid-1, ty0+1)
			ay := min(1, max(0, fy-float64(ty0)))
			for x := range w {
				fx := (float64(x)+0.5)/float64(tw) - 0.5
				tx0 := min(grid-1, max(0, int(math.Floor(fx))))
				tx1 := min(grid-1, tx0+1)
				ax := min(1, max(0, fx-float64(tx0)))
				l := lum[y*w+x]
				v := (1-ay)*((1-ax)*float64(luts[ty0*grid+tx0][l])+ax*float64(luts[ty0*grid+tx1][l])) +
					ay*((1-ax)*float64(luts[ty1*grid+tx0][l])+ax*float64(luts[ty1*grid+tx1][l]))
				d := v - float64(l)
				o := y*img.Stride + 4*x
				out.Pix[o] = clip8(float64(img.Pix[o]) + d)
				out.Pix[o+1] = clip8(float64(img.Pix[o+1]) + d)
				out.Pix[o+2] = clip8(float64(img.Pix[o+2]) + d)
				out.Pix[o+3] = img.Pix[o+3]
			}
		}
	})
	return out
}
