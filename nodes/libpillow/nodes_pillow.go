// Package libpillow holds the lib.pillow nodes: image enhancement,
// filters, blending and text drawing in pure Go, following Pillow's
// definitions (ImageEnhance, ImageOps, ImageFilter, ImageDraw) within a
// small per-channel tolerance (see the tests). Every image is read through
// media.Sources, sized against max-value before it is decoded, and the
// result is a PNG image ref.
package libpillow

import (
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
)

func imgProp(name, desc string) engine.Prop { return engine.P(name, "image", base.DefImage, desc) }

// addFunc registers one image node (under the "nodetool." name too when
// aliased).
type addFunc func(typ, title, desc string, props []engine.Prop, f op, aliased bool)

// op transforms the node's decoded image.
type op func(ctx *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error)

// Register adds the lib.pillow nodes; they read images through src.
// Nodes that some of NodeTool's example files name with a "nodetool."
// prefix are registered under both names.
func Register(r *engine.Registry, src media.Sources) {
	var add addFunc = func(typ, title, desc string, props []engine.Prop, f op, aliased bool) {
		basic := make([]string, len(props))
		for i, p := range props {
			basic[i] = p.Name
		}
		for _, t := range []string{typ, "nodetool." + typ} {
			r.Add(&engine.NodeDef{
				Type: t, Title: title, Description: desc, BasicFields: basic,
				Props: append([]engine.Prop(nil), props...), Outputs: engine.Out("output", "image"),
				Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
					img, err := src.Image(ctx, in.Get("image"))
					if err != nil {
						return nil, err
					}
					// One more image of the same size is made by every op.
					if err := ctx.CheckSize(int64(len(img.Pix)) * 2); err != nil {
						return nil, err
					}
					out, err := f(ctx, in, img)
					if err != nil {
						return nil, err
					}
					ref, err := media.ImageOut(ctx, out)
					if err != nil {
						return nil, err
					}
					return engine.Single(ref), nil
				},
			})
			if !aliased {
				break
			}
		}
	}
	image1 := []engine.Prop{imgProp("image", "The image to change.")}
	factor := func(typ, desc string) []engine.Prop {
		return []engine.Prop{imgProp("image", "The image to change."), engine.P("factor", typ, "1.0", desc)}
	}
	const ns = "lib.pillow.enhance."
	add(ns+"AutoContrast", "Auto Contrast", "Stretches each channel to the full range after cutting off a percentage of the darkest and lightest pixels (ImageOps.autocontrast).",
		append(image1[:1:1], engine.P("cutoff", "int", "0", "The percentage of pixels cut off at each end.").Range(0, 255)),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return AutoContrast(img, float64(in.Int("cutoff"))), nil
		}, false)
	add(ns+"Sharpness", "Sharpness", "Changes the sharpness: 0 blurs, 1 keeps the image, above 1 sharpens (ImageEnhance.Sharpness).", factor("float", "The sharpness factor."),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Sharpness(img, in.Float("factor")), nil
		}, false)
	add(ns+"Equalize", "Equalize", "Equalizes each channel's histogram (ImageOps.equalize).", image1,
		func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Equalize(img), nil
		}, false)
	add(ns+"Contrast", "Contrast", "Changes the contrast: 0 gives a gray image, 1 keeps it, above 1 adds contrast (ImageEnhance.Contrast).", factor("float", "The contrast factor."),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Contrast(img, in.Float("factor")), nil
		}, true)
	add(ns+"EdgeEnhance", "Edge Enhance", "Enhances edges (ImageFilter.EDGE_ENHANCE).", image1,
		func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Kernel3(img, edgeEnhance), nil
		}, false)
	add(ns+"Sharpen", "Sharpen", "Sharpens the image (ImageFilter.SHARPEN).", image1,
		func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Kernel3(img, sharpen), nil
		}, false)
	add(ns+"RankFilter", "Rank Filter", "Replaces each pixel by the rank-th smallest value of its size x size neighbourhood (ImageFilter.RankFilter): a median filter when rank is size*size/2.",
		append(image1[:1:1], engine.P("size", "int", "3", "The neighbourhood's side (odd).").Range(1, 512), engine.P("rank", "int", "3", "Which value to take, from 0 (the smallest).")),
		func(ctx *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			size := int(in.Int("size"))
			if size < 1 || size > MaxRankSize || size%2 == 0 {
				return nil, fmt.Errorf("size must be an odd number from 1 to %d, got %d", MaxRankSize, size)
			}
			rank := int(in.Int("rank"))
			if rank < 0 || rank >= size*size {
				return nil, fmt.Errorf("rank must be from 0 to %d, got %d", size*size-1, rank)
			}
			return RankFilter(img, size, rank, ctx.Check)
		}, false)
	add(ns+"UnsharpMask", "Unsharp Mask", "Sharpens with an unsharp mask: where a pixel differs from its blurred value by more than threshold, the difference is amplified by percent (ImageFilter.UnsharpMask).",
		append(image1[:1:1], engine.P("radius", "int", "2", "The blur radius.").Range(0, 512), engine.P("percent", "int", "150", "The strength in percent.").Range(0, 1000), engine.P("threshold", "int", "3", "The smallest difference sharpened.").Range(0, 512)),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			r := in.Int("radius")
			if r < 0 || r > MaxUnsharpRadius {
				return nil, fmt.Errorf("radius must be from 0 to %d, got %d", MaxUnsharpRadius, r)
			}
			clamp := func(v int64) int { return int(min(max(v, -1<<20), 1<<20)) }
			return UnsharpMask(img, float64(r), clamp(in.Int("percent")), clamp(in.Int("threshold"))), nil
		}, false)
	add(ns+"Brightness", "Brightness", "Changes the brightness: 0 gives black, 1 keeps the image, above 1 brightens (ImageEnhance.Brightness).", factor("union[float, int]", "The brightness factor."),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Brightness(img, in.Float("factor")), nil
		}, true)
	add(ns+"Color", "Color", "Changes the color saturation: 0 gives gray, 1 keeps the image, above 1 saturates (ImageEnhance.Color).", factor("float", "The saturation factor."),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Color(img, in.Float("factor")), nil
		}, false)
	add(ns+"Detail", "Detail", "Enhances details (ImageFilter.DETAIL).", image1,
		func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Kernel3(img, detail), nil
		}, false)
	add(ns+"AdaptiveContrast", "Adaptive Contrast", "Contrast-limited adaptive histogram equalization (CLAHE) of the image's lightness, tile by tile.",
		append(image1[:1:1], engine.P("clip_limit", "float", "2.0", "The contrast limit of each tile.").Range(0, 100), engine.P("grid_size", "int", "8", "The tiles per side.").Range(1, 64)),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			g := int(in.Int("grid_size"))
			if g < 1 || g > 64 {
				return nil, fmt.Errorf("grid_size must be from 1 to 64, got %d", g)
			}
			return AdaptiveContrast(img, in.Float("clip_limit"), g), nil
		}, false)
	registerDraw(r, src)
	registerGrading(add)
	registerFilter(add)
	registerInit(r, src)
	registerGen(r)
}

// parseColor reads a color value ({"type": "color", "value": "#rrggbb"})
// or a color string: #rgb, #rrggbb, #rrggbbaa or a few CSS names.
func parseColor(v any) (color.NRGBA, error) {
	s, _ := v.(string)
	if d, ok := v.(interface{ Str(string) string }); ok {
		s = d.Str("value")
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := namedColors[s]; ok {
		return c, nil
	}
	h, ok := strings.CutPrefix(s, "#")
	if !ok {
		return color.NRGBA{}, fmt.Errorf("unknown color %q: use #rrggbb", s)
	}
	if len(h) == 3 || len(h) == 4 {
		var b strings.Builder
		for _, c := range h {
			b.WriteRune(c)
			b.WriteRune(c)
		}
		h = b.String()
	}
	if len(h) == 6 {
		h += "ff"
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if len(h) != 8 || err != nil {
		return color.NRGBA{}, fmt.Errorf("bad color %q: use #rrggbb", s)
	}
	return color.NRGBA{uint8(n >> 24), uint8(n >> 16), uint8(n >> 8), uint8(n)}, nil
}

var namedColors = map[string]color.NRGBA{
	"": {0, 0, 0, 255}, "black": {0, 0, 0, 255}, "white": {255, 255, 255, 255}, "red": {255, 0, 0, 255},
	"green": {0, 128, 0, 255}, "blue": {0, 0, 255, 255}, "yellow": {255, 255, 0, 255}, "gray": {128, 128, 128, 255},
	"grey": {128, 128, 128, 255}, "orange": {255, 165, 0, 255}, "purple": {128, 0, 128, 255}, "transparent": {0, 0, 0, 0},
}
