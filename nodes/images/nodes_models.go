package images

import (
	"time"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/providers"
)

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

func (l *lib) registerModels(r *engine.Registry) {
	timeout := engine.P("timeout_seconds", "int", "0", "Timeout in seconds for API calls (0 = use provider default)").Range(0, 3600)
	r.Add(&engine.NodeDef{
		Type:        "nodetool.image.TextToImage",
		Title:       "Text To Image",
		Description: "Generate images from text prompts using any supported image provider. Automatically routes to the appropriate backend (HuggingFace, FAL, MLX).\n    image, generation, AI, text-to-image, t2i",
		Props: []engine.Prop{
			engine.P("model", "image_model", `{"type": "image_model", "provider": "huggingface_fal_ai", "id": "fal-ai/flux/schnell", "name": "FLUX.1 Schnell", "path": null, "supported_tasks": []}`, "The image generation model to use"),
			engine.P("prompt", "str", `"A cat holding a sign that says hello world"`, "Text prompt describing the desired image"),
			engine.P("negative_prompt", "str", `""`, "Text prompt describing what to avoid in the image"),
			engine.P("width", "int", "512", "Width of the generated image").Range(64, 2048),
			engine.P("height", "int", "512", "Height of the generated image").Range(64, 2048),
			engine.P("guidance_scale", "float", "7.5", "Classifier-free guidance scale (higher = closer to prompt)").Range(0, 30),
			engine.P("num_inference_steps", "int", "30", "Number of denoising steps").Range(1, 100),
			withMin(engine.P("seed", "int", "-1", "Random seed for reproducibility (-1 for random)"), -1),
			engine.P("safety_check", "bool", "true", "Enable safety checker to filter inappropriate content"),
			timeout,
		},
		Outputs:      engine.Out("output", "image"),
		BasicFields:  []string{"model", "prompt", "width", "height", "seed"},
		ExposeAsTool: true,
		Check:        l.check("", ""),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			w, h, err := size(in.Int("width"), in.Int("height"))
			if err != nil {
				return nil, err
			}
			p, m := modelRef(in.Get("model"))
			ref, err := l.generate(ctx, p, m, &providers.ImageRequest{Prompt: in.Str("prompt"), NegativePrompt: in.Str("negative_prompt"),
				Width: w, Height: h, Seed: in.Int("seed")}, in.Int("timeout_seconds"))
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.image.ImageToImage",
		Title:       "Image To Image",
		Description: "Transform images using text prompts with any supported image provider. Automatically routes to the appropriate backend (HuggingFace, FAL, MLX).\n    image, transformation, AI, image-to-image, i2i",
		Props: []engine.Prop{
			engine.P("model", "image_model", `{"type": "image_model", "provider": "huggingface_fal_ai", "id": "fal-ai/flux/dev", "name": "FLUX.1 Dev", "path": null, "supported_tasks": []}`, "The image generation model to use"),
			engine.P("image", "image", base.DefImage, "Input image to transform"),
			engine.P("prompt", "str", `"A photorealistic version of the input image"`, "Text prompt describing the desired transformation"),
			engine.P("negative_prompt", "str", `""`, "Text prompt describing what to avoid"),
			engine.P("strength", "float", "0.8", "How much to transform the input image (0.0 = no change, 1.0 = maximum change)").Range(0, 1),
			engine.P("guidance_scale", "float", "7.5", "Classifier-free guidance scale").Range(0, 30),
			engine.P("num_inference_steps", "int", "30", "Number of denoising steps").Range(1, 100),
			engine.P("target_width", "int", "512", "Target width of the output image").Range(64, 2048),
			engine.P("target_height", "int", "512", "Target height of the output image").Range(64, 2048),
			withMin(engine.P("seed", "int", "-1", "Random seed for reproducibility (-1 for random)"), -1),
			engine.P("scheduler", "str", `""`, "Scheduler to use (provider-specific)"),
			engine.P("safety_check", "bool", "true", "Enable safety checker"),
			timeout,
		},
		Outputs:      engine.Out("output", "image"),
		BasicFields:  []string{"model", "image", "prompt", "strength", "seed"},
		ExposeAsTool: true,
		Check:        l.check("", ""),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			w, h, err := size(in.Int("target_width"), in.Int("target_height"))
			if err != nil {
				return nil, err
			}
			img, err := l.src.Read(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			p, m := modelRef(in.Get("model"))
			ref, err := l.generate(ctx, p, m, &providers.ImageRequest{Prompt: in.Str("prompt"), NegativePrompt: in.Str("negative_prompt"),
				Image: img, Strength: in.Float("strength"), Width: w, Height: h, Seed: in.Int("seed")}, in.Int("timeout_seconds"))
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
}

// withMin sets only a minimum (the catalog gives some properties no max).
func withMin(p engine.Prop, min float64) engine.Prop {
	p.Min = &min
	return p
}

// MaxSide bounds each side of an image a model node asks for.
const MaxSide = 4096

func size(w, h int64) (int, int, error) {
	if w < 1 || h < 1 || w > MaxSide || h > MaxSide {
		return 0, 0, sizeError(w, h)
	}
	return int(w), int(h), nil
}
