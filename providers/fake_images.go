package providers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
)

// fakeImageSide bounds each side of a fake image.
const fakeImageSide = 8192

// GenerateImage makes a deterministic PNG of the requested size (512x512
// when none is given): a diagonal gradient between two colors and a
// block pattern, all derived from the SHA-256 of the model, prompt,
// negative prompt, input image and mask (quality and background are not
// drawn), so equal requests give equal images
// and different prompts different ones. Its pixels (4 bytes each) are
// counted against MaxBytes before anything is allocated. Model
// "fail-before" fails with a 500 *Error.
func (f *Fake) GenerateImage(ctx context.Context, req *ImageRequest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if req.Model == "fail-before" {
		return nil, fakeError(500, "the fake image model failed as asked")
	}
	w, h := req.Width, req.Height
	if w <= 0 || h <= 0 {
		w, h = 512, 512
	}
	if w > fakeImageSide || h > fakeImageSide {
		return nil, fakeError(400, fmt.Sprintf("image size %dx%d: each side must be at most %d", w, h, fakeImageSide))
	}
	if px := int64(w) * int64(h) * 4; req.MaxBytes > 0 && px > req.MaxBytes {
		return nil, fakeError(400, fmt.Sprintf("a %dx%d image needs %d bytes, over the limit of %d", w, h, px, req.MaxBytes))
	}
	hs := sha256.New()
	for _, s := range []string{req.Model, req.Prompt, req.NegativePrompt} {
		fmt.Fprintf(hs, "%d:%s", len(s), s)
	}
	hs.Write(req.Image)
	if req.Mask != nil {
		fmt.Fprintf(hs, "mask:%d:", len(req.Mask))
		hs.Write(req.Mask)
	}
	sum := hs.Sum(nil)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	block := max(w, h)/8 + 1
	for y := range h {
		for x := range w {
			t := (x + y) * 255 / (w + h)
			o := img.PixOffset(x, y)
			for c := range 3 {
				v := (int(sum[c])*(255-t) + int(sum[3+c])*t) / 255
				if (x/block+y/block)%2 == 0 {
					v ^= int(sum[6+c]) & 0x3f
				}
				img.Pix[o+c] = uint8(v)
			}
			img.Pix[o+3] = 255
		}
		if y%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
