package images

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
	"nodetool/providers"
	"nodetool/providers/vendors"
)

// Vendors are the hosted services the vendor nodes call when a key is set
// (nil: not configured).
type Vendors struct {
	Kie *vendors.Kie
	Fal *vendors.Fal
}

// RegisterVendors adds the vendor image model nodes: every kie.image node
// of the catalog and fal.text_to_image.NanoBanana2.
//
// Where a vendor node runs, in this order:
//  1. a --model-map rule naming the vendor itself (kie/... or fal/...)
//     matches its model: the map wins, even with a key;
//  2. the run has a key for the service (the user's own KIE_API_KEY or
//     FAL_API_KEY secret in serve, else the operator's): the service's
//     API;
//  3. else the model map's other rules and the configured providers route
//     it as an image model named "kie/MODEL" or "fal/APP", so
//     --model-map '*=fake/fake-model' runs it on the fake.
func RegisterVendors(r *engine.Registry, models Models, src media.Sources, v Vendors) {
	l := &vlib{lib: &lib{models: models, src: src}, kie: v.Kie, fal: v.Fal}
	l.registerKie(r)
	l.registerFal(r)
}

// vlib is what the vendor nodes reach the outside through.
type vlib struct {
	*lib
	kie *vendors.Kie
	fal *vendors.Fal
}

// service is a vendor's client, as routing sees it.
type service interface {
	Configured() bool
	KeyFor(ctx vendors.Caller) (bool, error)
}

// vendor names a vendor: its provider name in the model map, its
// service's name and key setting, and its client (nil when none).
type vendor struct {
	provider, service, keyName string
	client                     service
}

func (l *vlib) kieVendor() vendor {
	v := vendor{provider: "kie", service: "kie.ai", keyName: "KIE_API_KEY"}
	if l.kie != nil {
		v.client = l.kie
	}
	return v
}

func (l *vlib) falVendor() vendor {
	v := vendor{provider: "fal", service: "fal.ai", keyName: "FAL_API_KEY"}
	if l.fal != nil {
		v.client = l.fal
	}
	return v
}

// ruler is the model map's view of a rule (*providers.Mapped).
type ruler interface {
	Rule(provider, model string) (providers.MapRule, bool)
}

// mapped reports whether a model map rule naming the vendor itself
// matches the model.
func (l *vlib) mapped(v vendor, model string) bool {
	r, ok := l.models.(ruler)
	if !ok {
		return false
	}
	rule, ok := r.Rule(v.provider, model)
	return ok && rule.FromProvider == v.provider
}

// hint is what a routing error adds: the key that would call the service.
func (v vendor) hint() string {
	return fmt.Sprintf("; or set %s to run it on %s", v.keyName, v.service)
}

// check validates a vendor node: routed by the map (rule 1 or 3) or by a
// key that may be set (rule 2).
func (l *vlib) check(v vendor, model string) func(map[string]any, func(string) bool) error {
	return func(map[string]any, func(string) bool) error {
		if !l.mapped(v, model) && v.client != nil && v.client.Configured() {
			return nil
		}
		if _, _, err := l.route(v.provider, model); err != nil {
			if l.mapped(v, model) {
				return err
			}
			return fmt.Errorf("%w%s", err, v.hint())
		}
		return nil
	}
}

// useService says whether a run calls the vendor's service (rule 2).
func (l *vlib) useService(ctx *engine.Ctx, v vendor, model string) (bool, error) {
	if v.client == nil || l.mapped(v, model) {
		return false, nil
	}
	ok, err := v.client.KeyFor(ctx)
	if err != nil {
		return false, fmt.Errorf("%s: %w", ctx.Title(), err)
	}
	return ok, nil
}

// stand runs a vendor node on the image provider the model map and the
// configured providers give its model (rule 3).
func (l *vlib) stand(ctx *engine.Ctx, v vendor, model string, req *providers.ImageRequest, timeout int64) (map[string]any, error) {
	if _, _, err := l.route(v.provider, model); err != nil {
		if !l.mapped(v, model) {
			return nil, fmt.Errorf("%s cannot use its model: %w%s", ctx.Title(), err, v.hint())
		}
		return nil, fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
	}
	ref, err := l.generate(ctx, v.provider, model, req, timeout)
	if err != nil {
		return nil, err
	}
	return engine.Single(ref), nil
}

// caller is a run's context with a deadline of its own, for whom the
// service is called (the user's key).
type caller struct {
	context.Context
	user string
}

func (c caller) UserID() string { return c.user }

// bounded gives a service call its deadline: timeout seconds when set,
// else def (the original node's wait).
func bounded(ctx *engine.Ctx, timeout int64, def time.Duration) (caller, time.Duration, context.CancelFunc) {
	wait := def
	if timeout > 0 {
		wait = secondsDuration(timeout)
	}
	c, cancel := context.WithTimeout(ctx, wait)
	return caller{Context: c, user: ctx.UserID()}, wait, cancel
}

// serviceError words a failed service call: the run's own cancellation
// as its cause, the node's wait running out, a result over max-value as
// the budget's error, else the service's error (which names the service
// and the model, never the key).
func serviceError(ctx *engine.Ctx, c caller, wait time.Duration, model string, err error) error {
	return serviceErrorHint(ctx, c, wait, model, err, "")
}

// serviceErrorHint is serviceError naming, when the wait ran out, the
// property that sets it (hint).
func serviceErrorHint(ctx *engine.Ctx, c caller, wait time.Duration, model string, err error, hint string) error {
	var tl *vendors.TooLargeError
	switch {
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case errors.As(err, &tl):
		return ctx.LimitError(engine.LimitValue, fmt.Sprintf("the result of %s is over the %s limit of %s", model, engine.LimitValue, engine.FormatBytes(tl.Limit)))
	case c.Err() != nil:
		return fmt.Errorf("%s: no result within %s%s: %w", ctx.Title(), wait, hint, err)
	}
	return fmt.Errorf("%s: %w", ctx.Title(), err)
}

// resultImage checks a service's file as generate checks a provider's
// image (max-value, an image whose pixels fit the budget) and returns
// its ref, with metadata {"task_id": id} as the original's (Grok Imagine
// Upscale reads it).
func resultImage(ctx *engine.Ctx, model string, data []byte, id string) (map[string]any, error) {
	if err := ctx.CheckSize(int64(len(data))); err != nil {
		return nil, err
	}
	cfg, _, err := media.DecodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: the result of %s is not an image: %w", ctx.Title(), model, err)
	}
	if err := media.CheckPixels(ctx, cfg.Width, cfg.Height, 4); err != nil {
		return nil, err
	}
	ref := media.ImageRef(data)
	if id != "" {
		ref.Set("metadata", pyval.DictOf("task_id", id))
	}
	return engine.Single(ref), nil
}

// registerFal adds fal.text_to_image.NanoBanana2, with nodetool-fal's
// properties (the node is not in the base catalog).
func (l *vlib) registerFal(r *engine.Registry) {
	const app = "fal-ai/nano-banana-2"
	v := l.falVendor()
	r.Add(&engine.NodeDef{
		Type:  "fal.text_to_image.NanoBanana2",
		Title: "Nano Banana 2",
		Description: "Nano Banana 2 is a fast text-to-image model with web search grounding, multiple resolutions, and flexible aspect ratios.\n" +
			"    generation, text-to-image, txt2img, ai-art, nano-banana\n\n    Use cases:\n    - Generate images from detailed text prompts\n" +
			"    - Create images with web search grounded context\n    - Produce high-resolution images up to 4K\n" +
			"    - Generate images with flexible aspect ratios\n    - Rapid image generation with safety controls",
		Props: []engine.Prop{
			engine.P("prompt", "str", `""`, "The text prompt to generate an image from."),
			engine.P("resolution", "enum(1K, 2K, 4K)", `"1K"`, "The resolution of the image to generate.").Enum("nodetool.nodes.fal.text_to_image.NanoBanana2Resolution"),
			engine.P("enable_web_search", "bool", "false", "Enable web search for the image generation task. This will allow the model to use the latest information from the web to generate the image."),
			engine.P("num_images", "int", "1", "The number of images to generate."),
			engine.P("aspect_ratio", "enum(auto, 21:9, 16:9, 3:2, 4:3, 5:4, 1:1, 4:5, 3:4, 2:3, 9:16)", `"auto"`, `The aspect ratio of the generated image. Use "auto" to let the model decide based on the prompt.`).Enum("nodetool.nodes.fal.text_to_image.NanoBanana2AspectRatio"),
			engine.P("output_format", "enum(jpeg, png, webp)", `"png"`, "The format of the generated image.").Enum("nodetool.nodes.fal.text_to_image.NanoBanana2OutputFormat"),
			engine.P("sync_mode", "bool", "false", "If `True`, the media will be returned as a data URI and the output data won't be available in the request history."),
			engine.P("enable_google_search", "bool", "false", "Enable Google search grounding for the image editing task."),
			engine.P("safety_tolerance", "enum(1, 2, 3, 4, 5, 6)", `"4"`, "The safety tolerance level for content moderation. 1 is the most strict (blocks most content), 6 is the least strict.").Enum("nodetool.nodes.fal.text_to_image.NanoBanana2SafetyTolerance"),
			engine.P("seed", "int?", "null", "The seed for the random number generator."),
			engine.P("limit_generations", "bool", "true", "Experimental parameter to limit the number of generations from each round of prompting to 1. Set to `True` to to disregard any instructions in the prompt regarding the number of images to generate."),
		},
		Outputs:          engine.Out("output", "image"),
		BasicFields:      []string{"prompt", "resolution", "aspect_ratio"},
		RequiredSettings: []string{"FAL_API_KEY"},
		Check:            l.check(v, app),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			use, err := l.useService(ctx, v, app)
			if err != nil {
				return nil, err
			}
			if !use {
				long := map[string]int{"1K": 1024, "2K": 2048, "4K": 4096}[in.Str("resolution")]
				if long == 0 {
					long = 1024
				}
				w, h := aspectSize(in.Str("aspect_ratio"), long)
				return l.stand(ctx, v, app, &providers.ImageRequest{Prompt: in.Str("prompt"), Width: w, Height: h, Seed: -1}, 0)
			}
			input := map[string]any{
				"prompt": in.Str("prompt"), "resolution": in.Str("resolution"), "enable_web_search": in.Bool("enable_web_search"),
				"num_images": in.Int("num_images"), "aspect_ratio": in.Str("aspect_ratio"), "output_format": in.Str("output_format"),
				"sync_mode": in.Bool("sync_mode"), "enable_google_search": in.Bool("enable_google_search"),
				"safety_tolerance": in.Str("safety_tolerance"), "limit_generations": in.Bool("limit_generations"),
			}
			if in.Get("seed") != nil {
				input["seed"] = in.Int("seed")
			}
			c, wait, cancel := bounded(ctx, 0, falWait)
			defer cancel()
			res, err := l.fal.Run(c, vendors.FalRequest{App: app, Input: input, MaxOutput: ctx.MaxValue()/3*4 + 1<<20})
			if err != nil {
				return nil, serviceError(ctx, c, wait, app, err)
			}
			url, err := falImageURL(res.Output)
			if err != nil {
				return nil, fmt.Errorf("%s: fal.ai model %s, request %s: %w", ctx.Title(), app, res.RequestID, err)
			}
			data, err := l.fal.Download(c, app, url, ctx.MaxValue())
			if err != nil {
				return nil, serviceError(ctx, c, wait, app, err)
			}
			return resultImage(ctx, app, data, "")
		},
	})
}

// falWait bounds a fal.ai request (the node has no timeout property).
const falWait = 10 * time.Minute

// falImageURL reads the first image's URL of an output, as the original
// node does (images[0].url).
func falImageURL(out []byte) (string, error) {
	v, err := pyval.Decode(out)
	if err != nil {
		return "", fmt.Errorf("the output is not JSON: %w", err)
	}
	d, _ := v.(*pyval.Dict)
	if d == nil {
		return "", errors.New("the output is not a JSON object")
	}
	images, _ := d.Get("images")
	list, _ := images.([]any)
	if len(list) == 0 {
		return "", errors.New("the output holds no images")
	}
	img, _ := list[0].(*pyval.Dict)
	if img == nil || img.Str("url") == "" {
		return "", errors.New("the output's first image has no url")
	}
	return img.Str("url"), nil
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

func sizeError(w, h int64) error {
	return fmt.Errorf("image size %dx%d: each side must be from 1 to %d", w, h, MaxSide)
}
