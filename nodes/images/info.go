package images

import (
	"fmt"
	"image/color"
	"strings"

	"nodetool/nodes/libpillow"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/base"
	"nodetool/nodes/media"
)

// pilMode is Pillow's mode name for a decoded color model, and its band
// count.
func pilMode(m color.Model) (string, int) {
	switch m {
	case color.NRGBAModel, color.NRGBA64Model, color.NYCbCrAModel:
		return "RGBA", 4
	case color.GrayModel:
		return "L", 1
	case color.Gray16Model:
		return "I;16", 1
	case color.CMYKModel:
		return "CMYK", 4
	}
	if _, ok := m.(color.Palette); ok {
		return "P", 1
	}
	return "RGB", 3 // RGBA (PNG truecolor without alpha), YCbCr (JPEG)
}

func registerInfo(r *engine.Registry, src media.Sources) {
	r.Add(&engine.NodeDef{
		Type: "nodetool.image.GetMetadata", Title: "Get Metadata",
		Description: "Get metadata about the input image.\n    metadata, properties, analysis, information",
		Props:       []engine.Prop{engine.P("image", "image", base.DefImage, "The input image.")},
		Outputs:     engine.Out("format", "str", "mode", "str", "width", "int", "height", "int", "channels", "int"),
		BasicFields: []string{"image"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			data, err := src.Read(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			cfg, format, err := media.DecodeConfig(data)
			if err != nil {
				return nil, err
			}
			mode, bands := pilMode(cfg.ColorModel)
			return map[string]any{"format": strings.ToUpper(format), "mode": mode, "width": int64(cfg.Width), "height": int64(cfg.Height), "channels": int64(bands)}, nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "nodetool.image.Fit", Title: "Fit",
		Description: "Resize an image to fit within specified dimensions while preserving aspect ratio.\n    image, resize, fit" +
			"\n\n    As Pillow's ImageOps.fit: the largest centered crop of the target's aspect ratio, scaled to the size (Catmull-Rom here, Lanczos in the original).",
		Props: []engine.Prop{
			engine.P("image", "image", base.DefImage, "The image to fit."),
			engine.P("width", "int", "512", "Width to fit to.").Range(1, 4096),
			engine.P("height", "int", "512", "Height to fit to.").Range(1, 4096),
		},
		Outputs:     engine.Out("output", "image"),
		BasicFields: []string{"image", "width", "height"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			img, err := src.Image(ctx, in.Get("image"))
			if err != nil {
				return nil, err
			}
			w, h := int(in.Int("width")), int(in.Int("height"))
			if w < 1 || h < 1 || w > MaxOutSide || h > MaxOutSide {
				return nil, fmt.Errorf("image size %dx%d: each side must be from 1 to %d", w, h, MaxOutSide)
			}
			if err := media.CheckPixels(ctx, w, h, 4); err != nil {
				return nil, err
			}
			ref, err := media.ImageOut(ctx, libpillow.Fit(img, w, h, libpillow.Lanczos))
			if err != nil {
				return nil, err
			}
			return engine.Single(ref), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "nodetool.image.BatchToList", Title: "Batch To List",
		Description: "Convert an image batch to a list of image references.\n    batch, list, images, processing",
		Props:       []engine.Prop{engine.P("batch", "image", base.DefImage, "The batch of images to convert.")},
		Outputs:     engine.Out("output", "list[image]"),
		BasicFields: []string{"batch"},
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			d, _ := in.Get("batch").(*pyval.Dict)
			var items any
			if d != nil {
				items, _ = d.Get("data")
			}
			list, isList := items.([]any)
			switch {
			case items == nil:
				return nil, fmt.Errorf("the input batch is empty (its data is not set)")
			case !isList:
				return nil, fmt.Errorf("the input batch is not a list of images (its data must be a list)")
			}
			// Each item is one image's content (bytes, or base64 text as
			// inline data may be), read when a node uses it.
			out := make([]any, len(list))
			for i, item := range list {
				ref := media.ImageRef(nil)
				ref.Set("data", item)
				out[i] = ref
			}
			return engine.Single(out), nil
		},
	})
}
