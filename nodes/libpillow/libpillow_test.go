package libpillow_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/libpillow"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
)

func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / max(1, w-1)), uint8(y * 255 / max(1, h-1)), uint8((x + y) % 256), 255})
		}
	}
	return img
}

// mae is the per-channel mean absolute error between two images.
func mae(a, b *image.NRGBA) [4]float64 {
	var s [4]float64
	for i := range a.Pix {
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		if d < 0 {
			d = -d
		}
		s[i%4] += d
	}
	n := float64(len(a.Pix) / 4)
	for i := range s {
		s[i] /= n
	}
	return s
}

// Tolerance is the per-channel mean absolute error allowed against
// Pillow's result (rounding differences of one level).
const tolerance = 1.0

func within(t *testing.T, name string, got, want *image.NRGBA) {
	t.Helper()
	for c, e := range mae(got, want) {
		if e > tolerance {
			t.Errorf("%s: channel %d mean absolute error %.3f over %.1f", name, c, e, tolerance)
		}
	}
}

// mapPix builds the expected image pixel by pixel.
func mapPix(img *image.NRGBA, f func(v uint8) uint8) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	for i, v := range img.Pix {
		if i%4 == 3 {
			out.Pix[i] = v
		} else {
			out.Pix[i] = f(v)
		}
	}
	return out
}

func TestEnhanceMatchesPillow(t *testing.T) {
	img := gradient(64, 48)
	within(t, "brightness 0.5", libpillow.Brightness(img, 0.5), mapPix(img, func(v uint8) uint8 { return uint8(float64(v)*0.5 + 0.5) }))
	within(t, "brightness 1", libpillow.Brightness(img, 1), img)
	// Contrast 0 is the mean luma everywhere.
	c0 := libpillow.Contrast(img, 0)
	if c0.Pix[0] != c0.Pix[len(c0.Pix)-4] || c0.Pix[0] != c0.Pix[1] {
		t.Errorf("contrast 0 is not uniform gray: %v", c0.Pix[:8])
	}
	within(t, "contrast 1", libpillow.Contrast(img, 1), img)
	within(t, "color 1", libpillow.Color(img, 1), img)
	g := libpillow.Color(img, 0)
	if p := g.NRGBAAt(10, 10); p.R != p.G || p.G != p.B {
		t.Errorf("color 0 is not gray: %v", p)
	}
	within(t, "sharpness 1", libpillow.Sharpness(img, 1), img)
	// A smooth gradient is left as it is by SHARPEN (the kernel sums to 1).
	within(t, "sharpen of a ramp", libpillow.Kernel3(img, libpillow.SharpenKernel), img)
	// AutoContrast stretches a 50..150 ramp to 0..255.
	ramp := image.NewNRGBA(img.Rect)
	for i := range ramp.Pix {
		ramp.Pix[i] = uint8((i / 4 % 64) * 255 / 63)
	}
	narrow := mapPix(ramp, func(v uint8) uint8 { return 50 + uint8(int(v)*100/255) })
	ac := libpillow.AutoContrast(narrow, 0)
	within(t, "autocontrast", ac, mapPix(narrow, func(v uint8) uint8 { return uint8(min(255, max(0, int((float64(v)-50)*255/100)))) }))
	within(t, "blur 0", libpillow.GaussianBlur(img, 0), img)
	within(t, "blur of a flat image", libpillow.GaussianBlur(mapPix(img, func(uint8) uint8 { return 77 }), 5), mapPix(img, func(uint8) uint8 { return 77 }))
	within(t, "unsharp of a flat image", libpillow.UnsharpMask(mapPix(img, func(uint8) uint8 { return 77 }), 2, 150, 3), mapPix(img, func(uint8) uint8 { return 77 }))
	// A median of 3x3 removes a single bright pixel.
	flat := mapPix(img, func(uint8) uint8 { return 10 })
	flat.SetNRGBA(5, 5, color.NRGBA{255, 255, 255, 255})
	rf, err := libpillow.RankFilter(flat, 3, 4, func() error { return nil })
	if err != nil || rf.NRGBAAt(5, 5).R != 10 {
		t.Errorf("rank filter: %v %v", rf.NRGBAAt(5, 5), err)
	}
	eq := libpillow.Equalize(narrow)
	if eq.NRGBAAt(0, 0).R > 10 || eq.NRGBAAt(63, 0).R < 245 {
		t.Errorf("equalize does not spread the range: %v %v", eq.NRGBAAt(0, 0), eq.NRGBAAt(63, 0))
	}
}

func pngRef(t testing.TB, img image.Image) string {
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return `{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(buf.Bytes()) + `"}`
}

func decodeOut(t *testing.T, v any) *image.NRGBA {
	t.Helper()
	d, ok := v.(*pyval.Dict)
	if !ok {
		t.Fatalf("output %s is not an image ref", nodetest.Repr(v))
	}
	raw, _ := d.Get("data")
	b, _ := raw.([]byte)
	img, _, err := media.DecodeImage(pyval.Unlimited, b)
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	return media.NRGBA(img)
}

func TestNodes(t *testing.T) {
	img := gradient(40, 30)
	ref := pngRef(t, img)
	for _, typ := range []string{"lib.pillow.enhance.Brightness", "nodetool.lib.pillow.enhance.Brightness"} {
		out := decodeOut(t, nodetest.Output(t, typ, `{"image":`+ref+`,"factor":0.5}`, "output"))
		within(t, typ, out, libpillow.Brightness(img, 0.5))
	}
	for _, typ := range []string{"AutoContrast", "Sharpness", "Equalize", "Contrast", "EdgeEnhance", "Sharpen", "RankFilter", "UnsharpMask", "Color", "Detail", "AdaptiveContrast"} {
		out := decodeOut(t, nodetest.Output(t, "lib.pillow.enhance."+typ, `{"image":`+ref+`}`, "output"))
		if out.Rect != img.Rect {
			t.Errorf("%s: size %v", typ, out.Rect)
		}
	}
	canvas := pngRef(t, image.NewNRGBA(image.Rect(0, 0, 120, 40)))
	for _, typ := range []string{"lib.pillow.draw.RenderText", "nodetool.lib.pillow.draw.RenderText"} {
		out := decodeOut(t, nodetest.Output(t, typ, `{"image":`+canvas+`,"text":"Hi\nthere","x":5,"y":2,"size":14,"color":{"type":"color","value":"#ff0000"},"align":"center"}`, "output"))
		red := 0
		box := image.Rectangle{}
		for y := 0; y < out.Rect.Dy(); y++ {
			for x := 0; x < out.Rect.Dx(); x++ {
				if p := out.Pix[out.PixOffset(x, y):]; p[0] > 128 && p[3] > 128 {
					red++
					box = box.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
		// Two lines 14 pixels high, 18 apart, from (5, 2); "there" is 5
		// characters of 7/13*14 pixels.
		if red < 20 || box.Min.Y < 2 || box.Max.Y > 2+18+14 || box.Min.X < 5 || box.Max.X > 5+38 || box.Max.Y < 2+18+6 {
			t.Errorf("%s drew %d red pixels in %v", typ, red, box)
		}
	}
	for data, want := range map[string]string{
		`{"image":` + ref + `,"size":4}`: "size must be an odd number",
		`{}`:                             "the image is empty",
		`{"image":{"type":"image","uri":"data:image/png;base64,aGk="}}`: "not an image",
	} {
		if msg := nodetest.Error(t, "lib.pillow.enhance.RankFilter", data); !strings.Contains(msg, want) {
			t.Errorf("%s: %q, want %q", data, msg, want)
		}
	}
}

// bombRef is a data: URI of a PNG claiming w x h pixels.
func bombRef(w, h uint32) string {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	put := func(o int, v uint32) { b[o], b[o+1], b[o+2], b[o+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	put(16, w)
	put(20, h)
	put(29, crc32.ChecksumIEEE(b[12:29]))
	return `{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(b) + `"}`
}

func TestBudgets(t *testing.T) {
	small := pngRef(t, gradient(8, 8))
	res := nodetest.RunLimits(t, nil, nodetest.OneNode("lib.pillow.enhance.Brightness", `{"image":`+bombRef(50000, 50000)+`}`), nodetest.SmallLimits)
	nodetest.WantLimit(t, res, engine.LimitValue, "n")
	res = nodetest.RunLimits(t, nil, nodetest.OneNode("lib.pillow.draw.RenderText", `{"image":`+small+`,"text":"`+strings.Repeat("x", 5000)+`","size":500}`), nodetest.SmallLimits)
	nodetest.WantLimit(t, res, engine.LimitValue, "n")
	res = nodetest.RunLimits(t, nil, nodetest.OneNode("lib.pillow.enhance.Sharpen", `{"image":`+small+`}`), nodetest.SmallLimits)
	nodetest.WantCompleted(t, res)
}

var benchImg = gradient(2048, 2048)

func BenchmarkBrightness(b *testing.B) {
	for b.Loop() {
		libpillow.Brightness(benchImg, 1.3)
	}
}

func BenchmarkContrast(b *testing.B) {
	for b.Loop() {
		libpillow.Contrast(benchImg, 1.3)
	}
}

func BenchmarkColor(b *testing.B) {
	for b.Loop() {
		libpillow.Color(benchImg, 1.3)
	}
}

func BenchmarkGaussianBlur5(b *testing.B) {
	for b.Loop() {
		libpillow.GaussianBlur(benchImg, 5)
	}
}

var _ = fmt.Sprint
