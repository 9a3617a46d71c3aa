package images

import (
	"fmt"
	"image"
	"image/draw"

	"nodetool/nodes/libpillow"

	"nodetool/engine"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
)

// MaxOutSide bounds each side of an image a transform makes.
const MaxOutSide = 16384

// transform is one nodetool.image node that makes an image from its
// decoded input.
type transform func(ctx *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error)

// newImage allocates a w x h image after checking the size against the
// side bound and max-value.
func newImage(ctx *engine.Ctx, w, h int) (*image.NRGBA, error) {
	if w < 1 || h < 1 || w > MaxOutSide || h > MaxOutSide {
		return nil, fmt.Errorf("image size %dx%d: each side must be from 1 to %d", w, h, MaxOutSide)
	}
	if err := media.CheckPixels(ctx, w, h, 4); err != nil {
		return nil, err
	}
	return image.NewNRGBA(image.Rect(0, 0, w, h)), nil
}

func coord(name, title, def, desc string) engine.Prop {
	return engine.P(name, "int", def, desc).Range(0, 4096).Titled(title)
}

// registerTransforms adds the nodetool.image nodes that need no model.
func registerTransforms(r *engine.Registry, src media.Sources) {
	add := func(typ, title, desc string, props []engine.Prop, f transform) {
		basic := make([]string, len(props))
		for i, p := range props {
			basic[i] = p.Name
		}
		r.Add(&engine.NodeDef{
			Type: "nodetool.image." + typ, Title: title, Description: desc, Props: props, BasicFields: basic,
			Outputs: engine.Out("output", "image"),
			Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
				img, err := src.Image(ctx, in.Get("image"))
				if err != nil {
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
	}
	img := func(desc string) engine.Prop { return engine.P("image", "image", base.DefImage, desc) }
	add("Crop", "Crop", "Crop an image to specified coordinates.\n    image, crop",
		[]engine.Prop{img("The image to crop."), coord("left", "Left", "0", "The left coordinate."), coord("top", "Top", "0", "The top coordinate."),
			coord("right", "Right", "512", "The right coordinate."), coord("bottom", "Bottom", "512", "The bottom coordinate.")},
		func(ctx *engine.Ctx, in *engine.Inputs, src *image.NRGBA) (image.Image, error) {
			// As Pillow's crop: the box may reach outside the image, which
			// is transparent black there.
			l, t, r, b := int(in.Int("left")), int(in.Int("top")), int(in.Int("right")), int(in.Int("bottom"))
			out, err := newImage(ctx, r-l, b-t)
			if err != nil {
				return nil, err
			}
			draw.Draw(out, out.Rect, src, image.Pt(l, t), draw.Src)
			return out, nil
		})
	add("Resize", "Resize", "Change image dimensions to specified width and height.\n    image, resize",
		[]engine.Prop{img("The image to resize."), engine.P("width", "int", "512", "The target width.").Range(0, 4096), engine.P("height", "int", "512", "The target height.").Range(0, 4096)},
		func(ctx *engine.Ctx, in *engine.Inputs, src *image.NRGBA) (image.Image, error) {
			return resize(ctx, src, int(in.Int("width")), int(in.Int("height")))
		})
	add("Scale", "Scale", "Enlarge or shrink an image by a scale factor.\n    image, resize, scale",
		[]engine.Prop{img("The image to scale."), engine.P("scale", "float", "1.0", "The scale factor.").Range(0, 10)},
		func(ctx *engine.Ctx, in *engine.Inputs, src *image.NRGBA) (image.Image, error) {
			s := in.Float("scale")
			if !(s > 0 && s <= 10) {
				return nil, fmt.Errorf("scale must be above 0 and at most 10, got %v", s)
			}
			return resize(ctx, src, int(float64(src.Rect.Dx())*s), int(float64(src.Rect.Dy())*s))
		})
	add("Paste", "Paste", "Paste one image onto another at specified coordinates.\n    paste, composite, positioning, overlay",
		[]engine.Prop{img("The image to paste into."), engine.P("paste", "image", base.DefImage, "The image to paste."), coord("left", "Left", "0", "The left coordinate."), coord("top", "Top", "0", "The top coordinate.")},
		func(ctx *engine.Ctx, in *engine.Inputs, dst *image.NRGBA) (image.Image, error) {
			p, err := src.Image(ctx, in.Get("paste"))
			if err != nil {
				return nil, err
			}
			// Pillow's paste without a mask replaces the pixels, alpha too.
			at := image.Pt(int(in.Int("left")), int(in.Int("top")))
			draw.Draw(dst, p.Rect.Sub(p.Rect.Min).Add(at), p, p.Rect.Min, draw.Src)
			return dst, nil
		})
}

// resize scales img to w x h with Pillow's Lanczos resampling (what the
// original's Resize and Scale use), exactly, on all cores, after sizing
// the result.
func resize(ctx *engine.Ctx, img *image.NRGBA, w, h int) (image.Image, error) {
	if w < 1 || h < 1 || w > MaxOutSide || h > MaxOutSide {
		return nil, fmt.Errorf("image size %dx%d: each side must be from 1 to %d", w, h, MaxOutSide)
	}
	if err := media.CheckPixels(ctx, w, h, 4); err != nil {
		return nil, err
	}
	return libpillow.Resize(img, w, h, libpillow.Box{X1: float64(img.Rect.Dx()), Y1: float64(img.Rect.Dy())}, libpillow.Lanczos), nil
}
