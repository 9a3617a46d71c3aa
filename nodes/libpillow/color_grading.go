package libpillow

import (
	"fmt"
	"image"
	"math"

	"nodetool/engine"
	"nodetool/nodes/media"
)

// The lib.pillow.color_grading nodes work as the original's NumPy code
// does: RGB as float32 in 0..1 (alpha dropped: the result is opaque, as
// the original's RGB result), each pixel changed on its own, then clipped
// and truncated back to 0..255. Rec. 709 luma.

// gradeFn changes one pixel (r, g, b in 0..1, unclipped).
type gradeFn func(p *[3]float32)

func luma709(p *[3]float32) float32 { return 0.2126*p[0] + 0.7152*p[1] + 0.0722*p[2] }

func clip01(v float32) float32 { return min(max(v, 0), 1) }

// to8 is the original's np.clip(v*255, 0, 255).astype(np.uint8) in
// float32 (NaN, from a division by zero, gives 0).
func to8(v float32) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v * 255)
}

// to8d is to8 in float64.
func to8d(v float64) uint8 {
	if !(v > 0) {
		return 0
	}
	return uint8(min(v*255, 255))
}

// Grade applies f to every pixel of img into a new opaque image.
func Grade(img *image.NRGBA, f gradeFn) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			src := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):]
			dst := out.Pix[out.PixOffset(0, y):]
			for x := 0; x < w*4; x += 4 {
				p := [3]float32{float32(src[x]) / 255, float32(src[x+1]) / 255, float32(src[x+2]) / 255}
				f(&p)
				for c := range 3 {
					dst[x+c] = to8(p[c])
				}
				dst[x+3] = 255
			}
		}
	})
	return out
}

func exposureFn(exposure, contrast, highlights, shadows, whites, blacks float32) gradeFn {
	gain := float32(math.Pow(2, float64(exposure)))
	return func(p *[3]float32) {
		if exposure != 0 {
			for c := range 3 {
				p[c] *= gain
			}
		}
		lum := luma709(p)
		hm, sm := clip01((lum-0.5)*2), clip01((0.5-lum)*2)
		for c := range 3 {
			v := p[c]
			if highlights != 0 {
				v -= hm * highlights * 0.5
			}
			if shadows != 0 {
				v += sm * shadows * 0.5
			}
			if whites != 0 {
				v += whites * 0.2 * v
			}
			if blacks != 0 {
				v += blacks * 0.2 * (1 - v)
			}
			if contrast != 0 {
				v = 0.5 + (v-0.5)*(1+contrast)
			}
			p[c] = v
		}
	}
}

func saturationFn(saturation, vibrance float32) gradeFn {
	return func(p *[3]float32) {
		lum := luma709(p)
		if saturation != 0 {
			for c := range 3 {
				p[c] = lum + (p[c]-lum)*(1+saturation)
			}
		}
		if vibrance != 0 {
			hi, lo := max(p[0], p[1], p[2]), min(p[0], p[1], p[2])
			var sat float32
			if hi > 0 {
				sat = (hi - lo) / (hi + 0.001)
			}
			f := 1 + vibrance*(1-sat)
			for c := range 3 {
				p[c] = lum + (p[c]-lum)*f
			}
		}
	}
}

func liftGammaGainFn(lift [3]float32, liftM float32, gamma [3]float32, gammaM float32, gain [3]float32, gainM float32) gradeFn {
	return func(p *[3]float32) {
		for c := range 3 {
			v := max((p[c]+lift[c]+liftM)*gain[c]*gainM, 0.0001)
			p[c] = float32(math.Pow(float64(v), 1/float64(gamma[c]*gammaM)))
		}
	}
}

func cdlFn(slope, offset, power [3]float32, saturation float32) gradeFn {
	return func(p *[3]float32) {
		for c := range 3 {
			p[c] = float32(math.Pow(float64(max(p[c]*slope[c]+offset[c], 0.0001)), float64(power[c])))
		}
		if saturation != 1 {
			lum := luma709(p)
			for c := range 3 {
				p[c] = lum + (p[c]-lum)*saturation
			}
		}
	}
}

func colorBalanceFn(temperature, tint float32) gradeFn {
	t, n := temperature*0.3, tint*0.3
	return func(p *[3]float32) {
		p[0] += t + n*0.5
		p[1] -= n
		p[2] += -t + n*0.5
	}
}

// registerGrading adds the color_grading nodes through add.
func registerGrading(add addFunc) {
	const ns = "lib.pillow.color_grading."
	add(ns+"Exposure", "Exposure", "Comprehensive tonal exposure controls similar to Lightroom/Camera Raw.\n    exposure, contrast, highlights, shadows, whites, blacks, tonal\n\n    Use cases:\n    - Correct over/underexposed images\n    - Recover highlight and shadow detail\n    - Adjust overall contrast and tonal range\n    - Fine-tune the brightness of specific tonal regions",
		[]engine.Prop{
			imgProp("image", "The image to adjust."),
			engine.P("exposure", "float", "0.0", "Exposure adjustment in stops. Affects entire image.").Range(-5.0, 5.0),
			engine.P("contrast", "float", "0.0", "Contrast adjustment. Affects midtone separation.").Range(-1.0, 1.0),
			engine.P("highlights", "float", "0.0", "Highlight recovery/boost. Affects brightest areas.").Range(-1.0, 1.0),
			engine.P("shadows", "float", "0.0", "Shadow recovery/darken. Affects darkest areas.").Range(-1.0, 1.0),
			engine.P("whites", "float", "0.0", "White point adjustment. Sets the brightest white.").Range(-1.0, 1.0),
			engine.P("blacks", "float", "0.0", "Black point adjustment. Sets the darkest black.").Range(-1.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grade(img, exposureFn(float32(in.Float("exposure")), float32(in.Float("contrast")), float32(in.Float("highlights")),
				float32(in.Float("shadows")), float32(in.Float("whites")), float32(in.Float("blacks")))), nil
		}, false)
	add(ns+"SaturationVibrance", "Saturation Vibrance", "Adjust color saturation with vibrance protection for skin tones.\n    saturation, vibrance, color intensity, skin tones\n\n    Use cases:\n    - Boost color intensity without clipping\n    - Protect skin tones while increasing saturation\n    - Create desaturated or oversaturated looks\n    - Fine-tune color intensity independently",
		[]engine.Prop{
			imgProp("image", "The image to adjust."),
			engine.P("saturation", "float", "0.0", "Global saturation. 0 = no change, -1 = grayscale, 1 = 2x saturation.").Range(-1.0, 1.0),
			engine.P("vibrance", "float", "0.0", "Smart saturation that protects already-saturated colors and skin tones.").Range(-1.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grade(img, saturationFn(float32(in.Float("saturation")), float32(in.Float("vibrance")))), nil
		}, false)
	add(ns+"LiftGammaGain", "Lift Gamma Gain", "Three-way color corrector for shadows, midtones, and highlights.\n    lift, gamma, gain, color wheels, primary correction, shadows, midtones, highlights\n\n    Use cases:\n    - Apply the industry-standard three-way color correction\n    - Balance colors across different tonal ranges\n    - Create color contrast between shadows and highlights\n    - Match footage from different sources\n\n    Lift affects shadows, Gamma affects midtones, Gain affects highlights.\n    Each control adjusts both luminance and color for its tonal range.",
		[]engine.Prop{
			imgProp("image", "The image to color correct."),
			engine.P("lift_r", "float", "0.0", "Red lift (shadow color shift).").Range(-1.0, 1.0),
			engine.P("lift_g", "float", "0.0", "Green lift (shadow color shift).").Range(-1.0, 1.0),
			engine.P("lift_b", "float", "0.0", "Blue lift (shadow color shift).").Range(-1.0, 1.0),
			engine.P("lift_master", "float", "0.0", "Master lift (shadow brightness).").Range(-1.0, 1.0),
			engine.P("gamma_r", "float", "1.0", "Red gamma (midtone adjustment).").Range(0.1, 4.0),
			engine.P("gamma_g", "float", "1.0", "Green gamma (midtone adjustment).").Range(0.1, 4.0),
			engine.P("gamma_b", "float", "1.0", "Blue gamma (midtone adjustment).").Range(0.1, 4.0),
			engine.P("gamma_master", "float", "1.0", "Master gamma (overall midtones).").Range(0.1, 4.0),
			engine.P("gain_r", "float", "1.0", "Red gain (highlight multiplier).").Range(0.0, 4.0),
			engine.P("gain_g", "float", "1.0", "Green gain (highlight multiplier).").Range(0.0, 4.0),
			engine.P("gain_b", "float", "1.0", "Blue gain (highlight multiplier).").Range(0.0, 4.0),
			engine.P("gain_master", "float", "1.0", "Master gain (overall brightness).").Range(0.0, 4.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			f := func(n string) float32 { return float32(in.Float(n)) }
			return Grade(img, liftGammaGainFn(
				[3]float32{f("lift_r"), f("lift_g"), f("lift_b")}, f("lift_master"),
				[3]float32{f("gamma_r"), f("gamma_g"), f("gamma_b")}, f("gamma_master"),
				[3]float32{f("gain_r"), f("gain_g"), f("gain_b")}, f("gain_master"))), nil
		}, false)
	add(ns+"CDL", "CDL", "ASC CDL (Color Decision List) color correction.\n    cdl, slope, offset, power, saturation, asc, color decision list\n\n    Use cases:\n    - Apply industry-standard CDL color correction\n    - Exchange color grades between different software\n    - Apply precise mathematical color transformations\n    - Create consistent looks across multiple shots\n\n    Formula: output = (input * slope + offset) ^ power\n    Followed by saturation adjustment.",
		[]engine.Prop{
			imgProp("image", "The image to color correct."),
			engine.P("slope_r", "float", "1.0", "Red slope (multiplier).").Range(0.0, 4.0),
			engine.P("slope_g", "float", "1.0", "Green slope (multiplier).").Range(0.0, 4.0),
			engine.P("slope_b", "float", "1.0", "Blue slope (multiplier).").Range(0.0, 4.0),
			engine.P("offset_r", "float", "0.0", "Red offset (addition).").Range(-1.0, 1.0),
			engine.P("offset_g", "float", "0.0", "Green offset (addition).").Range(-1.0, 1.0),
			engine.P("offset_b", "float", "0.0", "Blue offset (addition).").Range(-1.0, 1.0),
			engine.P("power_r", "float", "1.0", "Red power (gamma).").Range(0.1, 4.0),
			engine.P("power_g", "float", "1.0", "Green power (gamma).").Range(0.1, 4.0),
			engine.P("power_b", "float", "1.0", "Blue power (gamma).").Range(0.1, 4.0),
			engine.P("saturation", "float", "1.0", "Saturation adjustment.").Range(0.0, 4.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			f := func(n string) float32 { return float32(in.Float(n)) }
			return Grade(img, cdlFn([3]float32{f("slope_r"), f("slope_g"), f("slope_b")}, [3]float32{f("offset_r"), f("offset_g"), f("offset_b")},
				[3]float32{f("power_r"), f("power_g"), f("power_b")}, f("saturation"))), nil
		}, false)
	add(ns+"ColorBalance", "Color Balance", "Adjust color temperature and tint for white balance correction.\n    white balance, temperature, tint, color balance, warm, cool\n\n    Use cases:\n    - Correct white balance in photos and video\n    - Warm up or cool down the overall image\n    - Fix color casts from mixed lighting\n    - Create mood through color temperature shifts",
		[]engine.Prop{
			imgProp("image", "The image to adjust."),
			engine.P("temperature", "float", "0.0", "Color temperature. Positive = warmer (orange), negative = cooler (blue).").Range(-1.0, 1.0),
			engine.P("tint", "float", "0.0", "Color tint. Positive = magenta, negative = green.").Range(-1.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grade(img, colorBalanceFn(float32(in.Float("temperature")), float32(in.Float("tint")))), nil
		}, false)
	add(ns+"HSLAdjust", "HSLAdjust", "Adjust hue, saturation, and luminance for specific color ranges.\n    hsl, hue, saturation, luminance, selective color, color range\n\n    Use cases:\n    - Shift specific colors (e.g., make blues more cyan)\n    - Desaturate or boost individual color ranges\n    - Brighten or darken specific colors\n    - Create color-specific looks (teal skies, orange skin)",
		[]engine.Prop{
			imgProp("image", "The image to adjust."),
			engine.P("color_range", "enum(all, reds, oranges, yellows, greens, cyans, blues, purples, magentas)", `"all"`, "The color range to adjust.").Enum("ColorRange"),
			engine.P("hue_shift", "float", "0.0", "Hue shift for the selected color range. -1 to 1 = -180 to +180 degrees.").Range(-1.0, 1.0),
			engine.P("saturation", "float", "0.0", "Saturation adjustment for the selected color range.").Range(-1.0, 1.0),
			engine.P("luminance", "float", "0.0", "Luminance adjustment for the selected color range.").Range(-1.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			cr := in.Str("color_range")
			if _, ok := hueRanges[cr]; !ok && cr != "all" {
				return nil, fmt.Errorf("unknown color_range %q", cr)
			}
			return Grade(img, hslAdjustFn(cr, in.Float("hue_shift"), in.Float("saturation"), in.Float("luminance"))), nil
		}, false)
	add(ns+"Curves", "Curves", "RGB curves adjustment with control points for precise tonal control.\n    curves, rgb, tonal, contrast, levels\n\n    Use cases:\n    - Create custom contrast curves\n    - Adjust specific tonal ranges precisely\n    - Create cross-processed or stylized looks\n    - Match the tonal characteristics of film stocks",
		[]engine.Prop{
			imgProp("image", "The image to adjust."),
			engine.P("black_point", "float", "0.0", "Input black point (lifts shadows).").Range(0.0, 0.5),
			engine.P("white_point", "float", "1.0", "Input white point (compresses highlights).").Range(0.5, 1.0),
			engine.P("shadows", "float", "0.0", "Shadow curve adjustment.").Range(-0.5, 0.5),
			engine.P("midtones", "float", "0.0", "Midtone curve adjustment (gamma).").Range(-0.5, 0.5),
			engine.P("highlights", "float", "0.0", "Highlight curve adjustment.").Range(-0.5, 0.5),
			engine.P("red_midtones", "float", "0.0", "Red channel midtone adjustment.").Range(-0.5, 0.5),
			engine.P("green_midtones", "float", "0.0", "Green channel midtone adjustment.").Range(-0.5, 0.5),
			engine.P("blue_midtones", "float", "0.0", "Blue channel midtone adjustment.").Range(-0.5, 0.5),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grade(img, curvesFn(in.Float("black_point"), in.Float("white_point"), in.Float("shadows"), in.Float("midtones"), in.Float("highlights"),
				[3]float64{in.Float("red_midtones"), in.Float("green_midtones"), in.Float("blue_midtones")})), nil
		}, false)
	add(ns+"Vignette", "Vignette", "Apply cinematic vignette effect to darken or lighten image edges.\n    vignette, edge, darken, focus, cinematic\n\n    Use cases:\n    - Draw attention to the center of the image\n    - Create a classic cinematic look\n    - Simulate lens light falloff\n    - Add subtle framing to photos",
		[]engine.Prop{
			imgProp("image", "The image to apply vignette to."),
			engine.P("amount", "float", "0.5", "Vignette amount. Positive darkens edges, negative lightens.").Range(-1.0, 1.0),
			engine.P("midpoint", "float", "0.5", "Distance from center where vignette begins (0=center, 1=edges).").Range(0.0, 1.0),
			engine.P("roundness", "float", "0.0", "Shape of vignette. 0=oval matching image aspect, 1=circular, -1=rectangular.").Range(-1.0, 1.0),
			engine.P("feather", "float", "0.5", "Softness of the vignette edge.").Range(0.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grade64(img, vignetteFn(img.Rect.Dx(), img.Rect.Dy(), in.Float("amount"), in.Float("midpoint"), in.Float("roundness"), in.Float("feather"))), nil
		}, false)
	add(ns+"FilmLook", "Film Look", "Apply preset cinematic film looks with adjustable intensity.\n    film look, cinematic, preset, movie, lut, color grade\n\n    Use cases:\n    - Quickly apply popular cinematic color grades\n    - Create consistent looks across multiple images\n    - Emulate classic film stock characteristics\n    - Starting point for custom color grading",
		[]engine.Prop{
			imgProp("image", "The image to apply the film look to."),
			engine.P("preset", "enum(teal_orange, blockbuster, noir, vintage, cold_blue, warm_sunset, matrix, bleach_bypass, cross_process, faded_film)", `"teal_orange"`, "The cinematic look to apply.").Enum("nodetool.nodes.lib.pillow.color_grading.FilmLookPreset"),
			engine.P("intensity", "float", "1.0", "Intensity of the effect. 0=none, 1=full, 2=exaggerated.").Range(0.0, 2.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			pr, ok := filmPresets[in.Str("preset")]
			if !ok {
				return nil, fmt.Errorf("unknown preset %q", in.Str("preset"))
			}
			return Grade64(img, filmLookFn(pr, in.Float("intensity"))), nil
		}, false)
	add(ns+"SplitToning", "Split Toning", "Apply different color tints to shadows and highlights.\n    split toning, shadows, highlights, tint, duotone\n\n    Use cases:\n    - Create classic teal and orange looks\n    - Add color contrast between shadows and highlights\n    - Emulate film processing techniques\n    - Create stylized color-graded images",
		[]engine.Prop{
			imgProp("image", "The image to apply split toning to."),
			engine.P("shadow_hue", "float", "200.0", "Hue of shadow tint in degrees (0=red, 120=green, 240=blue).").Range(0.0, 360.0),
			engine.P("shadow_saturation", "float", "0.3", "Saturation of shadow tint.").Range(0.0, 1.0),
			engine.P("highlight_hue", "float", "40.0", "Hue of highlight tint in degrees.").Range(0.0, 360.0),
			engine.P("highlight_saturation", "float", "0.3", "Saturation of highlight tint.").Range(0.0, 1.0),
			engine.P("balance", "float", "0.0", "Balance between shadows (-1) and highlights (+1).").Range(-1.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (image.Image, error) {
			return Grade64(img, splitToningFn(in.Float("shadow_hue"), in.Float("shadow_saturation"), in.Float("highlight_hue"), in.Float("highlight_saturation"), in.Float("balance"))), nil
		}, false)
}

// gradeFn64 changes the pixel at (x, y) (r, g, b in 0..1 as float32) into
// float64 values, for the original's steps that NumPy computes in float64
// (a float64 array or a coordinate grid meets the float32 image).
type gradeFn64 func(p [3]float32, x, y int) [3]float64

// Grade64 is Grade for a gradeFn64: the result clipped and truncated in
// float64.
func Grade64(img *image.NRGBA, f gradeFn64) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	media.Rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			src := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):]
			dst := out.Pix[out.PixOffset(0, y):]
			for x := 0; x < w; x++ {
				i := 4 * x
				v := f([3]float32{float32(src[i]) / 255, float32(src[i+1]) / 255, float32(src[i+2]) / 255}, x, y)
				for c := range 3 {
					dst[i+c] = to8d(v[c])
				}
				dst[i+3] = 255
			}
		}
	})
	return out
}

// rgbToHSV is matplotlib's rgb_to_hsv in float32: when two channels are
// the largest, the later one's formula wins.
func rgbToHSV(p *[3]float32) (h, s, v float32) {
	r, g, b := p[0], p[1], p[2]
	v = max(r, g, b)
	delta := v - min(r, g, b)
	if v > 0 {
		s = delta / v
	}
	if delta > 0 {
		if r == v {
			h = (g - b) / delta
		}
		if g == v {
			h = 2 + (b-r)/delta
		}
		if b == v {
			h = 4 + (r-g)/delta
		}
	}
	return mod1(h / 6), s, v
}

// mod1 is NumPy's float32 x % 1.0 (the result has the divisor's sign).
func mod1(x float32) float32 {
	m := float32(math.Mod(float64(x), 1))
	if m < 0 {
		m += 1
	}
	return m
}

// hsvToRGB is matplotlib's hsv_to_rgb: float32 in and out, the fraction f
// (h*6 minus an integer array) in float64 as NumPy promotes it.
func hsvToRGB(h, s, v float32) [3]float32 {
	if s == 0 {
		return [3]float32{v, v, v}
	}
	h6 := h * 6
	i := int(h6)
	f := float64(h6) - float64(i)
	p := v * (1 - s)
	q := float32(float64(v) * (1 - float64(s)*f))
	t := float32(float64(v) * (1 - float64(s)*(1-f)))
	switch i % 6 {
	case 0:
		return [3]float32{v, t, p}
	case 1:
		return [3]float32{q, v, p}
	case 2:
		return [3]float32{p, v, t}
	case 3:
		return [3]float32{p, q, v}
	case 4:
		return [3]float32{t, p, v}
	default:
		return [3]float32{v, p, q}
	}
}

// hueRanges are HSLAdjust's color ranges (start, end) in turns; reds wrap
// around 0.
var hueRanges = map[string][2]float64{
	"reds": {0.95, 0.05}, "oranges": {0.02, 0.10}, "yellows": {0.10, 0.18}, "greens": {0.18, 0.45},
	"cyans": {0.45, 0.55}, "blues": {0.55, 0.72}, "purples": {0.72, 0.83}, "magentas": {0.83, 0.95},
}

func hslAdjustFn(colorRange string, hueShift, saturation, luminance float64) gradeFn {
	all := colorRange == "all"
	r := hueRanges[colorRange]
	start, end := r[0], r[1]
	var center, width float64
	if start > end {
		center = math.Mod((start+end+1)/2, 1)
		width = 1 - start + end
	} else {
		center = (start + end) / 2
		width = end - start
	}
	c32, div := float32(center), float32(width/2+0.01)
	s0, e0 := float32(start), float32(end)
	shift := float32(hueShift * 0.5)
	sat, lum := float32(saturation), float32(luminance)
	return func(p *[3]float32) {
		for c := range 3 {
			p[c] = clip01(p[c])
		}
		h, s, v := rgbToHSV(p)
		blend := float32(1)
		if !all {
			var in bool
			if s0 > e0 {
				in = h >= s0 || h <= e0
			} else {
				in = h >= s0 && h <= e0
			}
			blend = 0
			if in && s > 0.1 {
				d := h - c32
				if d < 0 {
					d = -d
				}
				dist := min(d, 1-d)
				blend = max(0, 1-dist/div)
			}
		}
		nh := mod1(h + shift*blend)
		ns := clip01(s * (1 + sat*blend))
		nv := clip01(v * (1 + lum*blend))
		*p = hsvToRGB(nh, ns, nv)
	}
}

func curvesFn(black, white, shadows, midtones, highlights float64, mid [3]float64) gradeFn {
	bp, span := float32(black), float32(white-black)
	sh, hl := float32(shadows), float32(highlights)
	gamma := float32(1 / (1 + midtones))
	var gammas [3]float32
	for c := range 3 {
		gammas[c] = float32(1 / (1 + mid[c]))
	}
	pow := func(x, y float32) float32 { return float32(math.Pow(float64(x), float64(y))) }
	return func(p *[3]float32) {
		for c := range 3 {
			v := clip01((p[c] - bp) / span)
			if shadows != 0 {
				v += sh * (1 - v) * v
			}
			if midtones != 0 {
				v = pow(v, gamma)
			}
			if highlights != 0 {
				v += hl * v * (1 - v)
			}
			if mid[c] != 0 {
				v = pow(min(max(v, 0.0001), 1), gammas[c])
			}
			p[c] = v
		}
	}
}

func vignetteFn(w, h int, amount, midpoint, roundness, feather float64) gradeFn64 {
	cx, cy := float64(w)/2, float64(h)/2
	aspect := float64(w) / float64(h)
	fa := max(feather, 0.01)
	return func(p [3]float32, x, y int) [3]float64 {
		nx := (float64(x) - cx) / (float64(w) / 2)
		ny := (float64(y) - cy) / (float64(h) / 2)
		if roundness > 0 {
			nx *= 1 + (1/aspect-1)*roundness
		}
		var dist float64
		if roundness < 0 {
			rb := -roundness
			dist = math.Sqrt(nx*nx+ny*ny)*(1-rb) + max(math.Abs(nx), math.Abs(ny))*rb
		} else {
			dist = math.Sqrt(nx*nx + ny*ny)
		}
		v := min(max((dist-midpoint)/fa, 0), 1)
		f := 1 + v*(-amount)
		if amount > 0 {
			f = 1 - v*amount
		}
		return [3]float64{float64(p[0]) * f, float64(p[1]) * f, float64(p[2]) * f}
	}
}

// filmPreset is a FilmLook look: shadow and highlight tints, contrast,
// saturation and fade.
type filmPreset struct {
	shadow, highlight          [3]float64
	contrast, saturation, fade float64
}

var filmPresets = map[string]filmPreset{
	"teal_orange":   {[3]float64{0.0, 0.5, 0.55}, [3]float64{1.0, 0.78, 0.6}, 1.1, 1.1, 0.0},
	"blockbuster":   {[3]float64{0.12, 0.24, 0.35}, [3]float64{1.0, 0.9, 0.78}, 1.2, 1.0, 0.0},
	"noir":          {[3]float64{0.2, 0.2, 0.24}, [3]float64{0.86, 0.86, 0.9}, 1.4, 0.3, 0.0},
	"vintage":       {[3]float64{0.4, 0.32, 0.24}, [3]float64{1.0, 0.94, 0.78}, 0.9, 0.8, 0.15},
	"cold_blue":     {[3]float64{0.16, 0.24, 0.4}, [3]float64{0.78, 0.86, 1.0}, 1.1, 0.9, 0.0},
	"warm_sunset":   {[3]float64{0.47, 0.24, 0.16}, [3]float64{1.0, 0.86, 0.7}, 1.0, 1.3, 0.0},
	"matrix":        {[3]float64{0.0, 0.16, 0.0}, [3]float64{0.6, 1.0, 0.6}, 1.3, 0.7, 0.0},
	"bleach_bypass": {[3]float64{0.24, 0.24, 0.27}, [3]float64{0.94, 0.94, 0.98}, 1.5, 0.5, 0.05},
	"cross_process": {[3]float64{0.0, 0.2, 0.3}, [3]float64{1.0, 0.9, 0.5}, 1.2, 1.2, 0.0},
	"faded_film":    {[3]float64{0.3, 0.28, 0.26}, [3]float64{0.95, 0.92, 0.88}, 0.85, 0.7, 0.2},
}

func luma709d(p *[3]float64) float64 { return 0.2126*p[0] + 0.7152*p[1] + 0.0722*p[2] }

func filmLookFn(pr filmPreset, intensity float64) gradeFn64 {
	return func(p [3]float32, _, _ int) [3]float64 {
		lum := luma709(&p)
		sm, hm := float64(clip01(1-lum*2)), float64(clip01(lum*2-1))
		var a [3]float64
		for c := range 3 {
			a[c] = float64(p[c]) + sm*(pr.shadow[c]-0.5)*0.3
			a[c] += hm * (pr.highlight[c] - 0.5) * 0.3
			a[c] = (a[c]-0.5)*pr.contrast + 0.5
		}
		l := luma709d(&a)
		for c := range 3 {
			a[c] = l + (a[c]-l)*pr.saturation
			if pr.fade > 0 {
				a[c] = a[c]*(1-pr.fade) + pr.fade*0.15
			}
			o := float64(p[c])
			a[c] = o + (a[c]-o)*intensity
		}
		return a
	}
}

// hsvColor is Python's colorsys.hsv_to_rgb(h, 1, 1).
func hsvColor(h float64) [3]float64 {
	i := int(h * 6)
	f := h*6 - float64(i)
	const v, p = 1.0, 0.0
	q, t := 1-f, 1-(1-f)
	switch i % 6 {
	case 0:
		return [3]float64{v, t, p}
	case 1:
		return [3]float64{q, v, p}
	case 2:
		return [3]float64{p, v, t}
	case 3:
		return [3]float64{p, q, v}
	case 4:
		return [3]float64{t, p, v}
	default:
		return [3]float64{v, p, q}
	}
}

func splitToningFn(shadowHue, shadowSat, highlightHue, highlightSat, balance float64) gradeFn64 {
	sc, hc := hsvColor(shadowHue/360), hsvColor(highlightHue/360)
	off := balance * 0.25
	sbase, hoff := float32(0.5+off), float32(off)
	return func(p [3]float32, _, _ int) [3]float64 {
		lum := luma709(&p)
		sm := float64(clip01((sbase - lum) * 2))
		hm := float64(clip01((lum - 0.5 + hoff) * 2))
		var a [3]float64
		for c := range 3 {
			a[c] = float64(p[c]) + sm*(sc[c]-0.5)*shadowSat
			a[c] += hm * (hc[c] - 0.5) * highlightSat
		}
		return a
	}
}
