// Package images holds the nodetool.image nodes (image models and
// transforms), openai.image.CreateImage and EditImage, and the vendor
// image-model nodes the examples use (kie.image.NanoBanana,
// fal.text_to_image.NanoBanana2). Image models run
// through the server's providers: the node's model is routed as an LLM
// node's is (provider and model, rewritten by the model map), and the
// provider must generate images (providers.ImageGenerator: the
// OpenAI-compatible one, the fake).
package images

import (
	"context"
	"errors"
	"fmt"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
	"nodetool/providers"
)

// Models routes a node's model to a provider and model: the server's
// *providers.Mapped or *providers.Set.
type Models interface {
	Route(provider, model string) (providers.Provider, string, error)
}

// errNoModels is the problem of an image model node when no provider is
// configured.
var errNoModels = errors.New("no image model provider is configured (set --provider, e.g. an OpenAI-compatible server, or map the model with --model-map '*=fake/fake-model')")

// lib is what the nodes of this package reach the outside through.
type lib struct {
	models Models // nil: none configured
	src    media.Sources
}

// Register adds the nodetool.image nodes (RegisterVendors adds the vendor
// image model nodes); models route their models (nil: none, and model
// nodes fail validation saying so), src reads input images.
func Register(r *engine.Registry, models Models, src media.Sources) {
	l := &lib{models: models, src: src}
	l.registerModels(r)
	l.registerOpenAI(r)
	registerTransforms(r, src)
	registerFolder(r, src)
	registerInfo(r, src)
	registerFiles(r, src)
}

// modelRef reads the provider and id of an image_model value.
func modelRef(v any) (provider, model string) {
	d, ok := v.(*pyval.Dict)
	if !ok {
		return "", ""
	}
	return d.Str("provider"), d.Str("id")
}

// route resolves a model to an image generator.
func (l *lib) route(provider, model string) (providers.ImageGenerator, string, error) {
	if l.models == nil {
		return nil, "", errNoModels
	}
	p, m, err := l.models.Route(provider, model)
	if err != nil {
		return nil, "", err
	}
	g, ok := providers.Images(p)
	if !ok {
		return nil, "", fmt.Errorf("provider %s cannot generate images (the openai and fake providers can); map the model to one with --model-map", p.Name())
	}
	return g, m, nil
}

// check is the validation of a node whose model is in its "model"
// property (or fixed, when fixedProvider is set).
func (l *lib) check(fixedProvider, fixedModel string) func(map[string]any, func(string) bool) error {
	return func(props map[string]any, wired func(string) bool) error {
		provider, model := fixedProvider, fixedModel
		if provider == "" {
			if wired("model") {
				return nil
			}
			provider, model = modelRef(props["model"])
		}
		_, _, err := l.route(provider, model)
		return err
	}
}

// generate runs one image request and returns the image ref. The image is
// at most max-value bytes, and its pixels are counted before anything
// decodes it.
func (l *lib) generate(ctx *engine.Ctx, provider, model string, req *providers.ImageRequest, timeout int64) (*pyval.Dict, error) {
	g, m, err := l.route(provider, model)
	if err != nil {
		return nil, fmt.Errorf("%s cannot use its model: %w", ctx.Title(), err)
	}
	if req.Width > 0 && req.Height > 0 {
		if err := ctx.CheckSize(int64(req.Width) * int64(req.Height) * 4); err != nil {
			return nil, err
		}
	}
	req.Model = m
	req.MaxBytes = ctx.MaxValue()
	cctx := context.Context(ctx)
	if timeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, secondsDuration(timeout))
		defer cancel()
	}
	img, err := g.GenerateImage(cctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("%s: the image model request failed: %w", ctx.Title(), err)
	}
	if err := ctx.CheckSize(int64(len(img))); err != nil {
		return nil, err
	}
	cfg, _, err := media.DecodeConfig(img)
	if err != nil {
		return nil, fmt.Errorf("%s: the image model's answer is not an image: %w", ctx.Title(), err)
	}
	if err := media.CheckPixels(ctx, cfg.Width, cfg.Height, 4); err != nil {
		return nil, err
	}
	return media.ImageRef(img), nil
}
