package libsvg_test

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/nodes/libsvg"
)

var dump = flag.String("dump", "", "write the renderer's images of the reference tests into this folder")

// refMAE is the largest per-channel mean absolute error (in levels of
// 255) allowed against a reference rendering.
const refMAE = 1.0

// TestReferenceRenderings draws each testdata/ref/*.svg and compares the
// image with the PNG librsvg made of it (see testdata/ref/README.md), by
// per-channel mean absolute error on premultiplied RGBA.
func TestReferenceRenderings(t *testing.T) {
	files, err := filepath.Glob("testdata/ref/*.svg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference documents: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".svg")
		t.Run(name, func(t *testing.T) {
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ref := readPNG(t, strings.TrimSuffix(f, ".svg")+".png")
			img, err := libsvg.Rasterize(pyval.Unlimited, doc, ref.Rect.Dx(), ref.Rect.Dy())
			if err != nil {
				t.Fatal(err)
			}
			if *dump != "" {
				writePNG(t, filepath.Join(*dump, name+".png"), img)
			}
			mae := meanAbsError(ref.Pix, img.Pix)
			t.Logf("%s: mean absolute error per channel %.3f", name, mae)
			for c, e := range mae {
				if e > refMAE {
					t.Errorf("%s: channel %d differs from librsvg's rendering by %.2f levels on average, want at most %.1f", name, c, e, refMAE)
				}
			}
		})
	}
}

// readPNG reads a reference image's bytes as they are stored. librsvg
// (through ffmpeg's decoder) writes cairo's premultiplied pixels into the
// PNG unchanged, so they compare with the renderer's premultiplied RGBA.
func readPNG(t *testing.T, name string) *image.NRGBA {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := img.(*image.NRGBA)
	if !ok {
		t.Fatalf("%s is a %T, want 8-bit RGBA", name, img)
	}
	return n
}

func writePNG(t *testing.T, name string, img image.Image) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func meanAbsError(a, b []uint8) [4]float64 {
	var sum [4]float64
	for i := range min(len(a), len(b)) {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum[i%4] += float64(d)
	}
	px := float64(min(len(a), len(b)) / 4)
	for c := range sum {
		sum[c] /= px
	}
	return sum
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
