package libpillow

import (
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
					dst[x+c] = uint8(clip01(p[c]) * 255)
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
		for c := range 3 {
			p[c] *= gain
		}
		lum := luma709(p)
		hm, sm := clip01((lum-0.5)*2), clip01((0.5-lum)*2)
		for c := range 3 {
			v := p[c]
			v -= hm * highlights * 0.5
			v += sm * shadows * 0.5
			v += whites * 0.2 * v
			v += blacks * 0.2 * (1 - v)
			p[c] = 0.5 + (v-0.5)*(1+contrast)
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
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (*image.NRGBA, error) {
			return Grade(img, exposureFn(float32(in.Float("exposure")), float32(in.Float("contrast")), float32(in.Float("highlights")),
				float32(in.Float("shadows")), float32(in.Float("whites")), float32(in.Float("blacks")))), nil
		}, false)
	add(ns+"SaturationVibrance", "Saturation Vibrance", "Adjust color saturation with vibrance protection for skin tones.\n    saturation, vibrance, color intensity, skin tones\n\n    Use cases:\n    - Boost color intensity without clipping\n    - Protect skin tones while increasing saturation\n    - Create desaturated or oversaturated looks\n    - Fine-tune color intensity independently",
		[]engine.Prop{
			imgProp("image", "The image to adjust."),
			engine.P("saturation", "float", "0.0", "Global saturation. 0 = no change, -1 = grayscale, 1 = 2x saturation.").Range(-1.0, 1.0),
			engine.P("vibrance", "float", "0.0", "Smart saturation that protects already-saturated colors and skin tones.").Range(-1.0, 1.0),
		},
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (*image.NRGBA, error) {
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
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (*image.NRGBA, error) {
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
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (*image.NRGBA, error) {
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
		func(_ *engine.Ctx, in *engine.Inputs, img *image.NRGBA) (*image.NRGBA, error) {
			return Grade(img, colorBalanceFn(float32(in.Float("temperature")), float32(in.Float("tint")))), nil
		}, false)
}
