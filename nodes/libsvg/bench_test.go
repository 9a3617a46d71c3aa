package libsvg_test

import (
	"strings"
	"testing"

	"nodetool/lang/pyval"
	"nodetool/nodes/libsvg"
)

// BenchmarkFullCanvasShapes: 20 shapes each covering a 1024x1024 canvas
// (figures per op: 21 million pixels touched).
func BenchmarkFullCanvasShapes(b *testing.B) {
	doc := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024">` +
		strings.Repeat(`<rect width="1024" height="1024" fill="#336699" opacity="0.5"/>`, 20) + `</svg>`)
	for b.Loop() {
		if _, err := libsvg.Rasterize(pyval.Unlimited, doc, 1024, 1024); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPipelineDocument: the pipeline test's document at 800x600.
func BenchmarkPipelineDocument(b *testing.B) {
	doc := readFile(b, "testdata/pipeline.svg")
	for b.Loop() {
		if _, err := libsvg.Rasterize(pyval.Unlimited, doc, 800, 600); err != nil {
			b.Fatal(err)
		}
	}
}
