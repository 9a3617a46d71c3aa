package images_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"nodetool/nodes/nodetest"
)

// TestGetMetadata: format and mode as Pillow names them.
func TestGetMetadata(t *testing.T) {
	var j bytes.Buffer
	jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 5, 3)), nil)
	alpha := pngBytes(t, 6, 4, color.NRGBA{1, 2, 3, 100})
	for data, want := range map[string][5]string{
		dataURI(pngBytes(t, 6, 4, color.NRGBA{1, 2, 3, 255})): {"PNG", "RGB", "6", "4", "3"},
		dataURI(alpha): {"PNG", "RGBA", "6", "4", "4"},
		`{"type":"image","data":"` + base64.StdEncoding.EncodeToString(j.Bytes()) + `"}`: {"JPEG", "L", "5", "3", "1"},
	} {
		outs, res := nodetest.RunNode(t, "nodetool.image.GetMetadata", `{"image":`+data+`}`)
		if res.Error != "" {
			t.Fatal(res.Error)
		}
		got := [5]string{}
		for i, k := range []string{"format", "mode", "width", "height", "channels"} {
			got[i] = nodetest.Repr(outs[k][0])
			if s, ok := outs[k][0].(string); ok {
				got[i] = s
			}
		}
		if got != want {
			t.Errorf("GetMetadata = %v, want %v", got, want)
		}
	}
}

// TestFitAndBatch: Fit gives the asked size from a centered crop;
// BatchToList splits a batch ref's list of images.
func TestFitAndBatch(t *testing.T) {
	src := pngBytes(t, 40, 20, color.NRGBA{255, 0, 0, 255})
	img := decoded(t, run(t, nodetest.Registry(), "nodetool.image.Fit", `{"image":`+dataURI(src)+`,"width":10,"height":10}`, limits))
	if b := img.Bounds(); b.Dx() != 10 || b.Dy() != 10 {
		t.Errorf("Fit size %v", b)
	}
	b64 := base64.StdEncoding.EncodeToString(src)
	out := nodetest.Output(t, "nodetool.image.BatchToList", `{"batch":{"type":"image","data":["`+b64+`","`+b64+`"]}}`, "output")
	list, _ := out.([]any)
	if len(list) != 2 {
		t.Fatalf("BatchToList = %s", nodetest.Repr(out))
	}
	// Each item is an image a node can read.
	img = decoded(t, run(t, nodetest.Registry(), "nodetool.image.Scale", `{"image":{"type":"image","data":"`+b64+`"},"scale":0.5}`, limits))
	if b := img.Bounds(); b.Dx() != 20 {
		t.Errorf("Scale of a batch item: %v", b)
	}
	if msg := nodetest.Error(t, "nodetool.image.BatchToList", `{"batch":{"type":"image","data":"abc"}}`); msg == "" {
		t.Error("BatchToList of a single image gave no error")
	}
}
