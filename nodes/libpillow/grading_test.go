package libpillow_test

import (
	"image"
	"image/color"
	"testing"

	"nodetool/nodes/nodetest"
)

func uniform(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// TestColorGrading: each color_grading node leaves the image as it is
// (within a level: float32 truncation, as NumPy's) at its defaults, and
// gives the original's formula's value on a uniform image.
func TestColorGrading(t *testing.T) {
	img := gradient(48, 32)
	ref := pngRef(t, img)
	types := []string{"Exposure", "SaturationVibrance", "LiftGammaGain", "CDL", "ColorBalance"}
	for _, typ := range types {
		out := decodeOut(t, nodetest.Output(t, "lib.pillow.color_grading."+typ, `{"image":`+ref+`}`, "output"))
		within(t, typ+" defaults", out, img)
	}
	gray := pngRef(t, uniform(4, 4, color.NRGBA{64, 128, 200, 255}))
	for _, c := range []struct {
		typ, props string
		want       [3]uint8
	}{
		// 64/255*2 = 0.502 -> 128; 128 -> 1.0 clipped; 200 -> clipped.
		{"Exposure", `"exposure":1`, [3]uint8{128, 255, 255}},
		// Rec. 709 luma of (64,128,200)/255 is 0.4726: 120.5 -> 120.
		{"SaturationVibrance", `"saturation":-1`, [3]uint8{120, 120, 120}},
		// +0.3 red, -0.3 blue: 64+76.5 = 140.5 -> 140, 200-76.5 -> 123.
		{"ColorBalance", `"temperature":1`, [3]uint8{140, 128, 123}},
		{"CDL", `"slope_r":2,"slope_g":0.5,"slope_b":0`, [3]uint8{128, 64, 0}},
		{"LiftGammaGain", `"gain_master":0.5`, [3]uint8{32, 64, 100}},
	} {
		out := decodeOut(t, nodetest.Output(t, "lib.pillow.color_grading."+c.typ, `{"image":`+gray+`,`+c.props+`}`, "output"))
		p := out.Pix[:4]
		for i := range 3 {
			if d := int(p[i]) - int(c.want[i]); d < -1 || d > 1 || p[3] != 255 {
				t.Errorf("%s %s: pixel %v, want %v", c.typ, c.props, p, c.want)
				break
			}
		}
	}
}

// TestGenerated: Background fills its color, opaque; GaussianNoise's
// pixels follow normal(mean, stddev) clipped to 0..1.
func TestGenerated(t *testing.T) {
	out := decodeOut(t, nodetest.Output(t, "lib.pillow.draw.Background", `{"width":7,"height":5,"color":{"type":"color","value":"#336699"}}`, "output"))
	if out.Rect.Dx() != 7 || out.Rect.Dy() != 5 || out.Pix[0] != 0x33 || out.Pix[1] != 0x66 || out.Pix[2] != 0x99 || out.Pix[3] != 255 {
		t.Errorf("Background: %v %v", out.Rect, out.Pix[:4])
	}
	// mean 0.5, stddev 0: every channel 127 (0.5*255 truncated).
	out = decodeOut(t, nodetest.Output(t, "lib.pillow.draw.GaussianNoise", `{"mean":0.5,"stddev":0,"width":4,"height":4}`, "output"))
	if out.Pix[0] != 127 || out.Pix[5] != 127 {
		t.Errorf("GaussianNoise stddev 0: %v", out.Pix[:8])
	}
	// The default (mean 0, stddev 1): about half the values are 0.
	out = decodeOut(t, nodetest.Output(t, "lib.pillow.draw.GaussianNoise", `{"width":64,"height":64}`, "output"))
	zero := 0
	for i := 0; i < len(out.Pix); i += 4 {
		if out.Pix[i] == 0 {
			zero++
		}
	}
	if zero < 64*64*3/10 || zero > 64*64*7/10 {
		t.Errorf("GaussianNoise: %d of %d red values are 0, want about half", zero, 64*64)
	}
	if msg := nodetest.Error(t, "lib.pillow.draw.GaussianNoise", `{"width":2000}`); msg == "" {
		t.Error("GaussianNoise wider than 1024 gave no error")
	}
}
