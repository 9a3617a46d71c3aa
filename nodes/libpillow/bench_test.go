package libpillow_test

import (
	"context"
	"runtime"
	"testing"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/libpillow"
	"nodetool/nodes/media"
	"nodetool/nodes/nodetest"
)

// Speed goals (issue 12), on a 2048x2048 RGBA image, using every core:
// Brightness, Contrast and Color under 40 ms, GaussianBlur radius 5 under
// 150 ms, resizing to 512x512 under 60 ms. Measured with
//
//	go test -run XXX -bench . -benchmem ./nodes/libpillow/

func BenchmarkResize512(b *testing.B) {
	box := libpillow.Box{X1: 2048, Y1: 2048}
	for b.Loop() {
		libpillow.Resize(benchImg, 512, 512, box, libpillow.Lanczos)
	}
}

func BenchmarkResize512Bicubic(b *testing.B) {
	box := libpillow.Box{X1: 2048, Y1: 2048}
	for b.Loop() {
		libpillow.Resize(benchImg, 512, 512, box, libpillow.Bicubic)
	}
}

// BenchmarkResize512Translucent resizes an image with transparency,
// premultiplied first as Pillow does.
func BenchmarkResize512Translucent(b *testing.B) {
	img := gradient(2048, 2048)
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = uint8(i / 4)
	}
	box := libpillow.Box{X1: 2048, Y1: 2048}
	b.ResetTimer()
	for b.Loop() {
		libpillow.Resize(img, 512, 512, box, libpillow.Lanczos)
	}
}

func BenchmarkUnsharpMask(b *testing.B) {
	for b.Loop() {
		libpillow.UnsharpMask(benchImg, 2, 150, 3)
	}
}

func BenchmarkRankFilterMedian3(b *testing.B) {
	for b.Loop() {
		if _, err := libpillow.RankFilter(benchImg, 3, 4, func() error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanny(b *testing.B) {
	for b.Loop() {
		libpillow.Canny(benchImg, 100, 200)
	}
}

func BenchmarkAdaptiveContrast(b *testing.B) {
	for b.Loop() {
		libpillow.AdaptiveContrast(benchImg, 2, 8)
	}
}

// imageChain is a run of 5 nodes passing one image along: the workflow's
// image input, three Reroutes, the output.
func imageChain(t testing.TB) *engine.Plan {
	g := new(nodetest.Graph).
		Node("in", "nodetool.input.ImageInput", `{"name":"image"}`).
		Node("r1", "nodetool.control.Reroute", "").
		Node("r2", "nodetool.control.Reroute", "").
		Node("r3", "nodetool.control.Reroute", "").
		Edge("in", "output", "r1", "input_value").
		Edge("r1", "output", "r2", "input_value").
		Edge("r2", "output", "r3", "input_value").
		Node("out", "nodetool.output.Output", `{"name":"r"}`).
		Edge("r3", "output", "out", "value")
	return nodetest.Compile(t, nodetest.Registry(), g.JSON())
}

const chainImageSize = 10 << 20

// chainParams holds a 10 MB image (its content is not decoded on the
// way: only its bytes count).
func chainParams() (*pyval.Dict, []byte) {
	data := make([]byte, chainImageSize)
	copy(data, "\x89PNG\r\n\x1a\n")
	return pyval.DictOf("image", media.ImageRef(data)), data
}

func runChain(t testing.TB, p *engine.Plan, params *pyval.Dict) *engine.Result {
	res := p.Run(context.Background(), engine.RunOptions{JobID: "j", Params: params, Limits: engine.Limits{Value: 64 << 20}})
	if res.Status != engine.StatusCompleted {
		t.Fatalf("run: %s %s", res.Status, res.Error)
	}
	return res
}

// BenchmarkImageThroughFiveNodes: B/op is what a run allocates to pass a
// 10 MB image through 5 nodes (the goal: the image copied at most once).
func BenchmarkImageThroughFiveNodes(b *testing.B) {
	p := imageChain(b)
	params, _ := chainParams()
	b.SetBytes(chainImageSize)
	b.ReportAllocs()
	for b.Loop() {
		runChain(b, p, params)
	}
}

// TestImageNotCopiedBetweenNodes pins the copies of a 10 MB image passed
// through 5 nodes: the result holds the very bytes the input was given,
// and a run allocates less than a tenth of the image (no copy at all;
// the goal allows one).
func TestImageNotCopiedBetweenNodes(t *testing.T) {
	p := imageChain(t)
	params, data := chainParams()
	res := runChain(t, p, params)
	ref, ok := res.Outputs["r"][0].(*pyval.Dict)
	if !ok {
		t.Fatalf("result %T, want an image ref", res.Outputs["r"][0])
	}
	got, _ := ref.Get("data")
	if b, ok := got.([]byte); !ok || len(b) != len(data) || &b[0] != &data[0] {
		t.Fatalf("the result's data is not the input's bytes (a copy or another value: %T)", got)
	}
	const runs = 5
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		runChain(t, p, params)
	}
	runtime.ReadMemStats(&after)
	perRun := (after.TotalAlloc - before.TotalAlloc) / runs
	t.Logf("a run passing a %d-byte image through 5 nodes allocates %d bytes (%.4f copies)", chainImageSize, perRun, float64(perRun)/chainImageSize)
	if perRun > chainImageSize/10 {
		t.Errorf("a run allocates %d bytes: the %d-byte image is copied (%.2f times)", perRun, chainImageSize, float64(perRun)/chainImageSize)
	}
}
