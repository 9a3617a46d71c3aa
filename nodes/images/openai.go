package images

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
	"nodetool/providers"
)

// openAISize reads an openai.image size ("1536x1024").
func openAISize(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("image size %q: write it as WIDTHxHEIGHT", s)
	}
	ww, hh, err := size(int64(w), int64(h))
	return ww, hh, err
}

// registerOpenAI adds openai.image.CreateImage and EditImage. They run on
// the server's image provider under the name openai/<model> (the node's
// model, gpt-image-1), as TextToImage routes its model, so the model map
// decides where they go: --model-map 'openai/*=fake/fake-model' runs them
// on the fake, an OpenAI-compatible --provider serves them as they are.
func (l *lib) registerOpenAI(r *engine.Registry) {
	model := engine.P("model", "enum(gpt-image-1)", `"gpt-image-1"`, "The model to use for image generation.").Enum("nodetool.nodes.openai.image.ImageModel")
	sizeProp := func(desc string) engine.Prop {
		return engine.P("size", "enum(1024x1024, 1536x1024, 1024x1536)", `"1024x1024"`, desc).Enum("nodetool.nodes.openai.image.ImageSize")
	}
	quality := func(desc string) engine.Prop {
		return engine.P("quality", "enum(high, medium, low)", `"high"`, desc).Enum("nodetool.nodes.openai.image.ImageQuality")
	}
	check := func(props map[string]any, wired func(string) bool) error {
		m, _ := props["model"].(string)
		if wired("model") || m == "" {
			m = "gpt-image-1"
		}
		_, _, err := l.route("openai", m)
		return err
	}
	modelOf := func(in *engine.Inputs) string {
		if m := in.Str("model"); m != "" {
			return m
		}
		return "gpt-image-1"
	}
	r.Add(&engine.NodeDef{
		Type:  "openai.image.CreateImage",
		Title: "Create Image",
		Description: "Generates images from textual descriptions.\n    image, t2i, tti, text-to-image, create, generate, picture, photo, art, drawing, illustration" +
			"\n\n    Runs on the server's image provider as openai/<model> (--model-map may send it elsewhere).",
		Props: []engine.Prop{
			engine.P("prompt", "str", `""`, "The prompt to use."),
			model,
			sizeProp("The size of the image to generate."),
			engine.P("background", "enum(transparent, opaque, auto)", `"auto"`, "The background of the image to generate.").Enum("nodetool.nodes.openai.image.ImageBackground"),
			quality("The quality of the image to generate."),
		},
		Outputs:          engine.Out("output", "image"),
		BasicFields:      []string{"prompt", "model", "size", "background", "quality"},
		RequiredSettings: []string{"OPENAI_API_KEY"},
		ExposeAsTool:     true,
		Check:            check,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			w, h, err := openAISize(in.Str("size"))
			if err != nil {
				return nil, err
			}
			ref, err := l.generate(ctx, "openai", modelOf(in), &providers.ImageRequest{Prompt: in.Str("prompt"), Width: w, Height: h, Seed: -1,
				Quality: in.Str("quality"), Background: in.Str("background")}, 0)
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
	model.Description = "The model to use for image editing."
	r.Add(&engine.NodeDef{
		Type:  "openai.image.EditImage",
		Title: "Edit Image",
		Description: "Edit images using OpenAI's gpt-image-1 model.\n    image, edit, modify, transform, inpaint, outpaint, variation\n\n    Takes an input image and a text prompt to generate a modified version.\n    Can be used for inpainting, outpainting, style transfer, and image modification.\n    Optionally accepts a mask to specify which areas to edit." +
			"\n\n    Runs on the server's image provider as openai/<model> (--model-map may send it elsewhere).",
		Props: []engine.Prop{
			engine.P("image", "image", base.DefImage, "The image to edit."),
			engine.P("mask", "image", base.DefImage, "Optional mask image. White areas will be edited, black areas preserved."),
			engine.P("prompt", "str", `""`, "The prompt describing the desired edit."),
			model,
			sizeProp("The size of the output image."),
			quality("The quality of the generated image."),
		},
		Outputs:          engine.Out("output", "image"),
		BasicFields:      []string{"image", "mask", "prompt", "model", "size", "quality"},
		RequiredSettings: []string{"OPENAI_API_KEY"},
		ExposeAsTool:     true,
		Check:            check,
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			if in.Str("prompt") == "" {
				return nil, errors.New("Edit prompt cannot be empty")
			}
			if !media.IsSet(in.Get("image")) {
				return nil, errors.New("Input image is required")
			}
			w, h, err := openAISize(in.Str("size"))
			if err != nil {
				return nil, err
			}
			img, err := l.src.Read(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			req := &providers.ImageRequest{Prompt: in.Str("prompt"), Image: img, Width: w, Height: h, Seed: -1, Quality: in.Str("quality")}
			if media.IsSet(in.Get("mask")) {
				if req.Mask, err = l.src.Read(ctx, in.Get("mask")); err != nil {
					return nil, fmt.Errorf("the mask: %w", err)
				}
			}
			ref, err := l.generate(ctx, "openai", modelOf(in), req, 0)
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
}
