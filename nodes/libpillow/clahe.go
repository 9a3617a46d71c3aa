package libpillow

import (
	"image"
	"math"
	"sync"

	"nodetool/nodes/media"
)

// AdaptiveContrast is the original's adaptive_contrast: OpenCV's CLAHE
// (contrast-limited adaptive histogram equalization) of the lightness of
// the image in 8-bit Lab, a and b kept. As the original, the RGB pixels
// are handed to OpenCV's BGR conversions, so red and blue swap roles in
// the lightness (the round trip puts them back). The Lab conversion to 8
// bits is OpenCV's fixed-point one; the way back is computed in float64
// where OpenCV interpolates tables (a level apart for a few percent of
// the pixels). Alpha is kept.
func AdaptiveContrast(img *image.NRGBA, clipLimit float64, grid int) *image.NRGBA {
	labTablesOnce.Do(initLabTables)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	lab := make([]uint8, 3*w*h)
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := lab[3*w*y : 3*w*(y+1)]
			for x := range w {
				// OpenCV's R is our blue, its B our red.
				d[3*x], d[3*x+1], d[3*x+2] = rgbToLab8(s[4*x+2], s[4*x+1], s[4*x])
			}
		}
	})
	l := make([]uint8, w*h)
	for i := range l {
		l[i] = lab[3*i]
	}
	l = clahe(l, w, h, clipLimit, grid, grid)
	out := image.NewNRGBA(img.Rect)
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			for x := range w {
				i := y*w + x
				r, g, b := lab8ToRGB(l[i], lab[3*i+1], lab[3*i+2])
				d[4*x], d[4*x+1], d[4*x+2], d[4*x+3] = b, g, r, s[4*x+3]
			}
		}
	})
	return out
}

// OpenCV's fixed-point RGB to Lab (8 bits): sRGB gamma table, XYZ
// coefficients over the D65 white point in 12 bits, cube-root table in 15
// bits.
var (
	labTablesOnce sync.Once
	srgbGamma     [256]int32
	labCbrt       [3072]int32
	labCoeffs     [9]int32
)

var (
	srgbToXYZ = [9]float64{0.412453, 0.357580, 0.180423, 0.212671, 0.715160, 0.072169, 0.019334, 0.119193, 0.950227}
	xyzToSRGB = [9]float64{3.240479, -1.53715, -0.498535, -0.969256, 1.875991, 0.041556, 0.055648, -0.204043, 1.057311}
	d65       = [3]float64{0.950456, 1, 1.088754}
)

func initLabTables() {
	for i := range srgbGamma {
		x := float64(i) / 255
		if x <= 0.04045 {
			x /= 12.92
		} else {
			x = math.Pow((x+0.055)/1.055, 2.4)
		}
		srgbGamma[i] = int32(math.RoundToEven(255 * 8 * x))
	}
	for i := range labCbrt {
		x := float64(i) / (255 * 8)
		if x < 0.008856 {
			x = x*7.787 + 16.0/116
		} else {
			x = math.Cbrt(x)
		}
		labCbrt[i] = int32(math.RoundToEven(32768 * x))
	}
	for i := range 3 {
		for j := range 3 {
			labCoeffs[3*i+j] = int32(math.RoundToEven(4096 * srgbToXYZ[3*i+j] / d65[i]))
		}
	}
}

func descale(v int32, n uint) int32 { return (v + 1<<(n-1)) >> n }

func sat8(v int32) uint8 { return uint8(min(max(v, 0), 255)) }

// rgbToLab8 is OpenCV's RGB2Lab_b: L scaled to 0..255, a and b offset by
// 128.
func rgbToLab8(r, g, b uint8) (L, A, B uint8) {
	R, G, Bl := srgbGamma[r], srgbGamma[g], srgbGamma[b]
	c := &labCoeffs
	fX := labCbrt[descale(R*c[0]+G*c[1]+Bl*c[2], 12)]
	fY := labCbrt[descale(R*c[3]+G*c[4]+Bl*c[5], 12)]
	fZ := labCbrt[descale(R*c[6]+G*c[7]+Bl*c[8], 12)]
	const lscale = (116*255 + 50) / 100
	const lshift = -((16*255*(1<<15) + 50) / 100)
	return sat8(descale(lscale*fY+lshift, 15)), sat8(descale(500*(fX-fY)+128*(1<<15), 15)), sat8(descale(200*(fY-fZ)+128*(1<<15), 15))
}

// lab8ToRGB is OpenCV's Lab to RGB for 8 bits, in float64.
func lab8ToRGB(L, A, B uint8) (r, g, b uint8) {
	li := float64(L) * 100 / 255
	ai, bi := float64(A)-128, float64(B)-128
	var y, fy float64
	if li <= 0.008856*903.3 {
		y = li / 903.3
		fy = 7.787*y + 16.0/116
	} else {
		fy = (li + 16) / 116
		y = fy * fy * fy
	}
	inv := func(f float64) float64 {
		if f <= 7.787*0.008856+16.0/116 {
			return (f - 16.0/116) / 7.787
		}
		return f * f * f
	}
	x, z := inv(ai/500+fy), inv(fy-bi/200)
	xyz := [3]float64{x * d65[0], y * d65[1], z * d65[2]}
	var out [3]uint8
	for i := range 3 {
		v := xyzToSRGB[3*i]*xyz[0] + xyzToSRGB[3*i+1]*xyz[1] + xyzToSRGB[3*i+2]*xyz[2]
		v = min(max(v, 0), 1)
		if v <= 0.0031308 {
			v *= 12.92
		} else {
			v = 1.055*math.Pow(v, 1/2.4) - 0.055
		}
		out[i] = uint8(min(max(math.RoundToEven(v*255), 0), 255))
	}
	return out[0], out[1], out[2]
}

// reflect101 is OpenCV's BORDER_REFLECT_101 index into n pixels.
func reflect101(p, n int) int {
	if n == 1 {
		return 0
	}
	for p < 0 || p >= n {
		if p < 0 {
			p = -p
		} else {
			p = 2*(n-1) - p
		}
	}
	return p
}

// roundF32 is OpenCV's saturate_cast<uchar> of a float: rounded to
// nearest (ties to even), clipped.
func roundF32(v float32) uint8 {
	return uint8(min(max(math.RoundToEven(float64(v)), 0), 255))
}

// clahe is OpenCV's CLAHE.apply on one 8-bit plane: the plane is cut into
// tx x ty tiles (extended by reflection to a multiple of the grid), each
// tile's histogram clipped at clipLimit times its mean bin and the excess
// spread over every bin, each tile's equalization table computed, and
// every pixel mapped through the tables of its four nearest tile centers,
// interpolated (float32, as OpenCV).
func clahe(src []uint8, w, h int, clipLimit float64, tx, ty int) []uint8 {
	ew, eh := w, h
	if w%tx != 0 || h%ty != 0 {
		ew, eh = w+tx-w%tx, h+ty-h%ty
	}
	tw, th := ew/tx, eh/ty
	area := tw * th
	const bins = 256
	lutScale := float32(bins-1) / float32(area)
	limit := 0
	if clipLimit > 0 {
		limit = max(int(clipLimit*float64(area)/bins), 1)
	}
	luts := make([]uint8, tx*ty*bins)
	media.Rows(tx*ty, func(t0, t1 int) {
		for t := t0; t < t1; t++ {
			var hist [bins]int
			bx, by := (t%tx)*tw, (t/tx)*th
			for y := by; y < by+th; y++ {
				row := src[reflect101(y, h)*w:]
				for x := bx; x < bx+tw; x++ {
					hist[row[reflect101(x, w)]]++
				}
			}
			if limit > 0 {
				clipped := 0
				for i := range hist {
					if hist[i] > limit {
						clipped += hist[i] - limit
						hist[i] = limit
					}
				}
				batch := clipped / bins
				residual := clipped - batch*bins
				for i := range hist {
					hist[i] += batch
				}
				if residual != 0 {
					step := max(bins/residual, 1)
					for i := 0; i < bins && residual > 0; i, residual = i+step, residual-1 {
						hist[i]++
					}
				}
			}
			lut := luts[t*bins : (t+1)*bins]
			sum := 0
			for i := range hist {
				sum += hist[i]
				lut[i] = roundF32(float32(sum) * lutScale)
			}
		}
	})
	out := make([]uint8, w*h)
	invW, invH := 1/float32(tw), 1/float32(th)
	x1s, x2s := make([]int, w), make([]int, w)
	xas := make([]float32, w)
	for x := range w {
		txf := float32(x)*invW - 0.5
		t1 := int(math.Floor(float64(txf)))
		xas[x] = txf - float32(t1)
		x1s[x], x2s[x] = max(t1, 0)*bins, min(t1+1, tx-1)*bins
	}
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			tyf := float32(y)*invH - 0.5
			t1 := int(math.Floor(float64(tyf)))
			ya := tyf - float32(t1)
			ya1 := 1 - ya
			p1 := luts[max(t1, 0)*tx*bins:]
			p2 := luts[min(t1+1, ty-1)*tx*bins:]
			for x := range w {
				v := int(src[y*w+x])
				xa := xas[x]
				xa1 := 1 - xa
				res := (float32(p1[x1s[x]+v])*xa1+float32(p1[x2s[x]+v])*xa)*ya1 +
					(float32(p2[x1s[x]+v])*xa1+float32(p2[x2s[x]+v])*xa)*ya
				out[y*w+x] = roundF32(res)
			}
		}
	})
	return out
}
