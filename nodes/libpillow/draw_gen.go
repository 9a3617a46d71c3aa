package libpillow

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"nodetool/engine"
	"nodetool/nodes/media"
)

// registerGen adds the lib.pillow.draw nodes that make an image from
// nothing: Background and GaussianNoise.
func registerGen(r *engine.Registry) {
	size := func(name string, hi float64) engine.Prop { return engine.P(name, "int", "512", "").Range(1, hi) }
	out := func(ctx *engine.Ctx, w, h, hi int64, fill func(img *image.NRGBA)) (map[string]any, error) {
		if w < 1 || h < 1 || w > hi || h > hi {
			return nil, fmt.Errorf("image size %dx%d: each side must be from 1 to %d", w, h, hi)
		}
		if err := media.CheckPixels(ctx, int(w), int(h), 4); err != nil {
			return nil, err
		}
		img := image.NewNRGBA(image.Rect(0, 0, int(w), int(h)))
		fill(img)
		ref, err := media.ImageOut(ctx, img)
		if err != nil {
			return nil, err
		}
		return engine.Single(ref), nil
	}
	r.Add(&engine.NodeDef{
		Type: "lib.pillow.draw.Background", Title: "Background",
		Description: "The Background Node creates a blank background.\n    image, background, blank, base, layer\n    This node is mainly used for generating a base layer for image processing tasks. It produces a uniform image, having a user-specified width, height and color. The color is given in a hexadecimal format, defaulting to white if not specified.\n\n    #### Applications\n    - As a base layer for creating composite images.\n    - As a starting point for generating patterns or graphics.\n    - When blank backgrounds of specific colors are required for visualization tasks.",
		Props:       []engine.Prop{size("width", 4096), size("height", 4096), engine.P("color", "color", `{"type": "color", "value": "#FFFFFF"}`, "")},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"width", "height", "color"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			c, err := parseColor(in.Get("color"))
			if err != nil {
				return nil, err
			}
			c.A = 255 // an RGB image, as the original's
			return out(ctx, in.Int("width"), in.Int("height"), 4096, func(img *image.NRGBA) {
				for i := 0; i < len(img.Pix); i += 4 {
					img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
				}
			})
		},
	})
	r.Add(&engine.NodeDef{
		Type: "lib.pillow.draw.GaussianNoise", Title: "Gaussian Noise",
		Description: "This node creates and adds Gaussian noise to an image.\n    image, noise, gaussian, distortion, artifact\n\n    The Gaussian Noise Node is designed to simulate realistic distortions that can occur in a photographic image. It generates a noise-filled image using the Gaussian (normal) distribution. The noise level can be adjusted using the mean and standard deviation parameters.\n\n    #### Applications\n    - Simulating sensor noise in synthetic data.\n    - Testing image-processing algorithms' resilience to noise.\n    - Creating artistic effects in images." +
			"\n\n    As the original: each RGB channel is normal(mean, stddev) clipped to 0..1 and scaled to 0..255.",
		Props: []engine.Prop{
			engine.P("mean", "float", "0.0", ""), engine.P("stddev", "float", "1.0", ""),
			size("width", 1024), size("height", 1024),
		},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"mean", "stddev", "width", "height"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			mean, sd := in.Float("mean"), in.Float("stddev")
			return out(ctx, in.Int("width"), in.Int("height"), 1024, func(img *image.NRGBA) {
				for i := 0; i < len(img.Pix); i += 4 {
					for c := range 3 {
						v := math.Min(math.Max(mean+sd*rand.NormFloat64(), 0), 1)
						img.Pix[i+c] = uint8(v * 255)
					}
					img.Pix[i+3] = 255
				}
			})
		},
	})
}
