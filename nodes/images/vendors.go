package images

import (
	"fmt"
	"strconv"
	"strings"

	"nodetool/engine"
	"nodetool/providers"
)

func sizeError(w, h int64) error {
	return fmt.Errorf("image size %dx%d: each side must be from 1 to %d", w, h, MaxSide)
}

// aspectSize is the size of an image of the aspect ratio "W:H" whose long
// side is long ("auto" and unknown ratios are square).
func aspectSize(ratio string, long int) (int, int) {
	a, b, ok := strings.Cut(ratio, ":")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || x < 1 || y < 1 {
		return long, long
	}
	if x >= y {
		return long, max(8, (long*y/x+4)/8*8)
	}
	return max(8, (long*x/y+4)/8*8), long
}

// registerVendors adds the vendor image model nodes the examples use. They
// run on the server's image provider under the vendor's own name (provider
// "kie" or "fal", model the vendor's id), so the model map decides where
// they go: --model-map '*=fake/fake-model' runs them on the fake.
func (l *lib) registerVendors(r *engine.Registry) {
	r.Add(&engine.NodeDef{
		Type:        "kie.image.NanoBanana",
		Title:       "Nano Banana",
		Description: "Generate images using Google's Nano Banana model (Gemini 2.5) via Kie.ai.\n\n    kie, nano-banana, google, gemini, image generation, ai, text-to-image, fast",
		Props: []engine.Prop{
			engine.P("timeout_seconds", "int", "0", "Timeout in seconds for API calls (0 = use default)").Range(0, 3600),
			engine.P("prompt", "str", `""`, "The text prompt describing the image to generate."),
			engine.P("image_size", "enum(1:1, 9:16, 16:9, 3:4, 4:3, 3:2, 2:3, 5:4, 4:5, 21:9, auto)", `"1:1"`, "The size of the output image.").Enum("nodetool.nodes.kie.image.NanoBanana.ImageSize"),
		},
		Outputs:          engine.Out("output", "image"),
		BasicFields:      []string{"timeout_seconds", "prompt", "image_size"},
		RequiredSettings: []string{"KIE_API_KEY"},
		ExposeAsTool:     true,
		Check:            l.check("kie", "google/nano-banana"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			w, h := aspectSize(in.Str("image_size"), 1024)
			ref, err := l.generate(ctx, "kie", "google/nano-banana", &providers.ImageRequest{Prompt: in.Str("prompt"), Width: w, Height: h, Seed: -1}, in.Int("timeout_seconds"))
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
	// fal.text_to_image.NanoBanana2 is not in the catalog; its properties
	// are those the Travel Planner example sets.
	r.Add(&engine.NodeDef{
		Type:        "fal.text_to_image.NanoBanana2",
		Title:       "Nano Banana 2",
		Description: "Generates images with Google's Nano Banana 2 through fal.ai, here on the server's image provider.\n    fal, nano-banana, google, image generation, text-to-image",
		Props: []engine.Prop{
			engine.P("prompt", "str", `""`, "The text prompt describing the image to generate."),
			engine.P("resolution", "enum(1K, 2K, 4K)", `"1K"`, "The resolution: the long side is 1024, 2048 or 4096 pixels.").Enum("Resolution"),
			engine.P("aspect_ratio", "enum(1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 21:9, 5:4, 4:5)", `"1:1"`, "The aspect ratio of the image.").Enum("AspectRatio"),
			engine.P("num_images", "int", "1", "The number of images (one is made here).").Range(1, 4),
			engine.P("output_format", "enum(png, jpeg, webp)", `"png"`, "The format of the image (PNG here).").Enum("OutputFormat"),
		},
		Outputs:      engine.Out("output", "image"),
		BasicFields:  []string{"prompt", "resolution", "aspect_ratio"},
		ExposeAsTool: true,
		Check:        l.check("fal", "fal-ai/nano-banana-2"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			long := map[string]int{"1K": 1024, "2K": 2048, "4K": 4096}[in.Str("resolution")]
			if long == 0 {
				long = 1024
			}
			w, h := aspectSize(in.Str("aspect_ratio"), long)
			ref, err := l.generate(ctx, "fal", "fal-ai/nano-banana-2", &providers.ImageRequest{Prompt: in.Str("prompt"), Width: w, Height: h, Seed: -1}, 0)
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
}
