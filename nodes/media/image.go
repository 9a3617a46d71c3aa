package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"

	// Decoders registered with package image: PNG, JPEG and GIF above,
	// WebP here (the standard library has no WebP decoder).
	_ "golang.org/x/image/webp"

	"nodetool/engine"
	"nodetool/lang/pyval"
)

// MaxPixels bounds any image decoded or made, whatever the max-value
// budget (a 16384x16384 image).
const MaxPixels = 1 << 28

// ErrNotImage is the error of decoding content that is no image of a
// supported format.
var ErrNotImage = errors.New("not an image in a supported format (PNG, JPEG, GIF, WebP)")

// CheckPixels sizes an image of w x h pixels of bpp bytes each against
// the pixel limit and the max-value budget b, before it is allocated.
func CheckPixels(b pyval.Budget, w, h, bpp int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("an image of %dx%d pixels has no pixels", w, h)
	}
	px := int64(w) * int64(h)
	if px > MaxPixels || int64(w) > MaxPixels || int64(h) > MaxPixels {
		return b.CheckSize(-1)
	}
	return b.CheckSize(px * int64(bpp))
}

// DecodeConfig reads an image's format and size from its header.
func DecodeConfig(data []byte) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return cfg, "", ErrNotImage
		}
		return cfg, "", fmt.Errorf("bad image: %w", err)
	}
	return cfg, format, nil
}

// DecodeImage decodes PNG, JPEG, GIF (its first frame) or WebP content.
// The size is read from the header first and counted against the pixel
// limit and max-value (4 bytes a pixel, what the nodes work on), so a
// decompression bomb is refused before anything is decoded.
func DecodeImage(b pyval.Budget, data []byte) (image.Image, string, error) {
	cfg, format, err := DecodeConfig(data)
	if err != nil {
		return nil, "", err
	}
	bpp := 4
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model:
		bpp = 8
	}
	if err := CheckPixels(b, cfg.Width, cfg.Height, bpp); err != nil {
		return nil, "", err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("bad %s image: %w", format, err)
	}
	return img, format, nil
}

// Image reads ref v through s and decodes it as an image, as NRGBA
// (Pillow's RGBA mode: straight alpha) that the caller may change.
func (s Sources) Image(ctx *engine.Ctx, v any) (*image.NRGBA, error) {
	data, err := s.Read(ctx, v)
	if err != nil {
		return nil, err
	}
	img, _, err := DecodeImage(ctx, data)
	if err != nil {
		return nil, err
	}
	return NRGBA(img), nil
}

// NRGBA converts img to *image.NRGBA with its origin at (0, 0). An NRGBA
// image at the origin is returned as it is, not copied.
func NRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) {
		return n
	}
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.YCbCr:
		Rows(b.Dy(), func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				row := out.Pix[y*out.Stride:]
				for x := 0; x < b.Dx(); x++ {
					yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
					ci := src.COffset(b.Min.X+x, b.Min.Y+y)
					r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
					row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, bl, 255
				}
			}
		})
	case *image.RGBA:
		Rows(b.Dy(), func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
				d := out.Pix[y*out.Stride:]
				for x := 0; x < b.Dx(); x++ {
					a := s[4*x+3]
					switch a {
					case 255:
						copy(d[4*x:4*x+4], s[4*x:4*x+4])
					case 0:
						d[4*x], d[4*x+1], d[4*x+2], d[4*x+3] = 0, 0, 0, 0
					default:
						d[4*x] = uint8(uint32(s[4*x]) * 255 / uint32(a))
						d[4*x+1] = uint8(uint32(s[4*x+1]) * 255 / uint32(a))
						d[4*x+2] = uint8(uint32(s[4*x+2]) * 255 / uint32(a))
						d[4*x+3] = a
					}
				}
			}
		})
	default:
		Rows(b.Dy(), func(y0, y1 int) {
			r := image.Rect(0, y0, b.Dx(), y1)
			draw.Draw(out, r, img, image.Pt(b.Min.X, b.Min.Y+y0), draw.Src)
		})
	}
	return out
}

// Rows runs fn over [0, h) split in bands, one per CPU, and waits: the
// per-pixel work of the image nodes uses every core. Small images run on
// the calling goroutine.
func Rows(h int, fn func(y0, y1 int)) {
	n := runtime.GOMAXPROCS(0)
	if n > h/16 {
		n = max(1, h/16)
	}
	if n <= 1 {
		fn(0, h)
		return
	}
	var wg sync.WaitGroup
	step := (h + n - 1) / n
	for y0 := 0; y0 < h; y0 += step {
		y1 := min(h, y0+step)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(y0, y1)
		}()
	}
	wg.Wait()
}

// EncodePNG encodes img as PNG within max-value (sized before encoding:
// raw pixels plus the format's overhead). Opaque images are written
// without an alpha channel, as Pillow writes RGB images.
func EncodePNG(b pyval.Budget, img image.Image) ([]byte, error) {
	r := img.Bounds()
	if err := CheckPixels(b, r.Dx(), r.Dy(), 4); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encoding PNG: %w", err)
	}
	if err := b.CheckSize(int64(buf.Len())); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodeJPEG encodes img as JPEG of the given quality (1-100).
func EncodeJPEG(b pyval.Budget, img image.Image, quality int) ([]byte, error) {
	r := img.Bounds()
	if err := CheckPixels(b, r.Dx(), r.Dy(), 4); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: min(100, max(1, quality))}); err != nil {
		return nil, fmt.Errorf("encoding JPEG: %w", err)
	}
	return buf.Bytes(), nil
}

// EncodeGIF encodes img as a GIF (a 256-color palette).
func EncodeGIF(b pyval.Budget, img image.Image) ([]byte, error) {
	r := img.Bounds()
	if err := CheckPixels(b, r.Dx(), r.Dy(), 4); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		return nil, fmt.Errorf("encoding GIF: %w", err)
	}
	return buf.Bytes(), nil
}

// ImageOut encodes img as a PNG image ref, the value an image node
// outputs.
func ImageOut(b pyval.Budget, img image.Image) (*pyval.Dict, error) {
	data, err := EncodePNG(b, img)
	if err != nil {
		return nil, err
	}
	return ImageRef(data), nil
}
