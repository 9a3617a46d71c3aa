package libpillow

import (
	"image"

	"nodetool/nodes/media"
)

// The lib.pillow.filter operations: ImageOps' point operations, expand,
// the built-in 3x3 kernels (see Kernel3), conversions to one band.

// Invert is ImageOps.invert: 255 - v per channel, alpha kept.
func Invert(img *image.NRGBA) *image.NRGBA {
	return lutOp(img, channelLUT(func(v int) uint8 { return uint8(255 - v) }))
}

// Solarize is ImageOps.solarize: values at or above threshold inverted.
func Solarize(img *image.NRGBA, threshold int) *image.NRGBA {
	return lutOp(img, channelLUT(func(v int) uint8 {
		if v < threshold {
			return uint8(v)
		}
		return uint8(255 - v)
	}))
}

// Posterize is ImageOps.posterize: each value keeps its top bits bits.
func Posterize(img *image.NRGBA, bits int) *image.NRGBA {
	mask := ^(1<<(8-bits) - 1)
	return lutOp(img, channelLUT(func(v int) uint8 { return uint8(v & mask) }))
}

func channelLUT(f func(v int) uint8) *[3][256]uint8 {
	var lut [3][256]uint8
	for v := range 256 {
		lut[0][v] = f(v)
	}
	lut[1], lut[2] = lut[0], lut[0]
	return &lut
}

// Expand is ImageOps.expand: the image centered on an opaque gray
// (fill, fill, fill) canvas border pixels larger on each side. The caller
// sizes the result first.
func Expand(img *image.NRGBA, border int, fill uint8) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w+2*border, h+2*border))
	media.Rows(out.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			d := out.Pix[y*out.Stride : y*out.Stride+4*out.Rect.Dx()]
			sy := y - border
			if sy < 0 || sy >= h {
				fillRow(d, fill)
				continue
			}
			fillRow(d[:4*border], fill)
			copy(d[4*border:], img.Pix[sy*img.Stride:sy*img.Stride+4*w])
			fillRow(d[4*(border+w):], fill)
		}
	})
	return out
}

func fillRow(d []uint8, v uint8) {
	for i := 0; i < len(d); i += 4 {
		d[i], d[i+1], d[i+2], d[i+3] = v, v, v, 255
	}
}

// Grayscale is Image.convert("L"): the 601-2 luma, one band (alpha
// dropped, as the original's RGB image has none).
func Grayscale(img *image.NRGBA) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+w]
			for x := range d {
				d[x] = luma(s[4*x], s[4*x+1], s[4*x+2])
			}
		}
	})
	return out
}

// Channel is Image.getchannel: band c (0 red, 1 green, 2 blue) as a
// one-band image.
func Channel(img *image.NRGBA, c int) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := img.Pix[y*img.Stride : y*img.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+w]
			for x := range d {
				d[x] = s[4*x+c]
			}
		}
	})
	return out
}

// Blend is Image.blend: a + alpha*(b - a) per channel (alpha too) in
// float32, clipped and truncated (ImagingBlend). a and b have the same
// size.
func Blend(a, b *image.NRGBA, alpha float64) *image.NRGBA {
	out := image.NewNRGBA(a.Rect)
	f := float32(alpha)
	w := a.Rect.Dx()
	media.Rows(a.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s1 := a.Pix[y*a.Stride : y*a.Stride+4*w]
			s2 := b.Pix[y*b.Stride : y*b.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			switch f {
			case 0:
				copy(d, s1)
			case 1:
				copy(d, s2)
			default:
				for i := range d {
					d[i] = clipTrunc(float32(s1[i]) + f*float32(int(s2[i])-int(s1[i])))
				}
			}
		}
	})
	return out
}

// MaskValues is the mask of Composite: its alpha where it has
// transparency (Pillow composites by an RGBA mask's alpha), else its gray
// level (an "L" mask), one byte a pixel.
func MaskValues(m *image.NRGBA) []uint8 {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	out := make([]uint8, w*h)
	opaque := m.Opaque()
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s := m.Pix[y*m.Stride : y*m.Stride+4*w]
			d := out[y*w : y*w+w]
			for x := range d {
				if opaque {
					d[x] = luma(s[4*x], s[4*x+1], s[4*x+2])
				} else {
					d[x] = s[4*x+3]
				}
			}
		}
	})
	return out
}

// Composite is Image.composite(a, b, mask): b with a pasted through the
// mask (w*h values), every channel blended as Pillow's paste does:
// (a*m + b*(255-m)) / 255, rounded.
func Composite(a, b *image.NRGBA, mask []uint8) *image.NRGBA {
	out := image.NewNRGBA(a.Rect)
	w := a.Rect.Dx()
	media.Rows(a.Rect.Dy(), func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			s1 := a.Pix[y*a.Stride : y*a.Stride+4*w]
			s2 := b.Pix[y*b.Stride : y*b.Stride+4*w]
			d := out.Pix[y*out.Stride : y*out.Stride+4*w]
			m := mask[y*w : y*w+w]
			for i := range d {
				k := uint32(m[i/4])
				t := uint32(s2[i])*(255-k) + uint32(s1[i])*k + 128
				d[i] = uint8((t + t>>8) >> 8)
			}
		}
	})
	return out
}
