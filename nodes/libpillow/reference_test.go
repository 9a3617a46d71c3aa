package libpillow_test

import (
	"encoding/base64"
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/nodes/libpillow"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
)

// refCase is one case of testdata/pillowref/cases.json, which gen.py
// writes with the reference images: a node type, its image inputs (PNG
// files), its other properties, and the image Pillow (with NumPy and
// OpenCV where the original uses them) made from them.
type refCase struct {
	Name   string            `json:"name"`
	Type   string            `json:"type"`
	Inputs map[string]string `json:"inputs"`
	Props  map[string]any    `json:"props"`
	Ref    string            `json:"ref"`
	Note   string            `json:"note"`
}

const refDir = "testdata/pillowref"

func loadCases(t *testing.T) []refCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []refCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func readPNG(t *testing.T, name string) (*image.NRGBA, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, name))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := media.DecodeImage(pyval.Unlimited, b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return media.NRGBA(img), b
}

// refTolerance is the largest per-channel mean absolute error (in levels
// of 0-255) allowed against the reference, by case name prefix; every
// other case must be within defaultTolerance. Each wider one says why.
var refTolerance = map[string]float64{
	// Our RenderText draws the one embedded 7x13 bitmap font scaled to
	// the size; Pillow drew DejaVuSans (another glyph shape and width).
	// The error is where the two texts' strokes differ on a 96x40 canvas
	// (measured 4.2 red, 17.2 green and blue for dark red text on white).
	"rendertext": 20,
}

const defaultTolerance = 1.0

func refTol(name string) float64 {
	best, tol := "", defaultTolerance
	for p, v := range refTolerance {
		if strings.HasPrefix(name, p) && len(p) > len(best) {
			best, tol = p, v
		}
	}
	return tol
}

// compare returns the per-channel mean absolute error and the largest
// absolute difference of two images of the same size.
func compare(t *testing.T, name string, got, want *image.NRGBA) (mae [4]float64, worst int) {
	t.Helper()
	if got.Rect.Size() != want.Rect.Size() {
		t.Fatalf("%s: size %v, want %v", name, got.Rect.Size(), want.Rect.Size())
	}
	w, h := want.Rect.Dx(), want.Rect.Dy()
	for y := range h {
		g := got.Pix[y*got.Stride : y*got.Stride+4*w]
		r := want.Pix[y*want.Stride : y*want.Stride+4*w]
		for i := range g {
			d := int(g[i]) - int(r[i])
			if d < 0 {
				d = -d
			}
			mae[i%4] += float64(d)
			worst = max(worst, d)
		}
	}
	for c := range mae {
		mae[c] /= float64(w * h)
	}
	return mae, worst
}

// TestPillowReferences runs each of our nodes on the reference inputs
// with the reference's properties and compares its result with the image
// Pillow made, channel by channel.
func TestPillowReferences(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			data := map[string]any{}
			for k, v := range c.Props {
				data[k] = v
			}
			for prop, file := range c.Inputs {
				_, b := readPNG(t, file)
				data[prop] = map[string]any{"type": "image", "uri": "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)}
			}
			js, err := json.Marshal(data)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeOut(t, nodetest.Output(t, c.Type, string(js), "output"))
			want, _ := readPNG(t, c.Ref)
			mae, worst := compare(t, c.Name, got, want)
			tol := refTol(c.Name)
			t.Logf("%s: mean abs error %.3f %.3f %.3f %.3f, max %d (tolerance %.1f) %s", c.Type, mae[0], mae[1], mae[2], mae[3], worst, tol, c.Note)
			for ch, e := range mae {
				if e > tol {
					t.Errorf("%s: channel %d mean absolute error %.3f over %.1f (max difference %d)", c.Type, ch, e, tol, worst)
				}
			}
		})
	}
}

// TestResizeMatchesPillow compares libpillow.Resize and Fit (Lanczos, as
// the original's Resize, Scale and Fit) with Pillow's results.
func TestResizeMatchesPillow(t *testing.T) {
	n := 0
	for _, c := range loadCases(t) {
		var got *image.NRGBA
		in := func() *image.NRGBA { img, _ := readPNG(t, c.Inputs["image"]); return img }
		num := func(k string) int { return int(c.Props[k].(float64)) }
		switch c.Type {
		case "nodetool.image.Resize":
			img := in()
			got = libpillow.Resize(img, num("width"), num("height"), libpillow.Box{X1: float64(img.Rect.Dx()), Y1: float64(img.Rect.Dy())}, libpillow.Lanczos)
		case "nodetool.image.Scale":
			img := in()
			s := c.Props["scale"].(float64)
			w, h := int(float64(img.Rect.Dx())*s), int(float64(img.Rect.Dy())*s)
			got = libpillow.Resize(img, w, h, libpillow.Box{X1: float64(img.Rect.Dx()), Y1: float64(img.Rect.Dy())}, libpillow.Lanczos)
		case "nodetool.image.Fit":
			got = libpillow.Fit(in(), num("width"), num("height"), libpillow.Lanczos)
		default:
			continue
		}
		n++
		want, _ := readPNG(t, c.Ref)
		mae, worst := compare(t, c.Name, got, want)
		t.Logf("%s: mean abs error %v, max %d", c.Name, mae, worst)
		for ch, e := range mae {
			if e > defaultTolerance {
				t.Errorf("%s: channel %d mean absolute error %.3f (max difference %d)", c.Name, ch, e, worst)
			}
		}
	}
	if n == 0 {
		t.Fatal("no resize cases")
	}
}
