package libgrid_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/nodes/nodetest"
)

func pngRef(t *testing.T, w, h int, c color.NRGBA) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return `{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(b.Bytes()) + `"}`
}

func decode(t *testing.T, v any) image.Image {
	t.Helper()
	d, _ := v.(*pyval.Dict)
	data, _ := d.Get("data")
	b, _ := data.([]byte)
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", pyval.Repr(v), err)
	}
	return img
}

// TestGrid: slicing gives the tiles row by row, the last ones taking the
// remainder; combining puts tiles back in cells as large as the largest.
func TestGrid(t *testing.T) {
	out := nodetest.Output(t, "lib.grid.SliceImageGrid", `{"image":`+pngRef(t, 10, 7, color.NRGBA{255, 0, 0, 255})+`,"columns":3,"rows":2}`, "output")
	tiles, _ := out.([]any)
	if len(tiles) != 6 {
		t.Fatalf("SliceImageGrid: %s", pyval.Repr(out))
	}
	want := []image.Point{{3, 3}, {3, 3}, {4, 3}, {3, 4}, {3, 4}, {4, 4}}
	for i, w := range want {
		if b := decode(t, tiles[i]).Bounds().Size(); b != w {
			t.Errorf("tile %d: %v, want %v", i, b, w)
		}
	}
	red, blue := pngRef(t, 4, 3, color.NRGBA{255, 0, 0, 255}), pngRef(t, 2, 2, color.NRGBA{0, 0, 255, 255})
	img := decode(t, nodetest.Output(t, "lib.grid.CombineImageGrid", `{"tiles":[`+red+`,`+blue+`,`+red+`],"columns":2}`, "output"))
	if b := img.Bounds().Size(); b != (image.Point{8, 6}) {
		t.Errorf("CombineImageGrid size %v", b)
	}
	if _, _, b, _ := img.At(4, 0).RGBA(); b != 0xffff {
		t.Error("the second tile is not at (4, 0)")
	}
	// Columns 0: isqrt(3) = 1 column of 3 rows.
	img = decode(t, nodetest.Output(t, "lib.grid.CombineImageGrid", `{"tiles":[`+red+`,`+blue+`,`+red+`]}`, "output"))
	if b := img.Bounds().Size(); b != (image.Point{4, 9}) {
		t.Errorf("CombineImageGrid columns 0: size %v", b)
	}
	// Both counts 0: 3x3; rows 0: from the aspect ratio (10x7, 2 columns: 2 rows).
	for data, n := range map[string]int{`{"image":` + pngRef(t, 10, 7, color.NRGBA{1, 1, 1, 255}) + `}`: 9, `{"image":` + pngRef(t, 10, 7, color.NRGBA{1, 1, 1, 255}) + `,"columns":2}`: 4} {
		if got, _ := nodetest.Output(t, "lib.grid.SliceImageGrid", data, "output").([]any); len(got) != n {
			t.Errorf("SliceImageGrid: %d tiles, want %d", len(got), n)
		}
	}
	if msg := nodetest.Error(t, "lib.grid.CombineImageGrid", `{"tiles":[]}`); msg == "" {
		t.Error("no error for no tiles")
	}
	if msg := nodetest.Error(t, "lib.grid.SliceImageGrid", `{"image":`+red+`,"columns":50}`); msg == "" {
		t.Error("no error for a grid larger than the image")
	}
}
