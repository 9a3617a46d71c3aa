package images_test

import (
	"image/color"
	"testing"

	"nodetool/engine"
	"nodetool/nodes/nodetest"
)

// BenchmarkResizeNode: the Resize node from a 2048x2048 PNG to 512x512,
// decode, Lanczos scaling and PNG encoding included.
func BenchmarkResizeNode(b *testing.B) {
	t := &testing.T{}
	src := dataURI(pngBytes(t, 2048, 2048, color.NRGBA{200, 100, 50, 255}))
	plan := nodetest.Compile(b, nodetest.Registry(), nodetest.OneNode("nodetool.image.Resize", `{"image":`+src+`,"width":512,"height":512}`))
	b.ResetTimer()
	for b.Loop() {
		if res := plan.Run(b.Context(), engine.RunOptions{JobID: "j", Limits: engine.Limits{Value: 64 << 20}}); res.Status != engine.StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}

// BenchmarkFakeTextToImage: the fake provider's 1024x1024 image through
// TextToImage (drawing and PNG encoding).
func BenchmarkFakeTextToImage(b *testing.B) {
	plan := nodetest.Compile(b, nodetest.FakeModels(), nodetest.OneNode("nodetool.image.TextToImage", `{"model":{"type":"image_model","provider":"fake","id":"fake-model"},"width":1024,"height":1024}`))
	for b.Loop() {
		if res := plan.Run(b.Context(), engine.RunOptions{JobID: "j", Limits: engine.Limits{Value: 64 << 20}}); res.Status != engine.StatusCompleted {
			b.Fatal(res.Error)
		}
	}
}
