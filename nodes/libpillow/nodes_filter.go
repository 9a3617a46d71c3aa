package libpillow

import (
	"fmt"
	"image"

	"nodetool/engine"
	"nodetool/nodes/media"
)

// Bounds of the filter parameters that size work (the catalog's ranges,
// which the original's fields enforce).
const (
	MaxBlurRadius    = 128
	MaxExpandBorder  = 512
	MaxUnsharpRadius = 512
	MaxRankSize      = 511
)

// registerFilter adds the lib.pillow.filter nodes through add.
func registerFilter(add addFunc) {
	const ns = "lib.pillow.filter."
	image1 := func(desc string) []engine.Prop { return []engine.Prop{imgProp("image", desc)} }
	kernelNode := func(name, title, desc, imgDesc string, k kernel) {
		add(ns+name, title, desc, image1(imgDesc), func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Kernel3(img, k), nil
		}, false)
	}
	add(ns+"Invert", "Invert", "Invert the colors of an image.\n    image, filter, invert\n\n    - Create negative versions of images for visual effects\n    - Analyze image data by bringing out hidden details\n    - Preprocess images for operations that work better on inverted colors",
		image1("The image to adjust the brightness for."),
		func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) { return Invert(img), nil }, false)
	add(ns+"Solarize", "Solarize", "Apply a solarize effect to partially invert image tones.\n    image, filter, solarize\n\n    - Create surreal artistic photo effects\n    - Enhance visual data by making certain elements more prominent\n    - Add a unique style to images for graphic design",
		append(image1("The image to solarize."), engine.P("threshold", "int", "128", "Threshold for solarization.").Range(0, 255)),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Solarize(img, int(min(max(in.Int("threshold"), -1), 256))), nil
		}, false)
	add(ns+"Posterize", "Posterize", "Reduce the number of colors in an image for a poster-like effect.\n    image, filter, posterize\n\n    - Create graphic art by simplifying image colors\n    - Apply artistic effects to photographs\n    - Generate visually compelling content for advertising",
		append(image1("The image to posterize."), engine.P("bits", "int", "4", "Number of bits to posterize to.").Range(1, 8)),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			bits := in.Int("bits")
			if bits < 1 || bits > 8 {
				return nil, fmt.Errorf("bits must be from 1 to 8, got %d", bits)
			}
			return Posterize(img, int(bits)), nil
		}, false)
	add(ns+"Expand", "Expand", "Add a border around an image to increase its size.\n    image, border, expand\n\n    - Make images stand out by adding a colored border\n    - Create framed photo effects\n    - Separate image content from surroundings",
		append(image1("The image to expand."), engine.P("border", "int", "0", "Border size.").Range(0, 512), engine.P("fill", "int", "0", "Fill color.").Range(0, 255)),
		func(ctx *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			b, fill := in.Int("border"), in.Int("fill")
			if b < 0 || b > MaxExpandBorder {
				return nil, fmt.Errorf("border must be from 0 to %d, got %d", MaxExpandBorder, b)
			}
			if fill < 0 || fill > 255 {
				return nil, fmt.Errorf("fill must be from 0 to 255, got %d", fill)
			}
			if err := media.CheckPixels(ctx, img.Rect.Dx()+2*int(b), img.Rect.Dy()+2*int(b), 4); err != nil {
				return nil, err
			}
			return Expand(img, int(b), uint8(fill)), nil
		}, false)
	add(ns+"Blur", "Blur", "Apply a Gaussian blur effect to an image.\n    image, filter, blur\n\n    - Soften images or reduce noise and detail\n    - Make focal areas stand out by blurring surroundings\n    - Protect privacy by blurring sensitive information",
		append(image1("The image to blur."), engine.P("radius", "int", "2", "Blur radius.").Range(0, 128)),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			r := in.Int("radius")
			if r < 0 || r > MaxBlurRadius {
				return nil, fmt.Errorf("radius must be from 0 to %d, got %d", MaxBlurRadius, r)
			}
			return GaussianBlur(img, float64(r)), nil
		}, false)
	kernelNode("Contour", "Contour", "Apply a contour filter to highlight image edges.\n    image, filter, contour\n\n    - Extract key features from complex images\n    - Aid pattern recognition and object detection\n    - Create stylized contour sketch art effects",
		"The image to contour.", contour)
	kernelNode("Emboss", "Emboss", "Apply an emboss filter for a 3D raised effect.\n    image, filter, emboss\n\n    - Add texture and depth to photos\n    - Create visually interesting graphics\n    - Incorporate unique effects in digital artwork",
		"The image to emboss.", emboss)
	kernelNode("FindEdges", "Find Edges", "Detect and highlight edges in an image.\n    image, filter, edges\n\n    - Analyze structural patterns in images\n    - Aid object detection in computer vision\n    - Detect important features like corners and ridges",
		"The image to find edges.", findEdges)
	kernelNode("Smooth", "Smooth", "Apply smoothing to reduce image noise and detail.\n    image, filter, smooth\n\n    - Enhance visual aesthetics of images\n    - Improve object detection by reducing irrelevant details\n    - Aid facial recognition by simplifying images",
		"The image to smooth.", smooth)
	add(ns+"Canny", "Canny", "Apply Canny edge detection to an image.\n    image, filter, edges\n\n    - Highlight areas of rapid intensity change\n    - Outline object boundaries and structure\n    - Enhance inputs for object detection and image segmentation",
		append(image1("The image to canny."), engine.P("low_threshold", "int", "100", "Low threshold.").Range(0, 255), engine.P("high_threshold", "int", "200", "High threshold.").Range(0, 255)),
		func(ctx *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			// Gradients, magnitudes, states and the edge stack: about
			// four times the image.
			if err := ctx.CheckSize(int64(len(img.Pix)) * 4); err != nil {
				return nil, err
			}
			clamp := func(v int64) int { return int(min(max(v, -1), 1<<20)) }
			return Canny(img, clamp(in.Int("low_threshold")), clamp(in.Int("high_threshold"))), nil
		}, false)
	add(ns+"ConvertToGrayscale", "Convert To Grayscale", "Convert an image to grayscale.\n    image, grayscale\n\n    - Simplify images for feature and edge detection\n    - Prepare images for shape-based machine learning\n    - Create vintage or monochrome aesthetic effects",
		image1("The image to convert."),
		func(_ *engine.Ctx, _ *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grayscale(img), nil
		}, false)
	add(ns+"GetChannel", "Get Channel", "Extract a specific color channel from an image.\n    image, color, channel, isolate, extract\n\n    - Isolate color information for image analysis\n    - Manipulate specific color components in graphic design\n    - Enhance or reduce visibility of certain colors",
		append(image1("The image to get the channel from."), engine.P("channel", "enum(R, G, B)", `"R"`, "").Enum("ChannelEnum")),
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			c := map[string]int{"R": 0, "G": 1, "B": 2}
			i, ok := c[in.Str("channel")]
			if !ok {
				return nil, fmt.Errorf("channel must be R, G or B, got %q", in.Str("channel"))
			}
			return Channel(img, i), nil
		}, false)
}

// registerInit adds lib.pillow's Blend and Composite (the catalog names
// them lib.pillow.__init__.*, after the module that defines them).
func registerInit(r *engine.Registry, src media.Sources) {
	const ns = "lib.pillow.__init__."
	// read decodes the named image input; empty says what is missing.
	read := func(ctx *engine.Ctx, in *engine.Inputs, name, empty string) (*image.NRGBA, error) {
		if !media.IsSet(in.Get(name)) {
			return nil, fmt.Errorf("%s", empty)
		}
		return src.Image(ctx, in.Get(name))
	}
	// fitTo is ImageOps.fit(img, size) (bicubic) when the sizes differ,
	// the result sized first.
	fitTo := func(ctx *engine.Ctx, img *image.NRGBA, size image.Rectangle) (*image.NRGBA, error) {
		if img.Rect.Size() == size.Size() {
			return img, nil
		}
		if err := media.CheckPixels(ctx, size.Dx(), size.Dy(), 4); err != nil {
			return nil, err
		}
		return Fit(img, size.Dx(), size.Dy(), Bicubic), nil
	}
	out := func(ctx *engine.Ctx, img image.Image) (map[string]any, error) {
		ref, err := media.ImageOut(ctx, img)
		if err != nil {
			return nil, err
		}
		return engine.Single(ref), nil
	}
	r.Add(&engine.NodeDef{
		Type: ns + "Blend", Title: "Blend",
		Description: "Blend two images with adjustable alpha mixing.\n    blend, mix, fade, transition\n\n    Use cases:\n    - Create smooth transitions between images\n    - Adjust opacity of overlays\n    - Combine multiple exposures or effects",
		Props: []engine.Prop{
			imgProp("image1", "The first image to blend."),
			imgProp("image2", "The second image to blend."),
			engine.P("alpha", "float", "0.5", "The mix ratio.").Range(0, 1),
		},
		BasicFields: []string{"image1", "image2", "alpha"},
		Outputs:     engine.Out("output", "image"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, err := read(ctx, in, "image1", "The first image is not connected.")
			if err != nil {
				return nil, err
			}
			b, err := read(ctx, in, "image2", "The second image is not connected.")
			if err != nil {
				return nil, err
			}
			if b, err = fitTo(ctx, b, a.Rect); err != nil {
				return nil, err
			}
			if err := ctx.CheckSize(int64(len(a.Pix))); err != nil {
				return nil, err
			}
			return out(ctx, Blend(a, b, in.Float("alpha")))
		},
	})
	r.Add(&engine.NodeDef{
		Type: ns + "Composite", Title: "Composite",
		Description: "Combine two images using a mask for advanced compositing.\n    composite, mask, blend, layering\n\n    Use cases:\n    - Create complex image compositions\n    - Apply selective blending or effects\n    - Implement advanced photo editing techniques" +
			"\n\n    Where the mask is white, image1; where black, image2. The mask's gray level is used, or its alpha when it has transparency; image2 and the mask are fitted to image1's size.",
		Props: []engine.Prop{
			imgProp("image1", "The first image to composite."),
			imgProp("image2", "The second image to composite."),
			imgProp("mask", "The mask to composite with."),
		},
		BasicFields: []string{"image1", "image2", "mask"},
		Outputs:     engine.Out("output", "image"),
		Process: func(ctx *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			a, err := read(ctx, in, "image1", "The first image is not connected.")
			if err != nil {
				return nil, err
			}
			b, err := read(ctx, in, "image2", "The second image is not connected.")
			if err != nil {
				return nil, err
			}
			m, err := read(ctx, in, "mask", "The mask is not connected.")
			if err != nil {
				return nil, err
			}
			if b, err = fitTo(ctx, b, a.Rect); err != nil {
				return nil, err
			}
			if m, err = fitTo(ctx, m, a.Rect); err != nil {
				return nil, err
			}
			if err := ctx.CheckSize(int64(len(a.Pix))); err != nil {
				return nil, err
			}
			return out(ctx, Composite(a, b, MaskValues(m)))
		},
	})
}
