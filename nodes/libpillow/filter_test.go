package libpillow_test

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// pixels makes a w x h image from its pixels row by row (opaque).
func pixels(w, h int, px ...[3]uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i, p := range px {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = p[0], p[1], p[2], 255
	}
	return img
}

// rgb is the pixel at (x, y) without alpha.
func rgb(img *image.NRGBA, x, y int) [3]uint8 {
	p := img.NRGBAAt(x, y)
	return [3]uint8{p.R, p.G, p.B}
}

// stepImage is w x h, black on the left half and white on the right.
func stepImage(w, h int) *image.NRGBA {
	img := uniform(w, h, color.NRGBA{0, 0, 0, 255})
	for y := range h {
		for x := w / 2; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
		}
	}
	return img
}

// TestFilterNodes runs each lib.pillow.filter node on small images whose
// result is known from Pillow's definitions.
func TestFilterNodes(t *testing.T) {
	two := pngRef(t, pixels(2, 1, [3]uint8{10, 20, 30}, [3]uint8{200, 100, 0}))
	flat := pngRef(t, uniform(5, 4, color.NRGBA{90, 90, 90, 255}))
	for _, c := range []struct {
		typ, props string
		check      func(out *image.NRGBA) string
	}{
		{"Invert", `"image":` + two, func(o *image.NRGBA) string {
			return fmt.Sprint(rgb(o, 0, 0), rgb(o, 1, 0))
		}},
		{"Solarize", `"image":` + two + `,"threshold":100`, func(o *image.NRGBA) string {
			return fmt.Sprint(rgb(o, 0, 0), rgb(o, 1, 0))
		}},
		{"Posterize", `"image":` + two + `,"bits":2`, func(o *image.NRGBA) string {
			return fmt.Sprint(rgb(o, 0, 0), rgb(o, 1, 0))
		}},
		{"Expand", `"image":` + two + `,"border":1,"fill":7`, func(o *image.NRGBA) string {
			return fmt.Sprint(o.Rect.Dx(), "x", o.Rect.Dy(), rgb(o, 0, 0), rgb(o, 1, 1), rgb(o, 2, 1), rgb(o, 3, 2))
		}},
		{"Blur", `"image":` + flat + `,"radius":3`, func(o *image.NRGBA) string { return fmt.Sprint(rgb(o, 0, 0), rgb(o, 2, 2)) }},
		{"Contour", `"image":` + flat, func(o *image.NRGBA) string { return fmt.Sprint(rgb(o, 0, 0), rgb(o, 2, 2)) }},
		{"Emboss", `"image":` + flat, func(o *image.NRGBA) string { return fmt.Sprint(rgb(o, 0, 0), rgb(o, 2, 2)) }},
		{"FindEdges", `"image":` + flat, func(o *image.NRGBA) string { return fmt.Sprint(rgb(o, 0, 0), rgb(o, 2, 2)) }},
		{"Smooth", `"image":` + flat, func(o *image.NRGBA) string { return fmt.Sprint(rgb(o, 0, 0), rgb(o, 2, 2)) }},
		{"Canny", `"image":` + pngRef(t, stepImage(8, 6)), func(o *image.NRGBA) string {
			var cols []int
			for x := range 8 {
				if rgb(o, x, 3)[0] == 255 {
					cols = append(cols, x)
				}
			}
			return fmt.Sprint(cols, rgb(o, 0, 0))
		}},
		{"ConvertToGrayscale", `"image":` + two, func(o *image.NRGBA) string {
			return fmt.Sprint(rgb(o, 0, 0), rgb(o, 1, 0))
		}},
		{"GetChannel", `"image":` + two + `,"channel":"B"`, func(o *image.NRGBA) string {
			return fmt.Sprint(rgb(o, 0, 0), rgb(o, 1, 0))
		}},
	} {
		out := decodeOut(t, nodetest.Output(t, "lib.pillow.filter."+c.typ, "{"+c.props+"}", "output"))
		got := c.check(out)
		want := map[string]string{
			"Invert":    "[245 235 225] [55 155 255]",
			"Solarize":  "[10 20 30] [55 155 0]",
			"Posterize": "[0 0 0] [192 64 0]",
			// A 4x3 canvas of (7, 7, 7), the image at (1, 1).
			"Expand": "4x3 [7 7 7] [10 20 30] [200 100 0] [7 7 7]",
			"Blur":   "[90 90 90] [90 90 90]",
			// Kernels: the border copied; inside, the kernel's sum times
			// the value plus the offset (CONTOUR 0+255, EMBOSS 0+128,
			// FIND_EDGES 0, SMOOTH 1).
			"Contour":   "[90 90 90] [255 255 255]",
			"Emboss":    "[90 90 90] [128 128 128]",
			"FindEdges": "[90 90 90] [0 0 0]",
			"Smooth":    "[90 90 90] [90 90 90]",
			// The step between columns 3 and 4: columns 3 and 4 have the
			// same gradient; the left one is kept (a maximum must exceed
			// its left neighbour and equal or exceed its right one), as
			// cv2.Canny gives.
			"Canny": "[3] [0 0 0]",
			// 601-2 luma: (10*19595 + 20*38470 + 30*7471 + 32768) >> 16.
			"ConvertToGrayscale": "[18 18 18] [118 118 118]",
			"GetChannel":         "[30 30 30] [0 0 0]",
		}[c.typ]
		if got != want {
			t.Errorf("%s(%s): %s, want %s", c.typ, c.props[:min(len(c.props), 40)], got, want)
		}
	}
}

// TestGradingIdentity: the new color_grading nodes leave an image as it
// is at their neutral settings (the original's float32 round trip is
// exact there), but HSLAdjust, whose float32 HSV round trip loses up to a
// level in the original too.
func TestGradingIdentity(t *testing.T) {
	img := gradient(48, 32)
	ref := pngRef(t, img)
	for typ, props := range map[string]string{
		"HSLAdjust":   ``,
		"Curves":      ``,
		"Vignette":    `,"amount":0`,
		"FilmLook":    `,"intensity":0`,
		"SplitToning": `,"shadow_saturation":0,"highlight_saturation":0`,
	} {
		out := decodeOut(t, nodetest.Output(t, "lib.pillow.color_grading."+typ, `{"image":`+ref+props+`}`, "output"))
		mae, worst := compare(t, typ, out, img)
		if worst > 1 || worst == 1 && typ != "HSLAdjust" {
			t.Errorf("%s%s changed the image: mean abs error %v, max %d", typ, props, mae, worst)
		}
	}
	// A uniform mid gray: HSLAdjust's luminance on "all" and a full
	// Vignette, worked by hand.
	gray := pngRef(t, uniform(4, 4, color.NRGBA{128, 128, 128, 255}))
	out := decodeOut(t, nodetest.Output(t, "lib.pillow.color_grading.HSLAdjust", `{"image":`+gray+`,"luminance":-0.5}`, "output"))
	// v = float32(128/255) * 0.5, times 255 is 64 exactly in float32.
	if p := rgb(out, 1, 1); p != [3]uint8{64, 64, 64} {
		t.Errorf("HSLAdjust luminance -0.5 of gray 128: %v, want [64 64 64]", p)
	}
	out = decodeOut(t, nodetest.Output(t, "lib.pillow.color_grading.Vignette", `{"image":`+gray+`,"amount":1,"midpoint":0,"feather":1}`, "output"))
	// The corner pixel (0, 0) of 4x4: dist sqrt(2) -> factor 0; the
	// pixel (2, 2) is the center: factor 1.
	if c, m := rgb(out, 0, 0), rgb(out, 2, 2); c != [3]uint8{0, 0, 0} || m != [3]uint8{128, 128, 128} {
		t.Errorf("Vignette: corner %v center %v, want black and unchanged", c, m)
	}
}

// TestBlendComposite: Blend's ends give either image (image2 fitted to
// image1's size); Composite takes image1 where the mask is white and
// image2 where it is black.
func TestBlendComposite(t *testing.T) {
	red := pngRef(t, uniform(6, 4, color.NRGBA{200, 0, 0, 255}))
	blue := pngRef(t, uniform(3, 3, color.NRGBA{0, 0, 200, 255}))
	for alpha, want := range map[string][3]uint8{"0": {200, 0, 0}, "1": {0, 0, 200}, "0.25": {150, 0, 50}} {
		out := decodeOut(t, nodetest.Output(t, "lib.pillow.__init__.Blend", `{"image1":`+red+`,"image2":`+blue+`,"alpha":`+alpha+`}`, "output"))
		if out.Rect.Dx() != 6 || out.Rect.Dy() != 4 || rgb(out, 5, 3) != want {
			t.Errorf("Blend alpha %s: %v %v, want 6x4 %v", alpha, out.Rect, rgb(out, 5, 3), want)
		}
	}
	mask := pixels(2, 1, [3]uint8{255, 255, 255}, [3]uint8{0, 0, 0})
	out := decodeOut(t, nodetest.Output(t, "lib.pillow.__init__.Composite", `{"image1":`+pngRef(t, uniform(2, 1, color.NRGBA{200, 0, 0, 255}))+
		`,"image2":`+pngRef(t, uniform(2, 1, color.NRGBA{0, 0, 200, 255}))+`,"mask":`+pngRef(t, mask)+`}`, "output"))
	if a, b := rgb(out, 0, 0), rgb(out, 1, 0); a != [3]uint8{200, 0, 0} || b != [3]uint8{0, 0, 200} {
		t.Errorf("Composite: %v %v, want image1 then image2", a, b)
	}
	// A mask with transparency composites by its alpha.
	tmask := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	tmask.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 255})
	tmask.SetNRGBA(1, 0, color.NRGBA{255, 255, 255, 0})
	out = decodeOut(t, nodetest.Output(t, "lib.pillow.__init__.Composite", `{"image1":`+pngRef(t, uniform(2, 1, color.NRGBA{200, 0, 0, 255}))+
		`,"image2":`+pngRef(t, uniform(2, 1, color.NRGBA{0, 0, 200, 255}))+`,"mask":`+pngRef(t, tmask)+`}`, "output"))
	if a, b := rgb(out, 0, 0), rgb(out, 1, 0); a != [3]uint8{200, 0, 0} || b != [3]uint8{0, 0, 200} {
		t.Errorf("Composite by alpha: %v %v, want image1 then image2", a, b)
	}
}

// TestFilterErrors: parameters out of the catalog's ranges that size work
// or have no meaning are refused, and missing images are named.
func TestFilterErrors(t *testing.T) {
	img := pngRef(t, gradient(8, 8))
	nodetest.RunErrCases(t, "lib.pillow.filter.", []nodetest.Case{
		{"Posterize", `{"image":` + img + `,"bits":9}`, "bits must be from 1 to 8"},
		{"Expand", `{"image":` + img + `,"border":513}`, "border must be from 0 to 512"},
		{"Expand", `{"image":` + img + `,"fill":300}`, "fill must be from 0 to 255"},
		{"Blur", `{"image":` + img + `,"radius":129}`, "radius must be from 0 to 128"},
		{"Invert", `{}`, "the image is empty"},
		{"lib.pillow.enhance.UnsharpMask", `{"image":` + img + `,"radius":1000}`, "radius must be from 0 to 512"},
		{"lib.pillow.enhance.RankFilter", `{"image":` + img + `,"size":513}`, "size must be an odd number from 1 to 511"},
		{"lib.pillow.enhance.RankFilter", `{"image":` + img + `,"size":3,"rank":9}`, "rank must be from 0 to 8"},
		{"lib.pillow.enhance.AdaptiveContrast", `{"image":` + img + `,"grid_size":65}`, "grid_size must be from 1 to 64"},
		{"lib.pillow.__init__.Blend", `{"image1":` + img + `}`, "The second image is not connected."},
		{"lib.pillow.__init__.Blend", `{"image2":` + img + `}`, "The first image is not connected."},
		{"lib.pillow.__init__.Composite", `{"image1":` + img + `,"image2":` + img + `}`, "The mask is not connected."},
	})
}

// TestEnumFromEdge: a value outside an enum property's values is refused
// when an edge feeds it too (the engine checks it before the node runs).
func TestEnumFromEdge(t *testing.T) {
	img := pngRef(t, gradient(8, 8))
	for _, c := range []struct{ typ, prop, value, want string }{
		{"lib.pillow.color_grading.FilmLook", "preset", "sepia", `input "preset" expects enum`},
		{"lib.pillow.color_grading.HSLAdjust", "color_range", "browns", `input "color_range" expects enum`},
		{"lib.pillow.filter.GetChannel", "channel", "A", `input "channel" expects enum`},
	} {
		g := new(nodetest.Graph).
			Node("s", "nodetool.constant.String", `{"value":`+nodetest.JS(c.value)+`}`).
			Node("n", c.typ, `{"image":`+img+`}`).Edge("s", "output", "n", c.prop).Output("n", "r")
		res := g.Run(t, nil, engine.Limits{})
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s %s=%q: status %s, error %q; want %q", c.typ, c.prop, c.value, res.Status, res.Error, c.want)
		}
	}
}

// TestFilterBudgets: each node that allocates by a parameter or an input
// size refuses, within max-value, before it allocates; small inputs
// complete under the same budgets.
func TestFilterBudgets(t *testing.T) {
	small := pngRef(t, gradient(8, 8))
	bomb := bombRef(50000, 50000)
	// 70x70 is 19600 bytes of pixels: two of them (an op's input and
	// result) fit the 64 KiB budget, Canny's working buffers (four times
	// the image) do not; bordered by 512 it is 1094x1094 (4.8 MB).
	mid := pngRef(t, gradient(70, 70))
	for _, c := range []struct{ name, typ, data string }{
		{"expand border", "lib.pillow.filter.Expand", `{"image":` + mid + `,"border":512}`},
		{"blur bomb", "lib.pillow.filter.Blur", `{"image":` + bomb + `}`},
		{"canny buffers", "lib.pillow.filter.Canny", `{"image":` + mid + `}`},
		{"blend bomb", "lib.pillow.__init__.Blend", `{"image1":` + small + `,"image2":` + bomb + `}`},
		{"composite mask bomb", "lib.pillow.__init__.Composite", `{"image1":` + small + `,"image2":` + small + `,"mask":` + bomb + `}`},
		{"film look bomb", "lib.pillow.color_grading.FilmLook", `{"image":` + bomb + `}`},
	} {
		res := nodetest.RunLimits(t, nil, nodetest.OneNode(c.typ, c.data), nodetest.SmallLimits)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, engine.LimitValue) {
			t.Errorf("%s: status %s, error %.200q; want failed naming %s", c.name, res.Status, res.Error, engine.LimitValue)
		}
	}
	for _, typ := range []string{"lib.pillow.filter.Expand", "lib.pillow.filter.Canny", "lib.pillow.color_grading.SplitToning", "lib.pillow.__init__.Blend"} {
		data := `{"image":` + small + `,"image1":` + small + `,"image2":` + small + `}`
		nodetest.WantCompleted(t, nodetest.RunLimits(t, nil, nodetest.OneNode(typ, data), nodetest.SmallLimits))
	}
}
