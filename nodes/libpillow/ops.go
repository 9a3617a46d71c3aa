package libpillow

import (
	"image"

	"nodetool/nodes/media"
)

// The image operations, on NRGBA images (Pillow's RGBA mode), following
// Pillow's definitions (ImageEnhance, ImageOps, ImageFilter). Alpha is
// kept as it is. Each works on every core (media.Rows).

// luma is Pillow's RGB to L conversion (ITU-R 601-2, fixed point).
func luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// clipTrunc is Pillow's float to 8 bits of ImagingBlend: clipped to
// 0..255 and truncated.
func clipTrunc(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// blendTable is ImagingBlend of every degenerate value d with every
// value v: tab[d<<8|v] = d + f*(v - d) in float32, clipped and truncated
// (64 KiB: the per-pixel work becomes a lookup).
func blendTable(f float64) *[1 << 16]uint8 {
	var tab [1 << 16]uint8
	a := float32(f)
	for d := range 256 {
		for v := range 256 {
			switch a {
			case 0:
				tab[d<<8|v] = uint8(d)
			case 1:
				tab[d<<8|v] = uint8(v)
			default:
				tab[d<<8|v] = clipTrunc(float32(d) + a*float32(v-d))
			}
		}
	}
	return &tab
}

// blendOp is Pillow's ImageEnhance: Image.blend(degenerate, image, f)
// per channel (see blendTable), alpha kept (ImageEnhance puts the image's
// alpha into the degenerate image). The degenerate image is gray (the
// luma of each pixel) when deg is nil.
func blendOp(img *image.NRGBA, f float64, deg *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	w := img.Rect.Dx()
	tab := blendTable(f)
	media.Rows(img.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			if deg == nil {
				for i := 0; i+3 < len(s) && i+3 < len(d); i += 4 {
					l := int(luma(s[i], s[i+1], s[i+2])) << 8
					d[i] = tab[l|int(s[i])]
					d[i+1] = tab[l|int(s[i+1])]
					d[i+2] = tab[l|int(s[i+2])]
					d[i+3] = s[i+3]
				}
				continue
			}
			g := deg.Pix[y*deg.Stride : y*deg.Stride+4*w]
			for i := 0; i+3 < len(s) && i+3 < len(d) && i+3 < len(g); i += 4 {
				d[i] = tab[int(g[i])<<8|int(s[i])]
				d[i+1] = tab[int(g[i+1])<<8|int(s[i+1])]
				d[i+2] = tab[int(g[i+2])<<8|int(s[i+2])]
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

// blendLUT is the table of ImagingBlend of a uniform degenerate value deg
// with each value v.
func blendLUT(deg uint8, f float64) *[3][256]uint8 {
	var lut [3][256]uint8
	a := float32(f)
	for v := range 256 {
		switch a {
		case 0:
			lut[0][v] = deg
		case 1:
			lut[0][v] = uint8(v)
		default:
			lut[0][v] = clipTrunc(float32(deg) + a*float32(v-int(deg)))
		}
	}
	lut[1], lut[2] = lut[0], lut[0]
	return &lut
}

// Brightness is ImageEnhance.Brightness: a blend with black.
func Brightness(img *image.NRGBA, f float64) *image.NRGBA {
	return lutOp(img, blendLUT(0, f))
}

// Contrast is ImageEnhance.Contrast: a blend with the gray of the
// image's mean luma (rounded).
func Contrast(img *image.NRGBA, f float64) *image.NRGBA {
	var sum, n float64
	w := img.Rect.Dx()
	for y := 0; y < img.Rect.Dy(); y++ {
		s := img.Pix[y*img.Stride : y*img.Stride+4*w]
		var row uint64
		for i := 0; i < len(s); i += 4 {
			row += uint64(luma(s[i], s[i+1], s[i+2]))
		}
		sum += float64(row)
		n += float64(w)
	}
	mean := int(sum/max(n, 1) + 0.5)
	return lutOp(img, blendLUT(uint8(mean), f))
}

// Color is ImageEnhance.Color: a blend with the image in gray.
func Color(img *image.NRGBA, f float64) *image.NRGBA {
	return blendOp(img, f, nil)
}

// Sharpness is ImageEnhance.Sharpness: a blend with the SMOOTH-filtered
// image.
func Sharpness(img *image.NRGBA, f float64) *image.NRGBA {
	return blendOp(img, f, Kernel3(img, smooth))
}

// A 3x3 kernel of ImageFilter: weights (row by row, as ImageFilter lists
// them), scale and offset.
type kernel struct {
	k             [9]float32
	scale, offset float32
}

var (
	smooth      = kernel{[9]float32{1, 1, 1, 1, 5, 1, 1, 1, 1}, 13, 0}
	sharpen     = kernel{[9]float32{-2, -2, -2, -2, 32, -2, -2, -2, -2}, 16, 0}
	edgeEnhance = kernel{[9]float32{-1, -1, -1, -1, 10, -1, -1, -1, -1}, 2, 0}
	detail      = kernel{[9]float32{0, -1, 0, -1, 10, -1, 0, -1, 0}, 6, 0}
	contour     = kernel{[9]float32{-1, -1, -1, -1, 8, -1, -1, -1, -1}, 1, 255}
	emboss      = kernel{[9]float32{-1, 0, 0, 0, 1, 0, 0, 0, 0}, 1, 128}
	findEdges   = kernel{[9]float32{-1, -1, -1, -1, 8, -1, -1, -1, -1}, 1, 0}
)

// clipRound is the float to 8 bits of Pillow's ImagingFilter: the sum
// already holds 0.5 for rounding; clipped and truncated.
func clipRound(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// Kernel3 filters with a 3x3 kernel as Pillow's ImagingFilter does: in
// float32, the kernel's first row weighing the row below the pixel (its
// rows are flipped), rounded; the border pixels are copied unchanged.
// Alpha is kept.
func Kernel3(img *image.NRGBA, k kernel) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < 3 || h < 3 {
		return out
	}
	var kk [9]float32
	for i := range kk {
		kk[i] = k.k[i] / k.scale
	}
	offset := k.offset + 0.5
	st := img.Stride
	media.Rows(h, func(y0, y1 int) {
		for y := max(1, y0); y < min(h-1, y1); y++ {
			above := img.Pix[(y-1)*st : (y-1)*st+4*w]
			mid := img.Pix[y*st : y*st+4*w]
			below := img.Pix[(y+1)*st : (y+1)*st+4*w]
			d := out.Pix[y*st : y*st+4*w]
			for o := 4; o < 4*(w-1); o += 4 {
				for c := o; c < o+3; c++ {
					ss := offset
					ss += float32(below[c-4])*kk[0] + float32(below[c])*kk[1] + float32(below[c+4])*kk[2]
					ss += float32(mid[c-4])*kk[3] + float32(mid[c])*kk[4] + float32(mid[c+4])*kk[5]
					ss += float32(above[c-4])*kk[6] + float32(above[c])*kk[7] + float32(above[c+4])*kk[8]
					d[c] = clipRound(ss)
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
